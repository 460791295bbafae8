//! Just enough of HTML parsing for the `:excerpt` modifier: a port of the tokenizer of Go's
//! `golang.org/x/net/html` (which PocketBase uses) and a simplified HTML5 tree builder that
//! reproduces the parts of its tree that change the extracted text: what lands in `<head>`,
//! raw-text elements, implied `</p>`/`</li>` and end tags that don't match.
//!
//! Left out, because they only move text in malformed markup: foster parenting of text
//! directly inside `<table>`, the full adoption agency algorithm (a misnested formatting end
//! tag is ignored instead), foreign-content rules beyond self-closing tags, and `<script>`'s
//! escape states.

use super::entities::ENTITIES;

/// One node of the parsed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The document root.
    Document,
    /// An element, by its lowercase tag name.
    Element(String),
    /// A text node (character references decoded).
    Text(String),
}

/// A node and its children (indexes into [`Tree::nodes`]).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) kind: Kind,
    pub(crate) children: Vec<usize>,
}

/// A parsed document; node 0 is the root.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    pub(crate) nodes: Vec<Node>,
}

/// Parses `input` as an HTML document.
pub(crate) fn parse(input: &str) -> Tree {
    let mut builder = Builder::new();
    let mut lexer = Lexer::new(input);
    while let Some(token) = lexer.next_token() {
        lexer.raw = builder.token(token);
    }
    builder.tree
}

// ---------------------------------------------------------------------------------------------
// Tokenizer

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Text(String),
    StartTag { name: String, self_closing: bool },
    EndTag(String),
    Comment,
}

/// How the content of a raw element is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Raw {
    /// Up to the matching end tag, no character references (`script`, `style`, ...).
    Text,
    /// Up to the matching end tag, character references decoded (`title`, `textarea`).
    RcData,
    /// Everything up to the end of input.
    Plain,
}

fn raw_text_kind(name: &str) -> Option<Raw> {
    match name {
        "iframe" | "noembed" | "noframes" | "noscript" | "script" | "style" | "xmp" => {
            Some(Raw::Text)
        }
        "textarea" | "title" => Some(Raw::RcData),
        "plaintext" => Some(Raw::Plain),
        _ => None,
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c')
}

struct Lexer<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    raw: Option<(String, Raw)>,
    done: bool,
}

impl<'a> Lexer<'a> {
    fn new(s: &'a str) -> Self {
        Self {
            s,
            b: s.as_bytes(),
            pos: 0,
            raw: None,
            done: false,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn next_token(&mut self) -> Option<Token> {
        if self.done {
            return None;
        }
        if let Some((tag, kind)) = self.raw.take() {
            let start = self.pos;
            let end = match kind {
                Raw::Plain => self.b.len(),
                _ => self.raw_end(&tag),
            };
            self.pos = end;
            if end > start {
                let text = newlines(&self.s[start..end]).replace('\0', "\u{fffd}");
                let text = if kind == Raw::RcData {
                    unescape(&text)
                } else {
                    text
                };
                return Some(Token::Text(text));
            }
        }
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c != b'<' {
                self.pos += 1;
                continue;
            }
            let Some(&next) = self.b.get(self.pos + 1) else {
                self.pos = self.b.len();
                break;
            };
            let is_tag = next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?');
            if !is_tag {
                self.pos += 1;
                continue;
            }
            if self.pos > start {
                return Some(self.text(start, self.pos));
            }
            self.pos += 2;
            return match next {
                b'/' => self.end_tag(),
                b'!' => Some(self.markup_declaration()),
                b'?' => {
                    self.pos -= 1;
                    self.until_close_angle();
                    Some(Token::Comment)
                }
                _ => self.start_tag(),
            };
        }
        if self.pos > start {
            return Some(self.text(start, self.pos));
        }
        self.done = true;
        None
    }

    fn text(&self, start: usize, end: usize) -> Token {
        Token::Text(unescape(&newlines(&self.s[start..end])))
    }

    /// Where the raw content of `tag` ends: before `</tag` followed by space, `/` or `>`.
    fn raw_end(&self, tag: &str) -> usize {
        let tag = tag.as_bytes();
        let mut i = self.pos;
        while i < self.b.len() {
            if self.b[i] == b'<' && self.b.get(i + 1) == Some(&b'/') {
                let name_end = i + 2 + tag.len();
                if name_end < self.b.len()
                    && self.b[i + 2..name_end].eq_ignore_ascii_case(tag)
                    && (is_space(self.b[name_end]) || matches!(self.b[name_end], b'/' | b'>'))
                {
                    return i;
                }
            }
            i += 1;
        }
        self.b.len()
    }

    fn until_close_angle(&mut self) {
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == b'>' {
                return;
            }
        }
    }

    fn end_tag(&mut self) -> Option<Token> {
        let Some(c) = self.peek() else {
            // "</" at the end of input is text.
            self.done = true;
            return Some(Token::Text("</".into()));
        };
        if c == b'>' {
            self.pos += 1;
            return Some(Token::Comment);
        }
        if c.is_ascii_alphabetic() {
            self.pos += 1;
            return match self.tag() {
                Some((name, _)) => Some(Token::EndTag(name)),
                None => {
                    self.done = true;
                    None
                }
            };
        }
        self.until_close_angle();
        Some(Token::Comment)
    }

    fn start_tag(&mut self) -> Option<Token> {
        match self.tag() {
            Some((name, self_closing)) => Some(Token::StartTag { name, self_closing }),
            None => {
                self.done = true;
                None
            }
        }
    }

    fn markup_declaration(&mut self) -> Token {
        if self.b[self.pos..].starts_with(b"--") {
            self.pos += 2;
            self.comment();
            return Token::Comment;
        }
        self.until_close_angle();
        Token::Comment
    }

    fn comment(&mut self) {
        let mut dashes = 0;
        let mut beginning = true;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'-' => {
                    dashes += 1;
                    continue;
                }
                b'>' if dashes >= 2 || beginning => return,
                b'!' if dashes >= 2 => match self.peek() {
                    None => return,
                    Some(b'>') => {
                        self.pos += 1;
                        return;
                    }
                    Some(b'-') => {
                        self.pos += 1;
                        dashes = 1;
                        beginning = false;
                        continue;
                    }
                    Some(_) => {}
                },
                _ => {}
            }
            dashes = 0;
            beginning = false;
        }
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    /// Reads a tag whose first name byte was consumed: `(lowercase name, self-closing)`, or
    /// `None` when the input ends inside it.
    fn tag(&mut self) -> Option<(String, bool)> {
        let name_start = self.pos - 1;
        while let Some(c) = self.peek() {
            if is_space(c) || c == b'/' || c == b'>' {
                break;
            }
            self.pos += 1;
        }
        let name = self.s[name_start..self.pos].to_ascii_lowercase();
        if self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        let mut last_unquoted_value_end: Option<usize> = None;
        self.skip_space();
        loop {
            let c = self.peek()?;
            self.pos += 1;
            if c == b'>' {
                let slash = self.pos >= 2
                    && self.b[self.pos - 2] == b'/'
                    && last_unquoted_value_end != Some(self.pos - 1);
                return Some((name, slash));
            }
            self.pos -= 1;
            last_unquoted_value_end = None;
            self.attr_key();
            if let Some(end) = self.attr_value() {
                last_unquoted_value_end = Some(end);
            }
            self.skip_space();
        }
    }

    fn attr_key(&mut self) {
        let start = self.pos;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'=' if start + 1 == self.pos => continue,
                b'=' | b'/' | b'>' => {
                    self.pos -= 1;
                    return;
                }
                c if is_space(c) => {
                    self.pos -= 1;
                    return;
                }
                _ => {}
            }
        }
    }

    /// Reads `= value` if present; returns the end of an unquoted value.
    fn attr_value(&mut self) -> Option<usize> {
        self.skip_space();
        let c = self.peek()?;
        self.pos += 1;
        if c == b'/' {
            return None;
        }
        if c != b'=' {
            self.pos -= 1;
            return None;
        }
        self.skip_space();
        let quote = self.peek()?;
        self.pos += 1;
        match quote {
            b'>' => {
                self.pos -= 1;
                None
            }
            b'\'' | b'"' => {
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == quote {
                        break;
                    }
                }
                None
            }
            _ => {
                while let Some(c) = self.peek() {
                    if is_space(c) || c == b'>' {
                        return Some(self.pos);
                    }
                    self.pos += 1;
                }
                Some(self.pos)
            }
        }
    }
}

/// `\r\n` and `\r` become `\n`.
fn newlines(s: &str) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_owned()
    }
}

/// Windows-1252 meanings of the numeric references `&#x80;`..`&#x9F;`.
const REPLACEMENTS: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// The longest legacy reference that may appear without `;` (`&frac34`).
const LONGEST_WITHOUT_SEMICOLON: usize = 6;

fn entity(name: &str) -> Option<&'static str> {
    ENTITIES
        .binary_search_by(|(n, _)| n.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|i| ENTITIES[i].1)
}

/// Decodes character references in text the way Go's `html.UnescapeString` does.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if b[i] != b'&' {
            i += 1;
            continue;
        }
        out.push_str(&s[copied..i]);
        match reference(&b[i..]) {
            Some((text, len)) => {
                out.push_str(&text);
                i += len;
            }
            None => {
                out.push('&');
                i += 1;
            }
        }
        copied = i;
    }
    out.push_str(&s[copied..]);
    out
}

/// The reference at the start of `s` (which starts with `&`): its text and byte length.
fn reference(s: &[u8]) -> Option<(String, usize)> {
    if s.len() <= 1 {
        return None;
    }
    if s[1] == b'#' {
        if s.len() <= 2 {
            return None;
        }
        let mut i = 2;
        let hex = matches!(s[i], b'x' | b'X');
        if hex {
            i += 1;
        }
        let digits_start = i;
        let mut x: u32 = 0;
        while i < s.len() {
            let d = match (hex, s[i]) {
                (_, c @ b'0'..=b'9') => u32::from(c - b'0'),
                (true, c @ b'a'..=b'f') => u32::from(c - b'a') + 10,
                (true, c @ b'A'..=b'F') => u32::from(c - b'A') + 10,
                _ => break,
            };
            if x <= 0x10FFFF {
                x = x * if hex { 16 } else { 10 } + d;
            }
            i += 1;
        }
        if i == digits_start {
            return None;
        }
        if s.get(i) == Some(&b';') {
            i += 1;
        }
        let ch = if (0x80..=0x9F).contains(&x) {
            REPLACEMENTS[(x - 0x80) as usize]
        } else {
            char::from_u32(x).filter(|_| x != 0).unwrap_or('\u{FFFD}')
        };
        return Some((ch.to_string(), i));
    }
    let mut i = 1;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c.is_ascii_alphanumeric() {
            continue;
        }
        if c != b';' {
            i -= 1;
        }
        break;
    }
    let name = std::str::from_utf8(&s[1..i]).ok()?;
    if name.is_empty() {
        return None;
    }
    if let Some(text) = entity(name) {
        return Some((text.to_owned(), i));
    }
    let max = (name.len() - 1).min(LONGEST_WITHOUT_SEMICOLON);
    (2..=max)
        .rev()
        .find_map(|j| entity(&name[..j]).map(|t| (t.to_owned(), j + 1)))
}

// ---------------------------------------------------------------------------------------------
// Tree builder

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Before `<body>` with `<head>` open (covers "initial" through "in head").
    InHead,
    /// `<head>` closed, no `<body>` yet.
    AfterHead,
    InBody,
}

/// Elements with no content.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements that belong in `<head>` when they come before the body.
fn is_head_content(name: &str) -> bool {
    matches!(
        name,
        "base"
            | "basefont"
            | "bgsound"
            | "link"
            | "meta"
            | "noframes"
            | "script"
            | "style"
            | "template"
            | "title"
            | "noscript"
    )
}

/// Start tags that close an open `<p>`.
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "form"
            | "plaintext"
            | "hr"
            | "xmp"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// The formatting elements (their misnested end tags run the adoption agency).
fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// End tags closed with the "has an element in scope" check.
fn is_scoped_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "button"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "header"
            | "hgroup"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "pre"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "form"
            | "select"
            | "dd"
            | "dt"
            | "applet"
            | "marquee"
            | "object"
    )
}

/// Elements that bound the default scope.
fn is_scope_boundary(name: &str) -> bool {
    matches!(
        name,
        "applet"
            | "caption"
            | "html"
            | "table"
            | "td"
            | "th"
            | "marquee"
            | "object"
            | "template"
            | "select"
    )
}

/// Elements whose misplaced content is foster-parented before the table.
fn is_table_context(name: &str) -> bool {
    matches!(name, "table" | "tbody" | "tfoot" | "thead" | "tr")
}

/// Elements closed by "generate implied end tags".
fn has_implied_end(name: &str) -> bool {
    matches!(
        name,
        "dd" | "dt" | "li" | "optgroup" | "option" | "p" | "rb" | "rp" | "rt" | "rtc"
    )
}

/// HTML's "special" elements (Go's `isSpecialElementMap`): a generic end tag is ignored
/// when one is open above its match.
fn is_special(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "applet"
            | "area"
            | "article"
            | "aside"
            | "base"
            | "basefont"
            | "bgsound"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "embed"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frame"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "iframe"
            | "img"
            | "input"
            | "keygen"
            | "li"
            | "link"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "meta"
            | "nav"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "p"
            | "param"
            | "plaintext"
            | "pre"
            | "script"
            | "section"
            | "select"
            | "source"
            | "style"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "title"
            | "tr"
            | "track"
            | "ul"
            | "wbr"
            | "xmp"
    )
}

/// Start tags that leave SVG / MathML content.
fn is_breakout(name: &str) -> bool {
    matches!(
        name,
        "b" | "big"
            | "blockquote"
            | "body"
            | "br"
            | "center"
            | "code"
            | "dd"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "embed"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "hr"
            | "i"
            | "img"
            | "li"
            | "listing"
            | "menu"
            | "meta"
            | "nobr"
            | "ol"
            | "p"
            | "pre"
            | "ruby"
            | "s"
            | "small"
            | "span"
            | "strong"
            | "strike"
            | "sub"
            | "sup"
            | "table"
            | "tt"
            | "u"
            | "ul"
            | "var"
    )
}

/// The namespace of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    Html,
    Svg,
    Math,
}

/// Table parts, which are ignored outside a `<table>`.
fn is_table_part(name: &str) -> bool {
    matches!(
        name,
        "caption" | "col" | "colgroup" | "tbody" | "td" | "tfoot" | "th" | "thead" | "tr"
    )
}

struct Builder {
    tree: Tree,
    /// The namespace of each node of `tree` (by index).
    ns: Vec<Ns>,
    /// Open elements (node indexes), `html` first.
    stack: Vec<usize>,
    /// The parent of each node of `tree` (by index; the root is its own parent).
    parent: Vec<usize>,
    head: usize,
    mode: Mode,
    /// The open `<form>` (a second one is ignored while it is set).
    form: Option<usize>,
}

impl Builder {
    fn new() -> Self {
        let mut tree = Tree {
            nodes: vec![Node {
                kind: Kind::Document,
                children: Vec::new(),
            }],
        };
        let html = push_node(&mut tree, 0, Kind::Element("html".into()));
        let head = push_node(&mut tree, html, Kind::Element("head".into()));
        Self {
            tree,
            ns: vec![Ns::Html; 3],
            parent: vec![0, 0, html],
            stack: vec![html, head],
            head,
            mode: Mode::InHead,
            form: None,
        }
    }

    fn name(&self, node: usize) -> &str {
        match &self.tree.nodes[node].kind {
            Kind::Element(n) => n,
            _ => "",
        }
    }

    fn current(&self) -> usize {
        self.stack.last().copied().unwrap_or(0)
    }

    fn current_name(&self) -> &str {
        self.name(self.current())
    }

    fn insert(&mut self, name: &str) -> usize {
        self.insert_ns(name, Ns::Html)
    }

    fn insert_ns(&mut self, name: &str, ns: Ns) -> usize {
        let parent = self.current();
        self.node(parent, Kind::Element(name.to_owned()), ns)
    }

    fn node(&mut self, parent: usize, kind: Kind, ns: Ns) -> usize {
        self.ns.push(ns);
        self.parent.push(parent);
        push_node(&mut self.tree, parent, kind)
    }

    /// Inserts `kind` before the innermost open table (foster parenting); text merges into
    /// a text node right before it.
    fn foster(&mut self, kind: Kind) -> usize {
        let Some(table) = self
            .stack
            .iter()
            .rev()
            .copied()
            .find(|&n| self.name(n) == "table")
        else {
            let parent = self.current();
            return self.node(parent, kind, Ns::Html);
        };
        let parent = self.parent[table];
        let pos = self.tree.nodes[parent]
            .children
            .iter()
            .position(|&c| c == table)
            .unwrap_or(self.tree.nodes[parent].children.len());
        if let Kind::Text(text) = &kind
            && pos > 0
        {
            let prev = self.tree.nodes[parent].children[pos - 1];
            if let Kind::Text(t) = &mut self.tree.nodes[prev].kind {
                t.push_str(text);
                return prev;
            }
        }
        let idx = self.tree.nodes.len();
        self.tree.nodes.push(Node {
            kind,
            children: Vec::new(),
        });
        self.ns.push(Ns::Html);
        self.parent.push(parent);
        self.tree.nodes[parent].children.insert(pos, idx);
        idx
    }

    fn generate_implied_end_tags(&mut self, except: Option<&str>) {
        while self.stack.len() > 1 {
            let n = self.current_name();
            if !has_implied_end(n) || Some(n) == except {
                break;
            }
            self.stack.pop();
        }
    }

    fn template_open(&self) -> bool {
        self.stack.iter().any(|&n| self.name(n) == "template")
    }

    fn add_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let parent = self.current();
        if let Some(&last) = self.tree.nodes[parent].children.last()
            && let Kind::Text(t) = &mut self.tree.nodes[last].kind
        {
            t.push_str(text);
            return;
        }
        self.node(parent, Kind::Text(text.to_owned()), Ns::Html);
    }

    fn start_body(&mut self) {
        self.stack.truncate(1);
        let body = self.insert("body");
        self.stack.push(body);
        self.mode = Mode::InBody;
    }

    /// Processes a token; returns how the next text is to be read when it opened a raw-text
    /// element.
    fn token(&mut self, token: Token) -> Option<(String, Raw)> {
        if self.in_foreign(&token) {
            return self.foreign(token);
        }
        self.html_token(token)
    }

    fn html_token(&mut self, token: Token) -> Option<(String, Raw)> {
        let raw = match &token {
            Token::StartTag { name, .. } => raw_text_kind(name).map(|r| (name.clone(), r)),
            _ => None,
        };
        self.dispatch(token);
        raw
    }

    /// Whether an HTML integration point (where start tags and text are HTML again).
    fn html_integration_point(&self, node: usize) -> bool {
        match self.ns[node] {
            Ns::Svg => matches!(self.name(node), "foreignobject" | "desc" | "title"),
            _ => false,
        }
    }

    fn mathml_text_integration_point(&self, node: usize) -> bool {
        self.ns[node] == Ns::Math && matches!(self.name(node), "mi" | "mo" | "mn" | "ms" | "mtext")
    }

    /// Whether `token` is processed by the foreign content (SVG / MathML) rules.
    fn in_foreign(&self, token: &Token) -> bool {
        let node = self.current();
        if self.ns[node] == Ns::Html {
            return false;
        }
        let start = match token {
            Token::StartTag { name, .. } => Some(name.as_str()),
            _ => None,
        };
        let text = matches!(token, Token::Text(_));
        if self.mathml_text_integration_point(node)
            && (text || start.is_some_and(|n| n != "mglyph" && n != "malignmark"))
        {
            return false;
        }
        if self.ns[node] == Ns::Math && self.name(node) == "annotation-xml" && start == Some("svg")
        {
            return false;
        }
        !(self.html_integration_point(node) && (text || start.is_some()))
    }

    fn foreign(&mut self, token: Token) -> Option<(String, Raw)> {
        match token {
            Token::Text(t) => self.add_text(&t.replace('\0', "\u{fffd}")),
            Token::Comment => {}
            Token::StartTag { name, .. } if is_breakout(&name) => {
                while self.stack.len() > 1 {
                    let top = self.current();
                    if self.ns[top] == Ns::Html
                        || self.html_integration_point(top)
                        || self.mathml_text_integration_point(top)
                    {
                        break;
                    }
                    self.stack.pop();
                }
                return self.html_token(Token::StartTag {
                    name,
                    self_closing: false,
                });
            }
            Token::StartTag { name, self_closing } => {
                let ns = self.ns[self.current()];
                let node = self.insert_ns(&name, ns);
                if !self_closing {
                    self.stack.push(node);
                }
            }
            Token::EndTag(name) => {
                for i in (1..self.stack.len()).rev() {
                    if self.name(self.stack[i]).eq_ignore_ascii_case(&name) {
                        self.stack.truncate(i);
                        return None;
                    }
                    if self.ns[self.stack[i - 1]] == Ns::Html {
                        break;
                    }
                }
                return self.html_token(Token::EndTag(name));
            }
        }
        None
    }

    fn dispatch(&mut self, token: Token) {
        match self.mode {
            Mode::InHead if self.current() != self.head => self.in_body(token),
            Mode::InHead => self.in_head(token),
            // A head element opened after `</head>` (its content, then its end tag).
            Mode::AfterHead if self.stack.len() > 1 => self.in_body(token),
            Mode::AfterHead => self.after_head(token),
            Mode::InBody => self.in_body(token),
        }
    }

    fn in_head(&mut self, token: Token) {
        match token {
            Token::Text(t) => {
                let rest = t.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
                if !rest.is_empty() {
                    self.start_body();
                    self.in_body(Token::Text(rest.to_owned()));
                }
            }
            Token::Comment => {}
            Token::StartTag { name, .. } if name == "html" || name == "head" => {}
            Token::StartTag { name, .. } if is_head_content(&name) => {
                let node = self.insert(&name);
                if !is_void(&name) {
                    self.stack.push(node);
                }
            }
            Token::EndTag(name) if name == "head" => {
                self.stack.truncate(1);
                self.mode = Mode::AfterHead;
            }
            Token::EndTag(name) if !matches!(name.as_str(), "body" | "html" | "br") => {}
            other => {
                self.stack.truncate(1);
                self.mode = Mode::AfterHead;
                self.after_head(other);
            }
        }
    }

    fn after_head(&mut self, token: Token) {
        match token {
            Token::Text(t) => {
                let rest = t.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
                if !rest.is_empty() {
                    self.start_body();
                    self.in_body(Token::Text(rest.to_owned()));
                }
            }
            Token::Comment => {}
            Token::StartTag { name, .. } if name == "html" || name == "head" => {}
            Token::StartTag { name, .. } if name == "body" => self.start_body(),
            Token::StartTag { name, .. } if is_head_content(&name) => {
                // Goes into the (closed) head, but stays open on the stack until its end tag.
                let node = self.node(self.head, Kind::Element(name.clone()), Ns::Html);
                if !is_void(&name) {
                    self.stack.push(node);
                }
            }
            Token::EndTag(name) if !matches!(name.as_str(), "body" | "html" | "br") => {}
            other => {
                self.start_body();
                self.in_body(other);
            }
        }
    }

    /// Whether an element named `name` is open, searching down to a scope boundary
    /// (`extra` names more boundaries).
    fn in_scope(&self, name: &str, extra: &[&str]) -> bool {
        for &node in self.stack.iter().rev() {
            let n = self.name(node);
            if n == name {
                return true;
            }
            if is_scope_boundary(n) || extra.contains(&n) {
                return false;
            }
        }
        false
    }

    /// Pops elements up to and including the topmost one named `name` (if open).
    fn pop_through(&mut self, name: &str) {
        if let Some(pos) = self.stack.iter().rposition(|&n| self.name(n) == name) {
            self.stack.truncate(pos.max(1));
        }
    }

    fn close_p(&mut self) {
        if self.in_scope("p", &["button"]) {
            self.pop_through("p");
        }
    }

    fn in_body(&mut self, token: Token) {
        match token {
            Token::Text(t) => {
                let mut t = t.as_str();
                let cur = self.current();
                if matches!(self.current_name(), "pre" | "listing" | "textarea")
                    && self.tree.nodes[cur].children.is_empty()
                {
                    t = t.strip_prefix('\n').unwrap_or(t);
                }
                let t = t.replace('\0', "");
                if is_table_context(self.current_name()) && t.bytes().any(|b| !is_space(b)) {
                    self.foster(Kind::Text(t));
                } else {
                    self.add_text(&t);
                }
            }
            Token::Comment => {}
            Token::StartTag { name, self_closing } => self.start_tag(&name, self_closing),
            Token::EndTag(name) => self.end_tag(&name),
        }
    }

    fn start_tag(&mut self, name: &str, self_closing: bool) {
        let name = if name == "image" { "img" } else { name };
        match name {
            "html" | "body" | "head" | "frameset" | "frame" => return,
            _ => {}
        }
        let in_table = self.stack.iter().any(|&n| self.name(n) == "table");
        if is_table_context(self.current_name()) && !is_table_part(name) {
            match name {
                "table" => self.pop_through("table"),
                "style" | "script" | "template" => {}
                "form" => {
                    if self.form.is_none() && !self.template_open() {
                        self.form = Some(self.insert("form"));
                    }
                    return;
                }
                _ => {
                    let node = self.foster(Kind::Element(name.to_owned()));
                    if !is_void(name) {
                        self.stack.push(node);
                    }
                    return;
                }
            }
        }
        if is_table_part(name) {
            if !in_table {
                return;
            }
            // Misplaced (fostered) elements are closed first.
            if let Some(pos) = self.stack.iter().rposition(|&n| {
                is_table_context(self.name(n))
                    || matches!(self.name(n), "td" | "th" | "caption" | "colgroup")
            }) {
                self.stack.truncate(pos + 1);
            }
            match name {
                "td" | "th" => {
                    if let Some(pos) = self.table_part_pos(&["td", "th", "caption"]) {
                        self.stack.truncate(pos);
                    }
                }
                "tr" => {
                    if let Some(pos) = self.table_part_pos(&["td", "th", "tr", "caption"]) {
                        self.stack.truncate(pos);
                    }
                }
                "tbody" | "thead" | "tfoot" | "caption" | "colgroup" => {
                    if let Some(pos) = self.table_part_pos(&[
                        "td", "th", "tr", "tbody", "thead", "tfoot", "caption", "colgroup",
                    ]) {
                        self.stack.truncate(pos);
                    }
                }
                _ => {}
            }
        } else if name == "form" {
            if self.form.is_some() && !self.template_open() {
                return;
            }
            self.close_p();
            let node = self.insert("form");
            self.stack.push(node);
            if !self.template_open() {
                self.form = Some(node);
            }
            return;
        } else if name == "select" {
            if self.in_scope("select", &[]) {
                self.pop_through("select");
                return;
            }
        } else if name == "input" {
            if self.in_scope("select", &[]) {
                self.pop_through("select");
            }
        } else if name == "hr" {
            self.close_p();
            if self.in_scope("select", &[]) {
                self.generate_implied_end_tags(None);
            }
        } else if closes_p(name) {
            self.close_p();
            if is_heading(name) && is_heading(self.current_name()) {
                self.stack.pop();
            }
        } else if name == "li" || name == "dd" || name == "dt" {
            let closes: &[&str] = if name == "li" { &["li"] } else { &["dd", "dt"] };
            for &node in self.stack.iter().rev() {
                let n = self.name(node);
                if closes.contains(&n) {
                    let n = n.to_owned();
                    self.pop_through(&n);
                    break;
                }
                if is_special(n) && !matches!(n, "address" | "div" | "p") {
                    break;
                }
            }
            self.close_p();
        } else if name == "button" && self.in_scope("button", &[]) {
            self.pop_through("button");
        } else if name == "a" {
            self.close_formatting("a");
        } else if matches!(name, "option" | "optgroup") {
            if self.in_scope("select", &[]) {
                self.generate_implied_end_tags((name == "option").then_some("optgroup"));
            } else if self.current_name() == "option" {
                self.stack.pop();
            }
        }
        let ns = match name {
            "svg" => Ns::Svg,
            "math" => Ns::Math,
            _ => Ns::Html,
        };
        let node = self.insert_ns(name, ns);
        if !(is_void(name) || (self_closing && ns != Ns::Html)) {
            self.stack.push(node);
        }
    }

    /// The stack position of the topmost open element in `names` within the current table.
    fn table_part_pos(&self, names: &[&str]) -> Option<usize> {
        for (i, &node) in self.stack.iter().enumerate().rev() {
            let n = self.name(node);
            if names.contains(&n) {
                return Some(i);
            }
            if n == "table" {
                return None;
            }
        }
        None
    }

    /// Closes the formatting element `name` when no special element was opened after it
    /// (a simplified adoption agency: otherwise the end tag is ignored).
    fn close_formatting(&mut self, name: &str) {
        for (i, &node) in self.stack.iter().enumerate().rev() {
            let n = self.name(node);
            if n == name {
                self.stack.truncate(i.max(1));
                return;
            }
            if is_special(n) {
                return;
            }
        }
    }

    fn end_tag(&mut self, name: &str) {
        match name {
            "body" | "html" => {}
            "template" => self.pop_through("template"),
            "form" if !self.template_open() => {
                let Some(node) = self.form.take() else {
                    return;
                };
                let in_scope = self
                    .stack
                    .iter()
                    .rev()
                    .find(|&&n| self.name(n) == "form" || is_scope_boundary(self.name(n)))
                    .is_some_and(|&n| n == node);
                if in_scope {
                    self.generate_implied_end_tags(None);
                    self.stack.retain(|&n| n != node);
                }
            }
            "br" => {
                self.insert("br");
            }
            "p" => {
                if self.in_scope("p", &["button"]) {
                    self.pop_through("p");
                } else {
                    self.insert("p");
                }
            }
            "li" => {
                if self.in_scope("li", &["ol", "ul"]) {
                    self.pop_through("li");
                }
            }
            h if is_heading(h) => {
                if let Some(pos) = self
                    .stack
                    .iter()
                    .rposition(|&n| is_heading(self.name(n)))
                    .filter(|&pos| {
                        !self.stack[pos + 1..]
                            .iter()
                            .any(|&n| is_scope_boundary(self.name(n)))
                    })
                {
                    self.stack.truncate(pos.max(1));
                }
            }
            n if is_formatting(n) => self.close_formatting(n),
            n if is_scoped_block(n) || n == "table" => {
                if self.in_scope(n, &[]) {
                    self.pop_through(n);
                }
            }
            n if is_table_part(n) => {
                if let Some(pos) = self.table_part_pos(&[n]) {
                    self.stack.truncate(pos);
                }
            }
            n => {
                for (i, &node) in self.stack.iter().enumerate().rev() {
                    let open = self.name(node);
                    if open == n {
                        self.stack.truncate(i.max(1));
                        return;
                    }
                    if is_special(open) {
                        return;
                    }
                }
            }
        }
    }
}

fn push_node(tree: &mut Tree, parent: usize, kind: Kind) -> usize {
    let idx = tree.nodes.len();
    tree.nodes.push(Node {
        kind,
        children: Vec::new(),
    });
    tree.nodes[parent].children.push(idx);
    idx
}
