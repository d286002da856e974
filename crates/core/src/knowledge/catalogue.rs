//! The catalogue of advanced customs technologies, the glossary, the legal instruments and
//! the elements of Table 1, read from the embedded reference files and cross-checked.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::capability::{self, CAPABILITIES};
use super::options::options;

/// The part of the source's list an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Automation of customs administration.
    Automation,
    /// Digitalization of customs administration.
    Digitalization,
    /// Consulting of traders.
    Consulting,
    /// Digital solutions for staff.
    Staff,
}

options!(
    /// The group of a catalogue item.
    Group {
        Automation => "automation", "Automation of customs administration";
        /// Digitalization: supranational projects of the EEU.
        SupranationalProjects => "supranational_projects", "Supranational projects";
        /// Digitalization: the Single Window mechanism.
        SingleWindow => "single_window", "Single Window";
        /// Digitalization.
        ECommerce => "e_commerce", "E-commerce";
        /// Digitalization.
        Infrastructure => "infrastructure", "Infrastructure";
        /// Digitalization.
        CustomsControl => "customs_control", "Customs control";
        /// Digitalization: protection of copyright and intellectual property.
        Copyright => "copyright", "Copyright protection";
        /// Digitalization.
        Declaring => "declaring", "Declaring";
        /// Digitalization.
        Aeo => "aeo", "Authorised economic operators";
        /// Digitalization.
        DigitalTechnologies => "digital_technologies", "Digital technologies";
        /// Digitalization.
        SmartCheckpoint => "smart_checkpoint", "Smart checkpoint";
        Consulting => "consulting", "Consulting";
        /// Digital solutions for staff.
        Staff => "staff", "Staff";
    }
);

impl Group {
    /// The section of the source the group sits in.
    pub fn section(self) -> Section {
        match self {
            Group::Automation => Section::Automation,
            Group::Consulting => Section::Consulting,
            Group::Staff => Section::Staff,
            _ => Section::Digitalization,
        }
    }
}

options!(
    /// How far this release of the platform implements something.
    Status {
        /// Works end to end in this release.
        Implemented => "implemented", "implemented";
        /// Some of it works; the note says what is missing.
        Partial => "partial", "partial";
        /// Not in this release; a capability of the product map will do it.
        Planned => "planned", "planned";
        /// Not software this project writes (equipment, policy, organisation); the note says why.
        OutOfScope => "out_of_scope", "out of scope";
    }
);

/// One advanced customs technology of the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Technology {
    /// Number in the source's list, 1 to 71.
    pub number: u8,
    /// Name.
    pub name: String,
    /// Group.
    pub group: Group,
    /// What it is.
    pub summary: String,
    /// What it changes for traders.
    pub for_traders: String,
    /// What it changes for officers.
    pub for_officers: String,
    /// What an administration needs to adopt it.
    pub needs: String,
    /// Related glossary terms (their slugs once loaded).
    pub terms: Vec<String>,
    /// Capabilities of this platform (PRODUCT.md ids) that implement it.
    pub capabilities: Vec<String>,
    /// Status in this release.
    pub status: Status,
    /// Which part of the platform does it, what is missing, or why it is out of scope.
    pub status_note: String,
}

/// A term of the glossary.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Term {
    /// Number in the source's table, 1 to 46.
    pub number: u8,
    /// Stable id derived from the term (lower case, hyphens).
    #[serde(default)]
    pub id: String,
    /// The term.
    pub term: String,
    /// Its definition.
    pub definition: String,
    /// Related terms (their ids once loaded).
    #[serde(default)]
    pub see_also: Vec<String>,
    /// Catalogue items that use the term (filled when loaded).
    #[serde(default)]
    pub technologies: Vec<u8>,
}

/// A legal instrument or tool for Digital (Smart) Customs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Instrument {
    /// Number in the registry.
    pub number: u16,
    /// Title.
    pub title: String,
    /// Who issued it.
    pub issuer: String,
    /// Authors, when named.
    #[serde(default)]
    pub authors: String,
    /// Year of publication.
    pub year: Option<u16>,
    /// Kind: convention, guidelines, research paper, …
    pub kind: String,
    /// Topic.
    pub topic: String,
    /// The heading of the source's list it appears under.
    pub section: String,
    /// Where in the source it is listed.
    pub source_part: String,
    /// Document number, date or other reference.
    #[serde(default)]
    pub reference: String,
}

/// An element of Table 1, the short list of what characterises a Digital (Smart) Customs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Table1Element {
    /// `automation` or `digitalization`.
    pub part: String,
    /// Number within its part.
    pub number: u8,
    /// Name.
    pub name: String,
    /// Subheading within digitalization.
    #[serde(default)]
    pub subgroup: String,
    /// Catalogue items it corresponds to.
    pub technologies: Vec<u8>,
}

/// The whole knowledge base's reference content.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// The 71 technologies, in order.
    pub technologies: Vec<Technology>,
    /// The 46 terms, in order.
    pub terms: Vec<Term>,
    /// The legal instruments and tools.
    pub instruments: Vec<Instrument>,
    /// Table 1.
    pub table1: Vec<Table1Element>,
}

/// The reference content does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the knowledge base's reference files are inconsistent: {}", .0.join("; "))]
pub struct KnowledgeError(pub Vec<String>);

const TECHNOLOGIES: &str = include_str!("../../../../data/knowledge/technologies.json");
const TERMS: &str = include_str!("../../../../data/knowledge/terms.json");
const INSTRUMENTS: &str = include_str!("../../../../data/knowledge/instruments.json");
const TABLE1: &str = include_str!("../../../../data/knowledge/table1.json");

/// A stable id for a name: lower-case ASCII letters and digits separated by single hyphens.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

impl Catalogue {
    /// Parses the embedded reference files and checks every cross-reference: numbering,
    /// terms named by technologies, capability ids, and the claims of each item's status.
    pub fn embedded() -> Result<Catalogue, KnowledgeError> {
        Catalogue::parse(TECHNOLOGIES, TERMS, INSTRUMENTS, TABLE1)
    }

    /// [`Catalogue::embedded`] from given texts.
    pub fn parse(
        technologies: &str,
        terms: &str,
        instruments: &str,
        table1: &str,
    ) -> Result<Catalogue, KnowledgeError> {
        fn json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, KnowledgeError> {
            serde_json::from_str(text).map_err(|e| KnowledgeError(vec![format!("{what}: {e}")]))
        }
        let mut catalogue = Catalogue {
            technologies: json("technologies.json", technologies)?,
            terms: json("terms.json", terms)?,
            instruments: json("instruments.json", instruments)?,
            table1: json("table1.json", table1)?,
        };
        let problems = catalogue.link();
        if problems.is_empty() {
            Ok(catalogue)
        } else {
            Err(KnowledgeError(problems))
        }
    }

    /// Gives terms their ids, resolves names to ids, fills back-references and lists what
    /// does not hold together.
    fn link(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, t) in self.technologies.iter().enumerate() {
            if usize::from(t.number) != i + 1 {
                problems.push(format!("technology at position {} has number {}", i + 1, t.number));
            }
        }
        for (i, t) in self.terms.iter_mut().enumerate() {
            if usize::from(t.number) != i + 1 {
                problems.push(format!("term at position {} has number {}", i + 1, t.number));
            }
            t.id = slug(&t.term);
        }
        let ids: HashMap<String, String> = self.terms.iter().map(|t| (t.term.to_lowercase(), t.id.clone())).collect();
        let resolve = |name: &str, owner: &str, problems: &mut Vec<String>| -> Option<String> {
            let id = ids.get(&name.to_lowercase()).cloned();
            if id.is_none() {
                problems.push(format!("{owner} names the term {name:?}, which is not in the glossary"));
            }
            id
        };
        let mut users: HashMap<String, BTreeSet<u8>> = HashMap::new();
        for t in &mut self.technologies {
            let owner = format!("technology {}", t.number);
            t.terms = t.terms.iter().filter_map(|name| resolve(name, &owner, &mut problems)).collect();
            for id in &t.terms {
                users.entry(id.clone()).or_default().insert(t.number);
            }
            problems.extend(capability::claim_problems(t));
        }
        for i in 0..self.terms.len() {
            let owner = format!("term {}", self.terms[i].number);
            let see_also: Vec<String> =
                self.terms[i].see_also.iter().filter_map(|name| resolve(name, &owner, &mut problems)).collect();
            let term = &mut self.terms[i];
            term.see_also = see_also;
            term.technologies = users.get(&term.id).map(|s| s.iter().copied().collect()).unwrap_or_default();
        }
        let count = self.technologies.len();
        for e in &self.table1 {
            for n in &e.technologies {
                if usize::from(*n) == 0 || usize::from(*n) > count {
                    problems.push(format!("Table 1 element {} {} names technology {n}", e.part, e.number));
                }
            }
        }
        problems
    }

    /// One technology by number.
    pub fn technology(&self, number: u8) -> Option<&Technology> {
        self.technologies.get(usize::from(number).checked_sub(1)?)
    }

    /// One term by id.
    pub fn term(&self, id: &str) -> Option<&Term> {
        self.terms.iter().find(|t| t.id == id)
    }

    /// The technologies of a group, in order.
    pub fn in_group(&self, group: Group) -> impl Iterator<Item = &Technology> {
        self.technologies.iter().filter(move |t| t.group == group)
    }

    /// The catalogue items a capability implements.
    pub fn implemented_by(&self, capability: &str) -> Vec<&Technology> {
        self.technologies.iter().filter(|t| t.capabilities.iter().any(|c| c == capability)).collect()
    }

    /// Capability ids named anywhere in the catalogue that the platform does not know.
    pub fn unknown_capabilities(&self) -> Vec<String> {
        let known: BTreeSet<&str> = CAPABILITIES.iter().map(|c| c.id).collect();
        let named: BTreeSet<&str> =
            self.technologies.iter().flat_map(|t| t.capabilities.iter().map(String::as_str)).collect();
        named.difference(&known).map(|s| s.to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        match Catalogue::embedded() {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn the_catalogue_holds_all_71_technologies_and_46_terms() {
        let c = catalogue();
        assert_eq!(c.technologies.len(), 71);
        assert_eq!(c.terms.len(), 46);
        assert!(c
            .technologies
            .iter()
            .all(|t| !t.summary.is_empty() && !t.name.is_empty() && !t.status_note.is_empty()));
        assert!(c.terms.iter().all(|t| !t.definition.is_empty()));
        let ids: BTreeSet<&str> = c.terms.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids.len(), 46, "term ids are unique");
    }

    #[test]
    fn every_group_of_the_source_has_items() {
        let c = catalogue();
        for &g in Group::ALL {
            assert!(c.in_group(g).next().is_some(), "group {} is empty", g.code());
        }
    }

    #[test]
    fn every_capability_link_is_a_known_capability() {
        assert_eq!(catalogue().unknown_capabilities(), Vec::<String>::new());
    }

    #[test]
    fn instruments_and_table_1_are_present() {
        let c = catalogue();
        assert!(c.instruments.len() >= 13);
        assert!(c.table1.iter().any(|e| e.part == "automation"));
        assert!(c.table1.iter().any(|e| e.part == "digitalization"));
    }

    #[test]
    fn a_technology_naming_an_unknown_term_is_refused() {
        let tech = r#"[{"number":1,"name":"X","group":"automation","summary":"s","for_traders":"t","for_officers":"o",
            "needs":"n","terms":["No such term"],"capabilities":[],"status":"planned","status_note":"n"}]"#;
        let terms = r#"[{"number":1,"term":"Big Data","definition":"d"}]"#;
        let err = Catalogue::parse(tech, terms, "[]", "[]").err();
        assert!(err.is_some_and(|e| e.0.iter().any(|p| p.contains("No such term"))));
    }

    #[test]
    fn an_item_claiming_more_than_its_capabilities_is_refused() {
        let item = |status: &str, caps: &str| {
            format!(
                r#"[{{"number":1,"name":"X","group":"automation","summary":"s","for_traders":"t","for_officers":"o",
                "needs":"n","terms":[],"capabilities":[{caps}],"status":"{status}","status_note":"n"}}]"#
            )
        };
        let refused = |status: &str, caps: &str| Catalogue::parse(&item(status, caps), "[]", "[]", "[]").is_err();
        // D1 (transit) is planned, A4 implemented, A2 partial.
        assert!(refused("implemented", r#""D1""#));
        assert!(refused("implemented", r#""A4","A2""#));
        assert!(refused("implemented", ""));
        assert!(refused("partial", r#""D1""#));
        assert!(refused("planned", r#""A4""#));
        assert!(refused("planned", r#""Z9""#));
        assert!(!refused("implemented", r#""A4""#));
        assert!(!refused("partial", r#""A2","D1""#));
        assert!(!refused("out_of_scope", ""));
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_hyphens() {
        assert_eq!(slug("Automated system for checking customs value"), "automated-system-for-checking-customs-value");
        assert_eq!(slug("  Internet of Things (IoT) "), "internet-of-things-iot");
    }
}
