//! `smartcustoms keygen`: an Ed25519 key pair for signing declarations.

use anyhow::Context as _;
use ed25519_dalek::SigningKey;

use smartcustoms_core::signature;

/// Arguments of `keygen`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Path prefix: writes PREFIX.key (secret, mode 0600) and PREFIX.pub.
    #[arg(long, default_value = "declarant")]
    pub out: String,
}

/// Writes the key pair and prints the public key and key id.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let secret_path = format!("{}.key", args.out);
    let public_path = format!("{}.pub", args.out);
    write_secret(&secret_path, &signature::encode_secret_key(&key))?;
    let public = signature::encode_public_key(&key.verifying_key());
    std::fs::write(&public_path, format!("{public}\n")).with_context(|| format!("writing {public_path}"))?;
    println!("secret key: {secret_path} (keep it private)");
    println!("public key: {public_path}: {public}");
    println!("key id:     {}", signature::key_id(&key.verifying_key()));
    println!("register it: POST /api/v1/keys {{\"public_key\":\"{public}\"}}");
    Ok(0)
}

fn write_secret(path: &str, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    let mut file = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
    }
    .with_context(|| format!("creating {path} (it must not exist yet)"))?;
    #[cfg(not(unix))]
    let mut file = std::fs::File::create_new(path).with_context(|| format!("creating {path}"))?;
    writeln!(file, "{text}").with_context(|| format!("writing {path}"))?;
    Ok(())
}
