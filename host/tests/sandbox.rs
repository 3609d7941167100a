//! The sandbox: hostile guests and hostile requests end in clear errors, and the engine keeps serving.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::time::{Duration, Instant};
use yidi_host::engine::{GuestEngine, GuestFault, Limits, Runner};

/// A module with the guest ABI whose `yidi_call` body is `call_body` (hand-assembled wasm, no toolchain).
fn module_with_call(call_body: &[u8]) -> Vec<u8> {
    fn section(id: u8, content: &[u8]) -> Vec<u8> {
        let mut s = vec![id];
        leb(&mut s, content.len() as u32);
        s.extend_from_slice(content);
        s
    }
    fn leb(out: &mut Vec<u8>, mut v: u32) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
    }
    fn name(out: &mut Vec<u8>, n: &str) {
        out.push(n.len() as u8);
        out.extend_from_slice(n.as_bytes());
    }
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.extend(section(
        1,
        &[
            3, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 2, 0x7f, 0x7f, 0, 0x60, 2, 0x7f, 0x7f, 1, 0x7f,
        ],
    ));
    m.extend(section(3, &[3, 0, 1, 2]));
    m.extend(section(5, &[1, 0, 1]));
    let mut ex = vec![4];
    for (n, kind, idx) in [
        ("memory", 2u8, 0u8),
        ("yidi_alloc", 0, 0),
        ("yidi_free", 0, 1),
        ("yidi_call", 0, 2),
    ] {
        name(&mut ex, n);
        ex.extend([kind, idx]);
    }
    m.extend(section(7, &ex));
    let bodies: [&[u8]; 3] = [&[0, 0x41, 0x80, 0x08, 0x0b], &[0, 0x0b], call_body];
    let mut code = vec![3];
    for b in bodies {
        leb(&mut code, b.len() as u32);
        code.extend_from_slice(b);
    }
    m.extend(section(10, &code));
    m
}

const ENDLESS_LOOP: &[u8] = &[0, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x41, 0x00, 0x0b];
/// Grows memory one page at a time forever.
const MEMORY_HOG: &[u8] = &[
    0, 0x03, 0x40, 0x41, 0x01, 0x40, 0x00, 0x1a, 0x0c, 0x00, 0x0b, 0x41, 0x00, 0x0b,
];

fn small_limits() -> Limits {
    Limits {
        memory_bytes: 16 << 20,
        deadline: Duration::from_millis(50),
        deadline_per_mib: Duration::from_millis(100),
        fuel: None,
        pool_instances: 4,
    }
}

#[test]
fn an_endless_loop_stops_at_the_deadline_and_the_engine_goes_on() {
    let g = GuestEngine::with_module(&module_with_call(ENDLESS_LOOP), small_limits()).unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        assert_eq!(g.call(b"{}"), Err(GuestFault::Deadline));
        assert!(t.elapsed() < Duration::from_secs(2), "took {:?}", t.elapsed());
    }
    let env = GuestFault::Deadline.envelope("settle");
    assert!(env.contains("E_DEADLINE") && env.contains("\"ok\":false"));
}

#[test]
fn fuel_also_stops_an_endless_loop() {
    let limits = Limits {
        fuel: Some(1_000_000),
        deadline: Duration::from_secs(30),
        ..small_limits()
    };
    let g = GuestEngine::with_module(&module_with_call(ENDLESS_LOOP), limits).unwrap();
    assert_eq!(g.call(b"{}"), Err(GuestFault::Deadline));
}

#[test]
fn a_memory_hog_hits_the_cap() {
    let g = GuestEngine::with_module(&module_with_call(MEMORY_HOG), small_limits()).unwrap();
    assert_eq!(g.call(b"{}"), Err(GuestFault::Memory));
    assert_eq!(g.call(b"{}"), Err(GuestFault::Memory));
}

#[test]
fn the_real_guest_answers_hostile_requests_with_errors_and_keeps_serving() {
    let r = Runner::new(false, Limits::default()).unwrap();
    let version = br#"{"api_version":"1","op":"version","request":{}}"#;
    let ok = r.call(version);
    assert!(ok.contains("\"ok\":true"), "{ok}");

    // Deep nesting where the core must read it: a clear error, no stack overflow in the guest.
    for op in ["amount.daxie", "settle", "verify"] {
        let deep = format!(
            r#"{{"api_version":"1","op":"{op}","request":{{"amount":{}{}}}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let out = r.call(deep.as_bytes());
        assert!(
            out.contains("\"ok\":false") && out.contains("\"code\":\"E_"),
            "{}",
            &out[..out.len().min(300)]
        );
    }

    let huge = r#"{"api_version":"1","op":"amount.daxie","request":{"amount":"1e30"}}"#;
    let out = r.call(huge.as_bytes());
    assert!(out.contains("\"ok\":false"), "{out}");
    let huge =
        r#"{"api_version":"1","op":"amount.daxie","request":{"amount":1000000000000000000000000000000}}"#;
    assert!(r.call(huge.as_bytes()).contains("\"ok\":false"));

    let too_big = vec![b' '; yidi_host::engine::MAX_REQUEST_BYTES + 1];
    let out = r.call(&too_big);
    assert!(out.contains("E_TOO_LARGE"), "{out}");

    assert!(r.call(&[0xff, 0x00, 0xfe]).contains("E_JSON"));
    assert_eq!(r.call(version), ok, "the engine still answers, identically");
}

#[test]
fn one_instance_serves_thousands_of_calls_without_growing() {
    // The guest's per-call arena takes a call's memory back when the host frees the answer; shipped packs
    // parsed on first use stay. After every region has been seen, memory must not grow at all.
    let g = GuestEngine::new(Limits {
        pool_instances: 1,
        ..Limits::default()
    })
    .unwrap();
    let mut rng = yidi_host::claimgen::Rng(7);
    let claims: Vec<String> = (0..400)
        .map(|i| {
            serde_json::json!({"api_version": "1", "op": "settle",
                "request": yidi_host::claimgen::claim(&mut rng, i, None)})
            .to_string()
        })
        .collect();
    for c in &claims {
        let _ = g.call(c.as_bytes());
    }
    let warm = g.idle_memory_bytes();
    assert_eq!(warm.len(), 1);
    assert!(warm[0] <= 16 << 20, "{warm:?}");
    for _ in 0..3 {
        for c in &claims {
            let out = g.call(c.as_bytes()).unwrap();
            assert_eq!(out, Runner::Native.call(c.as_bytes()));
        }
        assert_eq!(g.idle_memory_bytes(), warm);
    }
}
