//! Server-rendered web pages (maud): the knowledge base, the survey repository, the maturity
//! self-assessment, the help pages and sign-in. Every page carries the search box of the
//! consultation channel. Pages call the same functions as the JSON API, so access rules and
//! validation are the API's.

pub mod account;
pub mod admin;
pub mod catalogue;
pub mod centres;
pub mod centres_setup;
pub mod checkpoint;
pub mod dashboard;
pub mod declaration;
pub mod errors;
pub mod filing;
pub mod maturity;
pub mod models;
pub mod movements;
pub mod organisation;
pub mod parcels;
pub mod profiles;
pub mod single_window;
pub mod survey;
pub mod time_release;
pub mod trader;
pub mod work_queue;

use axum::extract::{Form, Query};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;

use smartcustoms_core::timestamp::Timestamp;

use crate::auth::{Caller, CSRF_FIELD};
use crate::error::ApiError;
use crate::extract::Peer;
use crate::i18n::{t, Lang};
use crate::identity::{self, SignInError};
use crate::knowledge::{help_link, HELP, HELP_IMAGES};
use crate::state::AppState;

/// A page, or an error shown as a page.
pub type PageResult = Result<Response, PageError>;

/// An API error met while building a page: shown as a page with its code, or, when the
/// visitor is not signed in, a redirect to the sign-in page.
#[derive(Debug)]
pub struct PageError {
    error: ApiError,
    /// Where to come back to after signing in.
    back_to: String,
}

impl PageError {
    /// Wraps an error met on the page at `back_to`.
    pub fn at<E: Into<ApiError>>(back_to: &str) -> impl FnOnce(E) -> PageError + '_ {
        move |error| PageError { error: error.into(), back_to: back_to.to_string() }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.error, ApiError::MissingToken | ApiError::InvalidToken) {
            let next: String = form_urlencoded::byte_serialize(self.back_to.as_bytes()).collect();
            return Redirect::to(&format!("/login?next={next}")).into_response();
        }
        let status = self.error.status();
        let body = layout(
            &t("error-title"),
            None,
            html! {
                h1 { (t("error-heading")) }
                p.error { strong { (self.error.code()) } " — " (errors::text(&self.error)) }
                p { a href="/knowledge" { (t("error-back")) } }
            },
        );
        (status, body).into_response()
    }
}

/// Path parameters of a page: a segment that does not parse gets the error page with
/// `REQ_004` (or `REQ_006`), never a plain-text rejection.
#[derive(Debug)]
pub struct PagePath<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> axum::extract::FromRequestParts<S> for PagePath<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        crate::extract::ApiPath::<T>::from_request_parts(parts, state)
            .await
            .map(|p| PagePath(p.0))
            .map_err(PageError::at("/knowledge"))
    }
}

/// The signed-in visitor, or the redirect to the sign-in page that comes back to `here`.
pub fn signed_in(caller: Option<Caller>, here: &str) -> Result<Caller, PageError> {
    caller.ok_or_else(|| PageError::at(here)(ApiError::MissingToken))
}

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2733;background:#f6f8fa;line-height:1.45}
header{background:#12355b;color:#fff;padding:.6rem 1.2rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header a{color:#fff;text-decoration:none;margin-right:.8rem}header .muted{color:#c9d6e6}header nav form{display:inline;margin:0}header nav button{background:none;border:0;color:#fff;cursor:pointer;font:inherit;padding:0}header a.brand{font-weight:700;font-size:1.1rem}
header form{margin-left:auto;display:flex;gap:.3rem}header input[type=search]{width:18rem;padding:.3rem}
main{max-width:72rem;margin:1rem auto;padding:0 1.2rem 3rem;background:#fff;border-radius:6px}
h1{margin-top:0;padding-top:1rem}table{border-collapse:collapse;width:100%;margin:.6rem 0}
th,td{border-bottom:1px solid #dde3ea;padding:.35rem .5rem;text-align:left;vertical-align:top}
.status{padding:.05rem .45rem;border-radius:.7rem;font-size:.85em;white-space:nowrap}
.implemented{background:#d3f2dc}.partial{background:#fff1c2}.planned{background:#e3e8f0}.out_of_scope{background:#f3d9d9}
.error{color:#9b1c1c}.findings li{color:#9b1c1c}.muted{color:#5b6775}.bar{background:#2f74c0;height:.9rem;display:inline-block}
.hit{margin:.8rem 0}.hit .kind{font-size:.8em;text-transform:uppercase;color:#5b6775}
form.stack label{display:block;margin:.7rem 0 .2rem;font-weight:600}form.stack input[type=text],form.stack input[type=email],
form.stack textarea,form.stack select{width:100%;max-width:40rem;padding:.3rem}fieldset{border:1px solid #dde3ea;margin:.6rem 0}
.field-error{color:#9b1c1c;font-weight:400;margin-left:.5rem}
div.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:0 1.2rem}div.grid label{font-weight:600;font-size:.92em;display:block;margin:.5rem 0 .15rem}
div.grid input,div.grid select,div.grid textarea{width:100%;box-sizing:border-box;padding:.3rem}[aria-invalid=true]{border:2px solid #9b1c1c}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1.2rem}dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}
ol.timeline li{margin:.3rem 0}form.act{display:inline-flex;flex-wrap:wrap;gap:.3rem;margin:.1rem .3rem .1rem 0}ul.reasons{margin:0;padding-left:1.1rem}form.filters{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:end;margin:.6rem 0}
form.filters label{display:flex;flex-direction:column;font-size:.9em}
@media (max-width:40rem){header{padding:.5rem .7rem}header nav{display:flex;flex-wrap:wrap;gap:.3rem 0;min-width:0;width:100%}header form{margin-left:0;width:100%}header input[type=search]{width:auto;flex:1}
main{margin:.5rem 0;padding:0 .7rem 2rem;border-radius:0}th,td{overflow-wrap:anywhere;padding:.3rem .25rem;font-size:.92em}dl.facts{grid-template-columns:1fr}
code{overflow-wrap:anywhere}}
@media print{header,form,.noprint{display:none}main{max-width:none;margin:0}body{background:#fff}}
"#;

/// Links to the pages in each language but the current one.
fn language_switch() -> Markup {
    let now = crate::i18n::current();
    html! {
        nav.languages aria-label=(t("nav-language")) {
            @for l in Lang::ALL.into_iter().filter(|l| *l != now) {
                a href=(format!("/lang?to={}", l.code())) lang=(l.code()) hreflang=(l.code()) { (l.name()) }
            }
        }
    }
}

/// The choice of language.
#[derive(Debug, Deserialize)]
pub struct LanguageChoice {
    to: String,
}

/// `GET /lang?to=ru`: keeps the visitor's choice of language in a cookie and goes back to the
/// page it came from (a page of this site; else the knowledge base).
pub async fn language(headers: axum::http::HeaderMap, Query(choice): Query<LanguageChoice>) -> Response {
    let lang = Lang::parse(&choice.to).unwrap_or(Lang::En);
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.parse::<axum::http::Uri>().ok())
        .and_then(|u| u.path_and_query().map(|p| p.as_str().to_string()));
    let cookie = format!("{}={}; Path=/; SameSite=Lax; Max-Age=31536000", crate::i18n::LANG_COOKIE, lang.code());
    ([(header::SET_COOKIE, cookie)], Redirect::to(&local_path(back.as_deref()))).into_response()
}

/// The script of live pages (see [`live_layout`]).
pub const LIVE_SCRIPT: &str = include_str!("static/live.js");

/// The frame of every page: navigation, the search box, the signed-in caller.
pub fn layout(title: &str, caller: Option<&Caller>, body: Markup) -> Html<String> {
    frame(title, caller, body, false)
}

/// What a live page follows.
#[derive(Debug, Clone)]
pub enum Follows {
    /// Every declaration event the signed-in user may see.
    Declarations,
    /// One declaration's events.
    Declaration(smartcustoms_core::ids::DeclarationId),
    /// Seal alerts as they are raised, amended and ended (customs staff).
    Alerts,
    /// A checkpoint's vehicles as they change (customs staff): every one, or one vehicle's.
    Checkpoint(String, Option<String>),
}

/// The frame of a live page: its content marked `data-live` is refreshed when an event it
/// follows arrives, by `/static/live.js` (allowed by the policy of the live pages' routes only).
pub fn live_layout(title: &str, caller: Option<&Caller>, follows: Follows, body: Markup) -> Html<String> {
    let key = match follows {
        Follows::Declarations => "declarations".to_string(),
        Follows::Declaration(id) => format!("declaration:{id}"),
        Follows::Alerts => "alerts".to_string(),
        Follows::Checkpoint(code, None) => format!("checkpoint:{code}"),
        Follows::Checkpoint(code, Some(vehicle)) => format!("checkpoint:{code}:{vehicle}"),
    };
    frame(title, caller, html! { div data-live=(key) { (body) } }, true)
}

fn frame(title: &str, caller: Option<&Caller>, body: Markup, live: bool) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang=(crate::i18n::current().code()) {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " — smartcustoms" }
                    style { (PreEscaped(STYLE)) }
                    @if live { script src="/static/live.js" defer {} }
                }
                body {
                    header {
                        a.brand href="/knowledge" { "smartcustoms" }
                        nav {
                            a href="/knowledge" { (t("nav-technologies")) }
                            a href="/knowledge/terms" { (t("nav-glossary")) }
                            a href="/knowledge/instruments" { (t("nav-instruments")) }
                            a href="/knowledge/survey" { (t("nav-survey")) }
                            a href="/knowledge/maturity" { (t("nav-maturity")) }
                            a href="/time-release" { (t("nav-release-times")) }
                            @if caller.is_some_and(|c| c.0.role == smartcustoms_core::access::Role::Trader) {
                                a href="/trader/declarations" { (t("nav-my-declarations")) }
                                a href="/trader/file" { (t("nav-file")) }
                                a href="/trader/account" { (t("nav-my-account")) }
                                a href="/trader/organisation" { (t("nav-organisation")) }
                                a href="/transits" { (t("nav-transits")) }
                                a href="/trader/permits" { (t("nav-my-permits")) }
                                a href="/trader/parcels" { (t("nav-parcels")) }
                            }
                            @if caller.is_some_and(|c| c.0.role == smartcustoms_core::access::Role::Agency) {
                                a href="/agency" { (t("nav-agency-documents")) }
                                a href="/agency/requirements" { (t("nav-agency-requirements")) }
                                a href="/agency/declarations" { (t("nav-agency-declarations")) }
                                a href="/agency/referrals" { (t("nav-agency-referrals")) }
                            }
                            @if caller.is_some_and(|c| crate::app::work_queue::WORKERS.contains(&c.0.role)) {
                                a href="/console/queue" { (t("nav-work-queue")) }
                                a href="/console/centres" { (t("nav-centres")) }
                                a href="/transits" { (t("nav-transits")) }
                                a href="/console/alerts" { (t("nav-alerts")) }
                                a href="/console/checkpoints" { (t("nav-checkpoints")) }
                            }
                            @if caller.is_some_and(|c| crate::app::profiles::WRITERS.contains(&c.0.role)) {
                                a href="/console/profiles" { (t("nav-risk-profiles")) }
                            }
                            @if caller.is_some_and(|c| crate::app::dashboard::READERS.contains(&c.0.role)) {
                                a href="/console/dashboard" { (t("nav-dashboard")) }
                            }
                            @if caller.is_some_and(|c| crate::app::work_queue::WORKERS.contains(&c.0.role) || c.0.role == smartcustoms_core::access::Role::Analyst) {
                                a href="/console/models" { (t("nav-risk-model")) }
                            }
                            @if caller.is_some_and(|c| c.0.role == smartcustoms_core::access::Role::Admin) {
                                a href="/console/admin" { (t("nav-administration")) }
                            }
                            a href="/help" { (t("nav-help")) }
                            @match caller {
                                Some(c) => {
                                    span.muted { (c.0.name) " (" (crate::i18n::t_or(&format!("role-{}", c.0.role.as_str()), c.0.role.as_str())) ") " }
                                    @if c.session().is_some() {
                                        form method="post" action="/logout" { (csrf_field(c)) button type="submit" { (t("nav-sign-out")) } }
                                    }
                                }
                                None => { a href="/login" { (t("nav-sign-in")) } }
                            }
                        }
                        form action="/knowledge/search" method="get" role="search" {
                            input type="search" name="q" placeholder=(t("search-placeholder")) aria-label=(t("search-label"));
                            button type="submit" { (t("search-button")) }
                        }
                        (language_switch())
                    }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
}

/// The head of a table: one column heading per name.
pub fn column_heads(names: &[&str]) -> Markup {
    html! { thead { tr { @for name in names { th scope="col" { (name) } } } } }
}

/// A time to the minute, UTC, as the request's language writes it (`2026-12-03 14:05`,
/// `03.12.2026 14:05`).
pub fn minute(t: Timestamp) -> String {
    t.to_datetime().map(crate::i18n::minute).unwrap_or_default()
}

/// [`minute`] in a `<time>` element whose `datetime` keeps the machine's form (RFC 3339).
pub fn when(t: Timestamp) -> Markup {
    html! { time datetime=(t.rfc3339()) { (minute(t)) } }
}

/// A time the API gives as RFC 3339 text, as [`minute`] writes it with its zone (the text as it
/// is when it does not parse).
pub fn minute_text(at: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(t) => format!("{} UTC", crate::i18n::minute(t.with_timezone(&chrono::Utc))),
        Err(_) => at.to_string(),
    }
}

/// [`minute_text`] in a `<time>` element whose `datetime` keeps the RFC 3339 text.
pub fn when_text(at: &str) -> Markup {
    html! { time datetime=(at) { (minute_text(at)) } }
}

/// The status of a catalogue item or capability as a coloured label.
pub fn status_badge(status: smartcustoms_core::knowledge::Status) -> Markup {
    let label = crate::i18n::t_or(&format!("status-{}", status.code()), status.label());
    html! { span class={"status " (status.code())} { (label) } }
}

/// `/` leads to the knowledge base, the part of the platform with pages.
pub async fn root() -> Redirect {
    Redirect::to("/knowledge")
}

/// Where to go after signing in.
#[derive(Debug, Deserialize)]
pub struct Next {
    /// A path of this site.
    pub next: Option<String>,
}

/// Only paths of this site are followed after sign-in.
///
/// Browsers drop tabs and line breaks from a `Location` and read `/\t/host` as `//host`, so a
/// path is followed only if every character is a visible ASCII one and it cannot be read as a
/// reference to another host.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && p.len() <= 2048
                && p.chars().all(|c| c.is_ascii_graphic() && c != '\\') =>
        {
            p.to_string()
        }
        _ => "/knowledge".to_string(),
    }
}

/// The hidden field that carries the session's CSRF token in every form that changes something.
pub fn csrf_field(caller: &Caller) -> Markup {
    html! { @if let Some(token) = caller.csrf() { input type="hidden" name=(CSRF_FIELD) value=(token); } }
}

/// A form a signed-in visitor posted, its CSRF token checked, with its fields (a field may
/// repeat, as checkboxes do).
pub struct Posted {
    /// Who posted it.
    pub caller: Caller,
    fields: Vec<(String, String)>,
}

impl Posted {
    /// The first value of a field, empty when the form has none.
    pub fn field(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every field, in order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// Every value of a field, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// The form posted to a page at `here` by a signed-in visitor, refused without the session's
/// CSRF token (a body that is not a form has no token).
pub fn posted(
    caller: Option<Caller>,
    form: Result<Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
    here: &str,
) -> Result<Posted, PageError> {
    let caller = signed_in(caller, here)?;
    let fields = form.map(|Form(f)| f).unwrap_or_default();
    let posted = Posted { caller, fields };
    check_form_csrf(&posted.caller, Some(posted.field(CSRF_FIELD)), here)?;
    Ok(posted)
}

/// Refuses a form whose CSRF token is not the session's.
pub fn check_form_csrf(caller: &Caller, given: Option<&str>, here: &str) -> Result<(), PageError> {
    caller.check_csrf(given).map_err(PageError::at(here))
}

/// The sign-in page: the visitor gives the user name and password the administration issued.
pub async fn login_form(
    axum::extract::State(state): axum::extract::State<AppState>,
    Query(n): Query<Next>,
) -> Html<String> {
    login_page(&state, n.next.as_deref(), None, "")
}

fn login_page(state: &AppState, next: Option<&str>, error: Option<&str>, name: &str) -> Html<String> {
    layout(
        &t("login-title"),
        None,
        html! {
            h1 { (t("login-title")) }
            p { (t("login-intro")) }
            @if let Some(e) = error { p.error #login-error role="alert" { (e) } }
            form.stack method="post" action="/login" {
                input type="hidden" name="next" value=(local_path(next));
                label for="username" { (t("login-user")) }
                input #username type="text" name="username" value=(name) autocomplete="username" required;
                label for="password" { (t("login-password")) }
                input #password type="password" name="password" autocomplete="current-password" required;
                p { button type="submit" { (t("login-button")) } }
            }
            @if let Some(demo) = &state.config.demo_sign_ins {
                section #demo-sign-ins aria-labelledby="demo-sign-ins-title" {
                    h2 #demo-sign-ins-title { (t("login-demo-title")) }
                    p { (t("login-demo-intro")) " " code { (demo.password) } "." }
                    table {
                        (column_heads(&[&t("login-demo-user"), &t("login-demo-who")]))
                        tbody {
                            @for (user, who) in &demo.users { tr { td { code { (user) } } td { (who) } } }
                        }
                    }
                }
            }
        },
    )
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct Login {
    username: String,
    password: String,
    next: Option<String>,
}

/// Checks the user name and password and starts a server-side session, whose id goes into an
/// HTTP-only, same-site cookie.
pub async fn login(
    axum::extract::State(state): axum::extract::State<AppState>,
    peer: Peer,
    Form(f): Form<Login>,
) -> Response {
    let name = f.username.trim();
    let sane = |s: &str| !s.is_empty() && s.len() <= 256 && !s.contains('\0');
    let outcome = match sane(name) && sane(&f.password) {
        true => identity::sign_in(&state, name, &f.password, &peer.0).await,
        false => Err(SignInError::Wrong),
    };
    match outcome {
        Ok(id) => {
            let cookie = identity::session_cookie(&id, state.config.sessions);
            ([(header::SET_COOKIE, cookie)], Redirect::to(&local_path(f.next.as_deref()))).into_response()
        }
        Err(SignInError::Wrong) => {
            (StatusCode::UNAUTHORIZED, login_page(&state, f.next.as_deref(), Some(&t("login-wrong")), name))
                .into_response()
        }
        Err(SignInError::Limited) => {
            let e = ApiError::TooManySignIns(identity::SIGN_IN_WINDOW_MINUTES);
            let mut response =
                (StatusCode::TOO_MANY_REQUESTS, login_page(&state, f.next.as_deref(), Some(&errors::text(&e)), name))
                    .into_response();
            let retry = identity::SIGN_IN_WINDOW_MINUTES * 60;
            response.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from(retry));
            response
        }
        Err(SignInError::Store(e)) => PageError::at("/login")(ApiError::from(e)).into_response(),
    }
}

/// The sign-out form.
#[derive(Debug, Deserialize)]
pub struct Logout {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// Ends the session in the database (so it stops working on every server process) and
/// removes the cookie.
pub async fn logout(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Option<Caller>,
    form: Result<Form<Logout>, axum::extract::rejection::FormRejection>,
) -> PageResult {
    let clear = identity::clearing_cookie(state.config.sessions);
    let Some(caller) = caller else {
        return Ok(([(header::SET_COOKIE, clear)], Redirect::to("/knowledge")).into_response());
    };
    let given = form.ok().and_then(|Form(f)| f.csrf);
    check_form_csrf(&caller, given.as_deref(), "/knowledge")?;
    if let Some(session) = caller.session() {
        state
            .store
            .end_session(&session.id_sha256, Timestamp::now())
            .await
            .map_err(PageError::at::<smartcustoms_storage::StoreError>("/knowledge"))?;
    }
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/knowledge")).into_response())
}

/// The list of help pages.
pub async fn help_index(caller: Option<Caller>) -> Html<String> {
    // The pages in the visitor's language first, the others after them in their order.
    let lang = crate::i18n::current();
    let mut pages: Vec<&crate::knowledge::HelpPage> = HELP.iter().collect();
    pages.sort_by_key(|p| p.lang != lang);
    layout(
        &t("nav-help"),
        caller.as_ref(),
        html! {
            h1 { (t("nav-help")) }
            p #help-intro { (t("help-intro")) }
            ul #help-pages {
                @for p in pages {
                    li {
                        a href={"/help/" (p.slug)} hreflang=(p.lang.code()) { (crate::i18n::t_or(&format!("help-page-{}", p.slug), p.title)) }
                        @if p.lang != lang { " " span.muted lang=(p.lang.code()) { "(" (p.lang.name()) ")" } }
                    }
                }
            }
            p { (t("help-api")) " " a href="/api/v1/openapi.json" { (t("help-openapi")) } "." }
        },
    )
}

/// One help page, rendered from the Markdown the repository keeps.
pub async fn help_page(caller: Option<Caller>, PagePath(slug): PagePath<String>) -> PageResult {
    let page = HELP
        .iter()
        .find(|p| p.slug == slug)
        .ok_or_else(|| PageError::at("/help")(ApiError::NotFound(format!("help page {slug}"))))?;
    let html = smartcustoms_search::help::render_html(page.markdown, |dest| help_link(page, dest));
    let title = crate::i18n::t_or(&format!("help-page-{}", page.slug), page.title);
    // The document keeps its own language (a reference document is in English on a Russian page).
    let body = html! { div lang=(page.lang.code()) { (PreEscaped(html)) } };
    Ok(layout(&title, caller.as_ref(), body).into_response())
}

/// An image of the help pages.
pub async fn help_image(PagePath(name): PagePath<String>) -> PageResult {
    let image = HELP_IMAGES
        .iter()
        .find(|i| i.name == name)
        .ok_or_else(|| PageError::at("/help")(ApiError::NotFound(format!("help image {name}"))))?;
    Ok((
        [
            (header::CONTENT_TYPE, image.content_type()),
            (header::CACHE_CONTROL, "public, max-age=86400"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        image.bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_of_this_site_are_followed_after_sign_in() {
        assert_eq!(local_path(Some("/knowledge/survey?page=2")), "/knowledge/survey?page=2");
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/a b",
            "/\u{0}x",
        ] {
            assert_eq!(local_path(Some(bad)), "/knowledge", "{bad:?}");
        }
        assert_eq!(local_path(None), "/knowledge");
    }
}
