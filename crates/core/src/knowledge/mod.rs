//! The knowledge base of Digital (Smart) Customs: the catalogue of the 71 advanced customs
//! technologies with the capability of this platform that implements each, the glossary, the
//! legal instruments, the maturity self-assessment and the WCO Smart Customs survey form.
//!
//! The reference content lives in `data/knowledge/*.json` and is compiled into the binary;
//! [`Catalogue::embedded`] parses it and checks every cross-reference.

mod capability;
mod catalogue;
mod maturity;
mod options;
mod survey;

pub use capability::{find as capability, Capability, CapabilityUse, CAPABILITIES};
pub use catalogue::{
    slug, Catalogue, Group, Instrument, KnowledgeError, Section, Status, Table1Element, Technology, Term,
};
pub use maturity::{
    platform_answers, Adoption, AssessmentDraft, Gap, GroupScore, MaturityAnswer, MaturityError, MaturityReport,
    PlatformUsage, Target,
};
pub use options::{Benefit, PerformanceImprovement, StakeholderGroup, SurveyStatus, SurveyTechnology, UseCase};
pub use survey::{
    Attachment, Question, SurveyAnswer, SurveyDraft, SurveyFinding, SurveyView, MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES,
};
