//! Our answer to a declaration as a WCO DM response message (RES-DMS): acceptance with the
//! registration number and the lane, rejection with every error and where it is, control,
//! a request for documents, release.
//!
//! The same `ResponseDoc` is our JSON answer; `write_res` writes it as XML, elements in the
//! order of the RES-DMS schema, dates in format 304 (`YYYYMMDDhhmmssZ`, UTC), text escaped by
//! the XML writer.

use chrono::{DateTime, Utc};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::writer::Writer;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::flc::Finding;
use crate::registration::Reason;
use crate::risk::Lane;

use super::error::XmlError;
use super::pointer::{wco_pointers, xml_pointer};
use super::RES_NAMESPACE;

/// What the response says (`FunctionCode`, WCO DM 017). The codes are those of the UK's
/// service for the same messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResponseFunction {
    /// `01`: the declaration is accepted and registered (with its lane).
    Accepted,
    /// `03`: the declaration is rejected; the errors say why.
    Rejected,
    /// `05`: the goods are under control (a document check or an inspection) and are not
    /// released until an officer decides.
    Control,
    /// `06`: the officer asks for documents.
    DocumentsRequired,
    /// `09`: the goods are released (cleared for the procedure).
    Released,
}

impl ResponseFunction {
    /// The two-digit code written in `FunctionCode`.
    pub fn code(self) -> &'static str {
        match self {
            ResponseFunction::Accepted => "01",
            ResponseFunction::Rejected => "03",
            ResponseFunction::Control => "05",
            ResponseFunction::DocumentsRequired => "06",
            ResponseFunction::Released => "09",
        }
    }
}

/// One error of a rejected declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResponseError {
    /// Our stable reason code (`FLC_012`, `SW_001`, `XML_005` …); `ValidationCode` in the XML.
    pub code: String,
    /// Plain-language explanation, in English; `Description` in the XML.
    pub message: String,
    /// JSON path of the field in our declaration (`$.items[0].documents`), when known.
    pub json_path: Option<String>,
    /// The corresponding element of the DEC-DMS message
    /// (`/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1]/AdditionalDocument`), when known.
    /// The XML writes it as the WCO pointer (`Pointer` steps with class IDs and tag ID).
    pub xml_path: Option<String>,
}

impl From<&Finding> for ResponseError {
    fn from(f: &Finding) -> Self {
        ResponseError {
            code: f.code.clone(),
            message: f.message.clone(),
            json_path: Some(f.path.clone()),
            xml_path: xml_pointer(&f.path),
        }
    }
}

impl From<&Reason> for ResponseError {
    fn from(r: &Reason) -> Self {
        ResponseError {
            code: r.code.clone(),
            message: r.message.clone(),
            json_path: r.path.clone(),
            xml_path: r.path.as_deref().and_then(xml_pointer),
        }
    }
}

impl From<&XmlError> for ResponseError {
    fn from(e: &XmlError) -> Self {
        ResponseError {
            code: e.code().to_string(),
            message: e.to_string(),
            json_path: None,
            xml_path: e.path().map(str::to_string),
        }
    }
}

/// Our answer to a declaration, in JSON as it is and in XML through `write_res`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResponseDoc {
    /// What the response says.
    pub function: ResponseFunction,
    /// When the response was made (`IssueDateTime`, WCO DM D029).
    pub issued_at: DateTime<Utc>,
    /// Our id of the declaration. The XML writes it in the response's `FunctionalReferenceID`
    /// (D026, at most 35 characters): a UUID without its hyphens.
    pub declaration_id: Option<String>,
    /// The declarant's reference of the message it answers (`Declaration/FunctionalReferenceID`).
    pub functional_reference: Option<String>,
    /// Registration number, once accepted (`Declaration/ID`, WCO DM D014).
    pub registration_number: Option<String>,
    /// When the declaration was accepted (`Declaration/AcceptanceDateTime`, WCO DM 023).
    pub accepted_at: Option<DateTime<Utc>>,
    /// The control lane, once assigned. The XML writes it as an `AdditionalInformation` of
    /// statement type `LAN` (our own code) with the lane's name as statement code.
    pub lane: Option<Lane>,
    /// When the goods were released (`Status/ReleaseDateTime`, WCO DM 277).
    pub released_at: Option<DateTime<Utc>>,
    /// Why the declaration is rejected; empty otherwise.
    pub errors: Vec<ResponseError>,
}

/// Statement type of the lane in `AdditionalInformation`. It is our own code: no WCO or EU
/// list has one for a control lane.
pub const LANE_STATEMENT_TYPE: &str = "LAN";
/// Longest error description the RES-DMS schema takes (WCO DM 488, an..512).
const MAX_DESCRIPTION: usize = 512;

/// Writes the response as a RES-DMS message (UTF-8, indented by two spaces).
pub fn write_res(response: &ResponseDoc) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into memory cannot fail; should it, the message would be cut, never wrong.
    let _ = write(&mut writer, response);
    String::from_utf8_lossy(&writer.into_inner()).into_owned()
}

type W = Writer<Vec<u8>>;

fn write(w: &mut W, r: &ResponseDoc) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("Response").with_attribute(("xmlns", RES_NAMESPACE)).write_inner_content(|w| {
        leaf(w, "FunctionCode", r.function.code())?;
        if let Some(id) = &r.declaration_id {
            leaf(w, "FunctionalReferenceID", &reference_id(id))?;
        }
        date_time(w, "IssueDateTime", r.issued_at)?;
        if let Some(lane) = r.lane {
            w.create_element("AdditionalInformation").write_inner_content(|w| {
                leaf(w, "StatementCode", lane.as_str())?;
                leaf(w, "StatementDescription", &format!("Control lane: {}.", lane_text(lane)))?;
                leaf(w, "StatementTypeCode", LANE_STATEMENT_TYPE)
            })?;
        }
        for e in &r.errors {
            error(w, e)?;
        }
        if let Some(at) = r.released_at {
            w.create_element("Status").write_inner_content(|w| date_time(w, "ReleaseDateTime", at))?;
        }
        w.create_element("Declaration").write_inner_content(|w| {
            if let Some(at) = r.accepted_at {
                date_time(w, "AcceptanceDateTime", at)?;
            }
            if let Some(lrn) = &r.functional_reference {
                leaf(w, "FunctionalReferenceID", lrn)?;
            }
            if let Some(number) = &r.registration_number {
                leaf(w, "ID", number)?;
            }
            if r.function == ResponseFunction::Rejected {
                date_time(w, "RejectionDateTime", r.issued_at)?;
            }
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

fn error(w: &mut W, e: &ResponseError) -> std::io::Result<()> {
    w.create_element("Error").write_inner_content(|w| {
        leaf(w, "Description", &cut(&e.message, MAX_DESCRIPTION))?;
        leaf(w, "ValidationCode", &e.code)?;
        for p in e.xml_path.as_deref().map(wco_pointers).unwrap_or_default() {
            w.create_element("Pointer").write_inner_content(|w| {
                if let Some(n) = p.sequence {
                    leaf(w, "SequenceNumeric", &n.to_string())?;
                }
                leaf(w, "DocumentSectionCode", p.section)?;
                if let Some(tag) = p.tag {
                    leaf(w, "TagID", tag)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// An element holding only text, escaped, with characters XML 1.0 cannot carry replaced.
fn leaf(w: &mut W, name: &str, text: &str) -> std::io::Result<()> {
    let clean: String = text.chars().map(|c| if xml_char(c) { c } else { '\u{FFFD}' }).collect();
    w.create_element(name).write_text_content(BytesText::new(&clean))?;
    Ok(())
}

/// A date-time class with its `DateTimeString` in format 304, UTC.
fn date_time(w: &mut W, name: &str, at: DateTime<Utc>) -> std::io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        w.create_element("DateTimeString")
            .with_attribute(("formatCode", "304"))
            .write_text_content(BytesText::new(&at.format("%Y%m%d%H%M%SZ").to_string()))?;
        Ok(())
    })?;
    Ok(())
}

/// Characters allowed in an XML 1.0 document.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `id` as a functional reference: a UUID loses its hyphens to fit the 35 characters.
fn reference_id(id: &str) -> String {
    match uuid::Uuid::parse_str(id) {
        Ok(u) => u.simple().to_string(),
        Err(_) => cut(id, 35),
    }
}

/// At most `limit` characters, the last one an ellipsis when cut.
fn cut(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(limit.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

fn lane_text(lane: Lane) -> &'static str {
    match lane {
        Lane::Green => "green, released without an officer",
        Lane::Blue => "blue, released without an officer and audited after release",
        Lane::Yellow => "yellow, documents checked by an officer before release",
        Lane::Red => "red, goods inspected by an officer before release",
    }
}
