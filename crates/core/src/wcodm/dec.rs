//! DEC-DMS declaration message → `DeclarationDoc`.
//!
//! The mapping takes what our declaration holds and leaves the rest of the message alone: a
//! WCO message carries many elements we have no field for, and those are ignored. A field
//! whose element is absent stays `None`, so that format-logical control reports it with its
//! JSON path, just as for a JSON filing (and `xml_pointer` names the element). Refused here
//! are only values our declaration cannot hold at all: numbers and dates that do not read,
//! masses in another unit than kilograms, item prices in another currency than the invoice,
//! and goods items that ask for different procedures.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::declaration::{
    DeclarationDoc, DeliveryTermsDoc, DocumentDoc, GoodsItemDoc, InvoiceDoc, PartyDoc, TransportDoc,
};

use super::error::XmlError;
use super::tree::{self, Node, Tree};

/// What a declaration message says, as far as our declaration goes, plus the references of
/// the message itself that the response quotes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecMessage {
    /// The declaration, ready for format-logical control.
    pub declaration: DeclarationDoc,
    /// The declarant's own reference of the message (`FunctionalReferenceID`, WCO DM D026;
    /// the LRN of EU and UK declarations). The response quotes it back.
    pub functional_reference: Option<String>,
    /// Message function (`FunctionCode`, WCO DM 017): `9` for an original declaration,
    /// `13` for an amendment request in the UK's usage. Not interpreted here.
    pub function_code: Option<String>,
    /// What follows the two letters of the declaration type in `TypeCode` (the additional
    /// declaration type of EU and UK declarations, such as `A` for a standard declaration).
    pub additional_type: Option<String>,
}

/// Reads a goods declaration sent as a WCO DM DEC-DMS message.
///
/// The root must be `Declaration` of namespace `urn:wco:datamodel:WCO:DEC-DMS:2`, either alone
/// or inside the `MetaData` envelope (`urn:wco:datamodel:WCO:DocumentMetaData-DMS:2`).
///
/// # Errors
///
/// Returns the first refusal of the guarded reader (not UTF-8, another encoding, a DOCTYPE,
/// an undefined entity, malformed XML, too deep, too many elements or goods items, a wrong
/// root or namespace) or of the mapping (a value our declaration cannot hold), with its
/// element path and position.
pub fn parse_dec(xml: &[u8]) -> Result<DecMessage, XmlError> {
    let tree = tree::read(xml)?;
    Mapper { tree: &tree }.message()
}

/// Maps the declaration element of one message.
struct Mapper<'t, 'a> {
    tree: &'t Tree<'a>,
}

/// A node with its path, so that a refusal can name the element.
#[derive(Clone, Copy)]
struct At<'n> {
    node: &'n Node,
    path: &'n str,
}

impl Mapper<'_, '_> {
    fn message(&self) -> Result<DecMessage, XmlError> {
        let d = &self.tree.declaration;
        let root = At { node: d, path: &self.tree.path };
        let shipment = d.child("GoodsShipment");
        let shipment_path = format!("{}/GoodsShipment", root.path);
        let shipment = shipment.map(|node| At { node, path: &shipment_path });

        let (declaration_type, additional_type) = match d.text_of("TypeCode") {
            Some(code) => {
                let kind: String = code.chars().take(2).collect();
                let rest: String = code.chars().skip(2).collect();
                (Some(kind), (!rest.is_empty()).then_some(rest))
            }
            None => (None, None),
        };
        let items = match shipment {
            Some(s) => self.items(s)?,
            None => Vec::new(),
        };
        let invoice = self.invoice(root, shipment)?;
        let declaration = DeclarationDoc {
            declaration_type,
            procedure_code: self.procedure(shipment)?,
            office: d.text_of("DeclarationOfficeID"),
            declarant: d.child("Declarant").map(party),
            importer: shipment.and_then(|s| s.node.child("Importer")).map(party),
            exporter: d.child("Exporter").map(party),
            representative: d.child("Agent").map(party).filter(|p| *p != PartyDoc::default()),
            transport: d.child("BorderTransportMeans").map(|t| TransportDoc {
                mode: t.text_of("ModeCode"),
                means_id: t.text_of("ID"),
                nationality: t.text_of("RegistrationNationalityCode"),
            }),
            location_of_goods: shipment
                .and_then(|s| s.node.child("Consignment"))
                .and_then(|c| c.child("GoodsLocation"))
                .and_then(|g| g.text_of("ID").or_else(|| g.text_of("Name"))),
            invoice: invoice.clone(),
            delivery_terms: shipment.and_then(|s| s.node.child("TradeTerms")).map(|t| DeliveryTermsDoc {
                incoterm: t.text_of("ConditionCode"),
                place: t.text_of("LocationName").or_else(|| t.text_of("LocationID")),
            }),
            declaration_date: match d.child("IssueDateTime") {
                Some(node) => self.date(At { node, path: &format!("{}/IssueDateTime", root.path) })?,
                None => None,
            },
            items: (!items.is_empty()).then_some(items),
        };
        if let (Some(currency), Some(s)) = (invoice.as_ref().and_then(|i| i.currency.as_deref()), shipment) {
            self.item_currencies(s, currency)?;
        }
        Ok(DecMessage {
            declaration,
            functional_reference: d.text_of("FunctionalReferenceID"),
            function_code: d.text_of("FunctionCode"),
            additional_type,
        })
    }

    /// Total invoice amount (with its currency) on the declaration, number and date of the
    /// invoice on the goods shipment.
    fn invoice(&self, root: At<'_>, shipment: Option<At<'_>>) -> Result<Option<InvoiceDoc>, XmlError> {
        let amount = root.node.child("InvoiceAmount");
        let invoice = shipment.and_then(|s| s.node.child("Invoice").map(|node| (node, s.path)));
        if amount.is_none() && invoice.is_none() {
            return Ok(None);
        }
        let mut doc = InvoiceDoc::default();
        if let Some(node) = amount {
            doc.currency = node.attr("currencyID").filter(|c| !c.is_empty()).map(str::to_string);
            doc.total = self.decimal(At { node, path: &format!("{}/InvoiceAmount", root.path) })?;
        }
        if let Some((node, parent)) = invoice {
            let path = format!("{parent}/{}", node.step());
            doc.number = node.text_of("ID");
            doc.date = match node.child("IssueDateTime") {
                Some(date) => self.date(At { node: date, path: &format!("{path}/IssueDateTime") })?,
                None => None,
            };
        }
        Ok(Some(doc))
    }

    /// The procedure: requested and previous procedure of the items' `GovernmentProcedure`
    /// (the one whose current code is not three characters long: those are additional
    /// procedures). Our declaration has one procedure, so every item must ask for the same.
    fn procedure(&self, shipment: Option<At<'_>>) -> Result<Option<String>, XmlError> {
        let Some(s) = shipment else { return Ok(None) };
        let mut found: Option<String> = None;
        for item in s.node.all("GovernmentAgencyGoodsItem") {
            let Some(gp) = item.all("GovernmentProcedure").find(|g| {
                g.child("PreviousCode").is_some() || g.text_of("CurrentCode").is_some_and(|c| c.chars().count() != 3)
            }) else {
                continue;
            };
            let code = format!(
                "{}{}",
                gp.text_of("CurrentCode").unwrap_or_default(),
                gp.text_of("PreviousCode").unwrap_or_default()
            );
            match &found {
                None => found = Some(code),
                Some(first) if *first == code => {}
                Some(first) => {
                    return Err(XmlError::InvalidValue {
                        message: format!(
                            "this goods item asks for procedure {code} but an earlier one for {first}; \
                             one declaration covers one procedure, so declare them separately"
                        ),
                        path: format!("{}/{}/{}", s.path, item.step(), gp.step()),
                        at: self.tree.at(gp),
                    })
                }
            }
        }
        Ok(found)
    }

    fn items(&self, s: At<'_>) -> Result<Vec<GoodsItemDoc>, XmlError> {
        s.node
            .all("GovernmentAgencyGoodsItem")
            .map(|node| self.item(At { node, path: &format!("{}/{}", s.path, node.step()) }))
            .collect()
    }

    fn item(&self, item: At<'_>) -> Result<GoodsItemDoc, XmlError> {
        let n = item.node;
        let commodity = n.child("Commodity");
        let commodity_path = format!("{}/Commodity", item.path);
        let measure = commodity.and_then(|c| c.child("GoodsMeasure"));
        let measure_path = format!("{commodity_path}/GoodsMeasure");
        let in_measure = |name: &str| measure.and_then(|m| m.child(name));
        let mass = |name: &str| -> Result<Option<Decimal>, XmlError> {
            let Some(node) = in_measure(name) else { return Ok(None) };
            let path = format!("{measure_path}/{name}");
            match node.attr("unitCode") {
                None | Some("" | "KGM") => self.decimal(At { node, path: &path }),
                Some(unit) => Err(XmlError::InvalidValue {
                    message: format!("the mass is given in {unit:?}; give it in kilograms (unitCode KGM or none)"),
                    path: format!("{path}/@unitCode"),
                    at: self.tree.at(node),
                }),
            }
        };
        let tariff_quantity = in_measure("TariffQuantity");
        let price = commodity.and_then(|c| c.child("InvoiceLine")).and_then(|l| l.child("ItemChargeAmount"));
        let documents: Vec<DocumentDoc> = n.all("AdditionalDocument").map(document).collect();

        Ok(GoodsItemDoc {
            sequence: match n.child("SequenceNumeric") {
                Some(node) => self.sequence(At { node, path: &format!("{}/SequenceNumeric", item.path) })?,
                None => None,
            },
            commodity_code: commodity.and_then(commodity_code),
            description: commodity.and_then(|c| c.text_of("Description")),
            origin: origin(n),
            net_mass: mass("NetNetWeightMeasure")?,
            gross_mass: mass("GrossMassMeasure")?,
            quantity: match tariff_quantity {
                Some(node) => self.decimal(At { node, path: &format!("{measure_path}/TariffQuantity") })?,
                None => None,
            },
            unit: tariff_quantity.and_then(|q| q.attr("unitCode")).filter(|u| !u.is_empty()).map(str::to_string),
            price: match price {
                Some(node) => {
                    self.decimal(At { node, path: &format!("{commodity_path}/InvoiceLine/ItemChargeAmount") })?
                }
                None => None,
            },
            valuation_method: n.child("CustomsValuation").and_then(|v| v.text_of("MethodCode")),
            preference: commodity.and_then(|c| c.all("DutyTaxFee").find_map(|fee| fee.text_of("DutyRegimeCode"))),
            documents: (!documents.is_empty()).then_some(documents),
        })
    }

    /// Item prices are in the invoice currency in our declaration; a price in another currency
    /// cannot be taken over as it is.
    fn item_currencies(&self, s: At<'_>, currency: &str) -> Result<(), XmlError> {
        for item in s.node.all("GovernmentAgencyGoodsItem") {
            let Some(amount) =
                item.child("Commodity").and_then(|c| c.child("InvoiceLine")).and_then(|l| l.child("ItemChargeAmount"))
            else {
                continue;
            };
            if let Some(other) = amount.attr("currencyID").filter(|c| !c.is_empty() && *c != currency) {
                return Err(XmlError::InvalidValue {
                    message: format!(
                        "the item price is in {other} but the invoice amount in {currency}; give every item price \
                         in the invoice currency"
                    ),
                    path: format!("{}/{}/Commodity/InvoiceLine/ItemChargeAmount/@currencyID", s.path, item.step()),
                    at: self.tree.at(amount),
                });
            }
        }
        Ok(())
    }

    /// A decimal number in the XML Schema form: optional sign, digits, optional fraction.
    fn decimal(&self, at: At<'_>) -> Result<Option<Decimal>, XmlError> {
        let Some(text) = at.node.value() else { return Ok(None) };
        let unsigned = text.strip_prefix(['+', '-']).unwrap_or(&text);
        let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits_only = int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit());
        let parsed = if digits_only && !(int.is_empty() && frac.is_empty()) {
            Decimal::from_str_exact(text.strip_prefix('+').unwrap_or(&text)).ok()
        } else {
            None
        };
        match parsed {
            Some(d) => Ok(Some(d)),
            None => Err(self.invalid(
                at,
                format!(
                    "{} is not a decimal number (digits with an optional '.' fraction, e.g. 180.500)",
                    shown(&text)
                ),
            )),
        }
    }

    fn sequence(&self, at: At<'_>) -> Result<Option<u32>, XmlError> {
        let Some(text) = at.node.value() else { return Ok(None) };
        match text.parse::<u32>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(self.invalid(at, format!("{} is not a whole number of at most five digits", shown(&text)))),
        }
    }

    /// A date from a `DateTimeString` child: format `102` (`YYYYMMDD`), `304`
    /// (`YYYYMMDDhhmmss` and a zone, the date being the one written), or without a format
    /// code `YYYYMMDD` or `YYYY-MM-DD`.
    fn date(&self, parent: At<'_>) -> Result<Option<NaiveDate>, XmlError> {
        let Some(node) = parent.node.child("DateTimeString") else { return Ok(None) };
        let path = format!("{}/DateTimeString", parent.path);
        let at = At { node, path: &path };
        let Some(text) = node.value() else { return Ok(None) };
        let format = node.attr("formatCode").filter(|f| !f.is_empty());
        let parsed = match format {
            Some("102") => ymd(&text),
            Some("304") => date_time_304(&text),
            None => ymd(&text).or_else(|| NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()),
            Some(other) => {
                return Err(XmlError::InvalidValue {
                    message: format!(
                        "the date format code {} is not 102 (YYYYMMDD) or 304 (YYYYMMDDhhmmss with a zone)",
                        shown(other)
                    ),
                    path: format!("{path}/@formatCode"),
                    at: self.tree.at(node),
                })
            }
        };
        match parsed {
            Some(d) => Ok(Some(d)),
            None => Err(self.invalid(
                at,
                format!("{} is not a date in format {}", shown(&text), format.unwrap_or("102 (YYYYMMDD)")),
            )),
        }
    }

    fn invalid(&self, at: At<'_>, message: String) -> XmlError {
        XmlError::InvalidValue { message, path: at.path.to_string(), at: self.tree.at(at.node) }
    }
}

/// `YYYYMMDD`, eight digits exactly.
fn ymd(text: &str) -> Option<NaiveDate> {
    (text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| NaiveDate::parse_from_str(text, "%Y%m%d").ok())
        .flatten()
}

/// Format 304: `YYYYMMDDhhmmss` followed by `Z`, `±hh`, `±hhmm` or `±hh:mm`.
fn date_time_304(text: &str) -> Option<NaiveDate> {
    let (stamp, zone) = (text.get(..14)?, text.get(14..)?);
    if !stamp.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let zone_ok = zone.is_empty()
        || zone == "Z"
        || zone.strip_prefix(['+', '-']).is_some_and(|z| {
            let z = z.replace(':', "");
            (z.len() == 2 || z.len() == 4) && z.bytes().all(|b| b.is_ascii_digit())
        });
    if !zone_ok {
        return None;
    }
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%d%H%M%S").ok().map(|t| t.date())
}

/// A value quoted for a message, cut to 40 characters.
fn shown(value: &str) -> String {
    crate::flc::shown(value)
}

/// A party with its identification, name and address.
fn party(node: &Node) -> PartyDoc {
    let address = node.child("Address");
    let line = |name: &str| address.and_then(|a| a.text_of(name));
    PartyDoc {
        id: node.text_of("ID"),
        name: node.text_of("Name"),
        street: line("Line"),
        city: line("CityName"),
        postcode: line("PostcodeID"),
        country: line("CountryCode"),
    }
}

/// The commodity code: the nomenclature code (classification of type `TSP`, `HS` or without
/// a type) followed by the two-digit TARIC code (type `TRC`), when there is one. Additional
/// codes (`TRA`, `GN`, `CV` …) are not part of it.
fn commodity_code(commodity: &Node) -> Option<String> {
    let of_type = |types: &[&str]| {
        commodity.all("Classification").find_map(|c| {
            let t = c.text_of("IdentificationTypeCode").unwrap_or_default();
            if types.contains(&t.as_str()) {
                c.text_of("ID")
            } else {
                None
            }
        })
    };
    let base = of_type(&["TSP", "HS", ""])?;
    Some(match of_type(&["TRC"]) {
        Some(taric) => format!("{base}{taric}"),
        None => base,
    })
}

/// Country of origin: the non-preferential origin (type `1` or no type) first, else the first
/// origin given.
fn origin(item: &Node) -> Option<String> {
    item.all("Origin")
        .find(|o| o.text_of("TypeCode").is_none_or(|t| t == "1"))
        .or_else(|| item.child("Origin"))
        .and_then(|o| o.text_of("CountryCode"))
}

/// A document: category and type together make our code (`N` + `380` = `N380`).
fn document(node: &Node) -> DocumentDoc {
    let kind = match (node.text_of("CategoryCode"), node.text_of("TypeCode")) {
        (Some(c), Some(t)) => Some(format!("{c}{t}")),
        (None, Some(t)) => Some(t),
        (Some(c), None) => Some(c),
        (None, None) => None,
    };
    DocumentDoc { kind, number: node.text_of("ID") }
}
