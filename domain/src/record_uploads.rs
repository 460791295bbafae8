//! The files a record carries besides its field values: uploads waiting to be stored with
//! it ([`NewFile`], whose bytes are a [`FileContent`]) and the names as last stored
//! (`FileState`). The checks and the changes a save makes are in `record_files`.

use std::any::Any;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Where an upload's bytes are until the record is saved.
#[derive(Clone)]
pub enum FileContent {
    /// In memory.
    Bytes(bytes::Bytes),
    /// In a file on local disk (a temporary file the upload was streamed to); `keep` holds
    /// whatever owns that file (it is removed when the last clone is dropped).
    Path {
        /// The file.
        path: PathBuf,
        /// Keeps the file alive.
        keep: Arc<dyn Any + Send + Sync>,
    },
}

impl std::fmt::Debug for FileContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileContent::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            FileContent::Path { path, .. } => write!(f, "Path({path:?})"),
        }
    }
}

/// A file uploaded for a record (PocketBase's `*filesystem.File`): stored under `name` in
/// the record's directory when the record is saved.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// The name it is stored under (see [`crate::files::normalize_name`]).
    pub name: String,
    /// The name the client gave it.
    pub original_name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its content type, sniffed from its first bytes.
    pub content_type: String,
    /// Its bytes.
    pub content: FileContent,
}

/// What a record knows of its files beyond the field values; boxed and absent until a
/// record has files, so records of collections without files stay small.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileState(pub(crate) Option<Box<Files>>);

/// The file state of a record that has some.
#[derive(Debug, Clone, Default)]
pub(crate) struct Files {
    /// Files uploaded since the last save.
    pub(crate) uploads: Vec<NewFile>,
    /// Each file field's names as last stored: the names a client may keep.
    pub(crate) stored: HashMap<String, Vec<String>>,
    /// The storage keys of uploads already written ahead of the save (outside its
    /// transaction): the save's own write skips them.
    pub(crate) written_ahead: Vec<String>,
}

impl FileState {
    pub(crate) fn uploads(&self) -> &[NewFile] {
        self.0.as_ref().map_or(&[], |f| &f.uploads)
    }

    pub(crate) fn stored(&self, field: &str) -> Option<&Vec<String>> {
        self.0.as_ref().and_then(|f| f.stored.get(field))
    }

    pub(crate) fn get_mut(&mut self) -> &mut Files {
        self.0.get_or_insert_with(Box::default)
    }
}
