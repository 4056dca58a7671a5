//! Cognito's error body and the `__type` names in it, one enum for the server that answers
//! them and the client that reads them, so both sides agree on every name by construction.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Cognito error type: the `__type` of an error body without its `Exception` suffix.
/// Names Cloumer does not know survive a round trip as [`ErrorKind::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    NotAuthorized,
    UserNotConfirmed,
    UserNotFound,
    UsernameExists,
    CodeMismatch,
    ExpiredCode,
    InvalidPassword,
    InvalidParameter,
    LimitExceeded,
    TooManyRequests,
    PasswordResetRequired,
    /// A wrong client id (Cognito's answer for an app client that does not exist).
    ResourceNotFound,
    /// The request body is not the operation's JSON.
    Serialization,
    /// A missing or foreign `X-Amz-Target`, or an operation the endpoint does not offer.
    UnknownOperation,
    /// The only kind answered with a 500.
    InternalError,
    /// Any other `__type` (or challenge), its name kept as sent.
    Other(String),
}

impl ErrorKind {
    const KNOWN: [Self; 15] = [
        Self::NotAuthorized,
        Self::UserNotConfirmed,
        Self::UserNotFound,
        Self::UsernameExists,
        Self::CodeMismatch,
        Self::ExpiredCode,
        Self::InvalidPassword,
        Self::InvalidParameter,
        Self::LimitExceeded,
        Self::TooManyRequests,
        Self::PasswordResetRequired,
        Self::ResourceNotFound,
        Self::Serialization,
        Self::UnknownOperation,
        Self::InternalError,
    ];

    /// The `__type` to send, e.g. `NotAuthorizedException`.
    pub fn type_name(&self) -> &str {
        match self {
            Self::NotAuthorized => "NotAuthorizedException",
            Self::UserNotConfirmed => "UserNotConfirmedException",
            Self::UserNotFound => "UserNotFoundException",
            Self::UsernameExists => "UsernameExistsException",
            Self::CodeMismatch => "CodeMismatchException",
            Self::ExpiredCode => "ExpiredCodeException",
            Self::InvalidPassword => "InvalidPasswordException",
            Self::InvalidParameter => "InvalidParameterException",
            Self::LimitExceeded => "LimitExceededException",
            Self::TooManyRequests => "TooManyRequestsException",
            Self::PasswordResetRequired => "PasswordResetRequiredException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::Serialization => "SerializationException",
            Self::UnknownOperation => "UnknownOperationException",
            Self::InternalError => "InternalErrorException",
            Self::Other(name) => name,
        }
    }

    /// Reads a `__type`. AWS's JSON protocol may qualify it with the service's namespace
    /// (`com.amazonaws.cognito#NotAuthorizedException`); only the part after `#` counts.
    pub fn parse(type_name: &str) -> Self {
        let name = type_name.rsplit('#').next().unwrap_or(type_name);
        Self::KNOWN
            .into_iter()
            .find(|kind| kind.type_name() == name)
            .unwrap_or_else(|| Self::Other(name.to_owned()))
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.type_name())
    }
}

impl Serialize for ErrorKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.type_name())
    }
}

impl<'de> Deserialize<'de> for ErrorKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<str>::deserialize(deserializer)?;
        Ok(Self::parse(&name))
    }
}

/// Cognito's error body: `{"__type": "NotAuthorizedException", "message": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(rename = "__type")]
    pub kind: ErrorKind,
    #[serde(default)]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_kind_round_trips_through_its_type_name() {
        for kind in ErrorKind::KNOWN {
            assert_eq!(ErrorKind::parse(kind.type_name()), kind);
        }
    }

    #[test]
    fn namespaced_and_unknown_types_parse() {
        assert_eq!(
            ErrorKind::parse("com.amazonaws.cognito#CodeMismatchException"),
            ErrorKind::CodeMismatch
        );
        assert_eq!(
            ErrorKind::parse("aws#SomethingNewException"),
            ErrorKind::Other("SomethingNewException".into())
        );
    }

    #[test]
    fn the_body_uses_cognitos_field_names() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"__type":"x#UserNotConfirmedException"}"#).unwrap();
        assert_eq!(body.kind, ErrorKind::UserNotConfirmed);
        assert_eq!(body.message, "");
        let sent = ErrorBody {
            kind: ErrorKind::TooManyRequests,
            message: "Rate exceeded".into(),
        };
        assert_eq!(
            serde_json::to_string(&sent).unwrap(),
            r#"{"__type":"TooManyRequestsException","message":"Rate exceeded"}"#
        );
    }
}
