//! A client frame, parsed once and validated against IVS Chat's limits before any action
//! sees it. The JSON is read into one flat struct of optional fields, so an unknown
//! action or a missing field still yields the frame's `RequestId` for the error answer
//! without reading the text a second time.

use cloumer_protocol::chat::{
    Attributes, ClientFrame, MAX_ATTRIBUTES_BYTES, MAX_ID_CODE_POINTS, MAX_MESSAGE_CODE_POINTS,
    MAX_REASON_CODE_POINTS, attributes_fit, codes, content_fits, id_fits, reason_fits,
};
use serde::Deserialize;

/// Why a frame was refused: the ERROR answer's code and message, with the frame's
/// `RequestId` when it had a readable one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameRejection {
    pub request_id: Option<String>,
    pub code: u16,
    pub message: String,
}

/// Every field any action uses; which are required depends on `Action`.
#[derive(Deserialize)]
struct RawFrame {
    #[serde(rename = "Action")]
    action: Option<String>,
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
    #[serde(rename = "Content")]
    content: Option<String>,
    #[serde(rename = "Attributes")]
    attributes: Option<Attributes>,
    #[serde(rename = "Id")]
    id: Option<String>,
    #[serde(rename = "UserId")]
    user_id: Option<String>,
    #[serde(rename = "Reason")]
    reason: Option<String>,
}

/// Parses and validates one text frame. Never panics, whatever the text.
pub fn parse(text: &str) -> Result<ClientFrame, FrameRejection> {
    let raw: RawFrame = serde_json::from_str(text).map_err(|e| FrameRejection {
        request_id: None,
        code: codes::BAD_REQUEST,
        message: format!("bad frame: {e}"),
    })?;
    // A RequestId too long to echo is refused without echoing it.
    let request_id = raw.request_id.clone().filter(|id| id_fits(id));
    let reject = |code: u16, message: String| FrameRejection {
        request_id: request_id.clone(),
        code,
        message,
    };
    validate(raw).map_err(|(code, message)| reject(code, message))
}

type Refusal = (u16, String);

fn validate(raw: RawFrame) -> Result<ClientFrame, Refusal> {
    let request_id = required(raw.request_id, "RequestId")?;
    check_id(&request_id, "RequestId")?;
    let reason = raw.reason.map(check_reason).transpose()?;
    match raw.action.as_deref() {
        Some("SEND_MESSAGE") => {
            let content = required(raw.content, "Content")?;
            if !content_fits(&content) {
                return Err(too_large(format!(
                    "Content is longer than {MAX_MESSAGE_CODE_POINTS} characters"
                )));
            }
            let attributes = raw.attributes.unwrap_or_default();
            if !attributes_fit(&attributes) {
                return Err(too_large(format!(
                    "Attributes are larger than {MAX_ATTRIBUTES_BYTES} bytes in total"
                )));
            }
            Ok(ClientFrame::SendMessage {
                request_id,
                content,
                attributes,
            })
        }
        Some("DELETE_MESSAGE") => {
            let id = required(raw.id, "Id")?;
            check_id(&id, "Id")?;
            Ok(ClientFrame::DeleteMessage {
                request_id,
                id,
                reason,
            })
        }
        Some("DISCONNECT_USER") => {
            let user_id = required(raw.user_id, "UserId")?;
            check_id(&user_id, "UserId")?;
            Ok(ClientFrame::DisconnectUser {
                request_id,
                user_id,
                reason,
            })
        }
        Some(other) if id_fits(other) => Err(bad_request(format!("unknown Action {other:?}"))),
        Some(_) => Err(bad_request("unknown Action".into())),
        None => Err(bad_request("missing Action".into())),
    }
}

fn required(field: Option<String>, name: &str) -> Result<String, Refusal> {
    field.ok_or_else(|| bad_request(format!("missing {name}")))
}

fn check_id(id: &str, name: &str) -> Result<(), Refusal> {
    if id_fits(id) {
        Ok(())
    } else {
        Err(too_large(format!(
            "{name} is longer than {MAX_ID_CODE_POINTS} characters"
        )))
    }
}

fn check_reason(reason: String) -> Result<String, Refusal> {
    if reason_fits(&reason) {
        Ok(reason)
    } else {
        Err(too_large(format!(
            "Reason is longer than {MAX_REASON_CODE_POINTS} characters"
        )))
    }
}

fn bad_request(message: String) -> Refusal {
    (codes::BAD_REQUEST, message)
}

fn too_large(message: String) -> Refusal {
    (codes::TOO_LARGE, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejection(text: &str) -> FrameRejection {
        parse(text).expect_err("refused")
    }

    #[test]
    fn unknown_action_and_missing_fields_keep_the_request_id() {
        let r = rejection(r#"{"Action":"SHOUT","RequestId":"r1"}"#);
        assert_eq!((r.request_id.as_deref(), r.code), (Some("r1"), 400));
        let r = rejection(r#"{"Action":"SEND_MESSAGE","RequestId":"r2"}"#);
        assert_eq!((r.request_id.as_deref(), r.code), (Some("r2"), 400));
        let r = rejection("not json");
        assert_eq!((r.request_id, r.code), (None, 400));
    }

    #[test]
    fn sizes_are_checked() {
        let big = "a".repeat(MAX_ATTRIBUTES_BYTES);
        let frame = format!(
            r#"{{"Action":"SEND_MESSAGE","RequestId":"r","Content":"hi","Attributes":{{"k":"{big}"}}}}"#
        );
        assert_eq!(rejection(&frame).code, 413);
        let ok = format!(
            r#"{{"Action":"SEND_MESSAGE","RequestId":"r","Content":"hi","Attributes":{{"k":"{}"}}}}"#,
            &big[1..]
        );
        assert!(parse(&ok).is_ok());
        let reason = "r".repeat(MAX_REASON_CODE_POINTS + 1);
        let frame = format!(
            r#"{{"Action":"DISCONNECT_USER","RequestId":"k","UserId":"u","Reason":"{reason}"}}"#
        );
        assert_eq!(rejection(&frame).code, 413);
        let long_id = "i".repeat(MAX_ID_CODE_POINTS + 1);
        let r = rejection(&format!(
            r#"{{"Action":"DELETE_MESSAGE","RequestId":"{long_id}","Id":"m"}}"#
        ));
        assert_eq!((r.request_id, r.code), (None, 413));
    }

    #[test]
    fn strange_input_never_panics() {
        for text in [
            "",
            "{",
            "null",
            "[]",
            r#"{"Action":null}"#,
            r#"{"Action":"SEND_MESSAGE","RequestId":"r","Content":"\ud800"}"#,
            r#"{"Action":"SEND_MESSAGE","RequestId":"r","RequestId":"s","Content":"x"}"#,
            r#"{"Action":"DELETE_MESSAGE","RequestId":"r","Id":7}"#,
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }
}
