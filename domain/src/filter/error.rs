//! The one error type of the filter language: syntax, unknown fields, everything else.

/// Why a filter or rule expression was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// The text is not a well-formed expression; `position` is the 0-based character offset
    /// where the problem was found.
    #[error("invalid filter syntax at position {position}: {message}")]
    Syntax {
        /// 0-based character (not byte) offset into the expression.
        position: usize,
        /// What was expected or found.
        message: String,
    },
    /// An identifier names no field of the collection (or of a related collection).
    #[error("unknown field {name:?}")]
    UnknownField {
        /// The identifier as written in the expression.
        name: String,
    },
    /// Well-formed, but meaningless against this schema or request (bad modifier, unknown
    /// function or collection, missing `{:placeholder}` value, ...).
    #[error("invalid filter: {message}")]
    Invalid {
        /// What is wrong.
        message: String,
    },
}

impl FilterError {
    /// A syntax error at a byte offset of `src`, reported as a character offset.
    pub(crate) fn syntax_at(src: &str, byte_pos: usize, message: impl Into<String>) -> Self {
        let clamped = byte_pos.min(src.len());
        let position = src.char_indices().take_while(|(i, _)| *i < clamped).count();
        FilterError::Syntax {
            position,
            message: message.into(),
        }
    }

    /// An [`FilterError::Invalid`] with `message`.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        FilterError::Invalid {
            message: message.into(),
        }
    }

    /// An [`FilterError::UnknownField`] for `name`.
    pub(crate) fn unknown(name: impl Into<String>) -> Self {
        FilterError::UnknownField { name: name.into() }
    }
}
