//! The catalogue of `CHK_` codes: why an equipment event, a booking or a set of priority rules is
//! refused, why a vehicle stands where it stands in the queue, how a plate read was matched, and
//! why each operation was decided. Written once in the table below, which generates both the
//! `Code` enum and the list `codes()` returns. Codes are never reused.

use serde::Serialize;
use utoipa::ToSchema;

/// Public description of one `CHK_` code, for the API and `docs/checkpoint.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct CodeInfo {
    /// Stable code, `CHK_001` …
    pub code: &'static str,
    /// Short name.
    pub name: &'static str,
    /// What it means, in plain language.
    pub description: &'static str,
}

/// Generates `Code`, `Code::code` and the `CODES` table from one list.
macro_rules! catalogue {
    ($($variant:ident = $code:literal, $name:literal, $description:literal;)+) => {
        /// A `CHK_` code. Every problem and every reason names exactly one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $(
                #[doc = $name]
                $variant,
            )+
        }

        impl Code {
            /// The stable code.
            pub fn code(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)+
                }
            }
        }

        /// Every code, in code order.
        static CODES: &[CodeInfo] = &[
            $(CodeInfo { code: $code, name: $name, description: $description },)+
        ];
    };
}

catalogue! {
    // An equipment event refused (HTTP 422, or dropped with a log line on MQTT).
    Malformed = "CHK_001", "Event malformed",
        "The body is not JSON, not an object, or a field has the wrong type.";
    Missing = "CHK_002", "Field missing",
        "A field the event's kind requires is absent.";
    Kind = "CHK_003", "Unknown event kind",
        "kind is not plate_read, weighing, radiation or scan.";
    TimeFormat = "CHK_004", "Time not RFC 3339",
        "time is not an RFC 3339 date and time with its offset.";
    Device = "CHK_005", "Device id malformed",
        "device is blank, longer than 64 characters or has control characters.";
    Plate = "CHK_006", "Plate unreadable",
        "plate, once spaces and dashes are removed, is empty, longer than 15 characters, or has a character that is not a letter or a digit.";
    Country = "CHK_007", "Country unknown",
        "country is not an ISO 3166-1 alpha-2 code.";
    Confidence = "CHK_008", "Confidence out of range",
        "confidence is not within 0 … 1.";
    GrossMass = "CHK_009", "Gross mass implausible",
        "gross_mass_kg is zero or less, or above 250,000 kg.";
    Axles = "CHK_010", "Axle count out of range",
        "axles is not within 1 … 20.";
    Dimension = "CHK_011", "Dimension out of range",
        "A dimension is zero or less, or above its bound (length 60 m, width 6 m, height 6 m).";
    AccuracyClass = "CHK_012", "Accuracy class unknown",
        "accuracy_class is not an OIML R134 class for vehicle mass: 0.2, 0.5, 1, 2, 5 or 10.";
    CountRate = "CHK_013", "Count rate negative",
        "A gamma or neutron count rate is negative.";
    NeutronPair = "CHK_014", "Neutron count without its background",
        "neutron_cps and neutron_background_cps come together or not at all.";
    AlarmInconsistent = "CHK_015", "Neutron alarm without alarm",
        "neutron_alarm is true while alarm is false.";
    Verdict = "CHK_016", "Unknown verdict",
        "verdict is not clear, suspect or unreadable.";
    Image = "CHK_017", "Image reference malformed",
        "image is blank, longer than 256 characters or has control characters.";
    Stage = "CHK_018", "Unknown radiation stage",
        "stage is neither primary nor secondary.";

    // A booking refused.
    SlotOffGrid = "CHK_020", "Not a slot",
        "The time asked for is not the start of a slot of the checkpoint's grid.";
    SlotPast = "CHK_021", "Slot in the past",
        "The slot starts before now; a vehicle that is here joins the live queue instead.";
    SlotTooFar = "CHK_022", "Slot too far ahead",
        "The slot starts later than the booking horizon allows.";
    SlotFull = "CHK_023", "Slot full",
        "Every place of the slot (lanes × vehicles per lane) is booked.";
    AlreadyBooked = "CHK_024", "Vehicle already booked",
        "The vehicle holds a booking that is still current; it changes that booking rather than taking a second.";
    Policy = "CHK_025", "Slot policy invalid",
        "The slot length does not divide a day into whole slots of 5 minutes to 24 hours, there are no lanes or no places per lane, or the horizon or grace period is negative.";

    // A set of priority rules refused.
    RulesMalformed = "CHK_030", "Rules malformed",
        "The rules are not JSON, a field has the wrong type, or a field is not part of the rule language.";
    RulesMissing = "CHK_031", "Rules field missing",
        "version, rules, or a rule's id, class, when, or a condition's fact is absent.";
    UnknownFact = "CHK_032", "Unknown fact",
        "A condition names a fact the rule language does not have.";
    PaidPriority = "CHK_033", "Priority cannot be bought",
        "A condition names payment, a fee or an express service; priority comes from the goods and the operator only.";
    FactValues = "CHK_034", "Fact values invalid",
        "goods_hs lacks any_of or has a prefix that is not 2, 4 or 6 digits, or any_of is given to a fact that takes none.";
    ClassRange = "CHK_035", "Class out of range",
        "A priority class (or the default class) is not within 0 … 9.";
    RuleId = "CHK_036", "Rule id blank or repeated",
        "A rule's id is blank, longer than 64 characters, or the id of an earlier rule.";
    NoCondition = "CHK_037", "Rule without condition",
        "A rule's when is empty, so it would apply to every vehicle.";

    // Why a vehicle stands where it stands.
    ClassByRule = "CHK_040", "Class given by a rule",
        "The vehicle's facts meet a rule; the first rule giving the best class is named.";
    DefaultClass = "CHK_041", "Default class",
        "No rule applies; the vehicle has the default class.";
    SlotKept = "CHK_042", "Booked slot kept",
        "The vehicle arrived no later than its slot start plus the grace period and is placed at its slot time.";
    SlotExpected = "CHK_043", "Expected in its slot",
        "The vehicle has not arrived, and its slot start plus the grace period is not yet past; its place is held.";
    LateJoinedLive = "CHK_044", "Late: joined the live queue",
        "The vehicle arrived after its slot start plus the grace period and is placed at its arrival time.";
    LiveQueue = "CHK_045", "Live queue",
        "The vehicle joined without a booking and is placed at its joining time.";
    NoShow = "CHK_046", "Missed its slot",
        "The vehicle has not arrived and its slot start plus the grace period is past; it is not in the queue until it arrives.";

    // How a plate read was matched to an expected vehicle.
    MatchExact = "CHK_050", "Plate matched exactly",
        "One expected vehicle has the plate read.";
    MatchLookAlike = "CHK_051", "Plate matched with a look-alike character",
        "No plate matches exactly; one expected plate differs in one character of a look-alike pair (O/0, I/1, B/8, S/5). The match's confidence is lowered.";
    UnknownPlate = "CHK_052", "Unknown plate",
        "No expected vehicle has the plate read, even allowing one look-alike character.";
    Ambiguous = "CHK_053", "Ambiguous plate",
        "Several expected vehicles match equally well; an officer chooses.";
    LowConfidence = "CHK_054", "Read not confident enough",
        "The camera's confidence is below the minimum for an automatic match; an officer confirms.";

    // Why an operation was decided (or a fact noted on the way).
    Pass = "CHK_060", "Nothing due",
        "No rule asks for an operation; the vehicle passes.";
    ControlInland = "CHK_061", "Control inland",
        "The preliminary decision places the control inland; nothing is due at the border for it.";
    DocumentsAtBorder = "CHK_062", "Documents at the border",
        "The preliminary decision asks for a documents check at the border.";
    InspectionAtBorder = "CHK_063", "Inspection at the border: scan",
        "The preliminary decision asks for inspection at the border; the vehicle is scanned first.";
    ScanClear = "CHK_064", "Scan clear",
        "The scanner found nothing; a scan the preliminary decision asked for is done.";
    ScanSuspect = "CHK_065", "Scan suspect: inspect",
        "The scanner found something suspect; the goods are inspected.";
    ScanUnreadable = "CHK_066", "Scan unreadable: scan again",
        "The scan image cannot be read; the vehicle is scanned again.";
    ScanFailedTwice = "CHK_067", "Scan unreadable twice: inspect",
        "Two scans could not be read and none was clear; the goods are inspected instead.";
    WeightDiscrepancy = "CHK_068", "Weight discrepancy: weigh again",
        "The measured gross mass is outside the declared mass by more than the scale's error and the tolerance; the vehicle is weighed again.";
    WeightPersists = "CHK_069", "Weight discrepancy persists: inspect",
        "A second weighing is again outside the declared mass; the goods are inspected.";
    WeightWithin = "CHK_070", "Weight within tolerance",
        "The latest weighing agrees with the declared mass.";
    NoDeclaredMass = "CHK_071", "No declared mass",
        "The vehicle was weighed but no declared mass is known; the weight is recorded, not compared.";
    NeutronAlarm = "CHK_072", "Neutron alarm: hold",
        "A radiation portal raised a neutron alarm; the vehicle is held for the radiation authority.";
    GammaNorm = "CHK_073", "Gamma alarm on NORM goods: secondary check",
        "A gamma alarm on goods that are naturally radioactive (NORM list); a secondary radiation check, not a hold.";
    GammaAlarm = "CHK_074", "Gamma alarm: secondary check",
        "A gamma alarm; a secondary radiation check confirms or clears it.";
    GammaConfirmed = "CHK_075", "Gamma alarm confirmed: hold",
        "The secondary radiation check alarmed too; the vehicle is held for the radiation authority.";
    GammaConfirmedNorm = "CHK_076", "Gamma alarm confirmed on NORM goods: inspect",
        "The secondary check alarmed on NORM goods, as such goods do; the goods are inspected against the declaration.";
    RadiationCleared = "CHK_077", "Radiation alarm cleared",
        "A secondary radiation check after the alarm did not alarm.";
    SealOpened = "CHK_078", "Seal opened or tampered: inspect",
        "The transit's navigation seal has an open opened or tamper alert; the goods are inspected.";
    SealIncident = "CHK_079", "Seal incident: documents",
        "The transit's navigation seal has an open deviation, stop, signal_lost, overdue or malfunction alert; the officer reviews it with the documents.";
    NoPreArrival = "CHK_080", "No pre-arrival information",
        "Goods arrive without pre-arrival information, so there is no preliminary decision; the documents are checked.";
    DoneByOfficer = "CHK_081", "Done by an officer",
        "An officer did the operation (documents checked, goods inspected, a hold lifted on the radiation authority's word) and cleared it; it is no longer due.";
    DeclarationRed = "CHK_082", "Goods declaration in the red lane: inspect",
        "A goods declaration filed for the vehicle's goods is under control in the red lane; the goods are inspected at the border.";
    DeclarationYellow = "CHK_083", "Goods declaration in the yellow lane: documents",
        "A goods declaration filed for the vehicle's goods is under control in the yellow lane; the documents are checked at the border.";
    DeclarationReleased = "CHK_084", "Goods declaration released",
        "A goods declaration filed for the vehicle's goods is released; it asks for nothing at the border.";
    DeclarationPending = "CHK_085", "Goods declaration not released yet",
        "A goods declaration filed for the vehicle's goods awaits registration, payment or its lane; it asks for nothing at the border by itself.";

    // Time release.
    MilestonesOrder = "CHK_090", "Milestones out of order",
        "A vehicle's times are not in the order arrived ≤ called ≤ crossed ≤ now.";
}

/// Every `CHK_` code, in code order.
pub fn codes() -> &'static [CodeInfo] {
    CODES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_ordered_and_well_formed() {
        let all = codes();
        assert!(all.windows(2).all(|w| w[0].code < w[1].code));
        assert!(all.iter().all(|c| c.code.len() == 7 && c.code.starts_with("CHK_0")));
        assert_eq!(Code::NeutronAlarm.code(), "CHK_072");
    }

    #[test]
    fn the_checkpoint_page_names_every_code() {
        let page = include_str!("../../../../docs/checkpoint.md");
        for c in codes() {
            assert!(page.contains(&format!("| {} |", c.code)), "docs/checkpoint.md lacks {}", c.code);
        }
    }
}
