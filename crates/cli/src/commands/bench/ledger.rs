//! `smartcustoms bench ledger`: reservations per second under concurrency, on one hot account
//! (every client reserving from the same trader) and across many accounts, through the same
//! batching a server uses: clients queue requests, one writer commits up to 512 per transaction.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use tokio::sync::{mpsc, oneshot};

use smartcustoms_core::ids::TraderId;
use smartcustoms_core::ledger::{Account, Amount, Overdraft};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_storage::{ReservationRequest, Store};

use super::{round1, LedgerArgs};
use crate::demo;

type Job = (ReservationRequest, oneshot::Sender<Result<i64, Overdraft>>);

/// Most reservations committed in one transaction.
const MAX_BATCH: usize = 512;

/// Runs the benchmark and prints one JSON line.
pub async fn run(a: LedgerArgs) -> anyhow::Result<u8> {
    if a.reservations == 0 || a.concurrency == 0 || a.accounts == 0 {
        bail!("--reservations, --concurrency and --accounts must be at least 1");
    }
    let tmp = tempfile::tempdir().context("creating a temporary directory")?;
    let url = a.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", tmp.path().join("ledger.db").display()));
    let store = smartcustoms_storage::open(&url).await.context("opening the database")?;
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let amount = Amount::from_cents(100);

    // One hot account holding money for half the reservations: the other half must be refused.
    let hot = format!("HOT-{run_id}");
    let hot_funds = (a.reservations / 2) as i64 * amount.cents();
    demo::deposit(store.as_ref(), &hot, hot_funds, &format!("BENCH-{hot}")).await?;
    let hot_id = TraderId::new(hot.clone())?;
    let hot_name = hot_id.clone();
    let (hot_elapsed, hot_granted) =
        reserve(&store, a.reservations, a.concurrency, move |_| hot_name.clone(), amount).await?;

    // Many accounts, each with enough money.
    let traders: Vec<TraderId> =
        (0..a.accounts).map(|i| TraderId::new(format!("ACC-{run_id}-{i}"))).collect::<Result<_, _>>()?;
    let per_account = (a.reservations / a.accounts + 1) as i64 * amount.cents();
    for t in &traders {
        demo::deposit(store.as_ref(), t.as_str(), per_account, &format!("BENCH-{t}")).await?;
    }
    let traders = Arc::new(traders);
    let pick = {
        let traders = traders.clone();
        move |i: usize| traders[i % traders.len()].clone()
    };
    let (many_elapsed, many_granted) = reserve(&store, a.reservations, a.concurrency, pick, amount).await?;

    // Overdrafts: money reserved beyond what was paid in, on any account of the run.
    let balances = store.ledger_balances().await?;
    let negative = balances.iter().filter(|(_, cents)| *cents < 0).count();
    let hot_excess = hot_granted.saturating_sub(a.reservations / 2);
    let reserved_hot =
        balances.iter().find(|(k, _)| *k == Account::Reserved(hot_id.clone()).key()).map(|(_, c)| *c).unwrap_or(0);
    let overdrafts = negative + hot_excess + usize::from(reserved_hot > hot_funds);
    let line = serde_json::json!({
        "backend": store.backend(),
        "reservations": a.reservations,
        "concurrency": a.concurrency,
        "accounts": a.accounts,
        "hot_account_per_s": round1(a.reservations as f64 / hot_elapsed.as_secs_f64()),
        "hot_account_granted": hot_granted,
        "hot_account_refused": a.reservations - hot_granted,
        "many_accounts_per_s": round1(a.reservations as f64 / many_elapsed.as_secs_f64()),
        "many_accounts_granted": many_granted,
        "overdrafts": overdrafts,
    });
    println!("{line}");
    Ok(if overdrafts == 0 && hot_granted == a.reservations / 2 && many_granted == a.reservations { 0 } else { 1 })
}

/// `n` reservations of `amount` from `concurrency` clients; the trader of reservation `i` is
/// `trader(i)`. Returns the time taken and how many were granted.
async fn reserve(
    store: &Arc<dyn Store>,
    n: usize,
    concurrency: usize,
    trader: impl Fn(usize) -> TraderId + Send + Sync + 'static,
    amount: Amount,
) -> anyhow::Result<(Duration, usize)> {
    let (tx, rx) = mpsc::channel::<Job>(MAX_BATCH * 4);
    let writer = tokio::spawn(write_batches(store.clone(), rx));
    let trader = Arc::new(trader);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..concurrency {
        let (tx, trader, next) = (tx.clone(), trader.clone(), next.clone());
        clients.push(tokio::spawn(async move {
            let mut granted = 0usize;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let request = ReservationRequest {
                    trader: trader(i),
                    reference: format!("bench-{i}"),
                    amount,
                    at_us: Timestamp::now(),
                };
                let (answer_tx, answer_rx) = oneshot::channel();
                if tx.send((request, answer_tx)).await.is_err() {
                    break;
                }
                granted += usize::from(matches!(answer_rx.await, Ok(Ok(_))));
            }
            granted
        }));
    }
    drop(tx);
    let mut granted = 0;
    for c in clients {
        granted += c.await?;
    }
    let elapsed = start.elapsed();
    writer.await??;
    Ok((elapsed, granted))
}

/// Commits queued reservations, up to `MAX_BATCH` per transaction, and answers each client.
async fn write_batches(store: Arc<dyn Store>, mut rx: mpsc::Receiver<Job>) -> anyhow::Result<()> {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let (requests, answers): (Vec<ReservationRequest>, Vec<_>) = jobs.drain(..).unzip();
        let results = store.reserve_batch(&requests).await?;
        for (answer, result) in answers.into_iter().zip(results) {
            let _ = answer.send(result);
        }
    }
    Ok(())
}
