//! Hand-written JSON for the hot path: reading a `settle` request and writing its answer (a batch checker
//! runs thousands of them, 40 lines each). serde_json spends most of such a call in generic visitors,
//! escaping constant keys byte by byte, and building a `serde_json::Value` for every amount it reads (an
//! amount may arrive as a number or a string); this code does the same work directly.
//!
//! The contract is identity with the serde path, which stays the reference:
//! - the writer produces exactly `serde_json::to_string`'s bytes for the same value;
//! - the reader produces exactly the value serde would, or declines (`None`) and the caller takes the
//!   serde path — for anything unusual (escapes in a string, an unknown member, a number with more than
//!   15 significant digits, any error), so every refusal keeps serde's wording.
//!
//! tests/tests/wire.rs holds both to that on every golden case and on generated claims.

mod read;
mod write;

/// Bytes with a meaning inside a JSON string: the quote, the backslash and the control characters. The
/// writer escapes them exactly as serde_json does; the reader stops its fast scan at them.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

pub use read::settle_request;
pub use write::{line_splits, settle_reply, settle_response};
