//! Store conformance: the same story on SQLite and, when `DATABASE_URL_PG` is set, PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;

use smartcustoms_core::audit;
use smartcustoms_core::flc;
use smartcustoms_core::ids::{DeclarationId, TraderId};
use smartcustoms_core::ledger::Amount;
use smartcustoms_core::registration::{self, Filing as CoreFiling};
use smartcustoms_core::simulate::{self, World};
use smartcustoms_core::tariff::{self, Tariff};
use smartcustoms_core::timestamp::Timestamp;
use smartcustoms_core::valuation::PriceReference;
use smartcustoms_core::workflow::State;
use smartcustoms_storage::{
    Deposit, Filing, ListQuery, MoneyColumns, NewProfile, Recorded, Refund, ReservationRequest, Store, StoreError,
};

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn demo_tariff() -> &'static Tariff {
    static TARIFF: std::sync::OnceLock<Tariff> = std::sync::OnceLock::new();
    TARIFF.get_or_init(|| Tariff::from_file(tariff::demo()).unwrap())
}

fn deposit(trader: &str, cents: i64, reference: &str) -> Deposit {
    Deposit {
        trader: TraderId::new(trader).unwrap(),
        amount: Amount::from_cents(cents),
        reference: reference.into(),
        actor: "bank".into(),
        at_us: Timestamp::now(),
        date: today(),
    }
}

/// Gives the declarant of `world` enough money for every test filing.
async fn fund(store: &dyn Store, world: &World) {
    store.deposit(&deposit(&world.declarants[0].id, 1_000_000_000 * 100, "FUND-1")).await.unwrap();
}

fn filing(world: &World, seed: u64, key: Option<&str>, signed: bool) -> Filing {
    filing_of(world, world.declaration(&mut simulate::rng(seed), &world.declarants[0], today(), 3), key, signed)
}

/// The filing of `doc` by the first declarant of `world`, decided without profiles.
fn filing_of(
    world: &World,
    doc: smartcustoms_core::declaration::DeclarationDoc,
    key: Option<&str>,
    signed: bool,
) -> Filing {
    let party = &world.declarants[0];
    let ctx = flc::Context { today: today(), offices: world.offices.clone() };
    let signature = if signed { Ok(()) } else { Err(smartcustoms_core::signature::SignatureError::Missing) };
    let prices = PriceReference::default();
    let decision = registration::decide(CoreFiling {
        doc: &doc,
        flc: &ctx,
        signature,
        profiles: &[],
        tariff: demo_tariff(),
        prices: &prices,
        risk: smartcustoms_core::risk::RiskContext::default(),
        date: today(),
        pre_arrival: None,
        partner_exports: &[],
    });
    Filing {
        id: DeclarationId::generate(),
        declarant: TraderId::new(party.id.clone()).unwrap(),
        representative: None,
        hs_codes: None,
        transport_means: None,
        transport_mode: None,
        idempotency_key: key.map(str::to_string),
        document: serde_json::to_vec(&doc).unwrap(),
        document_sha256: "00".into(),
        signature: None,
        office: doc.office.clone(),
        location_of_goods: doc.location_of_goods.clone(),
        money: MoneyColumns::of(&decision).unwrap(),
        decision,
        at_us: Timestamp::now(),
        date: today(),
        permit_needs: Vec::new(),
        original: None,
    }
}

async fn verify_chain(store: &dyn Store) -> Result<i64, audit::BrokenLink> {
    let entries = store.audit_page(0, 1_000_000).await.unwrap();
    audit::verify(&entries)
}

/// Every registered declaration of `declarant` has the lane and release times its audit
/// entries record, and the release-time figures read exactly those.
async fn step_times_follow_the_audit(store: &dyn Store, declarant: &str) {
    let query = ListQuery { declarant: Some(TraderId::new(declarant).unwrap()), limit: 500, ..Default::default() };
    let mut expected = Vec::new();
    for s in store.list_declarations(&query).await.unwrap().iter().filter(|s| s.registered_at_us.is_some()) {
        let events = store.declaration_events(s.id).await.unwrap();
        let first = |action: &str| events.iter().filter(|e| e.action.as_str() == action).map(|e| e.at_us).min();
        expected.push((s.received_at_us, first("lane_assigned"), first("released")));
    }
    let times = store.step_times(Timestamp::EPOCH, Timestamp::from_micros(i64::MAX)).await.unwrap();
    let mut got: Vec<_> = times.iter().map(|t| (t.received_at_us, t.lane_at_us, t.released_at_us)).collect();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    assert!(got.iter().any(|(_, lane, released)| lane.is_some() && released.is_some()), "{got:?}");
}

async fn story(store: &dyn Store) {
    let world = World::demo(1);
    fund(store, &world).await;
    // A batch: two registered (green, no profiles), one refused, one repeat of a key in the batch.
    let batch = vec![
        filing(&world, 1, Some("k1"), true),
        filing(&world, 2, None, true),
        filing(&world, 3, None, false),
        filing(&world, 4, Some("k1"), true),
    ];
    let out = store.record_batch(batch.clone().into()).await.unwrap();
    assert!(matches!(out[0], Recorded::Created(_)));
    assert_eq!(out[2].summary().state, State::Refused);
    assert_eq!(out[2].summary().registration_number, None);
    assert!(matches!(&out[3], Recorded::Duplicate(s) if s.id == out[0].summary().id), "in-batch repeat of a key");
    let n0 = out[0].summary().registration_number.clone().unwrap();
    assert_eq!(out[0].summary().state, State::Released);

    // The key is remembered across batches.
    let again = store.record_batch([filing(&world, 5, Some("k1"), true)].into()).await.unwrap();
    assert!(matches!(&again[0], Recorded::Duplicate(s) if s.id == out[0].summary().id));

    // Numbers: office/day sequences never repeat.
    let many: Vec<Filing> = (10..60).map(|s| filing(&world, s, None, true)).collect();
    let out2 = store.record_batch(many.into()).await.unwrap();
    let mut numbers: Vec<String> = out
        .iter()
        .chain(&out2)
        .filter(|r| matches!(r, Recorded::Created(_)))
        .filter_map(|r| r.summary().registration_number.clone().map(|n| n.to_string()))
        .collect();
    numbers.sort();
    let before = numbers.len();
    numbers.dedup();
    assert_eq!(before, numbers.len(), "registration numbers are unique");
    assert!(numbers.contains(&n0.to_string()));

    // Reading back.
    let rec = store.declaration(out[2].summary().id).await.unwrap().unwrap();
    assert_eq!(rec.reasons[0].code, "SIG_001");
    let events = store.declaration_events(out[0].summary().id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["submitted", "registered", "lane_assigned", "released"]);
    assert!(store.release_document(out[0].summary().id).await.unwrap().is_some());
    let mine = store
        .list_declarations(&ListQuery {
            declarant: Some(TraderId::new(world.declarants[0].id.clone()).unwrap()),
            limit: 500,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(mine.len(), 53);
    let none = store
        .list_declarations(&ListQuery {
            declarant: Some(TraderId::new("XX0").unwrap()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
    let counts: i64 = store.counts().await.unwrap().iter().map(|c| c.count).sum();
    assert_eq!(counts, 53);

    // Notifications for the warehouses, one per release.
    let released =
        out.iter().chain(&out2).filter(|r| matches!(r, Recorded::Created(s) if s.state == State::Released)).count();
    let mut notified = 0;
    for w in &world.warehouses {
        notified += store.notifications(w, 0, 1000).await.unwrap().len();
    }
    assert_eq!(notified, released);

    // The chain verifies, and the log refuses to be rewritten.
    assert_eq!(verify_chain(store).await.map(|n| n > 0), Ok(true));

    // Profiles are versioned.
    let p1 = store
        .add_profile(&NewProfile {
            code: "RP-1".into(),
            source: "a".into(),
            author: "x".into(),
            created_at_us: Timestamp::from_micros(1),
        })
        .await
        .unwrap();
    let p2 = store
        .add_profile(&NewProfile {
            code: "RP-1".into(),
            source: "b".into(),
            author: "x".into(),
            created_at_us: Timestamp::from_micros(2),
        })
        .await
        .unwrap();
    assert_eq!((p1.version, p2.version), (1, 2));
    let current = store.current_profiles().await.unwrap();
    assert_eq!(current.iter().find(|p| p.code == "RP-1").map(|p| p.source.as_str()), Some("b"));
    assert_eq!(store.profile_versions("RP-1").await.unwrap().len(), 2);

    // A batch spread over several days (a bulk load) allocates each day's sequence at once,
    // and continues a sequence a former batch began.
    let spread: Vec<Filing> = (60..72)
        .map(|s| {
            let mut f = filing(&world, s, None, true);
            f.at_us = f.at_us - chrono::TimeDelta::days(i64::try_from(s % 4).unwrap_or(0));
            f
        })
        .collect();
    let out3 = store.record_batch(spread.into()).await.unwrap();
    let created: Vec<String> = out3
        .iter()
        .filter(|r| matches!(r, Recorded::Created(_)))
        .filter_map(|r| r.summary().registration_number.clone().map(|n| n.to_string()))
        .collect();
    assert_eq!(created.len(), 12, "every filing of the spread batch is registered: {out3:?}");
    numbers.extend(created);
    let before = numbers.len();
    numbers.sort();
    numbers.dedup();
    assert_eq!(before, numbers.len(), "registration numbers stay unique across days and batches");
    step_times_follow_the_audit(store, &world.declarants[0].id).await;
}

#[tokio::test]
async fn the_store_story_holds_on_every_backend() {
    for (backend, db) in smartcustoms_testkit::all_dbs("store story").await {
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        story(store.as_ref()).await;
        eprintln!("store story passed on {backend}");
    }
}

#[tokio::test]
async fn the_audit_log_cannot_be_updated_and_a_forged_entry_is_found() {
    for (backend, db) in smartcustoms_testkit::all_dbs("audit tamper").await {
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        let world = World::demo(1);
        fund(store.as_ref(), &world).await;
        let batch: Vec<Filing> = (0..5).map(|s| filing(&world, s, None, true)).collect();
        store.record_batch(batch.clone().into()).await.unwrap();
        let n = verify_chain(store.as_ref()).await.unwrap();
        assert_eq!(n, 21, "{backend}: the deposit, then four entries per released declaration");

        // The append-only trigger refuses a plain update.
        let (update, drop_trigger) = if backend == "sqlite" {
            ("UPDATE audit_log SET details = '{}' WHERE seq = 7", "DROP TRIGGER audit_log_no_update")
        } else {
            ("UPDATE audit_log SET details = '{}' WHERE seq = 7", "DROP TRIGGER audit_log_no_update ON audit_log")
        };
        let exec = |sql: &'static str| {
            let url = db.url.clone();
            async move {
                if url.starts_with("sqlite:") {
                    use sqlx::Connection;
                    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
                    sqlx::query(sql).execute(&mut c).await.map(|_| ())
                } else {
                    use sqlx::Connection;
                    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                    sqlx::query(sql).execute(&mut c).await.map(|_| ())
                }
            }
        };
        assert!(exec(update).await.is_err(), "{backend}: the audit log must refuse updates");
        // Someone with database rights removes the trigger and forges entry 7: verify finds it.
        exec(drop_trigger).await.unwrap();
        exec(update).await.unwrap();
        let broken = verify_chain(store.as_ref()).await.unwrap_err();
        assert_eq!(broken.seq, 7, "{backend}");
    }
}

#[tokio::test]
async fn concurrent_batches_never_share_a_registration_number() {
    for (backend, db) in smartcustoms_testkit::all_dbs("concurrent numbering").await {
        // Two independent stores on one database behave like two server processes.
        let a = smartcustoms_storage::open(&db.url).await.unwrap();
        let b = smartcustoms_storage::open(&db.url).await.unwrap();
        let world = World::demo(1);
        fund(a.as_ref(), &world).await;
        let mut tasks = Vec::new();
        for (i, store) in [a.clone(), b.clone(), a, b].into_iter().enumerate() {
            let world = world.clone();
            tasks.push(tokio::spawn(async move {
                let mut numbers = Vec::new();
                for round in 0..10u64 {
                    let batch: Vec<Filing> =
                        (0..10).map(|s| filing(&world, 1000 * i as u64 + 10 * round + s, None, true)).collect();
                    for r in store.record_batch(batch.clone().into()).await.unwrap() {
                        numbers.extend(r.summary().registration_number.clone().map(|n| n.to_string()));
                    }
                }
                numbers
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        let total = all.len();
        all.sort();
        all.dedup();
        assert_eq!(total, 400, "{backend}");
        assert_eq!(all.len(), total, "{backend}: duplicate registration numbers");
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        assert!(verify_chain(store.as_ref()).await.is_ok(), "{backend}: one consistent chain");
    }
}

async fn money_story(store: &dyn Store) {
    let world = World::demo(1);
    let trader = world.declarants[0].id.clone();
    // No money: the declaration meets every condition but the last and waits.
    let f = filing(&world, 7, None, true);
    let duties = match &f.decision {
        registration::Decision::Accepted(a) => a.registrable.taxes.total(),
        other => panic!("expected an accepted declaration, got {other:?}"),
    };
    assert!(duties.cents() > 0, "the demo tariff charges VAT at least");
    let out = store.record_batch([f.clone()].into()).await.unwrap();
    let s = out[0].summary();
    assert_eq!((s.state, s.lane, s.registration_number.as_ref()), (State::AwaitingPayment, None, None));
    let account = store.account(&TraderId::new(trader.clone()).unwrap()).await.unwrap();
    assert_eq!(account.awaiting_payment.len(), 1);
    assert_eq!(account.awaiting_payment[0].missing, duties);

    // A deposit short of the duties changes nothing but the balance.
    let short = Amount::from_cents(duties.cents() - 1);
    let o = store.deposit(&deposit(&trader, short.cents(), "PAY-1")).await.unwrap();
    assert!(o.registered.is_empty() && !o.duplicate);
    let account = store.account(&TraderId::new(trader.clone()).unwrap()).await.unwrap();
    assert_eq!(account.awaiting_payment[0].missing, Amount::from_cents(1));

    // The bank repeats its notice: nothing changes; the same reference with another amount is refused.
    assert!(store.deposit(&deposit(&trader, short.cents(), "PAY-1")).await.unwrap().duplicate);
    assert!(matches!(store.deposit(&deposit(&trader, 5, "PAY-1")).await, Err(StoreError::Conflict(_))));

    // The next cent registers and releases it, with the duties reserved and debited.
    let o = store.deposit(&deposit(&trader, 1, "PAY-2")).await.unwrap();
    assert_eq!(o.registered.len(), 1);
    assert_eq!(o.registered[0].state, State::Released);
    assert!(o.registered[0].registration_number.is_some());
    assert_eq!((o.balance.available, o.balance.reserved), (Amount::ZERO, Amount::ZERO));
    let events = store.declaration_events(s.id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["submitted", "awaiting_payment", "registered", "lane_assigned", "released"]);
    assert!(store.release_document(s.id).await.unwrap().is_some());

    // Refunds: never more than available.
    store.deposit(&deposit(&trader, 10 * 100, "PAY-3")).await.unwrap();
    let refund = |cents: i64, reference: &str| Refund {
        trader: TraderId::new(trader.clone()).unwrap(),
        amount: Amount::from_cents(cents),
        reference: reference.into(),
        actor: "trader".into(),
        at_us: Timestamp::now(),
    };
    let short = store.refund(&refund(10 * 100 + 1, "R-1")).await.unwrap().unwrap_err();
    assert_eq!(short.missing(), Amount::from_cents(1));
    let done = store.refund(&refund(10 * 100, "R-2")).await.unwrap().unwrap();
    assert_eq!(done.balance.available, Amount::ZERO);
    assert!(matches!(store.refund(&refund(1, "R-2")).await, Err(StoreError::Conflict(_))));

    // The statement shows every posting with running balances.
    let st = store
        .statement(&TraderId::new(trader.clone()).unwrap(), Timestamp::EPOCH, Timestamp::from_micros(i64::MAX))
        .await
        .unwrap();
    let kinds: Vec<&str> = st.entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["deposit", "deposit", "reservation", "debit", "deposit", "refund"]);
    assert_eq!(st.closing.available, Amount::ZERO);

    // Balances follow from the lines, and the bank holds exactly the revenue.
    let balances = store.ledger_balances().await.unwrap();
    let get = |k: &str| balances.iter().find(|(a, _)| a == k).map(|(_, c)| *c).unwrap_or(0);
    let revenue = get("revenue/duty") + get("revenue/excise") + get("revenue/vat");
    assert_eq!(revenue, duties.cents());
    assert_eq!(get("bank"), revenue);
    step_times_follow_the_audit(store, &trader).await;
}

#[tokio::test]
async fn money_waits_registers_on_payment_and_always_balances() {
    for (backend, db) in smartcustoms_testkit::all_dbs("money story").await {
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        money_story(store.as_ref()).await;
        eprintln!("money story passed on {backend}");
    }
}

#[tokio::test]
async fn a_hot_account_is_never_overdrawn_by_concurrent_reservations() {
    for (backend, db) in smartcustoms_testkit::all_dbs("hot account").await {
        // Two stores on one database behave like two server processes.
        let a = smartcustoms_storage::open(&db.url).await.unwrap();
        let b = smartcustoms_storage::open(&db.url).await.unwrap();
        a.deposit(&deposit("HOT", 100 * 100, "HOT-1")).await.unwrap();
        let mut tasks = Vec::new();
        for (i, store) in [a.clone(), b.clone(), a.clone(), b.clone()].into_iter().enumerate() {
            tasks.push(tokio::spawn(async move {
                let mut granted = 0;
                for round in 0..20 {
                    let requests: Vec<ReservationRequest> = (0..5)
                        .map(|k| ReservationRequest {
                            trader: TraderId::new("HOT").unwrap(),
                            reference: format!("r-{i}-{round}-{k}"),
                            amount: Amount::from_cents(100),
                            at_us: Timestamp::EPOCH,
                        })
                        .collect();
                    granted += store.reserve_batch(&requests).await.unwrap().iter().filter(|r| r.is_ok()).count();
                }
                granted
            }));
        }
        let mut granted = 0;
        for t in tasks {
            granted += t.await.unwrap();
        }
        assert_eq!(granted, 100, "{backend}: 400 reservations of 1.00 against 100.00");
        let account = a.account(&TraderId::new("HOT").unwrap()).await.unwrap();
        assert_eq!(
            (account.balance.available, account.balance.reserved),
            (Amount::ZERO, Amount::from_cents(100 * 100))
        );
    }
}

#[tokio::test]
async fn a_filing_the_database_refuses_does_not_take_its_batch_down() {
    use smartcustoms_storage::{GroupCommit, GroupCommitConfig};
    for (backend, db) in smartcustoms_testkit::all_dbs("batch isolation").await {
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        let world = World::demo(1);
        fund(store.as_ref(), &world).await;
        let first = filing(&world, 1, None, true);
        let taken = first.id;
        store.record_batch([first].into()).await.unwrap();
        let commit = GroupCommit::start(store.clone(), GroupCommitConfig::default());
        let mut bad = filing(&world, 2, None, true);
        bad.id = taken; // the primary key is taken: every backend refuses this row
        let mut filings = vec![bad];
        let mut nul = filing(&world, 3, None, false);
        nul.office = Some("DE00\u{0}5000".into()); // PostgreSQL refuses text with NUL
        filings.push(nul);
        filings.extend((10..40).map(|s| filing(&world, s, None, true)));
        let waits: Vec<_> = filings
            .into_iter()
            .map(|f| {
                let commit = commit.clone();
                tokio::spawn(async move { commit.record(f).await.is_ok() })
            })
            .collect();
        let mut outcomes = Vec::new();
        for w in waits {
            outcomes.push(w.await.unwrap());
        }
        assert!(!outcomes[0], "{backend}: a taken id is refused");
        assert!(outcomes[2..].iter().all(|ok| *ok), "{backend}: every clean filing is recorded: {outcomes:?}");
        let stored = store.list_declarations(&ListQuery { limit: 100, ..ListQuery::default() }).await.unwrap();
        let expected = 1 + 30 + usize::from(outcomes[1]);
        assert_eq!(stored.len(), expected, "{backend}");
        assert!(verify_chain(store.as_ref()).await.is_ok(), "{backend}: one consistent chain");
    }
}

#[tokio::test]
async fn a_job_is_claimed_by_one_process_per_period_on_every_backend() {
    use smartcustoms_storage::{Claim, JobRun};
    for (backend, db) in smartcustoms_testkit::all_dbs("job claims").await {
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        let claim = |holder: &'static str, now_us: i64, every_us: i64| Claim {
            name: "retrain",
            holder,
            now_us: Timestamp::from_micros(now_us),
            lease_us: 1_000,
            every_us,
        };
        assert!(store.claim_job(claim("a", 10_000, 5_000)).await.unwrap(), "{backend}: first claim");
        assert!(!store.claim_job(claim("b", 10_000, 5_000)).await.unwrap(), "{backend}: held by a");
        assert!(!store.claim_job(claim("b", 12_000, 5_000)).await.unwrap(), "{backend}: lease over, not due");
        let run = JobRun {
            name: "retrain".into(),
            holder: "a".into(),
            started_at_us: Timestamp::from_micros(10_000),
            finished_at_us: Timestamp::from_micros(10_500),
            outcome: "done".into(),
        };
        store.finish_job(&run).await.unwrap();
        assert!(!store.claim_job(claim("b", 14_999, 5_000)).await.unwrap(), "{backend}: not due yet");
        assert!(store.claim_job(claim("b", 15_000, 5_000)).await.unwrap(), "{backend}: due, and b wins");
        // A continuous job (every 0) stays with its holder while it renews its lease.
        let webhook = |holder: &'static str, now_us: i64| Claim {
            name: "webhook",
            holder,
            now_us: Timestamp::from_micros(now_us),
            lease_us: 1_000,
            every_us: 0,
        };
        assert!(store.claim_job(webhook("a", 20_000)).await.unwrap());
        assert!(store.claim_job(webhook("a", 20_500)).await.unwrap(), "{backend}: renewed");
        assert!(!store.claim_job(webhook("b", 21_000)).await.unwrap(), "{backend}: still a's");
        assert!(store.claim_job(webhook("b", 21_500)).await.unwrap(), "{backend}: a stopped renewing");
        assert_eq!(store.job_runs("retrain").await.unwrap().len(), 1, "{backend}");
    }
}

#[tokio::test]
async fn the_price_cursor_moves_only_from_where_it_stands() {
    for (backend, db) in smartcustoms_testkit::all_dbs("price cursor").await {
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        let row = smartcustoms_storage::PriceRow {
            hs6: "010121".into(),
            origin: "FR".into(),
            value_per_kg: None,
            value_per_unit: None,
            source: "declaration".into(),
        };
        assert_eq!(store.price_cursor().await.unwrap(), "");
        store.add_price_observations(std::slice::from_ref(&row), Some(("", "b"))).await.unwrap();
        // A second process that read the cursor before the move adds nothing.
        let late = store.add_price_observations(std::slice::from_ref(&row), Some(("", "b"))).await;
        assert!(matches!(late, Err(smartcustoms_storage::StoreError::Conflict(_))), "{backend}: {late:?}");
        assert_eq!(store.price_cursor().await.unwrap(), "b");
        assert_eq!(store.price_observations().await.unwrap().len(), 1, "{backend}: counted once");
    }
}

#[tokio::test]
async fn people_are_listed_by_name_page_by_page_and_a_disabled_persons_tokens_stop() {
    use smartcustoms_core::access::{Principal, Role};
    use smartcustoms_storage::{NewToken, NewUser};
    for (backend, db) in smartcustoms_testkit::all_dbs("people pages").await {
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        for name in ["c.one", "a.one", "b.one", "d.one"] {
            let user = NewUser {
                name: name.into(),
                display_name: name.into(),
                password_hash: "$argon2id$not-a-real-hash".into(),
                principal: Principal::new(name, Role::Officer, None),
                created_at_us: Timestamp::from_micros(1),
            };
            store.add_user(&user, "admin").await.unwrap();
        }
        let names = |page: Vec<smartcustoms_storage::UserRecord>| page.into_iter().map(|u| u.name).collect::<Vec<_>>();
        assert_eq!(names(store.users_after("", 2).await.unwrap()), ["a.one", "b.one"], "{backend}");
        assert_eq!(names(store.users_after("b.one", 2).await.unwrap()), ["c.one", "d.one"], "{backend}");
        assert!(store.users_after("d.one", 2).await.unwrap().is_empty(), "{backend}");

        // A token in a person's name works until the person is disabled; another one goes on.
        let token = |sha: &str, name: &str| NewToken {
            sha256: sha.repeat(64),
            principal: Principal::new(name, Role::Officer, None),
            issued_at_us: Timestamp::from_micros(1),
            expires_at_us: None,
        };
        store.add_token(&token("b", "b.one"), "admin").await.unwrap();
        store.add_token(&token("c", "c.one"), "admin").await.unwrap();
        store.add_token(&token("e", "a bank link"), "admin").await.unwrap();
        let now = Timestamp::from_micros(2);
        assert!(store.principal(&"b".repeat(64), now).await.unwrap().is_some(), "{backend}");
        store.disable_user("b.one", "admin", now).await.unwrap();
        assert!(store.principal(&"b".repeat(64), now).await.unwrap().is_none(), "{backend}: disabled");
        assert!(store.principal(&"c".repeat(64), now).await.unwrap().is_some(), "{backend}: another person");
        assert!(store.principal(&"e".repeat(64), now).await.unwrap().is_some(), "{backend}: a machine");
        let b = store.users_after("a.one", 1).await.unwrap();
        assert!(b[0].disabled_at_us.is_some(), "{backend}: listed as disabled");
    }
}

#[tokio::test]
async fn pre_arrivals_of_many_means_are_found_in_one_query() {
    use smartcustoms_storage::PreArrivalRecord;
    let hour = 3_600_000_000;
    let record = |means: &str, n: i64| PreArrivalRecord {
        id: format!("pa-{means}-{n:02}"),
        filer: "DE000000000001".into(),
        reference: format!("REF-{means}-{n:02}"),
        office_of_entry: "DE005000".into(),
        transport_document: format!("CMR-{means}-{n:02}"),
        means_id: means.into(),
        expected_arrival_at_us: Timestamp::from_micros(100 * hour + n * hour),
        decision: "{}".into(),
        control: "none".into(),
        filed_at_us: Timestamp::from_micros(hour),
    };
    for (backend, db) in smartcustoms_testkit::all_dbs("pre-arrivals of many means").await {
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        for n in 0..25 {
            store.file_pre_arrival(&record("B-AB-1", n), b"{}", None).await.unwrap();
        }
        for n in 0..3 {
            store.file_pre_arrival(&record("HH-X-2", n), b"{}", None).await.unwrap();
        }
        store.file_pre_arrival(&record("M-Z-3", 0), b"{}", None).await.unwrap();
        let (from, to) = (Timestamp::from_micros(101 * hour), Timestamp::from_micros(200 * hour));
        let found = store.pre_arrivals_of_many_means(&["B-AB-1", "HH-X-2", "NONE"], from, to).await.unwrap();
        let ids: Vec<&str> = found.iter().map(|r| r.id.as_str()).collect();
        let expected: Vec<String> =
            (1..25).map(|n| format!("pa-B-AB-1-{n:02}")).chain((1..3).map(|n| format!("pa-HH-X-2-{n:02}"))).collect();
        assert_eq!(ids, expected, "{backend}: by means, in order of arrival, within the window");
        let one = store.pre_arrivals_of_means("HH-X-2", from, to).await.unwrap();
        assert_eq!(one, found[24..].to_vec(), "{backend}: one means alone reads the same");
        let busy = store.pre_arrivals_of_means("B-AB-1", from, to).await.unwrap();
        assert_eq!(busy, found[..20].to_vec(), "{backend}: one means alone, the first 20");
        assert!(store.pre_arrivals_of_many_means(&[], from, to).await.unwrap().is_empty(), "{backend}");
        // SQLite answers on the calling thread, the same; PostgreSQL's query is awaited.
        let here = store.pre_arrivals_here("B-AB-1", from, to).transpose().unwrap();
        match backend {
            "sqlite" => {
                assert_eq!(here, Some(found[..20].to_vec()), "{backend}: answered on the calling thread, the same")
            }
            _ => assert_eq!(here, None, "{backend}: not answered on the calling thread"),
        }
    }
}

#[tokio::test]
async fn the_traceability_scan_reads_only_the_releases_that_open_batches() {
    for (backend, db) in smartcustoms_testkit::all_dbs("traced releases").await {
        let store = smartcustoms_storage::open(&db.url).await.unwrap();
        let world = World::demo(1);
        fund(store.as_ref(), &world).await;
        // A released declaration of nothing traced, the same with refrigerators as its first
        // item, and a refused one.
        let plain = (100..)
            .map(|seed| world.declaration(&mut simulate::rng(seed), &world.declarants[0], today(), 3))
            .find(|doc| filing_of(&world, doc.clone(), None, true).traced() == Some(false))
            .unwrap();
        let mut fridges = plain.clone();
        let first = &mut fridges.items.as_mut().unwrap()[0];
        first.commodity_code = Some("8418102000".into());
        first.unit = Some("NAR".into());
        first.quantity = Some(20.into());
        let filings = [
            filing_of(&world, plain.clone(), None, true),
            filing_of(&world, fridges, None, true),
            filing_of(&world, plain, None, false),
        ];
        assert_eq!(
            filings.iter().map(Filing::traced).collect::<Vec<_>>(),
            [Some(false), Some(true), None],
            "{backend}"
        );
        let out = store.record_batch(filings.to_vec().into()).await.unwrap();
        let states: Vec<State> = out.iter().map(|r| r.summary().state).collect();
        assert_eq!(states, [State::Released, State::Released, State::Refused], "{backend}");
        let read = store.unscanned_releases(Timestamp::EPOCH, 100).await.unwrap();
        let ids: Vec<&str> = read.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [out[1].summary().id.to_string()], "{backend}: only the release of traced goods is read");
    }
}
