//! Mapping of rows to records, shared by both backends through a macro (the row types differ,
//! the column names do not).

/// Defines the mappings of the records whose columns need parsing (states, lanes, typed ids,
/// stored JSON) for a row type.
macro_rules! row_mappers {
    ($row:ty) => {
        fn summary(row: &$row) -> StoreResult<DeclarationSummary> {
            let id: String = row.try_get("id")?;
            Ok(DeclarationSummary {
                id: id.parse::<DeclarationId>()?,
                declarant: TraderId::new(row.try_get::<String, _>("declarant")?)?,
                state: parse_state(row.try_get("state")?)?,
                lane: parse_lane(row.try_get::<Option<&str>, _>("lane")?)?,
                registration_number: row
                    .try_get::<Option<String>, _>("registration_number")?
                    .map(|n| smartcustoms_core::ids::RegistrationNumber::parse(&n))
                    .transpose()?,
                office: row.try_get("office")?,
                received_at_us: Timestamp::from_micros(row.try_get("received_at_us")?),
                registered_at_us: row.try_get::<Option<i64>, _>("registered_at_us")?.map(Timestamp::from_micros),
                updated_at_us: Timestamp::from_micros(row.try_get("updated_at_us")?),
            })
        }

        fn audit_entry(row: &$row) -> StoreResult<AuditEntry> {
            Ok(AuditEntry {
                seq: row.try_get("seq")?,
                at_us: Timestamp::from_micros(row.try_get("at_us")?),
                declaration_id: row.try_get("declaration_id")?,
                actor: row.try_get("actor")?,
                action: {
                    let name: String = row.try_get("action")?;
                    smartcustoms_core::audit::Action::parse(&name)
                        .ok_or_else(|| StoreError::Corrupt(format!("unknown audit action {name:?}")))?
                },
                details: row.try_get("details")?,
                prev_hash: row.try_get("prev_hash")?,
                hash: row.try_get("hash")?,
            })
        }

        fn notification(row: &$row) -> StoreResult<Notification> {
            let payload: String = row.try_get("payload")?;
            Ok(Notification {
                id: row.try_get("id")?,
                recipient: row.try_get("recipient")?,
                kind: row.try_get("kind")?,
                payload: serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                created_at: Timestamp::from_micros(row.try_get("created_at_us")?).rfc3339(),
                delivered_at: row
                    .try_get::<Option<i64>, _>("delivered_at_us")?
                    .map(|at| Timestamp::from_micros(at).rfc3339()),
            })
        }

        fn release_document(r: &$row) -> StoreResult<ReleaseDocument> {
            Ok(ReleaseDocument {
                number: r.try_get("number")?,
                declaration_id: r.try_get("declaration_id")?,
                registration_number: r.try_get("registration_number")?,
                released_at: r.try_get("released_at")?,
                location_of_goods: r.try_get("location_of_goods")?,
                automatic: r.try_get("automatic")?,
            })
        }

        fn declaration_record(r: &$row) -> StoreResult<DeclarationRecord> {
            let decision = parse_decision_json(r.try_get("decision")?)?;
            let duties: Option<String> = r.try_get("duties")?;
            Ok(DeclarationRecord {
                summary: summary(r)?,
                document: r.try_get("document")?,
                document_sha256: r.try_get("document_sha256")?,
                signature: r.try_get("signature")?,
                reasons: decision.reasons,
                hits: decision.hits,
                risk: decision.risk,
                duties: duties
                    .map(|d| {
                        let mut value: serde_json::Value = crate::declarations::read_document(&d, "stored duties")?;
                        if let Some(map) = value.as_object_mut() {
                            map.remove("format");
                        }
                        Ok::<_, StoreError>(value)
                    })
                    .transpose()?,
                duties_total: r
                    .try_get::<Option<i64>, _>("duties_cents")?
                    .map(smartcustoms_core::ledger::Amount::from_cents),
            })
        }

        fn tariff_entry(r: &$row) -> StoreResult<TariffEntryRecord> {
            let kind: String = r.try_get("kind")?;
            let body: String = r.try_get("body")?;
            Ok(TariffEntryRecord {
                kind: TariffKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown tariff entry kind {kind:?}")))?,
                key: r.try_get("key")?,
                version: r.try_get("version")?,
                body: serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                withdrawn: r.try_get("withdrawn")?,
                author: r.try_get("author")?,
                created_at_us: Timestamp::from_micros(r.try_get("created_at_us")?),
            })
        }

        fn state_count(r: &$row) -> StoreResult<StateCount> {
            Ok(StateCount {
                state: parse_state(r.try_get("state")?)?,
                lane: parse_lane(r.try_get::<Option<&str>, _>("lane")?)?,
                count: r.try_get("n")?,
            })
        }
    };
}

pub(crate) use row_mappers;

/// A nullable timestamp column as `FromRow` records read it (`#[sqlx(try_from =
/// "crate::rows::NullableMicros")]` on an `Option<Timestamp>` field); a non-null one reads
/// as `i64` through `#[sqlx(try_from = "i64")]`.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct NullableMicros(Option<i64>);

impl From<NullableMicros> for Option<smartcustoms_core::timestamp::Timestamp> {
    fn from(micros: NullableMicros) -> Self {
        micros.0.map(smartcustoms_core::timestamp::Timestamp::from_micros)
    }
}
