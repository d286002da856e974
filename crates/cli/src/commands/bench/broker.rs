//! The MQTT broker a benchmark publishes through: one named by `--mqtt-url`, or a Mosquitto the
//! benchmark starts for itself with the settings the README gives for production.

use std::time::Duration;

use anyhow::Context as _;

use smartcustoms_devices::mqtt::MqttSettings;

/// A Mosquitto the benchmark runs for itself; stopped when dropped.
pub(crate) struct OwnBroker {
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl Drop for OwnBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn own_broker() -> anyhow::Result<(OwnBroker, u16)> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let conf = dir.path().join("mosquitto.conf");
    std::fs::write(&conf, broker_config(port, &dir.path().display().to_string()))?;
    let child = std::process::Command::new("mosquitto")
        .arg("-c")
        .arg(&conf)
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("starting mosquitto (Debian package mosquitto)")?;
    std::thread::sleep(Duration::from_millis(300));
    Ok((OwnBroker { child, _dir: dir }, port))
}

/// The broker settings the seal consumer needs at volume (see the README): room for many
/// acknowledgements owed at once (the consumer's flow control), and room to queue what arrives
/// while it is away or behind.
pub fn broker_config(port: u16, persistence_dir: &str) -> String {
    format!(
        "listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location {persistence_dir}/\n\
         max_inflight_messages 8192\nmax_queued_messages 1000000\nmax_queued_bytes 0\n"
    )
}

/// The broker at `url` (`mqtt://host:port`), else one started here: the running broker, if
/// started here, with its host and port.
pub(crate) fn broker(url: Option<&str>) -> anyhow::Result<(Option<OwnBroker>, String, u16)> {
    match url {
        Some(u) => {
            let s = MqttSettings::parse(u, "x").context("--mqtt-url is mqtt://host:port")?;
            Ok((None, s.host, s.port))
        }
        None => {
            let (b, port) = own_broker()?;
            Ok((Some(b), "127.0.0.1".to_string(), port))
        }
    }
}
