//! Operators' tools for money and reference data: `tariff import`, `prices import` and
//! `ledger verify`.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context as _;

use smartcustoms_core::ledger::{self, Account, Amount, Book, Line, Posting, PostingKind};
use smartcustoms_core::tariff;
use smartcustoms_core::valuation;
use smartcustoms_core::workflow::State;
use smartcustoms_http::app::prices;
use smartcustoms_storage::{DeclarationMoney, Store};

use crate::config::{self, DbArgs};

/// Arguments of `tariff`.
#[derive(Debug, clap::Args)]
pub struct TariffArgs {
    #[command(subcommand)]
    pub command: TariffCommand,
}

/// Tariff subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TariffCommand {
    /// Load measures (CSV) or a whole tariff file (JSON) as new versions; nothing is stored
    /// unless the resulting tariff validates.
    Import {
        /// The file (`.csv`: measures; `.json`: measures, groups and rates).
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Runs `tariff import`.
pub async fn tariff(args: TariffArgs) -> anyhow::Result<u8> {
    let TariffCommand::Import { file, db } = args.command;
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let parsed = match tariff::parse_file(&text, &file.to_string_lossy()) {
        Ok(f) => f,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}:{}: {}", file.display(), e.line, e.message);
            }
            return Ok(1);
        }
    };
    let store = config::open_store(&db.resolve()?).await?;
    match smartcustoms_http::app::tariff::apply(store.as_ref(), &parsed, "tariff import").await {
        Ok(change) => {
            println!("{}", serde_json::json!({ "changed": change.changed.len(), "unchanged": change.unchanged }));
            Ok(0)
        }
        Err(smartcustoms_http::app::tariff::TariffError::Invalid(problems)) => {
            for p in problems {
                eprintln!("{}: {p}", file.display());
            }
            Ok(1)
        }
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// Arguments of `prices`.
#[derive(Debug, clap::Args)]
pub struct PricesArgs {
    #[command(subcommand)]
    pub command: PricesCommand,
}

/// Price reference subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PricesCommand {
    /// Add the observations of a KCS customs declaration file (`train.csv`) to the price reference.
    Import {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Runs `prices import`.
pub async fn prices(args: PricesArgs) -> anyhow::Result<u8> {
    let PricesCommand::Import { file, db } = args.command;
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let import = match valuation::parse_kcs_csv(&text) {
        Ok(i) => i,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}:{}: {}", file.display(), e.line, e.message);
            }
            return Ok(1);
        }
    };
    let store = config::open_store(&db.resolve()?).await?;
    store.add_price_observations(&prices::rows_of(&import.observations), None).await?;
    let reference = prices::refresh(store.as_ref()).await?;
    println!(
        "{}",
        serde_json::json!({
            "read": import.read,
            "imported": import.observations.len(),
            "skipped_fraud": import.skipped_fraud,
            "skipped_unknown_hs": import.skipped_unknown_hs,
            "skipped_unknown_origin": import.skipped_unknown_origin,
            "skipped_no_value": import.skipped_no_value,
            "skipped_invalid": import.skipped_invalid,
            "reference_groups": reference.len(),
        })
    );
    Ok(0)
}

/// Arguments of `ledger`.
#[derive(Debug, clap::Args)]
pub struct LedgerArgs {
    #[command(subcommand)]
    pub command: LedgerCommand,
}

/// Ledger subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum LedgerCommand {
    /// Replay every posting: each stored balance must equal the sum of its lines, no balance
    /// may ever have gone below zero, the balance sheet must balance, and every declaration's
    /// reservations must match its duties and state. Exit 1 with the discrepancies.
    Verify(DbArgs),
}

/// Runs `ledger verify`.
pub async fn ledger(args: LedgerArgs) -> anyhow::Result<u8> {
    let LedgerCommand::Verify(db) = args.command;
    let store = config::open_store(&db.resolve()?).await?;
    let report = verify(store.as_ref()).await?;
    println!("{report}");
    Ok(if report["status"] == "ok" { 0 } else { 1 })
}

/// The verification report (JSON).
pub async fn verify(store: &dyn Store) -> anyhow::Result<serde_json::Value> {
    let mut book = Book::default();
    let mut problems: Vec<ledger::Discrepancy> = Vec::new();
    let (mut postings, mut lines, mut after) = (0u64, 0u64, 0i64);
    loop {
        let page = store.ledger_lines(after, 10_000).await?;
        if page.is_empty() {
            break;
        }
        for group in page.chunk_by(|a, b| a.posting_id == b.posting_id) {
            postings += 1;
            lines += group.len() as u64;
            after = group[0].posting_id;
            match replay(group) {
                Ok(posting) => {
                    if let Err(overdraft) = book.apply(&posting) {
                        problems.push(ledger::Discrepancy {
                            account: overdraft.account.clone(),
                            problem: format!("posting {after} takes it below zero: {overdraft}"),
                        });
                    }
                }
                Err(problem) => problems.push(ledger::Discrepancy { account: format!("posting/{after}"), problem }),
            }
        }
    }
    let derived: HashMap<String, i64> = book.balances().map(|(a, b)| (a.key(), b.cents())).collect();
    let stored = store.ledger_balances().await?;
    problems.extend(ledger::verify(&derived, stored.iter().map(|(k, v)| (k.as_str(), *v))));
    let declarations = store.declaration_money().await?;
    problems.extend(declarations.iter().filter_map(declaration_problem));
    Ok(serde_json::json!({
        "status": if problems.is_empty() { "ok" } else { "discrepancies" },
        "postings": postings,
        "lines": lines,
        "accounts": derived.len(),
        "declarations": declarations.len(),
        "discrepancies": problems,
    }))
}

/// A stored posting rebuilt from its lines (the kind only labels it; the lines are the money).
fn replay(group: &[smartcustoms_storage::StoredLine]) -> Result<Posting, String> {
    let kind = PostingKind::parse(&group[0].kind).ok_or_else(|| format!("unknown kind {:?}", group[0].kind))?;
    let account = |k: &str| Account::parse(k).ok_or_else(|| format!("unknown account {k:?}"));
    let lines = group
        .iter()
        .map(|l| {
            if l.amount_cents <= 0 {
                return Err(format!("line of {} cents", l.amount_cents));
            }
            Ok(Line {
                debit: account(&l.debit)?,
                credit: account(&l.credit)?,
                amount: Amount::from_cents(l.amount_cents),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let trader = lines
        .iter()
        .find_map(|l| l.debit.trader().or(l.credit.trader()).cloned())
        .ok_or_else(|| format!("posting {} moves no trader's account", group[0].posting_id))?;
    Ok(Posting { kind, trader, declaration: None, reference: None, lines })
}

/// What a declaration's ledger entries must be, given its state: nothing reserved before
/// registration; the duties reserved once registered; debited in full on release; given back
/// in full when refused after registration.
fn declaration_problem(d: &DeclarationMoney) -> Option<ledger::Discrepancy> {
    let duties = d.duties_cents.unwrap_or(0);
    let open = d.reserved - d.debited - d.released;
    let ok = match d.state {
        State::Submitted | State::AwaitingPayment => d.reserved == 0,
        State::Registered | State::UnderControl => d.reserved == duties && open == duties,
        State::Released => d.reserved == duties && d.debited == duties && open == 0,
        State::Refused => open == 0 && d.debited == 0,
    };
    (!ok).then(|| ledger::Discrepancy {
        account: format!("declaration/{}", d.id),
        problem: format!(
            "state {} with duties {} but reserved {}, debited {}, released {}",
            d.state.as_str(),
            Amount::from_cents(duties),
            Amount::from_cents(d.reserved),
            Amount::from_cents(d.debited),
            Amount::from_cents(d.released)
        ),
    })
}
