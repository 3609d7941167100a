//! Hand-written JSON for the hot path: reading a `settle` request and writing its answer (a batch checker
//! runs thousands of them, 40 lines each). serde_json spends most of such a call in generic visitors,
//! escaping constant keys byte by byte, and building a `serde_json::Value` for every amount it reads (an
//! amount may arrive as a number or a string); this code does the same work directly.
//!
//! The contract is identity with the serde path, which stays the reference:
//! - the writer produces exactly `serde_json::to_string`'s bytes for the same value;
//! - the reader produces exactly the value serde would, or declines (`None`) and the caller takes the
//!   serde path — for anything unusual (escapes in a string, an unknown member, a number with an
//!   exponent, any error), so every refusal keeps serde's wording. Numbers are read from their text, as
//!   serde_json's `arbitrary_precision` (the workspace's setting) hands them over.
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
pub use write::{line_splits, settle_reply, settle_response, settlement_reply, settlement_response};

/// Index of the first [`SPECIAL`] byte of `b` at or after `from`, or `b.len()`. Eight bytes at a time: the
/// strings of a claim (keys, codes, names) are read and written at a few instructions per eight bytes.
/// The last (up to seven) bytes are tested in straight-line code, not a loop: under wasmtime every loop
/// entered pays an epoch check per step, and most strings a claim writes (codes, serial numbers) are
/// shorter than eight bytes.
#[inline(always)]
fn plain_until(b: &[u8], from: usize) -> usize {
    let mut i = from;
    if b.len().saturating_sub(i) >= 8 {
        i = plain_until_words(b, i);
    }
    let tail = b.get(i..).unwrap_or_default();
    // Fewer than eight bytes are left (or the special byte comes first). A constant trip count:
    // unrolled, no loop.
    for k in 0..7 {
        match tail.get(k) {
            Some(&c) if !SPECIAL[usize::from(c)] => {}
            _ => return i + k,
        }
    }
    // Not reached (the tail is shorter than eight bytes); kept so the answer never rests on that.
    i += 7;
    while b.get(i).is_some_and(|&c| !SPECIAL[usize::from(c)]) {
        i += 1;
    }
    i
}

/// [`plain_until`]'s loop over whole eight-byte words: the index of the first special byte, or the start
/// of the last (fewer than eight) bytes.
fn plain_until_words(b: &[u8], from: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let w = u64::from_le_bytes(w);
        // Bytes below 0x20, equal to '"', equal to '\\'. Borrows only run upwards, so the lowest flagged
        // byte is exact.
        let found =
            (w.wrapping_sub(0x20 * LO) & !w & HI) | has_zero(w ^ (0x22 * LO)) | has_zero(w ^ (0x5c * LO));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_until_finds_the_first_special_byte() {
        let reference = |b: &[u8], from: usize| {
            (from..b.len())
                .find(|&i| SPECIAL[usize::from(b[i])])
                .unwrap_or(b.len())
        };
        let mut cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"abcdefgh".to_vec(),
            "阿托伐他汀钙片\"x".as_bytes().to_vec(),
            b"0123456789abcdef\\".to_vec(),
            b"\x1f".to_vec(),
        ];
        // Every special byte at every position of a 20-byte run, with high bytes around it.
        for pos in 0..20 {
            for sp in [0u8, 0x1f, b'"', b'\\', 0x0a] {
                let mut v = vec![0xe4u8; 20];
                v[pos] = sp;
                cases.push(v);
                let mut v = vec![b'~'; 20];
                v[pos] = sp;
                cases.push(v);
            }
        }
        for c in &cases {
            for from in 0..=c.len() {
                assert_eq!(plain_until(c, from), reference(c, from), "{c:?} from {from}");
            }
        }
    }
}
