//! `smartcustoms bench permits` in a tiny configuration: every declaration either drew its
//! documents' quantity or was refused for want of it, and no document gave more than it grants,
//! on SQLite and, when it is configured, with two servers on one PostgreSQL database.

use serde_json::Value;
use smartcustoms_testkit::postgres_db;

fn bench(args: &[&str]) -> Value {
    let base = ["permits", "--declarations", "120", "--permits", "2", "--concurrency", "12"];
    crate::bench_line(&[&base[..], args].concat())
}

fn check(result: &Value) {
    assert_eq!((result["overdrawn"].as_u64(), result["errors"].as_u64()), (Some(0), Some(0)), "{result}");
    let (accepted, refused) = (result["accepted"].as_u64().unwrap(), result["refused"].as_u64().unwrap());
    assert_eq!(accepted + refused, 120, "{result}");
    assert!(accepted > 0 && refused > 0, "half the quantity asked is granted: some draw, some are refused: {result}");
    assert!(result["draws"].as_u64().unwrap() >= accepted, "{result}");
}

#[tokio::test]
async fn concurrent_declarations_never_overdraw_a_document_in_the_benchmark() {
    check(&bench(&[]));
    let Some(db) = postgres_db("bench permits").await else { return };
    let result = bench(&["--servers", "2", "--database-url", &db.url]);
    assert_eq!((result["backend"].as_str(), result["servers"].as_u64()), (Some("postgres"), Some(2)));
    check(&result);
}
