//! One module per HTTP resource.

pub mod account;
pub mod checkpoint;
pub mod dashboard;
pub mod declarations;
pub mod devices;
pub mod dispatch;
pub mod events;
pub mod exchange;
pub mod inspections;
pub mod keys;
pub mod knowledge;
pub mod maturity;
pub mod notifications;
pub mod offices;
pub mod organisation;
pub mod parcels;
pub mod people;
pub mod pre_arrival;
pub mod profiles;
pub mod requests;
pub mod risk;
pub mod seals;
pub mod single_window;
pub mod survey;
pub mod system;
pub mod tariff;
pub mod time_release;
pub mod tokens;
pub mod traceability;
pub mod transit;
pub mod wco;
pub mod work_queue;

/// A stored file sent as a download: never shown inline (its type is the sender's word), named
/// with the printable ASCII of its file name.
pub fn download(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let name: String = name.chars().filter(|c| c.is_ascii_graphic() && *c != '"' || *c == ' ').collect();
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        axum::body::Body::from(bytes),
    )
        .into_response()
}
