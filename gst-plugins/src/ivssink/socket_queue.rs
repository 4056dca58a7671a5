//! How many bytes of the stream sit in the kernel's send buffer of the connection to the
//! ingest (Linux `SIOCOUTQ`: written by rtmp2sink, not yet acknowledged by the peer).
//!
//! Why read it: when the uplink is slower than the stream, TCP's send buffer fills first
//! and only then does rtmp2sink block and the queue in front of it grow. The buffer grows
//! with the connection (autotuning) and held about 1.6 s of video at 1.5 Mbit/s here, so
//! a controller that only watched the queue would notice congestion seconds late.
//!
//! Why not cap `SO_SNDBUF` instead: a small fixed buffer also limits the throughput of a
//! fast link with some latency (the buffer must hold a bandwidth-delay product), and
//! picking one size for every network a streamer has is guesswork. Reading the level keeps
//! the kernel's autotuning and gives the exact figure.
//!
//! rtmp2sink (GStreamer 1.22) does not expose its socket, so we find it among this
//! process's file descriptors by its peer address (the ingest's host and port). Where the
//! socket cannot be found (another OS, a proxy in between), the level reads as unknown and
//! only the queue counts.

use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::RawFd;

/// Finds and reads the send queue of the TCP connection to one ingest address.
#[derive(Debug, Default)]
pub(crate) struct SocketQueue {
    peers: Vec<SocketAddr>,
    fd: Option<RawFd>,
}

impl SocketQueue {
    /// For `rtmp[s]://host[:port]/...`. Resolving may block: call it off streaming threads.
    pub(crate) fn for_location(location: &str) -> Self {
        Self {
            peers: peer_addresses(location),
            fd: None,
        }
    }

    /// Bytes in the send buffer now, `None` when the connection's socket is not found.
    pub(crate) fn queued_bytes(&mut self) -> Option<u64> {
        if self.peers.is_empty() {
            return None;
        }
        // After a reconnect the old descriptor is closed, or its number reused by another
        // connection or by something that is not a socket: check the peer each time and
        // search again when it is not the ingest any more (a closed fd has no peer).
        if let Some(fd) = self.fd
            && !peer_of(fd).is_some_and(|peer| self.peers.contains(&peer))
        {
            self.fd = None;
        }
        if self.fd.is_none() {
            self.fd = find_socket(&self.peers);
        }
        outq(self.fd?)
    }
}

fn peer_addresses(location: &str) -> Vec<SocketAddr> {
    let Ok(url) = cloumer_protocol::destination::IngestUrl::parse(location) else {
        return Vec::new();
    };
    let authority = url.authority();
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next(),
        None => authority.split(':').next(),
    }
    .unwrap_or_default();
    (host, url.port())
        .to_socket_addrs()
        .map(|addrs| addrs.collect())
        .unwrap_or_default()
}

/// The newest (highest-numbered) TCP socket of this process connected to one of `peers`.
fn find_socket(peers: &[SocketAddr]) -> Option<RawFd> {
    let entries = std::fs::read_dir("/proc/self/fd").ok()?;
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<RawFd>().ok())
        .filter(|fd| peer_of(*fd).is_some_and(|p| peers.contains(&p)))
        .max()
}

/// The peer address of socket `fd`, `None` for anything that is not a connected IP socket.
fn peer_of(fd: RawFd) -> Option<SocketAddr> {
    // SAFETY: getpeername writes at most `len` bytes into the zeroed storage we own; an
    // fd that is not a socket (or closed meanwhile) only makes it return an error.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    let rc = unsafe {
        libc::getpeername(
            fd,
            (&mut storage as *mut libc::sockaddr_storage).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return None;
    }
    match storage.ss_family as libc::c_int {
        libc::AF_INET => {
            // SAFETY: the kernel said the address is an IPv4 one.
            let a: &libc::sockaddr_in = unsafe { &*(&storage as *const _ as *const _) };
            Some(SocketAddr::from((
                u32::from_be(a.sin_addr.s_addr).to_be_bytes(),
                u16::from_be(a.sin_port),
            )))
        }
        libc::AF_INET6 => {
            // SAFETY: the kernel said the address is an IPv6 one.
            let a: &libc::sockaddr_in6 = unsafe { &*(&storage as *const _ as *const _) };
            Some(SocketAddr::from((
                a.sin6_addr.s6_addr,
                u16::from_be(a.sin6_port),
            )))
        }
        _ => None,
    }
}

fn outq(fd: RawFd) -> Option<u64> {
    let mut queued: libc::c_int = 0;
    // SAFETY: SIOCOUTQ (= TIOCOUTQ) writes one int into `queued`; on a non-socket or a
    // closed fd it fails without writing.
    let rc = unsafe { libc::ioctl(fd, libc::TIOCOUTQ, &mut queued) };
    (rc == 0).then(|| queued.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn reads_the_send_queue_of_a_connection_it_finds_by_peer() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut queue = SocketQueue::for_location(&format!("rtmp://127.0.0.1:{port}/live/"));
        assert_eq!(queue.queued_bytes(), None, "no connection yet");
        let mut client = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let _server = listener.accept().expect("accept");
        assert_eq!(queue.queued_bytes(), Some(0));
        // Nobody reads on the far side: once its receive buffer is full, the rest waits in
        // our send buffer.
        client.set_nonblocking(true).expect("nonblocking");
        let chunk = vec![0u8; 64 * 1024];
        let mut written = 0usize;
        while let Ok(n) = client.write(&chunk) {
            written += n;
        }
        let queued = queue.queued_bytes().expect("socket found");
        assert!(
            queued > 0 && queued as usize <= written,
            "{queued} of {written}"
        );
    }

    #[test]
    fn finds_the_new_connection_after_a_reconnect() {
        use std::os::fd::AsRawFd;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mut queue = SocketQueue::for_location(&format!("rtmp://127.0.0.1:{port}/live/"));
        let _client = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let _server = listener.accept().expect("accept");
        // After ivssink's reconnect the remembered descriptor number may hold something
        // that is not a socket at all (seen in CI: the level then read as unknown for good).
        let file = std::fs::File::open("/proc/self/stat").expect("open");
        queue.fd = Some(file.as_raw_fd());
        assert_eq!(queue.queued_bytes(), Some(0), "the connection is found again");
    }

    #[test]
    fn default_ports_follow_the_scheme() {
        assert_eq!(
            peer_addresses("rtmps://127.0.0.1/app/"),
            vec!["127.0.0.1:443".parse().expect("addr")]
        );
        assert_eq!(
            peer_addresses("rtmp://[::1]/app/"),
            vec!["[::1]:1935".parse().expect("addr")]
        );
        assert_eq!(
            peer_addresses("rtmp://[::1]:99/app/"),
            vec!["[::1]:99".parse().expect("addr")]
        );
    }
}
