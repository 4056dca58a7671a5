//! Errors of the AWS home. The seams answer `cloumer_server::Error` (the REST handlers map
//! it to a 500); the Lambda entry points answer this one.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A required environment variable is missing or unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// An AWS call failed.
    #[error("{service}: {message}")]
    Service {
        service: &'static str,
        message: String,
    },
    /// A row of our table that does not have the shape we write.
    #[error("table row {key}: {message}")]
    Row { key: String, message: String },
    #[error(transparent)]
    Server(#[from] cloumer_server::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an SDK error with the service it came from, keeping its whole source chain
    /// (the SDK's `Display` alone says only "service error").
    pub fn service(service: &'static str, error: impl std::error::Error) -> Self {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        Self::Service { service, message }
    }
}

impl From<Error> for cloumer_server::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Server(e) => e,
            Error::Service { service, message } => Self::Service { service, message },
            other => Self::Service {
                service: "cloumer-aws",
                message: other.to_string(),
            },
        }
    }
}
