//! Broker adapters of smartcustoms: the navigation seals' reports read from MQTT and the seal
//! alerts published on NATS. Each is an adapter of a few lines around the application layer's
//! use cases (`smartcustoms_http::app::seals`), as the HTTP handlers are; the broker clients
//! (rumqttc, async-nats) are the reason this is a crate of its own, and nothing else in the
//! workspace depends on them.
//!
//! Depends on the application layer; nothing but the CLI depends on it.

pub mod mqtt;
pub mod nats;
