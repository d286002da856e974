//! HTTP shell of smartcustoms: the axum router, authentication, the API error type, metrics,
//! the OpenAPI document and the webhook pusher. Handlers hold no SQL and no business rules:
//! they parse, call the core, and hand results to the store.
//!
//! Depends on `smartcustoms-storage` and `smartcustoms-core`; nothing depends on it but the CLI.

pub mod app;
pub mod auth;
pub mod error;
pub mod exchange_push;
pub mod extract;
pub mod i18n;
pub mod identity;
pub mod jobs;
pub mod knowledge;
pub mod metrics;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod server;
pub mod state;
pub mod webhook;

use std::future::Future;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::net::TcpListener;

pub use state::{token_hash, AppState, DemoSignIns, HttpConfig};

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    let submit = post(routes::declarations::submit);
    Router::new()
        .route("/health", get(routes::system::health))
        .route("/metrics", get(routes::system::metrics))
        .route("/api/v1/openapi.json", get(|| async { Json(openapi::document()) }))
        .route("/api/v1/declarations", submit.get(routes::declarations::list))
        .route("/api/v1/declarations/{id}", get(routes::declarations::get))
        .route("/api/v1/declarations/{id}/events", get(routes::declarations::events))
        .route("/api/v1/events", get(routes::events::stream))
        .route("/api/v1/time-release", get(routes::time_release::get))
        .route("/api/v1/dashboard", get(routes::dashboard::get))
        .route("/api/v1/work-queue", get(routes::work_queue::get))
        .route("/api/v1/declarations/{id}/decision", post(routes::declarations::decide))
        .route("/api/v1/declarations/{id}/withdrawal", post(routes::declarations::withdraw))
        .route("/api/v1/declarations/wco", post(routes::wco::submit))
        .route("/api/v1/declarations/{id}/requests", post(routes::requests::ask).get(routes::requests::list))
        .route(
            "/api/v1/declarations/{id}/requests/{request}/answer",
            post(routes::requests::answer)
                .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(app::requests::ANSWER_BODY_LIMIT))
                .layer(axum::Extension(extract::BodyLimit(app::requests::ANSWER_BODY_LIMIT))),
        )
        .route("/api/v1/declarations/{id}/requests/{request}/files/{n}", get(routes::requests::file))
        .route("/api/v1/declarations/{id}/dispatch", get(routes::dispatch::of).post(routes::dispatch::reassign))
        .route("/api/v1/declarations/{id}/dispatch/hand-back", post(routes::dispatch::hand_back))
        .route("/api/v1/dispatch", get(routes::dispatch::setup))
        .route("/api/v1/dispatch/rules", post(routes::dispatch::put_rules))
        .route("/api/v1/centres/{code}", axum::routing::put(routes::dispatch::put_centre))
        .route("/api/v1/inspectors/{user}", axum::routing::put(routes::dispatch::put_inspector))
        .route("/api/v1/keys", post(routes::keys::register).get(routes::keys::list))
        .route(
            "/api/v1/organisation/members",
            get(routes::organisation::members).post(routes::organisation::add_member),
        )
        .route("/api/v1/authorisations", get(routes::organisation::authorisations).post(routes::organisation::grant))
        .route("/api/v1/transits", get(routes::transit::list).post(routes::transit::file))
        .route("/api/v1/transits/{id}", get(routes::transit::get))
        .route("/api/v1/transits/{id}/events", get(routes::transit::timeline).post(routes::transit::event))
        .route("/api/v1/transits/{id}/alerts", get(routes::seals::alerts))
        .route("/api/v1/transits/{id}/track", get(routes::seals::track))
        .route("/api/v1/traceability/reports", post(routes::traceability::report))
        .route("/api/v1/traceability/batches", get(routes::traceability::batches))
        .route("/api/v1/traceability/batches/{*number}", get(routes::traceability::batch))
        .route("/api/v1/traceability/holdings", get(routes::traceability::holdings))
        .route("/api/v1/seals/{seal_id}/reports", axum::routing::post(routes::seals::report))
        .route("/api/v1/checkpoints", get(routes::checkpoint::list))
        .route("/api/v1/checkpoints/{code}", get(routes::checkpoint::get).put(routes::checkpoint::put))
        .route("/api/v1/checkpoints/{code}/slots", get(routes::checkpoint::slots))
        .route("/api/v1/checkpoints/{code}/vehicles", post(routes::checkpoint::admit))
        .route("/api/v1/checkpoints/{code}/vehicles/{id}", get(routes::checkpoint::vehicle))
        .route("/api/v1/checkpoints/{code}/vehicles/{id}/actions", post(routes::checkpoint::act))
        .route("/api/v1/checkpoints/{code}/events", post(routes::checkpoint::event))
        .route("/api/v1/checkpoints/{code}/queue", get(routes::checkpoint::queue))
        .route("/api/v1/checkpoints/{code}/times", get(routes::checkpoint::times))
        .route("/api/v1/checkpoints/{code}/stream", get(routes::checkpoint::stream))
        .route("/api/v1/checkpoint-vehicles", get(routes::checkpoint::mine))
        .route("/api/v1/devices", get(routes::devices::list))
        .route("/api/v1/exchange/partners", get(routes::exchange::partners).post(routes::exchange::register))
        .route("/api/v1/exchange/key", get(routes::exchange::key))
        .route(
            "/api/v1/exchange/inbound",
            post(routes::exchange::inbound)
                .layer::<_, std::convert::Infallible>(DefaultBodyLimit::max(app::exchange::INBOUND_BODY_LIMIT))
                .layer(axum::Extension(extract::BodyLimit(app::exchange::INBOUND_BODY_LIMIT))),
        )
        .route("/api/v1/exchange/messages", get(routes::exchange::received))
        .route("/api/v1/exchange/outbox", get(routes::exchange::outbox))
        .route("/api/v1/exchange/declarations/{id}/mismatches", get(routes::exchange::mismatches))
        .route("/api/v1/agencies", get(routes::single_window::agencies))
        .route("/api/v1/agencies/{code}", axum::routing::put(routes::single_window::put_agency))
        .route(
            "/api/v1/agencies/{code}/requirements",
            get(routes::single_window::requirements).post(routes::single_window::add_requirement),
        )
        .route("/api/v1/agencies/{code}/requirements/{id}/end", post(routes::single_window::end_requirement))
        .route("/api/v1/permits", get(routes::single_window::list).post(routes::single_window::issue))
        .route("/api/v1/permits/{number}", get(routes::single_window::get))
        .route("/api/v1/permits/{number}/{change}", post(routes::single_window::change))
        .route("/api/v1/single-window/declarations", get(routes::single_window::declarations))
        .route("/api/v1/single-window/declarations/{id}", get(routes::single_window::declaration))
        .route(
            "/api/v1/single-window/declarations/{id}/referrals",
            get(routes::single_window::declaration_referrals).post(routes::single_window::decide_referral),
        )
        .route("/api/v1/single-window/referrals", get(routes::single_window::referrals))
        .route(
            "/api/v1/parcels",
            post(routes::parcels::file).layer(DefaultBodyLimit::max(app::parcels::MAX_FILE + 1024)),
        )
        .route("/api/v1/parcels/batches", get(routes::parcels::batches))
        .route("/api/v1/parcels/batches/{id}", get(routes::parcels::batch))
        .route("/api/v1/parcels/quality", get(routes::parcels::quality))
        .route("/api/v1/parcels/{id}", get(routes::parcels::get))
        .route("/api/v1/parcels/{id}/decision", post(routes::parcels::decide))
        .route("/api/v1/vat-numbers", get(routes::parcels::vat_numbers))
        .route("/api/v1/vat-numbers/{number}", axum::routing::put(routes::parcels::put_vat_number))
        .route("/api/v1/devices/{device}/key", axum::routing::put(routes::devices::register))
        .route("/api/v1/alerts", get(routes::seals::open))
        .route("/api/v1/alerts/stream", get(routes::seals::stream))
        .route("/api/v1/pre-arrivals", get(routes::pre_arrival::list).post(routes::pre_arrival::file))
        .route("/api/v1/pre-arrivals/{id}", get(routes::pre_arrival::get))
        .route("/api/v1/guarantees", axum::routing::post(routes::transit::issue))
        .route("/api/v1/guarantees/{reference}", get(routes::transit::certificate))
        .route("/api/v1/authorisations/{id}", axum::routing::delete(routes::organisation::revoke))
        .route("/api/v1/risk-profiles", post(routes::profiles::create).get(routes::profiles::list))
        .route("/api/v1/risk-profiles/{code}/versions", get(routes::profiles::versions))
        .route("/api/v1/risk-profiles/preview", post(routes::profiles::preview))
        .route("/api/v1/notifications", get(routes::notifications::list))
        .route("/api/v1/inspection-outcomes", get(routes::inspections::list))
        .route("/api/v1/risk/models", get(routes::risk::models))
        .route("/api/v1/risk/models/train", post(routes::risk::train))
        .route("/api/v1/risk/effectiveness", get(routes::risk::effectiveness))
        .route("/api/v1/risk/operators", get(routes::risk::operators))
        .route("/api/v1/risk/operators/{id}/aeo", axum::routing::put(routes::risk::aeo))
        .route("/api/v1/payments", post(routes::account::deposit))
        .route("/api/v1/account", get(routes::account::own))
        .route("/api/v1/account/statement", get(routes::account::statement))
        .route("/api/v1/account/refunds", post(routes::account::refund))
        .route("/api/v1/accounts/{trader}", get(routes::account::of_trader))
        .route("/api/v1/tariff", get(routes::tariff::current).post(routes::tariff::change))
        .route("/api/v1/hs", get(routes::tariff::hs))
        .route("/api/v1/tariff/{kind}/{key}", axum::routing::delete(routes::tariff::withdraw))
        .route("/api/v1/tariff/{kind}/{key}/versions", get(routes::tariff::versions))
        .route("/api/v1/tokens", post(routes::tokens::issue).get(routes::tokens::list))
        .route("/api/v1/tokens/{id}", axum::routing::delete(routes::tokens::revoke))
        .route("/api/v1/people", get(routes::people::list).post(routes::people::add))
        .route("/api/v1/people/{name}/disable", post(routes::people::disable))
        .route("/api/v1/offices", get(routes::offices::list))
        .route("/api/v1/offices/{code}", axum::routing::put(routes::offices::put))
        .merge(knowledge_routes())
        .merge(api_reference())
        .merge(live_routes())
        .merge(filing_routes())
        .fallback(|| async { error::ApiError::NotFound("this endpoint".into()) })
        .layer(middleware::from_fn(i18n::with_language))
        .layer(middleware::from_fn(same_origin))
        .layer(middleware::from_fn(server::shed_load))
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .layer(middleware::map_response(security_headers))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// The content security policy of every response: the pages run no script, load styles,
/// images and forms only from this site, and may not be framed by another one.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of the API reference viewer and of the console's live pages: as every page's,
/// but they run this site's scripts (never inline ones).
const SCRIPTED_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The browsable API reference at `/api/docs/`: Swagger UI, shipped inside the binary (no
/// network needed to read it), showing the document served at `/api/v1/openapi.json`.
fn api_reference() -> Router<AppState> {
    let viewer = utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .config(utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"]).try_it_out_enabled(false));
    Router::<AppState>::from(viewer).layer(middleware::map_response(allow_own_scripts))
}

/// The live pages (the officers' console, the trader's declarations), which run
/// `/static/live.js` to follow declaration events: the only pages of this site besides the API
/// reference that run a script.
fn live_routes() -> Router<AppState> {
    use axum::http::{header, HeaderValue};
    let script = || async {
        (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            pages::LIVE_SCRIPT,
        )
    };
    Router::new()
        .route("/console/dashboard", get(pages::dashboard::page))
        .route("/console/queue", get(pages::work_queue::page))
        .route("/console/centres", get(pages::centres::page).post(pages::centres_setup::post))
        .route("/trader/declarations", get(pages::trader::page))
        .route("/declarations/{id}", get(pages::declaration::page))
        .route("/declarations/{id}/decision", post(pages::declaration::decide))
        .route("/declarations/{id}/withdrawal", post(pages::declaration::withdraw))
        .route("/declarations/{id}/requests", post(pages::declaration::ask))
        .route("/declarations/{id}/dispatch", post(pages::declaration::reassign))
        .route("/declarations/{id}/hand-back", post(pages::declaration::hand_back))
        .route(
            "/declarations/{id}/requests/{request}/answer",
            post(pages::declaration::answer).layer(DefaultBodyLimit::max(app::requests::ANSWER_BODY_LIMIT)),
        )
        .route("/transits", get(pages::movements::list))
        .route("/transits/{id}", get(pages::movements::page))
        .route("/transits/{id}/events", post(pages::movements::act))
        .route("/console/alerts", get(pages::movements::console))
        .route("/console/checkpoints", get(pages::checkpoint::list))
        .route("/console/checkpoints/{code}", get(pages::checkpoint::screen))
        .route("/console/checkpoints/{code}/vehicles", post(pages::checkpoint::register))
        .route("/console/checkpoints/{code}/vehicles/{id}", get(pages::checkpoint::vehicle))
        .route("/console/checkpoints/{code}/vehicles/{id}/actions", post(pages::checkpoint::act))
        .route("/static/live.js", get(script))
        .layer(middleware::map_response(allow_own_scripts))
}

/// The filing desk's pages; a JSON file loaded into the form has a body limit of its own.
fn filing_routes() -> Router<AppState> {
    use pages::filing;
    Router::new()
        .route("/trader/file", get(filing::page).post(filing::post))
        .route(
            "/trader/file/upload",
            post(filing::upload).layer(DefaultBodyLimit::max(filing::UPLOAD_LIMIT + 16 * 1024)),
        )
        .route("/trader/key", get(filing::key::page).post(filing::key::make))
        .route("/hs", get(filing::lookup))
        .route("/lang", get(pages::language))
        .route("/trader/organisation", get(pages::organisation::page).post(pages::organisation::post))
        .route("/console/models", get(pages::models::page).post(pages::models::train))
        .route("/console/admin", get(pages::admin::page).post(pages::admin::post))
        .route("/agency", get(pages::single_window::agency::page).post(pages::single_window::agency::post))
        .route(
            "/agency/requirements",
            get(pages::single_window::requirements::page).post(pages::single_window::requirements::post),
        )
        .route("/agency/declarations", get(pages::single_window::declarations::page))
        .route(
            "/agency/referrals",
            get(pages::single_window::referrals::page).post(pages::single_window::referrals::post),
        )
        .route("/trader/permits", get(pages::single_window::permits::page))
        .route("/trader/parcels", get(pages::parcels::page))
        .route(
            "/trader/parcels/upload",
            post(pages::parcels::upload).layer(DefaultBodyLimit::max(pages::parcels::UPLOAD_LIMIT)),
        )
}

/// Gives a response the policy that lets it run this site's scripts.
async fn allow_own_scripts(mut response: Response) -> Response {
    use axum::http::{header, HeaderValue};
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(SCRIPTED_SECURITY_POLICY));
    response
}

/// Headers that keep browsers from framing pages, guessing content types or leaking addresses
/// (a route with a policy of its own keeps it).
async fn security_headers(mut response: Response) -> Response {
    use axum::http::{header, HeaderValue};
    let headers = response.headers_mut();
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// Refuses state-changing requests a browser sends from another site: an `Origin` that is
/// not this server, or `Sec-Fetch-Site: cross-site`. Clients that send neither (API clients,
/// old browsers) pass; sessions are further protected by `SameSite` cookies and CSRF tokens.
async fn same_origin(req: Request, next: Next) -> Response {
    use axum::response::IntoResponse;
    if !req.method().is_safe() && cross_site(req.headers()) {
        tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
        return error::ApiError::CrossOrigin.into_response();
    }
    next.run(req).await
}

/// True when the headers show a request made by a page of another site.
fn cross_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or(""));
    if text("sec-fetch-site") == Some("cross-site") {
        return true;
    }
    let Some(origin) = text("origin") else { return false };
    let host = text("host").unwrap_or("");
    let origin_host = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
    origin_host != Some(host) || host.is_empty()
}

/// The knowledge base: reference content and search (anyone), the survey repository and the
/// maturity self-assessment (members and staff), as JSON and as pages. Survey submissions take
/// up to three files of 10 MB, so their routes have their own body limit.
fn knowledge_routes() -> Router<AppState> {
    use routes::{knowledge as kb, maturity, survey};
    let survey_limit = DefaultBodyLimit::max(app::knowledge::survey::SURVEY_BODY_LIMIT);
    let survey_named_limit = axum::Extension(extract::BodyLimit(app::knowledge::survey::SURVEY_BODY_LIMIT));
    Router::new()
        .route("/api/v1/knowledge/technologies", get(kb::technologies))
        .route("/api/v1/knowledge/technologies/{number}", get(kb::technology))
        .route("/api/v1/knowledge/terms", get(kb::terms))
        .route("/api/v1/knowledge/terms/{id}", get(kb::term))
        .route("/api/v1/knowledge/instruments", get(kb::instruments))
        .route("/api/v1/knowledge/capabilities", get(kb::capabilities))
        .route("/api/v1/knowledge/search", get(kb::search))
        .route(
            "/api/v1/knowledge/survey",
            post(survey::create)
                .get(survey::list)
                .layer::<_, std::convert::Infallible>(survey_limit)
                .layer(survey_named_limit),
        )
        .route("/api/v1/knowledge/survey/stats", get(survey::statistics))
        .route("/api/v1/knowledge/survey/export", get(survey::export))
        .route("/api/v1/knowledge/survey/{id}", get(survey::get))
        .route("/api/v1/knowledge/survey/{id}/attachments/{n}", get(survey::attachment))
        .route("/api/v1/knowledge/maturity", post(maturity::create).get(maturity::list))
        .route("/api/v1/knowledge/maturity/platform", get(maturity::platform))
        .route("/api/v1/knowledge/maturity/{id}", get(maturity::get))
        .route("/", get(pages::root))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/time-release", get(pages::time_release::page))
        .route("/declarations/{id}/release", get(pages::declaration::release_document))
        .route("/console/profiles", get(pages::profiles::page).post(pages::profiles::submit))
        .route("/trader/account", get(pages::account::page))
        .route("/trader/account/statement.csv", get(pages::account::csv))
        .route("/trader/account/refunds", post(pages::account::refund))
        .route("/help", get(pages::help_index))
        .route("/help/{slug}", get(pages::help_page))
        .route("/help/img/{name}", get(pages::help_image))
        .route("/knowledge", get(pages::catalogue::index))
        .route("/knowledge/technologies/{number}", get(pages::catalogue::technology))
        .route("/knowledge/terms", get(pages::catalogue::terms))
        .route("/knowledge/terms/{id}", get(pages::catalogue::term))
        .route("/knowledge/capabilities/{id}", get(pages::catalogue::capability))
        .route("/knowledge/instruments", get(pages::catalogue::instruments))
        .route("/knowledge/search", get(pages::catalogue::search))
        .route("/knowledge/survey", get(pages::survey::list).post(pages::survey::create).layer(survey_limit))
        .route("/knowledge/survey/new", get(pages::survey::new))
        .route("/knowledge/survey/{id}", get(pages::survey::one))
        .route("/knowledge/maturity", get(pages::maturity::list).post(pages::maturity::create))
        .route("/knowledge/maturity/new", get(pages::maturity::new))
        .route("/knowledge/maturity/platform", get(pages::maturity::platform))
        .route("/knowledge/maturity/{id}", get(pages::maturity::one))
}

/// Counts and times every request by its route template.
async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    state.metrics.requests.with_label_values(&[&method, &route, &status]).inc();
    state.metrics.latency.with_label_values(&[&route]).observe(start.elapsed().as_secs_f64());
    response
}

/// Serves the API on `listener` until `shutdown` completes, with the background jobs
/// (reference-data refresh, price reference, webhook delivery, retraining, recategorisation)
/// running alongside; jobs that change shared data run once per deployment (see [`jobs`]).
/// The jobs stop with the server, also when this future is dropped before it completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let config = state.config.clone();
    // Dropped (when `serve` returns or its future is dropped), the set aborts every job.
    let mut background = tokio::task::JoinSet::new();
    background.spawn(jobs::refresh_reference_data(state.clone()));
    background.spawn(jobs::dispatch_cases(state.clone()));
    background.spawn(jobs::warm_figures(state.clone()));
    background.spawn(jobs::transit_enquiries(state.clone()));
    background.spawn(jobs::seal_ticks(state.clone()));
    background.spawn(jobs::open_batches(state.clone()));
    background.spawn(jobs::exchange(state.clone()));
    if let Some(every) = config.price_refresh {
        background.spawn(jobs::collect_prices(state.clone(), every));
        background.spawn(jobs::rebuild_prices(state.clone(), every));
    }
    if let Some(url) = config.webhook_url.clone() {
        background.spawn(jobs::deliver_webhooks(state.clone(), url));
    }
    if let Some(every) = config.retrain_every {
        background.spawn(jobs::retrain(state.clone(), every));
    }
    if let Some(every) = config.recategorise_every {
        background.spawn(jobs::recategorise(state.clone(), every));
    }
    let result = server::run(listener, router(state), config.connections, shutdown).await;
    drop(background);
    result
}

#[cfg(test)]
#[path = "serve_tests.rs"]
mod serve_tests;
