//! R7 avatar upload and the avatar files it serves back.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cloumer_protocol::rest::limits;

use super::caller::Caller;
use super::state::SharedRest;
use super::{ApiFailure, ApiResult};
use crate::store::Avatar;

/// File name of the built-in default avatar.
pub const DEFAULT_AVATAR: &str = "default.png";

/// A 1×1 grey PNG, served when a channel has no avatar.
pub const DEFAULT_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x7e, 0x9b,
    0x55, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x68, 0x00, 0x00, 0x00,
    0x82, 0x00, 0x81, 0x77, 0xcd, 0x72, 0xb6, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// The image type by magic bytes (never by file name): (content type, extension).
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else {
        None
    }
}

/// An uploaded image, checked: at most [`limits::AVATAR_MAX_BYTES`], PNG/JPEG/WebP by
/// its magic bytes.
pub struct Image {
    pub bytes: axum::body::Bytes,
    pub content_type: &'static str,
    pub extension: &'static str,
}

/// Reads the multipart part named `file` (other parts are skipped; the last `file` part
/// wins) and checks it. The route's body limit bounds what is buffered.
pub async fn read_image(mut form: Multipart) -> ApiResult<Image> {
    let bad = |msg: String| ApiFailure::field(StatusCode::BAD_REQUEST, "file", msg);
    let too_large = || {
        ApiFailure::field(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file",
            "the image is larger than 4 MiB",
        )
    };
    let mut image = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| bad(format!("invalid multipart body: {e}")))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                bad(format!("could not read the file part: {e}"))
            }
        })?;
        image = Some(bytes);
    }
    let bytes = image.ok_or_else(|| bad("missing multipart part `file`".into()))?;
    if bytes.len() > limits::AVATAR_MAX_BYTES {
        return Err(too_large());
    }
    let (content_type, extension) = sniff(&bytes).ok_or_else(|| {
        ApiFailure::field(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "file",
            "the image must be PNG, JPEG or WebP",
        )
    })?;
    Ok(Image {
        bytes,
        content_type,
        extension,
    })
}

/// R7 `POST /stream/save_mypage`: multipart with one part named `file`. The new image
/// replaces the channel's previous one.
pub async fn save_mypage(
    State(state): State<SharedRest>,
    caller: Caller,
    form: Multipart,
) -> ApiResult<Json<&'static str>> {
    let image = read_image(form).await?;
    let file_name = format!("{}.{}", uuid::Uuid::new_v4().simple(), image.extension);
    let size = image.bytes.len();
    let avatar = Avatar {
        content_type: image.content_type.into(),
        bytes: image.bytes.to_vec(),
    };
    state
        .avatars
        .replace_avatar(&file_name, &caller.channel.name, &avatar)
        .await?;
    tracing::info!(channel = %caller.channel.name, content_type = image.content_type, size, "avatar uploaded");
    Ok(Json("이미지 업로드 성공"))
}

/// Entry point for the cargo-fuzz target: arbitrary bytes as an R7 request body.
#[doc(hidden)]
pub mod fuzzing {
    use axum::extract::{FromRequest, Multipart};

    /// The boundary the fuzz corpus uses.
    pub const BOUNDARY: &str = "cloumer-fuzz";

    /// Parses `body` as a multipart upload and checks the image, as R7 does. Never
    /// panics; answers whether an image was accepted.
    pub async fn upload(body: &[u8]) -> bool {
        let request = axum::http::Request::builder()
            .method("POST")
            .header(
                axum::http::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(axum::body::Body::from(body.to_vec()));
        let Ok(request) = request else {
            return false;
        };
        match Multipart::from_request(request, &()).await {
            Ok(form) => super::read_image(form).await.is_ok(),
            Err(_) => false,
        }
    }
}

/// `GET /media/avatars/<file>`: the stored bytes with their true type.
pub async fn serve(
    State(state): State<SharedRest>,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let avatar = if file == DEFAULT_AVATAR {
        Avatar {
            content_type: "image/png".into(),
            bytes: DEFAULT_PNG.to_vec(),
        }
    } else {
        state
            .avatars
            .avatar(&file)
            .await?
            .ok_or_else(|| ApiFailure::not_found("avatar"))?
    };
    let mut res = avatar.bytes.into_response();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&avatar.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    // File names are random and never reused: cache for long.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(res)
}
