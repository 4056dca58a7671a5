//! Helpers of the listener attack tests: connections from a chosen loopback address, a raw
//! RTMP publisher (rml_rtmp's client session), REST latency under attack, RSS, and a
//! panic counter.
#![allow(dead_code)]

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rml_rtmp::handshake::{Handshake, HandshakeProcessResult, PeerType};
use rml_rtmp::sessions::{
    ClientSession, ClientSessionConfig, ClientSessionEvent, ClientSessionResult, PublishRequestType,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// The attacker's address (the server's own clients use 127.0.0.1).
pub const ATTACKER: [u8; 4] = [127, 0, 0, 2];

/// A TCP connection to `to` from `from` (any port).
pub async fn connect_from(from: [u8; 4], to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::from(from), 0))?;
    socket.connect(to).await
}

/// Waits until the peer closes `stream` (EOF or reset); `false` if it is still open at
/// `deadline`. Whatever the server sends meanwhile is discarded.
pub async fn closed_by(stream: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

/// Timings of `n` sequential `GET /public/users`, each on a new connection (the path
/// the attacks target: accepting), from 127.0.0.1.
pub async fn rest_latencies(api_url: &str, n: usize) -> Vec<Duration> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let ok = http
            .get(format!("{api_url}/public/users"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        times.push(if ok { t.elapsed() } else { Duration::MAX });
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    times
}

/// `(p50, p90, max)`, printed with `what`.
pub fn summarize(what: &str, mut times: Vec<Duration>) -> (Duration, Duration, Duration) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    let (p50, p90, max) = (at(0.5), at(0.9), at(1.0));
    eprintln!(
        "{what}: n={} p50={:.1} ms p90={:.1} ms max={:.1} ms",
        times.len(),
        p50.as_secs_f64() * 1e3,
        p90.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
    (p50, p90, max)
}

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Counts every panic that reaches the default hook (what prints a backtrace); install
/// before the server starts, so the server's filter sits in front of it.
pub fn count_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            default(info);
        }));
    });
}

pub fn panics_seen() -> usize {
    PANICS.load(Ordering::SeqCst)
}

/// An RTMP client (rml_rtmp's client session) speaking to the ingest by hand, so a test can
/// follow a valid publish with any bytes at all.
pub struct RawRtmp {
    pub stream: TcpStream,
    session: ClientSession,
}

impl RawRtmp {
    /// Connects and completes the RTMP handshake.
    pub async fn handshake(from: [u8; 4], to: SocketAddr) -> Result<Self> {
        let mut stream = connect_from(from, to).await?;
        let mut handshake = Handshake::new(PeerType::Client);
        let c0c1 = handshake
            .generate_outbound_p0_and_p1()
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        stream.write_all(&c0c1).await?;
        let mut buf = [0u8; 4096];
        let leftover = loop {
            let n = stream.read(&mut buf).await?;
            if n == 0 {
                bail!("closed during the handshake");
            }
            match handshake
                .process_bytes(&buf[..n])
                .map_err(|e| anyhow::anyhow!("{e:?}"))?
            {
                HandshakeProcessResult::InProgress { response_bytes } => {
                    stream.write_all(&response_bytes).await?
                }
                HandshakeProcessResult::Completed {
                    response_bytes,
                    remaining_bytes,
                } => {
                    stream.write_all(&response_bytes).await?;
                    break remaining_bytes;
                }
            }
        };
        let (session, initial) =
            ClientSession::new(ClientSessionConfig::new()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let mut rtmp = Self { stream, session };
        rtmp.send(initial).await?;
        if !leftover.is_empty() {
            rtmp.input(&leftover).await?;
        }
        Ok(rtmp)
    }

    /// connect("app") then publish(`key`); `Ok(true)` once the server accepts the publish,
    /// `Ok(false)` when it refuses it (or closes).
    pub async fn publish(from: [u8; 4], to: SocketAddr, key: &str) -> Result<(Self, bool)> {
        let mut rtmp = Self::handshake(from, to).await?;
        let request = rtmp
            .session
            .request_connection("app".into())
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        rtmp.send(vec![request]).await?;
        if !rtmp
            .wait_for(|e| matches!(e, ClientSessionEvent::ConnectionRequestAccepted))
            .await?
        {
            return Ok((rtmp, false));
        }
        let request = rtmp
            .session
            .request_publishing(key.into(), PublishRequestType::Live)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        rtmp.send(vec![request]).await?;
        let accepted = rtmp
            .wait_for(|e| matches!(e, ClientSessionEvent::PublishRequestAccepted))
            .await?;
        Ok((rtmp, accepted))
    }

    /// Reads until `wanted` is raised (`true`), or the server closes or sends a status
    /// that is not it (`false`); 10 s at most.
    async fn wait_for(&mut self, wanted: impl Fn(&ClientSessionEvent) -> bool) -> Result<bool> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 4096];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let n = tokio::time::timeout(left, self.stream.read(&mut buf))
                .await
                .context("no answer from the ingest in 10 s")?
                .unwrap_or(0);
            if n == 0 {
                return Ok(false);
            }
            for event in self.input(&buf[..n]).await? {
                if wanted(&event) {
                    return Ok(true);
                }
                if matches!(
                    event,
                    ClientSessionEvent::ConnectionRequestRejected { .. }
                        | ClientSessionEvent::UnhandleableOnStatusCode { .. }
                ) {
                    return Ok(false);
                }
            }
        }
    }

    async fn input(&mut self, bytes: &[u8]) -> Result<Vec<ClientSessionEvent>> {
        let results = self
            .session
            .handle_input(bytes)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let mut events = Vec::new();
        let mut out = Vec::new();
        for result in results {
            match result {
                ClientSessionResult::RaisedEvent(e) => events.push(e),
                other => out.push(other),
            }
        }
        self.send(out).await?;
        Ok(events)
    }

    async fn send(&mut self, results: Vec<ClientSessionResult>) -> Result<()> {
        for result in results {
            if let ClientSessionResult::OutboundResponse(packet) = result {
                self.stream.write_all(&packet.bytes).await?;
            }
        }
        Ok(())
    }
}

/// The chunk size rml_rtmp's client announces after connect (before it: 128).
pub const CLIENT_CHUNK_SIZE: usize = 4096;

/// A chunk stream that trips `rml_rtmp`'s deserializer (peer chunk size `chunk_size`): a
/// message on chunk stream 3 left after its first chunk, then a full header on chunk stream
/// 4 declaring a shorter message. Its `length - received` underflows (a panic where
/// overflow checks are on; where not, a message that never completes), and continuation
/// chunks keep coming on that chunk stream up to `total` bytes.
pub fn malformed_chunk_stream(chunk_size: usize, total: usize) -> Vec<u8> {
    let header = |csid: u8, length: usize| {
        let len = u32::try_from(length).expect("24-bit length").to_be_bytes();
        // fmt 0; timestamp 0; length; type 20 (AMF0 command); message stream 0
        [csid, 0, 0, 0, len[1], len[2], len[3], 20, 0, 0, 0, 0]
    };
    let mut bytes = Vec::new();
    bytes.extend(header(3, chunk_size + 72));
    bytes.extend(std::iter::repeat_n(0x05, chunk_size));
    bytes.extend(header(4, 10));
    bytes.extend([0x05; 10]);
    while bytes.len() < total {
        bytes.push(0xc4); // fmt 3 on chunk stream 4
        bytes.extend([0x05; 10]);
    }
    bytes
}

/// Writes `bytes` in pieces until done or the server stops taking them; the bytes written.
pub async fn write_until_closed(stream: &mut TcpStream, bytes: &[u8]) -> usize {
    let mut sent = 0;
    for piece in bytes.chunks(64 * 1024) {
        match tokio::time::timeout(Duration::from_secs(5), stream.write_all(piece)).await {
            Ok(Ok(())) => sent += piece.len(),
            _ => break,
        }
    }
    sent
}

/// One RTMP message declaring 16 MiB (the 24-bit maximum) and never ending, as 128-byte
/// chunks (the chunk size before the client announces one), `total` bytes of it.
pub fn endless_message(total: usize) -> Vec<u8> {
    let mut bytes = vec![0x03, 0, 0, 0, 0xff, 0xff, 0xff, 20, 0, 0, 0, 0];
    bytes.extend([0x02; 128]);
    while bytes.len() < total {
        bytes.push(0xc3);
        bytes.extend([0x02; 128]);
    }
    bytes
}

/// `host:port` of an `rtmp://host:port/app/` URL.
pub fn rtmp_addr(url: &str) -> SocketAddr {
    url.trim_start_matches("rtmp://")
        .trim_end_matches("/app/")
        .parse()
        .expect("rtmp_url host:port")
}

/// From where the server's legitimate clients connect.
pub const LOCAL: [u8; 4] = [127, 0, 0, 1];
