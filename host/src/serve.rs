//! `yidi serve`: the HTTP JSON API on loopback. Every rule runs in the core (under wasmtime by default);
//! this module adds transport, limits, authorisation, the filing registry and structured logs.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /v1/health` | anyone | engine, core version, registry kind |
//! | `GET /v1/openapi.json` | anyone | the OpenAPI document of this API |
//! | `POST /v1/eval` | anyone | one core API envelope in, its response out |
//! | `POST /v1/verify` | anyone | one settlement record → the core's `verify` response |
//! | `POST /v1/precheck` | anyone | one claim before submission → the core's `precheck` response |
//! | `POST /v1/verify/batch` | agency key | NDJSON or a JSON array of records → verdicts and summary |
//! | `POST /v1/filings` | anyone | apply for a filing → `filing_id` + `receipt_token` (shown once) |
//! | `GET /v1/filings/{id}` | receipt token | status of one's own filing |
//! | `PUT /v1/filings/{id}` | receipt token | change it (same rules as the web app) |
//! | `DELETE /v1/filings/{id}` (or `POST …/cancel`) | receipt token | cancel it |
//! | `GET /v1/registry/filings` | agency key | query filings by identity number and/or status |
//! | `POST /v1/registry/filings/{id}/suspend` | agency key | suspend its direct settlement (暂停), with a reason |
//! | `POST /v1/registry/filings/{id}/resume` | agency key | restore it (恢复; the insured place's agency only) |
//! | `POST /v1/registry/filings/{id}/terminate` | agency key | end it (终止; status `cancelled`), with a reason |
//! | anything else (GET) | anyone | the web app from `web/dist`, when it exists |
// Handlers return ready HTTP responses as their error values; boxing them would only add noise.
#![allow(clippy::result_large_err)]

use crate::engine::{GuestFault, MAX_REQUEST_BYTES, Runner};
use crate::registry::{self, FilingRow, PersonCas, Registry};
use crate::{idcard, log, records, verify};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args, Clone, Debug)]
pub struct ServeOpts {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: String,
    /// Filing registry: a SQLite file path (default) or a postgres:// URL.
    #[arg(long, default_value = "yidi-data/filings.sqlite3", env = "YIDI_DB")]
    pub db: String,
    /// Key required by agency endpoints (batch verify, registry queries), sent as `X-Agency-Key`.
    /// Without one those endpoints answer 403.
    #[arg(long, env = "YIDI_AGENCY_KEY", hide_env_values = true)]
    pub agency_key: Option<String>,
    /// Directory of the built web app, served at / when it exists.
    #[arg(long, default_value = "web/dist")]
    pub web: PathBuf,
    /// Largest request body for eval, verify and precheck, in bytes.
    #[arg(long, default_value_t = MAX_REQUEST_BYTES)]
    pub max_body: usize,
    /// Largest request body for agency batch verify, in bytes.
    #[arg(long, default_value_t = 64 << 20)]
    pub max_batch_body: usize,
    /// Log only warnings and errors (no line per request).
    #[arg(long)]
    pub quiet: bool,
}

/// Filing applications and changes are small forms.
const MAX_FILING_BODY: usize = 64 << 10;

struct AppState {
    runner: Runner,
    registry: Registry,
    agency_key: Option<String>,
    web: Option<PathBuf>,
    max_body: usize,
    max_batch_body: usize,
    /// Guest calls run on blocking threads; at most this many at once (one instance each).
    calls: Arc<tokio::sync::Semaphore>,
}

type St = State<Arc<AppState>>;

/// Start the server and block until Ctrl-C / SIGTERM.
pub fn run(runner: Runner, opts: ServeOpts) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        log::set_quiet(opts.quiet);
        let registry = Registry::open(&opts.db).await?;
        let app = app(runner.clone(), registry.clone(), &opts);
        let listener = tokio::net::TcpListener::bind(&opts.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", opts.addr))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        log::warn(
            "listening",
            &[
                ("addr", local.to_string().into()),
                ("engine", runner.name().into()),
                ("registry", registry.kind().into()),
                ("agency_key", opts.agency_key.is_some().into()),
                ("web", opts.web.is_dir().into()),
            ],
        );
        // One line on stdout for people and scripts waiting for the server.
        println!("yidi serving on http://{local}");
        serve_connections(listener, app).await
    })
}

/// A client gets this long to send a request's headers, and then its body ([`read_body`]); a connection that
/// sends nothing in time is closed, so half-sent requests cannot hold the server's connections forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Open connections at most; more wait in the listen backlog (a file descriptor each only once accepted), so
/// a flood of idle connections cannot exhaust the process's descriptors and stop the registry's database.
const MAX_CONNECTIONS: usize = 1024;

/// The accept loop: hyper's HTTP/1 with a header read timeout, a cap on open connections, a logged warning
/// when `accept` fails, and on shutdown the requests in flight finished (for at most 10 s).
async fn serve_connections(listener: tokio::net::TcpListener, app: Router) -> Result<(), String> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut stop = std::pin::pin!(shutdown());
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => p.map_err(|e| e.to_string())?,
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    log::warn("accept_failed", &[("error", e.to_string().into())]);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(
                hyper_util::rt::TokioIo::new(stream),
                hyper_util::service::TowerToHyperService::new(app.clone()),
            );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _slot = permit;
            let _ = conn.await;
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => {}
    }
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(t) => t,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// The router (exposed for in-process use).
pub fn app(runner: Runner, registry: Registry, opts: &ServeOpts) -> Router {
    let permits = crate::batch::threads() * 2;
    let state = Arc::new(AppState {
        runner,
        registry,
        agency_key: opts.agency_key.clone().filter(|k| !k.is_empty()),
        web: Some(opts.web.clone()).filter(|p| p.is_dir()),
        max_body: opts.max_body.min(MAX_REQUEST_BYTES),
        max_batch_body: opts.max_batch_body,
        calls: Arc::new(tokio::sync::Semaphore::new(permits)),
    });
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/openapi.json", get(openapi))
        .route("/v1/eval", post(eval))
        .route("/v1/verify", post(verify_one))
        .route("/v1/precheck", post(precheck_one))
        .route("/v1/verify/batch", post(verify_batch))
        .route("/v1/filings", post(filing_create))
        .route(
            "/v1/filings/{id}",
            get(filing_status).put(filing_change).delete(filing_cancel),
        )
        .route("/v1/filings/{id}/cancel", post(filing_cancel))
        .route("/v1/registry/filings", get(registry_query))
        // suspend, resume or terminate (anything else is 404, like an unknown path).
        .route("/v1/registry/filings/{id}/{action}", post(registry_treatment))
        .fallback(static_or_404)
        .layer(axum::middleware::from_fn(api_errors_as_envelopes))
        .layer(axum::middleware::from_fn(access_log))
        .with_state(state)
}

/// The API's errors have one shape: what the router answers by itself under `/v1/` (405 with its `Allow`, a
/// path or query it cannot decode) becomes the `{"ok":false,"error":…}` envelope instead of an empty or
/// plain-text body.
async fn api_errors_as_envelopes(req: Request, next: axum::middleware::Next) -> Response {
    let api = req.uri().path().starts_with("/v1/");
    let r = next.run(req).await;
    let status = r.status();
    let json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return r;
    }
    let (code, zh, en) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "E_METHOD",
            "此路径不支持该请求方法（见 Allow）",
            "this path does not take that method (see Allow)",
        ),
        StatusCode::NOT_FOUND => ("E_NOT_FOUND", "没有该路径", "no such path"),
        _ => (
            "E_INVALID",
            "请求的路径或查询参数无法解读",
            "the request's path or query cannot be read",
        ),
    };
    let allow = r.headers().get(header::ALLOW).cloned();
    let mut out = refuse(status, code, zh, en);
    if let Some(a) = allow {
        out.headers_mut().insert(header::ALLOW, a);
    }
    out
}

/// One structured line per request; paths carry no personal data (filing ids are random).
async fn access_log(req: Request, next: axum::middleware::Next) -> Response {
    // Logged decoded, so the log's masking sees an identity number sent as `%35%30…` too.
    let (method, path) = (req.method().clone(), percent_decoded(req.uri().path()));
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let fields = [
        ("method", Value::from(method.as_str())),
        ("path", path.into()),
        ("status", status.into()),
        ("micros", (start.elapsed().as_micros() as u64).into()),
    ];
    if status >= 500 {
        log::error("request", &fields)
    } else {
        log::info("request", &fields)
    }
    resp
}

/// `%XX` escapes decoded (invalid UTF-8 replaced), for the log only.
fn percent_decoded(path: &str) -> String {
    let b = path.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An error answer: the same shape as the core's error envelope, plus a log line without personal data.
fn refuse(status: StatusCode, code: &str, zh: &str, en: &str) -> Response {
    log::warn(
        "refused",
        &[
            ("status", status.as_u16().into()),
            ("code", code.into()),
            ("reason", en.into()),
        ],
    );
    // A message may quote what the client sent (an unknown member's name, say): identity numbers in it are
    // masked in the answer as they are in the log.
    let (zh, en) = (idcard::mask_in_text(zh), idcard::mask_in_text(en));
    json_response(
        status,
        json!({"ok": false, "error": {"code": code, "message_zh": zh, "message_en": en}}).to_string(),
    )
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

async fn read_body(body: Body, limit: usize, headers: &HeaderMap) -> Result<Bytes, Response> {
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "E_TOO_LARGE",
            &format!("请求体过大，上限 {limit} 字节"),
            &format!("request body too large; the limit is {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    match tokio::time::timeout(BODY_READ_TIMEOUT, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(b)) => Ok(b),
        // Over the limit while streaming (no or a false Content-Length).
        Ok(Err(e)) if e.to_string().contains("length limit") => Err(too_large()),
        Ok(Err(_)) => Err(refuse(
            StatusCode::BAD_REQUEST,
            "E_BODY",
            "请求体不完整或格式有误（连接中断或分块编码错误）",
            "the request body is incomplete or malformed (connection cut, or bad chunked encoding)",
        )),
        Err(_) => Err(refuse(
            StatusCode::REQUEST_TIMEOUT,
            "E_TIMEOUT",
            &format!("请求体未在 {} 秒内送达", BODY_READ_TIMEOUT.as_secs()),
            &format!(
                "the request body did not arrive within {} s",
                BODY_READ_TIMEOUT.as_secs()
            ),
        )),
    }
}

/// Run one request through the core on a blocking thread (bounded), never on the async workers.
async fn core_call(st: &AppState, input: Vec<u8>) -> String {
    let Ok(permit) = st.calls.clone().acquire_owned().await else {
        return GuestFault::Trap("server shutting down".into()).envelope("");
    };
    let runner = st.runner.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        runner.call(&input)
    })
    .await
    .unwrap_or_else(|_| GuestFault::Trap("worker failed".into()).envelope(""))
}

/// HTTP status for a core response envelope.
fn status_of(envelope: &str) -> StatusCode {
    /// Only the fields that decide the status; the result is skipped, not built.
    #[derive(serde::Deserialize)]
    struct Head {
        ok: bool,
        error: Option<ErrorHead>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorHead {
        code: String,
    }
    let Ok(head) = serde_json::from_str::<Head>(envelope) else {
        return StatusCode::INTERNAL_SERVER_ERROR;
    };
    if head.ok {
        return StatusCode::OK;
    }
    match head.error.map(|e| e.code).as_deref().unwrap_or("") {
        "E_TOO_LARGE" => StatusCode::PAYLOAD_TOO_LARGE,
        "E_DEADLINE" | "E_MEMORY" => StatusCode::UNPROCESSABLE_ENTITY,
        "E_INTERNAL" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn envelope_response(envelope: String) -> Response {
    let status = status_of(&envelope);
    if status != StatusCode::OK {
        let v: Value = serde_json::from_str(&envelope).unwrap_or(Value::Null);
        log::warn(
            "core_error",
            &[
                ("status", status.as_u16().into()),
                ("code", v["error"]["code"].clone()),
                ("path", v["error"]["path"].clone()),
            ],
        );
    }
    json_response(status, envelope)
}

async fn health(State(st): St) -> Response {
    let v = core_call(
        &st,
        br#"{"api_version":"1","op":"version","request":{}}"#.to_vec(),
    )
    .await;
    let core: Value = serde_json::from_str(&v).unwrap_or(Value::Null);
    json_response(
        StatusCode::OK,
        json!({"ok": true, "engine": st.runner.name(), "core": core["result"], "registry": st.registry.kind()}).to_string(),
    )
}

async fn openapi() -> Response {
    json_response(StatusCode::OK, include_str!("openapi.json").to_string())
}

async fn eval(State(st): St, headers: HeaderMap, body: Body) -> Response {
    match read_body(body, st.max_body, &headers).await {
        Ok(b) => envelope_response(core_call(&st, b.to_vec()).await),
        Err(r) => r,
    }
}

/// Wrap a body (one record) as the request of `op`. The body is parsed here only to be re-framed.
async fn op_with_body(st: &AppState, op: &str, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(body, st.max_body, &headers).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    // Check the syntax without building a tree, then frame the body as it came: the core parses it once.
    let record = bytes.trim_ascii();
    if !record.starts_with(b"{") {
        return refuse(
            StatusCode::BAD_REQUEST,
            "E_JSON",
            "请求体应为 JSON 对象",
            "the body must be a JSON object",
        );
    }
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(record) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "E_JSON",
            &format!("请求体不是有效的 JSON：{e}"),
            &format!("the body is not valid JSON: {e}"),
        );
    }
    let mut env = Vec::with_capacity(record.len() + 64);
    env.extend_from_slice(br#"{"api_version":"1","op":""#);
    env.extend_from_slice(op.as_bytes());
    env.extend_from_slice(br#"","request":"#);
    env.extend_from_slice(record);
    env.push(b'}');
    envelope_response(core_call(st, env).await)
}

async fn verify_one(State(st): St, headers: HeaderMap, body: Body) -> Response {
    op_with_body(&st, "verify", headers, body).await
}

async fn precheck_one(State(st): St, headers: HeaderMap, body: Body) -> Response {
    op_with_body(&st, "precheck", headers, body).await
}

fn agency_ok(st: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    let Some(key) = &st.agency_key else {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "E_FORBIDDEN",
            "本服务未配置经办机构密钥，机构接口不可用",
            "agency endpoints are disabled: no agency key was configured at start-up",
        ));
    };
    let given = headers
        .get("x-agency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if given.is_empty() || !registry::secrets_equal(given, key) {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "E_UNAUTHORIZED",
            "经办机构密钥缺失或错误",
            "missing or wrong agency key (X-Agency-Key)",
        ));
    }
    Ok(())
}

async fn verify_batch(
    State(st): St,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(r) = agency_ok(&st, &headers) {
        return r;
    }
    // The agency's tolerance (`?tolerance=0.01`), as `yidi verify --tolerance`; a record never sets its own.
    let opts = match q.get("tolerance") {
        None => verify::Options::default(),
        Some(t) => match verify::Options::with_tolerance(t) {
            Ok(o) => o,
            Err(m) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "E_AMOUNT",
                    "tolerance 须为不小于零的金额（元），如 0.01",
                    &m.replace("--tolerance", "tolerance"),
                );
            }
        },
    };
    let bytes = match read_body(body, st.max_batch_body, &headers).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let recs = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| records::Record {
                line: i + 1,
                value: Ok(v),
                raw: None,
                gb18030: false,
            })
            .collect(),
        _ => records::ndjson(&bytes),
    };
    let runner = st.runner.clone();
    let Ok(permit) = st.calls.clone().acquire_owned().await else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "E_BUSY",
            "服务正在关闭",
            "the server is shutting down",
        );
    };
    let report = tokio::task::spawn_blocking(move || {
        let _p = permit;
        verify::run_with(&runner, verify::Check::Verify, "request", &recs, false, &opts)
    })
    .await;
    match report {
        Ok(r) => json_response(StatusCode::OK, serde_json::to_string(&r).unwrap_or_default()),
        Err(_) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "E_INTERNAL",
            "批量核验失败",
            "batch verification failed",
        ),
    }
}

// ---------- filings ----------

fn token_of(headers: &HeaderMap) -> Option<String> {
    // `X-Receipt-Token: T`, else `Authorization: Bearer T` (the scheme is case-insensitive, RFC 9110 §11.1);
    // an empty header counts as absent, so it cannot hide the other one.
    let receipt = headers
        .get("x-receipt-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let bearer = || {
        let h = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
        let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
        let t = rest.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !t.is_empty()).then_some(t)
    };
    receipt.or_else(bearer).map(str::to_string)
}

/// Call a core op and return its result, or the error response.
async fn core_op(st: &AppState, op: &str, request: Value) -> Result<Value, Response> {
    let env = json!({"api_version": "1", "op": op, "request": request}).to_string();
    let out = core_call(st, env.into_bytes()).await;
    let v: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
    if v["ok"] == true {
        return Ok(v["result"].clone());
    }
    let status = status_of(&out);
    let e = &v["error"];
    log::warn(
        "core_refused",
        &[
            ("op", op.into()),
            ("code", e["code"].clone()),
            ("path", e["path"].clone()),
        ],
    );
    // The core's messages quote the request. The identity number is not sent to the core, but a client may
    // have put one in another member: masked, as in the log.
    Err(json_response(
        status,
        json!({"ok": false, "error": idcard::mask_in_json(e.clone())}).to_string(),
    ))
}

/// Whether a core decision accepts the request (`accepted` for filings, `allowed` for change/cancel).
fn accepted(result: &Value) -> bool {
    ["accepted", "allowed"]
        .iter()
        .find_map(|k| result.get(*k).and_then(Value::as_bool))
        .unwrap_or(false)
}

/// The core refused on the rules: 422 with every refusal (code, field, citation, zh, en).
fn rejection(result: &Value) -> Response {
    let codes: Vec<Value> = result["refusals"]
        .as_array()
        .map(|a| a.iter().map(|r| r["code"].clone()).collect())
        .unwrap_or_default();
    log::warn("filing_refused", &[("refusals", Value::Array(codes))]);
    // The refusals quote the application: masked like every other answer that quotes a client.
    let body = json!({"ok": false, "error": {"code": "E_FILING_REFUSED", "message_zh": "不符合备案规则，未受理", "message_en": "the request does not meet the filing rules and was not accepted"},
                      "refusals": result["refusals"], "result": result});
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        idcard::mask_in_json(body).to_string(),
    )
}

fn parse_json_object(bytes: &[u8]) -> Result<serde_json::Map<String, Value>, Response> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(refuse(
            StatusCode::BAD_REQUEST,
            "E_JSON",
            "请求体应为 JSON 对象",
            "the body must be a JSON object",
        )),
        Err(e) => Err(refuse(
            StatusCode::BAD_REQUEST,
            "E_JSON",
            &format!("请求体不是有效的 JSON：{e}"),
            &format!("the body is not valid JSON: {e}"),
        )),
    }
}

/// What the registry keeps per filing: the applicant (insured place, insurance type), the current filing as
/// the core decided it, and the filings it replaced.
fn stored(row: &FilingRow) -> Value {
    serde_json::from_str(&row.filing).unwrap_or(Value::Null)
}

fn filing_view(row: &FilingRow) -> Value {
    let s = stored(row);
    json!({"filing_id": row.id, "status": row.status, "version": row.version, "certno": row.certno_masked,
           "created_at": row.created_at, "updated_at": row.updated_at, "applicant": s["applicant"], "filing": s["filing"],
           "previous": s.get("previous").cloned().unwrap_or(Value::Array(vec![])),
           "treatment": s.get("treatment").cloned().unwrap_or(Value::Null)})
}

/// The person's filings in force on record (active or suspended), for the core's conflict checks: a suspended
/// filing keeps the person from filing anew there while it is suspended.
async fn existing_filings(st: &AppState, certno_hash: &str) -> Result<Vec<Value>, Response> {
    let mut rows = Vec::new();
    for status in ["active", "suspended"] {
        match st
            .registry
            .list(Some(certno_hash.to_string()), Some(status.into()), 1000)
            .await
        {
            Ok(r) => rows.extend(r),
            Err(e) => {
                return Err(registry_down("registry_read", e));
            }
        }
    }
    Ok(rows
        .iter()
        .map(|r| stored(r)["filing"].clone())
        .filter(Value::is_object)
        .collect())
}

/// Apply: `{certno, applicant, category, rloc_admdvs, begndate, materials, retroactive?, chronic_disease?}`.
/// The server sets `applied_date` (today in China) and `existing` (the person's filings in force on record).
async fn filing_create(State(st): St, headers: HeaderMap, body: Body) -> Response {
    let bytes = match read_body(body, MAX_FILING_BODY, &headers).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut form = match parse_json_object(&bytes) {
        Ok(m) => m,
        Err(r) => return r,
    };
    // The identity number is checked here and kept away from the core, the logs and error messages.
    let certno = match form
        .remove("certno")
        .as_ref()
        .map(|v| v.as_str().map(idcard::validate))
    {
        Some(Some(Ok(c))) => c,
        Some(Some(Err(e))) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "E_CERTNO",
                e.message_zh(),
                e.message_en(),
            );
        }
        Some(None) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "E_CERTNO",
                "身份证号应为字符串",
                "certno must be a string",
            );
        }
        None => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "E_MISSING_FIELD",
                "缺少必填字段 certno（居民身份证号）",
                "missing required field certno (resident identity number)",
            );
        }
    };
    let certno_hash = registry::sha256_hex(certno.as_bytes());
    // Only the members the core reads are kept: anything else a client puts in `applicant` (an identity
    // number in a `certno` or `name`, say) would otherwise be stored and shown to agencies as sent.
    let applicant = match form.get("applicant") {
        Some(Value::Object(a)) => Value::Object(
            a.iter()
                .filter(|(k, _)| matches!(k.as_str(), "insuplc_admdvs" | "insutype" | "psn_no"))
                .map(|(k, v)| (k.clone(), idcard::mask_in_json(v.clone())))
                .collect(),
        ),
        other => other.cloned().unwrap_or(Value::Null),
    };
    form.insert("applicant".into(), applicant.clone());
    form.insert("applied_date".into(), Value::String(log::today_china()));
    // Check against the person's filings on record and insert, as one compare-and-set on the person's
    // version: an application that raced another of the same person is checked again against it.
    let mut attempt = 0;
    let (id, token, row, result) = loop {
        attempt += 1;
        let expected = match st.registry.person_version(&certno_hash).await {
            Ok(v) => v,
            Err(e) => return registry_down("registry_read", e),
        };
        let existing = match existing_filings(&st, &certno_hash).await {
            Ok(e) => e,
            Err(r) => return r,
        };
        let mut request = form.clone();
        request.insert("existing".into(), Value::Array(existing));
        let result = match core_op(&st, "filing.validate", Value::Object(request)).await {
            Ok(r) => r,
            Err(r) => return r,
        };
        if !accepted(&result) {
            return rejection(&result);
        }
        let (id, token) = match (registry::random_hex(12), registry::random_hex(32)) {
            (Ok(i), Ok(t)) => (format!("F{i}"), t),
            _ => {
                return refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "E_INTERNAL",
                    "无法生成回执",
                    "cannot generate a receipt",
                );
            }
        };
        let mut filing = result["filing"].clone();
        filing["filing_id"] = Value::String(id.clone());
        let now = log::now_rfc3339();
        let row = FilingRow {
            id: id.clone(),
            token_hash: registry::sha256_hex(token.as_bytes()),
            certno_hash: certno_hash.clone(),
            certno_masked: idcard::mask(&certno),
            filing: json!({"applicant": applicant, "filing": filing}).to_string(),
            status: "active".into(),
            version: 1,
            created_at: now.clone(),
            updated_at: now,
        };
        match st.registry.insert_for_person(row.clone(), expected).await {
            Ok(true) => break (id, token, row, result),
            Ok(false) if attempt < 8 => continue,
            Ok(false) => {
                return refuse(
                    StatusCode::CONFLICT,
                    "E_CONFLICT",
                    "同一人的备案申请正在同时办理，请稍后重试",
                    "other applications of the same person are being made at the same time; try again",
                );
            }
            Err(e) => return registry_down("registry_write", e),
        }
    };
    log::info("filing_created", &[("filing_id", id.clone().into())]);
    let mut v = filing_view(&row);
    v["receipt_token"] = Value::String(token);
    v["decision"] = result;
    json_response(StatusCode::CREATED, json!({"ok": true, "result": v}).to_string())
}

/// Load a filing the caller owns: the receipt token must match (404 either way, so ids cannot be probed).
async fn owned(st: &AppState, id: &str, headers: &HeaderMap) -> Result<FilingRow, Response> {
    let not_found = || {
        refuse(
            StatusCode::NOT_FOUND,
            "E_NOT_FOUND",
            "没有该备案，或回执令牌不符",
            "no such filing, or the receipt token does not match",
        )
    };
    let Some(token) = token_of(headers) else {
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "E_UNAUTHORIZED",
            "缺少回执令牌（X-Receipt-Token）",
            "missing receipt token (X-Receipt-Token)",
        ));
    };
    let row = match st.registry.get(id).await {
        Ok(Some(r)) => r,
        Ok(None) => return Err(not_found()),
        Err(e) => {
            return Err(registry_down("registry_read", e));
        }
    };
    if !registry::secrets_equal(&registry::sha256_hex(token.as_bytes()), &row.token_hash) {
        return Err(not_found());
    }
    Ok(row)
}

async fn filing_status(State(st): St, UrlPath(id): UrlPath<String>, headers: HeaderMap) -> Response {
    match owned(&st, &id, &headers).await {
        Ok(row) => {
            let mut r = json_response(
                StatusCode::OK,
                json!({"ok": true, "result": filing_view(&row)}).to_string(),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", row.version)) {
                r.headers_mut().insert(header::ETAG, v);
            }
            r
        }
        Err(r) => r,
    }
}

/// Change or cancel: the core decides on the stored filing (date = today), then a compare-and-set on the
/// version stores the outcome, so of two concurrent requests on one filing at most one wins.
async fn transition(st: &AppState, id: &str, headers: &HeaderMap, op: &str, body: Body) -> Response {
    let bytes = match read_body(body, MAX_FILING_BODY, headers).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let mut form = match parse_json_object(&bytes) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let row = match owned(st, id, headers).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Some(r) = stale_version(headers, &row) {
        return r;
    }
    if row.status == "suspended" {
        return refuse(
            StatusCode::CONFLICT,
            "E_SUSPENDED",
            "该备案的直接结算已被经办机构暂停（原因见备案状态），暂停期间不能变更或取消；恢复由参保地经办机构办理",
            "direct settlement under this filing is suspended by the agency (the filing's status says why); it cannot be \
             changed or cancelled while suspended, and only the insured place's agency restores it",
        );
    }
    if row.status != "active" {
        return refuse(
            StatusCode::CONFLICT,
            "E_CONFLICT",
            "该备案已不是有效状态，不能再变更或取消",
            "the filing is no longer active; it cannot be changed or cancelled",
        );
    }
    let base = stored(&row);
    form.insert("applicant".into(), base["applicant"].clone());
    form.insert("filing".into(), base["filing"].clone());
    form.insert("date".into(), Value::String(log::today_china()));
    form.entry("reason").or_insert(Value::String("personal".into()));
    // The person's filings on record, never the client's: a change to a new place or category is checked
    // against them as a new filing would be (a second filing there, direct settlement suspended there), and
    // stored as one compare-and-set with the person's version, as an application is: a change that raced an
    // application (or another change) of the same person is checked again against it.
    form.remove("existing");
    let change = op == "filing.change";
    let mut attempt = 0;
    let result = loop {
        attempt += 1;
        let mut request = form.clone();
        let person = if change {
            let v = match st.registry.person_version(&row.certno_hash).await {
                Ok(v) => v,
                Err(e) => return registry_down("registry_read", e),
            };
            match existing_filings(st, &row.certno_hash).await {
                Ok(e) => {
                    request.insert("existing".into(), Value::Array(e));
                }
                Err(r) => return r,
            }
            Some(v)
        } else {
            None
        };
        let result = match core_op(st, op, Value::Object(request)).await {
            Ok(r) => r,
            Err(r) => return r,
        };
        if !accepted(&result) {
            return rejection(&result);
        }
        let mut s = base.clone();
        let status = if change {
            let mut previous = s
                .get("previous")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            previous.push(result["old_filing"].clone());
            s["previous"] = Value::Array(previous);
            s["filing"] = result["new_filing"].clone();
            s["filing"]["filing_id"] = Value::String(row.id.clone());
            "active"
        } else {
            s["filing"] = result["filing"].clone();
            "cancelled"
        };
        let Some(expected_person) = person else {
            if let Err(r) = write_filing(st, &row, &s, status).await {
                return r;
            }
            break result;
        };
        let now = log::now_rfc3339();
        match st
            .registry
            .update_for_person(
                &row.id,
                row.version,
                &s.to_string(),
                status,
                &now,
                &row.certno_hash,
                expected_person,
            )
            .await
        {
            Ok(PersonCas::Won) => break result,
            Ok(PersonCas::PersonChanged) if attempt < 8 => continue,
            Ok(PersonCas::PersonChanged) => {
                return refuse(
                    StatusCode::CONFLICT,
                    "E_CONFLICT",
                    "同一人的其他备案正在同时办理，请稍后重试",
                    "other filings of the same person are being made or changed at the same time; try again",
                );
            }
            Ok(PersonCas::FilingChanged) => return filing_conflict(),
            Err(e) => return registry_down("registry_write", e),
        }
    };
    log::info(
        "filing_updated",
        &[("filing_id", row.id.clone().into()), ("op", op.into())],
    );
    decided(st, &row.id, result).await
}

/// Store a filing's new state only if nobody changed it since `row` was read (compare-and-set on the
/// version): of a concurrent change, cancellation or suspension, exactly one wins; the others get 409.
async fn write_filing(st: &AppState, row: &FilingRow, state: &Value, status: &str) -> Result<(), Response> {
    let now = log::now_rfc3339();
    match st
        .registry
        .update(&row.id, row.version, &state.to_string(), status, &now)
        .await
    {
        Ok(true) => Ok(()),
        Ok(false) => Err(filing_conflict()),
        Err(e) => Err(registry_down("registry_write", e)),
    }
}

/// 409 for a filing that another request changed between our read and our write.
fn filing_conflict() -> Response {
    refuse(
        StatusCode::CONFLICT,
        "E_CONFLICT",
        "该备案刚被另一操作修改，请刷新后重试",
        "the filing was changed by another request at the same time; reload and retry",
    )
}

/// The answer to an accepted transition: the filing as now stored, with the core's decision.
async fn decided(st: &AppState, id: &str, decision: Value) -> Response {
    let result = match st.registry.get(id).await {
        Ok(Some(r)) => {
            let mut v = filing_view(&r);
            v["decision"] = decision;
            v
        }
        _ => json!({"decision": decision}),
    };
    json_response(StatusCode::OK, json!({"ok": true, "result": result}).to_string())
}

/// The registry could not be read or written: logged (the error only, no personal data), answered 503.
fn registry_down(event: &str, e: String) -> Response {
    log::error(event, &[("error", e.into())]);
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        "E_REGISTRY",
        "备案库暂不可用，请稍后重试",
        "the filing registry is unavailable; try again later",
    )
}

/// `If-Match: <version>` (the version the client saw) makes a transition apply to that version only.
fn stale_version(headers: &HeaderMap, row: &FilingRow) -> Option<Response> {
    let seen = match if_match(headers)? {
        Some(v) => v,
        // A precondition the client sent is never dropped because it could not be read.
        None => {
            return Some(refuse(
                StatusCode::BAD_REQUEST,
                "E_INVALID",
                "If-Match 应为备案的版本号，如 \"1\"",
                "If-Match must be the filing's version, e.g. \"1\"",
            ));
        }
    };
    (seen != row.version).then(|| {
        refuse(
            StatusCode::CONFLICT,
            "E_CONFLICT",
            "该备案在您查看之后已被修改，请刷新后重试",
            "the filing changed since the version you saw; reload and retry",
        )
    })
}

/// The version in an `If-Match` header (`1`, `"1"` or `W/"1"`): `None` without the header, `Some(None)`
/// when it cannot be read.
fn if_match(headers: &HeaderMap) -> Option<Option<i64>> {
    let v = headers.get(header::IF_MATCH)?;
    Some(
        v.to_str()
            .ok()
            .and_then(|v| v.trim().trim_start_matches("W/").trim_matches('"').parse().ok()),
    )
}

/// Change: `{reason, documents?, changes: {rloc_admdvs?, category?}}`.
async fn filing_change(
    State(st): St,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    transition(&st, &id, &headers, "filing.change", body).await
}

/// Cancel: optional body `{reason?, documents?, open_stay?}` (reason defaults to `personal`).
async fn filing_cancel(
    State(st): St,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    transition(&st, &id, &headers, "filing.cancel", body).await
}

/// Longest reason an agency may give for a treatment-status change (it is stored and shown to the person).
const MAX_REASON_CHARS: usize = 500;

/// `POST /v1/registry/filings/{id}/suspend | resume | terminate`, body `{reason, actor?}` (`actor` is
/// `insured_place`, the default, or `treatment_place`). A reason is needed to suspend or terminate; the core
/// refuses a resumption by the treatment place's agency; termination ends the filing (status `cancelled`).
async fn registry_treatment(
    State(st): St,
    UrlPath((id, action)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match action.as_str() {
        "suspend" | "resume" | "terminate" => treatment(&st, &id, &headers, &action, body).await,
        _ => refuse(
            StatusCode::NOT_FOUND,
            "E_NOT_FOUND",
            "没有这个地址",
            "no such endpoint",
        ),
    }
}

/// An agency's treatment-status change (暂停/恢复/终止): the core's `filing.treatment` decides on the stored
/// filing (date = today), then the same compare-and-set on the version as a person's change or cancellation
/// stores it, so of a suspension and a concurrent cancellation at most one wins. The reason is stored and shown
/// to the person; identity numbers in it are masked first; it is never logged.
async fn treatment(st: &AppState, id: &str, headers: &HeaderMap, action: &str, body: Body) -> Response {
    if let Err(r) = agency_ok(st, headers) {
        return r;
    }
    let bytes = match read_body(body, MAX_FILING_BODY, headers).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let form = match parse_json_object(&bytes) {
        Ok(m) => m,
        Err(r) => return r,
    };
    if let Some(k) = form.keys().find(|k| !["reason", "actor"].contains(&k.as_str())) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "E_INVALID",
            &format!("未知字段 {k}；只接受 reason 和 actor"),
            &format!("unknown field {k}; only reason and actor are taken"),
        );
    }
    let reason = match form.get("reason") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(r)) if r.chars().count() <= MAX_REASON_CHARS => idcard::mask_in_text(r),
        Some(Value::String(_)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "E_INVALID",
                &format!("原因过长，上限 {MAX_REASON_CHARS} 字"),
                &format!("the reason is too long; the limit is {MAX_REASON_CHARS} characters"),
            );
        }
        Some(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "E_INVALID",
                "reason 应为字符串",
                "reason must be a string",
            );
        }
    };
    let actor = form
        .get("actor")
        .cloned()
        .unwrap_or(Value::String("insured_place".into()));
    let row = match st.registry.get(id).await {
        Ok(Some(r)) => r,
        Ok(None) => {
            return refuse(
                StatusCode::NOT_FOUND,
                "E_NOT_FOUND",
                "没有该备案",
                "no such filing",
            );
        }
        Err(e) => {
            return registry_down("registry_read", e);
        }
    };
    if let Some(r) = stale_version(headers, &row) {
        return r;
    }
    let mut s = stored(&row);
    let date = log::today_china();
    let request =
        json!({"filing": s["filing"], "date": date, "action": action, "actor": actor, "reason": reason});
    let result = match core_op(st, "filing.treatment", request).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !accepted(&result) {
        return rejection(&result);
    }
    let status = result["filing"]["status"]
        .as_str()
        .unwrap_or("active")
        .to_string();
    s["filing"] = result["filing"].clone();
    // What the person's status shows: the last change, why, and the core's explanation in both languages.
    let explanation = &result["explanations"][0];
    let record = json!({"action": action, "actor": actor, "date": date, "reason": reason,
                        "rule": explanation["rule"], "cite": explanation["cite"],
                        "zh": explanation["zh"], "en": explanation["en"]});
    let mut history = s
        .get("treatment_history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    history.push(record.clone());
    s["treatment_history"] = Value::Array(history);
    s["treatment"] = record;
    if let Err(r) = write_filing(st, &row, &s, &status).await {
        return r;
    }
    log::info(
        "filing_treatment",
        &[
            ("filing_id", row.id.clone().into()),
            ("action", action.into()),
            ("actor", actor),
            ("status", status.into()),
        ],
    );
    decided(st, &row.id, result).await
}

async fn registry_query(
    State(st): St,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = agency_ok(&st, &headers) {
        return r;
    }
    let certno_hash = match q.get("certno").map(|c| idcard::validate(c)) {
        Some(Ok(c)) => Some(registry::sha256_hex(c.as_bytes())),
        Some(Err(e)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "E_CERTNO",
                e.message_zh(),
                e.message_en(),
            );
        }
        None => None,
    };
    // A typo (`status=Active`, `limit=abc`) is refused, not answered as "no filings".
    let bad = |zh: &str, en: &str| refuse(StatusCode::BAD_REQUEST, "E_INVALID", zh, en);
    if let Some(s) = q.get("status")
        && !["active", "suspended", "cancelled"].contains(&s.as_str())
    {
        return bad(
            "status 应为 active、suspended 或 cancelled",
            "status must be active, suspended or cancelled",
        );
    }
    let limit = match q.get("limit").map(|l| l.trim().parse::<i64>()) {
        None => 100,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        Some(_) => {
            return bad(
                "limit 应为 1 到 1000 的整数",
                "limit must be a whole number from 1 to 1000",
            );
        }
    };
    match st
        .registry
        .list(certno_hash, q.get("status").cloned(), limit)
        .await
    {
        Ok(rows) => json_response(
            StatusCode::OK,
            json!({"ok": true, "result": rows.iter().map(filing_view).collect::<Vec<_>>()}).to_string(),
        ),
        Err(e) => registry_down("registry_read", e),
    }
}

// ---------- web app ----------

async fn static_or_404(State(st): St, method: Method, uri: axum::http::Uri) -> Response {
    let not_found = || {
        refuse(
            StatusCode::NOT_FOUND,
            "E_NOT_FOUND",
            "没有这个地址",
            "no such endpoint",
        )
    };
    if method != Method::GET || uri.path().starts_with("/v1/") {
        return not_found();
    }
    let Some(root) = &st.web else { return not_found() };
    let rel = uri.path().trim_start_matches('/');
    if rel.split('/').any(|c| c == ".." || c.starts_with('.')) || rel.contains('\\') {
        return not_found();
    }
    let mut path = root.join(if rel.is_empty() { "index.html" } else { rel });
    if !path.is_file() {
        // Client-side routes of the single-page app fall back to index.html.
        path = root.join("index.html");
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let ct = match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
                "html" => "text/html; charset=utf-8",
                "js" | "mjs" => "text/javascript; charset=utf-8",
                "css" => "text/css; charset=utf-8",
                "wasm" => "application/wasm",
                "json" => "application/json",
                "svg" => "image/svg+xml",
                "png" => "image/png",
                "ico" => "image/x-icon",
                "txt" => "text/plain; charset=utf-8",
                _ => "application/octet-stream",
            };
            let mut r = bytes.into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            r
        }
        Err(_) => not_found(),
    }
}

// ---------- load generator ----------

/// POST `body` to `path` on `conns` keep-alive connections for `dur`; returns a one-line summary.
pub fn load(
    addr: &str,
    path: &str,
    body: &[u8],
    headers: &[(String, String)],
    conns: usize,
    dur: Duration,
) -> Result<String, String> {
    let deadline = Instant::now() + dur;
    let results: Vec<Result<(Vec<u32>, usize), String>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..conns)
            .map(|_| {
                s.spawn(|| {
                    let mut c = crate::http::Conn::open(addr).map_err(|e| format!("connect {addr}: {e}"))?;
                    let hdrs: Vec<(&str, &str)> =
                        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    let (mut lat, mut errors) = (Vec::new(), 0usize);
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        let r = c.request("POST", path, &hdrs, body).map_err(|e| e.to_string())?;
                        lat.push(t.elapsed().as_micros() as u32);
                        if r.status >= 300 {
                            errors += 1;
                        }
                    }
                    Ok((lat, errors))
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("load thread failed".into())))
            .collect()
    });
    let mut all = Vec::new();
    let mut errors = 0;
    for r in results {
        let (l, e) = r?;
        all.extend(l);
        errors += e;
    }
    all.sort_unstable();
    let n = all.len();
    let pct = |p: usize| {
        all.get((n * p / 100).min(n.saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Ok(format!(
        "requests {n}  errors {errors}  rate {}/s  p50 {} us  p99 {} us  max {} us  ({conns} connections, {} s)",
        n as u64 / dur.as_secs().max(1),
        pct(50),
        pct(99),
        all.last().copied().unwrap_or(0),
        dur.as_secs()
    ))
}
