//! The smart checkpoint (D4): each checkpoint's settings, the vehicles booked for it or queued
//! at it, the equipment's events and the decisions taken on each vehicle. A booking is taken
//! under a lock of its checkpoint, so two carriers never get the last place of a slot; a
//! vehicle's change (an event, an officer's action) is written only over the version it was
//! decided from, so two events decided at the same moment never lose one another. The SQL is
//! the same on both backends and is expanded into each by [`checkpoint_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::checkpoint::Reason;
use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// A checkpoint's settings as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct CheckpointRecord {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Slots and decision settings, JSON.
    pub settings: String,
    /// The priority rules, JSON as written.
    pub rules: String,
    /// Who changed them last.
    pub updated_by: String,
    /// When.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub updated_at_us: Timestamp,
}

/// A vehicle booked for, queued at or gone through a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct VehicleRecord {
    /// Its id (the queue entry's).
    pub id: String,
    /// The checkpoint.
    pub checkpoint: String,
    /// The plate, normalised.
    pub plate: String,
    /// The country of registration, when known.
    pub country: Option<String>,
    /// The carrier that booked it; none when an officer registered it.
    pub carrier: Option<String>,
    /// The booked slot's start.
    #[schema(value_type = Option<i64>)]
    pub slot_us: Option<i64>,
    /// When it joined the live queue (without a booking).
    #[schema(value_type = Option<i64>)]
    pub joined_at_us: Option<i64>,
    /// When it arrived (its plate was read, or an officer registered it).
    #[schema(value_type = Option<i64>)]
    pub arrived_at_us: Option<i64>,
    /// When it was called to the control lane.
    #[schema(value_type = Option<i64>)]
    pub called_at_us: Option<i64>,
    /// When it crossed.
    #[schema(value_type = Option<i64>)]
    pub crossed_at_us: Option<i64>,
    /// `booked`, `waiting`, `in_control`, `crossed`, `refused` or `cancelled`.
    pub state: String,
    /// What priority depends on (JSON `VehicleFacts`).
    pub facts: String,
    /// What the decision is made from besides the events (JSON: pre-arrival status, goods,
    /// declared mass, transit).
    pub basis: String,
    /// The pre-arrival information it came under.
    pub pre_arrival: Option<String>,
    /// The transit it travels under.
    pub transit: Option<String>,
    /// Its priority class.
    pub class: i64,
    /// The operations due, comma separated.
    pub operations: String,
    /// The latest decision, JSON (operations and reasons).
    pub decision: String,
    /// The operations officers did and cleared, comma separated.
    pub done: String,
    /// Raised by every change.
    pub version: i64,
    /// When it was booked or registered.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub created_at_us: Timestamp,
    /// When it last changed.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub updated_at_us: Timestamp,
}

/// The columns a [`VehicleRecord`] is read from.
pub(crate) const VEHICLE_COLUMNS: &str = "id, checkpoint, plate, country, carrier, slot_us, joined_at_us, \
     arrived_at_us, called_at_us, crossed_at_us, state, facts, basis, pre_arrival, transit, class, operations, \
     decision, done, version, created_at_us, updated_at_us";

/// An equipment event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct CheckpointEventRecord {
    /// Its id.
    pub id: String,
    /// The checkpoint.
    pub checkpoint: String,
    /// The vehicle it concerns; none when it named no vehicle the checkpoint knows.
    pub vehicle: Option<String>,
    /// `plate_read`, `weighing`, `radiation` or `scan`.
    pub kind: String,
    /// The device.
    pub device: String,
    /// The device's time of the measurement.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub at_us: Timestamp,
    /// When the platform received it.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub received_at_us: Timestamp,
    /// The event as sent (JSON).
    pub body: String,
    /// What became of it (JSON: the plate match, or why it is unattached).
    pub outcome: String,
}

/// A decision taken on a vehicle, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct DecisionRecord {
    /// The vehicle.
    pub vehicle: String,
    /// Its number in the vehicle's decisions (the vehicle's version it made).
    pub n: i64,
    /// When.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub at_us: Timestamp,
    /// What triggered it (`booked`, `joined`, an event's kind, an officer's action).
    pub trigger: String,
    /// The operations due, comma separated.
    pub operations: String,
    /// The decision, JSON (operations and reasons).
    pub decision: String,
}

/// A change of one vehicle: its new row (with the version it was decided from), the event that
/// caused it if any, and the audit's actor and details.
#[derive(Debug, Clone)]
pub struct VehicleChange {
    /// The vehicle as it is to be, with `version` the version it was read at.
    pub vehicle: VehicleRecord,
    /// The event taken in, when an event caused the change.
    pub event: Option<CheckpointEventRecord>,
    /// What triggered it.
    pub trigger: String,
    /// Who (a device, an officer, a carrier).
    pub actor: String,
    /// True when the decision changed (a decision row and an audit entry are written).
    pub decided: bool,
    /// Details of a state change for the audit (none when the state did not change).
    pub state_change: Option<serde_json::Value>,
}

/// What a new booking or queue entry is checked against: the vehicles of its checkpoint still
/// booked, waiting or in control. Returns the reasons it is refused, if any.
pub type AdmissionCheck = Box<dyn FnOnce(&[VehicleRecord]) -> Vec<Reason> + Send>;

/// The smart checkpoint's storage.
#[async_trait]
pub trait CheckpointQueries: Send + Sync {
    /// Creates or changes a checkpoint's settings, with an audit entry.
    async fn save_checkpoint(&self, checkpoint: &CheckpointRecord) -> StoreResult<()>;

    /// One checkpoint.
    async fn checkpoint(&self, code: &str) -> StoreResult<Option<CheckpointRecord>>;

    /// Every checkpoint, by code.
    async fn checkpoints(&self) -> StoreResult<Vec<CheckpointRecord>>;

    /// Adds a vehicle (a booking or a live queue entry) with its first decision and audit
    /// entries, after `check` accepts it against the checkpoint's open vehicles, under a lock
    /// of the checkpoint. `Ok(Err(reasons))` when refused (nothing written); `NotFound` when
    /// the checkpoint does not exist.
    async fn admit_vehicle(
        &self,
        vehicle: &VehicleRecord,
        check: AdmissionCheck,
    ) -> StoreResult<Result<VehicleRecord, Vec<Reason>>>;

    /// Writes a vehicle's change over the version it was read at; `Ok(false)` (nothing
    /// written) when another change came first, for the caller to decide again.
    async fn change_vehicle(&self, change: &VehicleChange) -> StoreResult<bool>;

    /// Records an event that names no vehicle the checkpoint knows, with its audit entry.
    async fn record_unattached(&self, event: &CheckpointEventRecord) -> StoreResult<()>;

    /// One vehicle.
    async fn vehicle(&self, id: &str) -> StoreResult<Option<VehicleRecord>>;

    /// The checkpoint's vehicles booked, waiting or in control, by creation.
    async fn open_vehicles(&self, checkpoint: &str) -> StoreResult<Vec<VehicleRecord>>;

    /// The checkpoint's vehicles crossed, refused or cancelled since `since`, newest first.
    async fn closed_vehicles(&self, checkpoint: &str, since: Timestamp, limit: i64) -> StoreResult<Vec<VehicleRecord>>;

    /// A carrier's vehicles, newest first.
    async fn carrier_vehicles(&self, carrier: &str, limit: i64) -> StoreResult<Vec<VehicleRecord>>;

    /// A vehicle's events, in device time.
    async fn vehicle_events(&self, vehicle: &str) -> StoreResult<Vec<CheckpointEventRecord>>;

    /// A vehicle's decisions, in order.
    async fn vehicle_decisions(&self, vehicle: &str) -> StoreResult<Vec<DecisionRecord>>;

    /// The checkpoint's events that named no known vehicle, newest first.
    async fn unattached_events(&self, checkpoint: &str, limit: i64) -> StoreResult<Vec<CheckpointEventRecord>>;
}

/// Implements [`CheckpointQueries`] for a backend, where the identity area's
/// `append_identity_audit` is in scope. Needs in scope: `self.pool`, `self.begin_write()`,
/// `sql(&str) -> Cow<str>`; `$lock` locks the rows a `SELECT` reads.
macro_rules! checkpoint_queries {
    ($store:ty, $lock:literal) => {
        #[async_trait]
        impl crate::checkpoint::CheckpointQueries for $store {
            async fn save_checkpoint(&self, c: &crate::checkpoint::CheckpointRecord) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO checkpoints (code, name, settings, rules, updated_by, updated_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                     settings = excluded.settings, rules = excluded.rules, updated_by = excluded.updated_by, \
                     updated_at_us = excluded.updated_at_us",
                ))
                .bind(&c.code)
                .bind(&c.name)
                .bind(&c.settings)
                .bind(&c.rules)
                .bind(&c.updated_by)
                .bind(c.updated_at_us.as_micros())
                .execute(&mut *tx)
                .await?;
                let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap_or(serde_json::Value::Null);
                let details = serde_json::json!({
                    "checkpoint": c.code, "name": c.name, "settings": json(&c.settings), "rules": json(&c.rules),
                });
                let action = smartcustoms_core::audit::Action::CheckpointConfigured;
                append_identity_audit(&mut tx, crate::identity::identity_entry(c.updated_at_us, &c.updated_by, action, details))
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn checkpoint(&self, code: &str) -> StoreResult<Option<crate::checkpoint::CheckpointRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT code, name, settings, rules, updated_by, updated_at_us FROM checkpoints WHERE code = $1",
                ))
                .bind(code)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn checkpoints(&self) -> StoreResult<Vec<crate::checkpoint::CheckpointRecord>> {
                Ok(sqlx::query_as("SELECT code, name, settings, rules, updated_by, updated_at_us FROM checkpoints ORDER BY code")
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn admit_vehicle(
                &self,
                v: &crate::checkpoint::VehicleRecord,
                check: crate::checkpoint::AdmissionCheck,
            ) -> StoreResult<Result<crate::checkpoint::VehicleRecord, Vec<smartcustoms_core::checkpoint::Reason>>> {
                let mut tx = self.begin_write().await?;
                let found: Option<String> =
                    sqlx::query_scalar(&sql(&format!("SELECT code FROM checkpoints WHERE code = $1{}", $lock)))
                        .bind(&v.checkpoint)
                        .fetch_optional(&mut *tx)
                        .await?;
                if found.is_none() {
                    return Err(crate::StoreError::NotFound);
                }
                let open: Vec<crate::checkpoint::VehicleRecord> = sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM checkpoint_vehicles WHERE checkpoint = $1 AND state IN ('booked', 'waiting', 'in_control') \
                     ORDER BY created_at_us, id",
                    crate::checkpoint::VEHICLE_COLUMNS
                )))
                .bind(&v.checkpoint)
                .fetch_all(&mut *tx)
                .await?;
                let refused = check(&open);
                if !refused.is_empty() {
                    return Ok(Err(refused));
                }
                checkpoint_insert_vehicle(&mut tx, v).await?;
                checkpoint_insert_decision(&mut tx, v, "admitted").await?;
                let details = serde_json::json!({
                    "checkpoint": v.checkpoint, "vehicle": v.id, "plate": v.plate, "state": v.state,
                    "slot_us": v.slot_us, "carrier": v.carrier, "class": v.class,
                });
                let actor = v.carrier.clone().unwrap_or_else(|| "system".to_string());
                let action = smartcustoms_core::audit::Action::CheckpointVehicle;
                append_identity_audit(&mut tx, crate::identity::identity_entry(v.created_at_us, &actor, action, details))
                    .await?;
                checkpoint_audit_decision(&mut tx, v, "admitted", &actor).await?;
                tx.commit().await?;
                Ok(Ok(v.clone()))
            }

            async fn change_vehicle(&self, change: &crate::checkpoint::VehicleChange) -> StoreResult<bool> {
                let v = &change.vehicle;
                let mut tx = self.begin_write().await?;
                let updated = sqlx::query(&sql(
                    "UPDATE checkpoint_vehicles SET arrived_at_us = $1, called_at_us = $2, crossed_at_us = $3, state = $4, \
                     operations = $5, decision = $6, done = $7, version = version + 1, updated_at_us = $8 \
                     WHERE id = $9 AND version = $10",
                ))
                .bind(v.arrived_at_us)
                .bind(v.called_at_us)
                .bind(v.crossed_at_us)
                .bind(&v.state)
                .bind(&v.operations)
                .bind(&v.decision)
                .bind(&v.done)
                .bind(v.updated_at_us.as_micros())
                .bind(&v.id)
                .bind(v.version)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if updated == 0 {
                    return Ok(false);
                }
                let next = crate::checkpoint::VehicleRecord { version: v.version + 1, ..v.clone() };
                if let Some(e) = &change.event {
                    checkpoint_insert_event(&mut tx, e).await?;
                }
                if let Some(details) = &change.state_change {
                    let action = smartcustoms_core::audit::Action::CheckpointVehicle;
                    append_identity_audit(
                        &mut tx,
                        crate::identity::identity_entry(v.updated_at_us, &change.actor, action, details.clone()),
                    )
                    .await?;
                }
                if change.decided {
                    checkpoint_insert_decision(&mut tx, &next, &change.trigger).await?;
                    checkpoint_audit_decision(&mut tx, &next, &change.trigger, &change.actor).await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn record_unattached(&self, e: &crate::checkpoint::CheckpointEventRecord) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                checkpoint_insert_event(&mut tx, e).await?;
                let details = serde_json::json!({
                    "checkpoint": e.checkpoint, "event": e.id, "kind": e.kind, "device": e.device,
                    "outcome": serde_json::from_str::<serde_json::Value>(&e.outcome).unwrap_or(serde_json::Value::Null),
                });
                let action = smartcustoms_core::audit::Action::CheckpointUnmatched;
                append_identity_audit(&mut tx, crate::identity::identity_entry(e.received_at_us, &e.device, action, details))
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn vehicle(&self, id: &str) -> StoreResult<Option<crate::checkpoint::VehicleRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM checkpoint_vehicles WHERE id = $1",
                    crate::checkpoint::VEHICLE_COLUMNS
                )))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn open_vehicles(&self, checkpoint: &str) -> StoreResult<Vec<crate::checkpoint::VehicleRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM checkpoint_vehicles WHERE checkpoint = $1 AND state IN ('booked', 'waiting', 'in_control') \
                     ORDER BY created_at_us, id",
                    crate::checkpoint::VEHICLE_COLUMNS
                )))
                .bind(checkpoint)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn closed_vehicles(
                &self,
                checkpoint: &str,
                since: Timestamp,
                limit: i64,
            ) -> StoreResult<Vec<crate::checkpoint::VehicleRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM checkpoint_vehicles WHERE checkpoint = $1 AND state IN ('crossed', 'refused', 'cancelled') \
                     AND updated_at_us >= $2 ORDER BY updated_at_us DESC, id LIMIT $3",
                    crate::checkpoint::VEHICLE_COLUMNS
                )))
                .bind(checkpoint)
                .bind(since.as_micros())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn carrier_vehicles(&self, carrier: &str, limit: i64) -> StoreResult<Vec<crate::checkpoint::VehicleRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM checkpoint_vehicles WHERE carrier = $1 ORDER BY created_at_us DESC, id LIMIT $2",
                    crate::checkpoint::VEHICLE_COLUMNS
                )))
                .bind(carrier)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn vehicle_events(&self, vehicle: &str) -> StoreResult<Vec<crate::checkpoint::CheckpointEventRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT id, checkpoint, vehicle, kind, device, at_us, received_at_us, body, outcome \
                     FROM checkpoint_events WHERE vehicle = $1 ORDER BY at_us, received_at_us, id",
                ))
                .bind(vehicle)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn vehicle_decisions(&self, vehicle: &str) -> StoreResult<Vec<crate::checkpoint::DecisionRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT vehicle, n, at_us, trigger, operations, decision FROM checkpoint_decisions \
                     WHERE vehicle = $1 ORDER BY n",
                ))
                .bind(vehicle)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn unattached_events(
                &self,
                checkpoint: &str,
                limit: i64,
            ) -> StoreResult<Vec<crate::checkpoint::CheckpointEventRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT id, checkpoint, vehicle, kind, device, at_us, received_at_us, body, outcome \
                     FROM checkpoint_events WHERE checkpoint = $1 AND vehicle IS NULL \
                     ORDER BY received_at_us DESC, id LIMIT $2",
                ))
                .bind(checkpoint)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }
        }

        async fn checkpoint_insert_vehicle(
            tx: &mut sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>,
            v: &crate::checkpoint::VehicleRecord,
        ) -> StoreResult<()> {
            sqlx::query(&sql(
                "INSERT INTO checkpoint_vehicles (id, checkpoint, plate, country, carrier, slot_us, joined_at_us, \
                 arrived_at_us, called_at_us, crossed_at_us, state, facts, basis, pre_arrival, transit, class, operations, \
                 decision, done, version, created_at_us, updated_at_us) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)",
            ))
            .bind(&v.id)
            .bind(&v.checkpoint)
            .bind(&v.plate)
            .bind(&v.country)
            .bind(&v.carrier)
            .bind(v.slot_us)
            .bind(v.joined_at_us)
            .bind(v.arrived_at_us)
            .bind(v.called_at_us)
            .bind(v.crossed_at_us)
            .bind(&v.state)
            .bind(&v.facts)
            .bind(&v.basis)
            .bind(&v.pre_arrival)
            .bind(&v.transit)
            .bind(v.class)
            .bind(&v.operations)
            .bind(&v.decision)
            .bind(&v.done)
            .bind(v.version)
            .bind(v.created_at_us.as_micros())
            .bind(v.updated_at_us.as_micros())
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        async fn checkpoint_insert_event(
            tx: &mut sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>,
            e: &crate::checkpoint::CheckpointEventRecord,
        ) -> StoreResult<()> {
            sqlx::query(&sql(
                "INSERT INTO checkpoint_events (id, checkpoint, vehicle, kind, device, at_us, received_at_us, body, outcome) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            ))
            .bind(&e.id)
            .bind(&e.checkpoint)
            .bind(&e.vehicle)
            .bind(&e.kind)
            .bind(&e.device)
            .bind(e.at_us.as_micros())
            .bind(e.received_at_us.as_micros())
            .bind(&e.body)
            .bind(&e.outcome)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        async fn checkpoint_insert_decision(
            tx: &mut sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>,
            v: &crate::checkpoint::VehicleRecord,
            trigger: &str,
        ) -> StoreResult<()> {
            sqlx::query(&sql(
                "INSERT INTO checkpoint_decisions (vehicle, n, at_us, trigger, operations, decision) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            ))
            .bind(&v.id)
            .bind(v.version)
            .bind(v.updated_at_us.as_micros())
            .bind(trigger)
            .bind(&v.operations)
            .bind(&v.decision)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        async fn checkpoint_audit_decision(
            tx: &mut sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>,
            v: &crate::checkpoint::VehicleRecord,
            trigger: &str,
            actor: &str,
        ) -> StoreResult<()> {
            let details = serde_json::json!({
                "checkpoint": v.checkpoint, "vehicle": v.id, "plate": v.plate, "trigger": trigger,
                "operations": v.operations,
                "decision": serde_json::from_str::<serde_json::Value>(&v.decision).unwrap_or(serde_json::Value::Null),
            });
            let action = smartcustoms_core::audit::Action::CheckpointDecided;
            append_identity_audit(tx, crate::identity::identity_entry(v.updated_at_us, actor, action, details)).await
        }
    };
}

pub(crate) use checkpoint_queries;

/// Stores an operations list: the codes, comma separated.
pub fn operations_text(operations: &[smartcustoms_core::checkpoint::Operation]) -> String {
    operations.iter().map(|o| o.code()).collect::<Vec<_>>().join(",")
}
