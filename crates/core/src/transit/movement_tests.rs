use super::*;
use chrono::TimeDelta;
use proptest::prelude::*;

const T0: Timestamp = Timestamp::from_micros(1_780_000_000_000_000);

fn limit() -> Timestamp {
    T0 + TimeDelta::days(5)
}

fn run(events: &[Event], at: Timestamp) -> Result<Movement, Refused> {
    events.iter().try_fold(Movement::declared(limit()), |m, e| apply(&m, e, at).map(|a| a.movement))
}

fn effects(events: &[Event], at: Timestamp) -> Vec<GuaranteeEffect> {
    let mut m = Movement::declared(limit());
    let mut out = Vec::new();
    for e in events {
        let applied = apply(&m, e, at).unwrap_or_else(|r| panic!("{r}"));
        out.push(applied.effect);
        m = applied.movement;
    }
    out
}

const JOURNEY: [Event; 6] = [
    Event::Accept,
    Event::Release,
    Event::Arrive,
    Event::UnloadingRemarks { discrepancies: false },
    Event::Complete,
    Event::Cancel,
];

#[test]
fn a_transit_goes_from_declared_to_completed_reserving_then_releasing_the_guarantee() {
    let journey = &JOURNEY[..5];
    let m = run(journey, T0).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!((m.state, m.guarantee), (State::Completed, Hold::Released));
    use GuaranteeEffect as G;
    assert_eq!(effects(journey, T0), [G::Reserve, G::Keep, G::Keep, G::Keep, G::Release]);
}

#[test]
fn a_transit_completed_twice_is_refused() {
    let done = run(&JOURNEY[..5], T0).unwrap_or_else(|r| panic!("{r}"));
    let again = apply(&done, &Event::Complete, T0);
    assert_eq!(again.map_err(|r| r.reason), Err(Refusal::AlreadyCompleted));
    let message = apply(&done, &Event::Complete, T0).err().map(|r| r.to_string());
    assert_eq!(message.as_deref(), Some("the transit is completed already; complete is refused"));
}

#[test]
fn cancellation_is_allowed_only_before_release() {
    let declared = Movement::declared(limit());
    let cancelled = apply(&declared, &Event::Cancel, T0).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!((cancelled.movement.state, cancelled.effect), (State::Cancelled, GuaranteeEffect::None));
    let accepted = run(&[Event::Accept], T0).unwrap_or_else(|r| panic!("{r}"));
    let cancelled = apply(&accepted, &Event::Cancel, T0).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!((cancelled.movement.state, cancelled.effect), (State::Cancelled, GuaranteeEffect::Release));
    assert_eq!(cancelled.movement.guarantee, Hold::Released);
    for travelled in 2..=4 {
        let m = run(&JOURNEY[..travelled], T0).unwrap_or_else(|r| panic!("{r}"));
        assert_eq!(apply(&m, &Event::Cancel, T0).map_err(|r| r.reason), Err(Refusal::CancelAfterRelease));
    }
}

#[test]
fn an_enquiry_opens_only_when_the_transit_is_overdue_and_keeps_the_guarantee() {
    let travelling = run(&[Event::Accept, Event::Release], T0).unwrap_or_else(|r| panic!("{r}"));
    let early = apply(&travelling, &Event::OpenEnquiry, limit());
    assert_eq!(early.map_err(|r| r.reason), Err(Refusal::NotOverdue));
    assert!(!travelling.is_overdue(limit()) && travelling.is_overdue(limit() + TimeDelta::seconds(1)));
    let late = limit() + TimeDelta::hours(1);
    let enquiry = apply(&travelling, &Event::OpenEnquiry, late).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!((enquiry.movement.state, enquiry.effect), (State::Enquiry, GuaranteeEffect::Keep));
    assert_eq!(enquiry.movement.guarantee, Hold::Reserved);
    // Proof of arrival ends the enquiry the ordinary way; without it the duties are recovered.
    let arrived = apply(&enquiry.movement, &Event::Arrive, late).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(arrived.movement.state, State::Arrived);
    let recovered = apply(&enquiry.movement, &Event::Recover, late).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!((recovered.movement.state, recovered.effect), (State::Recovered, GuaranteeEffect::Call));
    assert_eq!(apply(&recovered.movement, &Event::Arrive, late).map_err(|r| r.reason), Err(Refusal::Ended));
}

#[test]
fn goods_are_not_released_after_their_time_limit_nor_completed_without_unloading_remarks() {
    let accepted = run(&[Event::Accept], T0).unwrap_or_else(|r| panic!("{r}"));
    let late = apply(&accepted, &Event::Release, limit() + TimeDelta::seconds(1));
    assert_eq!(late.map_err(|r| r.reason), Err(Refusal::TimeLimitPassed));
    let arrived = run(&JOURNEY[..3], T0).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(apply(&arrived, &Event::Complete, T0).map_err(|r| r.reason), Err(Refusal::NoUnloadingRemarks));
    let remarks =
        apply(&arrived, &Event::UnloadingRemarks { discrepancies: true }, T0).unwrap_or_else(|r| panic!("{r}"));
    assert!(remarks.movement.discrepancies);
}

#[test]
fn a_refused_declaration_takes_nothing_more_and_any_other_step_is_refused_with_its_state() {
    let refused = run(&[Event::Refuse], T0).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(refused.guarantee, Hold::None);
    assert_eq!(apply(&refused, &Event::Accept, T0).map_err(|r| r.reason), Err(Refusal::Ended));
    let declared = Movement::declared(limit());
    let r = apply(&declared, &Event::Arrive, T0).err();
    assert_eq!(r.map(|r| (r.state, r.event, r.reason)), Some((State::Declared, "arrive", Refusal::NotNow)));
    assert_eq!(r.map(|r| r.to_string()).as_deref(), Some("a transit in state declared cannot take arrive"));
}

#[test]
fn codes_are_stable_snake_case() -> Result<(), serde_json::Error> {
    for s in State::ALL {
        assert_eq!(State::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_string(&s)?, format!("\"{}\"", s.as_str()));
    }
    assert_eq!(serde_json::to_string(&Event::OpenEnquiry)?, r#"{"kind":"open_enquiry"}"#);
    assert_eq!(
        serde_json::to_string(&Event::UnloadingRemarks { discrepancies: true })?,
        r#"{"kind":"unloading_remarks","discrepancies":true}"#
    );
    assert_eq!(serde_json::to_string(&GuaranteeEffect::Release)?, "\"release\"");
    Ok(())
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        Just(Event::Accept),
        Just(Event::Refuse),
        Just(Event::Cancel),
        Just(Event::Release),
        Just(Event::Arrive),
        any::<bool>().prop_map(|discrepancies| Event::UnloadingRemarks { discrepancies }),
        Just(Event::Complete),
        Just(Event::OpenEnquiry),
        Just(Event::Recover),
    ]
}

proptest! {
    /// Whatever events arrive, in whatever order and at whatever time: the guarantee is reserved
    /// at most once, released or called only after it was reserved and at most once, never both
    /// released and reserved; a movement holds a guarantee exactly while it is between
    /// acceptance and its end, and a completed or cancelled movement holds none.
    #[test]
    fn the_guarantee_is_never_both_released_and_reserved(
        steps in proptest::collection::vec((event(), -10i64..20), 0..40),
    ) {
        let mut m = Movement::declared(limit());
        let (mut reserved, mut given_back) = (0, 0);
        for (e, day) in steps {
            let at = T0 + TimeDelta::days(day);
            let before = m;
            match apply(&m, &e, at) {
                Ok(applied) => {
                    match applied.effect {
                        GuaranteeEffect::Reserve => reserved += 1,
                        GuaranteeEffect::Release | GuaranteeEffect::Call => given_back += 1,
                        GuaranteeEffect::None | GuaranteeEffect::Keep => {}
                    }
                    m = applied.movement;
                }
                Err(refused) => {
                    prop_assert_eq!(refused.state, before.state);
                    prop_assert!(!refused.to_string().is_empty());
                }
            }
            prop_assert!(reserved <= 1 && given_back <= reserved);
            let holds = m.guarantee == Hold::Reserved;
            prop_assert_eq!(holds, reserved == 1 && given_back == 0);
            let between = matches!(m.state, State::Accepted | State::InTransit | State::Arrived | State::Unloaded | State::Enquiry);
            prop_assert_eq!(holds, between);
            if matches!(m.state, State::Completed | State::Cancelled | State::Refused | State::Recovered) {
                prop_assert!(!holds);
                prop_assert!(apply(&m, &e, at).is_err(), "a final state takes no event");
            }
        }
    }
}
