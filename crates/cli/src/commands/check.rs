//! `smartcustoms check FILE.json`: format-logical control offline, for brokers before filing.

use anyhow::Context as _;
use chrono::NaiveDate;

use smartcustoms_core::declaration::DeclarationDoc;
use smartcustoms_core::flc::{self, Finding};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The declaration JSON file.
    #[arg(required_unless_present = "list_rules")]
    pub file: Option<String>,
    /// Check dates as if today were this day (default: today, UTC).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// Office codes to accept (default: any well-formed code).
    #[arg(long, value_delimiter = ',', value_parser = smartcustoms_core::ids::OfficeCode::parse)]
    pub offices: Vec<smartcustoms_core::ids::OfficeCode>,
    /// Print findings as JSON.
    #[arg(long)]
    pub json: bool,
    /// List every FLC rule and exit.
    #[arg(long)]
    pub list_rules: bool,
}

/// Reads a declaration file into the wire type; a JSON or type error becomes one finding.
pub fn read_document(bytes: &[u8]) -> Result<DeclarationDoc, Finding> {
    DeclarationDoc::from_json(bytes).map_err(|e| Finding {
        code: if e.syntax { "REQ_001" } else { "REQ_002" }.into(),
        path: e.path,
        message: e.message,
        args: Default::default(),
    })
}

/// Runs the check; exit code 0 when clean, 1 with findings.
pub fn run(args: Args) -> anyhow::Result<u8> {
    if args.list_rules {
        for r in flc::rules() {
            println!("{}  {}  {}", r.code, r.name, r.description);
        }
        return Ok(0);
    }
    let path = args.file.unwrap_or_default();
    let bytes = std::fs::read(&path).with_context(|| format!("reading {path}"))?;
    let today = args.today.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let findings = match read_document(&bytes) {
        Ok(doc) => flc::check(&doc, &flc::Context { today, offices: args.offices.into() }).err().unwrap_or_default(),
        Err(f) => vec![f],
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&findings)?);
    } else if findings.is_empty() {
        println!("{path}: no findings; the declaration passes format-logical control");
    } else {
        println!("{path}: {} finding(s)", findings.len());
        for f in &findings {
            println!("{}  {}  {}", f.code, f.path, f.message);
        }
    }
    Ok(if findings.is_empty() { 0 } else { 1 })
}
