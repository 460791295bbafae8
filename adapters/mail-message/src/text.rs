//! A plain-text version of an HTML body, as PocketBase's `html2Text` makes it: text runs
//! with their whitespace collapsed (indentation dropped after a line break), a line break
//! before each block element that follows text and at each `<br>`, `- ` before list items,
//! links as `[text](href)`, and the content of `style`, `script`, `img`, form controls and
//! the like left out.

/// Elements whose content is not text.
const SKIPPED: [&str; 14] = [
    "style", "script", "iframe", "applet", "object", "svg", "img", "button", "form", "textarea",
    "input", "select", "option", "template",
];

/// Elements that do not start a new line.
const INLINE: [&str; 11] = [
    "a", "span", "small", "strike", "strong", "sub", "sup", "em", "b", "u", "i",
];

/// Elements without content or end tag.
const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose content is raw text up to their end tag.
const RAW: [&str; 5] = ["style", "script", "textarea", "title", "xmp"];

/// One piece of the document.
enum Token {
    Text(String),
    Start { name: String, href: Option<String> },
    End(String),
}

/// The text of `html`.
pub fn html_to_text(html: &str) -> String {
    let tokens = tokenize(html);
    let mut out = String::new();
    let mut can_add_new_line = false;
    // The text of the link being read, and its href.
    let mut link: Option<(String, Option<String>)> = None;
    let mut skip: Option<(String, usize)> = None;
    for token in tokens {
        if let Some((name, depth)) = &mut skip {
            match &token {
                Token::Start { name: n, .. } if n == name && !VOID.contains(&n.as_str()) => {
                    *depth += 1
                }
                Token::End(n) if n == name => {
                    *depth -= 1;
                    if *depth == 0 {
                        skip = None;
                    }
                }
                _ => {}
            }
            continue;
        }
        let target = match &mut link {
            Some((text, _)) => text,
            None => &mut out,
        };
        match token {
            Token::Text(t) => {
                let mut t = collapse_whitespace(&decode_entities(&t));
                if !can_add_new_line {
                    t = t.trim_start_matches(' ').to_owned();
                }
                if !t.is_empty() {
                    target.push_str(&t);
                    can_add_new_line = true;
                }
            }
            Token::Start { name, href } => {
                if SKIPPED.contains(&name.as_str()) {
                    if !VOID.contains(&name.as_str()) {
                        skip = Some((name, 1));
                    }
                    continue;
                }
                // A `<br>` always breaks the line; a block element only after text.
                if name == "br" || (can_add_new_line && !INLINE.contains(&name.as_str())) {
                    target.push_str("\r\n");
                    can_add_new_line = false;
                }
                if name == "li" {
                    target.push_str("- ");
                }
                if name == "a" && link.is_none() {
                    link = Some((String::new(), href));
                }
            }
            Token::End(name) => {
                if name == "a"
                    && let Some((text, href)) = link.take()
                {
                    let text = text.trim();
                    out.push('[');
                    out.push_str(if text.is_empty() { "LINK" } else { text });
                    out.push(']');
                    if let Some(href) = href.filter(|h| !h.is_empty()) {
                        out.push('(');
                        out.push_str(&href);
                        out.push(')');
                    }
                }
            }
        }
    }
    out.trim().to_owned()
}

/// Splits `html` into text, start tags and end tags (comments and doctypes dropped; a `<`
/// that does not start a tag is text, as in HTML).
fn tokenize(html: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        text.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let first = after.chars().next();
        let is_tag =
            matches!(first, Some(c) if c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?');
        if !is_tag {
            text.push('<');
            rest = after;
            continue;
        }
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |e| &comment[e + 3..]);
            continue;
        }
        let Some(end) = after.find('>') else {
            text.push('<');
            rest = after;
            continue;
        };
        let inner = &after[..end];
        rest = &after[end + 1..];
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        if !text.is_empty() {
            tokens.push(Token::Text(std::mem::take(&mut text)));
        }
        if let Some(name) = inner.strip_prefix('/') {
            tokens.push(Token::End(tag_name(name)));
            continue;
        }
        let name = tag_name(inner);
        let href = (name == "a").then(|| attr(inner, "href")).flatten();
        tokens.push(Token::Start {
            name: name.clone(),
            href,
        });
        if RAW.contains(&name.as_str()) {
            let close = format!("</{name}");
            let at = rest.to_ascii_lowercase().find(&close).unwrap_or(rest.len());
            if at > 0 {
                tokens.push(Token::Text(rest[..at].to_owned()));
            }
            rest = &rest[at..];
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        tokens.push(Token::Text(text));
    }
    tokens
}

/// The lowercased name at the start of a tag's text.
fn tag_name(inner: &str) -> String {
    inner
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The value of attribute `name` in a tag's text (entities decoded).
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find(name) {
        let at = from + found;
        from = at + name.len();
        let before_ok = at == 0 || lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let v = tag[tag.len() - after.len() + 1..].trim_start();
        let quote = v.chars().next()?;
        let raw = if quote == '"' || quote == '\'' {
            let end = v[1..].find(quote)?;
            &v[1..1 + end]
        } else {
            v.split(|c: char| c.is_whitespace() || c == '/').next()?
        };
        return Some(decode_entities(raw));
    }
    None
}

/// Runs of whitespace as one space (Go's `\s+`).
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c') {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// Named (the common ones) and numeric character references.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = if let Some(num) = name.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse().ok(),
                };
                code.and_then(char::from_u32)
            } else {
                match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some('\u{a0}'),
                    _ => None,
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn text_of_a_mail_as_pocketbase_writes_it() {
        let html = "<!DOCTYPE html>\n<html><head>\n<meta charset=\"utf-8\" />\n<style>p{color:red}</style>\n</head>\n<body>\n    <p>Hello,</p>\n<p>Thank you for joining us at Acme <&>.</p>\n<p>\n  <a class=\"btn\" href=\"http://x/y?a=1&amp;b=2\" target=\"_blank\">Verify</a>\n</p>\n<ul><li>one</li><li>two &amp; three</li></ul>\n<p>\n  Thanks,<br/>\n  Acme team\n</p>\n</body>\n</html>\n";
        assert_eq!(
            html_to_text(html),
            "Hello, \r\nThank you for joining us at Acme <&>. \r\n[Verify](http://x/y?a=1&b=2)  \r\n- one\r\n- two & three \r\nThanks,\r\nAcme team"
        );
    }

    #[test]
    fn empty_links_and_skipped_content() {
        assert_eq!(
            html_to_text("<p>a <a href=\"\"></a> <img src=x> <button>no</button>b</p>"),
            "a [LINK]  b"
        );
    }
}
