//! # yidi-core — the rules core of Yidi (异地)
//!
//! Filing (备案) validity, coverage and the settlement split (分解计算) of China's cross-region direct
//! settlement of basic medical insurance, written once and run identically natively, under wasmtime, in
//! the browser and in mini-programs.
//!
//! Who uses it: the `host`, `mobile-bridge` and `web` crates, through one versioned JSON API
//! ([`api::handle_json`]). Rust callers may use the typed functions of each module directly.
//!
//! The core is pure: no I/O, no clock, no floats. Dates are inputs (`chrono::NaiveDate`), money is
//! `rust_decimal` rounded half-up to the fen where the national platform rounds ([`money::round_fen`]).
//! Regional numbers live in effective-dated policy packs ([`policy`]), each value with its citation.
//!
//! Features: `embedded-packs` (default) embeds the shipped packs and catalogs; `clearing` (default) the
//! agency toolkit; `wire` (default) the hand-written JSON of the settle hot path; `schema` derives the JSON Schema of the API types;
//! `insured-ops` (= `filing-ops` + `estimate-ops`), `hospital-ops` (default) the groups of ops.
//! `std` (default; `clearing` needs it) links std; without it the core is `no_std` + `alloc` (the phone modules:
//! no std panic machinery in them), with the same answers. Modules take `String`, `Vec`, `format!`… from [`prelude`].
#![forbid(unsafe_code)]
// Tests always have std (their harness needs it), whatever the features.
#![cfg_attr(not(any(feature = "std", test)), no_std)]

extern crate alloc;

pub mod api;
pub mod catalog;
#[cfg(feature = "clearing")]
pub mod clearing;
pub mod codes;
pub mod coverage;
#[cfg(csv_catalogs)]
pub mod csv;
pub mod date;
pub mod error;
pub mod estimate;
pub mod filing;
#[cfg(feature = "embedded-packs")]
mod lz;
pub mod model;
pub mod money;
pub mod policy;
pub mod precheck;
pub mod prelude;
pub mod read;
pub mod records;
pub mod settle;
pub mod smallmap;
pub mod trace;
pub mod verify;
#[cfg(feature = "wire")]
pub mod wire;
mod write;
