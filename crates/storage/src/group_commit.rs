//! Group commit: many concurrent filings share one durable transaction.
//!
//! Request handlers send their decided filing to a single writer task and wait for its
//! outcome. The writer takes whatever is queued (up to `max_batch`), records it in one
//! transaction (one fsync), and answers every waiter. Under light load a batch holds one
//! filing and nothing waits; under heavy load batches grow and the fsync cost is shared.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tracing::error;

use crate::declarations::{Filing, Recorded};
use crate::{Store, StoreError, StoreResult};

/// Tuning of the writer.
#[derive(Debug, Clone, Copy)]
pub struct GroupCommitConfig {
    /// Most filings in one transaction.
    pub max_batch: usize,
    /// Queue length before senders wait (back-pressure).
    pub queue: usize,
}

impl Default for GroupCommitConfig {
    fn default() -> Self {
        GroupCommitConfig { max_batch: 512, queue: 8192 }
    }
}

type Reply = oneshot::Sender<Result<Recorded, Arc<StoreError>>>;

/// Handle to the writer task. Cloning is cheap; the task ends when every handle is dropped.
#[derive(Debug, Clone)]
pub struct GroupCommit {
    tx: mpsc::Sender<(Filing, Reply)>,
}

/// Why a filing could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// The transaction failed; nothing of the batch was recorded.
    #[error("the batch was not recorded: {0}")]
    Store(Arc<StoreError>),
    /// The writer stopped (shutdown).
    #[error("the writer has stopped")]
    Stopped,
}

impl GroupCommit {
    /// Starts the writer on a thread of its own with a single-threaded runtime, so that the
    /// serial part of every batch never waits behind request handlers for a worker thread.
    /// Falls back to a task on the current runtime if the thread cannot be started.
    pub fn start(store: Arc<dyn Store>, config: GroupCommitConfig) -> Self {
        let (tx, rx) = mpsc::channel(config.queue);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
        match runtime {
            Ok(rt) => {
                let spawned = std::thread::Builder::new()
                    .name("group-commit".into())
                    .spawn(move || rt.block_on(writer(store, config, rx, Thread::OwnThread)));
                if let Err(e) = spawned {
                    tracing::error!(error = %e, "cannot start the group-commit thread");
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "no runtime for the group-commit thread; writing from a task");
                tokio::spawn(writer(store, config, rx, Thread::Shared));
            }
        }
        GroupCommit { tx }
    }

    /// Records one filing; resolves once its batch is durably committed.
    pub async fn record(&self, filing: Filing) -> Result<Recorded, CommitError> {
        let (reply, wait) = oneshot::channel();
        self.tx.send((filing, reply)).await.map_err(|_| CommitError::Stopped)?;
        match wait.await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => Err(CommitError::Store(e)),
            Err(_) => Err(CommitError::Stopped),
        }
    }
}

/// Where the writer runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Thread {
    /// On a thread of its own, which a batch's transaction may block.
    OwnThread,
    /// As a task among others, which must not be blocked.
    Shared,
}

async fn writer(
    store: Arc<dyn Store>,
    config: GroupCommitConfig,
    mut rx: mpsc::Receiver<(Filing, Reply)>,
    thread: Thread,
) {
    let mut filings = Vec::with_capacity(config.max_batch);
    let mut replies = Vec::with_capacity(config.max_batch);
    let mut queued = Vec::with_capacity(config.max_batch);
    while rx.recv_many(&mut queued, config.max_batch).await > 0 {
        for (f, r) in queued.drain(..) {
            filings.push(f);
            replies.push(r);
        }
        let batch: Arc<[Filing]> = filings.drain(..).collect();
        let here = if thread == Thread::OwnThread { store.record_batch_here(&batch) } else { None };
        let result: StoreResult<Vec<Recorded>> = match here {
            Some(result) => result,
            None => store.record_batch(batch.clone()).await,
        };
        match result {
            Ok(outcomes) => {
                for (reply, outcome) in replies.drain(..).zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(e) if batch.len() > 1 => {
                // The transaction was rolled back whole. One filing the database refuses must
                // not take the others down with it: record each alone and answer each.
                tracing::warn!(error = %e, batch = batch.len(), "a batch failed; recording its filings one by one");
                for (filing, reply) in batch.iter().zip(replies.drain(..)) {
                    let one = store.record_batch(Arc::new([filing.clone()])).await;
                    let _ = reply.send(one.map(|mut r| r.remove(0)).map_err(|e| {
                        error!(error = %e, declaration = %filing.id, "recording a filing failed");
                        Arc::new(e)
                    }));
                }
            }
            Err(e) => {
                error!(error = %e, batch = batch.len(), "recording a batch failed");
                let e = Arc::new(e);
                for reply in replies.drain(..) {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}
