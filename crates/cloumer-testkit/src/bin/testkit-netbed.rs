//! A constrained-network test bed for scripts (bench/abr): makes a [`NetBed`] at the given
//! uplink rate with the ingest behind it, prints where everything is as one JSON line,
//! then obeys one command a line on stdin (`rate KBIT`, `down`, `up`) and tears everything
//! down when stdin closes.
//!
//! Usage: `testkit-netbed STREAM_KEY RATE_KBIT` (as root).

use std::io::BufRead;

use anyhow::{Context, bail};
use cloumer_testkit::{Ingest, NetBed};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: testkit-netbed STREAM_KEY RATE_KBIT";
    let key = args.next().context(usage)?;
    let rate: u32 = args.next().context(usage)?.parse().context(usage)?;
    let bed = NetBed::new(rate)?;
    let ingest = Ingest::start_behind(&key, &bed)?;
    let info = serde_json::json!({
        "client_netns": bed.client().name(),
        "rtmps_url": ingest.rtmps_url(),
        "record_dir": ingest.record_dir(),
    });
    println!("{info}");
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let mut words = line.split_whitespace();
        let result = match (words.next(), words.next()) {
            (Some("rate"), Some(kbit)) => bed.set_rate_kbit(kbit.parse()?),
            (Some("down"), None) => bed.link_down(),
            (Some("up"), None) => bed.link_up(),
            (None, _) => Ok(()),
            _ => bail!("unknown command {line:?} (rate KBIT | down | up)"),
        };
        result?;
        println!("ok");
    }
    // nginx first, then the namespaces it ran in.
    drop(ingest);
    drop(bed);
    Ok(())
}
