//! "Your export is my import" (E2): partner administrations and their keys (a replaced key is
//! ended, never deleted), our own exchange key, the partners' export messages as received, the
//! imports that cite them with every difference found, and the outbox of our signed messages
//! about released exports. The SQL is the same on both backends and is expanded into each by
//! [`exchange_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::wcodm::Matched;

use crate::traceability::Release;
use crate::StoreResult;

/// A partner administration as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct PartnerRecord {
    /// Its country, ISO 3166-1 alpha-2.
    pub country: String,
    /// Its name.
    pub name: String,
    /// Where our messages for it are pushed, if anywhere.
    pub endpoint: Option<String>,
    /// Who registered it last.
    pub registered_by: String,
    /// When it was first registered.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub registered_at_us: Timestamp,
    /// When it was last changed.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub updated_at_us: Timestamp,
}

/// One of a partner's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct PartnerKeyRecord {
    /// The key's RFC 7638 thumbprint, the `kid` its signatures name.
    pub key_id: String,
    /// The partner.
    pub country: String,
    /// The Ed25519 public key, base64url.
    pub public_key: String,
    /// Since when it is the partner's key.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub valid_from_us: Timestamp,
    /// When another key replaced it; none while it is in force.
    #[sqlx(try_from = "crate::rows::NullableMicros")]
    #[schema(value_type = Option<i64>)]
    pub ended_at_us: Option<Timestamp>,
}

/// A partner to register (or change), with its key in force.
#[derive(Debug, Clone)]
pub struct NewPartner {
    /// The partner's details.
    pub partner: PartnerRecord,
    /// Its key in force from now.
    pub key: PartnerKeyRecord,
}

/// Our administration's exchange key as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnKeyRecord {
    /// Its thumbprint.
    pub key_id: String,
    /// The public key, base64url.
    pub public_key: String,
    /// The secret seed, base64url.
    pub secret_key: String,
    /// When it was made.
    #[sqlx(try_from = "i64")]
    pub created_at_us: Timestamp,
}

/// A partner's message as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct InboundRecord {
    /// The partner.
    pub partner: String,
    /// The partner's reference of its export declaration.
    pub reference: String,
    /// The key it was signed with.
    pub key_id: String,
    /// The compact JWS exactly as received.
    pub jws: String,
    /// Its payload, the `PartnerExport` JSON.
    pub payload: String,
    /// When the partner released the goods.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub released_at_us: Timestamp,
    /// When it arrived.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub received_at_us: Timestamp,
}

/// What receiving a partner's message did.
#[derive(Debug, Clone)]
pub enum Received {
    /// Recorded now.
    New(InboundRecord),
    /// The partner sent this reference before: the message recorded then.
    Existing(InboundRecord),
}

/// A declaration citing a partner's reference, with its checked form when it has one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Citing {
    /// The declaration.
    pub declaration_id: String,
    /// The checked declaration kept at registration (versioned JSON), none when refused.
    pub checked: Option<String>,
}

/// One difference between a partner's export and our import, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct MismatchRecord {
    /// Our import.
    pub declaration_id: String,
    /// The partner whose message it was compared with.
    pub partner: String,
    /// The partner's reference.
    pub reference: String,
    /// Stable code, `XCH_001` … `XCH_010`.
    pub code: String,
    /// Line on the partner's export, when the fact concerns a line.
    pub export_line: Option<i64>,
    /// Item on our import, when the fact concerns an item.
    pub import_item: Option<i64>,
    /// What the export says.
    pub export_value: Option<String>,
    /// What the import says.
    pub import_value: Option<String>,
    /// The fact in plain language.
    pub message: String,
    /// When it was found.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub found_at_us: Timestamp,
}

/// One of our messages about a released export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct OutboundRecord {
    /// Its id, sent as the delivery id (`Smartcustoms-Delivery`).
    pub id: String,
    /// The export declaration.
    pub declaration_id: String,
    /// The partner it is for: the country of the export's consignee.
    pub partner: String,
    /// Our registration number of the export.
    pub reference: String,
    /// The key it is signed with.
    pub key_id: String,
    /// The compact JWS.
    pub jws: String,
    /// When it was made.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub created_at_us: Timestamp,
    /// Deliveries tried.
    pub attempts: i64,
    /// Why the last delivery failed.
    pub last_error: Option<String>,
    /// When the partner accepted it.
    #[sqlx(try_from = "crate::rows::NullableMicros")]
    #[schema(value_type = Option<i64>)]
    pub delivered_at_us: Option<Timestamp>,
    /// The partner's endpoint now (none when the partner is not registered or has none).
    pub endpoint: Option<String>,
}

/// The columns an [`OutboundRecord`] is read from, the outbox as `o` joined with its partner
/// as `p`.
pub(crate) const OUTBOUND_COLUMNS: &str = "o.id, o.declaration_id, o.partner, o.reference, o.key_id, o.jws, \
     o.created_at_us, o.attempts, o.last_error, o.delivered_at_us, p.endpoint";

/// The columns of an [`InboundRecord`].
pub(crate) const INBOUND_COLUMNS: &str = "partner, reference, key_id, jws, payload, released_at_us, received_at_us";

/// A message to queue for a released export.
#[derive(Debug, Clone)]
pub struct NewOutbound {
    /// Its id.
    pub id: String,
    /// The export declaration.
    pub declaration_id: String,
    /// The partner's country.
    pub partner: String,
    /// Our registration number.
    pub reference: String,
    /// The key it is signed with.
    pub key_id: String,
    /// The compact JWS.
    pub jws: String,
}

/// The exchange with partner administrations.
#[async_trait]
pub trait ExchangeQueries: Send + Sync {
    /// Registers a partner or changes it, with its key in force; a key it had before is ended.
    /// `Conflict` when the key is another partner's. Audited.
    async fn register_partner(&self, partner: &NewPartner, actor: &str) -> StoreResult<()>;

    /// Every partner, by country.
    async fn partners(&self) -> StoreResult<Vec<PartnerRecord>>;

    /// Every partner's keys, ended ones too, by country and start.
    async fn partner_keys(&self) -> StoreResult<Vec<PartnerKeyRecord>>;

    /// A partner.
    async fn partner(&self, country: &str) -> StoreResult<Option<PartnerRecord>>;

    /// A partner key by its id.
    async fn partner_key(&self, key_id: &str) -> StoreResult<Option<PartnerKeyRecord>>;

    /// Our exchange key, when made.
    async fn own_exchange_key(&self) -> StoreResult<Option<OwnKeyRecord>>;

    /// Keeps `key` as our exchange key unless one was kept before; returns the one kept.
    async fn keep_own_exchange_key(&self, key: &OwnKeyRecord) -> StoreResult<OwnKeyRecord>;

    /// Records a partner's message unless the partner sent the reference before (then the one
    /// recorded then), with an audit entry; and the declarations that cite the reference.
    async fn receive_partner_message(&self, message: &InboundRecord) -> StoreResult<(Received, Vec<Citing>)>;

    /// The partners' messages, newest first.
    async fn partner_messages_received(&self, limit: i64) -> StoreResult<Vec<InboundRecord>>;

    /// The partners' messages of these references (one indexed lookup).
    async fn partner_messages(&self, references: &[String]) -> StoreResult<Vec<InboundRecord>>;

    /// Records what matching a recorded declaration with partners' messages that arrived after
    /// it found (a new import's citations and matches are written with the import, by the
    /// filing transaction); a message matched with the declaration before is not recorded
    /// twice. Each new match is audited on the declaration with its differences.
    async fn record_matches(&self, declaration: &str, matched: &[Matched], at: Timestamp) -> StoreResult<()>;

    /// The differences found on a declaration, by partner message and order found.
    async fn mismatches(&self, declaration: &str) -> StoreResult<Vec<MismatchRecord>>;

    /// The release time up to which released exports were read.
    async fn exchange_cursor(&self) -> StoreResult<Timestamp>;

    /// Released export declarations without a message, released at or after `since`, oldest
    /// first, at most `limit`.
    async fn unsent_exports(&self, since: Timestamp, limit: i64) -> StoreResult<Vec<Release>>;

    /// Queues our messages (one per declaration: a declaration queued before is skipped), each
    /// audited, and moves the cursor forward to `cursor` (never back). Returns how many.
    async fn queue_outbound(&self, messages: &[NewOutbound], cursor: Timestamp, at: Timestamp) -> StoreResult<u64>;

    /// Our messages, newest first.
    async fn outbox(&self, limit: i64) -> StoreResult<Vec<OutboundRecord>>;

    /// Our messages not delivered whose partner has an endpoint and whose next attempt is due at
    /// `now`, oldest first.
    async fn undelivered_outbound(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<OutboundRecord>>;

    /// Records a delivery attempt at `at`: delivered, or failed with `error` and tried again
    /// from `retry_at`.
    async fn mark_outbound(&self, id: &str, at: Timestamp, failed: Option<(&str, Timestamp)>) -> StoreResult<()>;
}

/// The audit details of a match.
pub(crate) fn match_details(m: &Matched) -> serde_json::Value {
    let facts: Vec<serde_json::Value> =
        m.mismatches.iter().map(|x| serde_json::json!({ "code": x.code, "message": x.message })).collect();
    serde_json::json!({ "partner": m.partner, "reference": m.reference, "mismatches": facts })
}

/// Implements [`ExchangeQueries`] for a backend, where the identity area's
/// `append_identity_audit` is in scope. Needs in scope: `self.pool`, `self.begin_write()`,
/// `sql(&str) -> Cow<str>`.
macro_rules! exchange_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::exchange::ExchangeQueries for $store {
            async fn register_partner(&self, p: &crate::exchange::NewPartner, actor: &str) -> StoreResult<()> {
                let (partner, key) = (&p.partner, &p.key);
                let mut tx = self.begin_write().await?;
                let owner: Option<String> =
                    sqlx::query_scalar(&sql("SELECT country FROM exchange_partner_keys WHERE key_id = $1"))
                        .bind(&key.key_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some(owner) = owner.filter(|o| o != &partner.country) {
                    return Err(crate::StoreError::Conflict(format!(
                        "key {} is registered to partner {owner}",
                        key.key_id
                    )));
                }
                sqlx::query(&sql(
                    "INSERT INTO exchange_partners (country, name, endpoint, registered_by, registered_at_us, updated_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (country) DO UPDATE SET name = excluded.name, \
                     endpoint = excluded.endpoint, registered_by = excluded.registered_by, updated_at_us = excluded.updated_at_us",
                ))
                .bind(&partner.country)
                .bind(&partner.name)
                .bind(&partner.endpoint)
                .bind(&partner.registered_by)
                .bind(partner.updated_at_us.as_micros())
                .execute(&mut *tx)
                .await?;
                sqlx::query(&sql(
                    "UPDATE exchange_partner_keys SET ended_at_us = $1 \
                     WHERE country = $2 AND ended_at_us IS NULL AND key_id <> $3",
                ))
                .bind(partner.updated_at_us.as_micros())
                .bind(&partner.country)
                .bind(&key.key_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(&sql(
                    "INSERT INTO exchange_partner_keys (key_id, country, public_key, valid_from_us, ended_at_us) \
                     VALUES ($1, $2, $3, $4, NULL) ON CONFLICT (key_id) DO UPDATE SET ended_at_us = NULL",
                ))
                .bind(&key.key_id)
                .bind(&partner.country)
                .bind(&key.public_key)
                .bind(key.valid_from_us.as_micros())
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({
                    "partner": partner.country, "name": partner.name, "endpoint": partner.endpoint, "key_id": key.key_id,
                });
                let action = smartcustoms_core::audit::Action::ExchangePartnerRegistered;
                let entry = crate::identity::identity_entry(partner.updated_at_us, actor, action, details);
                append_identity_audit(&mut tx, entry).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn partners(&self) -> StoreResult<Vec<crate::exchange::PartnerRecord>> {
                Ok(sqlx::query_as(
                    "SELECT country, name, endpoint, registered_by, registered_at_us, updated_at_us \
                     FROM exchange_partners ORDER BY country",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn partner_keys(&self) -> StoreResult<Vec<crate::exchange::PartnerKeyRecord>> {
                Ok(sqlx::query_as(
                    "SELECT key_id, country, public_key, valid_from_us, ended_at_us FROM exchange_partner_keys \
                     ORDER BY country, valid_from_us, key_id",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn partner(&self, country: &str) -> StoreResult<Option<crate::exchange::PartnerRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT country, name, endpoint, registered_by, registered_at_us, updated_at_us \
                     FROM exchange_partners WHERE country = $1",
                ))
                .bind(country)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn partner_key(&self, key_id: &str) -> StoreResult<Option<crate::exchange::PartnerKeyRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT key_id, country, public_key, valid_from_us, ended_at_us FROM exchange_partner_keys \
                     WHERE key_id = $1",
                ))
                .bind(key_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn own_exchange_key(&self) -> StoreResult<Option<crate::exchange::OwnKeyRecord>> {
                Ok(sqlx::query_as(
                    "SELECT key_id, public_key, secret_key, created_at_us FROM exchange_own_key WHERE id = 1",
                )
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn keep_own_exchange_key(
                &self,
                k: &crate::exchange::OwnKeyRecord,
            ) -> StoreResult<crate::exchange::OwnKeyRecord> {
                sqlx::query(&sql(
                    "INSERT INTO exchange_own_key (id, key_id, public_key, secret_key, created_at_us) \
                     VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
                ))
                .bind(&k.key_id)
                .bind(&k.public_key)
                .bind(&k.secret_key)
                .bind(k.created_at_us.as_micros())
                .execute(&self.pool)
                .await?;
                Ok(sqlx::query_as(
                    "SELECT key_id, public_key, secret_key, created_at_us FROM exchange_own_key WHERE id = 1",
                )
                .fetch_one(&self.pool)
                .await?)
            }

            async fn receive_partner_message(
                &self,
                m: &crate::exchange::InboundRecord,
            ) -> StoreResult<(crate::exchange::Received, Vec<crate::exchange::Citing>)> {
                let mut tx = self.begin_write().await?;
                let earlier: Option<crate::exchange::InboundRecord> = sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM exchange_inbound WHERE partner = $1 AND reference = $2",
                    crate::exchange::INBOUND_COLUMNS
                )))
                .bind(&m.partner)
                .bind(&m.reference)
                .fetch_optional(&mut *tx)
                .await?;
                let received = match earlier {
                    Some(earlier) => crate::exchange::Received::Existing(earlier),
                    None => {
                        sqlx::query(&sql(
                            "INSERT INTO exchange_inbound (partner, reference, key_id, jws, payload, released_at_us, \
                             received_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        ))
                        .bind(&m.partner)
                        .bind(&m.reference)
                        .bind(&m.key_id)
                        .bind(&m.jws)
                        .bind(&m.payload)
                        .bind(m.released_at_us.as_micros())
                        .bind(m.received_at_us.as_micros())
                        .execute(&mut *tx)
                        .await?;
                        let details = serde_json::json!({
                            "partner": m.partner, "reference": m.reference, "key_id": m.key_id,
                        });
                        let action = smartcustoms_core::audit::Action::ExchangeReceived;
                        let actor = format!("partner:{}", m.partner);
                        let entry = crate::identity::identity_entry(m.received_at_us, &actor, action, details);
                        append_identity_audit(&mut tx, entry).await?;
                        crate::exchange::Received::New(m.clone())
                    }
                };
                let citing: Vec<crate::exchange::Citing> = sqlx::query_as(&sql(
                    "SELECT c.declaration_id, d.checked FROM exchange_citations c \
                     JOIN declarations d ON d.id = c.declaration_id WHERE c.reference = $1 ORDER BY c.declaration_id",
                ))
                .bind(&m.reference)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok((received, citing))
            }

            async fn partner_messages_received(&self, limit: i64) -> StoreResult<Vec<crate::exchange::InboundRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM exchange_inbound ORDER BY received_at_us DESC, partner, reference LIMIT $1",
                    crate::exchange::INBOUND_COLUMNS
                )))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn partner_messages(
                &self,
                references: &[String],
            ) -> StoreResult<Vec<crate::exchange::InboundRecord>> {
                if references.is_empty() {
                    return Ok(Vec::new());
                }
                let marks: Vec<String> = (1..=references.len()).map(|n| format!("${n}")).collect();
                let text = format!(
                    "SELECT {} FROM exchange_inbound WHERE reference IN ({}) ORDER BY partner, reference",
                    crate::exchange::INBOUND_COLUMNS,
                    marks.join(", ")
                );
                let text = sql(&text);
                let mut query = sqlx::query_as(&text);
                for r in references {
                    query = query.bind(r);
                }
                Ok(query.fetch_all(&self.pool).await?)
            }

            async fn record_matches(
                &self,
                declaration: &str,
                matched: &[smartcustoms_core::wcodm::Matched],
                at: Timestamp,
            ) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                let mut entries = Vec::new();
                for m in matched {
                    let count = i64::try_from(m.mismatches.len()).unwrap_or(i64::MAX);
                    let inserted = sqlx::query(&sql(
                        "INSERT INTO exchange_matches (declaration_id, partner, reference, mismatches, matched_at_us) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (declaration_id, partner, reference) DO NOTHING",
                    ))
                    .bind(declaration)
                    .bind(&m.partner)
                    .bind(&m.reference)
                    .bind(count)
                    .bind(at.as_micros())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if inserted == 0 {
                        continue;
                    }
                    for (n, x) in m.mismatches.iter().enumerate() {
                        sqlx::query(&sql(crate::exchange_tx::INSERT_MISMATCH))
                        .bind(declaration)
                        .bind(&m.partner)
                        .bind(&m.reference)
                        .bind(i64::try_from(n).unwrap_or(i64::MAX))
                        .bind(&x.code)
                        .bind(x.export_line.map(i64::from))
                        .bind(x.import_item.map(i64::from))
                        .bind(&x.export_value)
                        .bind(&x.import_value)
                        .bind(&x.message)
                        .bind(at.as_micros())
                        .execute(&mut *tx)
                        .await?;
                    }
                    entries.push(smartcustoms_core::audit::NewEntry {
                        at_us: at,
                        declaration_id: Some(declaration.to_string()),
                        actor: "system".to_string(),
                        action: smartcustoms_core::audit::Action::ExchangeMatched,
                        details: crate::exchange::match_details(m).to_string(),
                    });
                }
                append_identity_audits(&mut tx, entries).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn mismatches(&self, declaration: &str) -> StoreResult<Vec<crate::exchange::MismatchRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT declaration_id, partner, reference, code, export_line, import_item, export_value, \
                     import_value, message, found_at_us FROM exchange_mismatches WHERE declaration_id = $1 \
                     ORDER BY found_at_us, partner, reference, n",
                ))
                .bind(declaration)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn exchange_cursor(&self) -> StoreResult<Timestamp> {
                let us: i64 = sqlx::query_scalar("SELECT released_to_us FROM exchange_cursor WHERE id = 1")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(Timestamp::from_micros(us))
            }

            async fn unsent_exports(
                &self,
                since: Timestamp,
                limit: i64,
            ) -> StoreResult<Vec<crate::traceability::Release>> {
                // Through the index of released exports; the caller reads the kind again.
                Ok(sqlx::query_as(&sql(
                    "SELECT d.id, d.registration_number, d.checked, d.released_at_us \
                     FROM declarations d WHERE d.kind = 'EX' AND d.released_at_us >= $1 AND d.state = 'released' \
                     AND NOT EXISTS (SELECT 1 FROM exchange_outbox o WHERE o.declaration_id = d.id) \
                     ORDER BY d.released_at_us, d.id LIMIT $2",
                ))
                .bind(since.as_micros())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn queue_outbound(
                &self,
                messages: &[crate::exchange::NewOutbound],
                cursor: Timestamp,
                at: Timestamp,
            ) -> StoreResult<u64> {
                let mut tx = self.begin_write().await?;
                let mut queued = 0u64;
                let mut entries = Vec::new();
                for m in messages {
                    let inserted = sqlx::query(&sql(
                        "INSERT INTO exchange_outbox (id, declaration_id, partner, reference, key_id, jws, created_at_us, \
                         attempts, last_error, next_attempt_at_us, delivered_at_us) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, NULL, 0, NULL) \
                         ON CONFLICT (declaration_id) DO NOTHING",
                    ))
                    .bind(&m.id)
                    .bind(&m.declaration_id)
                    .bind(&m.partner)
                    .bind(&m.reference)
                    .bind(&m.key_id)
                    .bind(&m.jws)
                    .bind(at.as_micros())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if inserted == 1 {
                        queued += 1;
                        entries.push(smartcustoms_core::audit::NewEntry {
                            at_us: at,
                            declaration_id: Some(m.declaration_id.clone()),
                            actor: "system".to_string(),
                            action: smartcustoms_core::audit::Action::ExchangeQueued,
                            details: serde_json::json!({
                                "message": m.id, "partner": m.partner, "reference": m.reference, "key_id": m.key_id,
                            })
                            .to_string(),
                        });
                    }
                }
                append_identity_audits(&mut tx, entries).await?;
                sqlx::query(&sql("UPDATE exchange_cursor SET released_to_us = $1 WHERE id = 1 AND released_to_us < $1"))
                    .bind(cursor.as_micros())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(queued)
            }

            async fn outbox(&self, limit: i64) -> StoreResult<Vec<crate::exchange::OutboundRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM exchange_outbox o LEFT JOIN exchange_partners p ON p.country = o.partner \
                     ORDER BY o.created_at_us DESC, o.id DESC LIMIT $1",
                    crate::exchange::OUTBOUND_COLUMNS
                )))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn undelivered_outbound(
                &self,
                now: Timestamp,
                limit: i64,
            ) -> StoreResult<Vec<crate::exchange::OutboundRecord>> {
                Ok(sqlx::query_as(&sql(&format!(
                    "SELECT {} FROM exchange_outbox o JOIN exchange_partners p ON p.country = o.partner \
                     WHERE o.delivered_at_us IS NULL AND p.endpoint IS NOT NULL AND o.next_attempt_at_us <= $1 \
                     ORDER BY o.created_at_us, o.id LIMIT $2",
                    crate::exchange::OUTBOUND_COLUMNS
                )))
                .bind(now.as_micros())
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn mark_outbound(
                &self,
                id: &str,
                at: Timestamp,
                failed: Option<(&str, Timestamp)>,
            ) -> StoreResult<()> {
                match failed {
                    None => {
                        sqlx::query(&sql(
                            "UPDATE exchange_outbox SET attempts = attempts + 1, last_error = NULL, \
                             delivered_at_us = $2 WHERE id = $1 AND delivered_at_us IS NULL",
                        ))
                        .bind(id)
                        .bind(at.as_micros())
                        .execute(&self.pool)
                        .await?;
                    }
                    Some((error, retry_at)) => {
                        sqlx::query(&sql(
                            "UPDATE exchange_outbox SET attempts = attempts + 1, last_error = $2, \
                             next_attempt_at_us = $3 WHERE id = $1 AND delivered_at_us IS NULL",
                        ))
                        .bind(id)
                        .bind(error)
                        .bind(retry_at.as_micros())
                        .execute(&self.pool)
                        .await?;
                    }
                }
                Ok(())
            }
        }
    };
}

pub(crate) use exchange_queries;
