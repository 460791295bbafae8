//! The crate's error.

use std::path::PathBuf;

/// Why the JS hooks could not be loaded or bound.
#[derive(Debug, thiserror::Error)]
pub enum JsvmError {
    /// A file failed to load (a syntax error, an exception at its top level), with the
    /// message and the JS stack (file and line).
    #[error("{0}")]
    Load(String),
    /// A hooks or migrations directory could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}
