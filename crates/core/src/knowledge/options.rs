//! The closed lists of answers of the WCO Smart Customs survey form (Appendix 1 of the source).

use serde::{Deserialize, Serialize};

/// Declares a closed list: an enum with a stable code (its serde name) and a label for people
/// per variant, in a fixed order (`ALL`, also the order of comparison). A variant's own doc
/// comment, if any, follows its label in the documentation.
macro_rules! options {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(
                #[doc = $label]
                $(#[$vmeta])*
                #[serde(rename = $code)]
                $variant,
            )+
        }

        impl $name {
            /// Every variant, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Stable code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Name for people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Parses a code.
            pub fn parse(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        // Written out rather than derived: the derive does not see `serde(rename)` given
        // through a macro, and would document the variant names instead of the codes.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),+]))
                    .description(Some(concat!($($code, ": ", $label, "; "),+)))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}
pub(crate) use options;

options!(
    /// Question 5: the respondent's stakeholder group.
    StakeholderGroup {
        CustomsAdministration => "customs_administration", "Customs administration";
        OtherGovernmentAgency => "other_government_agency", "Other government agency";
        InternationalOrganization => "international_organization", "International organization";
        PrivateSector => "private_sector", "Private sector";
        Academia => "academia", "Academia and research";
        Other => "other", "Other";
    }
);

options!(
    /// Questions 7.a and 7.b: technologies.
    SurveyTechnology {
        Blockchain => "blockchain", "Blockchain";
        BigData => "big_data", "Big Data and data analytics";
        ArtificialIntelligence => "ai_ml", "Artificial Intelligence and machine learning";
        Robots => "robots", "Robots";
        Biometrics => "biometrics", "Biometrics";
        ExtendedReality => "xr", "Virtual, augmented and mixed reality";
        GeospatialMapping => "geospatial", "Geospatial mapping";
        CloudComputing => "cloud", "Cloud computing";
        Drones => "drones", "Drones";
        EdgeComputing => "edge", "Edge computing";
        SmartGates => "smart_gates", "Smart gate systems";
        AutomatedLanes => "automated_lanes", "Automated lanes";
        InternetOfThings => "iot", "Internet of Things";
        Scanners => "scanners", "Scanners";
        Other => "other", "Other";
    }
);

options!(
    /// Question 8: use cases.
    UseCase {
        Efficiency => "efficiency", "Operational efficiency and trade facilitation";
        Governance => "governance", "Improved governance, decision-making, and transparency";
        RiskManagement => "risk_management", "Risk management, fraud detection, and security";
        Intelligence => "intelligence", "Intelligence and surveillance";
        HumanResources => "human_resources", "Human resource management and capacity building";
        DataManagement => "data_management", "Data management and analytics";
        UserExperience => "user_experience", "User experience and communication";
        Innovation => "innovation", "Innovation and research";
        Other => "other", "Other use cases";
    }
);

options!(
    /// Question 9: performance improvements.
    PerformanceImprovement {
        Trust => "trust", "Increased trust in the relationship with trade";
        People => "people", "Smoother movement of people";
        Goods => "goods", "Smoother movement of goods";
        Paperless => "paperless", "Paperless trade";
        ServiceQuality => "service_quality", "Increased quality of services";
        ECommerce => "e_commerce", "More efficient clearance and delivery in e-commerce";
        Classification => "classification", "Increased compliance with classification rules";
        RevenueCompliance => "revenue_compliance", "Increased voluntary revenue compliance";
        FairRevenue => "fair_revenue", "Fairer revenue collection";
        Targeting => "targeting", "Increased use of technical targeting and detection capabilities on goods and passengers";
        Excise => "excise", "Increased effectiveness in combating illicit trade in excisable products";
        CulturalHeritage => "cultural_heritage", "Increased effectiveness in combating illicit trafficking of cultural heritage";
        PublicHealth => "public_health", "Increased effectiveness in safeguarding public health";
        Counterfeit => "counterfeit", "Increased effectiveness in the fight against counterfeit goods and piracy";
        Drugs => "drugs", "Increased effectiveness in combating drugs trafficking";
        Environment => "environment", "Increased effectiveness in the fight against environmental threats";
        PublicSecurity => "public_security", "Increased public security against weapons, explosives and diversion of dual-use goods";
        FinancialInvestigations => "financial_investigations", "Enhanced efficiency and accuracy in financial investigations";
        BudgetPlanning => "budget_planning", "More accurate budget-based strategy planning";
        Staff => "staff", "More competent and engaged staff";
        Accountability => "accountability", "Advanced level of accountability";
        Integrity => "integrity", "Advanced level of integrity";
        GenderBalance => "gender_balance", "Improved gender balance of staff at all levels";
    }
);

options!(
    /// Question 10: status of adoption or development.
    SurveyStatus {
        Adopted => "adopted", "Adopted/operational (full deployment)";
        UnderDevelopment => "under_development", "Under development (including proof of concept and pilots)";
        Planned => "planned", "Planned (feasibility study undertaken)";
        UnderConsideration => "under_consideration", "Under consideration (feasibility study not undertaken)";
    }
);

options!(
    /// Question 12: benefits.
    Benefit {
        CostSavings => "cost_savings", "Cost savings";
        HumanResourceSavings => "human_resource_savings", "Human resource savings";
        Efficiency => "efficiency", "Increased efficiency";
        Others => "others", "Others";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for t in SurveyTechnology::ALL {
            assert_eq!(SurveyTechnology::parse(t.code()), Some(*t));
        }
        let mut codes: Vec<&str> = PerformanceImprovement::ALL.iter().map(|p| p.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), PerformanceImprovement::ALL.len());
        assert_eq!(SurveyStatus::parse("adopted"), Some(SurveyStatus::Adopted));
        assert_eq!(UseCase::parse("nonsense"), None);
    }
}
