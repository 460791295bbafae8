//! The custom router, driven in process through the real poem endpoint (poem's test
//! client), and over TCP where the client's address matters (rate limits).

mod support;

mod body;
mod builtins;
mod middlewares;
mod openapi;
mod patterns;
mod ratelimit;
mod recover;
mod responses;
mod static_files;
