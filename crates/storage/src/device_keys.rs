//! The public keys of devices whose messages are signed (navigation seals, checkpoint
//! equipment). The SQL is the same on both backends and is expanded into each by
//! [`device_key_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// A device's key as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct DeviceKeyRecord {
    /// The device: a seal id, or the `device` a checkpoint's equipment names itself by.
    pub device: String,
    /// `seal` or `checkpoint`.
    pub kind: String,
    /// The key's RFC 7638 thumbprint, the `kid` its signatures name.
    pub key_id: String,
    /// The Ed25519 public key, base64url.
    pub public_key: String,
    /// Who registered it.
    pub registered_by: String,
    /// When.
    #[sqlx(try_from = "i64")]
    #[schema(value_type = i64)]
    pub registered_at_us: Timestamp,
}

/// Devices' keys.
#[async_trait]
pub trait DeviceKeyQueries: Send + Sync {
    /// Registers a device's key (replacing the one it had), with an audit entry.
    async fn register_device_key(&self, key: &DeviceKeyRecord) -> StoreResult<()>;

    /// Every device's key, by device.
    async fn device_keys(&self) -> StoreResult<Vec<DeviceKeyRecord>>;
}

/// Implements [`DeviceKeyQueries`] for a backend, where the identity area's
/// `append_identity_audit` is in scope. Needs in scope: `self.pool`, `self.begin_write()`,
/// `sql(&str) -> Cow<str>`.
macro_rules! device_key_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::device_keys::DeviceKeyQueries for $store {
            async fn register_device_key(&self, k: &crate::device_keys::DeviceKeyRecord) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO device_keys (device, kind, key_id, public_key, registered_by, registered_at_us) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (device) DO UPDATE SET kind = excluded.kind, \
                     key_id = excluded.key_id, public_key = excluded.public_key, registered_by = excluded.registered_by, \
                     registered_at_us = excluded.registered_at_us",
                ))
                .bind(&k.device)
                .bind(&k.kind)
                .bind(&k.key_id)
                .bind(&k.public_key)
                .bind(&k.registered_by)
                .bind(k.registered_at_us.as_micros())
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({ "device": k.device, "kind": k.kind, "key_id": k.key_id });
                let action = smartcustoms_core::audit::Action::DeviceKeyRegistered;
                append_identity_audit(
                    &mut tx,
                    crate::identity::identity_entry(k.registered_at_us, &k.registered_by, action, details),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn device_keys(&self) -> StoreResult<Vec<crate::device_keys::DeviceKeyRecord>> {
                Ok(sqlx::query_as(
                    "SELECT device, kind, key_id, public_key, registered_by, registered_at_us FROM device_keys ORDER BY device",
                )
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use device_key_queries;
