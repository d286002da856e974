//! Unit tests of the connection registry and load shedding.
#![allow(clippy::unwrap_used)]

use super::*;

fn limits(max: usize) -> ConnectionLimits {
    ConnectionLimits { max_connections: max, ..ConnectionLimits::default() }
}

#[test]
fn at_the_limit_the_connection_idle_the_longest_makes_room() {
    let registry = Registry::new(&limits(2));
    let (a, first) = registry.admit().unwrap();
    let (_, second) = registry.admit().unwrap();
    // Both too young to be closed for a newcomer.
    assert!(registry.admit().is_none());
    std::thread::sleep(GRACE);
    second.touch();
    let busy = InFlight::start(&second);
    let (_, _third) = registry.admit().unwrap();
    assert_eq!(registry.open(), 2);
    assert!(!registry.connections.lock().unwrap().contains_key(&a), "the idle one went");
    // Neither the busy one nor the newcomer can make room now.
    assert!(registry.admit().is_none());
    drop(busy);
    drop(first);
}

#[test]
fn anonymous_load_is_shed_from_the_configured_share() {
    let registry =
        Registry::new(&ConnectionLimits { max_connections: 10, shed_share: 0.5, ..ConnectionLimits::default() });
    for _ in 0..4 {
        registry.admit().unwrap();
    }
    assert!(!registry.under_pressure());
    registry.admit().unwrap();
    assert!(registry.under_pressure());
    let mut headers = axum::http::HeaderMap::new();
    assert!(!carries_credentials(&headers));
    headers.insert(axum::http::header::COOKIE, "a=b; sc_session=x".parse().unwrap());
    assert!(carries_credentials(&headers));
}
