//! Runs the guest `.wasm` under wasmtime: compiled once per process, instances pooled and reused, every call
//! under an epoch deadline (and optionally fuel) and a memory cap, so a hostile request ends in a clear
//! error envelope while the process keeps serving. `Runner::Native` runs the same entry point natively.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, InstancePre, Linker, Memory, Module, PoolingAllocationConfig,
    Store, StoreLimits, StoreLimitsBuilder, Trap, TypedFunc,
};

/// The guest module, built by build.rs from guest/ (the same bytes scripts/build-guest.sh prints).
pub static GUEST_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/yidi_guest.wasm"));

/// Largest request any host path accepts (the core's own limit).
pub const MAX_REQUEST_BYTES: usize = yidi_core::api::MAX_REQUEST_BYTES;

/// Epoch ticks are this long; deadlines are whole ticks.
const TICK: Duration = Duration::from_millis(10);

/// Limits applied to every guest call.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Linear memory cap per instance.
    pub memory_bytes: usize,
    /// Wall-clock deadline for a small request; grows with the request size (see [`Limits::deadline_ticks`]).
    pub deadline: Duration,
    /// Extra time per MiB of input: large requests legitimately take longer.
    pub deadline_per_mib: Duration,
    /// Optional fuel budget per call (deterministic, costs throughput); `None` = epoch deadline only.
    pub fuel: Option<u64>,
    /// Instances kept alive in the pool for reuse.
    pub pool_instances: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 256 << 20,
            deadline: Duration::from_millis(500),
            deadline_per_mib: Duration::from_millis(100),
            fuel: None,
            pool_instances: 128,
        }
    }
}

impl Limits {
    /// Base deadline plus the per-MiB allowance for each whole MiB of input, in whole ticks.
    fn deadline_ticks(&self, input_len: usize) -> u64 {
        let tick = TICK.as_millis();
        let base = (self.deadline.as_millis() / tick).max(1) as u64;
        let per_mib = (self.deadline_per_mib.as_millis() / tick) as u64;
        base + (input_len as u64 >> 20) * per_mib
    }
}

struct State {
    limits: StoreLimits,
}

/// Gives every engine an id, so a thread's cached instance is only ever used with the engine that made it.
static NEXT_ENGINE_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The instances this thread used last, kept for its next calls: their memory stays in this core's
    /// caches (instances passed between the threads of a batch through the shared pool kept moving between
    /// cores) and the pool's lock is not touched. Keyed by engine, at most [`LOCAL_ENGINES`] of them, the most recently kept last: a thread that
    /// alternates between two engines (`yidi bench` runs the guest with and without the deadline) keeps both
    /// instances instead of dropping one and instantiating afresh at every switch.
    static LOCAL: RefCell<Vec<(u64, Worker)>> = const { RefCell::new(Vec::new()) };
}

/// Engines whose instance a thread keeps for itself; an older engine's instance is dropped (so an engine
/// the process no longer uses does not stay alive in a thread-local).
const LOCAL_ENGINES: usize = 2;

/// The compiled guest plus a pool of live instances. Shared by all threads.
pub struct GuestEngine {
    id: u64,
    engine: Engine,
    pre: InstancePre<State>,
    limits: Limits,
    idle: Mutex<Vec<Worker>>,
    stop_ticker: Arc<AtomicBool>,
}

struct Worker {
    store: Store<State>,
    memory: Memory,
    alloc: TypedFunc<i32, i32>,
    free: TypedFunc<(i32, i32), ()>,
    call: TypedFunc<(i32, i32), i32>,
}

/// What ended a guest call early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuestFault {
    Deadline,
    Memory,
    TooLarge(usize),
    Trap(String),
}

impl GuestFault {
    pub fn code(&self) -> &'static str {
        match self {
            GuestFault::Deadline => "E_DEADLINE",
            GuestFault::Memory => "E_MEMORY",
            GuestFault::TooLarge(_) => "E_TOO_LARGE",
            GuestFault::Trap(_) => "E_INTERNAL",
        }
    }
    fn messages(&self) -> (String, String) {
        match self {
            GuestFault::Deadline => (
                "计算超过时间上限，已中止".into(),
                "the computation exceeded its time limit and was stopped".into(),
            ),
            GuestFault::Memory => (
                "计算超过内存上限，已中止".into(),
                "the computation exceeded its memory limit and was stopped".into(),
            ),
            GuestFault::TooLarge(n) => (
                format!("请求过大：{n} 字节，上限 {MAX_REQUEST_BYTES} 字节"),
                format!("request too large: {n} bytes, limit {MAX_REQUEST_BYTES} bytes"),
            ),
            GuestFault::Trap(_) => (
                "规则核心内部错误，请求未完成".into(),
                "internal error in the rules core; the request was not completed".into(),
            ),
        }
    }
    /// The fault as a response envelope shaped like the core's own errors.
    pub fn envelope(&self, op: &str) -> String {
        let (zh, en) = self.messages();
        // The op is echoed as the client sent it, masked like the core's own errors.
        let op = crate::idcard::mask_in_text(op);
        serde_json::json!({"api_version": "1", "op": op, "ok": false,
            "error": {"code": self.code(), "message_zh": zh, "message_en": en}})
        .to_string()
    }
}

impl GuestEngine {
    /// Compile the embedded guest and prepare the pool. Starts one epoch ticker thread.
    pub fn new(limits: Limits) -> Result<Arc<Self>, String> {
        Self::with_module(GUEST_WASM, limits)
    }

    pub fn with_module(wasm: &[u8], limits: Limits) -> Result<Arc<Self>, String> {
        Self::build(wasm, limits, true)
    }

    /// The same module and limits without epoch interruption, for `yidi bench` only: it shows what the
    /// deadline costs. Nothing stops an endless loop in it, so it never serves requests.
    pub fn without_deadline_for_measurement(wasm: &[u8], limits: Limits) -> Result<Arc<Self>, String> {
        Self::build(wasm, limits, false)
    }

    fn build(wasm: &[u8], limits: Limits, deadline: bool) -> Result<Arc<Self>, String> {
        let mut pool = PoolingAllocationConfig::default();
        // Slots for pooled instances plus headroom for concurrent calls that find the pool empty.
        let slots = limits.pool_instances.saturating_mul(2).max(16);
        pool.total_core_instances(slots)
            .total_memories(slots)
            .total_tables(slots)
            .max_memory_size(limits.memory_bytes);
        let mut cfg = Config::new();
        cfg.allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
            .epoch_interruption(deadline)
            .consume_fuel(limits.fuel.is_some())
            .cranelift_opt_level(wasmtime::OptLevel::Speed);
        // `YIDI_PERFMAP=1` writes /tmp/perf-PID.map so `perf report` names the guest's functions (profiling only).
        if std::env::var_os("YIDI_PERFMAP").is_some_and(|v| v == "1") {
            cfg.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&cfg).map_err(|e| format!("wasmtime engine: {e}"))?;
        let module = cached_module(&engine, wasm)?;
        let linker: Linker<State> = Linker::new(&engine);
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| format!("linking the guest: {e}"))?;
        let stop_ticker = Arc::new(AtomicBool::new(false));
        let (eng, stop) = (engine.clone(), stop_ticker.clone());
        std::thread::Builder::new()
            .name("yidi-epoch".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    eng.increment_epoch();
                }
            })
            .map_err(|e| format!("epoch ticker: {e}"))?;
        Ok(Arc::new(GuestEngine {
            id: NEXT_ENGINE_ID.fetch_add(1, Ordering::Relaxed),
            engine,
            pre,
            limits,
            idle: Mutex::new(Vec::new()),
            stop_ticker,
        }))
    }

    fn instantiate(&self) -> Result<Worker, GuestFault> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.memory_bytes)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(&self.engine, State { limits });
        store.limiter(|s| &mut s.limits);
        store.set_epoch_deadline(u64::MAX / 2);
        if self.limits.fuel.is_some() {
            store
                .set_fuel(u64::MAX / 2)
                .map_err(|e| GuestFault::Trap(e.to_string()))?;
        }
        let inst = self
            .pre
            .instantiate(&mut store)
            .map_err(|e| GuestFault::Trap(format!("instantiate: {e}")))?;
        let bad = |what: &str, e: wasmtime::Error| GuestFault::Trap(format!("guest export {what}: {e}"));
        let memory = inst
            .get_memory(&mut store, "memory")
            .ok_or_else(|| GuestFault::Trap("guest exports no memory".into()))?;
        let alloc = inst
            .get_typed_func(&mut store, "yidi_alloc")
            .map_err(|e| bad("yidi_alloc", e))?;
        let free = inst
            .get_typed_func(&mut store, "yidi_free")
            .map_err(|e| bad("yidi_free", e))?;
        let call = inst
            .get_typed_func(&mut store, "yidi_call")
            .map_err(|e| bad("yidi_call", e))?;
        Ok(Worker {
            store,
            memory,
            alloc,
            free,
            call,
        })
    }

    /// Linear memory of each idle instance (this thread's own, then the shared pool's), in bytes (for tests
    /// and diagnostics).
    pub fn idle_memory_bytes(&self) -> Vec<usize> {
        let mut sizes: Vec<usize> = LOCAL
            .try_with(|l| {
                l.borrow()
                    .iter()
                    .filter(|(id, _)| *id == self.id)
                    .map(|(_, w)| w.memory.data_size(&w.store))
                    .collect()
            })
            .unwrap_or_default();
        if let Ok(v) = self.idle.lock() {
            sizes.extend(v.iter().map(|w| w.memory.data_size(&w.store)));
        }
        sizes
    }

    /// An idle instance: this thread's own if it has one, else one from the shared pool.
    fn take_idle(&self) -> Option<Worker> {
        let own = LOCAL
            .try_with(|l| {
                let mut l = l.borrow_mut();
                let at = l.iter().position(|(id, _)| *id == self.id)?;
                Some(l.remove(at).1)
            })
            .ok()
            .flatten();
        own.or_else(|| self.idle.lock().ok().and_then(|mut v| v.pop()))
    }

    /// Keep a healthy instance: as this thread's own when it has none of this engine's, else in the pool.
    fn keep(&self, w: Worker) {
        let id = self.id;
        let mut rest = Some(w);
        let _ = LOCAL.try_with(|l| {
            let mut l = l.borrow_mut();
            if l.iter().all(|(other, _)| *other != id) {
                if l.len() >= LOCAL_ENGINES {
                    // Drops the instance of the engine this thread used least recently.
                    l.remove(0);
                }
                l.extend(rest.take().map(|w| (id, w)));
            }
        });
        if let Some(w) = rest
            && let Ok(mut idle) = self.idle.lock()
            && idle.len() < self.limits.pool_instances as usize
        {
            idle.push(w);
        }
    }

    /// Run one request through the guest. Any trap drops the instance; the next call gets a fresh one.
    pub fn call(&self, input: &[u8]) -> Result<String, GuestFault> {
        if input.len() > MAX_REQUEST_BYTES {
            return Err(GuestFault::TooLarge(input.len()));
        }
        let mut w = match self.take_idle() {
            Some(w) => w,
            None => self.instantiate()?,
        };
        let out = self.call_on(&mut w, input);
        // A trapped instance may be in any state: never reuse it. A bloated one gives its memory back.
        if out.is_ok() && w.memory.data_size(&w.store) <= 32 << 20 {
            self.keep(w);
        }
        out
    }

    fn call_on(&self, w: &mut Worker, input: &[u8]) -> Result<String, GuestFault> {
        w.store
            .set_epoch_deadline(self.limits.deadline_ticks(input.len()));
        if let Some(f) = self.limits.fuel {
            w.store
                .set_fuel(f.saturating_add(input.len() as u64 * 64))
                .map_err(|e| GuestFault::Trap(e.to_string()))?;
        }
        let len = i32::try_from(input.len()).map_err(|_| GuestFault::TooLarge(input.len()))?;
        let ptr = w.alloc.call(&mut w.store, len).map_err(classify)?;
        if ptr == 0 {
            return Err(GuestFault::Memory);
        }
        w.memory
            .write(&mut w.store, ptr as u32 as usize, input)
            .map_err(|e| GuestFault::Trap(e.to_string()))?;
        let out = w.call.call(&mut w.store, (ptr, len)).map_err(classify)?;
        w.free.call(&mut w.store, (ptr, len)).map_err(classify)?;
        if out == 0 {
            return Err(GuestFault::Memory);
        }
        let at = out as u32 as usize;
        let mut n = [0u8; 4];
        w.memory
            .read(&w.store, at, &mut n)
            .map_err(|e| GuestFault::Trap(e.to_string()))?;
        let n = u32::from_le_bytes(n) as usize;
        let body = w
            .memory
            .data(&w.store)
            .get(at + 4..at + 4 + n)
            .ok_or_else(|| GuestFault::Trap("response frame out of bounds".into()))?;
        // The guest's answer is checked, never trusted, to be UTF-8: 17–21 KB per 40-line claim, a few per
        // cent of a call with std's validator, a fifth of that with simdutf8's (SIMD where the CPU has it).
        let text = simdutf8::basic::from_utf8(body)
            .map_err(|_| GuestFault::Trap("response is not UTF-8".into()))?
            .to_owned();
        w.free
            .call(&mut w.store, (out, (n + 4) as i32))
            .map_err(classify)?;
        Ok(text)
    }
}

/// The compiled guest: from the on-disk cache when this exact module was compiled before by this exact
/// engine configuration, else compiled with Cranelift (about a second) and cached for the next process.
/// The cache lives in `$YIDI_CACHE_DIR`, else `$XDG_CACHE_HOME/yidi`, else `~/.cache/yidi` (created 0700);
/// `YIDI_CACHE_DIR=off` disables it. Any cache problem falls back to compiling.
fn cached_module(engine: &Engine, wasm: &[u8]) -> Result<Module, String> {
    let compile = || Module::new(engine, wasm).map_err(|e| format!("compiling the guest: {e}"));
    let Some(dir) = cache_dir() else { return compile() };
    let mut compat = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut compat);
    let key = format!(
        "guest-{}-{:016x}-{}.cwasm",
        &crate::registry::sha256_hex(wasm)[..32],
        std::hash::Hasher::finish(&compat),
        env!("CARGO_PKG_VERSION")
    );
    let path = dir.join(key);
    if path.is_file() {
        // SAFETY: `deserialize_file` trusts the file to be wasmtime's own output. The file is named by the
        // SHA-256 of the guest and the engine's compatibility hash, in a cache directory private to this
        // user (0700), and was written only by this function after compiling that guest; wasmtime still
        // checks its header and compatibility and refuses anything else, in which case we compile anew.
        #[allow(unsafe_code)]
        let loaded = unsafe { Module::deserialize_file(engine, &path) };
        if let Ok(m) = loaded {
            return Ok(m);
        }
    }
    let module = compile()?;
    if let Ok(bytes) = module.serialize() {
        // Write then rename, so a concurrent process never reads a half-written file.
        let tmp = dir.join(format!(
            ".tmp-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
    Ok(module)
}

fn cache_dir() -> Option<std::path::PathBuf> {
    let dir = match std::env::var_os("YIDI_CACHE_DIR") {
        Some(d) if d == "off" => return None,
        Some(d) => std::path::PathBuf::from(d),
        None => match std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
            Some(d) => std::path::PathBuf::from(d).join("yidi"),
            None => std::path::PathBuf::from(std::env::var_os("HOME")?).join(".cache/yidi"),
        },
    };
    std::fs::create_dir_all(&dir).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).ok()?;
    }
    Some(dir)
}

impl Drop for GuestEngine {
    fn drop(&mut self) {
        self.stop_ticker.store(true, Ordering::Relaxed);
    }
}

fn classify(e: wasmtime::Error) -> GuestFault {
    match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) | Some(Trap::OutOfFuel) => GuestFault::Deadline,
        _ => {
            let msg = format!("{e:?}");
            if msg.contains("growing memory") || msg.contains("memory allocation") {
                GuestFault::Memory
            } else {
                GuestFault::Trap(msg)
            }
        }
    }
}

/// Where the core runs: the guest under wasmtime (the default) or natively (`--native`, for comparison).
#[derive(Clone)]
pub enum Runner {
    Wasm(Arc<GuestEngine>),
    Native,
}

impl Runner {
    pub fn new(native: bool, limits: Limits) -> Result<Runner, String> {
        if native {
            Ok(Runner::Native)
        } else {
            GuestEngine::new(limits).map(Runner::Wasm)
        }
    }

    /// One API request in, one response envelope out. Never panics; faults become error envelopes.
    pub fn call(&self, input: &[u8]) -> String {
        match self.try_call(input) {
            Ok(s) => s,
            Err(f) => f.envelope(&op_of(input)),
        }
    }

    pub fn try_call(&self, input: &[u8]) -> Result<String, GuestFault> {
        match self {
            Runner::Wasm(g) => g.call(input),
            Runner::Native => {
                if input.len() > MAX_REQUEST_BYTES {
                    return Err(GuestFault::TooLarge(input.len()));
                }
                std::panic::catch_unwind(|| yidi_guest::call_bytes(input))
                    .map_err(|_| GuestFault::Trap("panic in the core".into()))
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Runner::Wasm(_) => "wasmtime",
            Runner::Native => "native",
        }
    }
}

/// Best-effort op name of a request (for error envelopes), without parsing hostile input in full.
fn op_of(input: &[u8]) -> String {
    let head = &input[..input.len().min(4096)];
    let s = String::from_utf8_lossy(head);
    s.find("\"op\"")
        .and_then(|i| {
            let rest = &s[i + 4..];
            let q1 = rest.find('"')?;
            let rest = &rest[q1 + 1..];
            let q2 = rest.find('"')?;
            Some(rest[..q2].to_string())
        })
        .filter(|op| {
            op.len() <= 64
                && op
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        })
        .unwrap_or_default()
}
