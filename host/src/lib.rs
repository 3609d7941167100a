//! # yidi-host — Yidi under wasmtime
//!
//! The `yidi` binary runs the rules core compiled to WebAssembly (the very `.wasm` the browser and
//! mini-programs load, built from `guest/` by build.rs) for agencies and hospitals: one request (`eval`),
//! batches of submitted settlements (`verify`), pre-submission checks (`precheck`) and an HTTP JSON API
//! with a filing registry (`serve`). `--native` runs the same core natively for comparison.
//!
//! Modules: [`engine`] (wasmtime sandbox and instance pool), [`records`] (NDJSON/CSV input),
//! [`batch`] (parallel runs with a progress bar), [`verify`] (verdicts and reports), [`idcard`]
//! (GB 11643 check and masking), [`log`] (structured logs), [`registry`] (SQLite/PostgreSQL filings),
//! [`serve`] (HTTP API), [`http`] (a tiny loopback HTTP client for tests and the load generator).

pub mod batch;
pub mod claimgen;
pub mod clear;
pub mod engine;
pub mod http;
pub mod idcard;
pub mod log;
pub mod mutate;
pub mod records;
pub mod registry;
pub mod serve;
pub mod verify;
