//! Files, as PocketBase's `tools/filesystem` and `apis/file.go` see them: the name an upload
//! is stored under ([`normalize_name`]), its sniffed content type ([`detect_mime`]), thumb
//! sizes and keys ([`parse_thumb_size`], [`thumb_key`]) and how a stored file is served
//! ([`inline_content_type`], [`served_content_type`]).
//!
//! Pure: the random parts of a name and the bytes to sniff are the caller's.

/// How many leading bytes [`detect_mime`] looks at: mimetype's read limit (3072 in the
/// mimetype release PocketBase pins; mimetype's later releases read 4096). Reading more
/// changes nothing; reading less may change the answer.
pub const SNIFF_LEN: usize = 3072;

/// The thumb sizes every image file field serves besides its own `thumbs` list
/// (PocketBase's `defaultThumbSizes`).
pub const DEFAULT_THUMB_SIZES: &[&str] = &["100x100"];

/// The stored content types a thumb is made for (PocketBase's `imageContentTypes`). Note that
/// `image/jpg` is here but only `image/jpeg` gets a JPEG thumb (see the core's thumb maker).
pub const IMAGE_CONTENT_TYPES: &[&str] = &[
    "image/png",
    "image/jpg",
    "image/jpeg",
    "image/gif",
    "image/webp",
];

/// The content types served `inline` rather than as an attachment (PocketBase's
/// `inlineServeContentTypes`).
pub const INLINE_CONTENT_TYPES: &[&str] = &[
    // image
    "image/png",
    "image/jpg",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/x-icon",
    "image/bmp",
    // video
    "video/webm",
    "video/mp4",
    "video/3gpp",
    "video/quicktime",
    "video/x-ms-wmv",
    // audio
    "audio/basic",
    "audio/aiff",
    "audio/mpeg",
    "audio/midi",
    "audio/mp3",
    "audio/wave",
    "audio/wav",
    "audio/x-wav",
    "audio/x-mpeg",
    "audio/x-m4a",
    "audio/aac",
    // document
    "application/pdf",
    "application/x-pdf",
];

/// Extensions whose files are served with a fixed content type whatever their sniffed one
/// (PocketBase's `manualExtensionContentTypes`; the extension is matched case-sensitively).
const MANUAL_EXTENSION_CONTENT_TYPES: &[(&str, &str)] = &[
    (".svg", "image/svg+xml"),
    (".css", "text/css"),
    (".js", "text/javascript"),
    (".mjs", "text/javascript"),
    (
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        ".pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
];

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

/// The last element of a client's file name, as Go's `multipart.Part.FileName` gives it
/// (`filepath.Base` on a Unix host: only `/` separates; trailing slashes are dropped; a name
/// of only slashes is `/`), except that an empty name stays empty. PocketBase's
/// `originalName` is this, and [`normalize_name`] starts from it.
///
/// A backslash is not a separator here (as on PocketBase's usual Linux host):
/// `..\x.png` stays whole, and [`normalize_name`] drops the backslashes.
pub fn base_name(name: &str) -> &str {
    if name.is_empty() {
        return name;
    }
    let trimmed = name.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// The name an uploaded file is stored under: PocketBase's `normalizeName`.
///
/// From the [`base_name`] of `original` (its last 300 bytes at most): the extension (the last
/// two dot-separated parts, so `a.tar.gz` → `.tar.gz` but also `a.b.c.txt` → `.c.txt`) keeps
/// only `[A-Za-z0-9_.*+=#-]` and loses its outer dots; with nothing left, `sniffed_ext`
/// (the extension of the content's sniffed type with its dot, e.g. from [`mime_extension`];
/// `None` or `""` for none) stands in; longer than 20 bytes, only its last 20 are kept. The
/// rest of the name, outer dots trimmed, is snake-cased (PocketBase's `inflector.Snakecase`:
/// every run of characters other than ASCII letters and digits becomes one `_`, an uppercase
/// letter after a non-uppercase one starts a new word, all lowercased, so non-ASCII letters
/// vanish); shorter than 3 bytes it gets `random_short` appended, longer than 100 it is cut
/// to 100. Then `_{random10}` and the extension follow.
///
/// `random10` and `random_short` are PocketBase's two 10-character `[a-z0-9]` random strings
/// (the caller draws them; the domain has no randomness); any other character in them is
/// dropped, so the result is always of `[a-z0-9_]` then an extension of
/// `[A-Za-z0-9_.*+=#-]`: it never holds `/` or `\` and never starts with a dot.
pub fn normalize_name(
    original: &str,
    random10: &str,
    random_short: &str,
    sniffed_ext: Option<&str>,
) -> String {
    // Go cuts the last 300 bytes even mid-character; the partial character's bytes would be
    // dropped by the filters below anyway, so cutting at the next character boundary yields
    // the same name.
    let name = tail_bytes(base_name(original), 300);

    // extension
    let original_ext = extract_extension(name);
    let mut clean_ext = format!(".{}", keep_ext_chars(original_ext).trim_matches('.'));
    if clean_ext == "." {
        clean_ext = match sniffed_ext.map(keep_ext_chars) {
            Some(e) if !e.is_empty() && !e.starts_with('.') => format!(".{e}"),
            Some(e) => e,
            None => String::new(),
        };
    }
    if clean_ext.len() > 20 {
        // ASCII only after the filter, so any byte index is a character boundary.
        let tail = &clean_ext[clean_ext.len() - 20..];
        clean_ext = format!(".{}", tail.trim_matches('.'));
    }

    // name (a leading dot is trimmed: file sync programs treat "hidden" files specially)
    let stem = &name[..name.len() - original_ext.len()];
    let mut clean_name = snakecase(stem.trim_matches('.'));
    if clean_name.len() < 3 {
        clean_name.extend(random_short.chars().filter(char::is_ascii_alphanumeric));
    } else if clean_name.len() > 100 {
        clean_name.truncate(100);
    }

    let random: String = random10
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("{clean_name}_{random}{clean_ext}")
}

/// The last `max` bytes of `s` at most, starting on a character boundary.
fn tail_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// PocketBase's `extractExtension`: from the second-to-last dot if there is one, else from
/// the last dot, else empty.
fn extract_extension(name: &str) -> &str {
    let Some(primary) = name.rfind('.') else {
        return "";
    };
    match name[..primary].rfind('.') {
        Some(secondary) => &name[secondary..],
        None => &name[primary..],
    }
}

/// Removes what PocketBase's `[^\w\.\*\-\+\=\#]+` matches (Go's `\w` is ASCII-only).
fn keep_ext_chars(ext: &str) -> String {
    ext.chars()
        .filter(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*' | '-' | '+' | '=' | '#')
        })
        .collect()
}

/// PocketBase's `inflector.Snakecase`: split at every run of `[\W_]` (ASCII `\w`, so any
/// non-ASCII character splits too), join the non-empty words with `_`, put a `_` before an
/// uppercase letter that follows a non-uppercase one within a word ("myTestDB" →
/// "my_test_db"), lowercase.
pub fn snakecase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('_');
        }
        let bytes = word.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b.is_ascii_uppercase() && i > 0 && !bytes[i - 1].is_ascii_uppercase() {
                out.push('_');
            }
            out.push(b.to_ascii_lowercase() as char);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Content types
// ---------------------------------------------------------------------------------------------

/// The content type of a file from its first bytes, in the strings PocketBase's `mimetype`
/// (v1.4.13) gives, which PocketBase stores with the file and checks a field's `mimeTypes`
/// against. Only the first [`SNIFF_LEN`] bytes are looked at.
///
/// Exact for: PNG (`image/png`; an animated PNG is `image/vnd.mozilla.apng`), JPEG, GIF,
/// WebP, BMP, TIFF, ICO (`image/x-icon`), PDF (any `%PDF-` in the first 1 KiB, checked before
/// the images, as mimetype does), ZIP (`application/zip`, or DOCX/XLSX/PPTX, EPUB, APK, JAR,
/// the OpenDocument types, KMZ, Visio by mimetype's entry checks), OLE (`.doc`, `.xls`,
/// `.ppt`, `.msi`, `.msg`, `.pub` by CLSID, else `application/x-ole-storage`), PostScript,
/// Ogg (`audio/ogg`, `video/ogg`, `application/ogg`), and the text family: SVG
/// (`image/svg+xml`: an `<svg` root with the SVG `xmlns`, or an XML declaration and `<svg`),
/// HTML and XML (`text/html`/`text/xml` with a charset from a BOM, a `<meta>`/the
/// declaration, or the bytes), JSON objects and arrays (`application/json`), CSV/TSV
/// (`text/csv`, `text/tab-separated-values`), and other text (`text/plain; charset=utf-8`
/// for ASCII/UTF-8, `iso-8859-1`/`windows-1252`/the BOM's otherwise, bare `text/plain` when
/// no charset fits). Other binary formats go through the `infer` crate and are reported in
/// mimetype's spelling where it knows them (audio, video, fonts, archives, …), else
/// `application/octet-stream`, as are bytes that are not text.
///
/// Known gaps (reported as their parent type): mimetype's script and markup subtypes of text
/// (shebang scripts, PHP, RSS/Atom and the other XML dialects, NDJSON, GeoJSON, vCard, …)
/// are `text/plain`/`text/xml`/`application/json`; the few binary signatures made of text
/// that mimetype checks before text (XPM, M3U, torrents, AMR, …) are text here.
pub fn detect_mime(head: &[u8]) -> String {
    let raw = &head[..head.len().min(SNIFF_LEN)];
    if let Some(m) = detect_binary(raw) {
        return m.to_string();
    }
    if is_text(raw) {
        return detect_text(raw);
    }
    if let Some(m) = detect_infer(raw) {
        return m.to_string();
    }
    OCTET_STREAM.to_string()
}

const OCTET_STREAM: &str = "application/octet-stream";

/// The extension (with its dot) mimetype gives a content type, for
/// [`normalize_name`]'s `sniffed_ext`; `""` for the types it gives none
/// (`application/octet-stream` among them). Parameters (`; charset=…`) are ignored.
pub fn mime_extension(mime: &str) -> &'static str {
    let essence = mime.split(';').next().unwrap_or("").trim();
    MIME_EXTENSIONS
        .iter()
        .find(|(m, _)| *m == essence)
        .map_or("", |(_, e)| e)
}

/// mimetype's extensions for the types [`detect_mime`] can answer.
const MIME_EXTENSIONS: &[(&str, &str)] = &[
    ("image/png", ".png"),
    ("image/vnd.mozilla.apng", ".png"),
    ("image/jpeg", ".jpg"),
    ("image/gif", ".gif"),
    ("image/webp", ".webp"),
    ("image/bmp", ".bmp"),
    ("image/tiff", ".tiff"),
    ("image/x-icon", ".ico"),
    ("image/svg+xml", ".svg"),
    ("image/avif", ".avif"),
    ("image/heif", ".heif"),
    ("image/jxl", ".jxl"),
    ("image/jp2", ".jp2"),
    ("image/jxr", ".jxr"),
    ("image/vnd.adobe.photoshop", ".psd"),
    ("image/vnd.djvu", ".djvu"),
    ("image/vnd.dwg", ".dwg"),
    ("application/pdf", ".pdf"),
    ("application/zip", ".zip"),
    ("application/epub+zip", ".epub"),
    ("application/vnd.oasis.opendocument.text", ".odt"),
    ("application/vnd.oasis.opendocument.spreadsheet", ".ods"),
    ("application/vnd.oasis.opendocument.presentation", ".odp"),
    ("application/vnd.oasis.opendocument.graphics", ".odg"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
    ),
    ("application/vnd.oasis.opendocument.text-template", ".ott"),
    (
        "application/vnd.oasis.opendocument.spreadsheet-template",
        ".ots",
    ),
    (
        "application/vnd.oasis.opendocument.presentation-template",
        ".otp",
    ),
    (
        "application/vnd.oasis.opendocument.graphics-template",
        ".otg",
    ),
    ("application/vnd.oasis.opendocument.formula", ".odf"),
    ("application/vnd.oasis.opendocument.chart", ".odc"),
    ("application/vnd.sun.xml.calc", ".sxc"),
    ("application/vnd.android.package-archive", ".apk"),
    ("application/java-archive", ".jar"),
    ("application/vnd.google-earth.kmz", ".kmz"),
    ("application/vnd.ms-visio.drawing.main+xml", ".vsdx"),
    ("application/x-ms-installer", ".msi"),
    ("application/vnd.ms-outlook", ".msg"),
    ("application/vnd.ms-excel", ".xls"),
    ("application/vnd.ms-publisher", ".pub"),
    ("application/vnd.ms-powerpoint", ".ppt"),
    ("application/msword", ".doc"),
    ("application/gzip", ".gz"),
    ("application/x-bzip2", ".bz2"),
    ("application/x-7z-compressed", ".7z"),
    ("application/x-xz", ".xz"),
    ("application/x-tar", ".tar"),
    ("application/x-rar-compressed", ".rar"),
    ("application/zstd", ".zst"),
    ("application/x-cpio", ".cpio"),
    ("application/vnd.ms-cab-compressed", ".cab"),
    ("application/x-rpm", ".rpm"),
    ("application/vnd.debian.binary-package", ".deb"),
    ("application/x-archive", ".a"),
    ("application/lzip", ".lz"),
    ("application/wasm", ".wasm"),
    ("application/vnd.microsoft.portable-executable", ".exe"),
    ("application/x-mach-binary", ".macho"),
    ("application/x-java-applet", ".class"),
    ("application/x-shockwave-flash", ".swf"),
    ("application/x-chrome-extension", ".crx"),
    ("application/postscript", ".ps"),
    ("application/vnd.sqlite3", ".sqlite"),
    ("application/dicom", ".dcm"),
    ("application/x-mobipocket-ebook", ".mobi"),
    ("application/vnd.nintendo.snes.rom", ".nes"),
    ("application/vnd.ms-fontobject", ".eot"),
    ("font/woff", ".woff"),
    ("font/woff2", ".woff2"),
    ("font/ttf", ".ttf"),
    ("font/otf", ".otf"),
    ("audio/mpeg", ".mp3"),
    ("audio/wav", ".wav"),
    ("application/ogg", ".ogg"),
    ("audio/ogg", ".oga"),
    ("video/ogg", ".ogv"),
    ("audio/flac", ".flac"),
    ("audio/aac", ".aac"),
    ("audio/midi", ".midi"),
    ("audio/aiff", ".aiff"),
    ("audio/amr", ".amr"),
    ("audio/ape", ".ape"),
    ("audio/x-m4a", ".m4a"),
    ("video/mp4", ".mp4"),
    ("video/x-m4v", ".m4v"),
    ("video/webm", ".webm"),
    ("video/quicktime", ".mov"),
    ("video/x-msvideo", ".avi"),
    ("video/x-matroska", ".mkv"),
    ("video/x-flv", ".flv"),
    ("video/mpeg", ".mpeg"),
    ("video/x-ms-asf", ".asf"),
    ("text/plain", ".txt"),
    ("text/html", ".html"),
    ("text/xml", ".xml"),
    ("text/csv", ".csv"),
    ("text/tab-separated-values", ".tsv"),
    ("text/rtf", ".rtf"),
    ("application/json", ".json"),
];

/// The binary signatures mimetype checks before text, written out for the common formats
/// (in mimetype's order where it matters: ZIP, then PDF, then the images).
fn detect_binary(raw: &[u8]) -> Option<&'static str> {
    if is_zip(raw) {
        return Some(zip_subtype(raw));
    }
    if contains(&raw[..raw.len().min(1024)], b"%PDF-") {
        return Some("application/pdf");
    }
    if raw.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(ole_subtype(raw));
    }
    if raw.starts_with(b"%!PS-Adobe-") {
        return Some("application/postscript");
    }
    if raw.starts_with(b"OggS\x00") {
        let at28 = raw.get(28..).filter(|_| raw.len() >= 37).unwrap_or(&[]);
        let any = |sigs: &[&[u8]]| sigs.iter().any(|s| at28.starts_with(s));
        return Some(
            if any(&[b"\x7fFLAC", b"\x01vorbis", b"OpusHead", b"Speex   "]) {
                "audio/ogg"
            } else if any(&[b"\x80theora", b"fishead\x00", b"\x01video\x00\x00\x00"]) {
                "video/ogg"
            } else {
                "application/ogg"
            },
        );
    }
    if raw.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some(if raw.get(37..41) == Some(b"acTL") {
            "image/vnd.mozilla.apng"
        } else {
            "image/png"
        });
    }
    if raw.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if raw.starts_with(b"GIF87a") || raw.starts_with(b"GIF89a") {
        return Some("image/gif");
    }
    if raw.len() > 12 && &raw[0..4] == b"RIFF" && &raw[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    if raw.starts_with(&[0x49, 0x49, 0x2A, 0x00]) || raw.starts_with(&[0x4D, 0x4D, 0x00, 0x2A]) {
        return Some("image/tiff");
    }
    if is_bmp(raw) {
        return Some("image/bmp");
    }
    if raw.starts_with(&[0, 0, 1, 0]) || raw.starts_with(&[0, 0, 2, 0]) {
        return Some("image/x-icon");
    }
    None
}

fn is_zip(raw: &[u8]) -> bool {
    raw.len() > 3
        && raw[0] == 0x50
        && raw[1] == 0x4B
        && matches!(raw[2], 0x3 | 0x5 | 0x7)
        && matches!(raw[3], 0x4 | 0x6 | 0x8)
}

/// mimetype's walk over the names of a ZIP's local file headers (a linear search for
/// `PK\3\4`, as mimetype does, not the central directory).
struct ZipNames<'a>(&'a [u8]);

impl<'a> Iterator for ZipNames<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let n = find(self.0, b"PK\x03\x04")?;
        let b = self.0.get(n + 0x1A..)?;
        let len = usize::from(u16::from_le_bytes([*b.first()?, *b.get(1)?]));
        let b = b.get(4..)?;
        self.0 = b;
        let name = b.get(..len)?;
        if name.is_empty() {
            self.0 = &[];
            return None;
        }
        Some(name)
    }
}

/// mimetype's `msoxml`: an entry under `dir` among the first 100, the first entry being one
/// an Office document starts with.
fn ms_office_xml(raw: &[u8], dir: &[u8]) -> bool {
    for (i, name) in ZipNames(raw).take(100).enumerate() {
        if name.starts_with(dir) {
            return true;
        }
        if i == 0
            && name != b"[Content_Types].xml"
            && !name.starts_with(b"_rels/")
            && !name.starts_with(b"docProps/")
            && !name.starts_with(b"customXml/")
            && !name.starts_with(b"[trash]/")
        {
            return false;
        }
    }
    false
}

/// mimetype's ZIP children, in its order.
fn zip_subtype(raw: &[u8]) -> &'static str {
    if ms_office_xml(raw, b"word/") {
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    }
    if ms_office_xml(raw, b"ppt/") {
        return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
    }
    if ms_office_xml(raw, b"xl/") {
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    }
    let at30 = raw.get(30..).unwrap_or(&[]);
    if at30.starts_with(b"mimetypeapplication/epub+zip") {
        return "application/epub+zip";
    }
    const APK: &[&[u8]] = &[
        b"AndroidManifest.xml",
        b"META-INF/com/android/build/gradle/app-metadata.properties",
        b"classes.dex",
        b"resources.arsc",
        b"res/drawable",
    ];
    if ZipNames(raw).take(100).any(|n| APK.contains(&n)) {
        return "application/vnd.android.package-archive";
    }
    if executable_jar(raw)
        || ZipNames(raw)
            .next()
            .is_some_and(|n| n == b"META-INF/" || n == b"META-INF/MANIFEST.MF")
    {
        return "application/java-archive";
    }
    // An OpenDocument's first entry is `mimetype`, stored, holding its type.
    const OPEN_DOCUMENT: &[&str] = &[
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.graphics",
        "application/vnd.oasis.opendocument.formula",
        "application/vnd.oasis.opendocument.chart",
        "application/vnd.sun.xml.calc",
    ];
    if let Some(declared) = at30.strip_prefix(b"mimetype") {
        for mime in OPEN_DOCUMENT {
            if let Some(rest) = declared.strip_prefix(mime.as_bytes()) {
                return match (rest.starts_with(b"-template"), *mime) {
                    (true, "application/vnd.oasis.opendocument.text") => {
                        "application/vnd.oasis.opendocument.text-template"
                    }
                    (true, "application/vnd.oasis.opendocument.spreadsheet") => {
                        "application/vnd.oasis.opendocument.spreadsheet-template"
                    }
                    (true, "application/vnd.oasis.opendocument.presentation") => {
                        "application/vnd.oasis.opendocument.presentation-template"
                    }
                    (true, "application/vnd.oasis.opendocument.graphics") => {
                        "application/vnd.oasis.opendocument.graphics-template"
                    }
                    _ => mime,
                };
            }
        }
    }
    if ZipNames(raw).take(100).any(|n| n == b"doc.kml") {
        return "application/vnd.google-earth.kmz";
    }
    if ms_office_xml(raw, b"visio/") {
        return "application/vnd.ms-visio.drawing.main+xml";
    }
    "application/zip"
}

/// A JAR whose first entry carries the `0xCAFE` extra field (`jexec` executables).
fn executable_jar(raw: &[u8]) -> bool {
    let Some(b) = raw.get(0x1A..0x1C) else {
        return false;
    };
    let at = 0x1C + usize::from(u16::from_le_bytes([b[0], b[1]])) + 2;
    raw.get(at..at + 2) == Some(&[0xFE, 0xCA])
}

/// mimetype's OLE children (by the root entry's CLSID, or Excel/PowerPoint sub-headers),
/// else `application/x-ole-storage`.
fn ole_subtype(raw: &[u8]) -> &'static str {
    const TAIL: [u8; 8] = [0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46];
    let clsid = |head: [u8; 8]| {
        let mut full = [0u8; 16];
        full[..8].copy_from_slice(&head);
        full[8..].copy_from_slice(&TAIL);
        ole_clsid_is(raw, &full)
    };
    if clsid([0x84, 0x10, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00]) {
        return "application/x-ms-installer";
    }
    if clsid([0x0B, 0x0D, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00]) {
        return "application/vnd.ms-outlook";
    }
    let at512 = raw.get(512..).unwrap_or(&[]);
    let from_1152 =
        |needle: &[u8]| raw.len() > 1152 && contains(&raw[1152..raw.len().min(4096)], needle);
    let xls = ole_clsid_is(raw, &[0x10, 0x08, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00])
        || ole_clsid_is(raw, &[0x20, 0x08, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00])
        || (raw.len() >= 520
            && ([
                &[0x09, 0x08, 0x10, 0x00, 0x00, 0x06, 0x05, 0x00][..],
                &[0xFD, 0xFF, 0xFF, 0xFF, 0x10],
                &[0xFD, 0xFF, 0xFF, 0xFF, 0x1F],
                &[0xFD, 0xFF, 0xFF, 0xFF, 0x22],
                &[0xFD, 0xFF, 0xFF, 0xFF, 0x23],
                &[0xFD, 0xFF, 0xFF, 0xFF, 0x28],
                &[0xFD, 0xFF, 0xFF, 0xFF, 0x29],
            ]
            .iter()
            .any(|h| at512.starts_with(h))
                || from_1152(b"W\x00k\x00s\x00S\x00S\x00W\x00o\x00r\x00k\x00B\x00o\x00o\x00k")));
    if xls {
        return "application/vnd.ms-excel";
    }
    if clsid([0x01, 0x12, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00]) {
        return "application/vnd.ms-publisher";
    }
    let ppt = ole_clsid_is(
        raw,
        &[0x10, 0x8d, 0x81, 0x64, 0x9b, 0x4f, 0xcf, 0x11, 0x86, 0xea, 0x00, 0xaa, 0x00, 0xb9, 0x29, 0xe8],
    ) || ole_clsid_is(
        raw,
        &[0x70, 0xae, 0x7b, 0xea, 0x3b, 0xfb, 0xcd, 0x11, 0xa9, 0x03, 0x00, 0xaa, 0x00, 0x51, 0x0e, 0xa3],
    ) || (raw.len() >= 520
        && ([&[0xA0, 0x46, 0x1D, 0xF0][..], &[0x00, 0x6E, 0x1E, 0xF0], &[0x0F, 0x00, 0xE8, 0x03]]
            .iter()
            .any(|h| at512.starts_with(h))
            || (at512.starts_with(&[0xFD, 0xFF, 0xFF, 0xFF]) && raw[518] == 0 && raw[519] == 0)
            || from_1152(
                b"P\x00o\x00w\x00e\x00r\x00P\x00o\x00i\x00n\x00t\x00 D\x00o\x00c\x00u\x00m\x00e\x00n\x00t",
            )));
    if ppt {
        return "application/vnd.ms-powerpoint";
    }
    if [0x06u8, 0x00, 0x07]
        .iter()
        .any(|&b0| clsid([b0, 0x09, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00]))
    {
        return "application/msword";
    }
    "application/x-ole-storage"
}

/// Whether the CLSID of an OLE file's root directory entry starts with `clsid`.
fn ole_clsid_is(raw: &[u8], clsid: &[u8]) -> bool {
    if raw.len() < 512 {
        return false;
    }
    let sector = if raw[26] == 0x04 && raw[27] == 0x00 {
        4096
    } else {
        512
    };
    let first = u32::from_le_bytes([raw[48], raw[49], raw[50], raw[51]]) as usize;
    let Some(offset) = first
        .checked_add(1)
        .and_then(|n| n.checked_mul(sector))
        .and_then(|n| n.checked_add(80))
    else {
        return false;
    };
    raw.len() > offset + 16 && raw[offset..].starts_with(clsid)
}

fn is_bmp(raw: &[u8]) -> bool {
    if raw.len() < 18 || raw[0] != b'B' || raw[1] != b'M' {
        return false;
    }
    let format = u32::from_le_bytes([raw[14], raw[15], raw[16], raw[17]]);
    matches!(format, 48 | 24 | 16 | 64 | 52 | 56 | 40 | 124 | 108)
}

/// A binary format `infer` recognises, in mimetype's spelling; `None` for the ones mimetype
/// does not know (or knows under a check too different to trust).
fn detect_infer(raw: &[u8]) -> Option<&'static str> {
    let t = infer::get(raw)?;
    if t.matcher_type() == infer::MatcherType::Text {
        return None;
    }
    Some(match (t.mime_type(), t.extension()) {
        ("application/font-woff", "woff2") => "font/woff2",
        ("application/font-woff", _) => "font/woff",
        ("application/font-sfnt", "otf") => "font/otf",
        ("application/font-sfnt", _) => "font/ttf",
        ("application/octet-stream", "eot") => "application/vnd.ms-fontobject",
        ("audio/x-flac", _) => "audio/flac",
        ("audio/x-wav", _) => "audio/wav",
        ("audio/x-aiff", _) => "audio/aiff",
        ("audio/m4a", _) => "audio/x-m4a",
        ("audio/x-ape", _) => "audio/ape",
        // mimetype's Ogg check (`OggS\0`) is ours, in `detect_binary`.
        ("audio/opus" | "audio/ogg", _) => return None,
        ("video/x-ms-wmv", _) => "video/x-ms-asf",
        ("image/vnd.microsoft.icon", _) => "image/x-icon",
        ("image/vnd.ms-photo", _) => "image/jxr",
        ("image/x-canon-cr2", _) => "image/tiff",
        ("application/vnd.rar", _) => "application/x-rar-compressed",
        ("application/java", _) => "application/x-java-applet",
        ("application/x-google-chrome-extension", _) => "application/x-chrome-extension",
        ("application/x-nintendo-nes-rom", _) => "application/vnd.nintendo.snes.rom",
        ("application/x-unix-archive", _) => "application/x-archive",
        ("application/x-lzip", _) => "application/lzip",
        ("application/rtf", _) => "text/rtf",
        (m, _) => MIME_EXTENSIONS.iter().find(|(k, _)| *k == m)?.0,
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

// --- text ---

const BOMS: &[(&[u8], &str)] = &[
    (&[0xEF, 0xBB, 0xBF], "utf-8"),
    (&[0x00, 0x00, 0xFE, 0xFF], "utf-32be"),
    (&[0xFF, 0xFE, 0x00, 0x00], "utf-32le"),
    (&[0xFE, 0xFF], "utf-16be"),
    (&[0xFF, 0xFE], "utf-16le"),
];

fn charset_from_bom(raw: &[u8]) -> Option<&'static str> {
    BOMS.iter()
        .find(|(bom, _)| raw.starts_with(bom))
        .map(|(_, enc)| *enc)
}

/// mimetype's `Text`: a BOM, or no binary data byte (WHATWG mimesniff) in the first 4 KiB.
fn is_text(raw: &[u8]) -> bool {
    if charset_from_bom(raw).is_some() {
        return true;
    }
    !raw[..raw.len().min(4096)].iter().any(|&b| {
        b <= 0x08 || b == 0x0B || (0x0E..=0x1A).contains(&b) || (0x1C..=0x1F).contains(&b)
    })
}

fn detect_text(raw: &[u8]) -> String {
    let head = &raw[..raw.len().min(1024)];
    let with_charset = |mime: &str, charset: String| {
        if charset.is_empty() {
            mime.to_string()
        } else {
            format!("{mime}; charset={charset}")
        }
    };
    if is_svg(raw) {
        return "image/svg+xml".into();
    }
    if is_html(raw) {
        let cs = charset_from_bom(head)
            .map(str::to_string)
            .or_else(|| charset_from_html_meta(head))
            .unwrap_or_else(|| charset_from_plain(head).to_string());
        return with_charset("text/html", cs);
    }
    if markup_starts_with(raw, b"<?XML") {
        let cs = charset_from_xml_declaration(head)
            .unwrap_or_else(|| charset_from_plain(head).to_string());
        return with_charset("text/xml", cs);
    }
    if is_json(raw) {
        return "application/json".into();
    }
    if raw.starts_with(b"{\\rtf") {
        return "text/rtf".into();
    }
    if is_separated_values(raw, b',') {
        return "text/csv".into();
    }
    if is_separated_values(raw, b'\t') {
        return "text/tab-separated-values".into();
    }
    with_charset("text/plain", charset_from_plain(head).to_string())
}

fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0C | b'\r' | b' ')
}

fn trim_lws(mut s: &[u8]) -> &[u8] {
    while let Some((&b, rest)) = s.split_first() {
        if !is_ws(b) {
            break;
        }
        s = rest;
    }
    s
}

/// Skips one `<!-- … -->` comment at the start of `s`.
fn skip_comment(s: &[u8]) -> Option<&[u8]> {
    if !s.starts_with(b"<!--") {
        return None;
    }
    let i = find(&s[2..], b"-->")?;
    Some(&s[2 + i + 3..])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// mimetype's `markup`: after a UTF-8 BOM and whitespace, `sig` (compared ignoring ASCII
/// case) followed by whitespace or `>`.
fn markup_starts_with(raw: &[u8], sig: &[u8]) -> bool {
    let s = trim_lws(raw.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(raw));
    s.len() > sig.len()
        && s[..sig.len()].eq_ignore_ascii_case(sig)
        && (is_ws(s[sig.len()]) || s[sig.len()] == b'>')
}

fn is_html(raw: &[u8]) -> bool {
    const TAGS: &[&[u8]] = &[
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ];
    TAGS.iter().any(|t| markup_starts_with(raw, t))
}

/// The attributes of a tag from just after its name up to its `>` (or the end):
/// `name[=value]` pairs, values quoted with `"`/`'` or bare; names lowercased.
fn tag_attributes(mut s: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    loop {
        while let Some((&b, rest)) = s.split_first() {
            if !(is_ws(b) || b == b'/') {
                break;
            }
            s = rest;
        }
        match s.first() {
            None | Some(b'>') => return out,
            _ => {}
        }
        let name_len = s
            .iter()
            .position(|&b| is_ws(b) || b == b'=' || b == b'>' || b == b'/')
            .unwrap_or(s.len())
            .max(1);
        let name = String::from_utf8_lossy(&s[..name_len]).to_ascii_lowercase();
        s = trim_lws(&s[name_len..]);
        let mut value = Vec::new();
        if s.first() == Some(&b'=') {
            s = trim_lws(&s[1..]);
            match s.first() {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = s[1..]
                        .iter()
                        .position(|&b| b == q)
                        .map_or(s.len(), |i| i + 1);
                    value = s[1..end].to_vec();
                    s = s.get(end + 1..).unwrap_or(&[]);
                }
                _ => {
                    let end = s
                        .iter()
                        .position(|&b| is_ws(b) || b == b'>')
                        .unwrap_or(s.len());
                    value = s[..end].to_vec();
                    s = &s[end..];
                }
            }
        }
        out.push((name, value));
    }
}

/// mimetype's `Svg`: an `<svg` root (after whitespace and comments) declaring the SVG
/// namespace, or an XML declaration with a `version` and `<svg` somewhere after it.
fn is_svg(raw: &[u8]) -> bool {
    let mut s = trim_lws(raw);
    if s.starts_with(b"<?xml") {
        let decl = &s[5..];
        let has_version = tag_attributes(decl).iter().any(|(n, _)| n == "version");
        return has_version && contains(decl, b"<svg");
    }
    while let Some(rest) = skip_comment(s) {
        s = rest;
    }
    if !s.starts_with(b"<svg") {
        return false;
    }
    tag_attributes(&s[4..])
        .iter()
        .any(|(n, v)| n == "xmlns" && v.as_slice() == b"http://www.w3.org/2000/svg")
}

/// The charset a `<meta charset>` or `<meta http-equiv="content-type" content="…;
/// charset=…">` before `<body` declares.
fn charset_from_html_meta(head: &[u8]) -> Option<String> {
    let body = find_ignore_case(head, b"<body").unwrap_or(head.len());
    let mut s = &head[..body];
    while let Some(i) = find_ignore_case(s, b"<meta") {
        s = &s[i + 5..];
        if !s.first().is_some_and(|&b| is_ws(b) || b == b'/') {
            continue;
        }
        let attrs = tag_attributes(s);
        if let Some((_, v)) = attrs.iter().find(|(n, v)| n == "charset" && !v.is_empty()) {
            return Some(String::from_utf8_lossy(v).into_owned());
        }
        let pragma = attrs
            .iter()
            .any(|(n, v)| n == "http-equiv" && v.eq_ignore_ascii_case(b"content-type"));
        let from_content = attrs
            .iter()
            .find(|(n, _)| n == "content")
            .and_then(|(_, v)| charset_from_meta_content(v));
        if let (true, Some(cs)) = (pragma, from_content) {
            return Some(cs);
        }
    }
    None
}

/// WHATWG's "extracting a character encoding from a meta element".
fn charset_from_meta_content(mut s: &[u8]) -> Option<String> {
    loop {
        let i = find_ignore_case(s, b"charset")?;
        s = trim_lws(&s[i + 7..]);
        let Some(rest) = s.strip_prefix(b"=") else {
            continue;
        };
        s = trim_lws(rest);
        let value = match s.first()? {
            &q @ (b'"' | b'\'') => {
                let v = &s[1..];
                &v[..v.iter().position(|&b| b == q).unwrap_or(v.len())]
            }
            _ => {
                &s[..s
                    .iter()
                    .position(|&b| b == b';' || is_ws(b))
                    .unwrap_or(s.len())]
            }
        };
        let v = String::from_utf8_lossy(value).trim().to_string();
        return (!v.is_empty()).then_some(v);
    }
}

/// The `encoding` of an `<?xml …?>` declaration.
fn charset_from_xml_declaration(head: &[u8]) -> Option<String> {
    let i = find(head, b"<?xml")?;
    tag_attributes(&head[i + 5..])
        .into_iter()
        .find(|(n, v)| n == "encoding" && !v.is_empty())
        .map(|(_, v)| String::from_utf8_lossy(&v).into_owned())
}

/// mimetype's `charset.FromPlain`: the BOM's, `utf-8` for ASCII or valid UTF-8 (a character
/// cut at the end forgiven), `iso-8859-1`/`windows-1252` for Latin-1 text, else none.
fn charset_from_plain(content: &[u8]) -> &'static str {
    if content.is_empty() {
        return "";
    }
    if let Some(cs) = charset_from_bom(content) {
        return cs;
    }
    // A character the 1 KiB window cut is forgiven.
    let mut utf8_part = content;
    for i in (content.len().saturating_sub(3)..content.len()).rev() {
        let b = content[i];
        if b < 0x80 {
            break;
        }
        if b & 0xC0 != 0x80 {
            utf8_part = &content[..i];
            break;
        }
    }
    if utf8_part.iter().any(|&b| b >= 0x80) && std::str::from_utf8(utf8_part).is_ok() {
        return "utf-8";
    }
    if content.iter().all(|&b| text_char(b) == TextChar::Ascii) {
        return "utf-8";
    }
    let mut has_control = false;
    for &b in content {
        match text_char(b) {
            TextChar::Ascii | TextChar::Iso => {}
            _ => return "",
        }
        if (0x80..=0x9F).contains(&b) {
            has_control = true;
        }
    }
    if has_control {
        "windows-1252"
    } else {
        "iso-8859-1"
    }
}

#[derive(PartialEq, Eq)]
enum TextChar {
    Never,
    Ascii,
    Iso,
    Extended,
}

/// libmagic's `text_chars` table, as mimetype has it.
fn text_char(b: u8) -> TextChar {
    match b {
        0x07..=0x0D | 0x1B | 0x20..=0x7E | 0x85 => TextChar::Ascii,
        0x80..=0x9F => TextChar::Extended,
        0xA0..=0xFF => TextChar::Iso,
        _ => TextChar::Never,
    }
}

/// mimetype's `JSON`: an object or array that parses to the end, or (when the input filled
/// the sniff window) that has no error before the window's end.
fn is_json(raw: &[u8]) -> bool {
    let first = trim_lws(raw).first();
    if !matches!(first, Some(b'{' | b'[')) {
        return false;
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(raw) {
        Ok(_) => true,
        Err(e) => raw.len() >= SNIFF_LEN && e.is_eof(),
    }
}

/// mimetype's `CSV`/`TSV`: a header of at least 2 fields, then lines of as many (blank and
/// `#` lines skipped, quoted fields may span lines), at least 2 lines in all; a last line
/// the sniff window may have cut is dropped.
fn is_separated_values(raw: &[u8], comma: u8) -> bool {
    let mut s = raw;
    if s.len() >= SNIFF_LEN {
        match s.iter().rposition(|&b| b == b'\n') {
            Some(i) if i > 0 => s = &s[..i],
            _ => {}
        }
    }
    let mut parser = SvParser { comma, s };
    let (header, has_more) = parser.count_fields();
    if header < 2 || !has_more {
        return false;
    }
    let mut lines = 1;
    loop {
        let (fields, has_more) = parser.count_fields();
        if !has_more && fields == 0 {
            break;
        }
        lines += 1;
        if fields != header {
            return false;
        }
        if lines >= 10 {
            return true;
        }
    }
    lines >= 2
}

/// mimetype's field-counting CSV parser (`encoding/csv` rules, comment `#`).
struct SvParser<'a> {
    comma: u8,
    s: &'a [u8],
}

impl<'a> SvParser<'a> {
    /// The next line, `\n` included; `\r` before it (or at the very end) dropped. The flag
    /// says a `\r\n` was dropped.
    fn read_line(&mut self) -> (&'a [u8], bool) {
        let end = self
            .s
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.s.len(), |i| i + 1);
        let line = &self.s[..end];
        self.s = &self.s[end..];
        let n = line.len();
        if n > 0 && line[n - 1] == b'\r' {
            return (&line[..n - 1], false);
        }
        if n >= 2 && line[n - 2] == b'\r' && line[n - 1] == b'\n' {
            return (&line[..n - 2], true);
        }
        (line, false)
    }

    fn count_fields(&mut self) -> (usize, bool) {
        let ends_nl = |l: &[u8]| usize::from(l.last() == Some(&b'\n'));
        let mut finished = false;
        let (mut line, mut cut_short);
        loop {
            (line, cut_short) = self.read_line();
            if finished {
                return (0, false);
            }
            finished = self.s.is_empty() && line.is_empty();
            if line.len() == ends_nl(line) || line.first() == Some(&b'#') {
                continue;
            }
            break;
        }
        let mut fields = 0;
        'field: loop {
            if line.first() != Some(&b'"') {
                fields += 1;
                match line.iter().position(|&b| b == self.comma) {
                    Some(i) => {
                        line = &line[i + 1..];
                        continue 'field;
                    }
                    None => break 'field,
                }
            }
            line = &line[1..];
            loop {
                if let Some(i) = line.iter().position(|&b| b == b'"') {
                    line = &line[i + 1..];
                    match line.first() {
                        Some(&b'"') => line = &line[1..],
                        Some(&c) if c == self.comma => {
                            line = &line[1..];
                            fields += 1;
                            continue 'field;
                        }
                        _ if line.len() == ends_nl(line) => {
                            fields += 1;
                            break 'field;
                        }
                        _ => {}
                    }
                } else if !line.is_empty() || cut_short {
                    (line, cut_short) = self.read_line();
                } else {
                    fields += 1;
                    break 'field;
                }
            }
        }
        (fields, fields != 0)
    }
}

// ---------------------------------------------------------------------------------------------
// Serving
// ---------------------------------------------------------------------------------------------

/// Whether a file of this (stored) content type is served `inline` rather than as an
/// attachment (an exact match in [`INLINE_CONTENT_TYPES`], parameters and case included).
pub fn inline_content_type(content_type: &str) -> bool {
    INLINE_CONTENT_TYPES.contains(&content_type)
}

/// The `Content-Type` a stored file is served with: by the extension of its key or name
/// (Go's `filepath.Ext`: from the last dot of the last path element, case-sensitive) for the
/// few types browsers need exactly (`.svg`, `.css`, `.js`, `.mjs`, `.xlsx`, `.docx`,
/// `.pptx`), else the stored (`real`) type.
pub fn served_content_type(key_or_name: &str, real: &str) -> String {
    let last = key_or_name.rsplit('/').next().unwrap_or("");
    let ext = last.rfind('.').map_or("", |i| &last[i..]);
    MANUAL_EXTENSION_CONTENT_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map_or(real, |(_, ct)| ct)
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Thumbs
// ---------------------------------------------------------------------------------------------

/// Where a `Fill` thumb's crop is taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// `WxH`: the middle.
    Center,
    /// `WxHt`: the top edge (centred horizontally).
    Top,
    /// `WxHb`: the bottom edge (centred horizontally).
    Bottom,
}

/// How a thumb is made from the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThumbMode {
    /// Scale to cover `width`×`height`, then crop to it (up-scaling too).
    Fill(Anchor),
    /// `WxHf`: scale down, keeping the aspect ratio, to fit inside `width`×`height`; an image
    /// that already fits is left as it is.
    Fit,
    /// `0xH` / `Wx0` (whatever the suffix): scale to the given side, the other keeping the
    /// aspect ratio (up-scaling too).
    Resize,
}

/// A parsed thumb size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThumbSize {
    /// Width in pixels; 0 (only with [`ThumbMode::Resize`]) to follow the aspect ratio.
    pub width: u32,
    /// Height in pixels; 0 (only with [`ThumbMode::Resize`]) to follow the aspect ratio.
    pub height: u32,
    /// How the thumb is made.
    pub mode: ThumbMode,
}

/// Parses a thumb size as PocketBase's `createThumb` does: `^(\d+)x(\d+)(t|b|f)?$` (ASCII
/// digits, leading zeros allowed); `None` if it doesn't match, if both sides are 0, or if a
/// side doesn't fit a `u32` (PocketBase would try and fail to make such a thumb, then serve
/// the original). A 0 side means [`ThumbMode::Resize`] whatever the suffix.
pub fn parse_thumb_size(s: &str) -> Option<ThumbSize> {
    let (w, rest) = s.split_once('x')?;
    let (h, suffix) = match rest.as_bytes().last() {
        Some(b't' | b'b' | b'f') => rest.split_at(rest.len() - 1),
        _ => (rest, ""),
    };
    let side = |d: &str| -> Option<u32> {
        if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        d.parse().ok()
    };
    let (width, height) = (side(w)?, side(h)?);
    let mode = match (width, height, suffix) {
        (0, 0, _) => return None,
        (0, _, _) | (_, 0, _) => ThumbMode::Resize,
        (_, _, "f") => ThumbMode::Fit,
        (_, _, "t") => ThumbMode::Fill(Anchor::Top),
        (_, _, "b") => ThumbMode::Fill(Anchor::Bottom),
        _ => ThumbMode::Fill(Anchor::Center),
    };
    Some(ThumbSize {
        width,
        height,
        mode,
    })
}

/// The storage key of a file's thumb: `{record_dir}/thumbs_{filename}/{size}_{filename}`
/// (`size` as requested, e.g. `100x100t`).
pub fn thumb_key(record_dir: &str, filename: &str, size: &str) -> String {
    format!("{record_dir}/thumbs_{filename}/{size}_{filename}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const R: &str = "r123456789";
    const S: &str = "s123456789";

    fn norm(name: &str) -> String {
        normalize_name(name, R, S, None)
    }

    #[test]
    fn base_name_is_go_multipart_filename() {
        assert_eq!(base_name(""), "");
        assert_eq!(base_name("a.png"), "a.png");
        assert_eq!(base_name("../../etc/passwd"), "passwd");
        assert_eq!(base_name("/abs/dir/x.png"), "x.png");
        assert_eq!(base_name("dir/"), "dir");
        assert_eq!(base_name("dir//"), "dir");
        assert_eq!(base_name("/"), "/");
        assert_eq!(base_name("///"), "/");
        assert_eq!(base_name(r"..\..\x.png"), r"..\..\x.png");
        assert_eq!(base_name(".."), "..");
    }

    #[test]
    fn snakecase_is_pocketbase_inflector() {
        assert_eq!(snakecase("myTestDB"), "my_test_db");
        assert_eq!(snakecase("My File"), "my_file");
        assert_eq!(snakecase("hello_world"), "hello_world");
        assert_eq!(snakecase("__a__b__"), "a_b");
        assert_eq!(snakecase("ABC"), "abc");
        assert_eq!(snakecase("aBC"), "a_bc");
        assert_eq!(snakecase("HTMLParser"), "htmlparser");
        assert_eq!(snakecase("file1A"), "file1_a");
        assert_eq!(snakecase("Über straße"), "ber_stra_e");
        assert_eq!(snakecase("名前"), "");
        assert_eq!(snakecase(" - "), "");
        assert_eq!(snakecase(""), "");
    }

    #[test]
    fn normalize_examples() {
        // The extension keeps its case; the name is snake-cased.
        assert_eq!(norm("My File.PNG"), "my_file_r123456789.PNG");
        // Two trailing parts are the extension, whatever they are.
        assert_eq!(norm("a.b.c.txt"), "a_b_r123456789.c.txt");
        assert_eq!(norm("x.tar.gz"), "xs123456789_r123456789.tar.gz");
        assert_eq!(
            norm("HTMLParser v2.tar.gz"),
            "htmlparser_v2_r123456789.tar.gz"
        );
        assert_eq!(norm("myTestDB.txt"), "my_test_db_r123456789.txt");
        assert_eq!(norm("..png"), "s123456789_r123456789.png");
        assert_eq!(norm(".hidden"), "s123456789_r123456789.hidden");
        assert_eq!(norm("ok"), "oks123456789_r123456789");
        assert_eq!(norm("abc"), "abc_r123456789");
        assert_eq!(norm("名前.jpg"), "s123456789_r123456789.jpg");
        assert_eq!(norm("résumé.pdf"), "r_sum_r123456789.pdf");
        assert_eq!(norm("photo.jp g"), "photo_r123456789.jpg");
        assert_eq!(norm("a b.we?ird"), "a_b_r123456789.weird");
        assert_eq!(norm("x.+=#*-_"), "xs123456789_r123456789.+=#*-_");
        assert_eq!(norm("name."), "name_r123456789");
        assert_eq!(norm(""), "s123456789_r123456789");
        assert_eq!(norm("."), "s123456789_r123456789");
        assert_eq!(norm("/"), "s123456789_r123456789");
    }

    #[test]
    fn normalize_path_traversal() {
        // Go's multipart keeps only the last `/` element.
        assert_eq!(norm("../../etc/passwd"), "passwd_r123456789");
        assert_eq!(norm("../../x.png"), "xs123456789_r123456789.png");
        assert_eq!(norm("/etc/shadow."), "shadow_r123456789");
        // A backslash is no separator on Linux: it is filtered out instead.
        assert_eq!(norm(r"..\..\evil.png"), "s123456789_r123456789.evil.png");
        assert_eq!(
            norm(r"C:\Users\me\pic.jpg"),
            "c_users_me_pic_r123456789.jpg"
        );
        assert_eq!(norm(".."), "s123456789_r123456789");
        assert_eq!(norm("...."), "s123456789_r123456789");
    }

    #[test]
    fn normalize_sniffed_extension_only_without_one() {
        let n = |name: &str, ext: &str| normalize_name(name, R, S, Some(ext));
        assert_eq!(n("ok", ".txt"), "oks123456789_r123456789.txt");
        assert_eq!(n("image", ".png"), "image_r123456789.png");
        assert_eq!(n("image", "png"), "image_r123456789.png");
        assert_eq!(n("image", ""), "image_r123456789");
        assert_eq!(n("image.", ".png"), "image_r123456789.png");
        assert_eq!(n("image.?", ".png"), "image_r123456789.png");
        assert_eq!(n("image.jpg", ".png"), "image_r123456789.jpg");
        assert_eq!(n("../../etc/passwd", ".txt"), "passwd_r123456789.txt");
        assert_eq!(n("x", "./evil"), "xs123456789_r123456789.evil");
    }

    #[test]
    fn normalize_lengths() {
        let long = "a".repeat(150);
        assert_eq!(
            norm(&format!("{long}.txt")),
            format!("{}_r123456789.txt", "a".repeat(100))
        );
        // An extension over 20 bytes keeps its last 20.
        assert_eq!(
            norm("x.abcdefghijklmnopqrstuvwxyz"),
            "xs123456789_r123456789.ghijklmnopqrstuvwxyz"
        );
        assert_eq!(
            norm("name.aaaaaaaaaa.bbbbbbbbbbbbbbbbbbbb"),
            "name_r123456789.bbbbbbbbbbbbbbbbbbbb"
        );
        // Only the last 300 bytes are looked at, even inside a character.
        let name = format!("{}{}.jpeg", "keep".repeat(100), "é".repeat(200));
        assert_eq!(norm(&name), "s123456789_r123456789.jpeg");
        let name = format!("{}x{}.png", "é".repeat(300), "y".repeat(10));
        assert_eq!(norm(&name), "xyyyyyyyyyy_r123456789.png");
    }

    #[test]
    fn normalize_random_parts_are_filtered() {
        assert_eq!(
            normalize_name("ab", "../x/", "./y", Some(".png")),
            "aby_x.png"
        );
    }

    proptest! {
        #[test]
        fn normalized_names_are_safe(name in ".{0,400}", ext in proptest::option::of(".{0,30}")) {
            let out = normalize_name(&name, R, S, ext.as_deref());
            prop_assert!(!out.contains('/') && !out.contains('\\'), "{out}");
            prop_assert!(!out.starts_with('.'), "{out}");
            prop_assert!(out.is_ascii(), "{out}");
            prop_assert!(out.contains("_r123456789"), "{out}");
            prop_assert!(out.len() <= 100 + 10 + 1 + 21, "{out}");
        }

        #[test]
        fn detect_mime_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4000)) {
            let m = detect_mime(&bytes);
            prop_assert!(!m.is_empty());
        }
    }

    // --- content types ---

    fn png_head(second_chunk: &[u8; 4]) -> Vec<u8> {
        let mut v = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        v.extend_from_slice(&13u32.to_be_bytes());
        v.extend_from_slice(b"IHDR");
        v.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
        v.extend_from_slice(&[0; 4]); // crc
        v.extend_from_slice(&8u32.to_be_bytes());
        v.extend_from_slice(second_chunk);
        v.extend_from_slice(&[0; 12]);
        v
    }

    /// A ZIP local file header for `name` followed by some content.
    fn zip_entry(name: &str, content: &[u8]) -> Vec<u8> {
        let mut v = b"PK\x03\x04".to_vec();
        v.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method, time, date
        v.extend_from_slice(&[0; 4]); // crc
        v.extend_from_slice(&(content.len() as u32).to_le_bytes());
        v.extend_from_slice(&(content.len() as u32).to_le_bytes());
        v.extend_from_slice(&(name.len() as u16).to_le_bytes());
        v.extend_from_slice(&0u16.to_le_bytes());
        v.extend_from_slice(name.as_bytes());
        v.extend_from_slice(content);
        v
    }

    #[test]
    fn detects_images() {
        assert_eq!(detect_mime(&png_head(b"IDAT")), "image/png");
        assert_eq!(detect_mime(&png_head(b"acTL")), "image/vnd.mozilla.apng");
        assert_eq!(
            detect_mime(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            "image/jpeg"
        );
        assert_eq!(detect_mime(b"GIF89a\x01\x00\x01\x00"), "image/gif");
        assert_eq!(detect_mime(b"GIF87a\x01\x00\x01\x00"), "image/gif");
        assert_eq!(
            detect_mime(b"RIFF\x24\x00\x00\x00WEBPVP8 \x00"),
            "image/webp"
        );
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 12]);
        bmp.extend_from_slice(&40u32.to_le_bytes());
        assert_eq!(detect_mime(&bmp), "image/bmp");
        assert_eq!(detect_mime(b"II*\x00\x08\x00\x00\x00"), "image/tiff");
        assert_eq!(detect_mime(&[0, 0, 1, 0, 1, 0, 16, 16]), "image/x-icon");
    }

    #[test]
    fn detects_svg() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="1"><rect/></svg>"#;
        assert_eq!(detect_mime(svg), "image/svg+xml");
        let svg = b"\n  <!-- a comment --><svg width='2' xmlns='http://www.w3.org/2000/svg'/>";
        assert_eq!(detect_mime(svg), "image/svg+xml");
        let svg = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE svg>\n<svg><g/></svg>";
        assert_eq!(detect_mime(svg), "image/svg+xml");
        // No namespace and no XML declaration: not SVG to mimetype.
        assert_eq!(detect_mime(b"<svg><g/></svg>"), "text/plain; charset=utf-8");
    }

    #[test]
    fn detects_documents_and_archives() {
        assert_eq!(
            detect_mime(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"),
            "application/pdf"
        );
        // Anywhere in the first KiB, before any other check.
        let mut pdf = vec![b' '; 500];
        pdf.extend_from_slice(b"%PDF-1.4");
        assert_eq!(detect_mime(&pdf), "application/pdf");
        assert_eq!(
            detect_mime(&zip_entry("hello.txt", b"hi")),
            "application/zip"
        );
        let mut docx = zip_entry("[Content_Types].xml", b"<Types/>");
        docx.extend(zip_entry("word/document.xml", b"<w/>"));
        assert_eq!(
            detect_mime(&docx),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        let mut xlsx = zip_entry("_rels/.rels", b"<r/>");
        xlsx.extend(zip_entry("xl/workbook.xml", b"<w/>"));
        assert_eq!(
            detect_mime(&xlsx),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let mut not_office = zip_entry("readme.md", b"#");
        not_office.extend(zip_entry("word/document.xml", b"<w/>"));
        assert_eq!(detect_mime(&not_office), "application/zip");
        assert_eq!(
            detect_mime(&zip_entry("mimetype", b"application/epub+zip")),
            "application/epub+zip"
        );
        assert_eq!(
            detect_mime(&zip_entry(
                "mimetype",
                b"application/vnd.oasis.opendocument.text"
            )),
            "application/vnd.oasis.opendocument.text"
        );
        assert_eq!(
            detect_mime(&zip_entry(
                "mimetype",
                b"application/vnd.oasis.opendocument.text-template"
            )),
            "application/vnd.oasis.opendocument.text-template"
        );
        assert_eq!(
            detect_mime(&zip_entry("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0")),
            "application/java-archive"
        );
        let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert_eq!(detect_mime(&ole), "application/x-ole-storage");
        // A Word document: the root entry's CLSID in the first directory sector.
        let mut doc = vec![0u8; 1200];
        doc[..8].copy_from_slice(&ole[..8]);
        doc[48..52].copy_from_slice(&0u32.to_le_bytes());
        doc[512 + 80..512 + 96].copy_from_slice(&[
            0x06, 0x09, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46,
        ]);
        assert_eq!(detect_mime(&doc), "application/msword");
        assert_eq!(detect_mime(b"%!PS-Adobe-3.0\n"), "application/postscript");
        assert_eq!(
            detect_mime(&[0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0]),
            "application/gzip"
        );
    }

    #[test]
    fn detects_media_and_fonts_through_infer() {
        assert_eq!(
            detect_mime(b"ID3\x03\x00\x00\x00\x00\x00\x0f"),
            "audio/mpeg"
        );
        assert_eq!(detect_mime(b"fLaC\x00\x00\x00\x22"), "audio/flac");
        assert_eq!(detect_mime(b"\x00asm\x01\x00\x00\x00"), "application/wasm");
        assert_eq!(detect_mime(b"wOF2\x00\x01\x00\x00"), "font/woff2");
        assert_eq!(detect_mime(b"wOFF\x00\x01\x00\x00"), "font/woff");
        assert_eq!(
            detect_mime(b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"),
            "video/mp4"
        );
        let mut webm = b"\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\x82\x84webm".to_vec();
        webm.resize(300, 0);
        assert_eq!(detect_mime(&webm), "video/webm");
        let mut ogg = b"OggS\x00".to_vec();
        ogg.resize(28, 0);
        ogg.extend_from_slice(b"\x01vorbis");
        ogg.resize(40, 0);
        assert_eq!(detect_mime(&ogg), "audio/ogg");
        ogg[28] = b'x';
        assert_eq!(detect_mime(&ogg), "application/ogg");
    }

    #[test]
    fn detects_text() {
        assert_eq!(detect_mime(b"hello world\n"), "text/plain; charset=utf-8");
        assert_eq!(
            detect_mime("héllo wörld".as_bytes()),
            "text/plain; charset=utf-8"
        );
        assert_eq!(detect_mime(b"h\xe9llo"), "text/plain; charset=iso-8859-1");
        assert_eq!(
            detect_mime(b"h\x85llo \xe9"),
            "text/plain; charset=windows-1252"
        );
        assert_eq!(detect_mime(b"\xEF\xBB\xBFhi"), "text/plain; charset=utf-8");
        assert_eq!(
            detect_mime(b"\xFF\xFEh\x00i\x00"),
            "text/plain; charset=utf-16le"
        );
        assert_eq!(detect_mime(b"a\x7fb"), "text/plain");
        assert_eq!(detect_mime(b""), "text/plain");
        assert_eq!(detect_mime(b"BMW is a car"), "text/plain; charset=utf-8");
        assert_eq!(detect_mime(b"{\\rtf1\\ansi hi}"), "text/rtf");
        // The 1 KiB charset window may cut a character: forgiven.
        let mut cut = "é".as_bytes().to_vec();
        cut.extend_from_slice(&[b'a'; 1021]);
        cut.extend_from_slice("é".as_bytes());
        assert_eq!(detect_mime(&cut), "text/plain; charset=utf-8");
        // …but an otherwise ASCII text whose only high byte is the cut one is Latin-1.
        let mut cut = vec![b'a'; 1023];
        cut.extend_from_slice("é".as_bytes());
        assert_eq!(detect_mime(&cut), "text/plain; charset=iso-8859-1");
    }

    #[test]
    fn detects_markup() {
        assert_eq!(
            detect_mime(b"<!DOCTYPE html>\n<html><body>hi</body></html>"),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            detect_mime(b"  <HTML>\n<head><meta charset=\"ISO-8859-1\"></head>"),
            "text/html; charset=ISO-8859-1"
        );
        assert_eq!(
            detect_mime(
                b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"></head>"
            ),
            "text/html; charset=Shift_JIS"
        );
        assert_eq!(detect_mime(b"<p>para</p>"), "text/html; charset=utf-8");
        assert_eq!(detect_mime(b"<pre>x</pre>"), "text/plain; charset=utf-8");
        assert_eq!(
            detect_mime(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><root/>"),
            "text/xml; charset=UTF-8"
        );
        assert_eq!(
            detect_mime(b"<?xml version=\"1.0\"?><root/>"),
            "text/xml; charset=utf-8"
        );
    }

    #[test]
    fn detects_json_and_separated_values() {
        assert_eq!(
            detect_mime(br#"{"a": [1, 2, {"b": null}]}"#),
            "application/json"
        );
        assert_eq!(detect_mime(b"  [1, 2]\n"), "application/json");
        // A bare string, number or bool is not JSON to mimetype.
        assert_eq!(detect_mime(br#""str""#), "text/plain; charset=utf-8");
        assert_eq!(detect_mime(b"42"), "text/plain; charset=utf-8");
        // Incomplete: only forgiven when the sniff window was full.
        assert_eq!(detect_mime(br#"{"a": "#), "text/plain; charset=utf-8");
        let mut big = b"[".to_vec();
        while big.len() < SNIFF_LEN + 100 {
            big.extend_from_slice(b"{\"key\": \"value\"},");
        }
        assert_eq!(detect_mime(&big), "application/json");
        assert_eq!(
            detect_mime(br#"{"a": 1} trailing"#),
            "text/plain; charset=utf-8"
        );

        assert_eq!(detect_mime(b"a,b,c\n1,2,3\n4,5,6\n"), "text/csv");
        assert_eq!(detect_mime(b"a,\"b\nc\",d\n1,2,3\n"), "text/csv");
        assert_eq!(detect_mime(b"# comment\na,b\n\n1,2\n"), "text/csv");
        assert_eq!(detect_mime(b"a,b\n1,2,3\n"), "text/plain; charset=utf-8");
        assert_eq!(detect_mime(b"a,b\n"), "text/plain; charset=utf-8");
        assert_eq!(detect_mime(b"a\tb\n1\t2\n"), "text/tab-separated-values");
    }

    #[test]
    fn detects_binary_and_limits() {
        assert_eq!(detect_mime(&[0, 1, 2, 3, 4, 5]), "application/octet-stream");
        assert_eq!(detect_mime(b"hello\x00world"), "application/octet-stream");
        // Only the first SNIFF_LEN bytes count.
        let mut text = vec![b'a'; SNIFF_LEN];
        text.push(0);
        assert_eq!(detect_mime(&text), "text/plain; charset=utf-8");
        text[SNIFF_LEN - 1] = 0;
        assert_eq!(detect_mime(&text), "application/octet-stream");
    }

    #[test]
    fn mime_extensions() {
        assert_eq!(mime_extension("image/png"), ".png");
        assert_eq!(mime_extension("image/jpeg"), ".jpg");
        assert_eq!(mime_extension("text/plain; charset=utf-8"), ".txt");
        assert_eq!(mime_extension("image/svg+xml"), ".svg");
        assert_eq!(mime_extension("application/json"), ".json");
        assert_eq!(mime_extension("application/octet-stream"), "");
        assert_eq!(mime_extension("application/x-ole-storage"), "");
        assert_eq!(mime_extension("nonsense"), "");
        // Every type detect_mime answers for these heads has the extension mimetype gives it.
        for head in [
            &png_head(b"IDAT")[..],
            b"GIF89a",
            b"%PDF-1.1",
            b"x,y\n1,2\n",
        ] {
            assert!(!mime_extension(&detect_mime(head)).is_empty());
        }
    }

    // --- serving ---

    #[test]
    fn inline_types() {
        assert!(inline_content_type("image/png"));
        assert!(inline_content_type("application/pdf"));
        assert!(inline_content_type("video/mp4"));
        assert!(!inline_content_type("image/svg+xml"));
        assert!(!inline_content_type("text/plain; charset=utf-8"));
        assert!(!inline_content_type("text/html; charset=utf-8"));
        assert!(!inline_content_type("IMAGE/PNG"));
        assert!(!inline_content_type(""));
    }

    #[test]
    fn served_types() {
        let plain = "text/plain; charset=utf-8";
        assert_eq!(
            served_content_type("c/r/logo_abc.svg", plain),
            "image/svg+xml"
        );
        assert_eq!(served_content_type("style.css", plain), "text/css");
        assert_eq!(served_content_type("app.js", plain), "text/javascript");
        assert_eq!(served_content_type("app.mjs", plain), "text/javascript");
        assert_eq!(
            served_content_type("a.docx", "application/zip"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(served_content_type("a.SVG", plain), plain);
        assert_eq!(served_content_type("a.png", "image/png"), "image/png");
        assert_eq!(served_content_type("dir.svg/file", plain), plain);
        assert_eq!(served_content_type("x.tar.svg", plain), "image/svg+xml");
        assert_eq!(served_content_type("", plain), plain);
    }

    // --- thumbs ---

    fn size(width: u32, height: u32, mode: ThumbMode) -> Option<ThumbSize> {
        Some(ThumbSize {
            width,
            height,
            mode,
        })
    }

    #[test]
    fn parses_thumb_sizes() {
        use ThumbMode::*;
        assert_eq!(
            parse_thumb_size("100x100"),
            size(100, 100, Fill(Anchor::Center))
        );
        assert_eq!(
            parse_thumb_size("100x50t"),
            size(100, 50, Fill(Anchor::Top))
        );
        assert_eq!(
            parse_thumb_size("100x50b"),
            size(100, 50, Fill(Anchor::Bottom))
        );
        assert_eq!(parse_thumb_size("100x50f"), size(100, 50, Fit));
        assert_eq!(parse_thumb_size("0x50"), size(0, 50, Resize));
        assert_eq!(parse_thumb_size("50x0"), size(50, 0, Resize));
        // A zero side resizes whatever the suffix.
        assert_eq!(parse_thumb_size("0x50f"), size(0, 50, Resize));
        assert_eq!(parse_thumb_size("50x0t"), size(50, 0, Resize));
        assert_eq!(
            parse_thumb_size("007x008"),
            size(7, 8, Fill(Anchor::Center))
        );
        for bad in [
            "0x0",
            "0x0t",
            "00x000f",
            "",
            "x",
            "10x",
            "x10",
            "10x10x",
            "10X10",
            "10x10z",
            "10x10tt",
            "-1x10",
            "+1x10",
            " 10x10",
            "10x10 ",
            "1.5x10",
            "١٠x10",
            "99999999999x1",
            "10xt",
            "10x10F",
        ] {
            assert_eq!(parse_thumb_size(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn thumb_keys_and_defaults() {
        assert_eq!(
            thumb_key("pbc_123/rec1", "img_abc.png", "100x100t"),
            "pbc_123/rec1/thumbs_img_abc.png/100x100t_img_abc.png"
        );
        assert_eq!(DEFAULT_THUMB_SIZES, ["100x100"]);
        for s in DEFAULT_THUMB_SIZES {
            assert!(parse_thumb_size(s).is_some());
        }
        assert!(IMAGE_CONTENT_TYPES.contains(&"image/jpg"));
        assert!(!IMAGE_CONTENT_TYPES.contains(&"image/svg+xml"));
    }
}
