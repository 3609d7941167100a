//! The JSON Schema of the API, generated from the core's types and committed as `schema/api.schema.json`.
//! This test fails when the committed file is stale; regenerate with
//! `YIDI_WRITE_SCHEMA=1 cargo test -p yidi-tests --test schema` and commit the result.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};
use yidi_core::{api, clearing, coverage, estimate, filing, precheck, settle, verify};

struct Ops {
    generator: schemars::SchemaGenerator,
    ops: Map<String, Value>,
}

impl Ops {
    fn add<Req: JsonSchema, Resp: JsonSchema>(&mut self, op: &str, doc: &str) {
        let req = self.generator.subschema_for::<Req>();
        let resp = self.generator.subschema_for::<Resp>();
        self.ops.insert(
            op.to_string(),
            json!({ "description": doc, "request": req, "result": resp }),
        );
    }
}

fn build() -> Value {
    let mut o = Ops {
        generator: SchemaSettings::draft2020_12().into_generator(),
        ops: Map::new(),
    };
    o.add::<(), Value>("version", "API and core versions");
    o.add::<api::DaxieRequest, api::DaxieResponse>("amount.daxie", "amount in Chinese upper case (大写)");
    o.add::<(), Vec<api::PackSummary>>("packs.list", "the insured-place policy packs");
    o.add::<api::PackGetRequest, yidi_core::policy::Pack>("pack.get", "one policy pack, whole");
    o.add::<filing::FilingApplication, filing::FilingDecision>(
        "filing.validate",
        "validate a filing application",
    );
    o.add::<filing::WindowRequest, filing::WindowResponse>("filing.window", "validity window of a filing");
    o.add::<filing::ChangeRequest, filing::ChangeDecision>("filing.change", "answer a change request");
    o.add::<filing::CancelRequest, filing::CancelDecision>("filing.cancel", "answer a cancellation request");
    o.add::<filing::TreatmentRequest, filing::TreatmentDecision>(
        "filing.treatment",
        "agency only: suspend, resume or terminate a filing's direct settlement (暂停/恢复/终止); not in the mini-program modules",
    );
    o.add::<coverage::CoverageRequest, coverage::Coverage>(
        "coverage.resolve",
        "treatment level and route of a visit",
    );
    o.add::<api::SplitRequest, Vec<settle::LineSplit>>("lines.split", "per-line split (NATIONAL_SPEC §2)");
    o.add::<settle::SettleRequest, settle::SettleResponse>(
        "settle",
        "settle a claim: setlinfo, setldetail, trace",
    );
    o.add::<settle::ReverseRequest, settle::ReverseResponse>(
        "settle.reverse",
        "exact negation of a settlement",
    );
    o.add::<settle::RefundRequest, settle::RefundResponse>(
        "settle.refund",
        "refund lines or a bill (隔笔/跨年/清算后)",
    );
    o.add::<estimate::EstimateRequest, estimate::EstimateResponse>(
        "estimate",
        "cost estimate with what-if scenarios",
    );
    o.add::<verify::VerifyRequest, verify::VerifyResponse>("verify", "check a returned split");
    o.add::<precheck::PrecheckRequest, precheck::PrecheckResponse>(
        "precheck",
        "hospital-side findings before submission",
    );
    use clearing::{deadline, month, prepayment, xiecha};
    o.add::<deadline::DayRequest, clearing::calendar::DayDescription>(
        "calendar.day",
        "is a date a working day, and why",
    );
    o.add::<deadline::AddWorkingDaysRequest, deadline::AddWorkingDaysResponse>(
        "calendar.add_working_days",
        "N working days after a date",
    );
    o.add::<deadline::DeadlineRequest, deadline::DeadlineResponse>(
        "calendar.deadline",
        "a deadline of the seeds' kinds, with its citation",
    );
    o.add::<deadline::StepsRequest, deadline::StepsResponse>(
        "calendar.month_steps",
        "a province's dated clearing steps for a month",
    );
    o.add::<deadline::YearsRequest, deadline::YearsResponse>(
        "calendar.years",
        "years with holiday data and their sources",
    );
    o.add::<prepayment::PrepaymentRequest, prepayment::PrepaymentResponse>(
        "clearing.prepayment",
        "annual prepayment, usage rate and warnings, journal",
    );
    o.add::<month::AggregateRequest, month::AggregateResponse>(
        "clearing.aggregate",
        "additive flow totals of a chunk of records",
    );
    o.add::<clearing::MonthRequest, clearing::MonthResponse>(
        "clearing.month",
        "monthly clearing, notices, netting and journal",
    );
    o.add::<xiecha::XiechaRequest, xiecha::XiechaResponse>(
        "clearing.xiecha",
        "协查 thresholds, periods and result rules",
    );
    o.add::<deadline::CollabRequest, deadline::CollabResponse>(
        "clearing.collab_deadline",
        "collaboration reply and auto-confirm deadlines",
    );
    let error = o.generator.subschema_for::<yidi_core::error::ApiError>();
    let defs = o.generator.take_definitions(true);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://yidi.invalid/schema/api.schema.json",
        "title": "Yidi core API",
        "description": "Request envelope {api_version: \"1\", op, request, packs?, catalogs?}; response envelope {api_version, op, ok, result | error}. Money is a decimal string at fen scale in output and a number or string in input. Generated from the core's types by tests/tests/schema.rs.",
        "api_version": api::API_VERSION,
        "error": error,
        "ops": o.ops,
        "$defs": defs,
    })
}

#[test]
fn committed_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/api.schema.json");
    let text = serde_json::to_string_pretty(&build()).unwrap() + "\n";
    if std::env::var_os("YIDI_WRITE_SCHEMA").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "schema/api.schema.json is stale: run `YIDI_WRITE_SCHEMA=1 cargo test -p yidi-tests --test schema` and commit it"
    );
}

#[test]
fn every_op_of_the_api_is_in_the_schema() {
    let s = build();
    for op in api::op_names() {
        assert!(s["ops"].get(op).is_some(), "op {op} missing from the schema");
    }
}
