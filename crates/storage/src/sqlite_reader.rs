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
        conn.execute_batch("PRAGMA cache_size = -16384; PRAGMA mmap_size = 1073741824;")?;
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
