//! The steps the transit area's writing transactions are made of: the lock that orders
//! writers, the declarant's ledger inside the transaction and its postings, the guarantee
//! certificate locked and updated, a movement read (locked) and a row of its timeline with its
//! audit entry. Expanded into each backend with [`crate::transit::transit_queries`].

/// Defines the transit writing steps for a backend, where the identity area's
/// `append_identity_audit` is in scope. Needs in scope: `sql(&str) -> Cow<str>`; `$lock` locks
/// the rows a `SELECT` reads (`FOR UPDATE` or nothing).
macro_rules! transit_writes {
    ($store:ty, $lock:literal) => {
        type TransitTx = sqlx::Transaction<'static, <$store as crate::identity::Backend>::Db>;

        /// Takes the lock that orders writing transactions (the audit head), before anything
        /// is read, as every writing transaction does.
        async fn lock_writers(tx: &mut TransitTx) -> StoreResult<()> {
            sqlx::query(concat!("SELECT seq FROM audit_head WHERE id = 1", $lock)).fetch_one(&mut **tx).await?;
            Ok(())
        }

        /// The ledger of `trader`'s accounts as they stand inside `tx`.
        async fn transit_ledger(tx: &mut TransitTx, trader: &TraderId) -> StoreResult<crate::money::Ledger> {
            let accounts = crate::money::accounts_of([trader]);
            let mut balances = Vec::with_capacity(accounts.len());
            for account in accounts {
                let cents: Option<i64> =
                    sqlx::query_scalar(&sql("SELECT balance_cents FROM ledger_balances WHERE account = $1"))
                        .bind(&account)
                        .fetch_optional(&mut **tx)
                        .await?;
                balances.push((account, cents.unwrap_or(0)));
            }
            let last: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM ledger_postings").fetch_one(&mut **tx).await?;
            crate::money::Ledger::new(balances, last)
        }

        /// Writes the postings of a ledger and the balances they changed.
        async fn write_ledger(tx: &mut TransitTx, ledger: crate::money::Ledger) -> StoreResult<()> {
            let (postings, balances) = ledger.finish();
            for p in &postings {
                sqlx::query(&sql(
                    "INSERT INTO ledger_postings (id, kind, trader, declaration_id, reference, at_us, actor) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                ))
                .bind(p.id)
                .bind(p.posting.kind.as_str())
                .bind(p.posting.trader.to_string())
                .bind(p.posting.declaration.clone())
                .bind(p.posting.reference.clone())
                .bind(p.at_us.as_micros())
                .bind(&p.actor)
                .execute(&mut **tx)
                .await?;
                for l in &p.posting.lines {
                    sqlx::query(&sql(
                        "INSERT INTO ledger_lines (posting_id, debit, credit, amount_cents) VALUES ($1, $2, $3, $4)",
                    ))
                    .bind(p.id)
                    .bind(l.debit.key())
                    .bind(l.credit.key())
                    .bind(l.amount.cents())
                    .execute(&mut **tx)
                    .await?;
                }
            }
            for (account, cents) in balances {
                sqlx::query(&sql(
                    "INSERT INTO ledger_balances (account, balance_cents) VALUES ($1, $2) \
                     ON CONFLICT (account) DO UPDATE SET balance_cents = excluded.balance_cents",
                ))
                .bind(account)
                .bind(cents)
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }

        /// A certificate inside `tx`, locked.
        async fn locked_certificate(
            tx: &mut TransitTx,
            reference: &str,
        ) -> StoreResult<Option<(String, smartcustoms_core::transit::guarantee::Certificate)>> {
            let row: Option<(String, String, i64, i64)> = sqlx::query_as(&sql(concat!(
                "SELECT holder, digest, limit_cents, balance_cents FROM guarantee_certificates WHERE reference = $1",
                $lock
            )))
            .bind(reference)
            .fetch_optional(&mut **tx)
            .await?;
            let Some((holder, digest, limit, balance)) = row else { return Ok(None) };
            let digest: [u8; 32] = hex::decode(&digest)
                .ok()
                .and_then(|d| d.try_into().ok())
                .ok_or_else(|| crate::StoreError::Corrupt(format!("certificate {reference}: digest unreadable")))?;
            let certificate = smartcustoms_core::transit::guarantee::Certificate::from_parts(
                reference,
                digest,
                smartcustoms_core::ledger::Amount::from_cents(limit),
                smartcustoms_core::ledger::Amount::from_cents(balance),
            )
            .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
            Ok(Some((holder, certificate)))
        }

        async fn set_certificate_balance(
            tx: &mut TransitTx,
            certificate: &smartcustoms_core::transit::guarantee::Certificate,
        ) -> StoreResult<()> {
            sqlx::query(&sql("UPDATE guarantee_certificates SET balance_cents = $1 WHERE reference = $2"))
                .bind(certificate.balance().cents())
                .bind(certificate.reference())
                .execute(&mut **tx)
                .await?;
            Ok(())
        }

        /// Appends a row to a movement's timeline and writes its audit entry.
        async fn transit_event_row(
            tx: &mut TransitTx,
            record: &crate::transit::TransitRecord,
            event: &str,
            from: &str,
            actor: &str,
            details: serde_json::Value,
            at: Timestamp,
        ) -> StoreResult<()> {
            sqlx::query(&sql(
                "INSERT INTO transit_events (transit_id, n, at_us, event, from_state, to_state, actor, details) \
                 SELECT $1, COALESCE(MAX(n), 0) + 1, $2, $3, $4, $5, $6, $7 FROM transit_events WHERE transit_id = $1",
            ))
            .bind(&record.id)
            .bind(at.as_micros())
            .bind(event)
            .bind(from)
            .bind(&record.state)
            .bind(actor)
            .bind(details.to_string())
            .execute(&mut **tx)
            .await?;
            let audit = serde_json::json!({
                "transit": record.id, "mrn": record.mrn, "event": event, "from": from, "to": record.state,
                "guarantee": record.guarantee_hold, "details": details,
            });
            let action = smartcustoms_core::audit::Action::TransitStateChanged;
            append_identity_audit(tx, crate::identity::identity_entry(at, actor, action, audit)).await
        }

        async fn read_transit(
            executor: impl sqlx::Executor<'_, Database = <$store as crate::identity::Backend>::Db>,
            id_or_mrn: &str,
            lock: bool,
        ) -> StoreResult<Option<crate::transit::TransitRecord>> {
            let text = format!(
                "SELECT {} FROM transits WHERE id = $1 OR mrn = $1{}",
                crate::transit::TRANSIT_COLUMNS,
                if lock { $lock } else { "" }
            );
            Ok(sqlx::query_as(&sql(&text)).bind(id_or_mrn).fetch_optional(executor).await?)
        }
    };
}

pub(crate) use transit_writes;
