//! Sample profiles for `serve --demo`: what an analyst at a real administration might write.
//!
//! They are deliberately narrow. Each targets one known pattern (undervaluation, unproven
//! preference, excise goods, a watch list, very high values), so that ordinary traffic stays
//! green and the lanes shown in the demo have a reason an officer would recognise.

/// Texts of the demo profiles, each parsed with [`super::parse_profile`] at version 1.
pub fn demo_profiles() -> Vec<&'static str> {
    vec![
        r#"# Smartphones sell for hundreds of dollars per kilogram; a few dozen means undervaluation.
profile RP-ELEC-001 "Cheap smartphones from high-risk origins"
when item.hs starts with "851713" and item.origin in ["CN", "HK"] and item.value_per_kg < 40
lane red
instruction "Physical inspection: count units and compare with the invoice"
valid from 2026-01-01 to 2027-12-31
"#,
        r#"# Knitted and woven clothing below a few units of currency per kilogram is priced like rags.
profile RP-TEXT-002 "Clothing at a very low value per kilogram"
when item.chapter in ["61", "62"] and item.value_per_kg < 3
lane yellow
instruction "Check the invoice, the contract and the payment record against the declared value"
valid from 2026-01-01
"#,
        r#"# Preference 200 (GSP) and 300 (free-trade agreement) need a proof of origin:
# N954 is the EUR.1 movement certificate, N865 the GSP certificate Form A.
profile RP-PREF-003 "Tariff preference claimed without a proof of origin"
when item.preference in ["200", "300"] and item.document_types not contains ["N954", "N865"]
lane yellow
instruction "Ask for the proof of origin; without it, charge the full (MFN) duty"
valid from 2026-01-01
"#,
        r#"# Declarants named by the intelligence unit (case file 2026/114).
profile RP-WATCH-004 "Declarants on the intelligence watch list"
when declaration.declarant in ["GB998877665000", "NL009988776B01", "AE4455667788"]
lane red
instruction "Physical inspection of the whole consignment; report findings to the intelligence unit"
valid from 2026-03-01 to 2026-12-31
"#,
        r#"# Alcohol (chapter 22) and tobacco (chapter 24) carry excise: check the excise documents.
profile RP-EXC-005 "Imports of alcohol and tobacco"
when declaration.type = "IM" and item.chapter in ["22", "24"]
lane yellow
instruction "Check the excise authorisation and the tax stamps declared"
valid from 2026-01-01
"#,
        r#"# Very large declarations go through, and are audited after release.
profile RP-VAL-006 "High-value declarations for post-release audit"
when declaration.invoice_total > 1_000_000
lane blue
instruction "Select for post-release audit of the customs value"
valid from 2026-01-01
"#,
        r#"# Anti-dumping duties on solar panels are evaded by routing through third countries.
profile RP-ORIG-007 "Solar panels declared of origin in transit countries"
when declaration.type = "IM"
  and item.hs6 = "854143"
  and item.origin in ["MY", "VN", "TH", "KH"]
lane yellow
instruction "Verify the certificate of origin; ask for the manufacturer's production records"
valid from 2026-01-01
"#,
        r#"# Exports whose description suggests dual-use goods (drones, night vision, encryption).
profile RP-DUAL-008 "Possible dual-use goods in export descriptions"
when declaration.type = "EX"
  and item.description contains ["drone", "night vision", "thermal imag", "encryption"]
  and item.document_types not contains "C100"
lane yellow
instruction "Check whether an export licence is required; hold the goods until it is shown"
valid from 2026-01-01
"#,
        r#"# Trial profile: counts medicines sent by post without changing their lane.
profile RP-MON-009 "Medicines in postal consignments (monitoring only)"
when declaration.transport_mode = "5" and item.chapter = "30"
lane green
instruction "No action: monitoring the volume before deciding on a measure"
valid from 2026-06-01 to 2026-12-31
"#,
    ]
}
