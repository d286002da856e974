//! Unit tests of the lookups made together, against a real SQLite store.

use std::sync::Arc;
use std::time::Duration;

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{PreArrivalRecord, Store};

use super::Announced;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const HOUR: i64 = 3_600_000_000;

fn record(means: &str, n: i64) -> PreArrivalRecord {
    PreArrivalRecord {
        id: format!("pa-{means}-{n:02}"),
        filer: "DE000000000001".into(),
        reference: format!("REF-{means}-{n:02}"),
        office_of_entry: "DE005000".into(),
        transport_document: format!("CMR-{means}-{n:02}"),
        means_id: means.into(),
        expected_arrival_at_us: Timestamp::from_micros(100 * HOUR + n * HOUR),
        decision: "{}".into(),
        control: "none".into(),
        filed_at_us: Timestamp::from_micros(HOUR),
    }
}

async fn store(dir: &tempfile::TempDir) -> Result<Arc<dyn Store>, Box<dyn std::error::Error>> {
    let store = smartcustoms_storage::open(&format!("sqlite:{}", dir.path().join("t.db").display())).await?;
    for (means, count) in [("B-AB-1", 25), ("HH-X-2", 3), ("M-Z-3", 1)] {
        for n in 0..count {
            store.file_pre_arrival(&record(means, n), b"{}", None).await?;
        }
    }
    Ok(store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_lookups_get_what_a_lookup_of_their_own_gets() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = store(&dir).await?;
    let announced = Arc::new(Announced::default());
    let mut lookups = Vec::new();
    for i in 0..60i64 {
        let means = ["B-AB-1", "HH-X-2", "M-Z-3", "NONE"][(i % 4) as usize];
        let from = Timestamp::from_micros((90 + i % 15) * HOUR);
        let to = Timestamp::from_micros((101 + i % 20) * HOUR);
        let (announced, store) = (announced.clone(), store.clone());
        lookups.push(tokio::spawn(async move {
            let together = announced.find_together(&store, means, from, to).await;
            let direct = announced.find(&store, means, from, to).await;
            let alone = store.pre_arrivals_of_means(means, from, to).await;
            let text =
                |r: Result<Vec<PreArrivalRecord>, _>| r.map_err(|e: smartcustoms_storage::StoreError| e.to_string());
            (means, text(together), text(direct), text(alone))
        }));
    }
    let mut found = 0;
    for lookup in lookups {
        let (means, together, direct, alone) = lookup.await?;
        assert_eq!(together, alone, "{means}: through the queue");
        assert_eq!(direct, alone, "{means}: asked directly");
        found += together.map(|r| r.len()).unwrap_or(0);
    }
    assert!(found > 0, "some lookups found records");
    Ok(())
}

#[tokio::test]
async fn a_lookup_dropped_half_way_leaves_the_others_answered() -> TestResult {
    let dir = tempfile::tempdir()?;
    let store = store(&dir).await?;
    let announced = Arc::new(Announced::default());
    let (from, to) = (Timestamp::from_micros(0), Timestamp::from_micros(1_000 * HOUR));
    // Dropped before its answer arrives.
    let _ = tokio::time::timeout(Duration::ZERO, announced.find_together(&store, "HH-X-2", from, to)).await;
    let found =
        tokio::time::timeout(Duration::from_secs(10), announced.find_together(&store, "HH-X-2", from, to)).await??;
    assert_eq!(found.len(), 3);
    Ok(())
}
