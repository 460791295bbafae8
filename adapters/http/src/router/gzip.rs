//! Streaming gzip for the [`gzip`](super::gzip) middleware: the body is compressed as it is
//! sent, chunk by chunk.

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use futures_util::{Stream, StreamExt};
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Body, Response};
use std::io::Write;
use std::pin::Pin;

type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// Compresses `res`'s body in place, unless it has none or is already encoded.
pub(crate) fn compress(res: &mut Response) {
    let status = res.status();
    if res.headers().contains_key(header::CONTENT_ENCODING)
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
        || status.is_informational()
    {
        return;
    }
    let body = res.take_body();
    if body.is_empty() {
        res.set_body(body);
        return;
    }
    res.set_body(gzip_body(body));
    let headers = res.headers_mut();
    headers.remove(header::CONTENT_LENGTH);
    // A range of the uncompressed bytes no longer describes the body.
    headers.remove(header::ACCEPT_RANGES);
    headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
}

fn gzip_body(body: Body) -> Body {
    let input: ByteStream = Box::pin(body.into_bytes_stream());
    let encoder = GzEncoder::new(Vec::new(), Compression::default());
    let stream = futures_util::stream::unfold(Some((input, encoder)), |state| async move {
        let (mut input, mut encoder) = state?;
        loop {
            match input.next().await {
                Some(Ok(chunk)) => {
                    if let Err(e) = encoder.write_all(&chunk) {
                        return Some((Err(e), None));
                    }
                    let out = std::mem::take(encoder.get_mut());
                    if !out.is_empty() {
                        return Some((Ok(Bytes::from(out)), Some((input, encoder))));
                    }
                }
                Some(Err(e)) => return Some((Err(e), None)),
                None => return Some((encoder.finish().map(Bytes::from), None)),
            }
        }
    });
    Body::from_bytes_stream(stream)
}
