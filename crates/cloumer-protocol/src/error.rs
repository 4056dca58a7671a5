/// Errors of decoding and validating wire data.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A backend profile could not be parsed; `key` names the key at fault when known.
    #[error("backend profile: {message}")]
    BackendProfile {
        key: Option<String>,
        message: String,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
