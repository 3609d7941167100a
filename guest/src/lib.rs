//! # yidi-guest — the Yidi core as a WebAssembly module with a small, stable C ABI
//!
//! One `.wasm` (built for `wasm32-unknown-unknown`, profile `wasm`) serves wasmtime (`host/`), browsers and
//! WeChat/Alipay mini-programs (`mobile-bridge/`). It wraps [`yidi_core::api::handle_json`] and nothing else,
//! so every host runs exactly the same rules code.
//!
//! ## ABI version 1 (stable; a breaking change bumps `yidi_abi_version`)
//!
//! Every exported function takes and returns only `i32` (pointers and lengths into the exported `memory`);
//! there is no `i64` in any signature, no exported Global, no import. All strings are UTF-8.
//!
//! | export | signature | meaning |
//! |---|---|---|
//! | `memory` | memory | the module's linear memory (may grow during any call: re-read `memory.buffer` after each call) |
//! | `yidi_abi_version` | `() -> i32` | returns `1` |
//! | `yidi_alloc` | `(len: i32) -> i32` | allocate `len` bytes (alignment 1); returns a pointer, or `0` when out of memory or `len < 0` |
//! | `yidi_free` | `(ptr: i32, len: i32) -> ()` | free a block from `yidi_alloc` or `yidi_call`; `len` must be the length it was allocated with; `ptr == 0` is a no-op |
//! | `yidi_call` | `(ptr: i32, len: i32) -> i32` | handle one API request (`len` bytes of JSON at `ptr`); returns a pointer `out` to a **framed** response |
//!
//! A framed response is a 4-byte little-endian unsigned length `n` followed by `n` bytes of UTF-8 JSON (the
//! response envelope of `handle_json`). The caller reads it and frees it with `yidi_free(out, 4 + n)`.
//! `yidi_call` does not take ownership of the input: the caller frees it with `yidi_free(ptr, len)`.
//! `yidi_call` returns `0` only when the response itself could not be allocated (out of memory).
//!
//! One call, step by step (JS):
//! ```text
//! const inBytes = utf8(requestJson);
//! const p = ex.yidi_alloc(inBytes.length);            // 0 => out of memory
//! new Uint8Array(ex.memory.buffer, p, inBytes.length).set(inBytes);
//! const out = ex.yidi_call(p, inBytes.length);        // 0 => out of memory
//! ex.yidi_free(p, inBytes.length);
//! const n = new DataView(ex.memory.buffer).getUint32(out, true);
//! const json = fromUtf8(new Uint8Array(ex.memory.buffer, out + 4, n));
//! ex.yidi_free(out, 4 + n);
//! ```
//!
//! Input that is not UTF-8 gets an `E_JSON` response envelope, like malformed JSON. A panic inside the core
//! (a bug) aborts the call with a wasm trap (`unreachable`); the host must then drop the instance and make a
//! new one. Instances hold no state between calls beyond the allocator, so one instance may serve any number
//! of calls in sequence, but never two at once.
//!
//! Target features: Rust 1.95's `wasm32-unknown-unknown` emits bulk-memory, sign-ext, multivalue and
//! reference-types; a loader for an engine without them lowers the module with binaryen (see `guest/README.md`).
//!
//! Without the feature `std` (the phone modules) the wasm32 module is `no_std` + `alloc`: the arena is the
//! allocator and a panic traps at once, as std's abort did, without std's panic and formatting machinery.
#![allow(unsafe_code)] // The C ABI hands raw pointers across the boundary; each block says why it is sound.
#![cfg_attr(all(not(feature = "std"), target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

use alloc::alloc::{alloc, dealloc};
use alloc::string::{String, ToString};
use core::alloc::Layout;

/// The no-std module's panic handler: trap (`unreachable`), as the `wasm` profile's `panic = "abort"` did with
/// std. The core reports bad input as error envelopes; a panic is a bug, and the host drops the instance.
#[cfg(all(not(feature = "std"), target_arch = "wasm32", not(test)))]
#[panic_handler]
fn trap(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(all(
    not(feature = "std"),
    not(feature = "arena"),
    target_arch = "wasm32",
    not(test)
))]
compile_error!("the guest without `std` takes its allocator from the feature `arena`");

/// Feature `arena` (the host's embedded build): a per-call arena instead of std's dlmalloc, see `arena.rs`.
#[cfg(all(feature = "arena", target_arch = "wasm32"))]
mod arena;
#[cfg(all(feature = "arena", target_arch = "wasm32"))]
#[global_allocator]
static ARENA: arena::Arena = arena::Arena::new();

/// Tell the arena (when there is one) about blocks the host holds and about the start of a call.
fn host_holds(_p: *mut u8) {
    #[cfg(all(feature = "arena", target_arch = "wasm32"))]
    ARENA.host_alloc(_p);
}
fn host_released(_p: *mut u8) {
    #[cfg(all(feature = "arena", target_arch = "wasm32"))]
    ARENA.host_free(_p);
}
fn call_begins() {
    #[cfg(all(feature = "arena", target_arch = "wasm32"))]
    ARENA.begin_call();
}

/// The ABI version returned by `yidi_abi_version`.
pub const ABI_VERSION: i32 = 1;

/// The response for input that is not UTF-8, shaped like every other error envelope of the core.
const NOT_UTF8: &str = r#"{"api_version":"1","op":"","ok":false,"error":{"code":"E_JSON","message_zh":"请求不是有效的 UTF-8 文本","message_en":"request is not valid UTF-8 text"}}"#;

/// Handle one request given as raw bytes. The wasm export and the host's native path both call this, so
/// the two give byte-identical answers for any input, including bytes that are not UTF-8.
pub fn call_bytes(input: &[u8]) -> String {
    match utf8(input) {
        Some(s) => yidi_core::api::handle_json(s),
        None => NOT_UTF8.to_string(),
    }
}

/// `input` as text when it is UTF-8, as `core::str::from_utf8` decides. Requests are nearly all ASCII:
/// whole 32-byte blocks are tested with four word operations, and std's check takes over from the first
/// block holding a byte above 0x7f. (Under wasmtime std's check steps four bytes at a time on the 32-bit
/// target, and every step pays an epoch check: 2 % of a 40-line settle.)
fn utf8(input: &[u8]) -> Option<&str> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(b);
        u64::from_le_bytes(w)
    };
    let mut ascii = 0;
    for block in input.chunks_exact(32) {
        let any = word(&block[..8]) | word(&block[8..16]) | word(&block[16..24]) | word(&block[24..]);
        if any & HIGH != 0 {
            break;
        }
        ascii += 32;
    }
    core::str::from_utf8(&input[ascii..]).ok()?;
    // SAFETY: `input[..ascii]` is ASCII (tested above) and `input[ascii..]` is UTF-8 (checked by std);
    // an ASCII byte ends every character before it, so their concatenation is UTF-8 too.
    Some(unsafe { core::str::from_utf8_unchecked(input) })
}

/// Zero-length blocks are allocated as one byte so every pointer handed out is real and freeable.
fn layout(len: usize) -> Option<Layout> {
    Layout::from_size_align(len.max(1), 1).ok()
}

/// ABI: `() -> i32`.
#[unsafe(no_mangle)]
pub extern "C" fn yidi_abi_version() -> i32 {
    ABI_VERSION
}

/// ABI: `(len: i32) -> i32`. On wasm32, `usize` and pointers are `i32` in the signature.
#[unsafe(no_mangle)]
pub extern "C" fn yidi_alloc(len: usize) -> *mut u8 {
    let p = alloc_block(len);
    host_holds(p);
    p
}

fn alloc_block(len: usize) -> *mut u8 {
    if len > isize::MAX as usize {
        return core::ptr::null_mut();
    }
    match layout(len) {
        // SAFETY: the layout has a non-zero size; a null result is passed on as the documented failure.
        Some(l) => unsafe { alloc(l) },
        None => core::ptr::null_mut(),
    }
}

/// ABI: `(ptr: i32, len: i32) -> ()`.
///
/// # Safety
/// `ptr` must come from `yidi_alloc(len)` or be a `yidi_call` result with `len = 4 + n`, and not be freed twice.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn yidi_free(ptr: *mut u8, len: usize) {
    if ptr.is_null() {
        return;
    }
    host_released(ptr);
    if let Some(l) = layout(len) {
        // SAFETY: the caller guarantees `ptr` was allocated with exactly this layout (same len, align 1).
        unsafe { dealloc(ptr, l) }
    }
}

/// ABI: `(ptr: i32, len: i32) -> i32`, see the crate docs for the framing.
///
/// # Safety
/// `ptr..ptr+len` must be a live block from `yidi_alloc` (or `len == 0`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn yidi_call(ptr: *const u8, len: usize) -> *mut u8 {
    call_begins();
    let input: &[u8] = if len == 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: the caller guarantees `len` initialised bytes at `ptr`, owned by it for this call.
        unsafe { core::slice::from_raw_parts(ptr, len) }
    };
    let out = call_bytes(input);
    frame(out.as_bytes())
}

/// Copy `body` into a fresh block as `[u32 LE length][body]`; null when allocation fails.
fn frame(body: &[u8]) -> *mut u8 {
    let Ok(n) = u32::try_from(body.len()) else {
        return core::ptr::null_mut();
    };
    let total = body.len() + 4;
    let p = yidi_alloc(total);
    if p.is_null() {
        return p;
    }
    // SAFETY: `p` points to `total` writable bytes just allocated; the source does not overlap them.
    unsafe {
        core::ptr::copy_nonoverlapping(n.to_le_bytes().as_ptr(), p, 4);
        core::ptr::copy_nonoverlapping(body.as_ptr(), p.add(4), body.len());
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block test agrees with std on ASCII runs of every length around the block size with a
    /// multi-byte character, a stray continuation byte, a cut-off sequence or an overlong form at every
    /// position.
    #[test]
    fn utf8_check_is_std_from_utf8() {
        let bad: [&[u8]; 6] = [
            b"\xe4\xbd\xa0",
            b"\x80",
            b"\xe4\xbd",
            b"\xc0\xaf",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
        ];
        for len in [0, 1, 31, 32, 33, 63, 64, 65, 100] {
            for at in 0..=len {
                for piece in bad {
                    let mut v = vec![b'a'; len];
                    v.splice(at..at, piece.iter().copied());
                    assert_eq!(utf8(&v), std::str::from_utf8(&v).ok(), "{v:?}");
                }
                let v = vec![b'{'; len];
                assert_eq!(utf8(&v), std::str::from_utf8(&v).ok());
            }
        }
    }

    #[test]
    fn non_utf8_input_gets_an_error_envelope() {
        let out = call_bytes(&[0xff, 0xfe, b'{']);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"]["code"], "E_JSON");
    }

    #[test]
    fn framed_call_round_trips_natively() {
        let req = br#"{"api_version":"1","op":"version","request":{}}"#;
        let p = yidi_alloc(req.len());
        unsafe {
            std::ptr::copy_nonoverlapping(req.as_ptr(), p, req.len());
            let out = yidi_call(p, req.len());
            yidi_free(p, req.len());
            let mut len = [0u8; 4];
            std::ptr::copy_nonoverlapping(out, len.as_mut_ptr(), 4);
            let n = u32::from_le_bytes(len) as usize;
            let body = std::str::from_utf8(std::slice::from_raw_parts(out.add(4), n))
                .unwrap()
                .to_string();
            yidi_free(out, n + 4);
            assert_eq!(body, call_bytes(req));
            assert!(body.contains("\"ok\":true"));
        }
    }

    #[test]
    fn zero_length_alloc_is_freeable() {
        let p = yidi_alloc(0);
        assert!(!p.is_null());
        unsafe { yidi_free(p, 0) };
    }
}
