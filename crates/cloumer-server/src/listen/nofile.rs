//! The process's file-handle limit: raised from the soft to the hard limit once, as servers
//! do at start (the soft default of 1,024 is a relic of `select(2)`; tokio uses epoll).

use std::sync::OnceLock;

/// Raises `RLIMIT_NOFILE`'s soft limit to the hard limit (once per process) and returns
/// the soft limit in force afterwards. When the limit cannot be read, 1,024 is assumed.
pub(crate) fn raise_nofile_limit() -> u64 {
    static LIMIT: OnceLock<u64> = OnceLock::new();
    *LIMIT.get_or_init(raise)
}

#[cfg(unix)]
fn raise() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one `rlimit` through a valid pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 1_024;
    }
    let before = limit.rlim_cur;
    if limit.rlim_cur < limit.rlim_max {
        // macOS answers RLIM_INFINITY as the hard limit but refuses more than OPEN_MAX.
        #[cfg(target_os = "macos")]
        let target = limit.rlim_max.min(10_240);
        #[cfg(not(target_os = "macos"))]
        let target = limit.rlim_max;
        let raised = libc::rlimit {
            rlim_cur: target,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit reads one `rlimit` through a valid pointer.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = target;
        }
    }
    #[allow(clippy::useless_conversion)] // rlim_t is 32 bits on some targets
    let now = u64::try_from(limit.rlim_cur).unwrap_or(u64::MAX);
    tracing::debug!(before, now, "file-handle limit");
    now
}

#[cfg(not(unix))]
fn raise() -> u64 {
    // Windows has no such per-process handle limit for sockets.
    16_384
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_soft_limit_ends_at_the_hard_limit() {
        let now = super::raise_nofile_limit();
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as above.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        #[allow(clippy::useless_conversion)]
        let soft = u64::try_from(limit.rlim_cur).unwrap_or(u64::MAX);
        assert_eq!(soft, now);
        #[cfg(not(target_os = "macos"))]
        assert_eq!(limit.rlim_cur, limit.rlim_max);
    }
}
