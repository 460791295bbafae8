//! Tests of the filter language.

mod fixtures;
mod scratch;
