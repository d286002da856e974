//! `smartcustoms admin …`: offices, API tokens and risk profiles, straight in the database.

use anyhow::{anyhow, Context as _};
use rand::RngCore;

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::risk;
use smartcustoms_http::token_hash;
use smartcustoms_storage::NewProfile;

use crate::config::{self, DbArgs};

/// Arguments of `admin`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// Administration subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create or rename a customs office.
    Office {
        /// Eight-character office code.
        code: String,
        /// Office name.
        name: String,
    },
    /// Issue an API token (printed once; only its hash is stored).
    Token {
        /// trader, officer, analyst, admin or warehouse.
        #[arg(long)]
        role: String,
        /// Party id (traders) or facility code (warehouses).
        #[arg(long)]
        party: Option<String>,
        /// Name of the person or system.
        #[arg(long)]
        name: String,
    },
    /// Add a risk profile (new version if the code exists) from a text file.
    Profile {
        /// The profile file.
        file: String,
    },
}

/// Runs an admin command.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    let store = config::open_store(&args.db.resolve()?).await?;
    match args.command {
        AdminCommand::Office { code, name } => {
            store.upsert_office(&code, &name).await?;
            println!("office {code} saved");
        }
        AdminCommand::Token { role, party, name } => {
            let role = Role::parse(&role).ok_or_else(|| anyhow!("unknown role {role:?}"))?;
            if matches!(role, Role::Trader | Role::Warehouse) && party.is_none() {
                return Err(anyhow!("a {} token needs --party", role.as_str()));
            }
            let mut bytes = [0u8; 24];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let token = format!("sc_{}", hex::encode(bytes));
            store.add_token(&token_hash(&token), &Principal { name, role, trader: party.map(TraderId) }).await?;
            println!("{token}");
        }
        AdminCommand::Profile { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?;
            let p = risk::parse_profile(&text, 1).map_err(|e| anyhow!("{file}: {e}"))?;
            let r = store
                .add_profile(&NewProfile {
                    code: p.code,
                    source: text,
                    author: "admin cli".into(),
                    created_at_us: chrono::Utc::now().timestamp_micros(),
                })
                .await?;
            println!("profile {} saved as version {}", r.code, r.version);
        }
    }
    Ok(0)
}
