//! Number plates: the normalised form every plate is compared in, and the match of a camera's
//! read to the vehicles the checkpoint expects (booked or announced).
//!
//! Cameras, carriers and officers write the same plate differently (`AB-123 CD`, `ab123cd`,
//! Cyrillic `АВ123` for Latin `AB123`), so a plate is kept in one form: upper case, without
//! spaces or dashes, and with the Cyrillic letters that have a Latin twin written in Latin.
//! Cameras also confuse a few characters (O and 0, I and 1, B and 8, S and 5); a read that
//! differs from one expected plate by one such character still matches, with a lower
//! confidence, but never when another plate would match as well.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::codes::Code;
use super::event::PlateRead;
use super::queue::EntryId;
use super::reason::{shown, Reason};
use crate::codes::CountryCode;
use crate::ids::InvalidId;

/// A number plate in normalised form: 1 to 15 upper-case Latin letters and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct Plate(String);

impl Plate {
    /// Longest normalised plate, characters.
    pub const MAX_LEN: usize = 15;

    /// Normalises `text`: drops spaces and dashes, upper-cases, writes Cyrillic look-alikes in
    /// Latin. Refused when nothing is left, more than 15 characters are, or one is not a letter
    /// or digit.
    pub fn parse(text: &str) -> Result<Plate, InvalidId> {
        let invalid = || InvalidId { kind: "number plate", value: text.to_string() };
        let mut plate = String::with_capacity(text.len());
        for c in text.chars().filter(|c| !c.is_whitespace() && !is_dash(*c)) {
            for u in c.to_uppercase() {
                let u = latin_twin(u);
                if !u.is_ascii_alphanumeric() {
                    return Err(invalid());
                }
                plate.push(u);
            }
        }
        if plate.is_empty() || plate.len() > Self::MAX_LEN {
            return Err(invalid());
        }
        Ok(Plate(plate))
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Plate {
    type Error = InvalidId;

    fn try_from(text: String) -> Result<Self, InvalidId> {
        Plate::parse(&text)
    }
}

impl From<Plate> for String {
    fn from(plate: Plate) -> String {
        plate.0
    }
}

impl std::fmt::Display for Plate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}')
}

/// The Latin letter a Cyrillic capital is written as on plates (the twelve letters Russian,
/// Belarusian, Kazakh and Ukrainian plates share with Latin), or the character itself.
fn latin_twin(c: char) -> char {
    match c {
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'У' => 'Y',
        'Х' => 'X',
        'І' => 'I',
        _ => c,
    }
}

/// The pairs a camera confuses; a read may differ from a plate in one of them.
pub const LOOK_ALIKES: [(char, char); 4] = [('O', '0'), ('I', '1'), ('B', '8'), ('S', '5')];

/// A look-alike match's confidence is the read's multiplied by this.
pub const LOOK_ALIKE_FACTOR: f64 = 0.8;

/// Below this confidence a read is not matched automatically unless the caller sets its own.
pub const MIN_CONFIDENCE: f64 = 0.6;

/// A vehicle the checkpoint expects: booked, announced by pre-arrival information, or queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Expected {
    /// The queue entry or booking it is.
    pub id: EntryId,
    /// Its plate.
    pub plate: Plate,
    /// The country of registration, when known.
    #[schema(value_type = Option<String>)]
    pub country: Option<CountryCode>,
}

/// How a read matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The same plate.
    Exact,
    /// The same plate but for one look-alike character.
    LookAlike,
}

/// The result of matching a plate read: one expected vehicle, or none with the reason. An
/// unknown or ambiguous plate is an answer for the officer, not an error.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PlateMatch {
    /// Matched to one vehicle.
    Matched {
        /// The vehicle.
        id: EntryId,
        /// How.
        kind: MatchKind,
        /// The confidence of the match: the read's, lowered for a look-alike match.
        confidence: f64,
        /// `CHK_050` or `CHK_051`.
        reason: Reason,
    },
    /// Not matched.
    Unmatched {
        /// The vehicles that matched equally well (for an ambiguous plate), in id order.
        candidates: Vec<EntryId>,
        /// `CHK_052`, `CHK_053` or `CHK_054`.
        reason: Reason,
    },
}

/// Matches a plate read to the expected vehicles: exactly, else allowing one look-alike
/// character; never when several match equally well or the read is less confident than
/// `min_confidence`. A known country that differs from the read's rules a vehicle out.
pub fn match_plate(read: &PlateRead, expected: &[Expected], min_confidence: f64) -> PlateMatch {
    let plate = shown(read.plate.as_str());
    if read.confidence < min_confidence {
        let message =
            format!("The read {plate} has confidence {} below the minimum {min_confidence}.", read.confidence);
        return PlateMatch::Unmatched { candidates: Vec::new(), reason: Reason::new(Code::LowConfidence, message) };
    }
    let same_country = |e: &&Expected| match (read.country, e.country) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    let exact: Vec<&Expected> = expected.iter().filter(same_country).filter(|e| e.plate == read.plate).collect();
    let (kind, found) = if exact.is_empty() {
        let near = expected.iter().filter(same_country).filter(|e| one_look_alike(&read.plate, &e.plate)).collect();
        (MatchKind::LookAlike, near)
    } else {
        (MatchKind::Exact, exact)
    };
    let mut ids: Vec<EntryId> = found.iter().map(|e| e.id.clone()).collect();
    ids.sort();
    ids.dedup();
    match (ids.as_slice(), kind) {
        ([], _) => PlateMatch::Unmatched {
            candidates: ids,
            reason: Reason::new(Code::UnknownPlate, format!("No expected vehicle has the plate {plate}.")),
        },
        ([id], MatchKind::Exact) => PlateMatch::Matched {
            id: id.clone(),
            kind,
            confidence: read.confidence,
            reason: Reason::new(Code::MatchExact, format!("The plate {plate} is expected as {id}.")),
        },
        ([id], MatchKind::LookAlike) => {
            let expected_plate = found.first().map(|e| e.plate.as_str()).unwrap_or_default();
            PlateMatch::Matched {
                id: id.clone(),
                kind,
                confidence: read.confidence * LOOK_ALIKE_FACTOR,
                reason: Reason::new(
                    Code::MatchLookAlike,
                    format!("The read {plate} differs from the expected {expected_plate:?} ({id}) in one look-alike character."),
                ),
            }
        }
        (_, _) => {
            let list = ids.iter().map(EntryId::as_str).collect::<Vec<_>>().join(", ");
            PlateMatch::Unmatched {
                reason: Reason::new(Code::Ambiguous, format!("The plate {plate} matches several vehicles: {list}.")),
                candidates: ids,
            }
        }
    }
}

/// True when the plates have the same length and differ in exactly one place, by a look-alike
/// pair.
fn one_look_alike(read: &Plate, plate: &Plate) -> bool {
    let (a, b) = (read.as_str().as_bytes(), plate.as_str().as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut differing = a.iter().zip(b).filter(|(x, y)| x != y);
    match (differing.next(), differing.next()) {
        (Some((&x, &y)), None) => {
            let (x, y) = (char::from(x), char::from(y));
            LOOK_ALIKES.iter().any(|&(p, q)| (x, y) == (p, q) || (x, y) == (q, p))
        }
        _ => false,
    }
}

#[cfg(test)]
#[path = "plate_tests.rs"]
mod tests;
