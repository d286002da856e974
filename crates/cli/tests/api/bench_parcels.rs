//! `smartcustoms bench parcels` in a tiny configuration on SQLite: every parcel filed is
//! recorded with a decision, scored by the model and the demo profiles, the flagged ones held,
//! and the floor measured.

#[test]
fn the_parcels_benchmark_records_every_parcel_with_its_decision() {
    let result =
        crate::bench_line(&["parcels", "--parcels", "2000", "--batch", "500", "--concurrency", "2", "--model", "2000"]);
    assert_eq!((result["accepted"].as_i64(), result["errors"].as_i64()), (Some(2000), Some(0)), "{result}");
    let (released, held) = (result["released"].as_i64().unwrap(), result["held"].as_i64().unwrap());
    assert_eq!(released + held, 2000, "{result}");
    assert!(held >= 50, "one parcel in forty has a vague description: {result}");
    assert!(result["model_version"].as_i64().is_some(), "a model scored the parcels: {result}");
    assert!(result["profiles"].as_u64().unwrap() > 0, "the demo profiles assessed them: {result}");
    assert!(result["parcels_per_s"].as_f64().unwrap() > 0.0 && result["storage_floor_per_s"].as_f64().unwrap() > 0.0);
}
