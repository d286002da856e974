//! Tests of reading DEC-DMS messages: the sample's mapping and its passage through FLC, every
//! refusal of the guarded reader, the mapping's refusals, and that no input panics.

use proptest::prelude::*;

use super::sample::{ctx, expected, with, IMPORT};
use super::{parse_dec, xml_pointer, DecMessage, XmlError, MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS, MAX_ITEMS};
use crate::flc;

fn parsed(xml: &str) -> DecMessage {
    parse_dec(xml.as_bytes()).unwrap_or_else(|e| panic!("refused: {e}"))
}

fn refused(xml: impl AsRef<[u8]>) -> XmlError {
    match parse_dec(xml.as_ref()) {
        Ok(m) => panic!("accepted: {m:?}"),
        Err(e) => e,
    }
}

/// A declaration element holding `inner`.
fn declaration(inner: &str) -> String {
    format!(r#"<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2">{inner}</Declaration>"#)
}

#[test]
fn the_sample_reads_as_the_same_declaration_as_its_json() {
    let m = parsed(IMPORT);
    assert_eq!(m.declaration, expected());
    assert_eq!(m.functional_reference.as_deref(), Some("HEI-2026-11-0042"));
    assert_eq!(m.function_code.as_deref(), Some("9"));
    assert_eq!(m.additional_type.as_deref(), Some("A"));
}

#[test]
fn the_sample_passes_format_logical_control() {
    let doc = parsed(IMPORT).declaration;
    let checked = flc::check(&doc, &ctx()).unwrap_or_else(|f| panic!("findings: {f:#?}"));
    assert_eq!(checked.items.len(), 2);
    assert_eq!(checked.items.first().map(|i| i.commodity_code.as_str()), Some("8517130000"));
    assert_eq!(checked.procedure_code, "4000");
}

#[test]
fn the_metadata_envelope_of_the_uk_service_is_accepted() {
    let body = IMPORT.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let wrapped = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2">
  <md:WCODataModelVersionCode>3.6</md:WCODataModelVersionCode>
  <md:WCOTypeName>DEC</md:WCOTypeName>
  {body}
</md:MetaData>"#
    );
    assert_eq!(parsed(&wrapped).declaration, expected());
    let empty = r#"<md:MetaData xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"/>"#;
    assert_eq!(refused(empty).code(), "XML_009");
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(IMPORT.as_bytes());
    assert!(parse_dec(&bytes).is_ok());
}

#[test]
fn unknown_elements_and_elements_of_other_namespaces_are_ignored() {
    let xml = with(
        "<GoodsItemQuantity>2</GoodsItemQuantity>",
        r#"<GoodsItemQuantity>2</GoodsItemQuantity><Unheard><Of>x</Of></Unheard>
           <x:DeclarationOfficeID xmlns:x="urn:example:other">XX000000</x:DeclarationOfficeID>"#,
    );
    assert_eq!(parsed(&xml).declaration, expected());
}

#[test]
fn a_dec_element_in_the_wrong_place_is_not_read() {
    // The importer belongs to the goods shipment; on the declaration it is an unknown element.
    let xml = with("<Agent>", r#"<Importer><ID>DE999999999999999</ID></Importer><Agent>"#);
    assert_eq!(parsed(&xml).declaration, expected());
}

#[test]
fn an_agent_with_a_name_is_the_representative_and_one_with_only_a_status_is_not() {
    assert_eq!(parsed(IMPORT).declaration.representative, None);
    let xml = with("<FunctionCode>2</FunctionCode>", "<Name>Zollagentur Nord GmbH</Name><ID>DE987654321000</ID>");
    let rep = parsed(&xml).declaration.representative.unwrap_or_else(|| panic!("no representative"));
    assert_eq!(rep.id.as_deref(), Some("DE987654321000"));
}

#[test]
fn references_are_resolved_and_cdata_is_text() {
    let xml = with(
        "Smartphones, 6.1-inch display, 128 GB, model BX-12",
        "Smartphones &amp; cases, &#233;dition &#x32;<![CDATA[ <128 GB> ]]>",
    );
    let items = parsed(&xml).declaration.items.unwrap_or_default();
    let description = items.first().and_then(|i| i.description.clone());
    assert_eq!(description.as_deref(), Some("Smartphones & cases, édition 2 <128 GB>"));
}

#[test]
fn an_issue_date_in_format_304_gives_the_date_written() {
    let xml = with(r#"formatCode="102">20261119<"#, r#"formatCode="304">20261119231500+0100<"#);
    assert_eq!(parsed(&xml).declaration, expected());
}

#[test]
fn the_location_of_goods_may_be_given_by_name_as_the_uk_service_does() {
    let xml = with("<ID>DEHAMCTA</ID>", "<Name>DEHAMCTA</Name>");
    assert_eq!(parsed(&xml).declaration, expected());
}

#[test]
fn additional_codes_are_not_part_of_the_commodity_code() {
    let xml = with(
        "<ID>64039993</ID>",
        "<ID>64039993</ID></Classification><Classification><ID>0010164-4</ID><IdentificationTypeCode>CV</IdentificationTypeCode>",
    );
    assert_eq!(parsed(&xml).declaration, expected());
}

#[test]
fn an_absent_element_is_left_to_flc_and_its_finding_points_at_the_element() {
    let xml = with("<DeclarationOfficeID>DE005000</DeclarationOfficeID>", "");
    let findings = match flc::check(&parsed(&xml).declaration, &ctx()) {
        Ok(_) => panic!("passed without an office"),
        Err(f) => f,
    };
    let codes: Vec<_> = findings.iter().map(|f| (f.code.as_str(), f.path.as_str())).collect();
    assert_eq!(codes, [("FLC_001", "$.office")]);
    assert_eq!(xml_pointer("$.office").as_deref(), Some("/Declaration/DeclarationOfficeID"));
}

#[test]
fn a_document_type_declaration_is_refused_whatever_it_declares() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE Declaration [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"><FunctionalReferenceID>&b;</FunctionalReferenceID></Declaration>"#;
    let e = refused(laughs);
    assert_eq!(e.code(), "XML_003");
    assert_eq!((e.position().line, e.position().column), (2, 1));
    let external =
        r#"<!DOCTYPE Declaration SYSTEM "file:///etc/passwd"><Declaration xmlns="urn:wco:datamodel:WCO:DEC-DMS:2"/>"#;
    assert_eq!(refused(external).code(), "XML_003");
}

#[test]
fn an_undefined_entity_is_refused_in_text_and_in_attributes() {
    let e = refused(with("<FunctionCode>9</FunctionCode>", "<FunctionCode>&xxe;</FunctionCode>"));
    assert_eq!(e.code(), "XML_004");
    assert_eq!(e.path(), Some("/Declaration/FunctionCode"));
    assert!(e.to_string().contains("&xxe;"), "{e}");
    let e = refused(with(r#"currencyID="EUR">43500"#, r#"currencyID="&eur;">43500"#));
    assert_eq!((e.code(), e.path()), ("XML_004", Some("/Declaration/InvoiceAmount")));
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    let depth = MAX_DEPTH; // with the declaration itself, one level too many
    let inner = format!("{}{}", "<X>".repeat(depth), "</X>".repeat(depth));
    let e = refused(declaration(&inner));
    assert_eq!(e.code(), "XML_006");
    assert!(e.path().is_some_and(|p| p.starts_with("/Declaration/X/X/") && p.ends_with("/X")), "{e}");
    let fine = format!("{}{}", "<X>".repeat(depth - 1), "</X>".repeat(depth - 1));
    assert!(parse_dec(declaration(&fine).as_bytes()).is_ok());
}

#[test]
fn more_goods_items_than_the_limit_are_refused() {
    let items = "<GovernmentAgencyGoodsItem/>".repeat(MAX_ITEMS + 1);
    let e = refused(declaration(&format!("<GoodsShipment>{items}</GoodsShipment>")));
    assert_eq!(e.code(), "XML_008");
    assert_eq!(e.path(), Some("/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[1000]"));
    let fine = "<GovernmentAgencyGoodsItem/>".repeat(MAX_ITEMS);
    let m = parsed(&declaration(&format!("<GoodsShipment>{fine}</GoodsShipment>")));
    assert_eq!(m.declaration.items.map(|i| i.len()), Some(MAX_ITEMS));
}

#[test]
fn more_elements_than_the_limit_are_refused() {
    let e = refused(declaration(&"<X/>".repeat(MAX_ELEMENTS)));
    assert_eq!(e.code(), "XML_007");
    assert_eq!(e.path(), Some(format!("/Declaration/X[{MAX_ELEMENTS}]").as_str()));
}

#[test]
fn an_element_with_too_many_attributes_or_namespaces_is_refused() {
    let attrs: String = (0..=MAX_ATTRIBUTES).map(|i| format!(" a{i}=\"x\"")).collect();
    let e = refused(declaration(&format!("<X{attrs}/>")));
    assert_eq!((e.code(), e.path()), ("XML_012", Some("/Declaration/X")));
    let namespaces: String = (0..=MAX_ATTRIBUTES).map(|i| format!(" xmlns:n{i}=\"urn:n:{i}\"")).collect();
    let e = refused(declaration(&format!("<X{namespaces}/>")));
    assert_eq!((e.code(), e.path()), ("XML_012", Some("/Declaration/*")));
}

#[test]
fn invalid_utf8_is_refused_with_its_position() {
    let mut bytes = with("Hamburg</LocationName>", "Hamb\u{fc}rg</LocationName>").into_bytes();
    // Replace the two-byte ü by a lone Latin-1 byte.
    let at = bytes.windows(2).position(|w| w == [0xC3, 0xBC]).unwrap_or_else(|| panic!("no ü"));
    bytes.splice(at..at + 2, [0xFC]);
    let e = refused(&bytes);
    assert_eq!(e.code(), "XML_001");
    assert_eq!(e.position().byte, at as u64);
    let line = IMPORT.lines().position(|l| l.contains("<LocationName>")).unwrap_or_default() + 1;
    assert_eq!(e.position().line as usize, line);
}

#[test]
fn an_encoding_other_than_utf8_is_refused() {
    let e = refused(with(r#"encoding="UTF-8""#, r#"encoding="ISO-8859-1""#));
    assert_eq!(e.code(), "XML_002");
    assert!(e.to_string().contains("ISO-8859-1"));
    assert!(parse_dec(with(r#"encoding="UTF-8""#, r#"encoding="utf-8""#).as_bytes()).is_ok());
}

#[test]
fn malformed_xml_is_refused_with_path_and_position() {
    let e = refused(with("<ModeCode>1</ModeCode>", "<ModeCode>1</Mode>"));
    assert_eq!(e.code(), "XML_005");
    assert_eq!(e.path(), Some("/Declaration/BorderTransportMeans/ModeCode"));
    let line = IMPORT.lines().position(|l| l.contains("<ModeCode>")).unwrap_or_default() + 1;
    assert_eq!(e.position().line as usize, line, "{e}");

    for bad in [
        String::new(),
        "   ".to_string(),
        IMPORT.replace("</Declaration>", ""),
        format!("{IMPORT}<Declaration/>"),
        format!("{IMPORT} trailing words"),
        with("<FunctionCode>", "<p:FunctionCode>"),
        with(r#"currencyID="EUR""#, r#"currencyID="EUR" currencyID="USD""#),
        with("<FunctionCode>9</FunctionCode>", "<FunctionCode>9 & 10</FunctionCode>"),
    ] {
        let e = refused(&bad);
        assert_eq!(e.code(), "XML_005", "{bad:.80}: {e}");
    }
}

#[test]
fn a_wrong_root_or_namespace_is_refused() {
    let e = refused(r#"<Response xmlns="urn:wco:datamodel:WCO:RES-DMS:2"/>"#);
    assert_eq!(e.code(), "XML_009");
    assert!(e.to_string().contains("Response of namespace urn:wco:datamodel:WCO:RES-DMS:2"), "{e}");
    let e = refused(IMPORT.replace(r#"xmlns="urn:wco:datamodel:WCO:DEC-DMS:2""#, ""));
    assert_eq!((e.code(), e.path()), ("XML_010", Some("/Declaration")));
    let e = refused(IMPORT.replace("DEC-DMS:2", "DEC-DMS:1"));
    assert_eq!(e.code(), "XML_010");
    assert!(e.to_string().contains("urn:wco:datamodel:WCO:DEC-DMS:1"));
    let wrapped = r#"<MetaData xmlns="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"><Declaration/></MetaData>"#;
    assert_eq!(refused(wrapped).path(), Some("/MetaData/Declaration"));
}

#[test]
fn values_our_declaration_cannot_hold_are_refused_with_their_path() {
    let item2 = "/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]";
    let cases = [
        (with("<NetNetWeightMeasure>420.000", "<NetNetWeightMeasure>420,5"), format!("{item2}/Commodity/GoodsMeasure/NetNetWeightMeasure")),
        (with("<NetNetWeightMeasure>420.000", "<NetNetWeightMeasure>4.2e2"), format!("{item2}/Commodity/GoodsMeasure/NetNetWeightMeasure")),
        (
            with("<GrossMassMeasure>480.000", r#"<GrossMassMeasure unitCode="TNE">0.48"#),
            format!("{item2}/Commodity/GoodsMeasure/GrossMassMeasure/@unitCode"),
        ),
        (with("<SequenceNumeric>2<", "<SequenceNumeric>two<"), format!("{item2}/SequenceNumeric")),
        (
            with(r#"currencyID="EUR">7500.00"#, r#"currencyID="USD">7500.00"#),
            format!("{item2}/Commodity/InvoiceLine/ItemChargeAmount/@currencyID"),
        ),
        (with("<CurrentCode>40</CurrentCode>\n        <PreviousCode>00</PreviousCode>\n      </GovernmentProcedure>\n      <Origin>\n        <CountryCode>VN", "<CurrentCode>40</CurrentCode>\n        <PreviousCode>71</PreviousCode>\n      </GovernmentProcedure>\n      <Origin>\n        <CountryCode>VN"), format!("{item2}/GovernmentProcedure")),
        (with(r#"formatCode="102">20261119"#, r#"formatCode="102">2026-11-19"#), "/Declaration/IssueDateTime/DateTimeString".to_string()),
        (with(r#"formatCode="102">20261119"#, r#"formatCode="203">202611191200"#), "/Declaration/IssueDateTime/DateTimeString/@formatCode".to_string()),
        (with(r#"formatCode="102">20261002"#, r#"formatCode="102">20261302"#), "/Declaration/GoodsShipment/Invoice/IssueDateTime/DateTimeString".to_string()),
        (with(">43500.00<", ">99999999999999999999999999999999<"), "/Declaration/InvoiceAmount".to_string()),
    ];
    for (xml, path) in cases {
        let e = refused(&xml);
        assert_eq!((e.code(), e.path()), ("XML_011", Some(path.as_str())), "{e}");
    }
}

#[test]
fn every_finding_on_an_empty_declaration_points_at_an_element() {
    let xml = declaration(
        "<GoodsShipment><GovernmentAgencyGoodsItem><AdditionalDocument/></GovernmentAgencyGoodsItem></GoodsShipment>\
         <Declarant/><Exporter><Address/></Exporter><BorderTransportMeans/><InvoiceAmount/>",
    );
    let doc = parsed(&xml).declaration;
    let findings = match flc::check(&doc, &ctx()) {
        Ok(_) => panic!("an empty declaration passed"),
        Err(f) => f,
    };
    assert!(findings.len() > 10);
    for f in findings {
        assert!(xml_pointer(&f.path).is_some(), "no element for {} at {}", f.code, f.path);
    }
}

/// Replaces, removes or inserts one byte of `bytes` at `at` (taken modulo the length).
fn edit(bytes: &mut Vec<u8>, at: usize, byte: u8, how: u8) {
    let at = at % bytes.len().max(1);
    match how % 3 {
        0 if at < bytes.len() => bytes[at] = byte,
        1 if at < bytes.len() => {
            bytes.remove(at);
        }
        _ => bytes.insert(at.min(bytes.len()), byte),
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_the_reader(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_dec(&bytes);
    }

    #[test]
    fn arbitrary_mutations_of_the_sample_never_panic_the_reader(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8)
    ) {
        let mut bytes = IMPORT.as_bytes().to_vec();
        for (at, byte, how) in edits {
            edit(&mut bytes, at, byte, how);
        }
        if let Err(e) = parse_dec(&bytes) {
            // Every refusal says where it happened, inside the message.
            prop_assert!(e.position().byte as usize <= bytes.len());
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn markup_spliced_into_the_sample_never_panics_the_reader(
        at in any::<usize>(),
        piece in prop::sample::select(vec![
            "<", ">", "</", "/>", "&", "&amp;", "&#0;", "&#x110000;", "<![CDATA[", "]]>", "<!--", "-->",
            "<?xml version=\"1.0\"?>", "<!DOCTYPE x>", "xmlns:p=\"\"", "<p:X>", "\"", "=", "\u{FEFF}",
        ])
    ) {
        let mut text = IMPORT.to_string();
        let mut at = at % text.len();
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        text.insert_str(at, piece);
        let _ = parse_dec(text.as_bytes());
    }
}
