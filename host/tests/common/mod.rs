//! Helpers shared by the server tests: start the real `yidi` binary on a loopback port, talk HTTP to it,
//! kill it with SIGKILL.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test
#![allow(dead_code)]

pub mod packs;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use yidi_host::http::{Conn, Response};

pub const AGENCY_KEY: &str = "test-agency-key-0123456789";

pub struct Server {
    pub child: Child,
    pub addr: String,
    pub log: PathBuf,
}

impl Server {
    /// Start `yidi serve` on a free loopback port with the given registry (SQLite path or postgres URL).
    pub fn start(db: &str, log: &Path, extra: &[&str]) -> Server {
        let logf = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let web: &[&str] = if extra.contains(&"--web") {
            &[]
        } else {
            &["--web", "/nonexistent"]
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_yidi"))
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--db",
                db,
                "--agency-key",
                AGENCY_KEY,
            ])
            .args(web)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(logf))
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .unwrap_or_default()
            .to_string();
        assert!(
            addr.starts_with("127.0.0.1:"),
            "server did not start: {line:?}\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        Server {
            child,
            addr,
            log: log.to_path_buf(),
        }
    }

    pub fn conn(&self) -> Conn {
        Conn::open(&self.addr).unwrap()
    }

    pub fn req(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
        self.conn()
            .request(method, path, headers, body.as_bytes())
            .unwrap()
    }

    /// SIGKILL: no shutdown hook, no flush — what a crash or `kill -9` does.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request: method, path, headers, body.
pub type Req<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a [u8]);

/// A request to `a` and one to `b` sent at the same moment (connections opened first, then a barrier), for
/// the registry's race tests; `a` and `b` may be one server or two on the same database.
pub fn at_once(a: &Server, first: Req<'_>, b: &Server, second: Req<'_>) -> (Response, Response) {
    let barrier = std::sync::Barrier::new(2);
    let send = |s: &Server, (method, path, headers, body): Req<'_>| {
        let mut c = s.conn();
        barrier.wait();
        c.request(method, path, headers, body).unwrap()
    };
    std::thread::scope(|sc| {
        let t1 = sc.spawn(|| send(a, first));
        let t2 = sc.spawn(|| send(b, second));
        (t1.join().unwrap(), t2.join().unwrap())
    })
}

pub fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yidi-host-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A valid identity number (GB 11643 check character) built from 17 digits.
pub fn certno(first17: &str) -> String {
    let c = yidi_host::idcard::check_char(first17.as_bytes()).unwrap();
    format!("{first17}{}", c as char)
}
