//! Viewer counts: the HLS playback clients of a channel seen in the last [`WINDOW`].
//!
//! A player re-fetches the live playlist every target duration (2 s here), so a playlist
//! request is a heartbeat. Without cookies a client is its address plus its User-Agent
//! (hashed with a per-process key, never stored in clear): a per-client token in the
//! playlist URL would need every player to keep it (hls.js and Safari re-request the URL
//! they were given, but a shared link would merge its viewers), and an address alone would
//! merge every viewer behind one NAT. Address + agent still merges identical browsers
//! behind one NAT (an undercount, the safe side for a public number).
//!
//! Memory is bounded against floods: at most [`MAX_PER_CHANNEL`] sessions a channel and
//! only for channels whose playlist exists (the route records after serving it); a full
//! table first drops expired sessions, then stops adding (the count saturates).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A session counts while its last playlist request is younger than this: five of a
/// player's 2 s playlist refreshes, so a viewer who left stops counting within ~10 s.
pub const WINDOW: Duration = Duration::from_secs(10);
/// Sessions kept per channel at most (a flood of fake agents cannot grow memory past it:
/// about 24 bytes each, so ~1.2 MB a channel).
pub const MAX_PER_CHANNEL: usize = 50_000;

#[derive(Default)]
pub struct Viewers {
    key: RandomState,
    channels: Mutex<HashMap<String, HashMap<u64, Instant>>>,
}

impl Viewers {
    /// Records a playlist request of `channel` by the client (`peer`, `user_agent`).
    pub fn seen(&self, channel: &str, peer: IpAddr, user_agent: &str) {
        let mut hasher = self.key.build_hasher();
        (peer, user_agent).hash(&mut hasher);
        let session = hasher.finish();
        let now = Instant::now();
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        let sessions = channels.entry(channel.to_owned()).or_default();
        if sessions.len() >= MAX_PER_CHANNEL && !sessions.contains_key(&session) {
            sessions.retain(|_, last| now.duration_since(*last) < WINDOW);
            if sessions.len() >= MAX_PER_CHANNEL {
                return;
            }
        }
        sessions.insert(session, now);
    }

    /// Sessions of `channel` seen in the last [`WINDOW`]; forgets older ones.
    pub fn count(&self, channel: &str) -> u64 {
        let now = Instant::now();
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        let Some(sessions) = channels.get_mut(channel) else {
            return 0;
        };
        sessions.retain(|_, last| now.duration_since(*last) < WINDOW);
        let count = sessions.len() as u64;
        if sessions.is_empty() {
            channels.remove(channel);
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_counts_once_and_distinct_clients_add_up() {
        let viewers = Viewers::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..5 {
            viewers.seen("ch", a, "hls.js");
        }
        viewers.seen("ch", a, "Safari");
        viewers.seen("ch", b, "hls.js");
        viewers.seen("other", b, "hls.js");
        assert_eq!(viewers.count("ch"), 3);
        assert_eq!(viewers.count("other"), 1);
        assert_eq!(viewers.count("none"), 0);
    }

    #[test]
    fn a_flood_of_agents_is_capped() {
        let viewers = Viewers::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        for i in 0..MAX_PER_CHANNEL + 100 {
            viewers.seen("ch", a, &i.to_string());
        }
        assert_eq!(viewers.count("ch"), MAX_PER_CHANNEL as u64);
    }
}
