//! The demo's smart checkpoint: one road crossing with its slots and priority rules, and a
//! handful of vehicles booked, queued, measured by the equipment, called, and one crossed, all
//! through the same use cases as the API, so that the officers' checkpoint screen shows a
//! working day from the start.

use serde_json::{json, Value};

use smartcustoms_core::access::{Principal, Role};
use smartcustoms_core::ids::TraderId;
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_http::app::{checkpoint, checkpoint_events};
use smartcustoms_http::AppState;

use crate::demo::Declarant;

/// The demo checkpoint's code.
pub const CODE: &str = "DE-FFO";

/// The priority rules of `docs/checkpoint.md`: live animals and humanitarian aid first, then
/// dangerous and perishable goods, AEO, empty vehicles.
pub fn example_rules() -> Value {
    json!({
        "version": "2026-03",
        "default_class": 5,
        "rules": [
            { "id": "live-animals", "class": 1, "when": [{ "fact": "live_animals" }] },
            { "id": "humanitarian", "class": 1, "when": [{ "fact": "humanitarian" }] },
            { "id": "dangerous-goods", "class": 2, "when": [{ "fact": "dangerous_goods" }] },
            { "id": "perishable-flag", "class": 2, "when": [{ "fact": "perishable" }] },
            { "id": "perishable-hs", "class": 2, "when": [{ "fact": "goods_hs", "any_of": ["02", "03", "04", "07", "08"] }] },
            { "id": "aeo", "class": 3, "when": [{ "fact": "aeo" }] },
            { "id": "empty", "class": 4, "when": [{ "fact": "empty" }] }
        ]
    })
}

/// Its settings: two lanes of four places per 30-minute slot, the priority rules of
/// `docs/checkpoint.md`.
fn settings() -> Value {
    json!({
        "name": "Frankfurt (Oder) – Świecko road crossing",
        "slots": { "length_minutes": 30, "lanes": 2, "per_lane": 4, "horizon_hours": 72, "grace_minutes": 15 },
        "weight_tolerance_pct": "2",
        "min_confidence": 0.6,
        "priority_rules": example_rules(),
    })
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// An equipment event of `kind` measured at `at`.
fn event(kind: &str, device: &str, fields: Value, at: Timestamp) -> Vec<u8> {
    let mut e = json!({ "kind": kind, "device": device, "time": at.rfc3339() });
    if let (Some(e), Some(fields)) = (e.as_object_mut(), fields.as_object()) {
        e.extend(fields.clone());
    }
    bytes(&e)
}

/// Seeds the checkpoint once (a database that has it keeps what happened there).
pub async fn seed(state: &AppState, declarants: &[Declarant]) -> anyhow::Result<()> {
    if checkpoint::read(state, CODE).await.is_ok() {
        return Ok(());
    }
    let now = Timestamp::now();
    let supervisor = Principal::new("Supervisor Braun", Role::Supervisor, None);
    let officer = Principal::new("Officer Weber", Role::Officer, None);
    checkpoint::save(state, &supervisor, CODE, &bytes(&settings()), now).await?;
    // What happened at the checkpoint this morning happened `minutes` ago.
    let ago = |minutes: i64| now - chrono::TimeDelta::minutes(minutes);
    let admit = |who: &Principal, body: Value, at: Timestamp| {
        let who = who.clone();
        async move { checkpoint::admit(state, &who, CODE, &bytes(&body), at).await }
    };
    let take = |kind: &str, device: &str, fields: Value, at: Timestamp| {
        let body = event(kind, device, fields, at);
        async move { checkpoint_events::take_event(state, CODE, &body, None, at).await }
    };
    let act = |id: &str, action: &str, operation: Option<&str>, at: Timestamp| {
        let doc = checkpoint_events::ActionDoc {
            action: action.to_string(),
            operation: operation.map(str::to_string),
            note: None,
        };
        let (who, id) = (officer.clone(), id.to_string());
        async move { checkpoint_events::act(state, &who, CODE, &id, &doc, at).await }
    };

    // Three lorries crossed earlier: the times have their first figures.
    for (plate, empty, [joined, called, crossed]) in
        [("FF-CD 202", true, [170, 150, 146]), ("PO 4410K", false, [130, 95, 78]), ("B-MX 7781", true, [70, 52, 49])]
    {
        let v = admit(&officer, json!({ "plate": plate, "empty": empty }), ago(joined)).await?;
        act(&v.id, "call", None, ago(called)).await?;
        if !empty {
            act(&v.id, "done", Some("check_documents"), ago(crossed + 2)).await?;
        }
        act(&v.id, "cross", None, ago(crossed)).await?;
    }

    // The live queue: an ordinary lorry, a lorry of fruit (perishable, called earlier), live
    // animals (first), an empty one; the cameras read their plates, the scale and the portal
    // measure them.
    let ordinary = admit(&officer, json!({ "plate": "PO 7XY21", "country": "PL" }), ago(41)).await?;
    let fruit = admit(&officer, json!({ "plate": "FF-AB 101", "country": "DE", "perishable": true }), ago(33)).await?;
    let animals =
        admit(&officer, json!({ "plate": "LUB 9Z77", "country": "PL", "live_animals": true }), ago(18)).await?;
    admit(&officer, json!({ "plate": "B-KT 2040", "country": "DE", "empty": true }), ago(6)).await?;
    let read = json!({ "plate": "FF AB 101", "country": "DE", "confidence": 0.97 });
    take("plate_read", "cam-lane-1", read, ago(32)).await?;
    let weighing = json!({ "vehicle": fruit.id, "gross_mass_kg": 38420.5, "axles": 5, "accuracy_class": 1 });
    take("weighing", "wim-north-2", weighing, ago(31)).await?;
    let alarm = json!({ "vehicle": animals.id, "alarm": true, "neutron_alarm": false, "gamma_cps": 2900, "gamma_background_cps": 1800 });
    take("radiation", "rpm-1", alarm, ago(17)).await?;
    // The ordinary lorry is in the control lane, its documents being checked.
    act(&ordinary.id, "call", None, ago(4)).await?;

    // A carrier booked the next slot; a camera read a plate nobody announced.
    if let Some(d) = declarants.first() {
        let carrier = Principal::new(d.party.name.clone(), Role::Trader, Some(TraderId::new(d.party.id.clone())?));
        let length = 30 * 60 * 1_000_000;
        let slot = Timestamp::from_micros((now.as_micros() / length + 1) * length).rfc3339();
        admit(&carrier, json!({ "plate": "WGM 5521", "country": "PL", "slot": slot }), now).await?;
    }
    take("plate_read", "cam-lane-2", json!({ "plate": "ZZ 999 ZZ", "confidence": 0.91 }), ago(2)).await?;
    tracing::info!(checkpoint = CODE, "demo checkpoint seeded");
    Ok(())
}
