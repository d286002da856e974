//! From the JSON path of a finding to the element of the DEC-DMS message it came from, and
//! from that element path to the WCO pointer of a response message (class IDs such as `68A`
//! with the item's sequence number, and the data element's tag ID such as `D005`).

use serde::Serialize;
use utoipa::ToSchema;

/// Header fields: JSON field → element path.
const HEADER: &[(&str, &str)] = &[
    ("declaration_type", "/Declaration/TypeCode"),
    // Our procedure is the one every item asks for; the first item shows where it is written.
    ("procedure_code", "/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]/GovernmentProcedure"),
    ("office", "/Declaration/DeclarationOfficeID"),
    ("declarant", "/Declaration/Declarant"),
    ("importer", "/Declaration/GoodsShipment/Importer"),
    ("exporter", "/Declaration/Exporter"),
    ("representative", "/Declaration/Agent"),
    ("transport", "/Declaration/BorderTransportMeans"),
    // Read from ID, or from Name as the UK's service writes it: the group names both.
    ("location_of_goods", "/Declaration/GoodsShipment/Consignment/GoodsLocation"),
    ("invoice", "/Declaration/InvoiceAmount"),
    ("delivery_terms", "/Declaration/GoodsShipment/TradeTerms"),
    ("declaration_date", "/Declaration/IssueDateTime/DateTimeString"),
    ("items", "/Declaration/GoodsShipment/GovernmentAgencyGoodsItem"),
];

/// Party fields, below the party's element.
const PARTY: &[(&str, &str)] = &[
    ("id", "ID"),
    ("name", "Name"),
    ("street", "Address/Line"),
    ("city", "Address/CityName"),
    ("postcode", "Address/PostcodeID"),
    ("country", "Address/CountryCode"),
];

const TRANSPORT: &[(&str, &str)] =
    &[("mode", "ModeCode"), ("means_id", "ID"), ("nationality", "RegistrationNationalityCode")];

const INVOICE: &[(&str, &str)] = &[
    ("currency", "/Declaration/InvoiceAmount/@currencyID"),
    ("total", "/Declaration/InvoiceAmount"),
    ("number", "/Declaration/GoodsShipment/Invoice/ID"),
    ("date", "/Declaration/GoodsShipment/Invoice/IssueDateTime/DateTimeString"),
];

const DELIVERY_TERMS: &[(&str, &str)] = &[
    ("incoterm", "/Declaration/GoodsShipment/TradeTerms/ConditionCode"),
    // Read from LocationName, or from LocationID (a UN/LOCODE): the group names both.
    ("place", "/Declaration/GoodsShipment/TradeTerms"),
];

/// Item fields, below the goods item's element.
const ITEM: &[(&str, &str)] = &[
    ("sequence", "SequenceNumeric"),
    ("commodity_code", "Commodity/Classification"),
    ("description", "Commodity/Description"),
    ("origin", "Origin/CountryCode"),
    ("net_mass", "Commodity/GoodsMeasure/NetNetWeightMeasure"),
    ("gross_mass", "Commodity/GoodsMeasure/GrossMassMeasure"),
    ("quantity", "Commodity/GoodsMeasure/TariffQuantity"),
    ("unit", "Commodity/GoodsMeasure/TariffQuantity/@unitCode"),
    ("price", "Commodity/InvoiceLine/ItemChargeAmount"),
    ("valuation_method", "CustomsValuation/MethodCode"),
    ("preference", "Commodity/DutyTaxFee/DutyRegimeCode"),
    ("documents", "AdditionalDocument"),
];

/// Document fields, below the document's element. Our type is category and type together.
const DOCUMENT: &[(&str, &str)] = &[("type", "TypeCode"), ("number", "ID")];

const PARTIES: &[(&str, &str)] = &[
    ("declarant", "/Declaration/Declarant"),
    ("importer", "/Declaration/GoodsShipment/Importer"),
    ("exporter", "/Declaration/Exporter"),
    ("representative", "/Declaration/Agent"),
];

/// The DEC-DMS element path that the JSON path of a finding (`$.items[0].documents[1].type`)
/// corresponds to (`/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]/AdditionalDocument[2]/TypeCode`).
/// Items and documents count from 1 in the element path and from 0 in the JSON path.
///
/// `None` for a path of no field of our declaration.
pub fn xml_pointer(json_path: &str) -> Option<String> {
    let steps = json_steps(json_path)?;
    let item =
        |i: usize| i.checked_add(1).map(|n| format!("/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[{n}]"));
    match steps.as_slice() {
        [] => Some("/Declaration".to_string()),
        [Step::Name("items"), Step::Index(i)] => item(*i),
        [Step::Name("items"), Step::Index(i), Step::Name(field)] => {
            Some(format!("{}/{}", item(*i)?, find(ITEM, field)?))
        }
        [Step::Name("items"), Step::Index(i), Step::Name("documents"), Step::Index(j)] => {
            Some(format!("{}/AdditionalDocument[{}]", item(*i)?, j.checked_add(1)?))
        }
        [Step::Name("items"), Step::Index(i), Step::Name("documents"), Step::Index(j), Step::Name(field)] => {
            Some(format!("{}/AdditionalDocument[{}]/{}", item(*i)?, j.checked_add(1)?, find(DOCUMENT, field)?))
        }
        [Step::Name("transport"), Step::Name(field)] => {
            Some(format!("/Declaration/BorderTransportMeans/{}", find(TRANSPORT, field)?))
        }
        [Step::Name("invoice"), Step::Name(field)] => find(INVOICE, field).map(str::to_string),
        [Step::Name("delivery_terms"), Step::Name(field)] => find(DELIVERY_TERMS, field).map(str::to_string),
        [Step::Name(party), Step::Name(field)] => Some(format!("{}/{}", find(PARTIES, party)?, find(PARTY, field)?)),
        [Step::Name(field)] => find(HEADER, field).map(str::to_string),
        _ => None,
    }
}

fn find(table: &'static [(&str, &str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

#[derive(Debug, PartialEq)]
enum Step<'a> {
    Name(&'a str),
    Index(usize),
}

/// Splits `$.a[1].b` into its steps; `None` when it is not such a path.
fn json_steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut rest = path.strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let (name, tail) = after.split_at(end);
            if name.is_empty() {
                return None;
            }
            steps.push(Step::Name(name));
            rest = tail;
        } else if let Some(after) = rest.strip_prefix('[') {
            let (digits, tail) = after.split_once(']')?;
            steps.push(Step::Index(digits.parse().ok()?));
            rest = tail;
        } else {
            return None;
        }
    }
    Some(steps)
}

/// One step of a WCO pointer (`Pointer` of a response's `Error`, WCO DM class 97A): the class
/// of the message (`DocumentSectionCode`, 375), the sequence number of the occurrence when the
/// class repeats (`SequenceNumeric`, 006), and on the last step the tag ID of the data element
/// (`TagID`, 381).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct WcoPointer {
    /// WCO DM class ID, e.g. `68A` for a goods item.
    pub section: &'static str,
    /// Which occurrence of the class, from 1, when it repeats.
    pub sequence: Option<u32>,
    /// WCO DM ID of the data element, on the last step.
    pub tag: Option<&'static str>,
}

/// WCO DM class IDs of the DEC-DMS elements we read (from the annotations of the WCO DM
/// schema `WCO_DEC_2_DMS.xsd`).
const CLASSES: &[(&str, &str)] = &[
    ("Declaration", "42A"),
    ("AdditionalDocument", "02A"),
    ("Address", "04A"),
    ("Agent", "05A"),
    ("BorderTransportMeans", "15A"),
    ("Classification", "21A"),
    ("TradeTerms", "22B"),
    ("Commodity", "23A"),
    ("Consignment", "28A"),
    ("CustomsValuation", "41A"),
    ("DutyTaxFee", "50A"),
    ("Exporter", "57A"),
    ("Declarant", "57B"),
    ("GoodsLocation", "64A"),
    ("GoodsMeasure", "65A"),
    ("GoodsShipment", "67A"),
    ("GovernmentAgencyGoodsItem", "68A"),
    ("GovernmentProcedure", "70A"),
    ("Importer", "74A"),
    ("Invoice", "78A"),
    ("InvoiceLine", "79A"),
    ("Origin", "92A"),
];

/// WCO DM IDs of the data elements we read, by parent class and element.
const TAGS: &[(&str, &str, &str)] = &[
    ("Declaration", "FunctionCode", "017"),
    ("Declaration", "FunctionalReferenceID", "D026"),
    ("Declaration", "TypeCode", "D013"),
    ("Declaration", "DeclarationOfficeID", "065"),
    ("Declaration", "InvoiceAmount", "109"),
    ("Declaration", "IssueDateTime", "D011"),
    ("Declarant", "ID", "R123"),
    ("Declarant", "Name", "R124"),
    ("Exporter", "ID", "R032"),
    ("Exporter", "Name", "R031"),
    ("Importer", "ID", "R038"),
    ("Importer", "Name", "R037"),
    ("Agent", "ID", "R004"),
    ("Agent", "Name", "R003"),
    ("Address", "Line", "239"),
    ("Address", "CityName", "241"),
    ("Address", "CountryCode", "242"),
    ("Address", "PostcodeID", "245"),
    ("BorderTransportMeans", "ID", "T006"),
    ("BorderTransportMeans", "RegistrationNationalityCode", "T014"),
    ("BorderTransportMeans", "ModeCode", "T022"),
    ("GoodsLocation", "Name", "L016"),
    ("GoodsLocation", "ID", "L017"),
    ("Invoice", "ID", "D016"),
    ("Invoice", "IssueDateTime", "D015"),
    ("TradeTerms", "ConditionCode", "090"),
    ("TradeTerms", "LocationID", "L002"),
    ("TradeTerms", "LocationName", "L001"),
    ("GovernmentAgencyGoodsItem", "SequenceNumeric", "006"),
    ("AdditionalDocument", "CategoryCode", "D031"),
    ("AdditionalDocument", "ID", "D005"),
    ("AdditionalDocument", "TypeCode", "D006"),
    ("Commodity", "Description", "137"),
    ("Classification", "ID", "145"),
    ("DutyTaxFee", "DutyRegimeCode", "164"),
    ("GoodsMeasure", "GrossMassMeasure", "126"),
    ("GoodsMeasure", "NetNetWeightMeasure", "128"),
    ("GoodsMeasure", "TariffQuantity", "130"),
    ("InvoiceLine", "ItemChargeAmount", "112"),
    ("CustomsValuation", "MethodCode", "122"),
    ("GovernmentProcedure", "CurrentCode", "166"),
    ("GovernmentProcedure", "PreviousCode", "161"),
    ("Origin", "CountryCode", "063"),
];

/// The WCO pointer of a DEC-DMS element path, as a response's `Error/Pointer` list gives it:
/// one step per class from the declaration down, goods items and documents with their
/// sequence number, and the data element's tag ID on the last step. Steps the table does not
/// know end the pointer there; an attribute step (`@currencyID`) points at its element.
pub fn wco_pointers(xml_path: &str) -> Vec<WcoPointer> {
    let mut pointers: Vec<WcoPointer> = Vec::new();
    let mut parent: Option<&str> = None;
    for step in xml_path.split('/').filter(|s| !s.is_empty()) {
        if step == "MetaData" && parent.is_none() {
            continue;
        }
        let (name, index) = match step.split_once('[') {
            Some((name, rest)) => (name, rest.strip_suffix(']').and_then(|n| n.parse::<u32>().ok())),
            None => (step, None),
        };
        if let Some(class) = CLASSES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c) {
            let repeats = matches!(name, "GovernmentAgencyGoodsItem" | "AdditionalDocument");
            let sequence = if repeats { index } else { index.filter(|&i| i > 1) };
            pointers.push(WcoPointer { section: class, sequence, tag: None });
            parent = Some(name);
            continue;
        }
        let tag = parent.and_then(|p| TAGS.iter().find(|(c, e, _)| *c == p && *e == name)).map(|(_, _, t)| *t);
        if let (Some(tag), Some(last)) = (tag, pointers.last_mut()) {
            last.tag = Some(tag);
        }
        break;
    }
    pointers
}
