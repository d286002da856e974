//! Operator categories: each declarant and importer is placed in a low, medium or high risk
//! category from its record — how often its controls found irregularities, how much it
//! declares, how long it has been declaring, and whether it is an authorised economic
//! operator (AEO). Recomputed on a schedule; profiles read the result as
//! `declaration.declarant_category` and `declaration.importer_category`, the model as features.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Category;

/// An operator's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OperatorRecord {
    /// Identification number.
    pub id: String,
    /// Declarations it filed or was the importer of.
    pub declarations: u64,
    /// Of which controlled with a recorded outcome.
    pub controls: u64,
    /// Of which found irregular.
    pub irregular: u64,
    /// Day of its first declaration.
    pub first_seen: NaiveDate,
    /// Holds an AEO authorisation.
    pub aeo: bool,
}

/// Days of declaring before a record can be low risk.
pub const MIN_AGE_DAYS: i64 = 90;
/// Declarations before a record can be low risk.
pub const MIN_DECLARATIONS: u64 = 20;
/// Controls with outcomes before a clean record counts as clean.
pub const MIN_CONTROLS: u64 = 3;
/// Share of irregular controls that makes an operator high risk (with at least two).
pub const HIGH_SHARE: f64 = 0.2;

/// An operator's category and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Categorised {
    /// The record.
    #[serde(flatten)]
    pub record: OperatorRecord,
    /// The category.
    pub category: Category,
    /// Why, in plain terms.
    pub reason: String,
}

/// Places an operator in a category on `today`. Irregularities found repeatedly make it high
/// risk whatever else; otherwise an AEO authorisation, or a long, busy and clean record, makes
/// it low risk; everyone else, newcomers included, is medium.
pub fn categorise(record: OperatorRecord, today: NaiveDate) -> Categorised {
    let age = (today - record.first_seen).num_days();
    let share = record.irregular as f64 / record.controls.max(1) as f64;
    let (category, reason) = if record.irregular >= 2 && share >= HIGH_SHARE {
        (Category::High, format!("{} of {} controls found irregularities", record.irregular, record.controls))
    } else if record.aeo {
        (Category::Low, "authorised economic operator".to_string())
    } else if age >= MIN_AGE_DAYS
        && record.declarations >= MIN_DECLARATIONS
        && record.controls >= MIN_CONTROLS
        && record.irregular == 0
    {
        (
            Category::Low,
            format!("clean record: {} controls, {} declarations over {age} days", record.controls, record.declarations),
        )
    } else if age < MIN_AGE_DAYS || record.declarations < MIN_DECLARATIONS {
        (Category::Medium, format!("newcomer: {} declarations over {age} days", record.declarations))
    } else {
        (Category::Medium, format!("{} of {} controls found irregularities", record.irregular, record.controls))
    };
    Categorised { record, category, reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(declarations: u64, controls: u64, irregular: u64, age: i64, aeo: bool) -> (OperatorRecord, NaiveDate) {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        let first_seen = today - chrono::Duration::days(age);
        (OperatorRecord { id: "DE1".into(), declarations, controls, irregular, first_seen, aeo }, today)
    }

    fn category(declarations: u64, controls: u64, irregular: u64, age: i64, aeo: bool) -> (Category, String) {
        let (r, today) = record(declarations, controls, irregular, age, aeo);
        let c = categorise(r, today);
        (c.category, c.reason)
    }

    #[test]
    fn records_fall_into_categories_with_reasons() {
        assert_eq!(category(100, 10, 3, 400, false), (Category::High, "3 of 10 controls found irregularities".into()));
        assert_eq!(category(100, 10, 3, 400, true).0, Category::High, "irregularities outweigh an AEO status");
        assert_eq!(category(1, 0, 0, 2, true), (Category::Low, "authorised economic operator".into()));
        assert_eq!(
            category(50, 5, 0, 120, false),
            (Category::Low, "clean record: 5 controls, 50 declarations over 120 days".into())
        );
        assert_eq!(category(50, 2, 0, 120, false).0, Category::Medium, "too few controls to call it clean");
        assert_eq!(category(5, 1, 0, 10, false), (Category::Medium, "newcomer: 5 declarations over 10 days".into()));
        assert_eq!(category(100, 20, 1, 400, false).0, Category::Medium, "one finding is not a pattern");
        assert_eq!(category(100, 100, 2, 400, false).0, Category::Medium, "two findings in a hundred controls");
    }
}
