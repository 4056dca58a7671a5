//! What ivssink tells the application, as types: the stats and connection-state element
//! messages and the details of its final error. ivssink writes them with these types and
//! applications read them back with the same ones, so no reader guesses a field name, an
//! integer width or a state string. On the bus they stay plain structures with string
//! states, readable in `gst-launch-1.0 -m`.

use std::fmt;
use std::str::FromStr;

/// Name of the periodic stats element message.
pub const STATS_MESSAGE: &str = "cloumer-ivssink-stats";
/// Name of the connection state element message.
pub const STATE_MESSAGE: &str = "cloumer-ivssink-state";
/// Name of the details structure of ivssink's final error.
pub const FAILURE_DETAILS: &str = "cloumer-failure";

/// A string-valued enum whose strings are what goes on the bus.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err(UnknownValue(s.to_owned())),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A string on the bus that none of our enums knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

wire_enum! {
    /// The connection as the `state` field of [`STATE_MESSAGE`] reports it.
    ConnectionState {
        Connecting = "connecting",
        /// The ingest accepted `publish`.
        Connected = "connected",
        Reconnecting = "reconnecting",
        /// Given up; an error message with [`Failure`] details follows.
        Failed = "failed",
    }
}

wire_enum! {
    /// Why streaming stopped for good: the `kind` field of [`FAILURE_DETAILS`].
    FailureKind {
        /// The ingest refused to let us publish with this stream key.
        KeyRejected = "key-rejected",
        /// TLS could not be established (untrusted certificate, handshake failure).
        Tls = "tls",
        /// Anything else: unreachable ingest, too many failed reconnects...
        Network = "network",
        /// The ingest accepted the key but kept closing the stream right after it started
        /// (settings over the channel type's limits, ...).
        IngestRefused = "ingest-refused",
    }
}

/// The [`STATS_MESSAGE`] element message, posted every `stats-interval-ms`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IvsStats {
    /// Bytes sent to the ingest, over every connection.
    pub bytes_sent: u64,
    /// Bytes the ingest acknowledged, over every connection.
    pub bytes_acked: u64,
    /// Bits per second sent since the previous stats message.
    pub bitrate: u64,
    pub connected: bool,
    /// Successful reconnections.
    pub reconnects: u32,
    /// Buffers dropped while not connected.
    pub dropped_buffers: u64,
    /// Video waiting in the queue in front of the connection, in nanoseconds.
    pub queued_time_ns: u64,
    /// Bytes written to the connection's socket that the ingest has not acknowledged yet
    /// (the kernel's send buffer); `None` where the socket cannot be read.
    pub socket_queued_bytes: Option<u64>,
}

impl IvsStats {
    pub fn to_structure(&self) -> gst::Structure {
        gst::Structure::builder(STATS_MESSAGE)
            .field("bytes-sent", self.bytes_sent)
            .field("bytes-acked", self.bytes_acked)
            .field("bitrate", self.bitrate)
            .field("connected", self.connected)
            .field("reconnects", self.reconnects)
            .field("dropped-buffers", self.dropped_buffers)
            .field("queued-time", self.queued_time_ns)
            // -1: unknown (a structure field has no "absent" that gst-launch -m shows).
            .field(
                "socket-queued-bytes",
                self.socket_queued_bytes
                    .and_then(|b| i64::try_from(b).ok())
                    .unwrap_or(-1),
            )
            .build()
    }

    /// `None` unless `s` is a well-formed [`STATS_MESSAGE`].
    pub fn from_structure(s: &gst::StructureRef) -> Option<Self> {
        if s.name() != STATS_MESSAGE {
            return None;
        }
        Some(Self {
            bytes_sent: s.get("bytes-sent").ok()?,
            bytes_acked: s.get("bytes-acked").ok()?,
            bitrate: s.get("bitrate").ok()?,
            connected: s.get("connected").ok()?,
            reconnects: s.get("reconnects").ok()?,
            dropped_buffers: s.get("dropped-buffers").ok()?,
            queued_time_ns: s.get("queued-time").ok()?,
            socket_queued_bytes: u64::try_from(s.get::<i64>("socket-queued-bytes").ok()?).ok(),
        })
    }
}

/// The [`STATE_MESSAGE`] element message, posted on every change of the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IvsState {
    pub state: ConnectionState,
    /// The reconnection attempt: 0 for the initial connection; on `Connected`, how many
    /// attempts it took.
    pub attempt: u32,
    /// What happened, for people (the error underneath, "reconnected", ...).
    pub reason: String,
}

impl IvsState {
    pub fn to_structure(&self) -> gst::Structure {
        gst::Structure::builder(STATE_MESSAGE)
            .field("state", self.state.as_str())
            .field("attempt", self.attempt)
            .field("reason", self.reason.as_str())
            .build()
    }

    /// `None` unless `s` is a well-formed [`STATE_MESSAGE`].
    pub fn from_structure(s: &gst::StructureRef) -> Option<Self> {
        if s.name() != STATE_MESSAGE {
            return None;
        }
        Some(Self {
            state: s.get::<&str>("state").ok()?.parse().ok()?,
            attempt: s.get("attempt").ok()?,
            reason: s.get::<String>("reason").ok()?,
        })
    }
}

/// The details structure ([`FAILURE_DETAILS`]) of the error ivssink posts when it gives up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    /// What went wrong underneath (refused, timed out, bad certificate...).
    pub reason: String,
}

impl Failure {
    pub fn to_structure(&self) -> gst::Structure {
        gst::Structure::builder(FAILURE_DETAILS)
            .field("kind", self.kind.as_str())
            .field("reason", self.reason.as_str())
            .build()
    }

    /// The failure an error message carries, if it is ivssink's final error.
    pub fn from_error(message: &gst::message::Error) -> Option<Self> {
        let s = message.details().filter(|d| d.name() == FAILURE_DETAILS)?;
        Some(Self {
            kind: s.get::<&str>("kind").ok()?.parse().ok()?,
            reason: s.get::<String>("reason").ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        gst::init().expect("gst init");
        let stats = IvsStats {
            bytes_sent: 1 << 40,
            bytes_acked: 7,
            bitrate: 3_500_000,
            connected: true,
            reconnects: 2,
            dropped_buffers: 9,
            queued_time_ns: 250_000_000,
            socket_queued_bytes: Some(120_000),
        };
        assert_eq!(IvsStats::from_structure(&stats.to_structure()), Some(stats));
        let state = IvsState {
            state: ConnectionState::Reconnecting,
            attempt: 3,
            reason: "Connection error".into(),
        };
        assert_eq!(
            IvsState::from_structure(&state.to_structure()),
            Some(state.clone())
        );
        // Each reader takes only its own message.
        assert_eq!(IvsStats::from_structure(&state.to_structure()), None);
        let failure = Failure {
            kind: FailureKind::KeyRejected,
            reason: "publish refused".into(),
        };
        let error = gst::message::Error::builder(gst::ResourceError::NotAuthorized, "refused")
            .details(failure.to_structure())
            .build();
        let gst::MessageView::Error(error) = error.view() else {
            unreachable!()
        };
        assert_eq!(Failure::from_error(error), Some(failure));
    }

    #[test]
    fn wire_strings_are_stable() {
        for kind in [
            FailureKind::KeyRejected,
            FailureKind::Tls,
            FailureKind::Network,
            FailureKind::IngestRefused,
        ] {
            assert_eq!(kind.as_str().parse(), Ok(kind));
        }
        assert_eq!("connected".parse(), Ok(ConnectionState::Connected));
        assert!("live".parse::<ConnectionState>().is_err());
    }
}
