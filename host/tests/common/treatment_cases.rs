//! Agency treatment-status changes of filings (暂停/恢复/终止) over real HTTP, run against SQLite
//! (`registry_sqlite.rs`) and PostgreSQL (`registry_pg.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use super::*;
use serde_json::{Value, json};

const AGENCY: (&str, &str) = ("x-agency-key", AGENCY_KEY);

/// A person's filing: a Xi'an employee's temporary trip to Hangzhou from today.
pub fn create(s: &Server, certno: &str) -> (String, String) {
    let form = json!({
        "certno": certno,
        "applicant": {"insuplc_admdvs": "610100", "insutype": "310"},
        "category": "other_temporary",
        "rloc_admdvs": "330100",
        "begndate": yidi_host::log::today_china(),
        "materials": {}
    });
    let r = s.req("POST", "/v1/filings", &[], &form.to_string());
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    (
        v["result"]["filing_id"].as_str().unwrap().to_string(),
        v["result"]["receipt_token"].as_str().unwrap().to_string(),
    )
}

fn agency(s: &Server, id: &str, action: &str, body: &str) -> yidi_host::http::Response {
    s.req(
        "POST",
        &format!("/v1/registry/filings/{id}/{action}"),
        &[AGENCY],
        body,
    )
}

fn status_of(s: &Server, id: &str, token: &str) -> Value {
    let r = s.req(
        "GET",
        &format!("/v1/filings/{id}"),
        &[("x-receipt-token", token)],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["result"].clone()
}

/// The core's coverage of an inpatient stay in Hangzhou from today under the filing as the registry holds it,
/// asked through the guest like any client would (`/v1/eval`).
fn coverage(s: &Server, filing: &Value) -> Value {
    let env = json!({"api_version": "1", "op": "coverage.resolve", "request": {
        "person": {"insutype": "310", "psn_type": "1101", "insuplc_admdvs": "610100"},
        "visit": {"med_type": "21", "mdtrtarea_admvs": "330100", "hosp_lv": "3",
                  "begndate": yidi_host::log::today_china()},
        "filings": [filing]
    }});
    let r = s.req("POST", "/v1/eval", &[], &env.to_string());
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["result"].clone()
}

/// The settlement of a golden case's stay in Hangzhou (a Xi'an employee) admitted and discharged today, under
/// the filing as the registry holds it, through the guest (`/v1/eval`).
fn settle(s: &Server, filing: &Value) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/golden/settle/xian_employee_long_term_in_hangzhou.json");
    let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut env = case["request"].clone();
    let today = Value::String(yidi_host::log::today_china());
    env["request"]["visit"]["begndate"] = today.clone();
    env["request"]["visit"]["enddate"] = today;
    env["request"]["filings"] = json!([filing]);
    let r = s.req("POST", "/v1/eval", &[], &env.to_string());
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["result"].clone()
}

fn rules(coverage: &Value) -> Vec<String> {
    coverage["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect()
}

fn refusal_codes(r: &yidi_host::http::Response) -> Vec<String> {
    assert_eq!(r.status, 422, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "E_FILING_REFUSED");
    r.json()["refusals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert!(
                x["cite"].as_str().unwrap().contains('§'),
                "every refusal cites a seed article: {x}"
            );
            x["code"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Suspend → coverage refuses direct settlement with the suspended explanation, the person sees why and can
/// neither resume, change, cancel nor file anew → resume → direct again → terminate; only with the agency key.
pub fn suspend_resume_terminate(db: &str, dir: &std::path::Path) {
    let s = Server::start(db, &dir.join("log"), &[]);
    let alice = certno("61010419900202123");
    let bob = certno("61010219880808456");
    let (id, token) = create(&s, &alice);

    let before = status_of(&s, &id, &token);
    assert_eq!(before["status"], "active");
    assert_eq!(before["treatment"], Value::Null);
    assert_eq!(coverage(&s, &before["filing"])["route"], "direct");
    let settled = settle(&s, &before["filing"]);
    assert_eq!(settled["coverage"]["route"], "direct", "{settled}");

    // Only the agency: no key, a wrong key, the person's receipt token — all refused, nothing changes.
    let path = format!("/v1/registry/filings/{id}/suspend");
    let body = r#"{"reason":"违规"}"#;
    for headers in [
        vec![],
        vec![("x-agency-key", "wrong")],
        vec![("x-receipt-token", token.as_str())],
        vec![("authorization", &*format!("Bearer {token}"))],
    ] {
        let r = s.req("POST", &path, &headers, body);
        assert_eq!(r.status, 401, "{headers:?}: {}", r.text());
        assert_eq!(r.json()["error"]["code"], "E_UNAUTHORIZED");
    }
    let r = s.req(
        "POST",
        &format!("/v1/registry/filings/{id}/resume"),
        &[("x-receipt-token", &token)],
        "",
    );
    assert_eq!(r.status, 401, "the person cannot resume: {}", r.text());

    // Bad agency requests: clear errors.
    assert_eq!(
        agency(&s, "Fnosuchfiling", "suspend", body).json()["error"]["code"],
        "E_NOT_FOUND"
    );
    let r = agency(&s, &id, "suspend", r#"{"reason":"x","date":"2020-01-01"}"#);
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (400, json!("E_INVALID")),
        "the date is the server's, not the caller's"
    );
    let r = agency(&s, &id, "suspend", r#"{"reason":"x","actor":"hospital"}"#);
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "E_UNKNOWN_CODE");
    let r = agency(
        &s,
        &id,
        "suspend",
        &json!({"reason": "长".repeat(501)}).to_string(),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["error"]["code"], "E_INVALID");
    assert_eq!(agency(&s, &id, "suspend", "{").status, 400);
    assert_eq!(
        refusal_codes(&agency(&s, &id, "suspend", r#"{"reason":"  "}"#)),
        ["F_TREATMENT_REASON"]
    );
    assert_eq!(refusal_codes(&agency(&s, &id, "resume", "")), ["F_NOT_SUSPENDED"]);
    assert_eq!(
        status_of(&s, &id, &token)["version"],
        1,
        "refusals change nothing"
    );

    // The treatment place's agency suspends; the reason quotes someone's identity number, which is masked.
    let reason = format!("冒用他人（{bob}）身份就医，已上报省级经办机构");
    let r = agency(
        &s,
        &id,
        "suspend",
        &json!({"reason": reason, "actor": "treatment_place"}).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["result"]["status"], "suspended");
    assert_eq!(r.json()["result"]["version"], 2);
    assert!(!r.text().contains(&bob) && !r.text().contains(&alice));

    // The person's status: suspended, and why, in both languages.
    let now = status_of(&s, &id, &token);
    assert_eq!(now["status"], "suspended");
    assert_eq!(now["filing"]["status"], "suspended");
    let t = &now["treatment"];
    assert_eq!(t["action"], "suspend");
    assert_eq!(t["actor"], "treatment_place");
    assert_eq!(t["rule"], "filing.treatment_suspended");
    let masked_reason = format!(
        "冒用他人（{}）身份就医，已上报省级经办机构",
        yidi_host::idcard::mask(&bob)
    );
    assert_eq!(t["reason"], Value::String(masked_reason.clone()));
    assert!(t["zh"].as_str().unwrap().contains(&masked_reason), "{t}");
    assert!(t["en"].as_str().unwrap().contains("suspended"), "{t}");
    assert!(t["cite"].as_str().unwrap().contains("002 §58"), "{t}");

    // Coverage through the guest refuses direct settlement under it, with the suspended explanation.
    let c = coverage(&s, &now["filing"]);
    assert_ne!(c["route"], "direct", "{c}");
    assert!(
        rules(&c).contains(&"coverage.filing_suspended".to_string()),
        "{c}"
    );
    // So does the settlement: no direct settlement, the person pays and claims at home, and the trace says why.
    let st = settle(&s, &now["filing"]);
    assert_eq!(st["coverage"]["route"], "manual_reimbursement", "{st}");
    assert_eq!(st["trace"][0]["rule"], "coverage.filing_suspended", "{st}");

    // The person can neither change nor cancel it, nor get round it with a new filing there.
    for (method, path, body) in [
        (
            "PUT",
            format!("/v1/filings/{id}"),
            r#"{"reason":"personal","changes":{"rloc_admdvs":"310000"}}"#,
        ),
        ("DELETE", format!("/v1/filings/{id}"), ""),
        ("POST", format!("/v1/filings/{id}/cancel"), "{}"),
    ] {
        let r = s.req(method, &path, &[("x-receipt-token", &token)], body);
        assert_eq!(r.status, 409, "{method} {path}: {}", r.text());
        assert_eq!(r.json()["error"]["code"], "E_SUSPENDED");
    }
    let again = json!({
        "certno": alice, "applicant": {"insuplc_admdvs": "610100", "insutype": "310"},
        "category": "other_temporary", "rloc_admdvs": "330100",
        "begndate": yidi_host::log::today_china(), "materials": {}
    });
    let r = s.req("POST", "/v1/filings", &[], &again.to_string());
    assert!(refusal_codes(&r).contains(&"F_TREATMENT_SUSPENDED".to_string()));

    // The agency finds it among the suspended filings.
    let r = s.req("GET", "/v1/registry/filings?status=suspended", &[AGENCY], "");
    assert_eq!(r.status, 200);
    assert!(
        r.json()["result"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["filing_id"] == Value::String(id.clone()))
    );

    // Only the insured place's agency restores it; a second suspension is refused.
    assert_eq!(
        refusal_codes(&agency(&s, &id, "resume", r#"{"actor":"treatment_place"}"#)),
        ["F_TREATMENT_INSURED_PLACE_ONLY"]
    );
    assert_eq!(
        refusal_codes(&agency(&s, &id, "suspend", r#"{"reason":"again"}"#)),
        ["F_ALREADY_SUSPENDED"]
    );
    // A stale If-Match loses.
    let r = s.req(
        "POST",
        &format!("/v1/registry/filings/{id}/resume"),
        &[AGENCY, ("if-match", "\"1\"")],
        "",
    );
    assert_eq!(r.status, 409, "{}", r.text());
    let r = agency(&s, &id, "resume", r#"{"reason":"核查完毕，未发现违规"}"#);
    assert_eq!(r.status, 200, "{}", r.text());
    let now = status_of(&s, &id, &token);
    assert_eq!(now["status"], "active");
    assert_eq!(now["filing"]["status"], "active");
    assert_eq!(now["treatment"]["action"], "resume");
    assert_eq!(now["version"], 3);
    assert_eq!(coverage(&s, &now["filing"])["route"], "direct");
    // Restored, the filing's terms are as before and the settlement is exactly what it was before.
    let terms = |f: &Value| {
        let mut f = f.clone();
        f.as_object_mut().unwrap().remove("status");
        f
    };
    assert_eq!(terms(&now["filing"]), terms(&before["filing"]));
    assert_eq!(settle(&s, &now["filing"]), settled);

    // Terminated: it ends like a cancellation, today; nothing more can be done with it.
    assert_eq!(
        refusal_codes(&agency(&s, &id, "terminate", "{}")),
        ["F_TREATMENT_REASON"]
    );
    let r = agency(&s, &id, "terminate", r#"{"reason":"参保关系已转移"}"#);
    assert_eq!(r.status, 200, "{}", r.text());
    let now = status_of(&s, &id, &token);
    assert_eq!(now["status"], "cancelled");
    assert_eq!(now["treatment"]["action"], "terminate");
    assert_eq!(
        now["filing"]["enddate"],
        Value::String(yidi_host::log::today_china())
    );
    assert_eq!(
        refusal_codes(&agency(&s, &id, "suspend", r#"{"reason":"x"}"#)),
        ["F_NOT_ACTIVE"]
    );

    // A change of another filing cannot step round a suspension (nor make a second filing to one place):
    // the person's other filings go to filing.change as they go to filing.validate.
    let carol = certno("61010319880808123");
    let (a, _) = create(&s, &carol);
    let r = agency(&s, &a, "suspend", r#"{"reason":"违规使用医保卡"}"#);
    assert_eq!(r.status, 200, "{}", r.text());
    let shanghai = json!({"certno": carol, "applicant": {"insuplc_admdvs": "610100", "insutype": "310"},
        "category": "other_temporary", "rloc_admdvs": "310000",
        "begndate": yidi_host::log::today_china(), "materials": {}});
    let r = s.req("POST", "/v1/filings", &[], &shanghai.to_string());
    assert_eq!(r.status, 201, "{}", r.text());
    let (b, tb) = (
        r.json()["result"]["filing_id"].as_str().unwrap().to_string(),
        r.json()["result"]["receipt_token"].as_str().unwrap().to_string(),
    );
    let to_hangzhou = r#"{"reason":"personal","changes":{"rloc_admdvs":"330100"},"existing":[]}"#;
    let r = s.req(
        "PUT",
        &format!("/v1/filings/{b}"),
        &[("x-receipt-token", &tb)],
        to_hangzhou,
    );
    assert_eq!(refusal_codes(&r), ["F_TREATMENT_SUSPENDED"]);

    let log = std::fs::read_to_string(&s.log).unwrap();
    assert!(log.contains("\"event\":\"filing_treatment\""), "{log}");
    for secret in [&alice, &bob, &"冒用他人".to_string(), &token] {
        assert!(!log.contains(secret.as_str()), "{secret} in the log:\n{log}");
    }
}

/// An agency's suspension and the person's cancellation of one filing at the same moment: exactly one wins.
/// With `If-Match: "1"` on both the loser always gets 409; without it, one that reads after the winner's
/// commit is refused on the new state instead (409 E_SUSPENDED for the cancel, 422 F_NOT_ACTIVE for the
/// suspension). `b` may be a second server on the same database.
pub fn suspend_and_cancel_race(a: &Server, b: &Server) {
    for i in 0..24 {
        let (id, token) = create(a, &certno(&format!("6101031970030{:04}", 3000 + i)));
        let if_match = i % 2 == 0;
        let (mut agency, mut owner) = (vec![AGENCY], vec![("x-receipt-token", token.as_str())]);
        if if_match {
            agency.push(("if-match", "\"1\""));
            owner.push(("if-match", "\"1\""));
        }
        let (su, ca) = at_once(
            a,
            (
                "POST",
                &format!("/v1/registry/filings/{id}/suspend"),
                &agency,
                br#"{"reason":"race","actor":"treatment_place"}"#,
            ),
            b,
            ("DELETE", &format!("/v1/filings/{id}"), &owner, b""),
        );
        let lost = |r: &yidi_host::http::Response| {
            if if_match {
                r.status == 409
            } else {
                [409, 422].contains(&r.status)
            }
        };
        let now = status_of(a, &id, &token);
        match (su.status, ca.status) {
            (200, _) if lost(&ca) => {
                assert_eq!(now["status"], "suspended");
                assert_eq!(now["treatment"]["action"], "suspend");
            }
            (_, 200) if lost(&su) => {
                assert_eq!(now["status"], "cancelled");
                assert_eq!(now["treatment"], Value::Null);
            }
            _ => panic!(
                "exactly one of a suspension and a cancellation wins: suspend {} {}, cancel {} {}",
                su.status,
                su.text(),
                ca.status,
                ca.text()
            ),
        }
        assert_eq!(now["version"], 2, "one write, not two");
    }
}
