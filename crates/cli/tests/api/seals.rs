//! Navigation seals: reports over HTTP checked against the movement (a deviation raised once
//! and ended, duplicates, impossible jumps, malformed reports, unknown seals, the wrong
//! caller); a replayed buffer after a signal loss raising no false deviation; reports over MQTT
//! through the real broker with alerts on NATS; and a broker restarted mid-journey losing and
//! duplicating nothing.

use std::time::Duration;

use serde_json::{json, Value};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_http::HttpConfig;
use smartcustoms_testkit::{all_dbs, spawn_app, spawn_app_with, sqlite_db, TestApp};

use crate::transit::{file_transit, transit_doc, ROUTE};

/// Device time of report `n` of a journey that began two hours ago: one every two minutes.
fn device_time(n: u32) -> String {
    let start = Timestamp::now().as_micros() - 2 * 3_600_000_000;
    Timestamp::from_micros(start + i64::from(n) * 120_000_000).rfc3339()
}

/// Report `n` on the route from Hamburg towards Berlin (about 2.5 km every two minutes),
/// `north` degrees of latitude off it.
pub fn report(n: u32, north: f64) -> Value {
    let f = f64::from(n) * 0.01;
    let (a, b) = (ROUTE[0], ROUTE[1]);
    json!({
        "seq": n, "time": device_time(n), "lat": a.0 + (b.0 - a.0) * f + north, "lon": a.1 + (b.1 - a.1) * f,
        "battery": 80.0, "state": "closed", "events": []
    })
}

pub async fn send(app: &TestApp, token: &str, seal: &str, body: &Value) -> (u16, Value) {
    app.post(&format!("/api/v1/seals/{seal}/reports"), token, body).await
}

/// Files an accepted transit under `seals` and returns its id.
pub async fn sealed_transit(app: &TestApp, lrn: &str, seals: &[&str]) -> String {
    let doc = transit_doc(app, 0, lrn, "10000.00", seals, json!({ "kind": "account" }));
    let (s, t) = file_transit(app, 0, &doc, true).await;
    assert_eq!((s, t["state"].as_str()), (201, Some("accepted")), "{t}");
    t["id"].as_str().unwrap().to_string()
}

async fn alerts(app: &TestApp, transit: &str) -> Vec<Value> {
    let (s, a) = app.get(&format!("/api/v1/transits/{transit}/alerts"), Some(&app.officer_token)).await;
    assert_eq!(s, 200, "{a}");
    a.as_array().unwrap().clone()
}

#[tokio::test]
async fn seal_reports_over_http_raise_a_deviation_once_and_bad_reports_are_refused() {
    for (backend, db) in all_dbs("seal reports").await {
        let app = spawn_app(&db.url).await;
        let transit = sealed_transit(&app, "LRN-SEAL-1", &["NS-77"]).await;
        for n in 1..=5 {
            let (s, r) = send(&app, "test-device", "NS-77", &report(n, 0.0)).await;
            assert_eq!((s, r["verdict"].as_str()), (202, Some("accepted")), "{backend}: {r}");
            assert_eq!(r["changes"], json!([]), "{backend}: {r}");
        }
        let (_, r) = send(&app, "test-device", "NS-77", &report(6, 0.04)).await;
        assert_eq!(r["changes"][0]["kind"], "deviation", "{backend}: 4 km off a 2 km corridor: {r}");
        let (_, r) = send(&app, "test-device", "NS-77", &report(7, 0.0)).await;
        assert_eq!(r["changes"][0]["closed_by"], 7, "{backend}: back in the corridor: {r}");
        let (s, r) = send(&app, "test-device", "NS-77", &report(7, 0.0)).await;
        assert_eq!((s, r["verdict"].as_str()), (202, Some("duplicate")), "{backend}: {r}");
        let mut far = report(8, 0.0);
        far["lat"] = json!(48.1);
        let (s, r) = send(&app, "test-device", "NS-77", &far).await;
        assert_eq!(
            (s, r["verdict"].as_str(), r["problems"][0]["code"].as_str()),
            (202, Some("rejected"), Some("SEAL_020")),
            "{backend}: {r}"
        );

        let (s, e) = send(&app, "test-device", "NS-77", &json!({ "seq": -1, "lat": 95, "state": "ajar" })).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("DEV_001")), "{backend}: {e}");
        let codes: Vec<&str> =
            e["error"]["details"]["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect();
        for code in ["SEAL_002", "SEAL_003", "SEAL_005", "SEAL_008"] {
            assert!(codes.contains(&code), "{backend}: {code} in {codes:?}");
        }
        let (s, e) = send(&app, "test-device", "NS-404", &report(1, 0.0)).await;
        assert_eq!((s, e["error"]["code"].as_str()), (404, Some("DEV_002")), "{backend}: {e}");
        assert_eq!(send(&app, "test-device", "ns 1", &report(1, 0.0)).await.0, 400, "{backend}");
        assert_eq!(send(&app, &app.officer_token, "NS-77", &report(9, 0.0)).await.0, 403, "{backend}");

        let found = alerts(&app, &transit).await;
        assert_eq!(found.len(), 1, "{backend}: {found:?}");
        assert_eq!(
            (found[0]["kind"].as_str(), found[0]["opened_by"].as_i64(), found[0]["closed_by"].as_i64()),
            (Some("deviation"), Some(6), Some(7)),
            "{backend}"
        );
        let (_, track) = app.get(&format!("/api/v1/transits/{transit}/track"), Some(&app.traders[0].token)).await;
        assert_eq!(
            track.as_array().unwrap().len(),
            8,
            "{backend}: each seq once, the rejected one with its verdict: {track}"
        );
        assert_eq!(
            app.get(&format!("/api/v1/transits/{transit}/alerts"), Some(&app.traders[1].token)).await.0,
            404,
            "{backend}"
        );
        let (_, open) = app.get("/api/v1/alerts", Some(&app.officer_token)).await;
        assert_eq!(open, json!([]), "{backend}: nothing open");

        // A new server process on the same database rebuilds the seal's monitor from the stored
        // reports: the next report raises nothing twice.
        let again = spawn_app_on_same_db(&db.url).await;
        let r = again
            .post(&format!("{}/api/v1/seals/NS-77/reports", again.base_url()), "test-device", &report(9, 0.0))
            .await;
        assert_eq!((r.0, r.1["changes"].clone()), (202, json!([])), "{backend}: {}", r.1);
        assert_eq!(alerts(&app, &transit).await.len(), 1, "{backend}");
    }
}

#[tokio::test]
async fn reports_are_placed_together_leave_the_log_and_a_restart_rebuilds_from_both() {
    for (backend, db) in all_dbs("seal log").await {
        let app = spawn_app(&db.url).await;
        let transit = sealed_transit(&app, "LRN-SEAL-LOG", &["NS-60", "NS-61"]).await;
        for n in 1..=20 {
            for seal in ["NS-60", "NS-61"] {
                let north = if seal == "NS-61" && n == 18 { 0.04 } else { 0.0 };
                let (s, r) = send(&app, "test-device", seal, &report(n, north)).await;
                assert_eq!((s, r["verdict"].as_str()), (202, Some("accepted")), "{backend}: {r}");
            }
        }
        // Each seal places its reports by its share of sixteen; once the log is trimmed it
        // holds what each has not placed yet.
        let expected_left: usize = ["NS-60", "NS-61"]
            .iter()
            .map(|s| {
                let (together, _) = smartcustoms_http::app::seals::placing_shares(s);
                assert!((8..=16).contains(&together), "{s}: {together}");
                20 % together
            })
            .sum();
        let mut left = usize::MAX;
        for _ in 0..50 {
            left = app.state.store.seal_log().await.unwrap().len();
            if left == expected_left {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(left, expected_left, "{backend}: the placed reports left the log");
        let (_, track) = app.get(&format!("/api/v1/transits/{transit}/track"), Some(&app.officer_token)).await;
        let mut seen: Vec<(String, i64)> = track
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["seal_id"].as_str().unwrap().to_string(), r["seq"].as_i64().unwrap()))
            .collect();
        seen.sort();
        let expected: Vec<(String, i64)> =
            ["NS-60", "NS-61"].iter().flat_map(|s| (1..=20).map(move |n| (s.to_string(), n))).collect();
        assert_eq!(seen, expected, "{backend}: every report once, placed or logged");
        let raised = alerts(&app, &transit).await;
        assert_eq!(raised.len(), 1, "{backend}: {raised:?}");

        // Another process rebuilds both monitors from the placed and the logged reports: a
        // report sent again is a duplicate, the deviation is not raised twice and ends.
        let again = spawn_app_on_same_db(&db.url).await;
        let url = format!("{}/api/v1/seals/NS-61/reports", again.base_url());
        let (s, r) = again.post(&url, "test-device", &report(19, 0.0)).await;
        assert_eq!((s, r["verdict"].as_str()), (202, Some("duplicate")), "{backend}: {r}");
        let (s, r) = again.post(&url, "test-device", &report(21, 0.0)).await;
        assert_eq!((s, r["changes"].as_array().map(Vec::len)), (202, Some(0)), "{backend}: {r}");
        let url = format!("{}/api/v1/seals/NS-60/reports", again.base_url());
        let (s, r) = again.post(&url, "test-device", &report(3, 0.0)).await;
        assert_eq!((s, r["verdict"].as_str()), (202, Some("duplicate")), "{backend}: a placed report: {r}");
        assert_eq!(alerts(&app, &transit).await.len(), 1, "{backend}");
    }
}

/// A second server on a seeded database (another process of the deployment).
struct Other {
    base: String,
    client: reqwest::Client,
}

impl Other {
    fn base_url(&self) -> &str {
        &self.base
    }

    async fn post(&self, url: &str, token: &str, body: &Value) -> (u16, Value) {
        let r = self.client.post(url).bearer_auth(token).json(body).send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or_default())
    }
}

async fn spawn_app_on_same_db(url: &str) -> Other {
    Other { base: smartcustoms_testkit::another_server(url).await, client: reqwest::Client::new() }
}

#[tokio::test]
async fn a_buffer_replayed_after_a_signal_loss_raises_no_false_deviation() {
    let db = sqlite_db();
    let config = HttpConfig { seal_period: Duration::from_secs(1), ..HttpConfig::default() };
    let app = spawn_app_with(&db.url, config).await;
    let transit = sealed_transit(&app, "LRN-TUNNEL", &["NS-88"]).await;
    for n in 1..=3 {
        assert_eq!(send(&app, "test-device", "NS-88", &report(n, 0.0)).await.0, 202);
    }
    // A tunnel: nothing heard for more than two periods.
    let lost = async {
        for _ in 0..100 {
            if alerts(&app, &transit).await.iter().any(|a| a["kind"] == "signal_lost") {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    };
    assert!(lost.await, "signal_lost is raised after two silent periods");
    // Out of the tunnel the live fix comes first, then the buffer, all on the route.
    let (_, r) = send(&app, "test-device", "NS-88", &report(9, 0.0)).await;
    assert!(
        r["changes"].as_array().unwrap().iter().any(|c| c["kind"] == "signal_lost" && c["closed_at_us"].is_i64()),
        "{r}"
    );
    for n in 4..=8 {
        let (s, r) = send(&app, "test-device", "NS-88", &report(n, 0.0)).await;
        assert_eq!((s, r["verdict"].as_str()), (202, Some("late")), "{r}");
    }
    let kinds: Vec<String> =
        alerts(&app, &transit).await.iter().map(|a| a["kind"].as_str().unwrap().to_string()).collect();
    assert!(
        !kinds.iter().any(|k| k == "deviation" || k == "stop"),
        "no false alert from the replayed buffer: {kinds:?}"
    );
    let lost: Vec<Value> = alerts(&app, &transit).await.into_iter().filter(|a| a["kind"] == "signal_lost").collect();
    assert_eq!(lost.len(), 1, "one loss, raised once: {lost:?}");
}

/// The broker the tests publish through: `MQTT_URL`, else Mosquitto on 127.0.0.1:1883.
pub fn broker() -> (String, u16) {
    let url = std::env::var("MQTT_URL").unwrap_or_else(|_| "mqtt://127.0.0.1:1883".into());
    let s = smartcustoms_devices::mqtt::MqttSettings::parse(&url, "x").expect("MQTT_URL is mqtt://host:port");
    (s.host, s.port)
}

/// Starts the platform's MQTT consumer against the shared broker, under a client id of its
/// own, and gives it time to subscribe; the task, the broker's host and port.
pub async fn start_consumer(app: &TestApp) -> (tokio::task::JoinHandle<()>, String, u16) {
    let (host, port) = broker();
    let settings = smartcustoms_devices::mqtt::MqttSettings {
        host: host.clone(),
        port,
        client_id: format!("test-consumer-{}", uuid::Uuid::new_v4()),
    };
    let consumer = tokio::spawn(smartcustoms_devices::mqtt::consume(app.state.clone(), settings));
    tokio::time::sleep(Duration::from_millis(500)).await;
    (consumer, host, port)
}

/// A publisher that sends each report with QoS 1 and drives its connection in the background.
pub async fn publisher(host: &str, port: u16) -> rumqttc::AsyncClient {
    let id = format!("test-pub-{}", uuid::Uuid::new_v4());
    let mut options = rumqttc::MqttOptions::new(id, host, port);
    options.set_keep_alive(Duration::from_secs(5));
    let (client, mut events) = rumqttc::AsyncClient::new(options, 1024);
    tokio::spawn(async move {
        loop {
            if events.poll().await.is_err() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    });
    client
}

/// A seal's connection that, like a seal, sends each report until the broker acknowledges it.
struct AckedPublisher {
    client: rumqttc::AsyncClient,
    acks: tokio::sync::mpsc::UnboundedReceiver<()>,
}

async fn acked_publisher(host: &str, port: u16) -> AckedPublisher {
    let id = format!("test-seal-{}", uuid::Uuid::new_v4());
    let mut options = rumqttc::MqttOptions::new(id, host, port);
    options.set_keep_alive(Duration::from_secs(5));
    let (client, mut events) = rumqttc::AsyncClient::new(options, 1024);
    let (tx, acks) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            match events.poll().await {
                Ok(rumqttc::Event::Incoming(rumqttc::Packet::PubAck(_))) => {
                    let _ = tx.send(());
                }
                Ok(_) => {}
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    });
    AckedPublisher { client, acks }
}

impl AckedPublisher {
    /// Publishes one report and waits for the broker's acknowledgement, sending it again
    /// after a second without one (at most 30 times).
    async fn send(&mut self, seal: &str, body: &Value) {
        for _ in 0..30 {
            publish(&self.client, seal, body).await;
            if let Ok(Some(())) = tokio::time::timeout(Duration::from_secs(1), self.acks.recv()).await {
                return;
            }
        }
        panic!("the broker never acknowledged {body}");
    }
}

async fn publish(client: &rumqttc::AsyncClient, seal: &str, body: &Value) {
    let topic = format!("smartcustoms/seals/{seal}/reports");
    client.publish(topic, rumqttc::QoS::AtLeastOnce, false, serde_json::to_vec(body).unwrap()).await.unwrap();
}

/// Waits (at most 30 s) until the movement's track holds `n` reports; returns it.
async fn track_of(app: &TestApp, transit: &str, n: usize) -> Vec<Value> {
    let mut track = Vec::new();
    for _ in 0..300 {
        let (_, t) = app.get(&format!("/api/v1/transits/{transit}/track"), Some(&app.officer_token)).await;
        track = t.as_array().cloned().unwrap_or_default();
        if track.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    track
}

#[tokio::test]
async fn reports_through_the_mqtt_broker_raise_alerts_published_on_nats() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let transit = sealed_transit(&app, "LRN-MQTT", &["NS-MQ-1"]).await;
    let mrn = app.get(&format!("/api/v1/transits/{transit}"), Some(&app.officer_token)).await.1["mrn"]
        .as_str()
        .unwrap()
        .to_string();
    let (consumer, host, port) = start_consumer(&app).await;
    let nats_url = std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let alerts_out = tokio::spawn(smartcustoms_devices::nats::publish_alerts(app.state.clone(), nats_url.clone()));
    let nats = async_nats::connect(&nats_url).await.expect("NATS runs on 127.0.0.1:4222 (.ci/run starts it)");
    let mut deviations = nats.subscribe(format!("smartcustoms.alerts.deviation.{mrn}")).await.unwrap();

    let client = publisher(&host, port).await;
    for n in 1..=4 {
        publish(&client, "NS-MQ-1", &report(n, 0.0)).await;
    }
    publish(&client, "NS-MQ-1", &report(5, 0.04)).await;
    publish(&client, "NS-MQ-1", &report(5, 0.04)).await;
    publish(&client, "NS-MQ-1", &json!({ "seq": "five" })).await;
    let track = track_of(&app, &transit, 5).await;
    assert_eq!(track.len(), 5, "each report stored once: {track:?}");
    let message = tokio::time::timeout(Duration::from_secs(10), futures_util::StreamExt::next(&mut deviations))
        .await
        .expect("the deviation is published on NATS within 10 s")
        .unwrap();
    let alert: Value = serde_json::from_slice(&message.payload).unwrap();
    assert_eq!(
        (alert["change"].as_str(), alert["incident"]["kind"].as_str(), alert["mrn"].as_str()),
        (Some("opened"), Some("deviation"), Some(mrn.as_str())),
        "{alert}"
    );
    assert_eq!(alerts(&app, &transit).await.len(), 1);
    consumer.abort();
    alerts_out.abort();
}

/// A Mosquitto of the test's own, with persistence in `dir`, that the test stops and starts
/// again.
struct Broker {
    child: std::process::Child,
}

impl Broker {
    fn start(dir: &std::path::Path, port: u16) -> Broker {
        // Started as root, Mosquitto drops to its own user, which must write its database here.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!(
                "listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location {}/\nmax_queued_messages 100000\n",
                dir.display()
            ),
        )
        .unwrap();
        let child = std::process::Command::new("mosquitto")
            .arg("-c")
            .arg(&conf)
            .spawn()
            .expect("mosquitto (apt package mosquitto) is installed");
        std::thread::sleep(Duration::from_millis(300));
        Broker { child }
    }

    /// Stops it as a service manager would (SIGTERM: it saves its state) and waits.
    fn stop(mut self) {
        let _ = std::process::Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_broker_restarted_mid_journey_loses_and_duplicates_nothing() {
    let db = sqlite_db();
    let app = spawn_app(&db.url).await;
    let transit = sealed_transit(&app, "LRN-RESTART", &["NS-RS-1"]).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let broker = Broker::start(dir.path(), port);
    let settings = smartcustoms_devices::mqtt::MqttSettings {
        host: "127.0.0.1".into(),
        port,
        client_id: format!("test-consumer-{}", uuid::Uuid::new_v4()),
    };
    let consumer = tokio::spawn(smartcustoms_devices::mqtt::consume(app.state.clone(), settings.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut seal = acked_publisher("127.0.0.1", port).await;
    let off = |n: u32| if n == 10 || n == 30 { 0.04 } else { 0.0 };
    for n in 1..=20 {
        seal.send("NS-RS-1", &report(n, off(n))).await;
    }
    assert_eq!(track_of(&app, &transit, 20).await.len(), 20);
    // The consumer is away while the broker takes reports for it, then the broker restarts:
    // what it acknowledged to the seal is kept for the consumer's session.
    consumer.abort();
    for n in 21..=30 {
        seal.send("NS-RS-1", &report(n, off(n))).await;
    }
    broker.stop();
    let broker = Broker::start(dir.path(), port);
    for n in 31..=40 {
        seal.send("NS-RS-1", &report(n, off(n))).await;
    }
    let consumer = tokio::spawn(smartcustoms_devices::mqtt::consume(app.state.clone(), settings));
    let track = track_of(&app, &transit, 40).await;
    let mut seqs: Vec<i64> = track.iter().map(|r| r["seq"].as_i64().unwrap()).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<i64>>(), "every report once");
    let found = alerts(&app, &transit).await;
    let deviations: Vec<(i64, i64)> = found
        .iter()
        .filter(|a| a["kind"] == "deviation")
        .map(|a| (a["opened_by"].as_i64().unwrap(), a["closed_by"].as_i64().unwrap_or(-1)))
        .collect();
    assert_eq!(deviations, [(10, 11), (30, 31)], "each deviation once: {found:?}");
    consumer.abort();
    drop(broker);
}
