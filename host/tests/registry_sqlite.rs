//! The filing registry on SQLite (the embedded default), over real HTTP on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "common/registry_cases.rs"]
mod cases;
mod common;
#[path = "common/treatment_cases.rs"]
mod treatment;
use common::*;

#[test]
fn lifecycle_ownership_and_masked_logs() {
    let dir = tmpdir("sqlite-life");
    cases::lifecycle_and_ownership(dir.join("f.sqlite3").to_str().unwrap(), &dir);
}

#[test]
fn acknowledged_filings_survive_kill_9() {
    let dir = tmpdir("sqlite-kill");
    cases::survives_kill_9(dir.join("f.sqlite3").to_str().unwrap(), &dir);
}

#[test]
fn simultaneous_applications_of_one_person_give_one_filing() {
    let dir = tmpdir("sqlite-apply-race");
    let s = Server::start(dir.join("f.sqlite3").to_str().unwrap(), &dir.join("log"), &[]);
    cases::simultaneous_applications(&s, &s);
}

#[test]
fn a_change_and_an_application_to_one_place_cannot_both_win() {
    let dir = tmpdir("sqlite-change-apply-race");
    let s = Server::start(dir.join("f.sqlite3").to_str().unwrap(), &dir.join("log"), &[]);
    cases::change_and_application_race(&s, &s);
}

#[test]
fn concurrent_change_and_cancel_cannot_both_win() {
    let dir = tmpdir("sqlite-race");
    let s = Server::start(dir.join("f.sqlite3").to_str().unwrap(), &dir.join("log"), &[]);
    cases::change_and_cancel_race(&s, &s);
}

#[test]
fn agency_suspends_resumes_and_terminates() {
    let dir = tmpdir("sqlite-treatment");
    treatment::suspend_resume_terminate(dir.join("f.sqlite3").to_str().unwrap(), &dir);
}

#[test]
fn concurrent_suspension_and_cancel_cannot_both_win() {
    let dir = tmpdir("sqlite-treatment-race");
    let s = Server::start(dir.join("f.sqlite3").to_str().unwrap(), &dir.join("log"), &[]);
    treatment::suspend_and_cancel_race(&s, &s);
}
