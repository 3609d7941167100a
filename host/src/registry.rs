//! The filing registry behind `serve`: filings validated by the core, stored in SQLite (a file, the embedded
//! default) or PostgreSQL (a URL, for several host instances behind a load balancer).
//!
//! Ownership: a filing is reached only with its receipt token (256 random bits, returned once; the store keeps
//! only its SHA-256). Concurrency: every change or cancellation, and every agency's suspension, restoration or
//! termination, is a compare-and-set on `version` (`UPDATE … WHERE id = ? AND version = ?`), so of two
//! concurrent ones (a person's cancellation and an agency's suspension, say) exactly one wins and the other
//! gets a conflict. Durability: SQLite runs in WAL mode with `synchronous = FULL`; an insert or update
//! is acknowledged only after its commit returned.
//!
//! A new filing is checked against the person's filings on record, so two applications of one person must not
//! both pass that check unseen by each other: each person has a version (`persons`), read before the check
//! and bumped, compare-and-set, in the same transaction as the insert ([`Registry::insert_for_person`]). Of
//! two concurrent applications the second fails the compare-and-set and is checked again, now against the
//! first. A change (checked against the person's other filings the same way) bumps the person's version too
//! ([`Registry::update_for_person`]), so a change and an application racing to the same place cannot both
//! pass.
//!
//! Identity numbers are stored as a SHA-256 (for agency look-ups) and a masked form; never in clear.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// One stored filing.
#[derive(Debug, Clone, Serialize)]
pub struct FilingRow {
    pub id: String,
    #[serde(skip)]
    pub token_hash: String,
    #[serde(skip)]
    pub certno_hash: String,
    pub certno_masked: String,
    /// The filing as the core validated it (JSON text).
    #[serde(skip)]
    pub filing: String,
    pub status: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// How [`Registry::update_for_person`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonCas {
    Won,
    /// The filing itself changed since it was read (a concurrent change, cancellation or suspension).
    FilingChanged,
    /// Another filing of the person was made or changed since the person's version was read.
    PersonChanged,
}

#[derive(Clone)]
pub enum Registry {
    Sqlite(Arc<Mutex<rusqlite::Connection>>),
    Postgres(Arc<tokio_postgres::Client>),
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS filings (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    certno_hash TEXT NOT NULL,
    certno_masked TEXT NOT NULL,
    filing TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS filings_certno ON filings (certno_hash);
CREATE TABLE IF NOT EXISTS persons (
    certno_hash TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);";

/// Bump a person's version (`?1` the identity-number hash) if it is still `?2` (0: no row yet).
const BUMP_PERSON_SQLITE: &str = "INSERT INTO persons (certno_hash, version) VALUES (?1, 1) \
    ON CONFLICT (certno_hash) DO UPDATE SET version = persons.version + 1 WHERE persons.version = ?2";

/// Store a filing's new state (`?1` text, `?2` status, `?3` time) if its version is still `?5` (`?4` its id).
const UPDATE_FILING_SQLITE: &str = "UPDATE filings SET filing = ?1, status = ?2, version = version + 1, updated_at = ?3 WHERE id = ?4 AND version = ?5";

/// SHA-256 as lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// `n` random bytes as hex, from the operating system's generator.
pub fn random_hex(n: usize) -> Result<String, String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| format!("no randomness: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Constant-time comparison of two secrets (through their hashes, so lengths leak nothing either).
pub fn secrets_equal(a: &str, b: &str) -> bool {
    let (x, y) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    x.iter().zip(y.iter()).fold(0u8, |acc, (p, q)| acc | (p ^ q)) == 0
}

fn db_err(e: impl std::fmt::Display) -> String {
    format!("registry database: {e}")
}

impl Registry {
    /// Open (and create) the store: a `postgres://` / `postgresql://` URL, else a SQLite file path.
    pub async fn open(target: &str) -> Result<Registry, String> {
        if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            let (client, conn) = tokio_postgres::connect(target, tokio_postgres::NoTls)
                .await
                .map_err(db_err)?;
            tokio::spawn(async move {
                if let Err(e) = conn.await {
                    crate::log::error("postgres_connection", &[("error", e.to_string().into())]);
                }
            });
            client.batch_execute(SCHEMA).await.map_err(db_err)?;
            Ok(Registry::Postgres(Arc::new(client)))
        } else {
            if let Some(dir) = std::path::Path::new(target)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            let c = rusqlite::Connection::open(target).map_err(db_err)?;
            c.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;",
            )
            .map_err(db_err)?;
            c.execute_batch(SCHEMA).map_err(db_err)?;
            Ok(Registry::Sqlite(Arc::new(Mutex::new(c))))
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Registry::Sqlite(_) => "sqlite",
            Registry::Postgres(_) => "postgres",
        }
    }

    async fn sqlite<T: Send + 'static>(
        c: &Arc<Mutex<rusqlite::Connection>>,
        f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, String> {
        let c = c.clone();
        tokio::task::spawn_blocking(move || {
            let guard = c.lock().map_err(|_| "registry lock poisoned".to_string())?;
            f(&guard).map_err(db_err)
        })
        .await
        .map_err(db_err)?
    }

    pub async fn insert(&self, r: FilingRow) -> Result<(), String> {
        match self {
            Registry::Sqlite(c) => Self::sqlite(c, move |c| {
                c.execute(
                    "INSERT INTO filings (id, token_hash, certno_hash, certno_masked, filing, status, version, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                    rusqlite::params![r.id, r.token_hash, r.certno_hash, r.certno_masked, r.filing, r.status, r.version, r.created_at, r.updated_at],
                )
                .map(|_| ())
            })
            .await,
            Registry::Postgres(c) => c
                .execute(
                    "INSERT INTO filings (id, token_hash, certno_hash, certno_masked, filing, status, version, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                    &[&r.id, &r.token_hash, &r.certno_hash, &r.certno_masked, &r.filing, &r.status, &r.version, &r.created_at, &r.updated_at],
                )
                .await
                .map(|_| ())
                .map_err(db_err),
        }
    }

    /// The person's version: 0 before their first filing.
    pub async fn person_version(&self, certno_hash: &str) -> Result<i64, String> {
        let h = certno_hash.to_string();
        match self {
            Registry::Sqlite(c) => {
                Self::sqlite(c, move |c| {
                    let mut st = c.prepare_cached("SELECT version FROM persons WHERE certno_hash = ?1")?;
                    let mut rows = st.query_map([h], |r| r.get::<_, i64>(0))?;
                    Ok(rows.next().transpose()?.unwrap_or(0))
                })
                .await
            }
            Registry::Postgres(c) => {
                let rows = c
                    .query("SELECT version FROM persons WHERE certno_hash = $1", &[&h])
                    .await
                    .map_err(db_err)?;
                Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0)))
            }
        }
    }

    /// Insert a filing only while the person's version is still `expected` (bumping it in the same
    /// transaction). Returns whether it won; `false`: another filing of the person came first.
    pub async fn insert_for_person(&self, r: FilingRow, expected: i64) -> Result<bool, String> {
        match self {
            Registry::Sqlite(c) => Self::sqlite(c, move |c| {
                let tx = c.unchecked_transaction()?;
                if tx.execute(BUMP_PERSON_SQLITE, rusqlite::params![r.certno_hash, expected])? != 1 {
                    return Ok(false); // dropped: rolled back
                }
                tx.execute(
                    "INSERT INTO filings (id, token_hash, certno_hash, certno_masked, filing, status, version, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                    rusqlite::params![r.id, r.token_hash, r.certno_hash, r.certno_masked, r.filing, r.status, r.version, r.created_at, r.updated_at],
                )?;
                tx.commit()?;
                Ok(true)
            })
            .await,
            // One statement, so one transaction: the person's row is inserted or bumped only at the expected
            // version (a concurrent one waits for the first to commit, then sees its version), and the filing
            // is inserted only when that happened.
            Registry::Postgres(c) => c
                .execute(
                    "WITH bump AS (INSERT INTO persons (certno_hash, version) VALUES ($3, 1) \
                     ON CONFLICT (certno_hash) DO UPDATE SET version = persons.version + 1 \
                     WHERE persons.version = $10 RETURNING version) \
                     INSERT INTO filings (id, token_hash, certno_hash, certno_masked, filing, status, version, created_at, updated_at) \
                     SELECT $1,$2,$3,$4,$5,$6,$7,$8,$9 FROM bump",
                    &[&r.id, &r.token_hash, &r.certno_hash, &r.certno_masked, &r.filing, &r.status, &r.version, &r.created_at, &r.updated_at, &expected],
                )
                .await
                .map(|n| n == 1)
                .map_err(db_err),
        }
    }

    pub async fn get(&self, id: &str) -> Result<Option<FilingRow>, String> {
        let id = id.to_string();
        match self {
            Registry::Sqlite(c) => {
                Self::sqlite(c, move |c| {
                    let mut st = c.prepare_cached(&format!("SELECT {COLS} FROM filings WHERE id = ?1"))?;
                    let mut rows = st.query_map([id], sqlite_row)?;
                    rows.next().transpose()
                })
                .await
            }
            Registry::Postgres(c) => {
                let rows = c
                    .query(&format!("SELECT {COLS} FROM filings WHERE id = $1"), &[&id])
                    .await
                    .map_err(db_err)?;
                Ok(rows.first().map(pg_row))
            }
        }
    }

    /// Compare-and-set: applies only when the stored version is still `expected_version`. Returns whether it won.
    pub async fn update(
        &self,
        id: &str,
        expected_version: i64,
        filing: &str,
        status: &str,
        now: &str,
    ) -> Result<bool, String> {
        let (id, filing, status, now) = (
            id.to_string(),
            filing.to_string(),
            status.to_string(),
            now.to_string(),
        );
        let n = match self {
            Registry::Sqlite(c) => Self::sqlite(c, move |c| {
                c.execute(
                    UPDATE_FILING_SQLITE,
                    rusqlite::params![filing, status, now, id, expected_version],
                )
            })
            .await?
                as u64,
            Registry::Postgres(c) => c
                .execute(
                    "UPDATE filings SET filing = $1, status = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5",
                    &[&filing, &status, &now, &id, &expected_version],
                )
                .await
                .map_err(db_err)?,
        };
        Ok(n == 1)
    }

    /// Change a filing (compare-and-set on its `version`) and bump its person's version (compare-and-set on
    /// `expected_person`) in one transaction, as [`Registry::insert_for_person`] does for a new filing: a
    /// change to a new place or category was checked against the person's other filings, so an application
    /// of the same person made meanwhile must see it (and be checked again), and vice versa.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_for_person(
        &self,
        id: &str,
        expected_version: i64,
        filing: &str,
        status: &str,
        now: &str,
        certno_hash: &str,
        expected_person: i64,
    ) -> Result<PersonCas, String> {
        let (id, filing, status, now, h) = (
            id.to_string(),
            filing.to_string(),
            status.to_string(),
            now.to_string(),
            certno_hash.to_string(),
        );
        match self {
            Registry::Sqlite(c) => {
                Self::sqlite(c, move |c| {
                    let tx = c.unchecked_transaction()?;
                    if tx.execute(BUMP_PERSON_SQLITE, rusqlite::params![h, expected_person])? != 1 {
                        return Ok(PersonCas::PersonChanged); // dropped: rolled back
                    }
                    if tx.execute(
                        UPDATE_FILING_SQLITE,
                        rusqlite::params![filing, status, now, id, expected_version],
                    )? != 1
                    {
                        return Ok(PersonCas::FilingChanged);
                    }
                    tx.commit()?;
                    Ok(PersonCas::Won)
                })
                .await
            }
            // One statement, one transaction. A bump whose filing update then fails (the filing changed) is
            // kept: a spurious bump only makes a concurrent application of the person check again.
            Registry::Postgres(c) => {
                let row = c
                    .query_one(
                        "WITH bump AS (INSERT INTO persons (certno_hash, version) VALUES ($6, 1) \
                         ON CONFLICT (certno_hash) DO UPDATE SET version = persons.version + 1 \
                         WHERE persons.version = $7 RETURNING version), \
                         upd AS (UPDATE filings SET filing = $1, status = $2, version = version + 1, updated_at = $3 \
                         WHERE id = $4 AND version = $5 AND EXISTS (SELECT 1 FROM bump) RETURNING id) \
                         SELECT (SELECT count(*) FROM bump), (SELECT count(*) FROM upd)",
                        &[&filing, &status, &now, &id, &expected_version, &h, &expected_person],
                    )
                    .await
                    .map_err(db_err)?;
                let (bumped, updated): (i64, i64) = (row.get(0), row.get(1));
                Ok(match (bumped, updated) {
                    (0, _) => PersonCas::PersonChanged,
                    (_, 0) => PersonCas::FilingChanged,
                    _ => PersonCas::Won,
                })
            }
        }
    }

    /// Agency query: filings of one person (by identity-number hash) and/or with one status, newest first.
    pub async fn list(
        &self,
        certno_hash: Option<String>,
        status: Option<String>,
        limit: i64,
    ) -> Result<Vec<FilingRow>, String> {
        let sql_where = "WHERE (?1 IS NULL OR certno_hash = ?1) AND (?2 IS NULL OR status = ?2)";
        match self {
            Registry::Sqlite(c) => {
                Self::sqlite(c, move |c| {
                    let mut st = c.prepare_cached(&format!(
                        "SELECT {COLS} FROM filings {sql_where} ORDER BY created_at DESC, id LIMIT ?3"
                    ))?;
                    let rows = st.query_map(rusqlite::params![certno_hash, status, limit], sqlite_row)?;
                    rows.collect()
                })
                .await
            }
            Registry::Postgres(c) => {
                let rows = c
                    .query(
                        &format!("SELECT {COLS} FROM filings WHERE ($1::TEXT IS NULL OR certno_hash = $1) AND ($2::TEXT IS NULL OR status = $2) ORDER BY created_at DESC, id LIMIT $3"),
                        &[&certno_hash, &status, &limit],
                    )
                    .await
                    .map_err(db_err)?;
                Ok(rows.iter().map(pg_row).collect())
            }
        }
    }
}

const COLS: &str =
    "id, token_hash, certno_hash, certno_masked, filing, status, version, created_at, updated_at";

fn sqlite_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FilingRow> {
    Ok(FilingRow {
        id: r.get(0)?,
        token_hash: r.get(1)?,
        certno_hash: r.get(2)?,
        certno_masked: r.get(3)?,
        filing: r.get(4)?,
        status: r.get(5)?,
        version: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
    })
}

fn pg_row(r: &tokio_postgres::Row) -> FilingRow {
    FilingRow {
        id: r.get(0),
        token_hash: r.get(1),
        certno_hash: r.get(2),
        certno_masked: r.get(3),
        filing: r.get(4),
        status: r.get(5),
        version: r.get(6),
        created_at: r.get(7),
        updated_at: r.get(8),
    }
}
