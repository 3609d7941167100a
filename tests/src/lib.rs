//! Shared helpers for the cross-crate tests (golden-case loading lives here).
