//! What every module of the core takes from std's prelude, named so that it also resolves without std
//! (feature `std` off: the phone modules build the core `no_std` + `alloc`). `use crate::prelude::*;` at the
//! top of a module; with std these are the very same items std's prelude has.

pub use alloc::borrow::ToOwned;
pub use alloc::boxed::Box;
pub use alloc::string::{String, ToString};
pub use alloc::vec::Vec;
pub use alloc::{format, vec};

/// The cell the shipped packs, catalogs and their decoded text are kept in, parsed once per process or
/// wasm instance: std's own with std.
#[cfg(feature = "std")]
pub use std::sync::OnceLock;

/// Without std: std's `OnceLock` API (the part the core uses) on `once_cell`'s lock-free `OnceBox`, which
/// keeps the core free of `unsafe`. Two threads racing to fill an empty cell may both run `init` (one result
/// is kept); the no-std build is the single-threaded wasm guest, where that cannot happen.
#[cfg(not(feature = "std"))]
pub struct OnceLock<T>(once_cell::race::OnceBox<T>);

#[cfg(not(feature = "std"))]
impl<T> OnceLock<T> {
    pub const fn new() -> Self {
        OnceLock(once_cell::race::OnceBox::new())
    }

    pub fn get(&self) -> Option<&T> {
        self.0.get()
    }

    pub fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(|| Box::new(init()))
    }
}

#[cfg(not(feature = "std"))]
impl<T> Default for OnceLock<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// As std's: a clone holds a clone of the value, if there is one yet.
#[cfg(not(feature = "std"))]
impl<T: Clone> Clone for OnceLock<T> {
    fn clone(&self) -> Self {
        let cell = Self::new();
        if let Some(v) = self.get() {
            // A fresh cell is empty: this cannot fail.
            let _ = cell.0.set(Box::new(v.clone()));
        }
        cell
    }
}

/// As std's.
#[cfg(not(feature = "std"))]
impl<T: core::fmt::Debug> core::fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_tuple("OnceLock");
        match self.get() {
            Some(v) => d.field(v),
            None => d.field(&format_args!("<uninit>")),
        };
        d.finish()
    }
}
