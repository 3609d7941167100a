//! Settle the benchmark's 40-line claim many times, for profilers (callgrind, perf):
//! `cargo run --release -p yidi-core --example profile_settle -- 2000`.
use yidi_core::api::handle_json;
include!("../benches/support/claim.rs");

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let text = claim(false);
    let mut bytes = 0;
    for _ in 0..n {
        bytes += handle_json(&text).len();
    }
    println!("{n} claims, {bytes} bytes out");
}
