//! Storage of the knowledge base: survey answers with their files, maturity assessments, and
//! the activity counts behind the platform's own maturity profile. The SQL is the same on both
//! backends and is expanded into each by [`knowledge_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// A file attached to a new survey answer.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// File name as sent.
    pub name: String,
    /// Media type as sent.
    pub content_type: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// A survey answer to keep.
#[derive(Debug, Clone)]
pub struct NewSurveyAnswer {
    /// Who submitted it (the principal's name: a member organisation).
    pub submitter: String,
    /// When.
    pub submitted_at_us: Timestamp,
    /// The validated answer, JSON.
    pub answer: String,
    /// Up to three files.
    pub attachments: Vec<NewAttachment>,
}

/// A stored attachment, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct AttachmentMeta {
    /// Position, 1 to 3.
    pub n: i64,
    /// File name.
    pub name: String,
    /// Media type.
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

/// An attachment as stored: the answer it belongs to, its description and, where read, its bytes.
#[derive(sqlx::FromRow)]
pub(crate) struct StoredAttachment {
    pub answer_id: i64,
    #[sqlx(flatten)]
    pub meta: AttachmentMeta,
    #[sqlx(default)]
    pub bytes: Vec<u8>,
}

/// A stored survey answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SurveyRecord {
    /// Id.
    pub id: i64,
    /// Who submitted it.
    pub submitter: String,
    /// When.
    #[sqlx(try_from = "i64")]
    pub submitted_at_us: Timestamp,
    /// The answer, JSON.
    pub answer: String,
    /// Its files (read separately).
    #[sqlx(skip)]
    pub attachments: Vec<AttachmentMeta>,
}

/// A stored maturity assessment.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssessmentRecord {
    /// Id.
    pub id: i64,
    /// The administration assessed.
    pub administration: String,
    /// Who submitted it.
    pub author: String,
    /// When.
    #[sqlx(try_from = "i64")]
    pub at_us: Timestamp,
    /// The administration's answers, JSON.
    pub assessment: String,
}

/// The knowledge base's part of the storage interface.
#[async_trait]
pub trait KnowledgeQueries {
    /// Keeps a survey answer and its files in one transaction; returns its id.
    async fn add_survey_answer(&self, answer: &NewSurveyAnswer) -> StoreResult<i64>;

    /// Every survey answer, oldest first, with its files' descriptions.
    async fn survey_answers(&self) -> StoreResult<Vec<SurveyRecord>>;

    /// One survey answer.
    async fn survey_answer(&self, id: i64) -> StoreResult<Option<SurveyRecord>>;

    /// One attached file with its bytes.
    async fn survey_attachment(&self, answer_id: i64, n: i64) -> StoreResult<Option<(AttachmentMeta, Vec<u8>)>>;

    /// Keeps a maturity assessment (its answers, JSON); returns its id.
    async fn add_maturity_assessment(
        &self,
        administration: &str,
        author: &str,
        assessment: &str,
        at_us: Timestamp,
    ) -> StoreResult<i64>;

    /// Every maturity assessment, newest first.
    async fn maturity_assessments(&self) -> StoreResult<Vec<AssessmentRecord>>;

    /// One maturity assessment.
    async fn maturity_assessment(&self, id: i64) -> StoreResult<Option<AssessmentRecord>>;

    /// Counts of what happened since `from_us`: audit entries by action (`submitted`,
    /// `registered`, `lane_assigned`, `released`, …) and `postings`, `outcomes`, `models`,
    /// `survey_answers`, `assessments`.
    async fn activity_since(&self, from_us: Timestamp) -> StoreResult<Vec<(String, i64)>>;
}

/// Implements [`KnowledgeQueries`] for a backend.
/// Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`, `Row`.
macro_rules! knowledge_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::knowledge::KnowledgeQueries for $store {
            async fn add_survey_answer(&self, a: &crate::knowledge::NewSurveyAnswer) -> StoreResult<i64> {
                let mut tx = self.begin_write().await?;
                let id: i64 = sqlx::query_scalar(&sql(
                    "INSERT INTO survey_answers (submitter, submitted_at_us, answer) VALUES ($1, $2, $3) RETURNING id",
                ))
                .bind(&a.submitter)
                .bind(a.submitted_at_us.as_micros())
                .bind(&a.answer)
                .fetch_one(&mut *tx)
                .await?;
                for (i, f) in a.attachments.iter().enumerate() {
                    sqlx::query(&sql(
                        "INSERT INTO survey_attachments (answer_id, n, name, content_type, size, sha256, bytes) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    ))
                    .bind(id)
                    .bind(i as i64 + 1)
                    .bind(&f.name)
                    .bind(&f.content_type)
                    .bind(f.bytes.len() as i64)
                    .bind(&f.sha256)
                    .bind(&f.bytes)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn survey_answers(&self) -> StoreResult<Vec<crate::knowledge::SurveyRecord>> {
                let mut answers: Vec<crate::knowledge::SurveyRecord> =
                    sqlx::query_as("SELECT id, submitter, submitted_at_us, answer FROM survey_answers ORDER BY id")
                        .fetch_all(&self.pool)
                        .await?;
                let files: Vec<crate::knowledge::StoredAttachment> = sqlx::query_as(
                    "SELECT answer_id, n, name, content_type, size, sha256 FROM survey_attachments ORDER BY answer_id, n",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut by_answer: std::collections::HashMap<i64, Vec<crate::knowledge::AttachmentMeta>> =
                    std::collections::HashMap::new();
                for f in files {
                    by_answer.entry(f.answer_id).or_default().push(f.meta);
                }
                for answer in &mut answers {
                    answer.attachments = by_answer.remove(&answer.id).unwrap_or_default();
                }
                Ok(answers)
            }

            async fn survey_answer(&self, id: i64) -> StoreResult<Option<crate::knowledge::SurveyRecord>> {
                let answer: Option<crate::knowledge::SurveyRecord> =
                    sqlx::query_as(&sql("SELECT id, submitter, submitted_at_us, answer FROM survey_answers WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                let Some(mut answer) = answer else { return Ok(None) };
                answer.attachments = sqlx::query_as(&sql(
                    "SELECT n, name, content_type, size, sha256 FROM survey_attachments WHERE answer_id = $1 ORDER BY n",
                ))
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
                Ok(Some(answer))
            }

            async fn survey_attachment(
                &self,
                answer_id: i64,
                n: i64,
            ) -> StoreResult<Option<(crate::knowledge::AttachmentMeta, Vec<u8>)>> {
                let file: Option<crate::knowledge::StoredAttachment> = sqlx::query_as(&sql(
                    "SELECT answer_id, n, name, content_type, size, sha256, bytes FROM survey_attachments \
                     WHERE answer_id = $1 AND n = $2",
                ))
                .bind(answer_id)
                .bind(n)
                .fetch_optional(&self.pool)
                .await?;
                Ok(file.map(|f| (f.meta, f.bytes)))
            }

            async fn add_maturity_assessment(
                &self,
                administration: &str,
                author: &str,
                assessment: &str,
                at_us: Timestamp,
            ) -> StoreResult<i64> {
                Ok(sqlx::query_scalar(&sql(
                    "INSERT INTO maturity_assessments (administration, author, at_us, assessment) \
                     VALUES ($1, $2, $3, $4) RETURNING id",
                ))
                .bind(administration)
                .bind(author)
                .bind(at_us.as_micros())
                .bind(assessment)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn maturity_assessments(&self) -> StoreResult<Vec<crate::knowledge::AssessmentRecord>> {
                Ok(sqlx::query_as(
                    "SELECT id, administration, author, at_us, assessment FROM maturity_assessments ORDER BY id DESC",
                )
                .fetch_all(&self.pool)
                .await?)
            }

            async fn maturity_assessment(&self, id: i64) -> StoreResult<Option<crate::knowledge::AssessmentRecord>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT id, administration, author, at_us, assessment FROM maturity_assessments WHERE id = $1",
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn activity_since(&self, from_us: Timestamp) -> StoreResult<Vec<(String, i64)>> {
                let mut counts: Vec<(String, i64)> = sqlx::query_as(&sql(
                    "SELECT action, COUNT(*) AS n FROM audit_log WHERE at_us >= $1 GROUP BY action ORDER BY action",
                ))
                .bind(from_us.as_micros())
                .fetch_all(&self.pool)
                .await?;
                for (name, table, column) in [
                    ("postings", "ledger_postings", "at_us"),
                    ("outcomes", "inspection_outcomes", "at_us"),
                    ("models", "risk_models", "trained_at_us"),
                    ("survey_answers", "survey_answers", "submitted_at_us"),
                    ("assessments", "maturity_assessments", "at_us"),
                ] {
                    let n: i64 = sqlx::query_scalar(&sql(&format!("SELECT COUNT(*) FROM {table} WHERE {column} >= $1")))
                        .bind(from_us.as_micros())
                        .fetch_one(&self.pool)
                        .await?;
                    counts.push((name.to_string(), n));
                }
                Ok(counts)
            }
        }

    };
}

pub(crate) use knowledge_queries;
