//! The [`Message`] of the `Mailer` port as a lettre [`lettre::Message`], shared by the SMTP
//! and sendmail adapters: `From`/`To`/`Cc`/`Bcc` with display names, the subject, an HTML
//! body with its plain-text alternative (derived from the HTML when the message has none,
//! as PocketBase's SMTP client does), inline and regular attachments, the extra headers,
//! and a `Message-ID` on the sender's domain unless one is given.

mod text;

use basalt_ports::mail::{Address, Attachment, MailError, Message};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

pub use text::html_to_text;

/// `address` as a lettre mailbox.
fn mailbox(address: &Address) -> Result<Mailbox, MailError> {
    let email = address
        .address
        .parse()
        .map_err(|e| MailError::Message(format!("invalid address {:?}: {e}", address.address)))?;
    let name = (!address.name.is_empty()).then(|| address.name.clone());
    Ok(Mailbox::new(name, email))
}

/// A content type from a literal that is known to parse.
fn content_type(s: &str) -> ContentType {
    ContentType::parse(s).unwrap_or(ContentType::TEXT_PLAIN)
}

/// The attachment's part, typed by its file name's extension.
fn attachment_part(a: &Attachment, inline: bool) -> SinglePart {
    let ext = a
        .name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let mime = match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "txt" => "text/plain; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    };
    let builder = if inline {
        lettre::message::Attachment::new_inline(a.name.clone())
    } else {
        lettre::message::Attachment::new(a.name.clone())
    };
    builder.body(a.data.clone(), content_type(mime))
}

/// A `Message-ID` on the sender's domain: `<15 random chars@domain>`, as PocketBase's.
fn message_id(from: &str) -> Option<String> {
    let domain = from.split_once('@').map(|(_, d)| d)?;
    let mut seed = std::collections::hash_map::RandomState::new();
    let mut id = String::with_capacity(15);
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    while id.len() < 15 {
        use std::hash::{BuildHasher, Hasher};
        let mut h = seed.build_hasher();
        h.write_usize(id.len());
        let mut n = h.finish();
        while n > 0 && id.len() < 15 {
            id.push(char::from(ALPHABET[(n % 36) as usize]));
            n /= 36;
        }
        seed = std::collections::hash_map::RandomState::new();
    }
    Some(format!("<{id}@{domain}>"))
}

/// The lettre message for `m`.
pub fn build(m: &Message) -> Result<lettre::Message, MailError> {
    let has_id = m
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("Message-ID"));
    let mut b = lettre::Message::builder()
        .from(mailbox(&m.from)?)
        .subject(m.subject.clone());
    for a in &m.to {
        b = b.to(mailbox(a)?);
    }
    for a in &m.cc {
        b = b.cc(mailbox(a)?);
    }
    for a in &m.bcc {
        b = b.bcc(mailbox(a)?);
    }
    if !has_id {
        b = b.message_id(message_id(&m.from.address));
    }
    let text = if m.text.is_empty() {
        html_to_text(&m.html)
    } else {
        m.text.clone()
    };
    let mut body = if m.html.is_empty() {
        MultiPart::alternative().singlepart(SinglePart::plain(text))
    } else {
        MultiPart::alternative()
            .singlepart(SinglePart::plain(text))
            .singlepart(SinglePart::html(m.html.clone()))
    };
    if !m.inline_attachments.is_empty() {
        let mut related = MultiPart::related().multipart(body);
        for a in &m.inline_attachments {
            related = related.singlepart(attachment_part(a, true));
        }
        body = related;
    }
    if !m.attachments.is_empty() {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in &m.attachments {
            mixed = mixed.singlepart(attachment_part(a, false));
        }
        body = mixed;
    }
    let mut message = b
        .multipart(body)
        .map_err(|e| MailError::Message(e.to_string()))?;
    for (name, value) in &m.headers {
        let name = HeaderName::new_from_ascii(name.clone())
            .map_err(|e| MailError::Message(format!("invalid header name {name:?}: {e}")))?;
        message
            .headers_mut()
            .insert_raw(HeaderValue::new(name, value.clone()));
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_every_part() {
        let m = Message {
            from: Address::named("Support", "support@example.com"),
            to: vec![Address::named("Ann", "ann@example.com")],
            cc: vec![Address::new("cc@example.com")],
            bcc: vec![Address::new("bcc@example.com")],
            subject: "Hello".into(),
            html: "<p>Hi <b>there</b></p>".into(),
            headers: vec![("X-Test".into(), "1".into())],
            attachments: vec![Attachment {
                name: "a.txt".into(),
                data: b"abc".to_vec(),
            }],
            ..Message::default()
        };
        let built = build(&m).expect("builds");
        let raw = String::from_utf8(built.formatted()).expect("utf-8");
        assert!(raw.contains("From: Support <support@example.com>"), "{raw}");
        assert!(raw.contains("To: Ann <ann@example.com>"), "{raw}");
        assert!(raw.contains("Cc: cc@example.com"), "{raw}");
        assert!(!raw.contains("bcc@example.com"), "{raw}");
        assert!(raw.contains("X-Test: 1"), "{raw}");
        assert!(raw.contains("Message-ID: <"), "{raw}");
        assert!(raw.contains("@example.com>"), "{raw}");
        assert!(raw.contains("filename=\"a.txt\""), "{raw}");
        assert_eq!(built.envelope().to().len(), 3);
    }

    #[test]
    fn rejects_a_bad_address() {
        let m = Message {
            from: Address::new("not an address"),
            ..Message::default()
        };
        assert!(matches!(build(&m), Err(MailError::Message(_))));
    }
}
