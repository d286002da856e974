//! `smartcustoms bench checkpoint` in a tiny configuration on SQLite: every event stored once
//! and every vehicle's decisions those its faults imply, over HTTP and, when the test broker is
//! up, over MQTT.

use std::time::Duration;

use serde_json::Value;

use crate::seals::broker;

fn bench(args: &[&str]) -> Value {
    let base = ["checkpoint", "--vehicles", "20", "--rate", "20", "--drain-seconds", "30"];
    crate::bench_line(&[&base[..], args].concat())
}

#[test]
fn the_checkpoint_benchmark_loses_no_event_and_decides_every_vehicle_rightly() {
    let (host, port) = broker();
    let broker_up = format!("{host}:{port}")
        .parse()
        .is_ok_and(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(1)).is_ok());
    let mqtt_url = format!("mqtt://{host}:{port}");
    for transport in ["http", "mqtt"] {
        let result = match transport {
            "mqtt" if !broker_up => {
                eprintln!("no MQTT broker at {mqtt_url}: the MQTT run is skipped");
                continue;
            }
            "mqtt" => bench(&["--transport", "mqtt", "--mqtt-url", &mqtt_url]),
            _ => bench(&["--transport", transport]),
        };
        assert_eq!((result["bench"].as_str(), result["transport"].as_str()), (Some("checkpoint"), Some(transport)));
        assert_eq!(result["backend"], "sqlite", "{result}");
        assert_eq!(result["vehicles"], 20, "{result}");
        for zero in ["lost", "wrong", "duplicates", "undecided"] {
            assert_eq!(result[zero], 0, "{transport}: {zero}: {result}");
        }
        assert_eq!(result["unattached"], 1, "{transport}: the unknown plate kept for an officer: {result}");
        assert!(result["events"].as_u64().unwrap() > 3 * 20, "{transport}: {result}");
        assert!(result["p50_ms"].as_f64().unwrap() > 0.0 && result["final_p99_ms"].as_f64().unwrap() > 0.0, "{result}");
        assert!(result["vehicles_per_s"].as_f64().unwrap() > 0.0, "{result}");
    }
}
