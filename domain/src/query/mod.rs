//! The record response options of the query string, parsed without I/O: `expand` (which
//! relations to load) and `fields` (which JSON keys to keep, with the `:excerpt` modifier).

mod entities;
pub mod excerpt;
pub mod expand;
pub mod fields;
mod html;
mod tokenizer;

pub use excerpt::{Excerpt, ExcerptError};
pub use expand::{
    ExpandSegment, MAX_BACK_RELATIONS, MAX_EXPAND_DEPTH, normalize_expands, parse_expand,
    relation_ids,
};
pub use fields::{FieldsError, FieldsPicker, Modifier};

#[cfg(test)]
mod tests;
