//! A hand-rolled WebSocket client for attacks that a real client library would refuse or
//! buffer: it announces huge messages and streams their payload from one small reused
//! buffer, so the test process itself stays small while the server is attacked.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bytes written per `write_all` while streaming a payload.
const CHUNK: usize = 64 * 1024;

/// Opens `ws://<addr>/chat` with `token` as the sub-protocol; returns the stream after
/// the `101 Switching Protocols` answer.
pub async fn open(addr: SocketAddr, token: &str) -> Result<TcpStream> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!(
        "GET /chat HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: {token}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    // Read the answer byte by byte so no WebSocket byte after it is consumed here.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = stream.read_u8().await.context("handshake answer")?;
        head.push(byte);
        if head.len() > 16 * 1024 {
            bail!("endless handshake answer");
        }
    }
    let head = String::from_utf8_lossy(&head);
    if !head.starts_with("HTTP/1.1 101") {
        bail!("upgrade refused: {head}");
    }
    Ok(stream)
}

/// How the server answered an oversized message.
#[derive(Debug)]
pub struct Outcome {
    /// The close code of the server's Close frame, if one arrived before the connection
    /// ended.
    pub close_code: Option<u16>,
    /// Payload bytes the client managed to write before the server closed.
    pub written: u64,
    /// From the first byte written to the connection's end.
    pub elapsed: Duration,
}

/// Sends one text message of `size` bytes, in frames of at most `frame_size` bytes
/// (one frame when `frame_size >= size`), until the server closes the connection.
pub async fn send_huge_text(stream: TcpStream, size: u64, frame_size: u64) -> Result<Outcome> {
    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let write = async move {
        let chunk = vec![b'a'; CHUNK];
        let mut written = 0u64;
        let mut first = true;
        while written < size {
            let len = frame_size.min(size - written);
            let last = written + len == size;
            let opcode = if first { 0x1 } else { 0x0 };
            first = false;
            if writer
                .write_all(&client_frame_header(last, opcode, len))
                .await
                .is_err()
            {
                break;
            }
            let mut left = len;
            while left > 0 {
                let n = left.min(CHUNK as u64) as usize;
                if writer.write_all(&chunk[..n]).await.is_err() {
                    return written;
                }
                left -= n as u64;
                written += n as u64;
            }
        }
        written
    };
    let read = async move {
        // The server's answer: a Close frame (unmasked), then the end of the stream.
        let mut answer = Vec::new();
        let mut buf = [0u8; 1024];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) if answer.len() < 4096 => answer.extend_from_slice(&buf[..n]),
                Ok(_) => {}
            }
        }
        close_code(&answer)
    };
    let (written, close_code) =
        tokio::time::timeout(Duration::from_secs(30), async { tokio::join!(write, read) })
            .await
            .context("the server neither read nor closed in 30 s")?;
    Ok(Outcome {
        close_code,
        written,
        elapsed: started.elapsed(),
    })
}

/// A masked client frame header (mask key zero, so the payload goes as is).
fn client_frame_header(fin: bool, opcode: u8, len: u64) -> Vec<u8> {
    let mut header = vec![if fin { 0x80 } else { 0 } | opcode];
    match len {
        0..=125 => header.push(0x80 | len as u8),
        126..=0xffff => {
            header.push(0x80 | 126);
            header.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            header.push(0x80 | 127);
            header.extend_from_slice(&len.to_be_bytes());
        }
    }
    header.extend_from_slice(&[0, 0, 0, 0]);
    header
}

/// The code of the first Close frame among the server's `bytes` (server frames are
/// unmasked; frames before it are skipped).
fn close_code(mut bytes: &[u8]) -> Option<u16> {
    while bytes.len() >= 2 {
        let opcode = bytes[0] & 0x0f;
        let (len, header) = match bytes[1] & 0x7f {
            126 if bytes.len() >= 4 => (u16::from_be_bytes([bytes[2], bytes[3]]) as usize, 4),
            127 => return None,
            n => (n as usize, 2),
        };
        let frame = bytes.get(header..header + len)?;
        if opcode == 0x8 {
            return (frame.len() >= 2).then(|| u16::from_be_bytes([frame[0], frame[1]]));
        }
        bytes = &bytes[header + len..];
    }
    None
}
