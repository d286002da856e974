//! Queries whose SQL is the same on both backends, written once with `$n` placeholders
//! (`sql()` of each backend adapts them) and expanded into each backend's `Store` impl.

/// Implements [`crate::Queries`] for a backend.
/// Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`, `Row`.
macro_rules! shared_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::Queries for $store {
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

        async fn add_price_observations(&self, rows: &[PriceRow], cursor: Option<&str>) -> StoreResult<u64> {
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
            if let Some(cursor) = cursor {
                sqlx::query(&sql("UPDATE price_cursor SET last_declaration = $1 WHERE id = 1"))
                    .bind(cursor)
                    .execute(&mut *tx)
                    .await?;
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

        async fn price_sources(&self, limit: i64) -> StoreResult<Vec<(String, Vec<u8>, Option<String>)>> {
            let rows = sqlx::query(&sql(
                "SELECT id, document, duties FROM declarations WHERE state = 'released' \
                 AND id > (SELECT last_declaration FROM price_cursor WHERE id = 1) ORDER BY id LIMIT $1",
            ))
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
