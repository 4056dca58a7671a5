//! The controller's decisions as tables, then whole scenarios against a simulated link
//! (a bottleneck that carries `link` kbit/s and queues the rest).

use super::*;

const MAX: u32 = 3500;
const MIN: u32 = 300;
const AUDIO: u32 = 128;

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

/// A controller whose connection is past TCP's slow start at the tables' time 0.
fn connected() -> Controller {
    let mut controller = Controller::new(MAX, MIN, AUDIO);
    let first = Signal {
        at: Duration::ZERO,
        backlog_ms: 0,
        throughput_kbps: None,
        connected: true,
    };
    assert_eq!(controller.on_signal(first), None);
    controller
}

/// At `at_ms` of the tables' time, which starts SLOW_START after the connection.
fn signal(at_ms: u64, backlog_ms: u64, throughput: Option<f64>) -> Signal {
    Signal {
        at: ms(at_ms) + SLOW_START,
        backlog_ms,
        throughput_kbps: throughput,
        connected: true,
    }
}

fn change(from: u32, to: u32, reason: Reason) -> Option<BitrateChange> {
    Some(BitrateChange { from, to, reason })
}

/// Feeds `signals` in order and checks each decision.
fn run(controller: &mut Controller, table: &[(Signal, Option<BitrateChange>)]) {
    for (i, (s, expected)) in table.iter().enumerate() {
        assert_eq!(controller.on_signal(*s), *expected, "row {i}: {s:?}");
    }
}

#[test]
fn decisions() {
    let c = Reason::Congestion;
    let r = Reason::Recovery;
    let table: &[(&str, Vec<(Signal, Option<BitrateChange>)>)] = &[
        (
            "a clear link never changes the target",
            vec![
                (signal(0, 0, Some(3600.0)), None),
                (signal(5000, 90, Some(3600.0)), None),
            ],
        ),
        (
            "congestion: one step to the link rate x margin, minus the drain of the backlog",
            // carried 1628 - 128 = 1500; 1500 x 0.85 - 0.5 s x 1628 / 2 s = 868
            vec![(signal(1000, 500, Some(1628.0)), change(MAX, 868, c))],
        ),
        (
            "never below the minimum",
            vec![(signal(1000, 900, Some(400.0)), change(MAX, MIN, c))],
        ),
        (
            "nothing measured yet: half the target, then the margin",
            vec![(signal(1000, 400, None), change(MAX, 1111, c))],
        ),
        (
            "once the backlog is clear: straight back to the link rate x margin",
            vec![
                (signal(1000, 500, Some(1628.0)), change(MAX, 868, c)),
                (signal(1250, 450, Some(1628.0)), None),
                (signal(2500, 90, Some(900.0)), change(868, 1275, r)),
            ],
        ),
        (
            "a burst the link keeps up with drains by itself, up to a limit",
            // 4328 - 128 = 4200 carried: more than the encoder is asked for (3500), so the
            // backlog is its burst and drains by itself (1.2 s x 4328 = 5194 kbit at 700
            // kbit/s to spare: 7.4 s).
            vec![
                (signal(1000, 0, Some(4328.0)), None),
                (signal(2000, 700, Some(4328.0)), None),
                (signal(3000, 1200, Some(4328.0)), None),
                (signal(3250, 2000, Some(4328.0)), change(MAX, 2975, c)),
            ],
        ),
        (
            "a backlog the link's spare rate would take too long to drain is congestion",
            // 3828 - 128 = 3700 carried, 200 to spare: 0.7 s x 3828 = 2680 kbit takes 13 s.
            // Near the target: to what it carried x margin.
            vec![
                (signal(1000, 0, Some(3828.0)), None),
                (signal(2000, 700, Some(3828.0)), change(MAX, 2975, c)),
            ],
        ),
        (
            "the same backlog on a link that carries less than the target is congestion",
            // 3128 - 128 = 3000 < 3500; 3000 x 0.85 - 0.7 s x 3128 / 2 s = 1455
            vec![(signal(2000, 700, Some(3128.0)), change(MAX, 1455, c))],
        ),
        (
            "a backlog creeping up for 4 s: 10 % down, no deep drop",
            vec![
                (signal(1000, 500, Some(1628.0)), change(MAX, 868, c)),
                (signal(2500, 90, Some(900.0)), change(868, 1275, r)),
                (signal(3000, 150, Some(1400.0)), None),
                (signal(5000, 200, Some(1400.0)), None),
                (signal(7000, 260, Some(1400.0)), change(1275, 1147, c)),
            ],
        ),
        (
            "a slow link carrying nearly the target: to what it carried, no drain term",
            // 2128 - 128 = 2000 >= 90 % of 2210; x 0.85 = 1700
            vec![
                (signal(1000, 500, Some(2728.0)), change(MAX, 1528, c)),
                (signal(2500, 90, Some(1900.0)), change(1528, 2210, r)),
                (signal(5000, 450, Some(2128.0)), change(2210, 1700, c)),
            ],
        ),
        (
            "still congested after the encoder settled: drops again",
            vec![
                (signal(1000, 500, Some(3128.0)), change(MAX, 1768, c)),
                (signal(1500, 800, Some(1628.0)), None),
                (signal(2600, 900, Some(1628.0)), change(1768, 542, c)),
            ],
        ),
    ];
    for (name, rows) in table {
        let mut controller = connected();
        for (i, (s, expected)) in rows.iter().enumerate() {
            assert_eq!(controller.on_signal(*s), *expected, "{name}, row {i}");
        }
    }
}

#[test]
fn nothing_is_decided_while_disconnected() {
    let mut controller = connected();
    let mut s = signal(1000, 3000, Some(100.0));
    s.connected = false;
    assert_eq!(controller.on_signal(s), None);
    assert_eq!(controller.target(), MAX);
    assert!(!controller.congested());
}

/// A drop, the climb back to the link rate, a probe above it (1275 -> 1402).
fn probing() -> Controller {
    let mut controller = connected();
    run(
        &mut controller,
        &[
            (
                signal(0, 500, Some(1628.0)),
                change(MAX, 868, Reason::Congestion),
            ),
            (
                signal(500, 50, Some(1628.0)),
                change(868, 1275, Reason::Recovery),
            ),
            // Clear for a second, but the first probe waits PROBE_WAIT after the last change.
            (signal(1500, 0, Some(1400.0)), None),
            (
                signal(2500, 0, Some(1400.0)),
                change(1275, 1402, Reason::Recovery),
            ),
        ],
    );
    controller
}

/// The probe fills the backlog while the link carries less than it: back below where it
/// started (1275 - 0.21 s x 1500 / 2 s), to drain what it queued.
fn a_failed_probe() -> Controller {
    let mut controller = probing();
    run(
        &mut controller,
        &[(
            signal(3000, 210, Some(1500.0)),
            change(1402, 1117, Reason::Congestion),
        )],
    );
    controller
}

#[test]
fn an_encoder_burst_does_not_fail_a_probe() {
    let mut controller = probing();
    run(
        &mut controller,
        &[
            // 1628 - 128 = 1500 carried, more than the probe's 1402: the encoder's burst.
            (signal(3000, 210, Some(1628.0)), None),
            (signal(3500, 30, Some(1500.0)), None),
            // Clear and flat a second after it started: the probe holds; the next would be
            // larger (+20 %: 1682), but not above what the whole link carried while it was
            // congested (1628, audio included).
            (
                signal(4250, 10, Some(1500.0)),
                change(1402, 1628, Reason::Recovery),
            ),
        ],
    );
}

/// On a steady link a probe never asks the video for more than the whole link carried when
/// it was congested, so the target stays under the link; on a link that grew that probe
/// holds and the climb goes on.
#[test]
fn probes_stay_under_what_the_congested_link_carried() {
    let r = Reason::Recovery;
    // The link carried 1628 kbit/s while congested; the climb has reached 1402.
    let at_1402 = || {
        let mut controller = probing();
        run(
            &mut controller,
            &[(signal(3500, 0, Some(1500.0)), change(1402, 1628, r))],
        );
        controller
    };
    // Steady: the link carries 1628 in all, so video over 1500 queues. The probe at 1628
    // fails; later probes go halfway to it, then 3 % above the lowest level that failed,
    // and never over 1628.
    let mut steady = at_1402();
    let mut targets = vec![];
    for i in 0..80u64 {
        let backlog = if steady.target() + AUDIO > 1628 {
            250
        } else {
            0
        };
        steady.on_signal(signal(4000 + i * 500, backlog, Some(1628.0)));
        targets.push(steady.target());
    }
    assert!(targets.iter().all(|t| *t <= 1628), "{targets:?}");
    assert!(
        targets.iter().any(|t| *t > 1500),
        "never probed: {targets:?}"
    );
    // Grown: the probe at 1628 holds a second later, which lifts the cap; +10 % from
    // there, as just above any lifted cap.
    let mut grown = at_1402();
    run(
        &mut grown,
        &[
            (signal(4000, 0, Some(1756.0)), None),
            (signal(4500, 0, Some(1756.0)), change(1628, 1790, r)),
        ],
    );
}

#[test]
fn probes_above_the_link_back_off_after_a_failure() {
    let mut controller = a_failed_probe();
    let r = Reason::Recovery;
    run(
        &mut controller,
        &[
            // Once clear, back to where the probe started.
            (signal(4000, 0, Some(1400.0)), change(1117, 1275, r)),
            // The next probe waits twice as long (2 s) and goes only halfway to the level
            // that failed (1402); each probe that holds brings the next at once.
            (signal(5000, 0, Some(1400.0)), None),
            (signal(6000, 0, Some(1400.0)), change(1275, 1338, r)),
            // Within 6 % of it, where halfway steps would be small, the next goes 3 % above
            // it.
            (signal(7100, 0, Some(1500.0)), change(1338, 1444, r)),
            // Near the failed level a probe must hold 2 s.
            (signal(8200, 0, Some(1500.0)), None),
            // It holds: the cap is lifted; just above it, probes stay at +10 %.
            (signal(9200, 0, Some(1500.0)), change(1444, 1588, r)),
        ],
    );
    assert!(controller.congested());
}

#[test]
fn a_reconnect_keeps_what_was_learned() {
    let mut controller = connected();
    controller.on_signal(signal(0, 500, Some(1628.0)));
    controller.on_reconnected(ms(5000) + SLOW_START);
    assert_eq!(controller.target(), 868);
    assert!(controller.congested());
}

/// Headers on the wire around the stream's bytes (about 5 % measured on the test bed).
const LINK_OVERHEAD: f64 = 1.05;

/// A bottleneck of `link` kbit/s with a queue in front of it.
struct Link {
    queued_kbit: f64,
}

impl Link {
    /// One step of `dt` seconds at `target` kbit/s of video (plus audio): the signal the
    /// controller would see.
    fn step(&mut self, at: Duration, dt: f64, target: u32, link: f64) -> Signal {
        self.step_encoding(at, dt, f64::from(target), link)
    }

    /// As `step`, with an encoder that sends `video` kbit/s whatever its target.
    fn step_encoding(&mut self, at: Duration, dt: f64, video: f64, link: f64) -> Signal {
        let offered = video + f64::from(AUDIO);
        // What the stream may use of a link's rate: TCP/IP, TLS and RTMP take the rest.
        let link = link / LINK_OVERHEAD;
        let carried = (self.queued_kbit / dt + offered).min(link);
        self.queued_kbit = (self.queued_kbit + (offered - carried) * dt).max(0.0);
        Signal {
            at,
            // How long the queue takes to leave at the link's rate, as the actor measures it.
            backlog_ms: (self.queued_kbit / link * 1000.0) as u64,
            throughput_kbps: Some(carried),
            connected: true,
        }
    }
}

/// Runs `secs` of the scenario; returns (second, target, backlog_ms) samples every 250 ms.
fn simulate(
    controller: &mut Controller,
    link: &mut Link,
    from_ms: u64,
    secs: u64,
    rate: f64,
) -> Vec<(f64, u32, u64)> {
    let mut out = Vec::new();
    for i in 0..secs * 4 {
        let at = ms(from_ms + i * 250);
        let s = link.step(at, 0.25, controller.target(), rate);
        controller.on_signal(s);
        out.push((at.as_secs_f64(), controller.target(), s.backlog_ms));
    }
    out
}

#[test]
fn congestion_is_handled_within_5_s_and_a_faster_link_is_found_within_15_s() {
    let mut controller = connected();
    let mut link = Link { queued_kbit: 0.0 };
    let congested = simulate(&mut controller, &mut link, 0, 30, 1500.0);
    let late = congested.iter().filter(|(t, _, _)| *t >= 5.0);
    assert!(
        late.clone().all(|(_, _, backlog)| *backlog < 500),
        "{congested:?}"
    );
    let faster = simulate(&mut controller, &mut link, 30_000, 15, 20_000.0);
    let reached = faster.iter().find(|(_, target, _)| *target >= MAX * 9 / 10);
    assert!(reached.is_some(), "{faster:?}");
}

#[test]
fn a_steady_link_is_used_without_oscillating() {
    let mut controller = connected();
    let mut link = Link { queued_kbit: 0.0 };
    let rate = 2500.0;
    simulate(&mut controller, &mut link, 0, 20, rate);
    let minute = simulate(&mut controller, &mut link, 20_000, 60, rate);
    for (t, target, _) in &minute {
        let share = f64::from(*target) / rate;
        assert!((0.6..=1.0).contains(&share), "at {t}: {target}");
    }
    // Episodes: runs of samples with more than 0.5 s queued.
    let episodes = minute
        .windows(2)
        .filter(|w| w[0].2 <= 500 && w[1].2 > 500)
        .count();
    assert!(episodes <= 2, "{episodes} episodes: {minute:?}");
}

/// On a loaded machine the encoder is starved for a moment (a third of its frames), then
/// catches up at twice its rate: the link queues the burst although it carries the target.
#[test]
fn an_encoder_catching_up_does_not_cut_a_steady_link() {
    let mut controller = connected();
    let mut link = Link { queued_kbit: 0.0 };
    let rate = 2500.0;
    simulate(&mut controller, &mut link, 0, 20, rate);
    let mut minute = Vec::new();
    for i in 0..240u64 {
        let at = ms(20_000 + i * 250);
        let target = f64::from(controller.target());
        let video = match i % 60 {
            0..=3 => target / 3.0,
            4..=7 => target * 5.0 / 3.0,
            _ => target,
        };
        let s = link.step_encoding(at, 0.25, video, rate);
        controller.on_signal(s);
        minute.push((at.as_secs_f64(), controller.target(), s.backlog_ms));
    }
    for (t, target, _) in &minute {
        let share = f64::from(*target) / rate;
        assert!((0.6..=1.0).contains(&share), "at {t}: {target}: {minute:?}");
    }
}

/// A new connection's first seconds carry what TCP's slow start allows, not what the link
/// can: the drop uses it (the backlog must drain), but it is not learned as the link's
/// rate, so the climb back is not stopped there.
#[test]
fn slow_start_throughput_is_not_taken_for_the_link_rate() {
    let mut controller = Controller::new(MAX, MIN, AUDIO);
    let early = |at, backlog_ms| Signal {
        at: ms(at),
        backlog_ms,
        throughput_kbps: Some(300.0),
        connected: true,
    };
    run(
        &mut controller,
        &[
            (early(900, 500), change(MAX, MIN, Reason::Congestion)),
            (early(1500, 50), None),
            // +15 % of --bitrate a second, not capped at 300 x 0.85.
            (early(2600, 0), change(MIN, 825, Reason::Recovery)),
        ],
    );
}

/// x264 at a constant target on a noisy picture, as measured on the test bed: a second at
/// about 1.2 times the target, then one at 0.8 (its rate control evens out over the 2 s
/// GOP). A link with only a few percent to spare queues every high second; each probe
/// above it queues more.
#[test]
fn an_uneven_encoder_near_the_link_limit_has_few_backlog_episodes() {
    let mut controller = connected();
    let mut link = Link { queued_kbit: 0.0 };
    let rate = 1500.0;
    let mut run = Vec::new();
    for i in 0..(90 * 4u64) {
        let at = ms(i * 250);
        let target = f64::from(controller.target());
        let video = if (i / 4) % 2 == 0 {
            target * 1.2
        } else {
            target * 0.8
        };
        let s = link.step_encoding(at, 0.25, video, rate);
        controller.on_signal(s);
        run.push((at.as_secs_f64(), controller.target(), s.backlog_ms));
    }
    let settled: Vec<_> = run.iter().filter(|(t, _, _)| *t >= 10.0).collect();
    let episodes = settled
        .windows(2)
        .filter(|w| w[0].2 <= 500 && w[1].2 > 500)
        .count();
    if std::env::var_os("SIM_PRINT").is_some() {
        for (t, target, backlog) in &run {
            println!("{t:6.2} {target:5} {backlog:5}");
        }
    }
    // The bound for a steady link: at most 2 a minute (80 s here).
    assert!(episodes <= 2, "{episodes} episodes: {run:?}");
    for (t, target, _) in &settled {
        let share = f64::from(*target) / rate;
        assert!((0.6..=1.0).contains(&share), "at {t}: {target}: {run:?}");
    }
}
