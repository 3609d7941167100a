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
