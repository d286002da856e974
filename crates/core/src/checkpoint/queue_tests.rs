use super::*;
use crate::checkpoint::priority::tests::{example, facts, valid_rules};
use proptest::prelude::*;

/// 2026-06-01T00:00:00Z, a slot start for any slot length that divides a day.
const T0: Timestamp = Timestamp::from_micros(1_780_272_000_000_000);

fn at(minutes: i64) -> Timestamp {
    T0 + TimeDelta::minutes(minutes)
}

fn policy() -> SlotPolicy {
    SlotPolicy::new(TimeDelta::minutes(15), 2, 1, TimeDelta::hours(48), TimeDelta::minutes(15))
        .unwrap_or_else(|p| panic!("{p:?}"))
}

fn id(text: &str) -> EntryId {
    EntryId::new(text).unwrap_or_else(|e| panic!("{e}"))
}

fn booking(entry: &str, plate: &str, slot: Timestamp) -> Booking {
    Booking { id: id(entry), plate: Plate::parse(plate).unwrap_or_else(|e| panic!("{e}")), slot }
}

fn codes(result: Result<Booking, Vec<Problem>>) -> Vec<String> {
    result.err().unwrap_or_default().into_iter().map(|p| p.code).collect()
}

#[test]
fn slot_lengths_must_divide_a_day_and_a_slot_needs_places() {
    let ok = |len: i64, lanes: u32, per_lane: u32| {
        SlotPolicy::new(TimeDelta::minutes(len), lanes, per_lane, TimeDelta::hours(1), TimeDelta::zero()).is_ok()
    };
    assert!(ok(15, 1, 1) && ok(30, 4, 6) && ok(1440, 1, 1));
    assert!(!ok(7, 1, 1) && !ok(3, 1, 1) && !ok(2880, 1, 1) && !ok(15, 0, 1) && !ok(15, 1, 0));
    let negative = SlotPolicy::new(TimeDelta::minutes(15), 1, 1, TimeDelta::hours(-1), TimeDelta::zero());
    assert_eq!(negative.map_err(|p| p.code).err().as_deref(), Some("CHK_025"));
    let p = policy();
    assert_eq!(
        (p.capacity(), p.slot_of(at(22)), p.is_slot_start(at(30)), p.is_slot_start(at(31))),
        (2, at(15), true, false)
    );
}

#[test]
fn a_free_slot_ahead_is_booked() {
    let got = book(&policy(), &[], booking("b1", "AB123", at(60)), at(0));
    assert_eq!(got, Ok(booking("b1", "AB123", at(60))));
}

#[test]
fn a_booking_is_refused_with_every_reason() {
    let p = policy();
    assert_eq!(codes(book(&p, &[], booking("b1", "AB123", at(61)), at(0))), ["CHK_020"]);
    assert_eq!(codes(book(&p, &[], booking("b1", "AB123", at(0)), at(1))), ["CHK_021"]);
    assert_eq!(codes(book(&p, &[], booking("b1", "AB123", at(49 * 60)), at(0))), ["CHK_022"]);
    let full = [booking("x", "X1", at(60)), booking("y", "Y1", at(60))];
    assert_eq!(codes(book(&p, &full, booking("b1", "AB123", at(60)), at(0))), ["CHK_023"]);
    let held = [booking("b0", "AB-123", at(120))];
    assert_eq!(codes(book(&p, &held, booking("b1", "AB123", at(60)), at(0))), ["CHK_024"]);
    assert_eq!(codes(book(&p, &full, booking("b1", "Y 1", at(-7)), at(0))), ["CHK_020", "CHK_021", "CHK_024"]);
}

#[test]
fn a_vehicle_moves_its_own_booking_and_a_lapsed_one_does_not_block_it() {
    let p = policy();
    let mine = [booking("b1", "AB123", at(60)), booking("y", "Y1", at(90))];
    assert!(book(&p, &mine, booking("b1", "AB123", at(90)), at(0)).is_ok());
    let lapsed = [booking("b0", "AB123", at(0))];
    assert!(book(&p, &lapsed, booking("b1", "AB123", at(60)), at(16)).is_ok());
}

#[test]
fn availability_lists_the_slots_from_the_next_start_to_the_horizon() -> Result<(), Problem> {
    let p = SlotPolicy::new(TimeDelta::minutes(30), 1, 2, TimeDelta::hours(2), TimeDelta::zero())?;
    let slots = availability(&p, &[booking("a", "A1", at(60)), booking("b", "B1", at(60))], at(10));
    let got: Vec<(Timestamp, u64)> = slots.iter().map(|s| (s.start, s.free)).collect();
    assert_eq!(got, [(at(30), 2), (at(60), 0), (at(90), 2), (at(120), 2)]);
    Ok(())
}

fn entry(name: &str, facts: VehicleFacts, presence: Presence) -> QueueEntry {
    QueueEntry { id: id(name), facts, presence }
}

fn booked(slot: i64, arrived: Option<i64>) -> Presence {
    Presence::Booked { slot: at(slot), arrived_at: arrived.map(at) }
}

fn live(joined: i64) -> Presence {
    Presence::Live { joined_at: at(joined) }
}

fn ids(o: &Order) -> Vec<&str> {
    o.positions.iter().map(|p| p.id.as_str()).collect()
}

#[test]
fn priority_class_comes_first_then_time_then_id() {
    let animals = VehicleFacts { live_animals: true, ..VehicleFacts::default() };
    let queue = [
        entry("c", VehicleFacts::default(), booked(0, Some(-5))),
        entry("b", VehicleFacts::default(), live(-20)),
        entry("a", VehicleFacts::default(), live(-20)),
        entry("z", animals, live(10)),
    ];
    let o = order(&queue, &example(), &policy(), at(11));
    assert_eq!(ids(&o), ["z", "a", "b", "c"]);
    assert_eq!(o.positions.iter().map(|p| p.rank).collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(o.positions[0].rule.as_deref(), Some("live-animals"));
    assert_eq!(o.rules_version, "2026-03");
    let why: Vec<&str> = o.positions[0].reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(why, ["CHK_040", "CHK_045"]);
    assert_eq!(o.positions[1].reasons[0].code, "CHK_041");
}

#[test]
fn a_booked_vehicle_keeps_its_slot_within_the_grace_period() {
    let queue = [
        entry("early", VehicleFacts::default(), booked(30, Some(0))),
        entry("late-ok", VehicleFacts::default(), booked(15, Some(29))),
        entry("walk-in", VehicleFacts::default(), live(20)),
    ];
    let o = order(&queue, &example(), &policy(), at(31));
    assert_eq!(ids(&o), ["late-ok", "walk-in", "early"]);
    assert_eq!((o.positions[0].at, o.positions[0].standing), (at(15), Standing::Slot));
    assert_eq!(o.positions[2].at, at(30), "arriving early does not move a vehicle ahead of its slot");
    assert_eq!(o.positions[0].reasons[1].code, "CHK_042");
}

#[test]
fn a_vehicle_late_beyond_the_grace_period_joins_the_live_queue_at_its_arrival() {
    let queue = [
        entry("late", VehicleFacts::default(), booked(0, Some(16))),
        entry("walk-in", VehicleFacts::default(), live(10)),
    ];
    let o = order(&queue, &example(), &policy(), at(20));
    assert_eq!(ids(&o), ["walk-in", "late"]);
    assert_eq!((o.positions[1].at, o.positions[1].standing), (at(16), Standing::Late));
    assert_eq!(o.positions[1].reasons[1].code, "CHK_044");
}

#[test]
fn a_booked_vehicle_not_yet_here_is_held_then_missed() {
    let queue = [
        entry("coming", VehicleFacts::default(), booked(30, None)),
        entry("gone", VehicleFacts::default(), booked(0, None)),
    ];
    let o = order(&queue, &example(), &policy(), at(20));
    assert_eq!(ids(&o), ["coming"]);
    assert_eq!((o.positions[0].standing, o.positions[0].reasons[1].code.as_str()), (Standing::Expected, "CHK_043"));
    assert_eq!(
        o.missed.iter().map(|m| (m.id.as_str(), m.reason.code.as_str())).collect::<Vec<_>>(),
        [("gone", "CHK_046")]
    );
}

fn queue() -> impl Strategy<Value = Vec<QueueEntry>> {
    let presence = prop_oneof![
        (-8i64..8, proptest::option::of(-120i64..120)).prop_map(|(slot, arrived)| booked(slot * 15, arrived)),
        (-120i64..120).prop_map(live),
    ];
    proptest::collection::vec((facts(), presence), 0..12)
        .prop_map(|v| {
            v.into_iter().enumerate().map(|(i, (f, p))| entry(&format!("e{:02}", (i * 7) % 12), f, p)).collect()
        })
        .prop_map(|mut v: Vec<QueueEntry>| {
            v.sort_by(|a, b| a.id.cmp(&b.id));
            v.dedup_by(|a, b| a.id == b.id);
            v
        })
}

proptest! {
    /// The order is a strict total order of the vehicles, whatever order they are given in.
    #[test]
    fn the_order_does_not_depend_on_the_input_order(q in queue(), rules in valid_rules(), seed in any::<u64>(), now in -60i64..120) {
        let o = order(&q, &rules, &policy(), at(now));
        let mut shuffled = q.clone();
        // A deterministic shuffle from the seed.
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = usize::try_from(seed.rotate_left(u32::try_from(i).unwrap_or(0)) % (i as u64 + 1)).unwrap_or(0);
            shuffled.swap(i, j);
        }
        prop_assert_eq!(&order(&shuffled, &rules, &policy(), at(now)), &o);
        prop_assert_eq!(o.positions.len() + o.missed.len(), q.len());
        prop_assert!(o.positions.windows(2).all(|w| (w[0].class, w[0].at, &w[0].id) < (w[1].class, w[1].at, &w[1].id)));
        prop_assert!(o.positions.iter().enumerate().all(|(i, p)| p.rank == i + 1));
    }

    /// A vehicle is ahead of one that stands at an earlier time only by a better class, and that
    /// class comes from a rule whose facts hold for one of the two.
    #[test]
    fn no_vehicle_jumps_ahead_on_a_non_fact(q in queue(), rules in valid_rules(), now in -60i64..120) {
        let o = order(&q, &rules, &policy(), at(now));
        let facts_of = |p: &Position| q.iter().find(|e| e.id == p.id).map(|e| e.facts.clone()).unwrap_or_default();
        for (i, ahead) in o.positions.iter().enumerate() {
            for behind in &o.positions[i + 1..] {
                if (ahead.at, &ahead.id) > (behind.at, &behind.id) {
                    prop_assert!(ahead.class < behind.class);
                    let by_rule = |p: &Position| rules.rules().iter().any(|r| Some(&r.id) == p.rule.as_ref() && r.class == p.class && r.when.iter().all(|f| f.holds(&facts_of(p))));
                    prop_assert!(by_rule(ahead) || by_rule(behind), "{ahead:?} ahead of {behind:?}");
                }
            }
        }
    }
}
