//! A plain-text version of an HTML body (PocketBase's `html2Text`, in spirit): the
//! `<head>`, `<style>` and `<script>` content dropped, tags removed, block ends as line
//! breaks, links as `text [url]`, the common entities decoded and blank runs squeezed.

/// The text of `html`.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find('>') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let tag = after[1..end].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        rest = &after[end + 1..];
        if !tag.starts_with('/') && matches!(name.as_str(), "head" | "style" | "script") {
            let close = format!("</{name}");
            match rest.to_ascii_lowercase().find(&close) {
                Some(i) => {
                    rest = &rest[i..];
                    if let Some(e) = rest.find('>') {
                        rest = &rest[e + 1..];
                    }
                }
                None => rest = "",
            }
            continue;
        }
        match name.as_str() {
            "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "hr" => {
                out.push('\n')
            }
            "a" if !tag.starts_with('/') => {
                if let Some(href) = attr(&after[1..end], "href") {
                    // The link text follows; its URL goes after it.
                    let close = rest.to_ascii_lowercase().find("</a").unwrap_or(rest.len());
                    let inner = html_to_text(&rest[..close]);
                    out.push_str(inner.trim());
                    out.push_str(&format!(" [{href}]"));
                    rest = &rest[close..];
                }
            }
            _ => {}
        }
    }
    out.push_str(rest);
    let decoded = decode_entities(&out);
    let mut lines: Vec<&str> = Vec::new();
    for line in decoded.lines().map(str::trim) {
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    lines.join("\n").trim().to_owned()
}

/// The value of attribute `name` in a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let i = lower.find(&format!("{name}="))? + name.len() + 1;
    let v = &tag[i..];
    let quote = v.chars().next()?;
    if quote == '"' || quote == '\'' {
        let end = v[1..].find(quote)?;
        Some(v[1..1 + end].to_owned())
    } else {
        Some(v.split_whitespace().next()?.to_owned())
    }
}

/// The common named and numeric entities.
fn decode_entities(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::html_to_text;

    #[test]
    fn text_of_a_mail() {
        let html = "<html><head><style>p{}</style></head><body><p>Hello,</p>\n<p><a class=\"btn\" href=\"http://x/y\">Verify</a></p><p>Thanks,<br/>Acme &amp; co</p></body></html>";
        assert_eq!(
            html_to_text(html),
            "Hello,\n\nVerify [http://x/y]\n\nThanks,\nAcme & co"
        );
    }
}
