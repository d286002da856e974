//! Unit tests of the connection registry and load shedding.

use super::*;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A connection the registry must admit.
fn admitted(registry: &Registry) -> Result<(u64, Arc<Tracked>), &'static str> {
    registry.admit().ok_or("the registry refused a connection it had room for")
}

fn limits(max: usize) -> ConnectionLimits {
    ConnectionLimits { max_connections: max, ..ConnectionLimits::default() }
}

#[test]
fn at_the_limit_the_connection_idle_the_longest_makes_room() -> TestResult {
    let registry = Registry::new(&limits(2));
    let (a, first) = admitted(&registry)?;
    let (_, second) = admitted(&registry)?;
    // Both too young to be closed for a newcomer.
    assert!(registry.admit().is_none());
    std::thread::sleep(GRACE);
    second.touch();
    let busy = InFlight::start(&second);
    let (_, _third) = admitted(&registry)?;
    assert_eq!(registry.open(), 2);
    assert!(!registry.connections.lock().map_err(|e| e.to_string())?.contains_key(&a), "the idle one went");
    // Neither the busy one nor the newcomer can make room now.
    assert!(registry.admit().is_none());
    drop(busy);
    drop(first);
    Ok(())
}

#[test]
fn anonymous_load_is_shed_from_the_configured_share() -> TestResult {
    let registry =
        Registry::new(&ConnectionLimits { max_connections: 10, shed_share: 0.5, ..ConnectionLimits::default() });
    for _ in 0..4 {
        admitted(&registry)?;
    }
    assert!(!registry.under_pressure());
    admitted(&registry)?;
    assert!(registry.under_pressure());
    let mut headers = axum::http::HeaderMap::new();
    assert!(!carries_credentials(&headers));
    headers.insert(axum::http::header::COOKIE, "a=b; sc_session=x".parse()?);
    assert!(carries_credentials(&headers));
    Ok(())
}
