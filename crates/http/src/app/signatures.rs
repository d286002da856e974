//! Verifying the filings' signatures together. Checking an Ed25519 signature is the largest
//! single cost of a filing; checking many in one multiscalar multiplication costs about half as
//! much each from 16 on. Every filing hashes what it signs where it is read and queues the
//! check; one task verifies what waits as a batch and answers each. The answer is the one the
//! signature gets checked alone ([`smartcustoms_core::signature::verify_all`]), so a batch only
//! changes the cost. Under little load a check waits only for the task's turn and is verified
//! alone.

use std::sync::Arc;

use prometheus::Histogram;
use tokio::sync::oneshot;

use smartcustoms_core::signature::{self, Check, SignatureError};

use super::together::{Answering, Together};

/// Most signatures verified in one batch: beyond it the batch gets no cheaper per signature and
/// its answers come later.
const MOST_PER_BATCH: usize = 64;

type Answer = Result<(), SignatureError>;

/// The checks waiting for the next batch.
#[derive(Debug)]
pub struct Signatures {
    waiting: Arc<Together<(Check, oneshot::Sender<Answer>)>>,
    /// Signatures per batch verified.
    batch_sizes: Histogram,
}

impl Signatures {
    /// A queue that records the size of each batch in `batch_sizes`.
    pub fn new(batch_sizes: Histogram) -> Self {
        Signatures { waiting: Arc::default(), batch_sizes }
    }

    /// Verifies `check` with whatever other checks wait at the same time.
    pub async fn verify(&self, check: Check) -> Answer {
        let (reply, answer) = oneshot::channel();
        if let Some(answering) = self.waiting.queue((check.clone(), reply)) {
            tokio::spawn(verify_waiting(answering, self.batch_sizes.clone()));
        }
        // The answering task ends only with the runtime; a check it dropped is verified here.
        match answer.await {
            Ok(answer) => answer,
            Err(_) => check.verify(),
        }
    }
}

/// Verifies the waiting checks, a batch at a time, until none is left.
async fn verify_waiting(mut answering: Answering<(Check, oneshot::Sender<Answer>)>, batch_sizes: Histogram) {
    loop {
        // Let the requests that are ready to run reach their signature first: a yielded task
        // runs again after the tasks already waiting for the worker. It yields again while the
        // queue still grows (at most four times), so one batch takes the checks of every filing
        // that came in together.
        let mut seen = 0;
        for _ in 0..4 {
            tokio::task::yield_now().await;
            let now = answering.waiting();
            if now == seen || now >= MOST_PER_BATCH {
                break;
            }
            seen = now;
        }
        let Some(batch) = answering.take(MOST_PER_BATCH) else { break };
        batch_sizes.observe(batch.len() as f64);
        let (checks, replies): (Vec<Check>, Vec<_>) = batch.into_iter().unzip();
        for (reply, answer) in replies.into_iter().zip(signature::verify_all(checks)) {
            let _ = reply.send(answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use smartcustoms_core::signature::{sign_detached, DetachedJws};

    fn histogram() -> Histogram {
        let opts = prometheus::HistogramOpts::new("batch", "batch").buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]);
        Histogram::with_opts(opts).unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test(flavor = "current_thread")]
    async fn filings_that_come_in_together_are_verified_in_one_batch_with_their_own_answers() {
        let signatures = Arc::new(Signatures::new(histogram()));
        let mut tasks = Vec::new();
        for i in 0..40u8 {
            let signatures = signatures.clone();
            tasks.push(tokio::spawn(async move {
                let key = SigningKey::from_bytes(&[i % 5 + 1; 32]);
                let payload = format!("{{\"n\":{i}}}");
                let jws = DetachedJws::parse(&sign_detached(&key, payload.as_bytes())).map_err(|e| e.to_string())?;
                // Every seventh is checked over other bytes than were signed.
                let checked = if i % 7 == 3 { format!("{{\"n\":{}}}", i + 1) } else { payload };
                Ok::<_, String>((i, signatures.verify(jws.check(checked.as_bytes(), &key.verifying_key())).await))
            }));
        }
        for task in tasks {
            let (i, answer) = task.await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|e| panic!("{e}"));
            let expected = if i % 7 == 3 { Err(SignatureError::Invalid) } else { Ok(()) };
            assert_eq!(answer, expected, "filing {i}");
        }
        let sizes = &signatures.batch_sizes;
        assert_eq!((sizes.get_sample_count(), sizes.get_sample_sum()), (1, 40.0), "one batch of all forty");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_check_alone_is_answered_alone() {
        let signatures = Signatures::new(histogram());
        let key = SigningKey::from_bytes(&[9; 32]);
        let jws = DetachedJws::parse(&sign_detached(&key, b"{}")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(signatures.verify(jws.check(b"{}", &key.verifying_key())).await, Ok(()));
        assert_eq!(signatures.verify(jws.check(b"{ }", &key.verifying_key())).await, Err(SignatureError::Invalid));
        assert_eq!(signatures.batch_sizes.get_sample_sum(), 2.0);
        assert_eq!(signatures.batch_sizes.get_sample_count(), 2);
    }
}
