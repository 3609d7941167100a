//! Run many requests through the core on every core of the machine, in input order, with a progress bar
//! on stderr when it is a terminal.

use crate::engine::Runner;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Worker threads to use: every core.
pub fn threads() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Call the core for every request; responses come back in the same order.
pub fn run_all(runner: &Runner, requests: &[String], label: &str, progress: bool) -> Vec<String> {
    map_all(requests.len(), label, progress, |i| {
        runner.call(requests[i].as_bytes())
    })
}

/// `f(0..n)` on every core, results in index order. All per-item work (framing a request, the core call,
/// reading the answer) belongs in `f`, so none of it runs serially.
pub fn map_all<T: Default + Send, F: Fn(usize) -> T + Sync>(
    n: usize,
    label: &str,
    progress: bool,
    f: F,
) -> Vec<T> {
    let mut out: Vec<T> = (0..n).map(|_| T::default()).collect();
    let done = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    let show = progress && std::io::stderr().is_terminal() && n > 0;
    let workers = threads().min(n.max(1));
    // Small chunks balance the load; each chunk writes only its own slots.
    let chunk = (n / (workers * 16)).clamp(1, 256);
    let next = AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<&mut [T]>> = out.chunks_mut(chunk).map(std::sync::Mutex::new).collect();
    std::thread::scope(|s| {
        if show {
            s.spawn(|| progress_bar(label, n, &done, &finished));
        }
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    loop {
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        let Some(slot) = slots.get(c) else { break };
                        let Ok(mut slot) = slot.lock() else { break };
                        for (i, o) in slot.iter_mut().enumerate() {
                            *o = f(c * chunk + i);
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            let _ = h.join();
        }
        finished.store(true, Ordering::Relaxed);
    });
    drop(slots);
    out
}

fn progress_bar(label: &str, total: usize, done: &AtomicUsize, finished: &AtomicBool) {
    let start = Instant::now();
    loop {
        let d = done.load(Ordering::Relaxed);
        let width = 30;
        let filled = d * width / total.max(1);
        let rate = d as f64 / start.elapsed().as_secs_f64().max(1e-3);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{label} [{}{}] {d}/{total}  {rate:.0}/s ",
            "#".repeat(filled),
            ".".repeat(width - filled)
        );
        let _ = err.flush();
        if finished.load(Ordering::Relaxed) {
            let _ = writeln!(err);
            return;
        }
        drop(err);
        std::thread::sleep(Duration::from_millis(100));
    }
}
