//! Queries whose SQL is the same on both backends, written once with `$n` placeholders
//! (`sql()` of each backend adapts them) and expanded into each backend's `Store` impl.

/// Implements [`crate::Queries`] for a backend.
/// Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`, `Row`,
/// `is_unique_violation`, `SERIALISE_PROFILE_CODE`.
macro_rules! shared_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::Queries for $store {
        async fn add_profile(&self, p: &NewProfile) -> StoreResult<ProfileRecord> {
            let mut tx = self.begin_write().await?;
            if let Some(lock) = SERIALISE_PROFILE_CODE {
                sqlx::query(lock).bind(&p.code).execute(&mut *tx).await?;
            }
            let version: i64 =
                sqlx::query_scalar(&sql("SELECT COALESCE(MAX(version), 0) + 1 FROM risk_profiles WHERE code = $1"))
                    .bind(&p.code)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(&sql(
                "INSERT INTO risk_profiles (code, version, source, author, created_at_us) VALUES ($1, $2, $3, $4, $5)",
            ))
            .bind(&p.code)
            .bind(version)
            .bind(&p.source)
            .bind(&p.author)
            .bind(p.created_at_us)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(ProfileRecord {
                code: p.code.clone(),
                version,
                source: p.source.clone(),
                author: p.author.clone(),
                created_at_us: p.created_at_us,
            })
        }

        async fn ping(&self) -> StoreResult<()> {
            sqlx::query("SELECT 1").execute(&self.pool).await?;
            Ok(())
        }

        async fn upsert_office(&self, code: &str, name: &str) -> StoreResult<()> {
            sqlx::query(&sql(
                "INSERT INTO offices (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name",
            ))
            .bind(code)
            .bind(name)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn offices(&self) -> StoreResult<Vec<Office>> {
            Ok(sqlx::query_as("SELECT code, name FROM offices ORDER BY code").fetch_all(&self.pool).await?)
        }

        async fn add_key(&self, key: &SigningKeyRecord) -> StoreResult<()> {
            sqlx::query(&sql("INSERT INTO signing_keys (kid, trader_id, public_key, created_at_us) VALUES ($1, $2, $3, $4)"))
                .bind(&key.kid)
                .bind(&key.trader.0)
                .bind(&key.public_key)
                .bind(key.created_at_us)
                .execute(&self.pool)
                .await
                .map_err(|e| match is_unique_violation(&e) {
                    true => StoreError::Conflict("key already registered".into()),
                    false => StoreError::Database(e),
                })?;
            Ok(())
        }

        async fn keys(&self, trader: &TraderId) -> StoreResult<Vec<SigningKeyRecord>> {
            let rows = sqlx::query(&sql(
                "SELECT kid, trader_id, public_key, created_at_us FROM signing_keys WHERE trader_id = $1 ORDER BY created_at_us",
            ))
            .bind(&trader.0)
            .fetch_all(&self.pool)
            .await?;
            rows.iter().map(signing_key).collect()
        }

        async fn current_profiles(&self) -> StoreResult<Vec<ProfileRecord>> {
            let rows = sqlx::query(
                "SELECT p.code, p.version, p.source, p.author, p.created_at_us FROM risk_profiles p \
                 WHERE p.version = (SELECT MAX(version) FROM risk_profiles q WHERE q.code = p.code) ORDER BY p.code",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.iter().map(profile).collect()
        }

        async fn profile_versions(&self, code: &str) -> StoreResult<Vec<ProfileRecord>> {
            let rows = sqlx::query(&sql(
                "SELECT code, version, source, author, created_at_us FROM risk_profiles WHERE code = $1 ORDER BY version",
            ))
            .bind(code)
            .fetch_all(&self.pool)
            .await?;
            rows.iter().map(profile).collect()
        }

        async fn declaration(&self, id: DeclarationId) -> StoreResult<Option<DeclarationRecord>> {
            let text = format!(
                "SELECT {SUMMARY_COLUMNS}, document, document_sha256, signature, decision, duties, duties_cents \
                 FROM declarations WHERE id = $1"
            );
            let row = sqlx::query(&sql(&text)).bind(id.to_string()).fetch_optional(&self.pool).await?;
            row.as_ref().map(declaration_record).transpose()
        }

        async fn list_declarations(&self, q: &ListQuery) -> StoreResult<Vec<DeclarationSummary>> {
            let text = format!(
                "SELECT {SUMMARY_COLUMNS} FROM declarations WHERE (CAST($1 AS TEXT) IS NULL OR declarant = $1) \
                 AND (CAST($2 AS TEXT) IS NULL OR state = $2) AND (CAST($3 AS TEXT) IS NULL OR id < $3) \
                 ORDER BY id DESC LIMIT $4"
            );
            let rows = sqlx::query(&sql(&text))
                .bind(q.declarant.as_ref().map(|t| t.0.as_str()))
                .bind(q.state.map(|s| s.as_str()))
                .bind(q.before.map(|b| b.to_string()))
                .bind(q.limit)
                .fetch_all(&self.pool)
                .await?;
            rows.iter().map(summary).collect()
        }

        async fn declaration_events(&self, id: DeclarationId) -> StoreResult<Vec<AuditEntry>> {
            let rows = sqlx::query(&sql("SELECT * FROM audit_log WHERE declaration_id = $1 ORDER BY seq"))
                .bind(id.to_string())
                .fetch_all(&self.pool)
                .await?;
            rows.iter().map(audit_entry).collect()
        }

        async fn audit_page(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
            let rows = sqlx::query(&sql("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"))
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            rows.iter().map(audit_entry).collect()
        }

        async fn counts(&self) -> StoreResult<Vec<StateCount>> {
            let rows = sqlx::query("SELECT state, lane, COUNT(*) AS n FROM declarations GROUP BY state, lane")
                .fetch_all(&self.pool)
                .await?;
            rows.iter().map(state_count).collect()
        }

        async fn release_document(&self, id: DeclarationId) -> StoreResult<Option<ReleaseDocument>> {
            let row = sqlx::query(&sql("SELECT * FROM release_documents WHERE declaration_id = $1"))
                .bind(id.to_string())
                .fetch_optional(&self.pool)
                .await?;
            row.as_ref().map(release_document).transpose()
        }

        async fn notifications(&self, recipient: &str, after: i64, limit: i64) -> StoreResult<Vec<Notification>> {
            let rows = sqlx::query(&sql("SELECT * FROM notifications WHERE recipient = $1 AND id > $2 ORDER BY id LIMIT $3"))
                .bind(recipient)
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            rows.iter().map(notification).collect()
        }

        async fn undelivered_notifications(&self, limit: i64) -> StoreResult<Vec<Notification>> {
            let rows = sqlx::query(&sql("SELECT * FROM notifications WHERE delivered_at_us IS NULL ORDER BY id LIMIT $1"))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            rows.iter().map(notification).collect()
        }

        async fn mark_delivered(&self, id: i64, at_us: i64) -> StoreResult<()> {
            sqlx::query(&sql("UPDATE notifications SET delivered_at_us = $1 WHERE id = $2"))
                .bind(at_us)
                .bind(id)
                .execute(&self.pool)
                .await?;
            Ok(())
        }

        async fn trader_known(&self, trader: &TraderId) -> StoreResult<bool> {
            let found: Option<String> =
                sqlx::query_scalar(&sql(
                    "SELECT trader_id FROM tokens WHERE trader_id = $1 AND role = 'trader' \
                     UNION ALL SELECT trader_id FROM users WHERE trader_id = $1 AND role = 'trader' LIMIT 1",
                ))
                    .bind(&trader.0)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(found.is_some())
        }

        async fn account(&self, trader: &TraderId) -> StoreResult<AccountView> {
            let keys = [
                smartcustoms_core::ledger::Account::Available(trader.clone()).key(),
                smartcustoms_core::ledger::Account::Reserved(trader.clone()).key(),
            ];
            let mut balances = Vec::new();
            for key in keys {
                let cents: Option<i64> =
                    sqlx::query_scalar(&sql("SELECT balance_cents FROM ledger_balances WHERE account = $1"))
                        .bind(&key)
                        .fetch_optional(&self.pool)
                        .await?;
                balances.push((key, cents.unwrap_or(0)));
            }
            let reservations = sqlx::query(&sql(
                "SELECT p.declaration_id AS reference, \
                 CAST(SUM(CASE WHEN p.kind = 'reservation' THEN l.amount_cents ELSE -l.amount_cents END) AS BIGINT) AS open \
                 FROM ledger_postings p JOIN ledger_lines l ON l.posting_id = p.id \
                 WHERE p.trader = $1 AND p.declaration_id IS NOT NULL \
                 AND p.kind IN ('reservation', 'debit', 'reservation_release') \
                 GROUP BY p.declaration_id HAVING SUM(CASE WHEN p.kind = 'reservation' THEN l.amount_cents ELSE -l.amount_cents END) > 0 \
                 ORDER BY p.declaration_id",
            ))
            .bind(&trader.0)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("reference")?, r.try_get("open")?)))
            .collect::<Result<Vec<(String, i64)>, sqlx::Error>>()?;
            let awaiting = sqlx::query(&sql(
                "SELECT id, received_at_us, COALESCE(duties_cents, 0) AS duties FROM declarations \
                 WHERE declarant = $1 AND state = 'awaiting_payment' ORDER BY received_at_us, id",
            ))
            .bind(&trader.0)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("received_at_us")?, r.try_get("duties")?)))
            .collect::<Result<Vec<(String, i64, i64)>, sqlx::Error>>()?;
            crate::account::view(crate::account::balance(trader, &balances), reservations, awaiting)
        }

        async fn statement(&self, trader: &TraderId, from_us: i64, to_us: i64) -> StoreResult<Statement> {
            let rows = sqlx::query(&sql(
                "SELECT p.id, p.kind, p.declaration_id, p.reference, p.at_us, l.debit, l.credit, l.amount_cents \
                 FROM ledger_postings p JOIN ledger_lines l ON l.posting_id = p.id \
                 WHERE p.trader = $1 AND p.at_us < $2 ORDER BY p.id",
            ))
            .bind(&trader.0)
            .bind(to_us)
            .fetch_all(&self.pool)
            .await?;
            let lines = rows
                .iter()
                .map(|r| {
                    Ok(crate::account::TraderLine {
                        posting_id: r.try_get("id")?,
                        kind: r.try_get("kind")?,
                        declaration_id: r.try_get("declaration_id")?,
                        reference: r.try_get("reference")?,
                        at_us: r.try_get("at_us")?,
                        debit: r.try_get("debit")?,
                        credit: r.try_get("credit")?,
                        amount_cents: r.try_get("amount_cents")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
            crate::account::statement(trader, from_us, to_us, lines)
        }

        async fn ledger_lines(&self, after_posting: i64, limit: i64) -> StoreResult<Vec<StoredLine>> {
            let rows = sqlx::query(&sql(
                "SELECT p.id, p.kind, l.debit, l.credit, l.amount_cents FROM ledger_postings p \
                 JOIN ledger_lines l ON l.posting_id = p.id \
                 WHERE p.id > $1 AND p.id <= (SELECT COALESCE(MAX(id), 0) FROM \
                 (SELECT id FROM ledger_postings WHERE id > $1 ORDER BY id LIMIT $2) AS page) ORDER BY p.id",
            ))
            .bind(after_posting)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(StoredLine {
                        posting_id: r.try_get("id")?,
                        kind: r.try_get("kind")?,
                        debit: r.try_get("debit")?,
                        credit: r.try_get("credit")?,
                        amount_cents: r.try_get("amount_cents")?,
                    })
                })
                .collect()
        }

        async fn ledger_balances(&self) -> StoreResult<Vec<(String, i64)>> {
            let rows = sqlx::query("SELECT account, balance_cents FROM ledger_balances ORDER BY account")
                .fetch_all(&self.pool)
                .await?;
            Ok(rows
                .iter()
                .map(|r| Ok((r.try_get("account")?, r.try_get("balance_cents")?)))
                .collect::<Result<_, sqlx::Error>>()?)
        }

        async fn declaration_money(&self) -> StoreResult<Vec<DeclarationMoney>> {
            let rows = sqlx::query(
                "SELECT d.id, d.state, d.duties_cents, \
                 CAST(COALESCE(SUM(CASE WHEN p.kind = 'reservation' THEN l.amount_cents END), 0) AS BIGINT) AS reserved, \
                 CAST(COALESCE(SUM(CASE WHEN p.kind = 'debit' THEN l.amount_cents END), 0) AS BIGINT) AS debited, \
                 CAST(COALESCE(SUM(CASE WHEN p.kind = 'reservation_release' THEN l.amount_cents END), 0) AS BIGINT) AS released \
                 FROM declarations d LEFT JOIN ledger_postings p ON p.declaration_id = d.id \
                 LEFT JOIN ledger_lines l ON l.posting_id = p.id \
                 WHERE d.duties_cents IS NOT NULL OR p.id IS NOT NULL \
                 GROUP BY d.id, d.state, d.duties_cents ORDER BY d.id",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(DeclarationMoney {
                        id: r.try_get("id")?,
                        state: parse_state(r.try_get("state")?)?,
                        duties_cents: r.try_get("duties_cents")?,
                        reserved: r.try_get("reserved")?,
                        debited: r.try_get("debited")?,
                        released: r.try_get("released")?,
                    })
                })
                .collect()
        }

        async fn add_tariff_entries(
            &self,
            entries: &[NewTariffEntry],
            author: &str,
            at_us: i64,
        ) -> StoreResult<Vec<TariffEntryRecord>> {
            let mut tx = self.begin_write().await?;
            let mut out = Vec::with_capacity(entries.len());
            for e in entries {
                let last: Option<i64> =
                    sqlx::query_scalar(&sql("SELECT MAX(version) FROM tariff_entries WHERE kind = $1 AND key = $2"))
                        .bind(e.kind.as_str())
                        .bind(&e.key)
                        .fetch_one(&mut *tx)
                        .await?;
                let version = last.unwrap_or(0) + 1;
                sqlx::query(&sql(
                    "INSERT INTO tariff_entries (kind, key, version, body, withdrawn, author, created_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                ))
                .bind(e.kind.as_str())
                .bind(&e.key)
                .bind(version)
                .bind(e.body.to_string())
                .bind(e.withdrawn)
                .bind(author)
                .bind(at_us)
                .execute(&mut *tx)
                .await
                .map_err(|err| match is_unique_violation(&err) {
                    true => StoreError::Conflict(format!("tariff entry {} changed concurrently; retry", e.key)),
                    false => StoreError::Database(err),
                })?;
                out.push(TariffEntryRecord {
                    kind: e.kind,
                    key: e.key.clone(),
                    version,
                    body: e.body.clone(),
                    withdrawn: e.withdrawn,
                    author: author.to_string(),
                    created_at_us: at_us,
                });
            }
            tx.commit().await?;
            Ok(out)
        }

        async fn tariff_entries(&self) -> StoreResult<Vec<TariffEntryRecord>> {
            let rows = sqlx::query(
                "SELECT t.* FROM tariff_entries t JOIN (SELECT kind, key, MAX(version) AS version FROM tariff_entries \
                 GROUP BY kind, key) latest ON latest.kind = t.kind AND latest.key = t.key AND latest.version = t.version \
                 ORDER BY t.kind, t.key",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.iter().map(tariff_entry).collect()
        }

        async fn tariff_history(&self, kind: TariffKind, key: &str) -> StoreResult<Vec<TariffEntryRecord>> {
            let rows =
                sqlx::query(&sql("SELECT * FROM tariff_entries WHERE kind = $1 AND key = $2 ORDER BY version"))
                    .bind(kind.as_str())
                    .bind(key)
                    .fetch_all(&self.pool)
                    .await?;
            rows.iter().map(tariff_entry).collect()
        }

        async fn add_price_observations(&self, rows: &[PriceRow], cursor: Option<(&str, &str)>) -> StoreResult<u64> {
            let mut tx = self.begin_write().await?;
            for chunk in rows.chunks(500) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO price_observations (hs6, origin, value_per_kg, value_per_unit, source) ",
                );
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(&r.hs6)
                        .push_bind(&r.origin)
                        .push_bind(r.value_per_kg.map(|d| d.to_string()))
                        .push_bind(r.value_per_unit.map(|d| d.to_string()))
                        .push_bind(&r.source);
                });
                q.build().execute(&mut *tx).await?;
            }
            if let Some((from, to)) = cursor {
                let moved = sqlx::query(&sql(
                    "UPDATE price_cursor SET last_declaration = $1 WHERE id = 1 AND last_declaration = $2",
                ))
                .bind(to)
                .bind(from)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if moved != 1 {
                    return Err(StoreError::Conflict("the price cursor has moved".into()));
                }
            }
            tx.commit().await?;
            Ok(rows.len() as u64)
        }

        async fn inspection_outcomes(&self, after: i64, limit: i64) -> StoreResult<Vec<InspectionRecord>> {
            let rows = sqlx::query(&sql("SELECT * FROM inspection_outcomes WHERE id > $1 ORDER BY id LIMIT $2"))
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            rows.iter()
                .map(|r| {
                    let kinds: String = r.try_get("irregularities")?;
                    let irregularities = kinds
                        .split(',')
                        .filter(|k| !k.is_empty())
                        .map(|k| {
                            serde_json::from_value(serde_json::Value::String(k.to_string()))
                                .map_err(|_| StoreError::Corrupt(format!("unknown irregularity {k:?}")))
                        })
                        .collect::<StoreResult<Vec<_>>>()?;
                    Ok(InspectionRecord {
                        id: r.try_get("id")?,
                        declaration_id: r.try_get("declaration_id")?,
                        declarant: r.try_get("declarant")?,
                        officer: r.try_get("officer")?,
                        released: r.try_get("released")?,
                        irregular: r.try_get("irregular")?,
                        irregularities,
                        additional_duty: smartcustoms_core::ledger::Amount::from_cents(r.try_get("additional_duty_cents")?),
                        source: r.try_get("source")?,
                        at_us: r.try_get("at_us")?,
                    })
                })
                .collect()
        }

        async fn price_observations(&self) -> StoreResult<Vec<PriceRow>> {
            let rows = sqlx::query("SELECT hs6, origin, value_per_kg, value_per_unit, source FROM price_observations")
                .fetch_all(&self.pool)
                .await?;
            let decimal = |s: Option<String>| -> StoreResult<Option<rust_decimal::Decimal>> {
                s.map(|s| s.parse().map_err(|_| StoreError::Corrupt(format!("bad price {s:?}")))).transpose()
            };
            rows.iter()
                .map(|r| {
                    Ok(PriceRow {
                        hs6: r.try_get("hs6")?,
                        origin: r.try_get("origin")?,
                        value_per_kg: decimal(r.try_get("value_per_kg")?)?,
                        value_per_unit: decimal(r.try_get("value_per_unit")?)?,
                        source: r.try_get("source")?,
                    })
                })
                .collect()
        }

        async fn risk_cases(&self, from_us: i64, limit: i64) -> StoreResult<Vec<StoredCase>> {
            let rows = sqlx::query(&sql(
                "SELECT d.id, d.declarant, d.received_at_us, d.state, d.lane, d.document, d.duties, d.decision, \
                 o.irregular, o.additional_duty_cents FROM declarations d \
                 LEFT JOIN inspection_outcomes o ON o.declaration_id = d.id \
                 WHERE d.lane IS NOT NULL AND d.received_at_us >= $1 ORDER BY d.received_at_us DESC, d.id DESC LIMIT $2",
            ))
            .bind(from_us)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            let mut cases = rows
                .iter()
                .map(|r| {
                    Ok(StoredCase {
                        id: r.try_get("id")?,
                        declarant: r.try_get("declarant")?,
                        received_at_us: r.try_get("received_at_us")?,
                        state: r.try_get("state")?,
                        lane: r.try_get("lane")?,
                        document: r.try_get("document")?,
                        duties: r.try_get("duties")?,
                        decision: r.try_get("decision")?,
                        irregular: r.try_get("irregular")?,
                        additional_duty_cents: r.try_get("additional_duty_cents")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
            cases.reverse();
            Ok(cases)
        }

        async fn next_risk_model_version(&self) -> StoreResult<i64> {
            let last: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM risk_models").fetch_one(&self.pool).await?;
            Ok(last.unwrap_or(0) + 1)
        }

        async fn add_risk_model(&self, m: &NewRiskModel) -> StoreResult<()> {
            let mut tx = self.begin_write().await?;
            if m.promoted {
                sqlx::query(&sql("UPDATE risk_models SET active = $1 WHERE active = $2"))
                    .bind(false)
                    .bind(true)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(&sql(
                "INSERT INTO risk_models (version, trained_at_us, promoted, active, reason, info, document) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            ))
            .bind(m.version)
            .bind(m.trained_at_us)
            .bind(m.promoted)
            .bind(m.promoted)
            .bind(&m.reason)
            .bind(&m.info)
            .bind(&m.document)
            .execute(&mut *tx)
            .await
            .map_err(|err| match is_unique_violation(&err) {
                true => StoreError::Conflict(format!("model version {} was taken meanwhile; retry", m.version)),
                false => StoreError::Database(err),
            })?;
            tx.commit().await?;
            Ok(())
        }

        async fn risk_models(&self) -> StoreResult<Vec<RiskModelRecord>> {
            let rows = sqlx::query(
                "SELECT version, trained_at_us, promoted, active, reason, info FROM risk_models ORDER BY version DESC",
            )
            .fetch_all(&self.pool)
            .await?;
            rows.iter()
                .map(|r| {
                    let info: String = r.try_get("info")?;
                    Ok(RiskModelRecord {
                        version: r.try_get("version")?,
                        trained_at_us: r.try_get("trained_at_us")?,
                        promoted: r.try_get("promoted")?,
                        active: r.try_get("active")?,
                        reason: r.try_get("reason")?,
                        info: serde_json::from_str(&info).map_err(|e| StoreError::Corrupt(format!("model info: {e}")))?,
                    })
                })
                .collect()
        }

        async fn active_risk_model(&self) -> StoreResult<Option<(i64, String)>> {
            let row = sqlx::query(&sql("SELECT version, document FROM risk_models WHERE active = $1"))
                .bind(true)
                .fetch_optional(&self.pool)
                .await?;
            Ok(row.map(|r| Ok::<_, sqlx::Error>((r.try_get("version")?, r.try_get("document")?))).transpose()?)
        }

        async fn risk_model_document(&self, version: i64) -> StoreResult<Option<String>> {
            Ok(sqlx::query_scalar(&sql("SELECT document FROM risk_models WHERE version = $1"))
                .bind(version)
                .fetch_optional(&self.pool)
                .await?)
        }

        async fn replace_operator_categories(&self, rows: &[(String, String, String)], at_us: i64) -> StoreResult<()> {
            let mut tx = self.begin_write().await?;
            sqlx::query("DELETE FROM operator_categories").execute(&mut *tx).await?;
            for chunk in rows.chunks(500) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO operator_categories (party, category, record, computed_at_us) ");
                q.push_values(chunk, |mut b, (party, category, record)| {
                    b.push_bind(party).push_bind(category).push_bind(record).push_bind(at_us);
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        }

        async fn operator_categories(&self) -> StoreResult<Vec<(String, String, String)>> {
            let rows = sqlx::query("SELECT party, category, record FROM operator_categories ORDER BY party")
                .fetch_all(&self.pool)
                .await?;
            Ok(rows
                .iter()
                .map(|r| Ok((r.try_get("party")?, r.try_get("category")?, r.try_get("record")?)))
                .collect::<Result<_, sqlx::Error>>()?)
        }

        async fn add_aeo(&self, party: &str, reference: &str, at_us: i64) -> StoreResult<()> {
            sqlx::query(&sql(
                "INSERT INTO aeo_holders (party, reference, added_at_us) VALUES ($1, $2, $3) \
                 ON CONFLICT (party) DO UPDATE SET reference = excluded.reference",
            ))
            .bind(party)
            .bind(reference)
            .bind(at_us)
            .execute(&self.pool)
            .await?;
            Ok(())
        }

        async fn aeo_holders(&self) -> StoreResult<Vec<String>> {
            Ok(sqlx::query_scalar("SELECT party FROM aeo_holders ORDER BY party").fetch_all(&self.pool).await?)
        }

        async fn import_outcome(&self, o: &ImportedOutcome) -> StoreResult<ImportResult> {
            let mut tx = self.begin_write().await?;
            let declaration = sqlx::query(&sql("SELECT declarant, lane FROM declarations WHERE id = $1"))
                .bind(&o.declaration_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(declaration) = declaration else { return Ok(ImportResult::UnknownDeclaration) };
            let lane: Option<String> = declaration.try_get("lane")?;
            if lane.is_none() {
                return Ok(ImportResult::NotRegistered);
            }
            let kinds: Vec<String> = o
                .outcome
                .irregularities
                .iter()
                .map(|k| serde_json::to_value(k).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default())
                .collect();
            let inserted = sqlx::query(&sql(
                "INSERT INTO inspection_outcomes (declaration_id, declarant, officer, released, irregular, irregularities, \
                 additional_duty_cents, source, at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (declaration_id) DO NOTHING",
            ))
            .bind(&o.declaration_id)
            .bind(declaration.try_get::<String, _>("declarant")?)
            .bind(&o.source)
            .bind(true)
            .bind(o.outcome.is_irregular())
            .bind(kinds.join(","))
            .bind(o.outcome.additional_duty.cents())
            .bind(&o.source)
            .bind(o.at_us)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            tx.commit().await?;
            Ok(if inserted == 1 { ImportResult::Recorded } else { ImportResult::AlreadyRecorded })
        }

        async fn price_cursor(&self) -> StoreResult<String> {
            Ok(sqlx::query_scalar("SELECT last_declaration FROM price_cursor WHERE id = 1").fetch_one(&self.pool).await?)
        }

        async fn price_sources(&self, after: &str, limit: i64) -> StoreResult<Vec<(String, Vec<u8>, Option<String>)>> {
            let rows = sqlx::query(&sql(
                "SELECT id, document, duties FROM declarations WHERE state = 'released' \
                 AND id > $1 ORDER BY id LIMIT $2",
            ))
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            Ok(rows
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("document")?, r.try_get("duties")?)))
                .collect::<Result<_, sqlx::Error>>()?)
        }
        }
    };
}

pub(crate) use shared_queries;
