//! Settings of the HTTP layer.

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Show internal error details in 500 responses (`--dev`).
    pub dev: bool,
    /// The largest accepted request body, in bytes (PocketBase's default: 32 MiB).
    pub body_limit: usize,
    /// Allowed CORS origins; empty means any (`*`).
    pub origins: Vec<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            dev: false,
            body_limit: 32 << 20,
            origins: Vec::new(),
        }
    }
}
