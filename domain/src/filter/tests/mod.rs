//! Tests of the filter language: exact SQL and parameters for small schemas
//! ([`fixtures`]), errors, and property tests.

mod errors;
mod fixtures;
mod functions;
mod operators;
mod parse;
mod props;
mod relations;
mod request;
mod untrusted;
