//! The OpenAPI document served at `/api/v1/openapi.json`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes::{account, declarations, inspections, keys, notifications, profiles, risk, system, tariff};

#[derive(OpenApi)]
#[openapi(
    info(title = "smartcustoms API", description = "Electronic declaring, format-logical control, duty calculation, the single personal account, automatic registration, risk lanes and automatic release."),
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
    ),
    components(schemas(
        smartcustoms_core::declaration::DeclarationDoc,
        smartcustoms_core::flc::Finding,
        smartcustoms_core::registration::Reason,
        smartcustoms_core::audit::AuditEntry,
    )),
    modifiers(&TokenAuth),
    tags(
        (name = "declarations", description = "File and follow declarations"),
        (name = "keys", description = "Signing keys of declarants"),
        (name = "risk", description = "Risk profiles, the risk model, control outcomes, profile effectiveness and operator categories"),
        (name = "release", description = "Release notifications"),
        (name = "account", description = "Single personal account: payments, balance, statement, refunds"),
        (name = "tariff", description = "Tariff measures, country groups and exchange rates"),
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
