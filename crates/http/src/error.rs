//! The one error type of the HTTP API. Every error has a stable code; the body is
//! `{"error":{"code","message","details"}}`. Internal causes are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_storage::{CommitError, StoreError};

mod areas;

/// An API error.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No `Authorization: Bearer` header.
    #[error("this endpoint needs an API token: send `Authorization: Bearer <token>`")]
    MissingToken,
    /// The token is unknown.
    #[error("the API token is not valid")]
    InvalidToken,
    /// The caller's role may not use this endpoint.
    #[error("your role ({0}) may not {1}")]
    Forbidden(&'static str, &'static str),
    /// A state-changing request on a session lacks the session's CSRF token.
    #[error("this form or request does not carry the CSRF token of your session; reload the page and try again")]
    CsrfMismatch,
    /// A state-changing request from another site.
    #[error("state-changing requests are accepted only from this site's own pages")]
    CrossOrigin,
    /// Too many failed sign-ins.
    #[error("too many failed sign-ins for this account or from this address; try again in {0} minutes")]
    TooManySignIns(i64),
    /// The body did not arrive in time.
    #[error("the request body stopped arriving before the body read timeout")]
    BodyTimeout,
    /// The server sheds load: too many connections.
    #[error("the server is at its connection limit; retry shortly")]
    Overloaded,
    /// A trader asked for another trader's data.
    #[error("declaration {0} does not exist or is not yours")]
    NotYours(String),
    /// The body is not JSON.
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    /// The body is not a WCO DM goods declaration message in XML.
    #[error("the request body is not a WCO DM declaration message: {0}")]
    XmlInvalid(smartcustoms_core::wcodm::XmlError),
    /// The JSON has the wrong shape or types.
    #[error("the request body does not match the schema at {path}: {message}")]
    Schema {
        /// JSON path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The body is larger than allowed.
    #[error("the request body exceeds the limit of {0} bytes")]
    TooLarge(usize),
    /// The declarant on the declaration is not the authenticated trader.
    #[error("you are authenticated as {token} but the declaration names declarant {declared}")]
    DeclarantMismatch {
        /// Trader of the token.
        token: String,
        /// Declarant on the document.
        declared: String,
    },
    /// A representative files for a declarant without an authorisation in force.
    #[error("{filer} holds no authorisation of {declared} in force today (expired, not yet valid or revoked)")]
    NotAuthorised {
        /// The representative that filed.
        filer: String,
        /// The declarant named on the declaration.
        declared: String,
    },
    /// Nothing at this id.
    #[error("{0} not found")]
    NotFound(String),
    /// A query parameter or path segment is wrong.
    #[error("invalid parameter {0}: {1}")]
    BadParameter(&'static str, String),
    /// A public key could not be read.
    #[error("the public key is not a base64url Ed25519 key of 32 bytes")]
    BadPublicKey,
    /// The resource exists already.
    #[error("{0}")]
    Conflict(String),
    /// A risk profile does not parse.
    #[error("the risk profile does not parse: {0}")]
    ProfileSyntax(String),
    /// The header is not valid.
    #[error("invalid header {0}: {1}")]
    BadHeader(&'static str, &'static str),
    /// A payment reference was notified before with another trader or amount.
    #[error("{0}")]
    PaymentConflict(String),
    /// An amount of money that is not a positive figure in cents.
    #[error("invalid amount: {0}")]
    BadAmount(String),
    /// The available balance does not cover what was asked.
    #[error("the available balance {available} does not cover {needed}; {missing} is missing")]
    InsufficientFunds {
        /// Available balance.
        available: String,
        /// Amount asked for.
        needed: String,
        /// Difference.
        missing: String,
    },
    /// A tariff file or change is not valid; every problem is listed.
    #[error("the tariff change is not valid: {}", .0.join("; "))]
    TariffInvalid(Vec<String>),
    /// A model cannot be trained now (too few outcomes, a single class).
    #[error("the risk model cannot be trained: {0}")]
    ModelTraining(String),
    /// A survey answer is not valid; every finding is listed.
    #[error("the survey answer is not valid: {} problem(s), see details.findings", .0.len())]
    SurveyInvalid(Vec<smartcustoms_core::knowledge::SurveyFinding>),
    /// A maturity assessment cannot be scored; every problem is listed.
    #[error("the maturity assessment is not valid: {}", .0.join("; "))]
    AssessmentInvalid(Vec<String>),
    /// A deposit names a trader the platform does not know.
    #[error("trader {0} is not known to the platform; deposits are credited only to registered traders")]
    UnknownTrader(String),
    /// Text that no backend can store (a NUL character).
    #[error("{0} holds a NUL character, which cannot be stored")]
    UnstorableText(&'static str),
    /// The body is not sent with the media type the endpoint reads.
    #[error("the body must be sent as {0}")]
    UnsupportedMediaType(&'static str),
    /// A search query is empty or too long.
    #[error("invalid search query: {0}")]
    SearchQuery(String),
    /// The declaration's state changed before the action (another officer decided it, it was
    /// withdrawn or released): nothing was changed.
    #[error(transparent)]
    Settled(Box<crate::app::control::Settled>),
    /// A request for documents or an answer is not valid.
    #[error("{0}")]
    RequestInvalid(smartcustoms_core::requests::Invalid),
    /// The request for documents is answered already.
    #[error("{0}")]
    Answered(String),
    /// A change of centres, inspectors or dispatch rules, or a reassignment, is not valid.
    #[error("the dispatch set-up or reassignment is not valid: {}", .0.join("; "))]
    DispatchInvalid(Vec<String>),
    /// A person or customs office to add or change is not valid: the field and what is wrong.
    #[error("invalid {0}: {1}")]
    StaffInvalid(&'static str, String),
    /// A personal signing key cannot be made or opened.
    #[error("{0}")]
    SigningKey(String),
    /// The store is not available or failed.
    /// A transit declaration or pre-arrival information breaks TRN rules.
    #[error("the filing breaks {} rule(s), see details.findings", .0.len())]
    MovementInvalid(Vec<smartcustoms_core::flc::Finding>),
    /// A local reference filed before with other content.
    #[error("local reference {reference} was filed before as {mrn} with other content: {}", .fields.join(", "))]
    ReferenceTaken {
        /// The reference.
        reference: String,
        /// The movement made from the first filing.
        mrn: String,
        /// The top-level fields that differ.
        fields: Vec<&'static str>,
    },
    /// The movement's state does not take the event.
    #[error("{0}")]
    TransitRefused(smartcustoms_core::transit::movement::Refused),
    /// A movement's filing is not signed as it must be.
    #[error("the signature is not accepted: {0}")]
    SignatureRejected(String),
    /// The amount at stake cannot be computed.
    #[error("the amount at stake cannot be computed: {0}")]
    StakeUnknown(String),
    /// A seal's report breaks the contract.
    #[error("the seal report is refused: {} problem(s), see details.problems", .0.len())]
    SealReportInvalid(Vec<smartcustoms_core::seals::Problem>),
    /// A seal on no active movement.
    #[error("seal {0} is on no active transit")]
    NoActiveTransit(String),
    /// A device's message is not signed as its registered key requires.
    #[error("the device's signature is not accepted: {0}")]
    DeviceSignature(smartcustoms_core::signature::SignatureError),
    /// A traceability report cannot be read: every `TRC_001` … `TRC_016` problem.
    #[error("the traceability report is refused: {} problem(s), see details.problems", .0.len())]
    TraceReportInvalid(Vec<smartcustoms_core::flc::Finding>),
    /// The batches' balances refuse a traceability report: every refused line.
    #[error("{}", .0.first().map_or("the traceability report is refused", |f| f.message.as_str()))]
    TraceRefused(Vec<smartcustoms_core::flc::Finding>),
    /// A checkpoint's equipment event breaks the contract: every `CHK_0xx` problem.
    #[error("the checkpoint event is refused: {} problem(s), see details.problems", .0.len())]
    CheckpointEventInvalid(Vec<smartcustoms_core::checkpoint::Problem>),
    /// A checkpoint's settings are not valid: every problem.
    #[error("the checkpoint settings are refused: {} problem(s), see details.problems", .0.len())]
    CheckpointInvalid(Vec<smartcustoms_core::checkpoint::Problem>),
    /// A booking or queue entry is refused: every reason.
    #[error("{}", .0.first().map_or("the booking is refused", |r| r.message.as_str()))]
    BookingRefused(Vec<smartcustoms_core::checkpoint::Reason>),
    /// A vehicle's state does not take the action.
    #[error("{reason}")]
    VehicleRefused {
        /// The vehicle's state.
        state: String,
        /// The action.
        action: String,
        /// Why.
        reason: String,
        /// The operations due.
        operations: Vec<String>,
    },
    /// A partner's message names a partner that is not registered.
    #[error("partner {0} is not registered; its messages are not taken")]
    PartnerUnknown(String),
    /// A partner's message is not signed as the partner's registered key requires.
    #[error("the partner's signature is not accepted: {0}")]
    PartnerSignature(smartcustoms_core::signature::SignatureError),
    /// A partner's message is signed with a key that is not the named partner's key in force.
    #[error("{0}")]
    PartnerKey(String),
    /// A partner's message cannot be read.
    #[error("the partner's message cannot be read at {path}: {message}")]
    PartnerMessage {
        /// JSON path, `$` for the whole message.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The service could not complete the request.
    #[error("the service could not complete the request; it was not recorded, retry later")]
    Unavailable,
}

/// One row per error kind: its code, HTTP status and meaning. `code`, `status` and the
/// error table of `docs/errors.md` all come from here; a test compares that table with the
/// document.
macro_rules! error_kinds {
    ($($kind:ident => $code:literal, $status:ident, $meaning:literal;)*) => {
        /// The kinds of API error, one per code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorKind {
            $(
                #[doc = $meaning]
                $kind,
            )*
        }

        impl ErrorKind {
            /// Every kind, in the order of the table.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind),*];

            /// The stable code. Never reuse a code.
            pub fn code(self) -> &'static str {
                match self { $(ErrorKind::$kind => $code,)* }
            }

            /// The HTTP status.
            pub fn status(self) -> StatusCode {
                match self { $(ErrorKind::$kind => StatusCode::$status,)* }
            }

            /// What the error means, for the documentation.
            pub fn meaning(self) -> &'static str {
                match self { $(ErrorKind::$kind => $meaning,)* }
            }
        }
    };
}

error_kinds! {
    MissingToken => "AUTH_001", UNAUTHORIZED, "No `Authorization: Bearer <token>` header and no live session cookie.";
    InvalidToken => "AUTH_002", UNAUTHORIZED, "The API token is not valid.";
    Forbidden => "AUTH_003", FORBIDDEN, "The caller's role may not use this endpoint (e.g. an officer filing, a trader writing risk profiles).";
    NotYours => "AUTH_004", NOT_FOUND, "The declaration does not exist or belongs to another trader (a trader cannot learn which).";
    DeclarantMismatch => "AUTH_005", FORBIDDEN, "The declarant named on the declaration is not the authenticated trader.";
    CsrfMismatch => "AUTH_006", FORBIDDEN, "A state-changing request signed in by a session cookie does not carry the session's CSRF token (form field `_csrf`, or header `X-CSRF-Token` on the API). Nothing was changed.";
    CrossOrigin => "AUTH_007", FORBIDDEN, "A state-changing request comes from another site: its `Origin` is not this server, or `Sec-Fetch-Site` says `cross-site`. Nothing was changed.";
    TooManySignIns => "AUTH_008", TOO_MANY_REQUESTS, "Too many failed sign-ins for this user name or from this address within the window; the password is not even checked until the window has passed.";
    NotAuthorised => "AUTH_009", FORBIDDEN, "A customs representative files for a declarant whose authorisation it holds is not in force on the day of filing (expired, not yet valid or revoked). A declarant that never authorised the filer is `AUTH_005`. Nothing was recorded.";
    MalformedJson => "REQ_001", BAD_REQUEST, "The body is not valid JSON.";
    Schema => "REQ_002", UNPROCESSABLE_ENTITY, "The JSON does not match the schema (wrong type, unknown field); `details.path` names the field.";
    TooLarge => "REQ_003", PAYLOAD_TOO_LARGE, "The body is larger than the configured limit (`body_limit`).";
    BadParameter => "REQ_004", BAD_REQUEST, "A path segment or query parameter is invalid (bad id, limit out of range, unknown state).";
    BadHeader => "REQ_005", BAD_REQUEST, "A header is invalid (e.g. an `Idempotency-Key` longer than 128 characters).";
    UnstorableText => "REQ_006", BAD_REQUEST, "The request holds text that cannot be stored: a NUL character (`\\u0000` in JSON, `%00` in a path, query or form). Nothing is decided or recorded.";
    UnsupportedMediaType => "REQ_007", UNSUPPORTED_MEDIA_TYPE, "The body is not sent with the media type the endpoint reads (`Content-Type: application/json` for JSON bodies).";
    BodyTimeout => "REQ_008", REQUEST_TIMEOUT, "The request body stopped arriving: no part of it came within the body read timeout (30 s by default). Nothing was decided or recorded.";
    XmlInvalid => "REQ_009", BAD_REQUEST, "The body is not a goods declaration message of the WCO Data Model in XML (DEC-DMS): not UTF-8, not well-formed, a document type declaration or an entity (refused, so nothing is expanded or fetched), nesting or size beyond the bounds, a wrong root or namespace, or a value our declaration cannot hold; `details` gives the `reason` (`XML_0xx`), the element `path` and the `line` and `column`. Nothing was recorded.";
    Settled => "DEC_001", CONFLICT, "The declaration's state does not take this action now: another officer decided it first (perhaps at the same moment), or it was released, refused or withdrawn; `details` gives its `state` now and who changed it last (`by`, `at`). Nothing was changed.";
    RequestInvalid => "DOC_001", UNPROCESSABLE_ENTITY, "A request for documents or its answer is not valid (empty question, deadline outside 1 to 720 hours, empty answer, more than 3 files, a file of another type or over 5 MB, a file name with a path); `details.field` names the field. Nothing was recorded.";
    Answered => "DOC_002", CONFLICT, "The request for documents is answered already; the officer asks again if more is needed. Nothing was recorded.";
    DispatchInvalid => "DSP_001", UNPROCESSABLE_ENTITY, "A declaration centre, inspector, dispatch rule set or reassignment is not valid (a rule naming an unknown centre, an inspector who is not an officer, a leave that ends before it starts, a reassignment to someone on leave or without a reason); `details.problems` lists every problem.";
    StaffInvalid => "ADM_001", UNPROCESSABLE_ENTITY, "A person or customs office an administrator adds or changes is not valid (a sign-in name that is not 3 to 64 lower-case letters, digits, dots, dashes or underscores, no name shown, a password shorter than 10 or longer than 200 characters, an unknown role, a trader's user without its organisation or another role with one, an office code that is not 8 capital letters or digits, an administrator disabling itself); `details.field` names the field. Nothing was changed.";
    BadPublicKey => "KEY_001", UNPROCESSABLE_ENTITY, "The public key is not a base64url Ed25519 key of 32 bytes.";
    SigningKey => "KEY_002", UNPROCESSABLE_ENTITY, "A personal signing key held by the server cannot be made or opened: the passphrase is shorter than 10 or longer than 200 characters, the two passphrases differ, the passphrase does not open the key, or the user has no key yet. Nothing was signed or filed.";
    NotFound => "RES_001", NOT_FOUND, "Nothing at this address or id.";
    Conflict => "RES_002", CONFLICT, "The resource exists already (e.g. a key registered twice).";
    ProfileSyntax => "RISK_001", UNPROCESSABLE_ENTITY, "The risk profile text does not parse; the message gives line and column.";
    ModelTraining => "RISK_002", CONFLICT, "The risk model cannot be trained now: too few control outcomes in the window, or outcomes of one class only; the message says which. The model in force stays.";
    PaymentConflict => "PAY_001", CONFLICT, "A payment reference was notified before for another trader or another amount (a repeat with the same trader and amount is answered as a duplicate, not an error).";
    BadAmount => "PAY_002", UNPROCESSABLE_ENTITY, "An amount is not a positive figure with at most two decimals, or exceeds the largest amount one payment may carry (see the README).";
    InsufficientFunds => "PAY_003", CONFLICT, "The available balance does not cover the refund asked for; `details` gives available, needed and missing.";
    UnknownTrader => "PAY_004", UNPROCESSABLE_ENTITY, "A deposit names a trader the platform does not know: accounts exist only for registered traders.";
    TariffInvalid => "TARIFF_001", UNPROCESSABLE_ENTITY, "A tariff import or change is not valid (unknown HS code, overlapping validity, unknown country group, bad rate text…); `details.problems` lists every problem with its line or entry.";
    SurveyInvalid => "KB_001", UNPROCESSABLE_ENTITY, "A survey answer is not valid; `details.findings` lists every problem with its `field`, `code` (below) and `message`. Nothing is stored.";
    AssessmentInvalid => "KB_002", UNPROCESSABLE_ENTITY, "A maturity assessment cannot be scored (unknown or repeated catalogue item, evidence too long, no administration named); `details.problems` lists them.";
    SearchQuery => "KB_003", BAD_REQUEST, "A search query is empty or longer than 500 characters.";
    MovementInvalid => "MOV_001", UNPROCESSABLE_ENTITY, "A transit declaration or pre-arrival information breaks TRN rules (see docs/transit.md); `details.findings` lists every finding with its `code`, `path` and `message`. Nothing was recorded and no MRN was given.";
    ReferenceTaken => "MOV_002", CONFLICT, "The filer's local reference (or pre-arrival reference) was filed before with other content; `details` gives the `mrn` made then and the top-level `fields` that differ. The same content sent again is answered with the movement made then (200), never a second one.";
    TransitRefused => "MOV_003", CONFLICT, "The movement's state does not take this event (completed twice, cancelled after release, released after its time limit, completed without unloading remarks…); `details` gives `state`, `event` and `reason`. Nothing was changed.";
    SignatureRejected => "MOV_004", UNPROCESSABLE_ENTITY, "A transit declaration or pre-arrival information is not signed with a registered key of the filer (missing, malformed, unknown key, or not matching the body). Nothing was recorded.";
    StakeUnknown => "MOV_005", UNPROCESSABLE_ENTITY, "The duties at stake cannot be computed: an item's currency has no exchange rate in the tariff on the day of filing. Nothing was recorded.";
    SealReportInvalid => "DEV_001", UNPROCESSABLE_ENTITY, "A navigation seal's report breaks the contract of docs/seals.md (not JSON, a required field missing, a value out of range, an unknown event code); `details.problems` lists every problem with its `SEAL_0xx` code and JSON path. Nothing was kept; over MQTT the report is acknowledged and dropped, since it can never become valid.";
    NoActiveTransit => "DEV_002", NOT_FOUND, "The seal is listed on no movement that may still report (accepted, in transit, in enquiry or arrived). Nothing was kept.";
    DeviceSignature => "DEV_003", UNPROCESSABLE_ENTITY, "A device with a registered key sent a message not signed with it (unsigned, signed with another key, malformed JWS, or altered), or the deployment requires signatures (`require_device_signatures`) and the device has none; `details.reason` gives the `SIG_00x` code. Nothing was kept; over MQTT the message is acknowledged and dropped.";
    TraceReportInvalid => "TRACE_001", UNPROCESSABLE_ENTITY, "A traceability report cannot be read (not JSON, an unknown field, a field missing or of another kind of report, a malformed batch number, document or trader id, an unknown unit, a quantity not positive or finer than its unit, no lines, a batch listed twice); `details.problems` lists every problem with its `TRC_0xx` code, JSON path and message (see docs/traceability.md). Nothing was recorded.";
    TraceRefused => "TRACE_002", CONFLICT, "The batches' balances refuse a traceability report (unknown or closed batch, the reporter holds none or not enough, a unit other than the batch's, a transfer to oneself, a return of no such sale or beyond it); `details` gives the first refusal's `code` (`TRC_030` … `TRC_039`) and `reason`, and `refusals` every refused line with its path. The report is refused whole: nothing was recorded.";
    CheckpointEventInvalid => "CHP_001", UNPROCESSABLE_ENTITY, "A checkpoint equipment event breaks the contract of docs/checkpoint.md (not JSON, a required field missing, a value out of range, an unknown kind, or an event other than a plate read naming no `vehicle` or `plate`); `details.problems` lists every problem with its `CHK_0xx` code and JSON path. Nothing was kept; over MQTT the event is acknowledged and dropped, since it can never become valid.";
    CheckpointInvalid => "CHP_002", UNPROCESSABLE_ENTITY, "A checkpoint's settings are not valid (a code that is not 3 to 16 capital letters, digits or dashes, slots that do not divide a day, no lanes, a tolerance outside 0 to 20 %, a confidence outside 0 to 1, priority rules the rule language refuses, such as a rule on payment); `details.problems` lists every problem with its `CHK_0xx` code and path. Nothing was changed.";
    BookingRefused => "CHP_003", CONFLICT, "A booking or queue entry is refused (not a slot start, a slot begun or beyond the horizon, a full slot, a vehicle already booked or at the checkpoint); `details.reasons` gives every reason with its `CHK_02x` code. Nothing was recorded.";
    VehicleRefused => "CHP_004", CONFLICT, "The vehicle's state does not take the action (crossing while operations are due, calling a vehicle not waiting, an operation not due, a hold lifted by other than a supervisor or without a note, a refusal without a note, cancelling a vehicle that arrived); `details` gives `state`, `action`, `reason` and the `operations` due. Nothing was changed.";
    PartnerUnknown => "PTN_001", UNPROCESSABLE_ENTITY, "A partner administration's message (`POST /api/v1/exchange/inbound`) names in its `partner` field a country that is not registered as a partner. Nothing was recorded.";
    PartnerSignature => "PTN_002", UNPROCESSABLE_ENTITY, "A partner's message is not signed with a registered partner key: the `kid` is no partner's key, the signature does not match the message (wrong key or altered payload) or uses another algorithm; `details.reason` gives the `SIG_00x` code. Nothing was recorded.";
    PartnerKey => "PTN_003", UNPROCESSABLE_ENTITY, "A partner's message is signed with a key that is not the key in force of the partner it names: another partner's key, or the partner's key that was replaced. Nothing was recorded.";
    PartnerMessage => "PTN_004", UNPROCESSABLE_ENTITY, "A partner's message cannot be read: not a compact JWS, or its payload is not a partner export (not JSON, a field missing or unknown, a partner that is not two capital letters, an empty reference or one over 35 characters, no lines or more than 999, a line number repeated); `details.path` names the field. Nothing was recorded.";
    Unavailable => "SYS_001", SERVICE_UNAVAILABLE, "The database failed; nothing was recorded, retry (with the same `Idempotency-Key`).";
    Overloaded => "SYS_002", SERVICE_UNAVAILABLE, "The server is at its connection limit and refuses new anonymous requests (health checks and signed-in callers are still served); retry after the `Retry-After` seconds.";
}

impl ApiError {
    /// The kind of this error, which gives its code and status.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::MissingToken => ErrorKind::MissingToken,
            ApiError::InvalidToken => ErrorKind::InvalidToken,
            ApiError::Forbidden(..) => ErrorKind::Forbidden,
            ApiError::CsrfMismatch => ErrorKind::CsrfMismatch,
            ApiError::CrossOrigin => ErrorKind::CrossOrigin,
            ApiError::TooManySignIns(_) => ErrorKind::TooManySignIns,
            ApiError::Overloaded => ErrorKind::Overloaded,
            ApiError::BodyTimeout => ErrorKind::BodyTimeout,
            ApiError::NotYours(_) => ErrorKind::NotYours,
            ApiError::DeclarantMismatch { .. } => ErrorKind::DeclarantMismatch,
            ApiError::NotAuthorised { .. } => ErrorKind::NotAuthorised,
            ApiError::MalformedJson(_) => ErrorKind::MalformedJson,
            ApiError::XmlInvalid(_) => ErrorKind::XmlInvalid,
            ApiError::Schema { .. } => ErrorKind::Schema,
            ApiError::TooLarge(_) => ErrorKind::TooLarge,
            ApiError::BadParameter(..) => ErrorKind::BadParameter,
            ApiError::BadHeader(..) => ErrorKind::BadHeader,
            ApiError::UnstorableText(_) => ErrorKind::UnstorableText,
            ApiError::UnsupportedMediaType(_) => ErrorKind::UnsupportedMediaType,
            ApiError::BadPublicKey => ErrorKind::BadPublicKey,
            ApiError::SigningKey(_) => ErrorKind::SigningKey,
            ApiError::NotFound(_) => ErrorKind::NotFound,
            ApiError::Conflict(_) => ErrorKind::Conflict,
            ApiError::ProfileSyntax(_) => ErrorKind::ProfileSyntax,
            ApiError::ModelTraining(_) => ErrorKind::ModelTraining,
            ApiError::PaymentConflict(_) => ErrorKind::PaymentConflict,
            ApiError::BadAmount(_) => ErrorKind::BadAmount,
            ApiError::InsufficientFunds { .. } => ErrorKind::InsufficientFunds,
            ApiError::UnknownTrader(_) => ErrorKind::UnknownTrader,
            ApiError::TariffInvalid(_) => ErrorKind::TariffInvalid,
            ApiError::SurveyInvalid(_) => ErrorKind::SurveyInvalid,
            ApiError::AssessmentInvalid(_) => ErrorKind::AssessmentInvalid,
            ApiError::SearchQuery(_) => ErrorKind::SearchQuery,
            ApiError::Settled(_) => ErrorKind::Settled,
            ApiError::RequestInvalid(_) => ErrorKind::RequestInvalid,
            ApiError::DispatchInvalid(_) => ErrorKind::DispatchInvalid,
            ApiError::StaffInvalid(..) => ErrorKind::StaffInvalid,
            ApiError::Answered(_) => ErrorKind::Answered,
            ApiError::MovementInvalid(_) => ErrorKind::MovementInvalid,
            ApiError::ReferenceTaken { .. } => ErrorKind::ReferenceTaken,
            ApiError::TransitRefused(_) => ErrorKind::TransitRefused,
            ApiError::SignatureRejected(_) => ErrorKind::SignatureRejected,
            ApiError::StakeUnknown(_) => ErrorKind::StakeUnknown,
            ApiError::SealReportInvalid(_) => ErrorKind::SealReportInvalid,
            ApiError::NoActiveTransit(_) => ErrorKind::NoActiveTransit,
            ApiError::DeviceSignature(_) => ErrorKind::DeviceSignature,
            ApiError::TraceReportInvalid(_) => ErrorKind::TraceReportInvalid,
            ApiError::TraceRefused(_) => ErrorKind::TraceRefused,
            ApiError::CheckpointEventInvalid(_) => ErrorKind::CheckpointEventInvalid,
            ApiError::CheckpointInvalid(_) => ErrorKind::CheckpointInvalid,
            ApiError::BookingRefused(_) => ErrorKind::BookingRefused,
            ApiError::VehicleRefused { .. } => ErrorKind::VehicleRefused,
            ApiError::PartnerUnknown(_) => ErrorKind::PartnerUnknown,
            ApiError::PartnerSignature(_) => ErrorKind::PartnerSignature,
            ApiError::PartnerKey(_) => ErrorKind::PartnerKey,
            ApiError::PartnerMessage { .. } => ErrorKind::PartnerMessage,
            ApiError::Unavailable => ErrorKind::Unavailable,
        }
    }

    /// The stable code, e.g. `AUTH_002`.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.kind().status()
    }

    fn details(&self) -> serde_json::Value {
        match self {
            ApiError::Schema { path, .. } => serde_json::json!({ "path": path }),
            ApiError::InsufficientFunds { available, needed, missing } => {
                serde_json::json!({ "available": available, "needed": needed, "missing": missing })
            }
            ApiError::TariffInvalid(problems)
            | ApiError::AssessmentInvalid(problems)
            | ApiError::DispatchInvalid(problems) => {
                serde_json::json!({ "problems": problems })
            }
            ApiError::SurveyInvalid(findings) => serde_json::json!({ "findings": findings }),
            ApiError::MovementInvalid(findings) => serde_json::json!({ "findings": findings }),
            ApiError::SealReportInvalid(problems) => serde_json::json!({ "problems": problems }),
            ApiError::TraceReportInvalid(problems) => serde_json::json!({ "problems": problems }),
            ApiError::TraceRefused(refusals) => serde_json::json!({
                "code": refusals.first().map(|f| f.code.as_str()),
                "reason": refusals.first().map(|f| f.message.as_str()),
                "refusals": refusals,
            }),
            ApiError::CheckpointEventInvalid(problems) | ApiError::CheckpointInvalid(problems) => {
                serde_json::json!({ "problems": problems })
            }
            ApiError::BookingRefused(reasons) => serde_json::json!({ "reasons": reasons }),
            ApiError::DeviceSignature(e) | ApiError::PartnerSignature(e) => serde_json::json!({ "reason": e.code() }),
            ApiError::PartnerMessage { path, .. } => serde_json::json!({ "path": path }),
            ApiError::XmlInvalid(e) => serde_json::json!({
                "reason": e.code(), "path": e.path(), "line": e.position().line, "column": e.position().column,
            }),
            ApiError::VehicleRefused { state, action, reason, operations } => serde_json::json!({
                "state": state, "action": action, "reason": reason, "operations": operations,
            }),
            ApiError::ReferenceTaken { mrn, fields, .. } => serde_json::json!({ "mrn": mrn, "fields": fields }),
            ApiError::TransitRefused(r) => {
                serde_json::json!({ "state": r.state, "event": r.event, "reason": r.reason })
            }
            ApiError::RequestInvalid(i) => serde_json::json!({ "field": i.field }),
            ApiError::StaffInvalid(field, _) => serde_json::json!({ "field": field }),
            ApiError::Settled(s) => serde_json::json!({
                "state": s.state,
                "by": s.by.as_ref().map(|(who, _)| who),
                "at": s.by.as_ref().map(|(_, at)| at.rfc3339()),
            }),
            _ => serde_json::Value::Null,
        }
    }
}

/// The error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code, message and details of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code, e.g. `AUTH_002`.
    pub code: &'static str,
    /// Plain-language message.
    pub message: String,
    /// Extra data (e.g. the JSON path of a schema error).
    pub details: serde_json::Value,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            ApiError::Overloaded => Some(1),
            ApiError::TooManySignIns(minutes) => Some(minutes * 60),
            _ => None,
        };
        let body =
            ErrorBody { error: ErrorDetail { code: self.code(), message: self.to_string(), details: self.details() } };
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("the resource".into()),
            StoreError::Conflict(m) => ApiError::Conflict(m),
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::Unavailable
            }
        }
    }
}

impl From<crate::app::filing::FileError> for ApiError {
    fn from(e: crate::app::filing::FileError) -> Self {
        use crate::app::filing::FileError;
        match e {
            FileError::UnstorableText => crate::extract::refuse_nul("the declaration"),
            FileError::MalformedJson(m) => ApiError::MalformedJson(m),
            FileError::Xml(e) => ApiError::XmlInvalid(e),
            FileError::Schema { path, message } => ApiError::Schema { path, message },
            FileError::DeclarantMismatch { filer, declared } => ApiError::DeclarantMismatch { token: filer, declared },
            FileError::NotAuthorised { filer, declared } => ApiError::NotAuthorised { filer, declared },
            FileError::BadIdempotencyKey => ApiError::BadHeader("Idempotency-Key", "must be 1 to 128 characters"),
            FileError::Store(e) => e.into(),
            FileError::Commit(e) => e.into(),
        }
    }
}

impl From<crate::app::tariff::TariffError> for ApiError {
    fn from(e: crate::app::tariff::TariffError) -> Self {
        match e {
            crate::app::tariff::TariffError::Invalid(problems) => ApiError::TariffInvalid(problems),
            crate::app::tariff::TariffError::NotFound { kind, key } => {
                ApiError::NotFound(format!("tariff {kind} {key}"))
            }
            crate::app::tariff::TariffError::Store(e) => e.into(),
        }
    }
}

impl From<crate::app::money::MoneyError> for ApiError {
    fn from(e: crate::app::money::MoneyError) -> Self {
        use crate::app::money::MoneyError;
        match e {
            MoneyError::BadAmount(m) => ApiError::BadAmount(m.to_string()),
            MoneyError::BadText { field, max } => {
                ApiError::BadParameter(field, format!("must be 1 to {max} visible characters"))
            }
            MoneyError::UnknownTrader(t) => ApiError::UnknownTrader(t),
            MoneyError::PaymentConflict(m) => ApiError::PaymentConflict(m),
            MoneyError::InsufficientFunds { available, needed, missing } => ApiError::InsufficientFunds {
                available: available.to_string(),
                needed: needed.to_string(),
                missing: missing.to_string(),
            },
            MoneyError::Forbidden(f) => f.into(),
            MoneyError::NoAccount(t) => ApiError::NotFound(format!("account {t}")),
            MoneyError::BadParameter(name, m) => ApiError::BadParameter(name, m),
            MoneyError::Store(e) => e.into(),
        }
    }
}

impl From<crate::app::control::ControlError> for ApiError {
    fn from(e: crate::app::control::ControlError) -> Self {
        use crate::app::control::ControlError;
        match e {
            ControlError::BadReason => ApiError::BadParameter("reason", e.to_string()),
            ControlError::BadOutcome(m) => ApiError::BadParameter("outcome", m),
            ControlError::NotFound(id) => ApiError::NotFound(format!("declaration {id}")),
            ControlError::Settled(s) => ApiError::Settled(Box::new(s)),
            ControlError::AwaitingAgency(m) => ApiError::Conflict(m),
            ControlError::Forbidden(f) => f.into(),
            ControlError::Store(e) => e.into(),
        }
    }
}

impl From<crate::app::knowledge::KnowledgeError> for ApiError {
    fn from(e: crate::app::knowledge::KnowledgeError) -> Self {
        use crate::app::knowledge::KnowledgeError;
        match e {
            KnowledgeError::Forbidden(f) => f.into(),
            KnowledgeError::SurveyInvalid(findings) => ApiError::SurveyInvalid(findings),
            KnowledgeError::AssessmentInvalid(problems) => ApiError::AssessmentInvalid(problems),
            KnowledgeError::BadFilter(name, m) => ApiError::BadParameter(name, m),
            KnowledgeError::SearchQuery(m) => ApiError::SearchQuery(m),
            KnowledgeError::NotFound(what) => ApiError::NotFound(what),
            KnowledgeError::Internal(m) => {
                tracing::error!(error = %m, "knowledge base");
                ApiError::Unavailable
            }
            KnowledgeError::Store(e) => e.into(),
        }
    }
}

impl From<crate::app::profiles::ProfileError> for ApiError {
    fn from(e: crate::app::profiles::ProfileError) -> Self {
        use crate::app::profiles::ProfileError;
        match e {
            ProfileError::Forbidden(f) => f.into(),
            ProfileError::Syntax(m) => ApiError::ProfileSyntax(m),
            ProfileError::Risk(r) => r.into(),
        }
    }
}

impl From<crate::app::dispatch::DispatchError> for ApiError {
    fn from(e: crate::app::dispatch::DispatchError) -> Self {
        use crate::app::dispatch::DispatchError;
        match e {
            DispatchError::Forbidden(f) => f.into(),
            DispatchError::Invalid(problems) => {
                ApiError::DispatchInvalid(problems.iter().map(ToString::to_string).collect())
            }
            DispatchError::Read(r) => r.into(),
            DispatchError::Settled(s) => ApiError::Settled(Box::new(s)),
            DispatchError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::requests::RequestError> for ApiError {
    fn from(e: crate::app::requests::RequestError) -> Self {
        use crate::app::requests::RequestError;
        match e {
            RequestError::Forbidden(f) => f.into(),
            RequestError::Invalid(i) => ApiError::RequestInvalid(i),
            RequestError::Read(r) => r.into(),
            RequestError::NoRequest(_) | RequestError::NoFile { .. } => ApiError::NotFound(e.to_string()),
            RequestError::Answered(_) => ApiError::Answered(e.to_string()),
            RequestError::Settled(s) => ApiError::Settled(Box::new(s)),
            RequestError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::declarations::ReadError> for ApiError {
    fn from(e: crate::app::declarations::ReadError) -> Self {
        use crate::app::declarations::ReadError;
        match e {
            ReadError::Forbidden(f) => f.into(),
            ReadError::BadParameter(name, m) => ApiError::BadParameter(name, m),
            ReadError::NotFound(id) => ApiError::NotFound(format!("declaration {id}")),
            ReadError::NotYours(id) => ApiError::NotYours(id),
            ReadError::Settled(s) => ApiError::Settled(Box::new(s)),
            ReadError::Store(e) => e.into(),
        }
    }
}

impl From<crate::app::desk::DeskError> for ApiError {
    fn from(e: crate::app::desk::DeskError) -> Self {
        use crate::app::desk::DeskError;
        match e {
            DeskError::Forbidden(f) => f.into(),
            DeskError::NoKey | DeskError::Mismatch | DeskError::Seal(_) => ApiError::SigningKey(e.to_string()),
            DeskError::TooBig => ApiError::BadParameter("fields", e.to_string()),
            DeskError::Read(r) => r.into(),
            DeskError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::organisation::OrgError> for ApiError {
    fn from(e: crate::app::organisation::OrgError) -> Self {
        use crate::app::organisation::OrgError;
        match e {
            OrgError::Forbidden(f) => f.into(),
            OrgError::Invalid(field, m) => ApiError::BadParameter(field, m.to_string()),
            OrgError::NotFound(what) => ApiError::NotFound(what),
            OrgError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::staff::StaffError> for ApiError {
    fn from(e: crate::app::staff::StaffError) -> Self {
        use crate::app::staff::StaffError;
        match e {
            StaffError::Forbidden(f) => f.into(),
            StaffError::Invalid(field, m) => ApiError::StaffInvalid(field, m.to_string()),
            StaffError::NotFound(what) => ApiError::NotFound(what),
            StaffError::Taken(what) => ApiError::Conflict(what.to_string()),
            StaffError::Store(s) => s.into(),
        }
    }
}

impl From<crate::app::Forbidden> for ApiError {
    fn from(f: crate::app::Forbidden) -> Self {
        ApiError::Forbidden(f.role, f.action)
    }
}

impl From<CommitError> for ApiError {
    fn from(e: CommitError) -> Self {
        tracing::error!(error = %e, "recording a filing failed");
        ApiError::Unavailable
    }
}

/// The error table of `docs/errors.md`, generated from the kinds.
pub fn markdown_table() -> String {
    let mut t = String::from("| code | status | meaning |\n|---|---|---|\n");
    for k in ErrorKind::ALL {
        t.push_str(&format!("| {} | {} | {} |\n", k.code(), k.status().as_u16(), k.meaning()));
    }
    t
}
