//! A parcel before the risk profiles and the model. A parcel is assessed as what it is in law,
//! a declaration for release for free circulation of one goods item (procedure 4000, sent by
//! post), so every profile and the model apply to it as they apply to declarations; its flags
//! are findings (`declaration.findings contains "PCL_101"`), and its operator's data-quality
//! score is `declaration.operator_quality`.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{Flag, Outcome, Parcel, Regime};
use crate::codes::{HsCode, TransportMode};
use crate::declaration::{Declaration, DeclarationType, GoodsItem, Party, Transport};
use crate::risk::{self, Assessment, Facts, ItemFacts, Lane, Profile, RiskContext};
use crate::valuation::PriceReference;

/// The procedure of a parcel: release for free circulation.
pub const PROCEDURE: &str = "4000";

/// A parcel as a declaration of one goods item: the operator declares, the buyer imports, the
/// seller exports. Parties without an identification number are known by their
/// [`party_key`](super::party_key). `None` when the subheading does not read as a commodity
/// code, which [`check`](super::check) does not let through.
pub fn as_declaration(p: &Parcel, operator: &str, regime: &Regime, date: NaiveDate) -> Option<Declaration> {
    let commodity_code = HsCode::parse(&p.hs6)?;
    let (buyer, _, buyer_country) = &p.buyer;
    let (seller, seller_country) = &p.seller;
    Some(Declaration {
        kind: DeclarationType::Import,
        procedure_code: PROCEDURE.to_string(),
        office: regime.office.clone(),
        declarant: Party { id: operator.to_string(), name: operator.to_string(), country: *buyer_country },
        importer: Party { id: p.buyer_key.clone(), name: buyer.clone(), country: *buyer_country },
        exporter: Party { id: p.seller_key.clone(), name: seller.clone(), country: *seller_country },
        representative: None,
        transport: Transport { mode: TransportMode::Post, means_id: String::new(), nationality: None },
        location_of_goods: String::new(),
        currency: p.currency,
        invoice_total: p.value,
        incoterm: String::new(),
        declaration_date: date,
        items: vec![GoodsItem {
            sequence: 1,
            commodity_code,
            description: p.description.clone(),
            origin: p.origin,
            net_mass: p.mass,
            gross_mass: p.mass,
            quantity: Decimal::ONE,
            unit: "NAR".to_string(),
            price: p.value,
            valuation_method: "1".to_string(),
            preference: "100".to_string(),
            documents: Vec::new(),
        }],
    })
}

/// What scoring a file's parcels reads besides each parcel: the same for the whole file.
#[derive(Clone, Copy)]
pub struct Scoring<'a> {
    /// The operator filing.
    pub operator: &'a str,
    /// The operator's data-quality score, 0 to 1, when it has filed before.
    pub quality: Option<Decimal>,
    /// The regime.
    pub regime: &'a Regime,
    /// The risk profiles (those in force on `date` apply).
    pub profiles: &'a [Profile],
    /// The price reference, for `item.undervaluation`.
    pub prices: &'a PriceReference,
    /// The model, the operators' categories and random controls.
    pub risk: RiskContext<'a>,
    /// The day the file was received.
    pub date: NaiveDate,
}

/// Assesses a parcel with its flags: profiles, model and random controls, as for a declaration.
/// A parcel that cannot be read as a declaration goes to the yellow lane.
pub fn score(p: &Parcel, flags: &[Flag], s: &Scoring<'_>) -> Assessment {
    let Some(declaration) = as_declaration(p, s.operator, s.regime, s.date) else {
        return Assessment {
            lane: Lane::Yellow,
            hits: Vec::new(),
            model: None,
            random_control: false,
            declarant_category: None,
            importer_category: None,
            findings: Vec::new(),
        };
    };
    let valuation = declaration.items.first().and_then(|item| s.prices.check(item, p.value_eur));
    let mut facts = Facts {
        items: vec![ItemFacts { customs_value_eur: Some(p.value_eur), valuation }],
        declarant_category: s.risk.categories.and_then(|c| c.get(s.operator)),
        operator_quality: s.quality,
        ..Facts::default()
    };
    for flag in flags {
        facts.find(flag.code());
    }
    let context = RiskContext { draw: risk::draw(&format!("{}|{}", s.operator, p.transaction_id)), ..s.risk };
    risk::assess_in(&declaration, &facts, s.profiles, s.date, context)
}

/// Where a parcel goes: the more severe of what its flags ask (see [`Outcome::of`]) and what its
/// lane asks: red holds it for inspection, yellow for a documents check; green and blue release
/// it.
pub fn outcome(flags: &[Flag], lane: Lane) -> Outcome {
    let by_lane = match lane {
        Lane::Red => Outcome::HeldInspection,
        Lane::Yellow => Outcome::HeldDocuments,
        Lane::Green | Lane::Blue => Outcome::Released,
    };
    Outcome::of(flags).max(by_lane)
}
