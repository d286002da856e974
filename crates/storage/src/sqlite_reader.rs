//! A synchronous reading connection for the one lookup every filing waits for: the pre-arrival
//! information announcing the declaration's means of transport. The pool's connections each
//! run on a thread of their own, so a query through them is two thread hand-offs; on two cores
//! under load each hand-off waits for a core behind the request handlers, and every filing
//! waited for the lookup before it could be decided. An indexed read of a few rows on this
//! connection takes tens of microseconds on the calling thread, so one connection serves the
//! request workers in turn: a worker waits for another's lookup at most that long.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use smartcustoms_core::timestamp::Timestamp;

use crate::pre_arrival::PreArrivalRecord;
use crate::{StoreError, StoreResult};

/// The reading connection.
#[derive(Clone)]
pub(crate) struct Reader {
    conn: Arc<Mutex<Connection>>,
    /// The lookup's text with SQLite placeholders, made once.
    query: Arc<str>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reader")
    }
}

impl Reader {
    /// Opens the file read-only, with the pool's cache settings.
    pub(crate) fn open(path: &Path) -> StoreResult<Self> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        // No memory map, unlike the pool: SQLite drops a connection's whole mapping when a read
        // finds that another connection has committed since its last one, and this connection
        // reads once per filing while the writer commits hundreds of times a second; each
        // unmapping interrupts every core to flush its address cache. The lookup reads two or
        // three pages, which a system call each copies as cheaply. The pool's reads are rarer
        // and larger.
        conn.execute_batch("PRAGMA cache_size = -16384;")?;
        let query = crate::pre_arrival::ONE_MEANS_QUERY.replace('$', "?").into();
        Ok(Reader { conn: Arc::new(Mutex::new(conn)), query })
    }

    /// [`crate::PreArrivalQueries::pre_arrivals_of_means`], on the calling thread.
    pub(crate) fn pre_arrivals_of_means(
        &self,
        means_id: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<PreArrivalRecord>> {
        let conn = self.conn.lock().map_err(|e| StoreError::Internal(e.to_string()))?;
        let mut statement = conn.prepare_cached(&self.query)?;
        let rows = statement.query_map((from.as_micros(), to.as_micros(), means_id), |r| {
            Ok(PreArrivalRecord {
                id: r.get(0)?,
                filer: r.get(1)?,
                reference: r.get(2)?,
                office_of_entry: r.get(3)?,
                transport_document: r.get(4)?,
                means_id: r.get(5)?,
                expected_arrival_at_us: Timestamp::from(r.get::<_, i64>(6)?),
                decision: r.get(7)?,
                control: r.get(8)?,
                filed_at_us: Timestamp::from(r.get::<_, i64>(9)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// The lookup every filing naming a means of transport makes reads its rows in order from
    /// the index: no temporary b-tree is opened to sort them.
    #[tokio::test]
    async fn the_pre_arrival_lookup_reads_in_index_order_without_sorting() -> TestResult {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("plan.db");
        let _store = crate::sqlite::SqliteStore::open(&format!("sqlite:{}", path.display())).await?;
        let reader = Reader::open(&path)?;
        let conn = reader.conn.lock().map_err(|e| e.to_string())?;
        let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", reader.query))?;
        let steps: Vec<String> =
            plan.query_map((0, 1, "B AB 123"), |r| r.get::<_, String>(3))?.collect::<Result<_, _>>()?;
        assert!(steps.iter().any(|s| s.contains("USING INDEX pre_arrivals_means")), "{steps:?}");
        assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE")), "{steps:?}");
        Ok(())
    }
}
