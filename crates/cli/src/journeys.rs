//! Simulated sealed journeys for `simulate seals` and `bench seals`: transit movements filed
//! through the transit use case, each under up to 99 navigation seals, and the seals' reports
//! along the route (a vehicle at 80 km/h), some with faults: the sealing element cut, the
//! housing broken, or the vehicle drifting off its route until it leaves the corridor.

use std::sync::Arc;

use anyhow::Context as _;
use ed25519_dalek::SigningKey;
use serde_json::json;

use smartcustoms_core::seals::{distance_m, Position};
use smartcustoms_core::signature;
use smartcustoms_core::simulate::World;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_http::app::transit::{self, FileTransit};
use smartcustoms_http::AppState;

use crate::demo::{self, Declarant};

/// The route of every simulated journey: Hamburg, Berlin, Frankfurt (Oder) (about 330 km).
pub const ROUTE: [(f64, f64); 3] = [(53.55, 9.99), (52.52, 13.40), (52.34, 14.55)];

/// Corridor width each side of the route, metres.
pub const CORRIDOR_M: u32 = 2000;

/// Speed of every vehicle, metres per second (80 km/h).
pub const SPEED_M_S: f64 = 80.0 / 3.6;

/// How fast a deviating vehicle moves away from its route, metres per second.
pub const DRIFT_M_S: f64 = 60.0;

/// Seals per movement (the most a transit declaration lists).
pub const SEALS_PER_TRANSIT: usize = 99;

/// What goes wrong on a journey, from a given report on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Nothing.
    None,
    /// The sealing element is cut: `state` `opened` with `sealing_element_broken`.
    Opened,
    /// The housing is broken open.
    Tamper,
    /// The vehicle turns off its route and drives away from it at right angles.
    Deviation,
}

impl Fault {
    /// The alert the fault must raise.
    pub fn kind(self) -> Option<&'static str> {
        match self {
            Fault::None => None,
            Fault::Opened => Some("opened"),
            Fault::Tamper => Some("tamper"),
            Fault::Deviation => Some("deviation"),
        }
    }
}

/// One seal's journey.
#[derive(Debug, Clone)]
pub struct Journey {
    /// The seal.
    pub seal: String,
    /// Where on the route it starts, metres from Hamburg.
    pub start_m: f64,
    /// Its fault and the report it begins with.
    pub fault: Fault,
    /// The report the fault begins with.
    pub fault_at: u64,
}

impl Journey {
    /// True when `reports` reports are enough for the fault to show: at once for the seal's
    /// own events; for a deviation, once the vehicle is past the corridor (allowing for the
    /// route's slant to the north).
    pub fn fault_shows_within(&self, reports: u64, period_s: f64) -> bool {
        let needed = match self.fault {
            Fault::None => return false,
            Fault::Opened | Fault::Tamper => 0,
            Fault::Deviation => (f64::from(CORRIDOR_M) * 1.2 / (DRIFT_M_S * period_s)).ceil() as u64,
        };
        self.fault_at + needed <= reports
    }

    /// Report `seq` (from 1) at `time`, `period_s` after the one before.
    pub fn report(&self, seq: u64, time: Timestamp, period_s: f64) -> serde_json::Value {
        let along = self.start_m + SPEED_M_S * period_s * seq as f64;
        let mut p = point_at(along);
        let (mut state, mut events) = ("closed", Vec::new());
        if seq >= self.fault_at {
            match self.fault {
                Fault::None => {}
                Fault::Opened => {
                    state = "opened";
                    events.push("sealing_element_broken");
                }
                Fault::Tamper => events.push("housing_broken"),
                Fault::Deviation => {
                    // Off to the north at 60 m/s across (about 230 km/h with the speed along,
                    // below what the monitor takes for an impossible jump).
                    let off_m = DRIFT_M_S * period_s * (seq - self.fault_at + 1) as f64;
                    p.lat += off_m / 111_195.0;
                }
            }
        }
        json!({ "seq": seq, "time": time.rfc3339(), "lat": p.lat, "lon": p.lon, "battery": 80.0,
                "state": state, "events": events })
    }
}

/// The route's length, metres.
pub fn route_length() -> f64 {
    ROUTE.windows(2).map(|w| distance_m(pos(w[0]), pos(w[1]))).sum()
}

fn pos((lat, lon): (f64, f64)) -> Position {
    Position { lat, lon }
}

/// The point `along` metres from Hamburg (the last point beyond the end).
pub fn point_at(along: f64) -> Position {
    let mut left = along.max(0.0);
    for w in ROUTE.windows(2) {
        let (a, b) = (pos(w[0]), pos(w[1]));
        let d = distance_m(a, b);
        if left <= d {
            let f = left / d;
            return Position { lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f };
        }
        left -= d;
    }
    pos(ROUTE[ROUTE.len() - 1])
}

/// `n` journeys, one fault in every `fault_every` (0: none), the faults taking turns; each
/// fault begins at report 2, 3 or 4.
pub fn journeys(prefix: &str, n: usize, fault_every: usize) -> Vec<Journey> {
    let length = route_length();
    (0..n)
        .map(|i| {
            let fault = match (fault_every, i % fault_every.max(1)) {
                (0, _) | (_, 1..) => Fault::None,
                (_, 0) => [Fault::Opened, Fault::Tamper, Fault::Deviation][(i / fault_every.max(1)) % 3],
            };
            Journey {
                seal: format!("{prefix}-{i:06}"),
                // Spread over the first half, so no vehicle arrives during a run.
                start_m: (i * 7919 % 1000) as f64 / 1000.0 * length / 2.0,
                fault,
                fault_at: 2 + (i % 3) as u64,
            }
        })
        .collect()
}

/// Files movements for `journeys` (99 seals each) as one declarant with `funds_cents` on its
/// account, through the transit use case; returns how many were accepted.
pub async fn file_transits(state: &AppState, journeys: &[Journey], run: &str) -> anyhow::Result<usize> {
    let store = state.store.as_ref();
    demo::seed_reference_data(store).await?;
    let party = World::demo(1).declarants.first().cloned().context("the demo world has a declarant")?;
    let d = Declarant { party, token: format!("seals-{run}"), key: SigningKey::generate(&mut rand::rngs::OsRng) };
    let now = Timestamp::now();
    demo::provision(store, &d, now).await?;
    let movements = journeys.len().div_ceil(SEALS_PER_TRANSIT) as i64;
    demo::deposit(store, &d.party.id, 1_000_000 * 100 * movements.max(1), &format!("SEALS-{run}")).await?;
    let trader = smartcustoms_core::ids::TraderId::new(d.party.id.clone())?;
    let mut accepted = 0;
    for (k, chunk) in journeys.chunks(SEALS_PER_TRANSIT).enumerate() {
        let seals: Vec<&str> = chunk.iter().map(|j| j.seal.as_str()).collect();
        let doc = json!({
            "local_reference": format!("S{}-{k}", &run[..8.min(run.len())]),
            "declarant": { "id": d.party.id, "name": d.party.name, "country": &d.party.id[..2] },
            "office_of_departure": "DE005000",
            "office_of_destination": "DE009100",
            "route": { "waypoints": ROUTE.iter().map(|(lat, lon)| json!({ "lat": lat, "lon": lon })).collect::<Vec<_>>(),
                       "corridor_m": CORRIDOR_M },
            "time_limit_at_us": now.as_micros() + 5 * 86_400_000_000,
            "carrier": { "id": "PL5260250274", "name": "Trans Polska Sp. z o.o.", "country": "PL" },
            "transport": { "mode": "3", "means_id": format!("HH-SC {k}"), "nationality": "DE" },
            "seals": seals,
            "guarantee": { "kind": "account" },
            "items": [{ "sequence": 1, "commodity_code": "851713", "description": "Smartphones",
                        "gross_mass": "1200.5", "value": "20000.00", "currency": "EUR" }]
        });
        let body = serde_json::to_vec(&doc)?;
        let jws = signature::sign_detached(&d.key, &body);
        let request = FileTransit {
            trader: trader.clone(),
            user: d.token.clone(),
            body: &body,
            signature: Some(&jws),
            received_at: chrono::Utc::now(),
        };
        let filed = transit::file(state, request).await.map_err(|e| anyhow::anyhow!("filing a transit: {e}"))?;
        if filed.transit.state == "accepted" {
            accepted += 1;
        }
    }
    Ok(accepted)
}

/// A publishing connection to the broker with room for many reports in flight.
pub fn publisher(host: &str, port: u16, id: &str) -> (rumqttc::AsyncClient, rumqttc::EventLoop) {
    let mut options = rumqttc::MqttOptions::new(id, host, port);
    options.set_keep_alive(std::time::Duration::from_secs(30));
    options.set_inflight(u16::MAX);
    options.set_max_packet_size(64 * 1024, 64 * 1024);
    rumqttc::AsyncClient::new(options, 65_536)
}

/// The topic of a seal's reports.
pub fn topic(seal: &str) -> String {
    format!("smartcustoms/seals/{seal}/reports")
}

/// Keeps journeys shared between tasks.
pub type Shared = Arc<Vec<Journey>>;
