//! Mutation fuzzing of `yidi serve` over real loopback HTTP: mutated bodies (and query strings) for every
//! endpoint a person, a hospital or an agency calls — filing, status, change, cancel, eval, verify,
//! precheck, batch verify, registry query, suspension. Each answer must be a proper HTTP answer (never a
//! 5xx, never a dropped connection) with a JSON body, an error with a stable code for every 4xx; no answer
//! and no log line may hold an identity number unmasked, wherever a mutation moved it; and afterwards the
//! server still serves, and the filings acknowledged before the campaign are intact.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod common;

use common::{AGENCY_KEY, Server, certno, tmpdir};
use serde_json::{Value, json};
use yidi_host::claimgen::Rng;
use yidi_host::mutate;

fn cases() -> usize {
    std::env::var("YIDI_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .map_or(600, |n| n / 5)
}

#[test]
fn mutated_http_requests_get_clear_answers_and_leak_no_identity_numbers() {
    let dir = tmpdir("fuzz-http");
    let db = dir.join("registry.sqlite3");
    let s = Server::start(db.to_str().unwrap(), &dir.join("log"), &[]);
    let alice = certno("61010419800101123");
    let bob = certno("11010519491231002");
    // Carol has no filing yet: mutations of her application that keep it valid create one.
    let carol = certno("33010619900307456");
    let application = |c: &str| {
        json!({"certno": c, "applicant": {"insuplc_admdvs": "610100", "insutype": "310"},
            "category": "other_temporary", "rloc_admdvs": "110000",
            "begndate": yidi_host::log::today_china(), "materials": {}})
        .to_string()
    };
    let created = |c: &str| {
        let r = s.req("POST", "/v1/filings", &[], &application(c));
        assert_eq!(r.status, 201, "{}", r.text());
        let v = r.json();
        let id = v["result"]["filing_id"].as_str().unwrap().to_string();
        let token = v["result"]["receipt_token"].as_str().unwrap().to_string();
        (id, token)
    };
    let (alice_id, alice_token) = created(&alice);
    let (bob_id, bob_token) = created(&bob);
    let alice_status = || {
        s.req(
            "GET",
            &format!("/v1/filings/{alice_id}"),
            &[("x-receipt-token", &alice_token)],
            "",
        )
        .text()
    };
    let before = alice_status();

    let golden = mutate::seeds(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
        yidi_tests::case_requests(&yidi_tests::golden_root()),
    );
    let batch =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/settlements.ndjson")).unwrap();
    let record = batch.lines().next().unwrap().to_string();
    let precheck = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/precheck.ndjson"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    // (method, path, who, seed body): who = 0 nobody, 1 Bob's token, 2 the agency key.
    let bob_path = format!("/v1/filings/{bob_id}");
    let endpoints: Vec<(&str, String, u8, String)> = vec![
        ("POST", "/v1/filings".into(), 0, application(&carol)),
        (
            "PUT",
            bob_path.clone(),
            1,
            r#"{"reason":"personal","changes":{"rloc_admdvs":"310000"}}"#.into(),
        ),
        (
            "POST",
            format!("{bob_path}/cancel"),
            1,
            r#"{"reason":"personal"}"#.into(),
        ),
        ("POST", "/v1/verify".into(), 0, record.clone()),
        ("POST", "/v1/precheck".into(), 0, precheck),
        ("POST", "/v1/verify/batch".into(), 2, batch.clone()),
        (
            "POST",
            format!("/v1/registry/filings/{bob_id}/suspend"),
            2,
            json!({"reason": format!("违规 {bob}")}).to_string(),
        ),
        (
            "POST",
            format!("/v1/registry/filings/{bob_id}/resume"),
            2,
            "{}".into(),
        ),
        (
            "GET",
            format!("/v1/registry/filings?certno={bob}&status=active"),
            2,
            String::new(),
        ),
    ];
    let seed = std::env::var("YIDI_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x4777_f022);
    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    let mut statuses = std::collections::BTreeMap::new();
    for case in 0..cases() {
        let (method, path, who, body) = if case % 3 == 0 {
            let g = &golden[rng.below(golden.len() as u64) as usize];
            ("POST", "/v1/eval".to_string(), 0, g.clone())
        } else {
            endpoints[rng.below(endpoints.len() as u64) as usize].clone()
        };
        // Now and then the subtree a mutation plants comes from the people's own identity numbers, so
        // they land in any member: no answer may quote them back unmasked.
        let planted = json!([alice, bob, carol]).to_string();
        let other = if rng.chance(30) {
            &planted
        } else {
            &golden[rng.below(golden.len() as u64) as usize]
        };
        let (path, body) = if method == "GET" {
            // The query string, mutated as text (what a hand-edited URL or a broken client sends).
            let q = mutate::mutate_text(&mut rng, path.as_bytes(), b"&certno=%00%ZZ&status=");
            let q: String = String::from_utf8_lossy(&q)
                .chars()
                // Only characters a URI may hold: anything else is refused by the HTTP parser before any
                // handler (a bare 400), which is not what this test is about.
                .filter(|c| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(*c))
                .collect();
            (
                if q.starts_with("/v1/registry/filings") {
                    q
                } else {
                    path
                },
                String::new(),
            )
        } else {
            let b = mutate::mutate_request(&mut rng, &body, other);
            (path, String::from_utf8_lossy(&b).into_owned())
        };
        let token;
        let headers: Vec<(&str, &str)> = match who {
            1 => {
                token = bob_token.clone();
                vec![("x-receipt-token", token.as_str())]
            }
            2 => vec![("x-agency-key", AGENCY_KEY)],
            _ => vec![],
        };
        let r = match s.conn().request(method, &path, &headers, body.as_bytes()) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{method} {path}: no answer ({e}) to {body:.300}"));
                continue;
            }
        };
        *statuses.entry(r.status).or_insert(0) += 1;
        let text = r.text();
        let v: Option<Value> = serde_json::from_str(&text).ok();
        let well_formed = match (&v, r.status) {
            // An envelope, or the batch's report (the CLI's report shape: summary and records).
            (Some(v), 200..=299) => v.get("result").is_some() || v.get("records").is_some(),
            (Some(v), 400..=499) => v["error"]["code"].as_str().is_some_and(|c| c.starts_with("E_")),
            _ => false,
        };
        if !well_formed {
            failures.push(format!(
                "{method} {path}: {} {text:.300}\n  to {body:.300}",
                r.status
            ));
        }
        // No error message and nothing from the registry may hold one. (A settlement or verification that
        // succeeds gives back the record's own members, and a client that typed an identity number as the
        // settlement id gets it back there: that is its data, not a message.)
        let must_mask = r.status >= 400
            || !path.starts_with("/v1/eval")
                && !path.starts_with("/v1/verify")
                && !path.starts_with("/v1/precheck");
        for id_number in [&alice, &bob, &carol] {
            if must_mask && text.contains(id_number.as_str()) {
                failures.push(format!(
                    "{method} {path}: identity number in the answer: {text:.300}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(8)].join("\n")
    );
    // The campaign reached the handlers, not only the parsers in front of them.
    assert!(
        statuses.keys().any(|s| *s < 300) && statuses.len() >= 4,
        "statuses: {statuses:?}"
    );

    // Still serving, and Alice's acknowledged filing is as it was (Bob's may have been changed, cancelled
    // or suspended by the valid mutations among the cases, through the rules).
    assert_eq!(s.req("GET", "/v1/health", &[], "").status, 200);
    assert_eq!(alice_status(), before);
    let r = s.req("GET", &bob_path, &[("x-receipt-token", &bob_token)], "");
    assert_eq!(r.status, 200, "{}", r.text());
    let log = std::fs::read_to_string(&s.log).unwrap();
    for id_number in [&alice, &bob, &carol] {
        assert!(!log.contains(id_number.as_str()), "identity number in the log");
    }
}
