//! A small LZ77 coding for the data the core embeds (the compiled packs and the catalogs): build.rs codes
//! them, the core decodes each once, on first use.
//!
//! Why: that data is ~39 KB of every phone module's raw size (a WeChat package is capped at 2 MB and the
//! mini-program budget is 200 KB raw per module), and codes to ~11 KB; the decoder is a few hundred bytes.
//! A brotli download gains nothing (brotli already sees the repetition), the raw module does.
//!
//! Format: a sequence of steps, each `literals` (LEB128 count, then the bytes) followed by a match
//! (LEB128 `length - 3`, then LEB128 distance back into what was decoded); a match length of 0 ends the
//! text, which must then be at its end. build.rs includes this file for the encoder.

// `alloc`'s, not the prelude's: the core may be `no_std`, and build.rs includes this file as well.
use alloc::vec::Vec;

/// Bound on a decoded text (the embedded data is well under it): a damaged length cannot ask for gigabytes.
const MAX_DECODED: usize = 1 << 22;

/// Shortest match worth coding (a match costs at least two bytes).
const MIN_MATCH: usize = 4;

fn leb(src: &[u8], at: &mut usize) -> Option<usize> {
    let mut v: usize = 0;
    for shift in (0..35).step_by(7) {
        let b = *src.get(*at)?;
        *at += 1;
        v |= usize::from(b & 0x7f).checked_shl(shift)?;
        if b < 0x80 {
            return Some(v);
        }
    }
    None
}

/// The decoded bytes, or `None` when `src` is not a complete, well-formed coding.
pub fn decode(src: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(src.len() * 4);
    let mut at = 0;
    loop {
        let n = leb(src, &mut at)?;
        out.extend_from_slice(src.get(at..at.checked_add(n)?)?);
        at += n;
        let len = leb(src, &mut at)?;
        if len == 0 {
            return (at == src.len()).then_some(out);
        }
        let len = len.checked_add(3)?;
        if out.len().checked_add(len)? > MAX_DECODED {
            return None;
        }
        let dist = leb(src, &mut at)?;
        let start = out.len().checked_sub(dist).filter(|_| dist > 0)?;
        // Byte by byte: a match may overlap what it copies (a run).
        for i in start..start + len {
            let b = *out.get(i)?;
            out.push(b);
        }
    }
}

#[allow(dead_code)] // used by build.rs (which includes this file) and the tests
fn put_leb(out: &mut Vec<u8>, mut v: usize) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Greedy coding with hash chains (at most 64 candidates a position): build time only.
#[allow(dead_code)] // used by build.rs (which includes this file) and the tests
pub fn encode(data: &[u8]) -> Vec<u8> {
    // Only looked up, never iterated, so the coding does not depend on the map; a BTreeMap needs no std.
    use alloc::collections::BTreeMap;
    let mut out = Vec::new();
    let mut chains: BTreeMap<&[u8], Vec<usize>> = BTreeMap::new();
    let (mut i, mut lit) = (0, 0);
    while i < data.len() {
        let mut best = (0, 0);
        if let Some(key) = data.get(i..i + MIN_MATCH) {
            for &j in chains.get(key).into_iter().flatten().rev().take(64) {
                let l = data[i..]
                    .iter()
                    .zip(&data[j..])
                    .take_while(|(a, b)| a == b)
                    .count();
                if l > best.0 {
                    best = (l, i - j);
                }
            }
        }
        let step = if best.0 >= MIN_MATCH { best.0 } else { 1 };
        for k in i..i + step {
            if let Some(key) = data.get(k..k + MIN_MATCH) {
                chains.entry(key).or_default().push(k);
            }
        }
        if best.0 >= MIN_MATCH {
            put_leb(&mut out, i - lit);
            out.extend_from_slice(&data[lit..i]);
            put_leb(&mut out, best.0 - 3);
            put_leb(&mut out, best.1);
            lit = i + best.0;
        }
        i += step;
    }
    put_leb(&mut out, data.len() - lit);
    out.extend_from_slice(&data[lit..]);
    put_leb(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let cat = include_bytes!("../catalogs/610100.csv");
        let bin = include_bytes!("policy/compiled.bin");
        for data in [
            &b""[..],
            b"a",
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            b"abcabcabcabcXabcabcabcabc",
            cat,
            bin,
        ] {
            let coded = encode(data);
            assert_eq!(decode(&coded).as_deref(), Some(data));
        }
        assert!(
            encode(bin).len() * 2 < bin.len(),
            "the compiled packs code to less than half"
        );
    }

    /// Truncated, extended or corrupted codings are refused or decode to something; never a panic.
    #[test]
    fn damaged_codings_never_panic() {
        let coded = encode(include_bytes!("../catalogs/610100.csv"));
        for cut in 0..coded.len() {
            assert_eq!(decode(&coded[..cut]), None, "truncated at {cut}");
        }
        let mut longer = coded.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
        for i in 0..coded.len() {
            for x in [0x00, 0x7f, 0x80, 0xff] {
                let mut d = coded.clone();
                d[i] = x;
                let _ = decode(&d);
            }
        }
        // A distance before the start, a zero distance, an endless length.
        assert_eq!(decode(&[1, b'a', 1, 2, 0]), None);
        assert_eq!(decode(&[1, b'a', 1, 0, 0]), None);
        assert_eq!(decode(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), None);
    }
}
