//! Goods declarations in the messages of the WCO Data Model: a DEC-DMS message in XML in, the
//! RES-DMS response out, in XML or (by `Accept`) as JSON.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;

use smartcustoms_core::access::Role;
use smartcustoms_core::wcodm::{self, ResponseDoc, ResponseError, ResponseFunction};
use smartcustoms_core::workflow::State as DeclState;

use crate::app::filing::{self, FileError, FileRequest, Filed};
use crate::app::organisation::{self, Capacity};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{body_or_error, require_media};
use crate::routes::declarations::{header as header_value, IDEMPOTENCY_HEADER, SIGNATURE_HEADER};
use crate::state::AppState;

/// The answer to a filing in the WCO Data Model's terms.
pub fn response(filed: &Filed, message: &wcodm::DecMessage) -> ResponseDoc {
    let s = filed.recorded.summary();
    let function = match s.state {
        DeclState::Refused => ResponseFunction::Rejected,
        DeclState::Released => ResponseFunction::Released,
        DeclState::UnderControl => ResponseFunction::Control,
        DeclState::Submitted | DeclState::AwaitingPayment | DeclState::Registered => ResponseFunction::Accepted,
    };
    ResponseDoc {
        function,
        issued_at: Utc::now(),
        declaration_id: Some(s.id.to_string()),
        functional_reference: message.functional_reference.clone(),
        registration_number: s.registration_number.as_ref().map(|n| n.to_string()),
        accepted_at: s.registered_at_us.and_then(|t| t.to_datetime()),
        lane: s.lane,
        released_at: (s.state == DeclState::Released).then(|| s.updated_at_us.to_datetime()).flatten(),
        errors: filed.reasons.iter().map(ResponseError::from).collect(),
    }
}

/// True when the client asks for XML (the default) rather than JSON.
fn wants_xml(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    !accept.contains("application/json") || accept.contains("xml")
}

fn xml(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/xml; charset=utf-8"));
    r
}

/// File a goods declaration as a WCO Data Model DEC-DMS message (`urn:wco:datamodel:WCO:DEC-DMS:2`,
/// `Content-Type: application/xml`), signed like a JSON filing: `X-JWS-Signature` over the XML
/// as sent. The message is mapped to our declaration (see docs/wco-data-model.md) and filed;
/// the answer is the RES-DMS response (`FunctionCode` 01 accepted, 03 rejected with every error
/// and its `Pointer` to the element, 05 under control, 09 released), or the same as JSON when
/// `Accept: application/json`. A message that cannot be read at all (a DOCTYPE or entity,
/// malformed or oversized XML, a wrong root or namespace) is `400 REQ_009`, answered as a
/// rejection in XML.
#[utoipa::path(post, path = "/api/v1/declarations/wco", tag = "declarations",
    request_body(content = String, content_type = "application/xml", description = "A DEC-DMS Declaration message"),
    params(
        ("X-JWS-Signature" = Option<String>, Header, description = "Detached JWS (EdDSA) over the XML body"),
        ("Idempotency-Key" = Option<String>, Header, description = "Client key; retries with the same key never file twice"),
    ),
    responses(
        (status = 201, description = "Filed: the response message (XML, or JSON by Accept)", body = ResponseDoc),
        (status = 200, description = "Idempotent repeat", body = ResponseDoc),
        (status = 400, description = "Not a readable DEC-DMS message (REQ_009)", body = crate::error::ErrorBody),
        (status = 403, body = crate::error::ErrorBody), (status = 413, body = crate::error::ErrorBody),
        (status = 415, body = crate::error::ErrorBody),
    ),
    security(("token" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let principal = caller.require(&[Role::Trader], "file declarations")?;
    let trader =
        principal.trader.clone().ok_or(ApiError::Forbidden("trader", "file declarations without a party id"))?;
    organisation::require(principal, Capacity::File, "file declarations")?;
    require_media(&headers, &["application/xml", "text/xml"], "application/xml")?;
    let body = body_or_error(body, state.config.body_limit)?;
    let request = FileRequest {
        trader,
        user: principal.name.clone(),
        body: &body,
        signature: header_value(&headers, SIGNATURE_HEADER)?,
        idempotency_key: header_value(&headers, IDEMPOTENCY_HEADER)?.map(str::to_string),
        received_at: Utc::now(),
    };
    let xml_wanted = wants_xml(&headers);
    match filing::file_wco(&state, request).await {
        Ok((filed, message)) => {
            let status = if filed.duplicate { StatusCode::OK } else { StatusCode::CREATED };
            let doc = response(&filed, &message);
            Ok(match xml_wanted {
                true => xml(status, wcodm::write_res(&doc)),
                false => (status, Json(doc)).into_response(),
            })
        }
        Err(FileError::Xml(e)) if xml_wanted => {
            let doc = ResponseDoc {
                function: ResponseFunction::Rejected,
                issued_at: Utc::now(),
                declaration_id: None,
                functional_reference: None,
                registration_number: None,
                accepted_at: None,
                lane: None,
                released_at: None,
                errors: vec![ResponseError::from(&e)],
            };
            Ok(xml(StatusCode::BAD_REQUEST, wcodm::write_res(&doc)))
        }
        Err(e) => Err(e.into()),
    }
}
