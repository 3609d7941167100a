//! The guest's allocator on wasm32: a per-call arena. Every call is independent, so the memory a call used
//! is taken back all at once when its last block is freed, instead of block by block.
//!
//! - Blocks are bumped from the top of the heap; small blocks (≤ 64 KiB) are rounded up to a power of two
//!   and, when freed, kept on a free list of their size class for reuse within the same call.
//! - `live` counts the blocks handed out at or above `base`. When it drops to zero (the host has freed the
//!   request and the answer), everything above `base` is free: the top goes back to `base`, the lists are
//!   emptied. That is the common case, so a call never walks or merges free blocks.
//! - Blocks that outlive a call (the core's lazily parsed shipped packs and catalogs, kept in statics) keep
//!   `live` above zero. `yidi_call` notices that at its start (more live blocks than the host holds) and
//!   moves `base` up to the top: what lies below is never reused again. That leaks, once per pack or
//!   catalog first used, that call's garbage; the host drops instances that grow large.
//! - A block below `base` is never reused, so a late free of it is ignored: no block in use can be handed
//!   out twice.
//!
//! wasm32-unknown-unknown without the atomics feature runs one thread, so the state is a plain cell.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

const PAGE: usize = 65536;
/// Size classes 16, 32, …, 64 KiB; larger blocks are only bumped (and taken back when last or at reset).
const MIN_CLASS_LOG: u32 = 4;
const MAX_CLASS_LOG: u32 = 16;
const CLASSES: usize = (MAX_CLASS_LOG - MIN_CLASS_LOG + 1) as usize;
/// Class blocks are aligned to their size up to this; stricter alignments bypass the free lists.
const CLASS_ALIGN: usize = 16;

struct State {
    base: usize,
    top: usize,
    end: usize,
    live: usize,
    /// Blocks the host holds through the ABI (request buffers from `yidi_alloc`, answers from `yidi_call`).
    host_live: usize,
    free: [usize; CLASSES],
}

pub struct Arena(UnsafeCell<State>);

// SAFETY: the wasm32-unknown-unknown guest is single-threaded (no atomics feature, no threads), so the
// cell is never accessed concurrently.
unsafe impl Sync for Arena {}

impl Arena {
    pub const fn new() -> Arena {
        Arena(UnsafeCell::new(State {
            base: 0,
            top: 0,
            end: 0,
            live: 0,
            host_live: 0,
            free: [0; CLASSES],
        }))
    }

    #[allow(clippy::mut_from_ref)]
    fn state(&self) -> &mut State {
        // SAFETY: single-threaded (see above) and no caller holds the reference across another call.
        unsafe { &mut *self.0.get() }
    }

    /// A block handed to or received from the host through the ABI.
    pub fn host_alloc(&self, p: *mut u8) {
        if !p.is_null() {
            self.state().host_live += 1;
        }
    }
    pub fn host_free(&self, p: *mut u8) {
        let s = self.state();
        if p as usize >= s.base && s.end != 0 {
            s.host_live = s.host_live.saturating_sub(1);
        }
    }

    /// At the start of a call: if blocks other than the host's outlived the previous call, keep them
    /// (and everything below the top) for good.
    pub fn begin_call(&self) {
        let s = self.state();
        if s.live > s.host_live {
            s.base = s.top;
            s.live = 0;
            s.host_live = 0;
            s.free = [0; CLASSES];
        }
    }
}

fn class_of(size: usize) -> Option<usize> {
    if size > 1 << MAX_CLASS_LOG {
        return None;
    }
    let log = size.max(1 << MIN_CLASS_LOG).next_power_of_two().trailing_zeros();
    Some((log - MIN_CLASS_LOG) as usize)
}

/// Bytes a block of `size` occupies: its class size, or the size itself for large blocks.
fn capacity(size: usize) -> usize {
    match class_of(size) {
        Some(c) => 1 << (c as u32 + MIN_CLASS_LOG),
        None => size,
    }
}

impl State {
    /// Make `[top, new_top)` addressable, growing the memory; false when the memory cannot grow.
    fn reserve(&mut self, new_top: usize) -> bool {
        if new_top <= self.end {
            return true;
        }
        let pages = (new_top - self.end).div_ceil(PAGE);
        let old = core::arch::wasm32::memory_grow(0, pages);
        if old == usize::MAX || old * PAGE != self.end {
            // Out of memory, or someone else grew the memory (nothing does): refuse rather than guess.
            return false;
        }
        self.end += pages * PAGE;
        true
    }

    fn bump(&mut self, size: usize, align: usize) -> *mut u8 {
        if self.end == 0 {
            // First use: the heap starts at the current end of memory (data and stack lie below).
            self.end = core::arch::wasm32::memory_size(0) * PAGE;
            self.top = self.end;
            self.base = self.end;
        }
        let Some(p) = self.top.checked_add(align - 1).map(|t| t & !(align - 1)) else {
            return core::ptr::null_mut();
        };
        let Some(new_top) = p.checked_add(size) else {
            return core::ptr::null_mut();
        };
        if !self.reserve(new_top) {
            return core::ptr::null_mut();
        }
        self.top = new_top;
        p as *mut u8
    }
}

// SAFETY: blocks never overlap: each comes from the bump region above every block in use or from a free
// list of blocks no longer in use, each at least as large and as aligned as asked (class blocks are
// aligned to min(class size, 16) and only requests with align ≤ 16 take them). Memory is taken back
// wholesale only when no counted block is live (see the module docs).
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let s = self.state();
        let p = match class_of(l.size()) {
            Some(c) if l.align() <= CLASS_ALIGN => {
                let head = s.free[c];
                if head != 0 {
                    // SAFETY: `head` is a free block of this class holding the next link in its first word.
                    s.free[c] = unsafe { *(head as *const usize) };
                    head as *mut u8
                } else {
                    let cap = 1usize << (c as u32 + MIN_CLASS_LOG);
                    s.bump(cap, cap.min(CLASS_ALIGN))
                }
            }
            _ => s.bump(capacity(l.size()), l.align()),
        };
        if !p.is_null() {
            s.live += 1;
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        let s = self.state();
        let a = p as usize;
        if a < s.base {
            return;
        }
        s.live -= 1;
        if s.live == 0 {
            s.top = s.base;
            s.free = [0; CLASSES];
            return;
        }
        let cap = capacity(l.size());
        if a + cap == s.top {
            s.top = a;
        } else if let Some(c) = class_of(l.size())
            && l.align() <= CLASS_ALIGN
        {
            // SAFETY: the block is ours, no longer used, and at least a word long (classes start at 16).
            unsafe { *(a as *mut usize) = s.free[c] };
            s.free[c] = a;
        }
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        let s = self.state();
        let a = p as usize;
        let old_cap = capacity(l.size());
        if new_size <= old_cap && capacity(new_size) == old_cap {
            return p; // Same block size: nothing to do.
        }
        if a >= s.base && a + old_cap == s.top {
            // The topmost block grows or shrinks in place.
            let new_cap = capacity(new_size);
            if let Some(new_top) = a.checked_add(new_cap)
                && s.reserve(new_top)
            {
                s.top = new_top;
                return p;
            }
            return core::ptr::null_mut();
        }
        // SAFETY: the layout is valid (same align, size checked by the caller per GlobalAlloc's contract).
        let new_l = unsafe { Layout::from_size_align_unchecked(new_size, l.align()) };
        // SAFETY: as in `alloc`.
        let q = unsafe { self.alloc(new_l) };
        if !q.is_null() {
            // SAFETY: both blocks are valid for the copied length and do not overlap.
            unsafe {
                core::ptr::copy_nonoverlapping(p, q, l.size().min(new_size));
                self.dealloc(p, l);
            }
        }
        q
    }
}
