//! A Wayland connection relay between xdg-desktop-portal-wlr and sway that lets the
//! portal cast a screen rendered without a GPU.
//!
//! Why it exists: on a machine without `/dev/dri`, wlroots renders with pixman and its
//! screencopy offers shared-memory buffers only (no `linux_dmabuf` event).
//! xdg-desktop-portal-wlr 0.7 (Debian 12) refuses to start a cast unless that event came
//! (upstream issue emersion/xdg-desktop-portal-wlr#289), although without a GBM device it
//! then negotiates shared-memory buffers with PipeWire anyway and copies every frame from
//! sway over `wl_shm`. The relay adds the missing `linux_dmabuf` announcement (same
//! format and size as the shared-memory one) to each screencopy frame on the portal's own
//! connection; every byte and file descriptor else passes unchanged, so the pixels the
//! tests check are still the ones sway composed. No maintained tool does this (it is a
//! workaround for one version of one program), hence the ~200 lines here.
//!
//! Wire format (Wayland): each message is `object id: u32`, `size << 16 | opcode: u32`,
//! then arguments (strings as length + padded bytes); file descriptors travel as
//! `SCM_RIGHTS` beside the bytes and are matched to messages in order, so forwarding them
//! with the same or an earlier chunk keeps them right.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};

const WL_DISPLAY: u32 = 1;
const DISPLAY_GET_REGISTRY: u16 = 1;
const DISPLAY_DELETE_ID: u16 = 1;
const REGISTRY_BIND: u16 = 0;
const SCREENCOPY_MANAGER: &str = "zwlr_screencopy_manager_v1";
/// `capture_output` and `capture_output_region`: both start with the new frame's id.
const MANAGER_CAPTURE_OPCODES: [u16; 2] = [0, 1];
const FRAME_BUFFER: u16 = 0;
const FRAME_LINUX_DMABUF: u16 = 5;
const FRAME_BUFFER_DONE: u16 = 6;
/// libwayland sends at most 28 descriptors a `sendmsg`; room for more costs nothing.
const MAX_FDS: usize = 64;

/// What the relay knows about one connection's objects.
#[derive(Default)]
struct Objects {
    registries: HashSet<u32>,
    managers: HashSet<u32>,
    /// Screencopy frames and their shared-memory buffer (DRM fourcc, width, height).
    frames: HashMap<u32, Option<[u32; 3]>>,
}

/// Listens on a socket of its own and relays each client to `upstream`; stops accepting
/// on drop.
#[derive(Debug)]
pub(crate) struct DmabufShim {
    path: PathBuf,
    stop: Arc<AtomicBool>,
}

impl DmabufShim {
    pub(crate) fn start(path: &Path, upstream: &Path) -> Result<Self> {
        let listener = UnixListener::bind(path)
            .with_context(|| format!("binding the Wayland relay at {}", path.display()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (upstream, flag) = (upstream.to_owned(), stop.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let upstream = upstream.clone();
                std::thread::spawn(move || {
                    if let Err(e) = relay(client, &upstream) {
                        eprintln!("wayland relay: {e:#}");
                    }
                });
            }
        });
        Ok(Self {
            path: path.to_owned(),
            stop,
        })
    }
}

impl Drop for DmabufShim {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept so the thread sees the flag.
        let _ = UnixStream::connect(&self.path);
    }
}

fn relay(client: UnixStream, upstream: &Path) -> Result<()> {
    let server = UnixStream::connect(upstream)
        .with_context(|| format!("connecting to {}", upstream.display()))?;
    let objects = Arc::new(Mutex::new(Objects::default()));
    let requests = {
        let (from, to, objects) = (client.try_clone()?, server.try_clone()?, objects.clone());
        std::thread::spawn(move || {
            let done = pump(&from, &to, &objects, Direction::Requests);
            close_both(&from, &to);
            done
        })
    };
    let events = pump(&server, &client, &objects, Direction::Events);
    close_both(&server, &client);
    let _ = requests.join();
    events
}

/// One side closed: closing both ends the other direction's pump too.
fn close_both(a: &UnixStream, b: &UnixStream) {
    let _ = a.shutdown(std::net::Shutdown::Both);
    let _ = b.shutdown(std::net::Shutdown::Both);
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Requests,
    Events,
}

/// Copies whole messages from `from` to `to` until `from` closes, noting (requests) or
/// amending (events) screencopy traffic on the way.
fn pump(
    from: &UnixStream,
    to: &UnixStream,
    objects: &Mutex<Objects>,
    direction: Direction,
) -> Result<()> {
    let mut pending = Vec::new();
    let mut fds: Vec<OwnedFd> = Vec::new();
    loop {
        let got = receive(from, &mut pending, &mut fds)?;
        if got == 0 {
            return Ok(());
        }
        let mut out = Vec::with_capacity(pending.len() + 32);
        let mut used = 0;
        while let Some(message) = next_message(&pending[used..]) {
            let mut objects = objects.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
            match direction {
                Direction::Requests => note_request(&mut objects, message),
                Direction::Events => amend_event(&mut objects, message, &mut out),
            }
            out.extend_from_slice(message);
            used += message.len();
        }
        pending.drain(..used);
        // Descriptors wait for at least one whole message to ride with (a stream socket
        // carries none on an empty write).
        if !out.is_empty() {
            send(to, &out, &fds)?;
            fds.clear();
        }
    }
}

fn next_message(bytes: &[u8]) -> Option<&[u8]> {
    let size = (word(bytes, 4)? >> 16) as usize;
    (size >= 8 && bytes.len() >= size).then(|| &bytes[..size])
}

fn word(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn header(message: &[u8]) -> (u32, u16) {
    let object = word(message, 0).unwrap_or(0);
    let opcode = (word(message, 4).unwrap_or(0) & 0xffff) as u16;
    (object, opcode)
}

/// A Wayland string argument at `at`: its text and where the next argument starts.
fn string_at(message: &[u8], at: usize) -> Option<(&str, usize)> {
    let len = word(message, at)? as usize;
    let text = message.get(at + 4..at + 4 + len.checked_sub(1)?)?;
    Some((
        std::str::from_utf8(text).ok()?,
        at + 4 + len.div_ceil(4) * 4,
    ))
}

fn note_request(objects: &mut Objects, message: &[u8]) {
    let (object, opcode) = header(message);
    if object == WL_DISPLAY && opcode == DISPLAY_GET_REGISTRY {
        objects.registries.extend(word(message, 8));
    } else if objects.registries.contains(&object) && opcode == REGISTRY_BIND {
        // bind(name, interface, version, new id)
        if let Some((SCREENCOPY_MANAGER, next)) = string_at(message, 12) {
            objects.managers.extend(word(message, next + 4));
        }
    } else if objects.managers.contains(&object) && MANAGER_CAPTURE_OPCODES.contains(&opcode) {
        if let Some(frame) = word(message, 8) {
            objects.frames.insert(frame, None);
        }
    }
}

/// Before a frame's `buffer_done`, adds the `linux_dmabuf` event the portal waits for.
fn amend_event(objects: &mut Objects, message: &[u8], out: &mut Vec<u8>) {
    let (object, opcode) = header(message);
    if object == WL_DISPLAY && opcode == DISPLAY_DELETE_ID {
        // The id may be reused for another kind of object from now on.
        if let Some(id) = word(message, 8) {
            objects.frames.remove(&id);
        }
        return;
    }
    let Some(buffer) = objects.frames.get_mut(&object) else {
        return;
    };
    match opcode {
        FRAME_BUFFER => {
            // buffer(wl_shm format, width, height, stride)
            if let (Some(format), Some(width), Some(height)) =
                (word(message, 8), word(message, 12), word(message, 16))
            {
                *buffer = Some([drm_fourcc(format), width, height]);
            }
        }
        FRAME_BUFFER_DONE => {
            if let Some([format, width, height]) = *buffer {
                for value in [object, 20 << 16 | u32::from(FRAME_LINUX_DMABUF)] {
                    out.extend_from_slice(&value.to_ne_bytes());
                }
                for value in [format, width, height] {
                    out.extend_from_slice(&value.to_ne_bytes());
                }
            }
        }
        _ => {}
    }
}

/// `wl_shm` names its two classic formats 0 and 1; every other value is the DRM fourcc.
fn drm_fourcc(shm_format: u32) -> u32 {
    match shm_format {
        0 => u32::from_le_bytes(*b"AR24"),
        1 => u32::from_le_bytes(*b"XR24"),
        other => other,
    }
}

/// Reads what is there (appending to `bytes`, descriptors to `fds`); 0 at end of stream.
fn receive(socket: &UnixStream, bytes: &mut Vec<u8>, fds: &mut Vec<OwnedFd>) -> Result<usize> {
    let mut buffer = [0u8; 16 * 1024];
    let mut control = vec![0u8; cmsg_space(MAX_FDS)];
    let mut iov = libc::iovec {
        iov_base: buffer.as_mut_ptr().cast(),
        iov_len: buffer.len(),
    };
    // SAFETY: a zeroed msghdr is valid; the pointers set below outlive the call.
    let mut header: libc::msghdr = unsafe { std::mem::zeroed() };
    header.msg_iov = &mut iov;
    header.msg_iovlen = 1;
    header.msg_control = control.as_mut_ptr().cast();
    header.msg_controllen = control.len() as _;
    // SAFETY: the socket is open and `header` describes live buffers.
    let got = unsafe { libc::recvmsg(socket.as_raw_fd(), &mut header, libc::MSG_CMSG_CLOEXEC) };
    if got < 0 {
        let e = std::io::Error::last_os_error();
        if e.kind() == std::io::ErrorKind::Interrupted {
            return receive(socket, bytes, fds);
        }
        // A reset from a side that went away is the end of that connection, not an error.
        return if e.kind() == std::io::ErrorKind::ConnectionReset {
            Ok(0)
        } else {
            Err(e).context("recvmsg")
        };
    }
    // SAFETY: the CMSG_* walk stays inside `control`, which recvmsg filled.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&header);
        while !cmsg.is_null() {
            if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                let data = libc::CMSG_DATA(cmsg).cast::<RawFd>();
                let count = ((*cmsg).cmsg_len as usize - libc::CMSG_LEN(0) as usize)
                    / std::mem::size_of::<RawFd>();
                for i in 0..count {
                    fds.push(OwnedFd::from_raw_fd(data.add(i).read_unaligned()));
                }
            }
            cmsg = libc::CMSG_NXTHDR(&header, cmsg);
        }
    }
    let got = got as usize;
    bytes.extend_from_slice(&buffer[..got]);
    Ok(got)
}

/// Writes `bytes` with `fds` attached to the first chunk.
fn send(socket: &UnixStream, bytes: &[u8], fds: &[OwnedFd]) -> Result<()> {
    let mut control = vec![0u8; cmsg_space(fds.len().max(1))];
    let mut iov = libc::iovec {
        iov_base: bytes.as_ptr().cast_mut().cast(),
        iov_len: bytes.len(),
    };
    // SAFETY: as in `receive`; the control buffer is sized by CMSG_SPACE for `fds`.
    let sent = unsafe {
        let mut header: libc::msghdr = std::mem::zeroed();
        header.msg_iov = &mut iov;
        header.msg_iovlen = 1;
        if !fds.is_empty() {
            header.msg_control = control.as_mut_ptr().cast();
            header.msg_controllen = cmsg_space(fds.len()) as _;
            let cmsg = libc::CMSG_FIRSTHDR(&header);
            (*cmsg).cmsg_level = libc::SOL_SOCKET;
            (*cmsg).cmsg_type = libc::SCM_RIGHTS;
            (*cmsg).cmsg_len = libc::CMSG_LEN(std::mem::size_of_val(fds) as u32) as _;
            let data = libc::CMSG_DATA(cmsg).cast::<RawFd>();
            for (i, fd) in fds.iter().enumerate() {
                data.add(i).write_unaligned(fd.as_raw_fd());
            }
        }
        libc::sendmsg(socket.as_raw_fd(), &header, libc::MSG_NOSIGNAL)
    };
    if sent < 0 {
        return Err(std::io::Error::last_os_error()).context("sendmsg");
    }
    // A stream socket may take part of a large write: the rest goes without descriptors.
    let mut rest = &bytes[sent as usize..];
    let mut socket = socket;
    while !rest.is_empty() {
        let n = socket.write(rest).context("write")?;
        rest = &rest[n..];
    }
    Ok(())
}

fn cmsg_space(fds: usize) -> usize {
    // SAFETY: CMSG_SPACE is arithmetic.
    unsafe { libc::CMSG_SPACE((fds * std::mem::size_of::<RawFd>()) as u32) as usize }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn message(object: u32, opcode: u16, args: &[u32]) -> Vec<u8> {
        let size = 8 + 4 * args.len() as u32;
        let mut m = Vec::new();
        for w in [object, size << 16 | u32::from(opcode)].iter().chain(args) {
            m.extend_from_slice(&w.to_ne_bytes());
        }
        m
    }

    fn bind(registry: u32, interface: &str, new_id: u32) -> Vec<u8> {
        let mut args = vec![7, interface.len() as u32 + 1];
        let mut text = interface.as_bytes().to_vec();
        text.resize((interface.len() + 1).div_ceil(4) * 4, 0);
        args.extend(
            text.chunks(4)
                .map(|c| u32::from_ne_bytes(c.try_into().unwrap())),
        );
        args.extend([3, new_id]);
        message(registry, REGISTRY_BIND, &args)
    }

    #[test]
    fn a_screencopy_frame_gains_a_dmabuf_announcement_before_buffer_done() {
        let mut objects = Objects::default();
        note_request(&mut objects, &message(1, DISPLAY_GET_REGISTRY, &[2]));
        note_request(&mut objects, &bind(2, "wl_shm", 4));
        note_request(&mut objects, &bind(2, SCREENCOPY_MANAGER, 5));
        note_request(&mut objects, &message(5, 0, &[9, 1, 3]));
        assert!(objects.frames.contains_key(&9), "the frame is known");
        assert!(!objects.managers.contains(&4), "wl_shm is not a manager");

        let mut out = Vec::new();
        amend_event(
            &mut objects,
            &message(9, FRAME_BUFFER, &[1, 1280, 720, 5120]),
            &mut out,
        );
        assert!(out.is_empty(), "buffer passes as it is");
        amend_event(&mut objects, &message(9, FRAME_BUFFER_DONE, &[]), &mut out);
        let xr24 = u32::from_le_bytes(*b"XR24");
        assert_eq!(out, message(9, FRAME_LINUX_DMABUF, &[xr24, 1280, 720]));

        // Deleted ids are forgotten: a reused id is not taken for a frame.
        amend_event(
            &mut objects,
            &message(1, DISPLAY_DELETE_ID, &[9]),
            &mut Vec::new(),
        );
        let mut out = Vec::new();
        amend_event(&mut objects, &message(9, FRAME_BUFFER_DONE, &[]), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn messages_are_split_by_their_size_field() {
        let mut bytes = message(3, 0, &[1, 2]);
        bytes.extend(message(4, 1, &[]));
        bytes.extend(&message(5, 0, &[1])[..6]);
        let first = next_message(&bytes).unwrap();
        assert_eq!(first.len(), 16);
        let second = next_message(&bytes[16..]).unwrap();
        assert_eq!(header(second), (4, 1));
        assert!(
            next_message(&bytes[24..]).is_none(),
            "a partial message waits"
        );
    }
}
