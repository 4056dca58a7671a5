//! How `cloumer profile` prints: a short table, or one JSON object with JSON booleans.

use cloumer_api::Profile;
use secrecy::ExposeSecret;

/// A masked key shows at most its last 4 characters (fewer for short keys).
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let shown = if chars.len() >= 12 {
        4
    } else {
        chars.len() / 4
    };
    let tail: String = chars[chars.len() - shown..].iter().collect();
    format!(
        "{}{tail}",
        "*".repeat(chars.len().clamp(8, 16) - shown.min(8))
    )
}

fn key(profile: &Profile, show: bool) -> String {
    let key = profile.stream_key.expose_secret();
    if show { key.to_owned() } else { mask_key(key) }
}

pub fn profile_json(p: &Profile, show_key: bool) -> String {
    serde_json::json!({
        "title": p.title,
        "live": p.live,
        "channel": p.channel,
        "stream_url": p.stream_url,
        "stream_key": key(p, show_key),
        "playback_url": p.playback_url,
        "avatar_url": p.avatar_url,
    })
    .to_string()
}

pub fn profile_text(p: &Profile, show_key: bool) -> String {
    format!(
        "title:        {}\nlive:         {}\nchannel:      {}\nstream URL:   {}\nstream key:   {}\nplayback URL: {}\navatar URL:   {}\n",
        p.title,
        if p.live { "yes" } else { "no" },
        p.channel,
        p.stream_url,
        key(p, show_key),
        p.playback_url,
        p.avatar_url,
    )
}

#[cfg(test)]
mod tests {
    use super::mask_key;

    #[test]
    fn masks_all_but_the_last_four() {
        let m = mask_key("test-key-abcdefghijWXYZ");
        assert!(m.ends_with("WXYZ"));
        assert!(!m.contains("abcdef"));
        assert!(!mask_key("short").contains("ort"));
    }
}
