//! Filing-registry cases run against SQLite (`registry_sqlite.rs`) and PostgreSQL (`registry_pg.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use super::*;
use serde_json::{Value, json};

/// A filing application the shipped packs accept: a temporary trip from Xi'an to Beijing from today.
pub fn application(certno: &str) -> String {
    json!({
        "certno": certno,
        "applicant": {"insuplc_admdvs": "610100", "insutype": "310"},
        "category": "other_temporary",
        "rloc_admdvs": "110000",
        "begndate": yidi_host::log::today_china(),
        "materials": {}
    })
    .to_string()
}

pub fn create(s: &Server, certno: &str) -> (String, String) {
    let r = s.req("POST", "/v1/filings", &[], &application(certno));
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    (
        v["result"]["filing_id"].as_str().unwrap().to_string(),
        v["result"]["receipt_token"].as_str().unwrap().to_string(),
    )
}

/// Apply, read, change, cancel; every refusal clear; only the token holder gets in; nothing unmasked in logs.
pub fn lifecycle_and_ownership(db: &str, dir: &std::path::Path) {
    let s = Server::start(db, &dir.join("log"), &[]);
    let bad = "11010519491231002Y";
    let alice = certno("61010419800101123");
    let mut wrong_check = alice.clone();
    wrong_check.pop();
    wrong_check.push(if alice.ends_with('0') { '1' } else { '0' });
    let r = s.req("POST", "/v1/filings", &[], &application(&wrong_check));
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "E_CERTNO");
    assert!(!r.text().contains(&wrong_check));
    let r = s.req("POST", "/v1/filings", &[], &application(bad));
    assert_eq!(r.json()["error"]["code"], "E_CERTNO");
    let r = s.req("POST", "/v1/filings", &[], r#"{"applicant":{}}"#);
    assert_eq!(r.json()["error"]["code"], "E_MISSING_FIELD");
    let r = s.req("POST", "/v1/filings", &[], "{");
    assert_eq!(r.json()["error"]["code"], "E_JSON");

    let bob = certno("43010219751111456");
    let (id, token) = create(&s, &alice);
    let (bob_id, bob_token) = create(&s, &bob);
    assert!(token.len() >= 64 && id != bob_id);

    let r = s.req("GET", &format!("/v1/filings/{id}"), &[], "");
    assert_eq!(r.status, 401);
    let r = s.req(
        "GET",
        &format!("/v1/filings/{id}"),
        &[("x-receipt-token", &bob_token)],
        "",
    );
    assert_eq!(r.status, 404, "someone else's token does not open a filing");
    let r = s.req(
        "DELETE",
        &format!("/v1/filings/{id}"),
        &[("x-receipt-token", &bob_token)],
        "",
    );
    assert_eq!(r.status, 404);
    let r = s.req(
        "GET",
        &format!("/v1/filings/{id}"),
        &[("authorization", &format!("Bearer {token}"))],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["result"]["status"], "active");
    assert_eq!(v["result"]["certno"], yidi_host::idcard::mask(&alice));
    assert!(!r.text().contains(&alice));

    // Change the destination, then cancel; the core decides both.
    let r = s.req(
        "PUT",
        &format!("/v1/filings/{id}"),
        &[("x-receipt-token", &token)],
        r#"{"reason":"personal","changes":{"rloc_admdvs":"310000"}}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["result"]["filing"]["rloc_admdvs"], "310000");
    assert_eq!(r.json()["result"]["version"], 2);
    let r = s.req(
        "DELETE",
        &format!("/v1/filings/{id}"),
        &[("x-receipt-token", &token)],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["result"]["status"], "cancelled");
    let r = s.req(
        "POST",
        &format!("/v1/filings/{id}/cancel"),
        &[("x-receipt-token", &token)],
        "{}",
    );
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"]["code"], "E_CONFLICT");

    // The agency sees both people's filings, masked; only with the key.
    let r = s.req(
        "GET",
        &format!("/v1/registry/filings?certno={bob}"),
        &[("x-agency-key", AGENCY_KEY)],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let list = r.json()["result"].as_array().unwrap().clone();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["filing_id"], Value::String(bob_id));
    assert!(!r.text().contains(&bob));

    let log = std::fs::read_to_string(&s.log).unwrap();
    for id_number in [&alice, &bob, &wrong_check, &bad.to_string()] {
        assert!(
            !log.contains(id_number.as_str()),
            "identity number in the log:\n{log}"
        );
    }
    assert!(
        log.contains("\"event\":\"refused\""),
        "refusals are logged:\n{log}"
    );
}

/// A filing acknowledged with 201 survives SIGKILL of the server.
pub fn survives_kill_9(db: &str, dir: &std::path::Path) {
    let s = Server::start(db, &dir.join("log"), &[]);
    let people: Vec<String> = (0..20)
        .map(|i| certno(&format!("1101051990010{:04}", 1000 + i)))
        .collect();
    let receipts: Vec<(String, String)> = people.iter().map(|p| create(&s, p)).collect();
    s.kill9();
    let s = Server::start(db, &dir.join("log"), &[]);
    for (id, token) in &receipts {
        let r = s.req(
            "GET",
            &format!("/v1/filings/{id}"),
            &[("x-receipt-token", token)],
            "",
        );
        assert_eq!(r.status, 200, "filing {id} lost after kill -9: {}", r.text());
        assert_eq!(r.json()["result"]["status"], "active");
    }
}

/// A change and a cancellation of one filing sent at the same moment, both for the version the person saw
/// (`If-Match: "1"`): exactly one wins, the other gets 409. `b` may be a second
/// server on the same database (instances behind a load balancer).
pub fn change_and_cancel_race(a: &Server, b: &Server) {
    let mut both_won = 0;
    for i in 0..25 {
        let (id, token) = create(a, &certno(&format!("3301061985050{:04}", 2000 + i)));
        let path = format!("/v1/filings/{id}");
        let owner = [("x-receipt-token", token.as_str()), ("if-match", "\"1\"")];
        let (ch, ca) = at_once(
            a,
            (
                "PUT",
                &path,
                &owner,
                br#"{"reason":"personal","changes":{"rloc_admdvs":"310000"}}"#,
            ),
            b,
            ("DELETE", &path, &owner, b""),
        );
        assert!(
            [200, 409].contains(&ch.status),
            "change: {} {}",
            ch.status,
            ch.text()
        );
        assert!(
            [200, 409].contains(&ca.status),
            "cancel: {} {}",
            ca.status,
            ca.text()
        );
        if ch.status == 200 && ca.status == 200 {
            both_won += 1;
        }
        assert!(
            matches!((ch.status, ca.status), (200, 409) | (409, 200)),
            "exactly one of a change and a cancellation wins: change {}, cancel {}",
            ch.status,
            ca.status
        );
        let now = a
            .req(
                "GET",
                &format!("/v1/filings/{id}"),
                &[("x-receipt-token", &token)],
                "",
            )
            .json();
        match (ch.status, ca.status) {
            (200, 409) => assert_eq!(now["result"]["status"], "active"),
            (409, 200) => assert_eq!(now["result"]["status"], "cancelled"),
            _ => {}
        }
    }
    assert_eq!(both_won, 0, "a change and a cancellation both won");
}

/// A change of a filing to a new place and an application of the same person to that place, at once (two
/// servers may share the database): at most one gets there, the other is refused as a second filing to the
/// same place (or told to retry), and the person has exactly one active filing there. Before the change took
/// part in the person's compare-and-set, both could pass their checks unseen by each other.
pub fn change_and_application_race(a: &Server, b: &Server) {
    let key = [("x-agency-key", AGENCY_KEY)];
    for round in 0..12 {
        let who = certno(&format!("4401061970030{:04}", 4000 + round));
        let (id, token) = create(a, &who);
        let mut apply: Value = serde_json::from_str(&application(&who)).unwrap();
        apply["rloc_admdvs"] = json!("310000");
        let apply = apply.to_string();
        let path = format!("/v1/filings/{id}");
        let (ch, ap) = at_once(
            a,
            (
                "PUT",
                &path,
                &[("x-receipt-token", &token)],
                br#"{"reason":"personal","changes":{"rloc_admdvs":"310000"}}"#,
            ),
            b,
            ("POST", "/v1/filings", &[], apply.as_bytes()),
        );
        let (cs, at) = (ch.status, ap.status);
        assert!(
            [200, 409, 422].contains(&cs) && [201, 409, 422].contains(&at),
            "round {round}: change {cs} {}, application {at} {}",
            ch.text(),
            ap.text()
        );
        assert!(
            !(cs == 200 && at == 201),
            "round {round}: the change and the application both reached 310000"
        );
        for r in [&ch, &ap].into_iter().filter(|r| r.status == 422) {
            assert!(
                r.text().contains("F_ALREADY_FILED"),
                "round {round}: {}",
                r.text()
            );
        }
        let q = a.req(
            "GET",
            &format!("/v1/registry/filings?certno={who}&status=active"),
            &key,
            "",
        );
        assert_eq!(q.status, 200, "{}", q.text());
        let rows = q.json()["result"].as_array().cloned().unwrap();
        let there = rows
            .iter()
            .filter(|r| r["filing"]["rloc_admdvs"] == "310000")
            .count();
        assert!(
            there <= 1,
            "round {round}: {there} active filings at 310000: {}",
            q.text()
        );
        assert_eq!(
            there,
            usize::from(cs == 200 || at == 201),
            "round {round}: change {cs}, application {at}"
        );
    }
}

/// The same application sent 8 times at once (two servers may share the database): exactly one is
/// accepted, the others are refused as a second filing to the same place (or told to retry), and the
/// person has one active filing. Before the person's version, 1 to 8 were accepted.
/// Also: what a client adds to `applicant` beyond the core's members (an identity number) is not stored.
pub fn simultaneous_applications(a: &Server, b: &Server) {
    for round in 0..5 {
        let who = certno(&format!("3201061975060{:04}", 3000 + round));
        let mut body: Value = serde_json::from_str(&application(&who)).unwrap();
        body["applicant"]["certno"] = json!(who);
        body["applicant"]["name"] = json!(format!("张三 {who}"));
        let body = body.to_string();
        let barrier = std::sync::Barrier::new(8);
        let statuses: Vec<(u16, String)> = std::thread::scope(|sc| {
            let hs: Vec<_> = (0..8)
                .map(|i| {
                    let (barrier, body) = (&barrier, &body);
                    sc.spawn(move || {
                        let mut c = if i % 2 == 0 { a.conn() } else { b.conn() };
                        barrier.wait();
                        let r = c.request("POST", "/v1/filings", &[], body.as_bytes()).unwrap();
                        (r.status, r.text())
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let won = statuses.iter().filter(|(s, _)| *s == 201).count();
        let codes: Vec<u16> = statuses.iter().map(|(s, _)| *s).collect();
        assert_eq!(won, 1, "round {round}: one application accepted, got {codes:?}");
        for (s, t) in statuses.iter().filter(|(s, _)| *s != 201) {
            assert!(
                (*s == 422 && t.contains("F_ALREADY_FILED")) || (*s == 409 && t.contains("E_CONFLICT")),
                "round {round}: {s} {t}"
            );
        }
        let key = [("x-agency-key", AGENCY_KEY)];
        let q = a.req("GET", &format!("/v1/registry/filings?certno={who}"), &key, "");
        assert_eq!(q.status, 200, "{}", q.text());
        let text = q.text();
        assert!(
            !text.contains(&who),
            "identity number stored or shown in clear: {text}"
        );
        let rows = q.json()["result"].as_array().cloned().unwrap();
        let active = rows.iter().filter(|r| r["status"] == "active").count();
        assert_eq!(active, 1, "{text}");
    }
}
