//! The OpenAPI document served at `/api/v1/openapi.json`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{
    account, declarations, inspections, keys, knowledge, maturity, notifications, profiles, risk, survey, system,
    tariff, tokens,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "smartcustoms API", description = "Electronic declaring, format-logical control, duty calculation, the single personal account, automatic registration, risk lanes and automatic release, and the knowledge base of Digital (Smart) Customs. Terms are defined in the glossary at /knowledge/terms."),
    paths(
        system::health, system::metrics,
        declarations::submit, declarations::get, declarations::list, declarations::events, declarations::decide,
        keys::register, keys::list,
        profiles::create, profiles::list, profiles::versions,
        notifications::list,
        inspections::list,
        risk::models, risk::train, risk::effectiveness, risk::operators, risk::aeo,
        account::deposit, account::own, account::of_trader, account::statement, account::refund,
        tariff::current, tariff::change, tariff::versions, tariff::withdraw,
        tokens::issue, tokens::list, tokens::revoke,
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
    modifiers(&TokenAuth),
    tags(
        (name = "declarations", description = "File and follow declarations: [electronic documents](/knowledge/terms/electronic-document) signed by the declarant, [automatic registration](/knowledge/technologies/6) and [automatic release](/knowledge/technologies/8)"),
        (name = "keys", description = "Signing keys of declarants"),
        (name = "risk", description = "[Risk management](/knowledge/terms/risk-management): risk profiles, the [machine-learned](/knowledge/terms/machine-learning) risk model, control outcomes, profile effectiveness and operator categories"),
        (name = "release", description = "Release notifications"),
        (name = "account", description = "[Single personal account](/knowledge/terms/single-personal-account): payments, balance, statement, refunds"),
        (name = "knowledge", description = "The knowledge base: [advanced customs technologies](/knowledge/terms/advanced-customs-technologies), the [glossary](/knowledge/terms), legal instruments, search, the WCO Smart Customs survey repository and the maturity self-assessment"),
        (name = "tariff", description = "Tariff measures, country groups and exchange rates"),
        (name = "tokens", description = "API tokens of machines: issued, listed and revoked by administrators"),
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

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
