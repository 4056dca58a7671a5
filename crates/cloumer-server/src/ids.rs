//! Random identifiers from the thread CSPRNG (`rand::rng()` is ChaCha-based and
//! reseeded from the OS): channel names, stream keys, codes, secrets.

use rand::Rng;

const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn pick(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// A 10-character channel name over `[A-Za-z0-9_-]` (the seed's form), starting with a
/// letter or digit: a leading `-` would read as an option wherever the name is an argument
/// (`cloumer chat -xY...`, shell tools).
pub fn channel_name() -> String {
    pick(ALNUM, 1) + &pick(URL_SAFE, 9)
}

/// An IVS-like stream key: `sk_<region>_<random>`.
pub fn stream_key(region: &str) -> String {
    format!("sk_{region}_{}", pick(ALNUM, 36))
}

/// A 6-digit confirmation or reset code.
pub fn code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// Random bytes.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::rng().fill(&mut b[..]);
    b
}

/// A Cognito-like pool id suffix or client id: alphanumeric.
pub fn alnum(len: usize) -> String {
    pick(ALNUM, len)
}

#[cfg(test)]
mod tests {
    #[test]
    fn channel_names_never_start_like_an_option() {
        for _ in 0..2000 {
            let name = super::channel_name();
            assert_eq!(name.len(), 10);
            assert!(name.as_bytes()[0].is_ascii_alphanumeric(), "{name}");
        }
    }
}
