//! "Try it locally": `cloumer-server` in this process, on loopback with ports the OS picks,
//! keeping its data under the studio's XDG data dir.

use std::path::Path;

use cloumer_server::{RunningServer, Server, ServerConfig};

use crate::error::{AppError, Result};

pub async fn start(data_dir: &Path) -> Result<RunningServer> {
    let mut config = ServerConfig::ephemeral(data_dir);
    // As `cloumer serve --chat-room-rate`: a room busier than IVS's default 10 messages/s
    // (the studio's chat benchmark floods it at 100/s).
    if let Some(rate) = std::env::var("CLOUMER_CHAT_ROOM_RATE")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|r| (1..=10_000).contains(r))
    {
        config.chat_room_rate = rate;
    }
    Server::start(config).await.map_err(|e| AppError::Backend {
        message: format!("the local backend did not start: {e}"),
    })
}

/// The embedded server has no mail: it appends confirmation codes to `outbox.jsonl`.
/// Local mode confirms the user's own sign-up with the newest code sent to them.
pub fn confirmation_code(data_dir: &Path, email: &str) -> Result<String> {
    let text = std::fs::read_to_string(data_dir.join("outbox.jsonl")).map_err(AppError::storage)?;
    text.lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|m| m["to"] == email || m["username"] == email)
        .and_then(|m| m["code"].as_str().map(str::to_owned))
        .ok_or_else(|| AppError::Backend {
            message: "the local backend sent no confirmation code".into(),
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_newest_code_for_the_address() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("outbox.jsonl"),
            "{\"to\":\"a@x\",\"code\":\"111111\"}\n{\"to\":\"b@x\",\"code\":\"222222\"}\n{\"to\":\"a@x\",\"code\":\"333333\"}\n",
        )
        .expect("write outbox");
        assert_eq!(
            super::confirmation_code(dir.path(), "a@x").expect("code"),
            "333333"
        );
        assert!(super::confirmation_code(dir.path(), "c@x").is_err());
    }
}
