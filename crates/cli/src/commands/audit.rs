//! `smartcustoms audit verify`: recompute the hash chain of the audit log.

use smartcustoms_core::audit::Verifier;

use crate::config::{self, DbArgs};

/// Arguments of `audit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: AuditCommand,
}

/// Audit subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Recompute the chain; report the first broken link (exit 1) or the number of entries.
    Verify(DbArgs),
}

/// Runs `audit verify`.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    let AuditCommand::Verify(db) = args.command;
    let store = config::open_store(&db.resolve()?).await?;
    let mut verifier = Verifier::default();
    loop {
        let page = store.audit_page(verifier.verified(), 10_000).await?;
        if page.is_empty() {
            break;
        }
        for entry in &page {
            if let Err(broken) = verifier.check(entry) {
                println!("{}", serde_json::json!({ "status": "broken", "seq": broken.seq, "reason": broken.reason }));
                return Ok(1);
            }
        }
    }
    println!("{}", serde_json::json!({ "status": "ok", "entries": verifier.verified() }));
    Ok(0)
}
