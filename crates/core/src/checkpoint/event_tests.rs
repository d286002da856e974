use super::*;
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn codes(body: &str) -> Vec<String> {
    match parse(body.as_bytes()) {
        Ok(_) => vec![],
        Err(problems) => problems.into_iter().map(|p| p.code).collect(),
    }
}

fn paths(body: &str) -> Vec<String> {
    parse(body.as_bytes()).err().unwrap_or_default().into_iter().map(|p| p.path).collect()
}

#[test]
fn a_plate_read_is_normalised_and_unknown_fields_are_ignored() -> Result<(), Vec<Problem>> {
    let body = r#"{"kind":"plate_read","device":"cam-north-1","time":"2026-12-04T03:00:00+03:00",
        "plate":"wx 123-45","country":"PL","confidence":0.93,"lane":2}"#;
    let Event::PlateRead(r) = parse(body.as_bytes())? else { panic!("not a plate read") };
    assert_eq!((r.plate.as_str(), r.device.as_str()), ("WX12345", "cam-north-1"));
    assert_eq!(r.time.rfc3339(), "2026-12-04T00:00:00.000000Z");
    assert_eq!(r.country.map(|c| c.to_string()).as_deref(), Some("PL"));
    Ok(())
}

#[test]
fn a_weighing_reads_decimals_exactly_and_knows_its_accuracy_class() -> Result<(), Vec<Problem>> {
    let body = r#"{"kind":"weighing","device":"wim-1","time":"2026-12-04T00:00:00Z","gross_mass_kg":38420.5,
        "axles":5,"length_m":16.5,"width_m":2.55,"height_m":4,"accuracy_class":"0.50"}"#;
    let Event::Weighing(w) = parse(body.as_bytes())? else { panic!("not a weighing") };
    assert_eq!((w.gross_mass_kg, w.axles, w.accuracy_class), (dec!(38420.5), 5, AccuracyClass::Class0_5));
    assert_eq!(w.dimensions.map(|d| d.width_m), Some(dec!(2.55)));
    let without = r#"{"kind":"weighing","device":"wim-1","time":"2026-12-04T00:00:00Z","gross_mass_kg":1000,
        "axles":2,"accuracy_class":10}"#;
    assert!(matches!(parse(without.as_bytes())?, Event::Weighing(Weighing { dimensions: None, .. })));
    Ok(())
}

#[test]
fn a_radiation_reading_defaults_to_the_primary_stage() -> Result<(), Vec<Problem>> {
    let body = r#"{"kind":"radiation","device":"rpm-1","time":"2026-12-04T00:00:00Z","alarm":true,
        "neutron_alarm":false,"gamma_cps":5400,"gamma_background_cps":1800,"neutron_cps":2,"neutron_background_cps":1.5}"#;
    let Event::Radiation(r) = parse(body.as_bytes())? else { panic!("not a radiation reading") };
    assert_eq!(r.stage, Stage::Primary);
    assert!(r.gamma_alarm_only());
    assert_eq!(r.neutron, Some(NeutronCounts { cps: 2.0, background_cps: 1.5 }));
    Ok(())
}

#[test]
fn a_scan_carries_its_verdict_and_image() -> Result<(), Vec<Problem>> {
    let body = r#"{"kind":"scan","device":"xray-2","time":"2026-12-04T00:00:00Z","verdict":"suspect","image":"img/2026/12/04/0001"}"#;
    let Event::Scan(s) = parse(body.as_bytes())? else { panic!("not a scan") };
    assert_eq!((s.verdict, s.image.as_str()), (ScanVerdict::Suspect, "img/2026/12/04/0001"));
    Ok(())
}

#[test]
fn every_missing_field_of_the_kind_is_named() {
    assert_eq!(paths("{}"), ["$.kind", "$.device", "$.time"]);
    assert_eq!(paths(r#"{"kind":"plate_read"}"#), ["$.device", "$.time", "$.plate", "$.confidence"]);
    assert_eq!(
        paths(r#"{"kind":"weighing","device":"w","time":"2026-12-04T00:00:00Z","width_m":2}"#),
        ["$.gross_mass_kg", "$.axles", "$.length_m", "$.height_m", "$.accuracy_class"]
    );
    assert_eq!(
        paths(r#"{"kind":"radiation","device":"r","time":"2026-12-04T00:00:00Z"}"#),
        ["$.alarm", "$.neutron_alarm", "$.gamma_cps", "$.gamma_background_cps"]
    );
    assert_eq!(paths(r#"{"kind":"scan","device":"s","time":"2026-12-04T00:00:00Z"}"#), ["$.verdict", "$.image"]);
    assert!(codes("{}").iter().all(|c| c == "CHK_002"));
}

#[test]
fn bad_values_get_their_own_codes() {
    let t = r#""device":"d","time":"2026-12-04T00:00:00Z""#;
    assert_eq!(codes(r#"{"kind":"teleport","device":" ","time":"noon"}"#), ["CHK_005", "CHK_004", "CHK_003"]);
    assert_eq!(
        codes(&format!(r#"{{"kind":"plate_read",{t},"plate":"A*1","country":"XX","confidence":1.5}}"#)),
        ["CHK_006", "CHK_007", "CHK_008"]
    );
    assert_eq!(
        codes(&format!(
            r#"{{"kind":"weighing",{t},"gross_mass_kg":0,"axles":21,"length_m":70,"width_m":2,"height_m":-1,"accuracy_class":3}}"#
        )),
        ["CHK_009", "CHK_010", "CHK_011", "CHK_011", "CHK_012"]
    );
    assert_eq!(
        codes(&format!(
            r#"{{"kind":"radiation",{t},"stage":"tertiary","alarm":false,"neutron_alarm":true,"gamma_cps":-1,"gamma_background_cps":1,"neutron_cps":1}}"#
        )),
        ["CHK_018", "CHK_015", "CHK_013", "CHK_014"]
    );
    assert_eq!(
        codes(&format!(r#"{{"kind":"scan",{t},"verdict":"maybe","image":"{}"}}"#, "x".repeat(257))),
        ["CHK_016", "CHK_017"]
    );
}

#[test]
fn a_value_of_the_wrong_type_or_bad_json_is_malformed_with_its_path() -> Result<(), String> {
    let problems = parse(br#"{"kind":"weighing","axles":"five"}"#).err().ok_or("accepted")?;
    assert_eq!((problems[0].code.as_str(), problems[0].path.as_str()), ("CHK_001", "$.axles"));
    assert_eq!(codes("[1]"), ["CHK_001"]);
    assert_eq!(codes("{"), ["CHK_001"]);
    assert_eq!(codes(r#"{"kind":"scan"} x"#), ["CHK_001"]);
    Ok(())
}

#[test]
fn accuracy_classes_are_the_oiml_r134_errors_in_percent() {
    let percents: Vec<Decimal> = AccuracyClass::ALL.iter().map(|c| c.percent()).collect();
    assert_eq!(percents, [dec!(0.2), dec!(0.5), dec!(1), dec!(2), dec!(5), dec!(10)]);
    assert_eq!(AccuracyClass::from_percent(dec!(1.00)), Some(AccuracyClass::Class1));
    assert_eq!(AccuracyClass::from_percent(dec!(3)), None);
}

fn event() -> impl Strategy<Value = Event> {
    let time = (0i64..4_102_444_800_000_000).prop_map(Timestamp::from_micros);
    let device = "[a-z][a-z0-9-]{0,20}";
    // Confidences in 1/1024ths: serde_json reads decimals fast rather than exactly, and a binary
    // fraction is written and read without rounding.
    let confidence = (0u32..=1024).prop_map(|n| f64::from(n) / 1024.0);
    let plate_read = (device, time.clone(), "[A-Z0-9]{1,15}", proptest::option::of(Just("PL")), confidence).prop_map(
        |(device, time, plate, country, confidence)| {
            Event::PlateRead(PlateRead {
                device,
                time,
                plate: Plate::parse(&plate).unwrap_or_else(|e| panic!("{e}")),
                country: country.and_then(CountryCode::parse),
                confidence,
            })
        },
    );
    let weighing = (
        device,
        time.clone(),
        1i64..=250_000_000,
        1u8..=MAX_AXLES,
        proptest::option::of((1i64..=600, 1i64..=60, 1i64..=60)),
        proptest::sample::select(AccuracyClass::ALL.to_vec()),
    )
        .prop_map(|(device, time, grams, axles, dims, accuracy_class)| {
            Event::Weighing(Weighing {
                device,
                time,
                gross_mass_kg: Decimal::new(grams, 3),
                axles,
                dimensions: dims.map(|(l, w, h)| Dimensions {
                    length_m: Decimal::new(l, 1),
                    width_m: Decimal::new(w, 1),
                    height_m: Decimal::new(h, 1),
                }),
                accuracy_class,
            })
        });
    let radiation = (
        device,
        time.clone(),
        any::<bool>(),
        any::<(bool, bool)>(),
        0u32..100_000,
        0u32..100_000,
        proptest::option::of((0u32..1000, 0u32..1000)),
    )
        .prop_map(|(device, time, secondary, (alarm, neutron), gamma, background, n)| {
            Event::Radiation(RadiationReading {
                device,
                time,
                stage: if secondary { Stage::Secondary } else { Stage::Primary },
                alarm: alarm || neutron,
                neutron_alarm: neutron,
                gamma_cps: f64::from(gamma),
                gamma_background_cps: f64::from(background),
                neutron: n.map(|(c, b)| NeutronCounts { cps: f64::from(c), background_cps: f64::from(b) }),
            })
        });
    let scan = (
        device,
        time,
        proptest::sample::select(vec![ScanVerdict::Clear, ScanVerdict::Suspect, ScanVerdict::Unreadable]),
        "[a-z0-9/]{1,30}",
    )
        .prop_map(|(device, time, verdict, image)| Event::Scan(ScanResult { device, time, verdict, image }));
    prop_oneof![plate_read, weighing, radiation, scan]
}

proptest! {
    /// A valid event written to the wire reads back as the same event.
    #[test]
    fn valid_events_round_trip(e in event()) {
        let body = serde_json::to_vec(&e.to_doc()).map_err(|err| TestCaseError::fail(err.to_string()))?;
        let back = parse(&body).map_err(|p| TestCaseError::fail(format!("{p:?}")))?;
        prop_assert_eq!(back, e);
    }

    /// Whatever object arrives, reading it gives an event or problems, never a panic, and
    /// problems are never an empty list.
    #[test]
    fn any_json_object_is_answered(fields in proptest::collection::btree_map(
        prop_oneof![Just("kind".to_string()), Just("device".to_string()), Just("time".to_string()),
            Just("plate".to_string()), Just("gross_mass_kg".to_string()), Just("alarm".to_string()),
            Just("neutron_alarm".to_string()), Just("verdict".to_string()), "[a-z_]{1,8}"],
        prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            ".{0,12}".prop_map(serde_json::Value::from),
            prop_oneof![Just("plate_read"), Just("weighing"), Just("radiation"), Just("scan"),
                Just("2026-12-04T00:00:00Z")].prop_map(serde_json::Value::from),
        ],
        0..10)) {
        let body = serde_json::to_vec(&fields).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Err(problems) = parse(&body) {
            prop_assert!(!problems.is_empty());
            prop_assert!(problems.iter().all(|p| p.code.starts_with("CHK_0")));
        }
    }
}
