//! The filing registry on a real PostgreSQL server (started on loopback by scripts/test-host.sh, which
//! sets YIDI_TEST_PG_URL and runs these with --ignored). Two host instances share the database, as
//! behind a load balancer.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "common/registry_cases.rs"]
mod cases;
mod common;
#[path = "common/treatment_cases.rs"]
mod treatment;
use common::*;

fn pg_url() -> String {
    std::env::var("YIDI_TEST_PG_URL").expect("YIDI_TEST_PG_URL is set by scripts/test-host.sh")
}

#[test]
#[ignore = "needs PostgreSQL: run by scripts/test-host.sh"]
fn pg_lifecycle_ownership_and_masked_logs() {
    cases::lifecycle_and_ownership(&pg_url(), &tmpdir("pg-life"));
}

#[test]
#[ignore = "needs PostgreSQL: run by scripts/test-host.sh"]
fn pg_acknowledged_filings_survive_kill_9() {
    cases::survives_kill_9(&pg_url(), &tmpdir("pg-kill"));
}

#[test]
#[ignore = "needs PostgreSQL: run by scripts/test-host.sh"]
fn pg_two_instances_race_change_and_cancel() {
    let dir = tmpdir("pg-race");
    let a = Server::start(&pg_url(), &dir.join("log-a"), &[]);
    let b = Server::start(&pg_url(), &dir.join("log-b"), &[]);
    cases::change_and_cancel_race(&a, &b);
}

#[test]
#[ignore = "needs PostgreSQL: run by scripts/test-host.sh"]
fn pg_two_instances_race_change_and_application() {
    let dir = tmpdir("pg-change-apply-race");
    let a = Server::start(&pg_url(), &dir.join("log-a"), &[]);
    let b = Server::start(&pg_url(), &dir.join("log-b"), &[]);
    cases::change_and_application_race(&a, &b);
}

#[test]
#[ignore = "needs PostgreSQL: run by scripts/test-host.sh"]
fn pg_two_instances_race_applications() {
    let dir = tmpdir("pg-apply-race");
    let a = Server::start(&pg_url(), &dir.join("log-a"), &[]);
    let b = Server::start(&pg_url(), &dir.join("log-b"), &[]);
    cases::simultaneous_applications(&a, &b);
}

#[test]
#[ignore = "needs PostgreSQL: run by scripts/test-host.sh"]
fn pg_agency_suspends_resumes_and_terminates() {
    treatment::suspend_resume_terminate(&pg_url(), &tmpdir("pg-treatment"));
}

#[test]
#[ignore = "needs PostgreSQL: run by scripts/test-host.sh"]
fn pg_two_instances_race_suspension_and_cancel() {
    let dir = tmpdir("pg-treatment-race");
    let a = Server::start(&pg_url(), &dir.join("log-a"), &[]);
    let b = Server::start(&pg_url(), &dir.join("log-b"), &[]);
    treatment::suspend_and_cancel_race(&a, &b);
}
