//! Finding the pre-arrival records that announce a means of transport, for many filings at
//! once. Every declaration naming its means of transport looks for the pre-arrival information
//! announcing it; under load those lookups queue while one query runs and the next query answers
//! all of them, so the database sees one round trip for many filings instead of one each. The
//! answer is the same as a lookup of its own would give: nothing is cached between queries. A
//! backend that answers on the calling thread without waiting (SQLite) is asked directly.

use std::sync::Arc;

use tokio::sync::oneshot;

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{PreArrivalRecord, Store, StoreError, PRE_ARRIVALS_PER_MEANS};

use super::together::{Answering, Together};

/// Most lookups answered by one query.
const MOST_PER_QUERY: usize = 64;

type Answer = Result<Vec<PreArrivalRecord>, StoreError>;

/// The lookups waiting for the next query.
#[derive(Debug, Default)]
pub struct Announced {
    waiting: Arc<Together<Lookup>>,
}

struct Lookup {
    means: String,
    from: Timestamp,
    to: Timestamp,
    reply: oneshot::Sender<Answer>,
}

impl Announced {
    /// The records announcing `means` to arrive between `from` and `to`, in order of expected
    /// arrival (at most [`PRE_ARRIVALS_PER_MEANS`]), as [`Store::pre_arrivals_of_means`] gives them.
    pub async fn find(
        &self,
        store: &Arc<dyn Store>,
        means: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<PreArrivalRecord>, StoreError> {
        // A backend that answers at once is asked at once: queueing the lookup for the answering
        // task would only add the wait for that task's turn on a worker.
        if let Some(found) = store.pre_arrivals_here(means, from, to) {
            return found;
        }
        self.find_together(store, means, from, to).await
    }

    /// [`Announced::find`] through the queue, answered by the next query for all that wait.
    async fn find_together(
        &self,
        store: &Arc<dyn Store>,
        means: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<PreArrivalRecord>, StoreError> {
        let (reply, answer) = oneshot::channel();
        if let Some(answering) = self.waiting.queue(Lookup { means: means.to_string(), from, to, reply }) {
            tokio::spawn(answer_all(answering, store.clone()));
        }
        answer.await.map_err(|_| StoreError::Internal("the pre-arrival lookup was dropped".into()))?
    }
}

/// Answers the waiting lookups, a query at a time, until none is left.
async fn answer_all(mut answering: Answering<Lookup>, store: Arc<dyn Store>) {
    while let Some(lookups) = answering.take(MOST_PER_QUERY) {
        answer(store.as_ref(), lookups).await;
    }
}

/// One query for `lookups`, over the window that covers all of theirs; each gets the records
/// of its means within its own window.
async fn answer(store: &dyn Store, lookups: Vec<Lookup>) {
    let (Some(from), Some(to)) = (lookups.iter().map(|l| l.from).min(), lookups.iter().map(|l| l.to).max()) else {
        return;
    };
    let mut means: Vec<&str> = lookups.iter().map(|l| l.means.as_str()).collect();
    means.sort_unstable();
    means.dedup();
    match store.pre_arrivals_of_many_means(&means, from, to).await {
        Ok(found) => {
            for l in lookups {
                let mine = found
                    .iter()
                    .filter(|r| r.means_id == l.means && (l.from..=l.to).contains(&r.expected_arrival_at_us))
                    .take(PRE_ARRIVALS_PER_MEANS)
                    .cloned()
                    .collect();
                let _ = l.reply.send(Ok(mine));
            }
        }
        Err(e) => {
            let message = e.to_string();
            for l in lookups {
                let _ = l.reply.send(Err(StoreError::Internal(message.clone())));
            }
        }
    }
}

#[cfg(test)]
#[path = "announced_tests.rs"]
mod tests;
