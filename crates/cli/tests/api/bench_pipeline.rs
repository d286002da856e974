//! `smartcustoms bench pipeline` in a tiny configuration on SQLite, over several rounds: each
//! round files every declaration without and with money and records them again as the floor,
//! and the last line sums the rounds up.

#[test]
fn the_pipeline_benchmark_runs_its_rounds_and_sums_them_up() {
    let summary = crate::bench_line(&["pipeline", "--declarations", "120", "--concurrency", "8", "--rounds", "2"]);
    assert_eq!((summary["rounds"].as_u64(), summary["errors"].as_u64()), (Some(2), Some(0)), "{summary}");
    for figure in ["throughput_per_s", "without_money_per_s", "bare_insert_per_s", "pipeline_to_bare", "p99_ms"] {
        let (median, min, max) = (
            summary[figure]["median"].as_f64().unwrap(),
            summary[figure]["min"].as_f64().unwrap(),
            summary[figure]["max"].as_f64().unwrap(),
        );
        assert!(min > 0.0 && min <= median && median <= max, "{figure}: {summary}");
    }
}

/// `--workers` sets the request workers the run has, and the line says how many it had.
#[test]
fn the_benchmark_runs_on_the_workers_asked_for() {
    let line = crate::bench_line(&["pipeline", "--declarations", "40", "--concurrency", "4", "--workers", "3"]);
    assert_eq!((line["workers"].as_u64(), line["errors"].as_u64()), (Some(3), Some(0)), "{line}");
}
