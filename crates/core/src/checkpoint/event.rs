//! What the checkpoint's equipment sends: number-plate reads, weigh-in-motion weighings,
//! radiation portal readings and scanner verdicts. The wire form (`EventDoc`, one JSON object
//! with a `kind`), its checked form (`Event`), and the coded problems of an event that cannot be
//! taken in.
//!
//! Unknown fields are ignored, not refused, as for navigation seals: equipment of different
//! makers adds its own fields (lane, speed, temperature, image hashes) and a firmware update must
//! not make a checkpoint's events bounce. A misspelt required field is still caught, as that
//! field is then missing (`CHK_002`).

use chrono::DateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::codes::Code;
use super::plate::Plate;
use super::reason::{is_label, shown, Problem};
use crate::codes::CountryCode;
use crate::timestamp::Timestamp;

/// Longest device id, characters.
pub const DEVICE_MAX_LEN: usize = 64;
/// Longest image reference, characters.
pub const IMAGE_MAX_LEN: usize = 256;
/// Heaviest gross mass believed, kg: above any road vehicle's, below any misplaced decimal
/// point's.
pub const MAX_GROSS_MASS_KG: Decimal = Decimal::from_parts(250_000, 0, 0, false, 0);
/// Most axles believed on one vehicle.
pub const MAX_AXLES: u8 = 20;

/// A number-plate read from a camera.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PlateRead {
    /// The camera.
    pub device: String,
    /// When the vehicle was seen.
    #[schema(value_type = i64)]
    pub time: Timestamp,
    /// The plate read, normalised.
    pub plate: Plate,
    /// The country of registration the camera read, when it read one.
    #[schema(value_type = Option<String>)]
    pub country: Option<CountryCode>,
    /// The camera's confidence in the read, 0 … 1.
    pub confidence: f64,
}

/// An accuracy class of OIML R134 for the total mass of a vehicle weighed in motion. The class
/// is the maximum permissible error in service, in percent of the mass (`Class1` is ±1 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToSchema)]
pub enum AccuracyClass {
    /// ±0.2 %.
    #[serde(rename = "0.2")]
    Class0_2,
    /// ±0.5 %.
    #[serde(rename = "0.5")]
    Class0_5,
    /// ±1 %.
    #[serde(rename = "1")]
    Class1,
    /// ±2 %.
    #[serde(rename = "2")]
    Class2,
    /// ±5 %.
    #[serde(rename = "5")]
    Class5,
    /// ±10 %.
    #[serde(rename = "10")]
    Class10,
}

impl AccuracyClass {
    /// Every class, most accurate first.
    pub const ALL: [AccuracyClass; 6] = [
        AccuracyClass::Class0_2,
        AccuracyClass::Class0_5,
        AccuracyClass::Class1,
        AccuracyClass::Class2,
        AccuracyClass::Class5,
        AccuracyClass::Class10,
    ];

    /// The maximum permissible error in service, percent.
    pub fn percent(self) -> Decimal {
        match self {
            AccuracyClass::Class0_2 => Decimal::new(2, 1),
            AccuracyClass::Class0_5 => Decimal::new(5, 1),
            AccuracyClass::Class1 => Decimal::ONE,
            AccuracyClass::Class2 => Decimal::TWO,
            AccuracyClass::Class5 => Decimal::new(5, 0),
            AccuracyClass::Class10 => Decimal::TEN,
        }
    }

    /// The class of this error percentage (`0.50` is class 0.5).
    pub fn from_percent(percent: Decimal) -> Option<AccuracyClass> {
        AccuracyClass::ALL.into_iter().find(|c| c.percent() == percent)
    }
}

/// Length, width and height of a vehicle, metres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Dimensions {
    /// Length, m.
    #[schema(value_type = String)]
    pub length_m: Decimal,
    /// Width, m.
    #[schema(value_type = String)]
    pub width_m: Decimal,
    /// Height, m.
    #[schema(value_type = String)]
    pub height_m: Decimal,
}

/// A weighing in motion, with the dimensions when the scale has a profile scanner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Weighing {
    /// The scale.
    pub device: String,
    /// When the vehicle crossed the scale.
    #[schema(value_type = i64)]
    pub time: Timestamp,
    /// Gross mass of the vehicle as it stands, kg.
    #[schema(value_type = String)]
    pub gross_mass_kg: Decimal,
    /// Number of axles.
    pub axles: u8,
    /// The dimensions, when measured.
    pub dimensions: Option<Dimensions>,
    /// The scale's accuracy class.
    pub accuracy_class: AccuracyClass,
}

/// Which check a radiation reading comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The portal every vehicle drives through.
    Primary,
    /// The secondary check of a vehicle that alarmed (a second portal or a handheld
    /// identifier).
    Secondary,
}

/// Neutron count rates, counts per second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct NeutronCounts {
    /// Measured on the vehicle.
    pub cps: f64,
    /// The background before the vehicle.
    pub background_cps: f64,
}

/// A radiation portal's reading of one vehicle.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RadiationReading {
    /// The portal or instrument.
    pub device: String,
    /// When the vehicle was measured.
    #[schema(value_type = i64)]
    pub time: Timestamp,
    /// Primary or secondary check.
    pub stage: Stage,
    /// Whether the instrument alarmed (gamma, neutron or both).
    pub alarm: bool,
    /// Whether the neutron channel alarmed.
    pub neutron_alarm: bool,
    /// Gamma count rate on the vehicle, counts per second.
    pub gamma_cps: f64,
    /// Gamma background, counts per second.
    pub gamma_background_cps: f64,
    /// Neutron count rates, when the instrument has neutron detectors.
    pub neutron: Option<NeutronCounts>,
}

impl RadiationReading {
    /// True when it alarmed on gamma only.
    pub fn gamma_alarm_only(&self) -> bool {
        self.alarm && !self.neutron_alarm
    }
}

/// A scanner's verdict on its image of the vehicle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScanVerdict {
    /// Nothing found.
    Clear,
    /// Something suspect: hidden compartments, goods unlike the declaration.
    Suspect,
    /// The image cannot be read.
    Unreadable,
}

impl ScanVerdict {
    fn from_code(code: &str) -> Option<Self> {
        match code {
            "clear" => Some(ScanVerdict::Clear),
            "suspect" => Some(ScanVerdict::Suspect),
            "unreadable" => Some(ScanVerdict::Unreadable),
            _ => None,
        }
    }
}

/// A scanner's (X-ray, gamma-ray) result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ScanResult {
    /// The scanner.
    pub device: String,
    /// When the vehicle was scanned.
    #[schema(value_type = i64)]
    pub time: Timestamp,
    /// The verdict.
    pub verdict: ScanVerdict,
    /// Where the image is kept (the scanner's reference), for the officer.
    pub image: String,
}

/// A checked equipment event.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// A number-plate read.
    PlateRead(PlateRead),
    /// A weighing in motion.
    Weighing(Weighing),
    /// A radiation reading.
    Radiation(RadiationReading),
    /// A scan.
    Scan(ScanResult),
}

impl Event {
    /// When it happened.
    pub fn time(&self) -> Timestamp {
        match self {
            Event::PlateRead(e) => e.time,
            Event::Weighing(e) => e.time,
            Event::Radiation(e) => e.time,
            Event::Scan(e) => e.time,
        }
    }

    /// The device that reported it.
    pub fn device(&self) -> &str {
        match self {
            Event::PlateRead(e) => &e.device,
            Event::Weighing(e) => &e.device,
            Event::Radiation(e) => &e.device,
            Event::Scan(e) => &e.device,
        }
    }
}

impl Event {
    /// The wire form of the event, as the equipment would send it (time as RFC 3339 with
    /// microseconds): what a replay or a simulator sends.
    pub fn to_doc(&self) -> EventDoc {
        let mut doc = EventDoc {
            device: Some(self.device().to_string()),
            time: Some(self.time().rfc3339()),
            ..EventDoc::default()
        };
        match self {
            Event::PlateRead(e) => {
                doc.kind = Some("plate_read".into());
                doc.plate = Some(e.plate.to_string());
                doc.country = e.country.map(|c| c.to_string());
                doc.confidence = Some(e.confidence);
            }
            Event::Weighing(e) => {
                doc.kind = Some("weighing".into());
                doc.gross_mass_kg = Some(e.gross_mass_kg);
                doc.axles = Some(i64::from(e.axles));
                doc.length_m = e.dimensions.map(|d| d.length_m);
                doc.width_m = e.dimensions.map(|d| d.width_m);
                doc.height_m = e.dimensions.map(|d| d.height_m);
                doc.accuracy_class = Some(e.accuracy_class.percent());
            }
            Event::Radiation(e) => {
                doc.kind = Some("radiation".into());
                doc.stage = Some(match e.stage {
                    Stage::Primary => "primary".into(),
                    Stage::Secondary => "secondary".into(),
                });
                doc.alarm = Some(e.alarm);
                doc.neutron_alarm = Some(e.neutron_alarm);
                doc.gamma_cps = Some(e.gamma_cps);
                doc.gamma_background_cps = Some(e.gamma_background_cps);
                doc.neutron_cps = e.neutron.map(|n| n.cps);
                doc.neutron_background_cps = e.neutron.map(|n| n.background_cps);
            }
            Event::Scan(e) => {
                doc.kind = Some("scan".into());
                doc.verdict = Some(
                    match e.verdict {
                        ScanVerdict::Clear => "clear",
                        ScanVerdict::Suspect => "suspect",
                        ScanVerdict::Unreadable => "unreadable",
                    }
                    .into(),
                );
                doc.image = Some(e.image.clone());
            }
        }
        doc
    }
}

/// An event as the equipment sends it, before any check. Every field is optional here so that
/// an event missing several fields is told about all of them at once; which are required
/// depends on `kind`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventDoc {
    /// `plate_read`, `weighing`, `radiation` or `scan`.
    #[serde(default)]
    pub kind: Option<String>,
    /// The device's id.
    #[serde(default)]
    pub device: Option<String>,
    /// RFC 3339 date and time with its offset.
    #[serde(default)]
    pub time: Option<String>,
    /// Plate read: the plate as read.
    #[serde(default)]
    pub plate: Option<String>,
    /// Plate read: ISO 3166-1 alpha-2 country of registration; absent when not read.
    #[serde(default)]
    pub country: Option<String>,
    /// Plate read: confidence, 0 … 1.
    #[serde(default)]
    pub confidence: Option<f64>,
    /// Weighing: gross mass, kg.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub gross_mass_kg: Option<Decimal>,
    /// Weighing: number of axles.
    #[serde(default)]
    pub axles: Option<i64>,
    /// Weighing: length, m (with width and height, or none of them).
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub length_m: Option<Decimal>,
    /// Weighing: width, m.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub width_m: Option<Decimal>,
    /// Weighing: height, m.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub height_m: Option<Decimal>,
    /// Weighing: OIML R134 accuracy class, 0.2, 0.5, 1, 2, 5 or 10.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub accuracy_class: Option<Decimal>,
    /// Radiation: `primary` (absent) or `secondary`.
    #[serde(default)]
    pub stage: Option<String>,
    /// Radiation: whether it alarmed.
    #[serde(default)]
    pub alarm: Option<bool>,
    /// Radiation: whether the neutron channel alarmed.
    #[serde(default)]
    pub neutron_alarm: Option<bool>,
    /// Radiation: gamma count rate, counts per second.
    #[serde(default)]
    pub gamma_cps: Option<f64>,
    /// Radiation: gamma background, counts per second.
    #[serde(default)]
    pub gamma_background_cps: Option<f64>,
    /// Radiation: neutron count rate, counts per second (with its background, or neither).
    #[serde(default)]
    pub neutron_cps: Option<f64>,
    /// Radiation: neutron background, counts per second.
    #[serde(default)]
    pub neutron_background_cps: Option<f64>,
    /// Scan: `clear`, `suspect` or `unreadable`.
    #[serde(default)]
    pub verdict: Option<String>,
    /// Scan: the image reference.
    #[serde(default)]
    pub image: Option<String>,
}

/// Reads and checks an event's body: the checked event, or every problem found.
///
/// # Errors
///
/// `CHK_001` alone when the body is not a JSON object of the right types (naming the first value
/// of a wrong type); otherwise every problem of `CHK_002` … `CHK_018`.
pub fn parse(body: &[u8]) -> Result<Event, Vec<Problem>> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    let doc: EventDoc = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = format!("$.{}", e.path()).replace("$..", "$.");
        vec![Problem::new(Code::Malformed, path, e.into_inner().to_string())]
    })?;
    de.end().map_err(|e| vec![Problem::new(Code::Malformed, "$", e.to_string())])?;
    doc.check()
}

/// Collects the problems of one event.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, code: Code, path: &str, message: String) {
        self.0.push(Problem::new(code, path, message));
    }

    /// The value of a required field, or a `CHK_002` problem.
    fn required<T: Clone>(&mut self, name: &str, value: &Option<T>) -> Option<T> {
        if value.is_none() {
            self.push(Code::Missing, &format!("$.{name}"), format!("The field {name} is missing."));
        }
        value.clone()
    }

    /// A count rate kept when it is a finite number not below zero, else a `CHK_013` problem.
    fn count_rate(&mut self, name: &str, value: Option<f64>) -> Option<f64> {
        self.within(
            value,
            |v| v.is_finite() && *v >= 0.0,
            Code::CountRate,
            &format!("$.{name}"),
            |v| format!("The count rate {name} {v} is negative."),
        )
    }

    /// A value kept when `ok`, else a problem.
    fn within<T>(
        &mut self,
        value: Option<T>,
        ok: impl Fn(&T) -> bool,
        code: Code,
        path: &str,
        message: impl Fn(&T) -> String,
    ) -> Option<T> {
        let value = value?;
        if ok(&value) {
            Some(value)
        } else {
            self.push(code, path, message(&value));
            None
        }
    }
}

impl EventDoc {
    /// Checks every field the kind requires; the checked event, or every problem found.
    ///
    /// # Errors
    ///
    /// Every problem of `CHK_002` … `CHK_018`, never an empty list.
    pub fn check(&self) -> Result<Event, Vec<Problem>> {
        let mut p = Problems::default();
        let kind = p.required("kind", &self.kind);
        let device = p.required("device", &self.device);
        let device = p.within(
            device,
            |d| is_label(d, DEVICE_MAX_LEN),
            Code::Device,
            "$.device",
            |d| format!("The device id {} is blank, too long or has control characters.", shown(d)),
        );
        let time = p.required("time", &self.time).and_then(|t| match DateTime::parse_from_rfc3339(&t) {
            Ok(at) => Some(Timestamp::from(at.to_utc())),
            Err(_) => {
                p.push(
                    Code::TimeFormat,
                    "$.time",
                    format!("The time {} is not an RFC 3339 date and time with its offset.", shown(&t)),
                );
                None
            }
        });
        let event = match kind.as_deref() {
            None => None,
            Some("plate_read") => self.plate_read(&mut p),
            Some("weighing") => self.weighing(&mut p),
            Some("radiation") => self.radiation(&mut p),
            Some("scan") => self.scan(&mut p),
            Some(other) => {
                p.push(
                    Code::Kind,
                    "$.kind",
                    format!("The kind {} is not plate_read, weighing, radiation or scan.", shown(other)),
                );
                None
            }
        };
        match (device, time, event) {
            (Some(device), Some(time), Some(event)) if p.0.is_empty() => Ok(event.into_event(device, time)),
            _ => Err(p.0),
        }
    }

    fn plate_read(&self, p: &mut Problems) -> Option<Body> {
        let plate = p.required("plate", &self.plate).and_then(|text| match Plate::parse(&text) {
            Ok(plate) => Some(plate),
            Err(_) => {
                p.push(
                    Code::Plate,
                    "$.plate",
                    format!(
                        "The plate {} is not 1 to 15 letters and digits once spaces and dashes are removed.",
                        shown(&text)
                    ),
                );
                None
            }
        });
        let country = match &self.country {
            None => Some(None),
            Some(c) => match CountryCode::parse(c) {
                Some(code) => Some(Some(code)),
                None => {
                    p.push(Code::Country, "$.country", format!("The country {} is not ISO 3166-1 alpha-2.", shown(c)));
                    None
                }
            },
        };
        let confidence = p.required("confidence", &self.confidence);
        let confidence = p.within(
            confidence,
            |c| (0.0..=1.0).contains(c),
            Code::Confidence,
            "$.confidence",
            |c| format!("The confidence {c} is not within 0 … 1."),
        );
        Some(Body::PlateRead { plate: plate?, country: country?, confidence: confidence? })
    }

    fn weighing(&self, p: &mut Problems) -> Option<Body> {
        let mass = p.required("gross_mass_kg", &self.gross_mass_kg);
        let mass = p.within(
            mass,
            |m| *m > Decimal::ZERO && *m <= MAX_GROSS_MASS_KG,
            Code::GrossMass,
            "$.gross_mass_kg",
            |m| format!("The gross mass {m} kg is not above 0 and at most {MAX_GROSS_MASS_KG} kg."),
        );
        let axles = p.required("axles", &self.axles).and_then(|a| match u8::try_from(a) {
            Ok(n) if (1..=MAX_AXLES).contains(&n) => Some(n),
            _ => {
                p.push(Code::Axles, "$.axles", format!("The axle count {a} is not within 1 … {MAX_AXLES}."));
                None
            }
        });
        let dimensions = self.dimensions(p);
        let class = p.required("accuracy_class", &self.accuracy_class).and_then(|c| {
            let class = AccuracyClass::from_percent(c);
            if class.is_none() {
                p.push(
                    Code::AccuracyClass,
                    "$.accuracy_class",
                    format!("The accuracy class {c} is not one of 0.2, 0.5, 1, 2, 5, 10 (OIML R134)."),
                );
            }
            class
        });
        Some(Body::Weighing { gross_mass_kg: mass?, axles: axles?, dimensions: dimensions?, accuracy_class: class? })
    }

    /// The dimensions: all three or none (a scale without a profile scanner measures none).
    fn dimensions(&self, p: &mut Problems) -> Option<Option<Dimensions>> {
        let given = [("length_m", self.length_m), ("width_m", self.width_m), ("height_m", self.height_m)];
        if given.iter().all(|(_, v)| v.is_none()) {
            return Some(None);
        }
        let mut checked = [Decimal::ZERO; 3];
        let mut ok = true;
        for (i, ((name, value), max)) in given.iter().zip([60, 6, 6]).enumerate() {
            let max = Decimal::from(max);
            match p.required(name, value) {
                Some(v) if v > Decimal::ZERO && v <= max => checked[i] = v,
                Some(v) => {
                    p.push(
                        Code::Dimension,
                        &format!("$.{name}"),
                        format!("The {name} {v} is not above 0 and at most {max}."),
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        let [length_m, width_m, height_m] = checked;
        ok.then_some(Some(Dimensions { length_m, width_m, height_m }))
    }

    fn radiation(&self, p: &mut Problems) -> Option<Body> {
        let stage = match self.stage.as_deref() {
            None | Some("primary") => Some(Stage::Primary),
            Some("secondary") => Some(Stage::Secondary),
            Some(other) => {
                p.push(Code::Stage, "$.stage", format!("The stage {} is neither primary nor secondary.", shown(other)));
                None
            }
        };
        let alarm = p.required("alarm", &self.alarm);
        let neutron_alarm = p.required("neutron_alarm", &self.neutron_alarm);
        if let (Some(false), Some(true)) = (alarm, neutron_alarm) {
            p.push(
                Code::AlarmInconsistent,
                "$.neutron_alarm",
                "The neutron channel alarmed but the reading says no alarm; it cannot be both.".to_string(),
            );
        }
        let gamma = p.required("gamma_cps", &self.gamma_cps);
        let gamma = p.count_rate("gamma_cps", gamma);
        let gamma_background = p.required("gamma_background_cps", &self.gamma_background_cps);
        let gamma_background = p.count_rate("gamma_background_cps", gamma_background);
        let neutron_rate = p.count_rate("neutron_cps", self.neutron_cps);
        let neutron_background = p.count_rate("neutron_background_cps", self.neutron_background_cps);
        let neutron = match (self.neutron_cps, self.neutron_background_cps) {
            (None, None) => Some(None),
            (Some(_), Some(_)) => neutron_rate
                .zip(neutron_background)
                .map(|(cps, background_cps)| Some(NeutronCounts { cps, background_cps })),
            _ => {
                p.push(
                    Code::NeutronPair,
                    "$.neutron_cps",
                    "neutron_cps and neutron_background_cps come together or not at all.".to_string(),
                );
                None
            }
        };
        let (alarm, neutron_alarm) = (alarm?, neutron_alarm?);
        if !alarm && neutron_alarm {
            return None;
        }
        Some(Body::Radiation {
            stage: stage?,
            alarm,
            neutron_alarm,
            gamma_cps: gamma?,
            gamma_background_cps: gamma_background?,
            neutron: neutron?,
        })
    }

    fn scan(&self, p: &mut Problems) -> Option<Body> {
        let verdict = p.required("verdict", &self.verdict).and_then(|v| {
            let verdict = ScanVerdict::from_code(&v);
            if verdict.is_none() {
                p.push(
                    Code::Verdict,
                    "$.verdict",
                    format!("The verdict {} is not clear, suspect or unreadable.", shown(&v)),
                );
            }
            verdict
        });
        let image = p.required("image", &self.image);
        let image = p.within(
            image,
            |i| is_label(i, IMAGE_MAX_LEN),
            Code::Image,
            "$.image",
            |i| format!("The image reference {} is blank, too long or has control characters.", shown(i)),
        );
        Some(Body::Scan { verdict: verdict?, image: image? })
    }
}

/// The part of an event its kind decides; device and time are added once both are known.
enum Body {
    PlateRead {
        plate: Plate,
        country: Option<CountryCode>,
        confidence: f64,
    },
    Weighing {
        gross_mass_kg: Decimal,
        axles: u8,
        dimensions: Option<Dimensions>,
        accuracy_class: AccuracyClass,
    },
    Radiation {
        stage: Stage,
        alarm: bool,
        neutron_alarm: bool,
        gamma_cps: f64,
        gamma_background_cps: f64,
        neutron: Option<NeutronCounts>,
    },
    Scan {
        verdict: ScanVerdict,
        image: String,
    },
}

impl Body {
    fn into_event(self, device: String, time: Timestamp) -> Event {
        match self {
            Body::PlateRead { plate, country, confidence } => {
                Event::PlateRead(PlateRead { device, time, plate, country, confidence })
            }
            Body::Weighing { gross_mass_kg, axles, dimensions, accuracy_class } => {
                Event::Weighing(Weighing { device, time, gross_mass_kg, axles, dimensions, accuracy_class })
            }
            Body::Radiation { stage, alarm, neutron_alarm, gamma_cps, gamma_background_cps, neutron } => {
                Event::Radiation(RadiationReading {
                    device,
                    time,
                    stage,
                    alarm,
                    neutron_alarm,
                    gamma_cps,
                    gamma_background_cps,
                    neutron,
                })
            }
            Body::Scan { verdict, image } => Event::Scan(ScanResult { device, time, verdict, image }),
        }
    }
}

#[cfg(test)]
#[path = "event_tests.rs"]
mod tests;
