//! The conversion of the later areas' use-case errors into API errors (transit, seals,
//! traceability, checkpoints, devices' keys, the Single Window, parcels, the exchange with
//! partner administrations), one `From` impl each.

use super::ApiError;

impl From<crate::app::transit::TransitError> for ApiError {
    fn from(e: crate::app::transit::TransitError) -> Self {
        use crate::app::transit::TransitError;
        match e {
            TransitError::Forbidden(f) => f.into(),
            TransitError::UnstorableText => ApiError::UnstorableText("the transit declaration"),
            TransitError::MalformedJson(m) => ApiError::MalformedJson(m),
            TransitError::Schema { path, message } => ApiError::Schema { path, message },
            TransitError::DeclarantMismatch { filer, declared } => {
                ApiError::DeclarantMismatch { token: filer, declared }
            }
            TransitError::Signature(s) => ApiError::SignatureRejected(s.to_string()),
            TransitError::Invalid(findings) => ApiError::MovementInvalid(findings),
            TransitError::ReferenceTaken { reference, mrn, fields } => {
                ApiError::ReferenceTaken { reference, mrn, fields }
            }
            TransitError::Stake(s) => ApiError::StakeUnknown(s.to_string()),
            TransitError::Refused(r) => ApiError::TransitRefused(r),
            TransitError::NotFound(what) => ApiError::NotFound(what),
            TransitError::InvalidValue(field, m) => ApiError::BadParameter(field, m),
            TransitError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::seals::SealError> for ApiError {
    fn from(e: crate::app::seals::SealError) -> Self {
        use crate::app::seals::SealError;
        match e {
            SealError::Invalid(problems) => ApiError::SealReportInvalid(problems),
            SealError::BadSealId(id) => ApiError::BadParameter(
                "seal_id",
                format!("{id:?} is not 1 to 35 upper-case letters, digits, '-' or '/'"),
            ),
            SealError::NoTransit(seal) => ApiError::NoActiveTransit(seal),
            SealError::Signature(e) => ApiError::DeviceSignature(e),
            SealError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::traceability::TraceError> for ApiError {
    fn from(e: crate::app::traceability::TraceError) -> Self {
        use crate::app::traceability::TraceError;
        match e {
            TraceError::Forbidden(f) => f.into(),
            TraceError::Invalid(problems) => ApiError::TraceReportInvalid(problems),
            TraceError::Refused(refusals) => ApiError::TraceRefused(refusals),
            TraceError::NotFound(number) => ApiError::NotFound(format!("batch {number}")),
            TraceError::BadParameter(name, m) => ApiError::BadParameter(name, m),
            TraceError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::checkpoint::CheckpointError> for ApiError {
    fn from(e: crate::app::checkpoint::CheckpointError) -> Self {
        use crate::app::checkpoint::CheckpointError;
        match e {
            CheckpointError::Forbidden(f) => f.into(),
            CheckpointError::MalformedJson(m) => ApiError::MalformedJson(m),
            CheckpointError::Schema { path, message } => ApiError::Schema { path, message },
            CheckpointError::Event(problems) => ApiError::CheckpointEventInvalid(problems),
            CheckpointError::Settings(problems) => ApiError::CheckpointInvalid(problems),
            CheckpointError::Booking(reasons) => ApiError::BookingRefused(reasons),
            CheckpointError::Refused { state, action, reason, operations } => {
                ApiError::VehicleRefused { state, action, reason, operations }
            }
            CheckpointError::Signature(e) => ApiError::DeviceSignature(e),
            CheckpointError::NotFound(what) => ApiError::NotFound(what),
            CheckpointError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::device_keys::DeviceKeyError> for ApiError {
    fn from(e: crate::app::device_keys::DeviceKeyError) -> Self {
        use crate::app::device_keys::DeviceKeyError;
        match e {
            DeviceKeyError::Forbidden(f) => f.into(),
            DeviceKeyError::Invalid(name, m) => ApiError::BadParameter(name, m),
            DeviceKeyError::BadKey => ApiError::BadPublicKey,
            DeviceKeyError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::single_window::SingleWindowError> for ApiError {
    fn from(e: crate::app::single_window::SingleWindowError) -> Self {
        use crate::app::single_window::SingleWindowError;
        match e {
            SingleWindowError::Forbidden(f) => f.into(),
            SingleWindowError::Invalid(name, m) => ApiError::BadParameter(name, m),
            SingleWindowError::NotFound(m) => ApiError::NotFound(m),
            SingleWindowError::Refused(m) => ApiError::Conflict(m),
            SingleWindowError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::parcels::ParcelError> for ApiError {
    fn from(e: crate::app::parcels::ParcelError) -> Self {
        use crate::app::parcels::ParcelError;
        match e {
            ParcelError::Forbidden(f) => f.into(),
            ParcelError::Empty => ApiError::BadParameter("body", e.to_string()),
            ParcelError::TooMany(_) => ApiError::BadParameter("body", e.to_string()),
            ParcelError::Invalid(name, m) => ApiError::BadParameter(name, m),
            ParcelError::NotFound(m) => ApiError::NotFound(m),
            ParcelError::Settled(m) => ApiError::Conflict(m),
            ParcelError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::exchange::ExchangeError> for ApiError {
    fn from(e: crate::app::exchange::ExchangeError) -> Self {
        use crate::app::exchange::ExchangeError;
        match e {
            ExchangeError::Forbidden(f) => f.into(),
            ExchangeError::Invalid(name, m) => ApiError::BadParameter(name, m),
            ExchangeError::BadKey => ApiError::BadPublicKey,
            ExchangeError::UnknownPartner(p) => ApiError::PartnerUnknown(p),
            ExchangeError::Signature(s) => ApiError::PartnerSignature(s),
            ExchangeError::NotPartnersKey { .. } => ApiError::PartnerKey(e.to_string()),
            ExchangeError::Malformed { path, message } => ApiError::PartnerMessage { path, message },
            ExchangeError::Resent { .. } => ApiError::Conflict(e.to_string()),
            ExchangeError::NotFound(id) => ApiError::NotFound(format!("declaration {id}")),
            ExchangeError::Store(s) => s.into(),
        }
    }
}
