//! The OpenAPI document served at `/api/v1/openapi.json`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    account, checkpoint, dashboard, declarations, devices, dispatch, events, exchange, inspections, keys, knowledge,
    maturity, notifications, offices, organisation, parcels, people, pre_arrival, profiles, requests, risk, seals,
    single_window, survey, system, tariff, time_release, tokens, traceability, transit, wco, work_queue,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "smartcustoms API", description = "Electronic declaring, format-logical control, duty calculation, the single personal account, automatic registration, risk lanes and automatic release, and the knowledge base of Digital (Smart) Customs. Terms are defined in the glossary at /knowledge/terms."),
    paths(
        system::health, system::metrics,
        declarations::submit, wco::submit, declarations::get, declarations::list, declarations::events, declarations::decide, declarations::withdraw,
        requests::list, requests::ask, requests::answer, requests::file,
        dispatch::setup, dispatch::put_centre, dispatch::put_inspector, dispatch::put_rules, dispatch::of, dispatch::reassign, dispatch::hand_back,
        events::stream, time_release::get, dashboard::get, work_queue::get,
        keys::register, keys::list,
        organisation::members, organisation::add_member, organisation::authorisations, organisation::grant, organisation::revoke,
        profiles::create, profiles::preview, profiles::list, profiles::versions,
        notifications::list,
        inspections::list,
        risk::models, risk::train, risk::effectiveness, risk::operators, risk::aeo,
        account::deposit, account::own, account::of_trader, account::statement, account::refund,
        tariff::current, tariff::change, tariff::versions, tariff::withdraw, tariff::hs,
        tokens::issue, tokens::list, tokens::revoke,
        people::list, people::add, people::disable, offices::list, offices::put,
        transit::file, transit::list, transit::get, transit::timeline, transit::event, transit::issue, transit::certificate,
        pre_arrival::file, pre_arrival::list, pre_arrival::get,
        seals::report, seals::alerts, seals::track, seals::open, seals::stream, devices::register, devices::list,
        single_window::put_agency, single_window::agencies, single_window::add_requirement, single_window::requirements,
        single_window::end_requirement, single_window::issue, single_window::list, single_window::get, single_window::change,
        single_window::declarations, single_window::declaration, single_window::referrals,
        single_window::declaration_referrals, single_window::decide_referral,
        exchange::register, exchange::partners, exchange::key, exchange::inbound, exchange::received, exchange::outbox, exchange::mismatches,
        parcels::file, parcels::batch, parcels::batches, parcels::get, parcels::decide, parcels::quality, parcels::put_vat_number,
        parcels::vat_numbers,
        traceability::report, traceability::batch, traceability::holdings, traceability::batches,
        checkpoint::list, checkpoint::get, checkpoint::put, checkpoint::slots, checkpoint::admit, checkpoint::vehicle,
        checkpoint::act, checkpoint::event, checkpoint::queue, checkpoint::times, checkpoint::stream, checkpoint::mine,
        knowledge::technologies, knowledge::technology, knowledge::terms, knowledge::term, knowledge::instruments,
        knowledge::capabilities, knowledge::search,
        survey::create, survey::list, survey::get, survey::attachment, survey::statistics, survey::export,
        maturity::create, maturity::list, maturity::get, maturity::platform,
    ),
    components(schemas(
        smartcustoms_core::declaration::DeclarationDoc,
        smartcustoms_core::flc::Finding,
        smartcustoms_core::registration::Reason,
        smartcustoms_core::audit::AuditEntry,
    )),
    modifiers(&TokenAuth, &CommonErrors),
    tags(
        (name = "declarations", description = "File and follow declarations: [electronic documents](/knowledge/terms/electronic-document) signed by the declarant, [automatic registration](/knowledge/technologies/6) and [automatic release](/knowledge/technologies/8)"),
        (name = "keys", description = "Signing keys of declarants"),
        (name = "organisation", description = "A trader organisation's users and capacities (filer, payer, viewer, admin) and its authorisations of customs representatives"),
        (name = "risk", description = "[Risk management](/knowledge/terms/risk-management): risk profiles, the [machine-learned](/knowledge/terms/machine-learning) risk model, control outcomes, profile effectiveness and operator categories"),
        (name = "release", description = "Release notifications"),
        (name = "account", description = "[Single personal account](/knowledge/terms/single-personal-account): payments, balance, statement, refunds"),
        (name = "knowledge", description = "The knowledge base: [advanced customs technologies](/knowledge/terms/advanced-customs-technologies), the [glossary](/knowledge/terms), legal instruments, search, the WCO Smart Customs survey repository and the maturity self-assessment"),
        (name = "tariff", description = "Tariff measures, country groups and exchange rates"),
        (name = "tokens", description = "API tokens of machines: issued, listed and revoked by administrators"),
        (name = "administration", description = "People who sign in (added with a role, listed, disabled) and customs offices (created, renamed), kept by administrators or an administration's identity management"),
        (name = "statistics", description = "Time release (how long declarations take from filing to registration, lane and release, published live) and the supervisors' dashboard"),
        (name = "transit", description = "Electronic transit under a guarantee: movements with their MRN, states and timeline, guarantee certificates (see docs/transit.md)"),
        (name = "seals", description = "Navigation seals: reports of seals on vehicles in transit (also over MQTT), alerts raised once per incident, the track (see docs/seals.md)"),
        (name = "checkpoints", description = "The smart checkpoint: settings (slots, priority rules), bookings and the live queue, equipment events (plate reads, weighings, radiation readings, scans) over HTTP and MQTT, the order of operations decided for each vehicle with its reasons, officers' actions and waiting and crossing times (see docs/checkpoint.md)"),
        (name = "traceability", description = "Goods traceability: batches of traced goods opened at release for free circulation, holders' reports of sales, returns, exports and write-offs, each batch's balances and history, a trader's holdings (see docs/traceability.md)"),
        (name = "single window", description = "The Single Window: other government agencies, the documents their requirements ask for, the permits, licences and certificates they issue with the quantities declarations reserve and draw, and the declarations each agency may see within its competence (see the README's *Single Window*)"),
        (name = "parcels", description = "E-commerce: low-value parcels filed in bulk by marketplaces, postal and express operators (newline-delimited JSON), each checked, charged under the low-value regime, flagged and released or held; operators' data quality; VAT scheme numbers (see the README's *E-commerce parcels*)"),
        (name = "exchange", description = "\"Your export is my import\": partner administrations and their keys, our exchange key, partners' signed export messages matched with the imports citing them (document N830), the differences found, and our signed messages about released exports (see docs/exchange.md)"),
        (name = "system", description = "Health and metrics"),
    )
)]
struct ApiDoc;

struct TokenAuth;

impl Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Documents on every operation the errors any request may meet on its way to the handler,
/// so that the document says what the server does: 400 (a parameter, header or `%00` that does
/// not parse), 503 (database failure, load shedding); with a token: 401 and 403; with a body:
/// 408, 413, 415 and 422; changing something: 403 (another site, CSRF); with a path
/// parameter: 404.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        let error = |what: &str| -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
            utoipa::openapi::ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
                .into()
        };
        let add = |op: &mut Operation, status: &str, what: &str| {
            op.responses.responses.entry(status.to_string()).or_insert_with(|| error(what));
        };
        for item in openapi.paths.paths.values_mut() {
            let methods: [(&mut Option<Operation>, bool); 5] = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.delete, true),
                (&mut item.patch, true),
            ];
            for (op, changes) in methods {
                let Some(op) = op.as_mut() else { continue };
                add(op, "400", "A parameter or header is not valid (`REQ_004`, `REQ_005`, `REQ_006`).");
                add(op, "503", "The database failed (`SYS_001`) or the server sheds load (`SYS_002`).");
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add(op, "401", "No token or session, or not a valid one (`AUTH_001`, `AUTH_002`).");
                    add(op, "403", "The caller may not do this (`AUTH_003`).");
                }
                if changes {
                    add(op, "403", "Refused: another site (`AUTH_007`) or no CSRF token on a session (`AUTH_006`).");
                }
                if op.request_body.is_some() {
                    add(op, "408", "The body stopped arriving (`REQ_008`).");
                    add(op, "413", "The body is larger than the limit (`REQ_003`).");
                    add(op, "415", "The body is not of the media type the endpoint reads (`REQ_007`).");
                    add(op, "422", "The body does not match the schema (`REQ_002`).");
                }
                let has_path_parameter = op
                    .parameters
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| matches!(p.parameter_in, ParameterIn::Path)));
                if has_path_parameter {
                    add(op, "404", "Nothing at this id (`RES_001`, `AUTH_004`).");
                }
            }
        }
    }
}

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
