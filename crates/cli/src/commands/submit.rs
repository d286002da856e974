//! `smartcustoms submit --key KEY FILE --server URL`: sign the exact bytes of a declaration
//! file with a detached JWS and file it.

use anyhow::{bail, Context as _};

use smartcustoms_core::signature;

/// Arguments of `submit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The declaration JSON file (sent byte for byte as signed).
    pub file: String,
    /// Secret key file written by `smartcustoms keygen`.
    #[arg(long)]
    pub key: String,
    /// Server base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// API token of the declarant.
    #[arg(long, env = "SMARTCUSTOMS_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Idempotency key: resubmitting with the same key never files twice (default: file's SHA-256).
    #[arg(long)]
    pub idempotency_key: Option<String>,
}

/// Signs, submits, prints the answer; exit 1 when refused or rejected.
pub async fn run(args: Args) -> anyhow::Result<u8> {
    let body = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file))?;
    let secret = std::fs::read_to_string(&args.key).with_context(|| format!("reading {}", args.key))?;
    let Some(key) = signature::decode_secret_key(&secret) else { bail!("{} is not a key written by keygen", args.key) };
    let jws = signature::sign_detached(&key, &body);
    let idempotency_key = args.idempotency_key.unwrap_or_else(|| {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&body))
    });
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/declarations", args.server.trim_end_matches('/')))
        .bearer_auth(&args.token)
        .header("content-type", "application/json")
        .header("x-jws-signature", jws)
        .header("idempotency-key", idempotency_key)
        .body(body)
        .send()
        .await
        .with_context(|| format!("connecting to {}", args.server))?;
    let status = response.status();
    let answer: serde_json::Value = response.json().await.context("reading the answer")?;
    println!("{}", serde_json::to_string_pretty(&answer)?);
    let refused = answer.get("state").and_then(|s| s.as_str()) == Some("refused");
    Ok(if status.is_success() && !refused { 0 } else { 1 })
}
