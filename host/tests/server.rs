//! The HTTP server over real loopback HTTP: API, limits, hostile requests, authorisation, log masking.
//! Filing-registry tests (SQLite, kill -9, concurrency, agency suspension) are in `registry_sqlite.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod common;
use common::*;

#[test]
fn api_limits_and_hostile_requests() {
    let dir = tmpdir("api");
    let s = Server::start(
        dir.join("f.sqlite3").to_str().unwrap(),
        &dir.join("log"),
        &["--max-body", "1048576"],
    );

    let h = s.req("GET", "/v1/health", &[], "");
    assert_eq!(h.status, 200, "{}", h.text());
    assert_eq!(h.json()["engine"], "wasmtime");
    assert_eq!(h.json()["registry"], "sqlite");

    let o = s.req("GET", "/v1/openapi.json", &[], "");
    assert_eq!(o.status, 200);
    assert_eq!(o.json()["openapi"], "3.1.0");
    assert!(o.json()["paths"]["/v1/filings/{id}"].is_object());
    for action in ["suspend", "resume", "terminate"] {
        let p = &o.json()["paths"][format!("/v1/registry/filings/{{id}}/{action}")]["post"];
        assert_eq!(p["security"][0]["agencyKey"], serde_json::json!([]), "{action}");
    }

    let e = s.req(
        "POST",
        "/v1/eval",
        &[],
        r#"{"api_version":"1","op":"amount.daxie","request":{"amount":"1010.05"}}"#,
    );
    assert_eq!(e.status, 200, "{}", e.text());
    assert_eq!(e.json()["result"]["daxie"], "壹仟零壹拾元零伍分");

    // Malformed JSON, unknown op, absurd amounts: clear errors with the core's codes.
    let bad = s.req("POST", "/v1/eval", &[], "{not json");
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["error"]["code"], "E_JSON");
    let unk = s.req(
        "POST",
        "/v1/eval",
        &[],
        r#"{"api_version":"1","op":"nope","request":{}}"#,
    );
    assert_eq!(unk.json()["error"]["code"], "E_UNKNOWN_OP");
    let huge = s.req(
        "POST",
        "/v1/eval",
        &[],
        r#"{"api_version":"1","op":"amount.daxie","request":{"amount":1e30}}"#,
    );
    assert_eq!(huge.status, 400, "{}", huge.text());
    assert_eq!(huge.json()["ok"], false);

    // Deeply nested JSON: refused by the parser's depth limit, not a stack overflow.
    let deep = format!(
        r#"{{"api_version":"1","op":"settle","request":{{"person":{}{}}}}}"#,
        "[".repeat(500_000),
        "]".repeat(500_000)
    );
    let d = s.req("POST", "/v1/eval", &[], &deep);
    assert_eq!(d.status, 400, "{}", d.text());
    assert!(d.json()["error"]["code"].as_str().unwrap().starts_with("E_"));
    // The same through /v1/verify, where the host checks the body first.
    let deep = format!(r#"{{"setlinfo":{}{}}}"#, "[".repeat(500_000), "]".repeat(500_000));
    let d = s.req("POST", "/v1/verify", &[], &deep);
    assert_eq!(d.status, 400, "{}", d.text());
    assert_eq!(d.json()["error"]["code"], "E_JSON");

    // A 100 MB body is refused before it is read; the server keeps serving.
    let big = vec![b'x'; 100 << 20];
    let r = s.conn().request("POST", "/v1/eval", &[], &big).unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(r.json()["error"]["code"], "E_TOO_LARGE");
    // The record endpoints have the same limit.
    let mut c = s.conn();
    let r = c
        .request("POST", "/v1/verify", &[], &vec![b' '; 2 << 20])
        .unwrap();
    assert_eq!(r.status, 413);
    assert_eq!(s.req("GET", "/v1/health", &[], "").status, 200);

    // Non-object bodies for the record endpoints.
    assert_eq!(s.req("POST", "/v1/verify", &[], "[1,2]").status, 400);
    assert_eq!(s.req("POST", "/v1/precheck", &[], "").status, 400);

    // Unknown routes: JSON 404, and no web app when web/dist is absent.
    let nf = s.req("GET", "/v1/nothing", &[], "");
    assert_eq!(nf.status, 404);
    assert_eq!(nf.json()["error"]["code"], "E_NOT_FOUND");
    assert_eq!(s.req("GET", "/", &[], "").status, 404);
}

/// Crafted inline packs over HTTP (see `crafted_packs.rs` for the engine-level cases): each gets its exact
/// code and status, and the server answers ordinary requests identically meanwhile and afterwards.
#[test]
fn crafted_inline_packs_over_http() {
    let dir = tmpdir("packs");
    let normal = packs::settle_envelope(None);
    let expected = yidi_host::engine::Runner::Native.call(normal.as_bytes());
    assert!(expected.contains("\"ok\":true"));

    // A flat 50 ms per call: three hundred inline packs need many times that.
    let tight = Server::start(
        dir.join("a.sqlite3").to_str().unwrap(),
        &dir.join("log-a"),
        &["--deadline-ms", "50", "--deadline-per-mib-ms", "0"],
    );
    let heavy = packs::settle_envelope(Some(vec![packs::base_pack(); 300]));
    std::thread::scope(|s| {
        let hostile = s.spawn(|| tight.req("POST", "/v1/eval", &[], &heavy));
        // Meanwhile the server answers ordinary requests.
        for _ in 0..5 {
            let r = tight.req("POST", "/v1/eval", &[], &normal);
            assert_eq!((r.status, r.text()), (200, expected.clone()));
        }
        let r = hostile.join().unwrap();
        assert_eq!(r.status, 422, "{}", &r.text()[..r.text().len().min(300)]);
        assert_eq!(r.json()["error"]["code"], "E_DEADLINE");
        assert_eq!(r.json()["op"], "settle");
    });
    let r = tight.req("POST", "/v1/eval", &[], &normal);
    assert_eq!((r.status, r.text()), (200, expected.clone()));

    // Time to spare: refused packs get 400 with the core's code and the pack at fault, among them the note
    // that every rider's trace entry would repeat (beyond the core's size bounds).
    let roomy = Server::start(
        dir.join("b.sqlite3").to_str().unwrap(),
        &dir.join("log-b"),
        &["--deadline-ms", "20000", "--deadline-per-mib-ms", "0"],
    );
    for bad in [
        packs::settle_envelope(Some(vec![packs::pack_with_riders(3_000, &"注".repeat(350_000))])),
        packs::settle_with_deductible("1e30"),
        packs::settle_with_deductible("\"1e30\""),
        normal.replacen(
            r#""request":"#,
            &format!(
                r#""packs":[{{"schema":"yidi-pack/1","summary":{}{}}}],"request":"#,
                "[".repeat(500_000),
                "]".repeat(500_000)
            ),
            1,
        ),
    ] {
        let r = roomy.req("POST", "/v1/eval", &[], &bad);
        assert_eq!(r.status, 400, "{}", r.text());
        assert_eq!(r.json()["error"]["code"], "E_PACK");
        assert_eq!(r.json()["error"]["path"], "packs[0]");
    }
    let r = roomy.req("POST", "/v1/eval", &[], &normal);
    assert_eq!((r.status, r.text()), (200, expected));
}

#[test]
fn agency_endpoints_need_the_key() {
    let dir = tmpdir("agency");
    let s = Server::start(dir.join("f.sqlite3").to_str().unwrap(), &dir.join("log"), &[]);
    let batch = "{\"setlinfo\":{\"medfee_sumamt\":\"1\"}}\n";
    let r = s.req("POST", "/v1/verify/batch", &[], batch);
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], "E_UNAUTHORIZED");
    let r = s.req("POST", "/v1/verify/batch", &[("x-agency-key", "wrong")], batch);
    assert_eq!(r.status, 401);
    let r = s.req("GET", "/v1/registry/filings", &[("x-agency-key", "wrong")], "");
    assert_eq!(r.status, 401);
    // The treatment-status endpoints check the key before anything else (even for a filing that does not exist).
    for action in ["suspend", "resume", "terminate"] {
        let path = format!("/v1/registry/filings/Fnone/{action}");
        for headers in [vec![], vec![("x-agency-key", "wrong")]] {
            let r = s.req("POST", &path, &headers, r#"{"reason":"x"}"#);
            assert_eq!(r.status, 401, "{path}: {}", r.text());
            assert_eq!(r.json()["error"]["code"], "E_UNAUTHORIZED");
        }
        let r = s.req(
            "POST",
            &path,
            &[("x-agency-key", AGENCY_KEY)],
            r#"{"reason":"x"}"#,
        );
        assert_eq!(r.status, 404, "{path}: {}", r.text());
    }
    // Any other action is no endpoint at all.
    let r = s.req(
        "POST",
        "/v1/registry/filings/Fnone/pause",
        &[("x-agency-key", AGENCY_KEY)],
        r#"{"reason":"x"}"#,
    );
    assert_eq!(r.status, 404, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "E_NOT_FOUND");
    // A refusal that quotes what was sent (here an unknown member named by an identity number) masks it.
    let id_number = common::certno("11010519491231002");
    let r = s.req(
        "POST",
        "/v1/registry/filings/Fnone/suspend",
        &[("x-agency-key", AGENCY_KEY)],
        &serde_json::json!({ id_number.clone(): "x" }).to_string(),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(!r.text().contains(&id_number), "{}", r.text());
    assert!(
        r.text().contains(&yidi_host::idcard::mask(&id_number)),
        "{}",
        r.text()
    );
    // So does a refusal of the core that quotes the application (an identity number typed as the
    // destination, and as the insurance type).
    for application in [
        serde_json::json!({"certno": common::certno("61010419800101123"), "applicant": {"insuplc_admdvs": "610100", "insutype": "310"},
            "category": "other_temporary", "rloc_admdvs": id_number, "begndate": yidi_host::log::today_china(), "materials": {}}),
        serde_json::json!({"certno": common::certno("61010419800101123"), "applicant": {"insuplc_admdvs": "610100", "insutype": id_number},
            "category": "other_temporary", "rloc_admdvs": "110000", "begndate": yidi_host::log::today_china(), "materials": {}}),
    ] {
        let r = s.req("POST", "/v1/filings", &[], &application.to_string());
        assert!((400..500).contains(&r.status), "{}", r.text());
        assert!(!r.text().contains(&id_number), "{}", r.text());
    }
    let r = s.req("POST", "/v1/verify/batch", &[("x-agency-key", AGENCY_KEY)], batch);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["summary"]["records"], 1);
    let r = s.req(
        "GET",
        "/v1/registry/filings?certno=123",
        &[("x-agency-key", AGENCY_KEY)],
        "",
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "E_CERTNO");
}

#[test]
fn serves_the_web_app_with_spa_fallback_and_no_traversal() {
    let dir = tmpdir("web");
    let web = dir.join("dist");
    std::fs::create_dir_all(web.join("assets")).unwrap();
    std::fs::write(web.join("index.html"), "<!doctype html><title>Yidi</title>").unwrap();
    std::fs::write(web.join("assets/app.wasm"), b"\0asm").unwrap();
    std::fs::write(dir.join("secret.txt"), "secret").unwrap();
    let s = Server::start(
        dir.join("f.sqlite3").to_str().unwrap(),
        &dir.join("log"),
        &["--web", web.to_str().unwrap()],
    );
    let r = s.req("GET", "/", &[], "");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Yidi"));
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let r = s.req("GET", "/assets/app.wasm", &[], "");
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    assert!(
        s.req("GET", "/filing/new", &[], "").text().contains("Yidi"),
        "client routes fall back to index.html"
    );
    let r = s.req("GET", "/../secret.txt", &[], "");
    assert!(!r.text().contains("secret"));
    let r = s.req("GET", "/%2e%2e/secret.txt", &[], "");
    assert!(!r.text().contains("secret"));
}

/// Half-sent requests (slowloris): a connection that does not finish its headers in time is closed, a
/// body cut short is a clear 400, and the server answers others all along. Before, axum's defaults held
/// such connections forever and ~20,000 of them stopped the server.
#[test]
fn half_sent_requests_are_closed_and_others_served() {
    use std::io::{Read, Write};
    let dir = tmpdir("slowloris");
    let s = Server::start(dir.join("f.sqlite3").to_str().unwrap(), &dir.join("log"), &[]);
    let mut idle: Vec<std::net::TcpStream> = (0..50)
        .map(|_| {
            let mut c = std::net::TcpStream::connect(&s.addr).unwrap();
            c.write_all(b"POST /v1/eval HTTP/1.1\r\nHost: x\r\n").unwrap();
            c
        })
        .collect();
    // Others are served while those wait.
    let r = s.req("GET", "/v1/health", &[], "");
    assert_eq!(r.status, 200);
    // A body shorter than its Content-Length, then the client stops sending: 400, not 413.
    let mut cut = std::net::TcpStream::connect(&s.addr).unwrap();
    cut.write_all(b"POST /v1/eval HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"api")
        .unwrap();
    cut.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    cut.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("E_BODY"), "{answer}");
    // After the header read timeout (10 s) the half-sent connections are closed by the server.
    std::thread::sleep(std::time::Duration::from_secs(12));
    for c in &mut idle {
        c.set_read_timeout(Some(std::time::Duration::from_secs(2)))
            .unwrap();
        let mut buf = [0u8; 256];
        // Closed: end of file (hyper may first write a 408), never a read that times out.
        let n = loop {
            match c.read(&mut buf) {
                Ok(0) => break 0,
                Ok(_) => continue,
                Err(e) => panic!("a half-sent connection is still open after the timeout: {e}"),
            }
        };
        assert_eq!(n, 0);
    }
    assert_eq!(s.req("GET", "/v1/health", &[], "").status, 200);
}

/// What the router answers by itself is the error envelope too; preconditions, tokens and query parameters
/// are read strictly (from the serve audit: a 405 had an empty body, an unreadable If-Match was dropped and
/// the change applied, `status=Active` looked like "no filings", `Authorization: bearer T` was refused).
#[test]
fn router_errors_are_envelopes_and_headers_are_read_strictly() {
    let dir = tmpdir("strict");
    let s = Server::start(dir.join("f.sqlite3").to_str().unwrap(), &dir.join("log"), &[]);
    let r = s.req("GET", "/v1/eval", &[], "");
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["error"]["code"], "E_METHOD", "{}", r.text());
    assert!(r.header("allow").is_some_and(|a| a.contains("POST")));

    let body = serde_json::json!({
        "certno": certno("44010619900202123"),
        "applicant": {"insuplc_admdvs": "610100", "insutype": "310"},
        "category": "other_temporary", "rloc_admdvs": "110000",
        "begndate": yidi_host::log::today_china(), "materials": {}
    });
    let r = s.req("POST", "/v1/filings", &[], &body.to_string());
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json()["result"]["filing_id"].as_str().unwrap().to_string();
    let token = r.json()["result"]["receipt_token"].as_str().unwrap().to_string();

    let r = s.req("GET", "/v1/filings/%FF", &[("x-receipt-token", &token)], "");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "E_INVALID", "{}", r.text());

    let path = format!("/v1/filings/{id}");
    let lower = format!("bearer {token}");
    assert_eq!(s.req("GET", &path, &[("authorization", &lower)], "").status, 200);
    let r = s.req(
        "GET",
        &path,
        &[
            ("x-receipt-token", ""),
            ("authorization", &format!("Bearer {token}")),
        ],
        "",
    );
    assert_eq!(
        r.status, 200,
        "an empty X-Receipt-Token does not hide Authorization"
    );
    assert_eq!(
        s.req("GET", &path, &[("authorization", "Bearer")], "").status,
        401
    );

    let change = r#"{"reason":"personal","changes":{"rloc_admdvs":"310000"}}"#;
    let r = s.req(
        "PUT",
        &path,
        &[("x-receipt-token", &token), ("if-match", "garbage")],
        change,
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "E_INVALID");
    let now = s.req("GET", &path, &[("x-receipt-token", &token)], "").json();
    assert_eq!(now["result"]["version"], 1, "the change was not applied");

    let key = [("x-agency-key", AGENCY_KEY)];
    for q in ["status=Active", "limit=abc", "limit=0"] {
        let r = s.req("GET", &format!("/v1/registry/filings?{q}"), &key, "");
        assert_eq!(r.status, 400, "{q}: {}", r.text());
        assert_eq!(r.json()["error"]["code"], "E_INVALID");
    }
    assert_eq!(
        s.req("GET", "/v1/registry/filings?status=active", &key, "")
            .status,
        200
    );

    // An identity number percent-encoded in a path, or typed in full-width digits or 6-8-4 groups into a
    // member, never comes back or reaches the log unmasked.
    let who = certno("50010319900315123");
    let encoded: String = who.bytes().map(|c| format!("%{c:02X}")).collect();
    s.req(
        "GET",
        &format!("/v1/filings/{encoded}"),
        &[("x-receipt-token", "x")],
        "",
    );
    let full_width: String = who
        .chars()
        .map(|c| c.to_digit(10).map_or(c, |d| char::from_u32(0xFF10 + d).unwrap()))
        .collect();
    let grouped = format!("{} {} {}", &who[..6], &who[6..14], &who[14..]);
    for typed in [&full_width, &grouped] {
        let env = serde_json::json!({"api_version": "1", "op": typed, "request": {}});
        let r = s.req("POST", "/v1/eval", &[], &env.to_string());
        assert!(!r.text().contains(typed.as_str()), "{}", r.text());
    }
    let log = std::fs::read_to_string(&s.log).unwrap();
    for shown in [&who, &full_width, &grouped] {
        assert!(!log.contains(shown.as_str()), "{shown} in the log");
    }
}
