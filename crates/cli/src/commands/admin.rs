//! `smartcustoms admin …`: offices, users, API tokens and risk profiles, straight in the
//! database (the operator of the system's own console; every change of who may act is
//! written to the audit log with actor `admin cli`).

use anyhow::{anyhow, Context as _};

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::risk;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_http::identity;
use smartcustoms_storage::{NewProfile, StoreError};

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
        /// trader, officer, analyst, admin, warehouse, bank or member.
        #[arg(long)]
        role: String,
        /// Party id (traders) or facility code (warehouses).
        #[arg(long)]
        party: Option<String>,
        /// Name of the person or system.
        #[arg(long)]
        name: String,
        /// Days until the token stops working (none: until revoked).
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// List API tokens (ids, roles, expiry, revocation; never the tokens).
    Tokens,
    /// Revoke an API token by its id: it stops working on every server within seconds.
    RevokeToken {
        /// The token's id (as `admin tokens` lists it).
        id: String,
    },
    /// Add a person who signs in to the pages. The password is read from the environment
    /// variable SMARTCUSTOMS_PASSWORD, or else from the first line of standard input.
    User {
        /// Sign-in name.
        #[arg(long)]
        name: String,
        /// Name shown on pages (default: the sign-in name).
        #[arg(long)]
        display_name: Option<String>,
        /// trader, officer, analyst, admin or member.
        #[arg(long)]
        role: String,
        /// Party id (traders' staff).
        #[arg(long)]
        party: Option<String>,
    },
    /// Disable a person: no more sign-in, and every open session ends.
    DisableUser {
        /// Sign-in name.
        name: String,
    },
    /// Add a risk profile (new version if the code exists) from a text file.
    Profile {
        /// The profile file.
        file: String,
    },
}

/// Who the audit log names for changes made here.
const ACTOR: &str = "admin cli";

/// The principal of a role, party and name given on the command line.
fn principal(role: &str, party: Option<String>, name: String) -> anyhow::Result<Principal> {
    let role = Role::parse(role).ok_or_else(|| anyhow!("unknown role {role:?}"))?;
    if matches!(role, Role::Trader | Role::Warehouse) && party.is_none() {
        return Err(anyhow!("a {} needs --party", role.as_str()));
    }
    Ok(Principal::new(name, role, party.map(TraderId::new).transpose()?))
}

/// Runs an admin command.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    let store = config::open_store(&args.db.resolve()?).await?;
    match args.command {
        AdminCommand::Office { code, name } => {
            store.upsert_office(&code, &name).await?;
            println!("office {code} saved");
        }
        AdminCommand::Token { role, party, name, expires_in_days } => {
            let principal = principal(&role, party, name)?;
            let token = identity::new_token();
            let mut record = identity::token_record(&token, principal);
            record.expires_at_us = expires_in_days.map(|d| record.issued_at_us + chrono::TimeDelta::days(i64::from(d)));
            let id = store.add_token(&record, ACTOR).await?;
            eprintln!("token {id} issued; it is shown once:");
            println!("{token}");
        }
        AdminCommand::Tokens => {
            for t in store.tokens().await? {
                let state = match (t.revoked_at_us, t.expires_at_us) {
                    (Some(_), _) => "revoked",
                    (None, Some(at)) if at <= Timestamp::now() => "expired",
                    _ => "active",
                };
                println!("{}\t{}\t{}\t{}\t{}", t.id, t.role, t.trader_id.unwrap_or_default(), state, t.name);
            }
        }
        AdminCommand::RevokeToken { id } => {
            store.revoke_token(&id, ACTOR, Timestamp::now()).await.map_err(|e| match e {
                StoreError::NotFound => anyhow!("no token has id {id:?}"),
                e => e.into(),
            })?;
            println!("token {id} revoked");
        }
        AdminCommand::User { name, display_name, role, party } => {
            let principal = principal(&role, party, name.clone())?;
            if principal.role == Role::Warehouse || principal.role == Role::Bank {
                return Err(anyhow!("{role} is a role of machines: issue them an API token"));
            }
            let password = match std::env::var("SMARTCUSTOMS_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            if password.chars().count() < 12 {
                return Err(anyhow!("the password must have at least 12 characters"));
            }
            let hash = identity::hash_password(&password).map_err(|e| anyhow!("hashing the password: {e}"))?;
            let display = display_name.unwrap_or_else(|| name.clone());
            store.add_user(&identity::user_record(&name, &display, &hash, principal), ACTOR).await?;
            println!("user {name} added");
        }
        AdminCommand::DisableUser { name } => {
            store.disable_user(&name, ACTOR, Timestamp::now()).await.map_err(|e| match e {
                StoreError::NotFound => anyhow!("no user is named {name:?}"),
                e => e.into(),
            })?;
            println!("user {name} disabled");
        }
        AdminCommand::Profile { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?;
            let p = risk::parse_profile(&text, 1).map_err(|e| anyhow!("{file}: {e}"))?;
            let r = store
                .add_profile(&NewProfile {
                    code: p.code,
                    source: text,
                    author: "admin cli".into(),
                    created_at_us: Timestamp::now(),
                })
                .await?;
            println!("profile {} saved as version {}", r.code, r.version);
        }
    }
    Ok(0)
}
