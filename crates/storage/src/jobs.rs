//! Storage of scheduled work: one lease row per job, claimed by a conditional update so that
//! exactly one server process of a deployment runs a job per period, and the history of runs.
//! The SQL is the same on both backends and is expanded into each by [`jobs_queries`].

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use smartcustoms_core::timestamp::Timestamp;

use crate::StoreResult;

/// How a process asks for a job.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    /// The job.
    pub name: &'a str,
    /// The process asking (a random id per process).
    pub holder: &'a str,
    /// Now.
    pub now_us: Timestamp,
    /// How long the claim holds if the process never reports back.
    pub lease_us: i64,
    /// Least time between two starts of the job (0: as often as it is claimed).
    pub every_us: i64,
}

/// One run of a job.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct JobRun {
    /// The job.
    pub name: String,
    /// The process that ran it.
    pub holder: String,
    /// When it started.
    #[sqlx(try_from = "i64")]
    pub started_at_us: Timestamp,
    /// When it finished.
    #[sqlx(try_from = "i64")]
    pub finished_at_us: Timestamp,
    /// What it did or why it failed.
    pub outcome: String,
}

/// Storage of job leases and runs.
#[async_trait]
pub trait JobStore {
    /// Claims a job: true when this process is to run it now (the job is due, and no other
    /// process holds an unexpired lease on it). A holder renews its own lease.
    async fn claim_job(&self, claim: Claim<'_>) -> StoreResult<bool>;

    /// Records a run and gives the lease up.
    async fn finish_job(&self, run: &JobRun) -> StoreResult<()>;

    /// The runs of a job, oldest first.
    async fn job_runs(&self, name: &str) -> StoreResult<Vec<JobRun>>;
}

/// Implements [`JobStore`] for a backend.
/// Needs in scope: `self.pool`, `self.begin_write()`, `sql(&str) -> Cow<str>`.
macro_rules! jobs_queries {
    ($store:ty) => {
        #[async_trait]
        impl crate::jobs::JobStore for $store {
            async fn claim_job(&self, c: crate::jobs::Claim<'_>) -> StoreResult<bool> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO job_leases (name, holder, lease_until_us, last_started_us) VALUES ($1, '', 0, 0) \
                     ON CONFLICT (name) DO NOTHING",
                ))
                .bind(c.name)
                .execute(&mut *tx)
                .await?;
                let claimed = sqlx::query(&sql(
                    "UPDATE job_leases SET holder = $2, lease_until_us = $3 + $4, last_started_us = $3 \
                     WHERE name = $1 AND (lease_until_us <= $3 OR holder = $2) AND last_started_us <= $3 - $5",
                ))
                .bind(c.name)
                .bind(c.holder)
                .bind(c.now_us.as_micros())
                .bind(c.lease_us)
                .bind(c.every_us)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok(claimed == 1)
            }

            async fn finish_job(&self, run: &crate::jobs::JobRun) -> StoreResult<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(&sql(
                    "INSERT INTO job_runs (name, holder, started_at_us, finished_at_us, outcome) VALUES ($1, $2, $3, $4, $5)",
                ))
                .bind(&run.name)
                .bind(&run.holder)
                .bind(run.started_at_us.as_micros())
                .bind(run.finished_at_us.as_micros())
                .bind(&run.outcome)
                .execute(&mut *tx)
                .await?;
                sqlx::query(&sql("UPDATE job_leases SET lease_until_us = 0 WHERE name = $1 AND holder = $2"))
                    .bind(&run.name)
                    .bind(&run.holder)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn job_runs(&self, name: &str) -> StoreResult<Vec<crate::jobs::JobRun>> {
                Ok(sqlx::query_as(&sql(
                    "SELECT name, holder, started_at_us, finished_at_us, outcome FROM job_runs \
                     WHERE name = $1 ORDER BY started_at_us, id",
                ))
                .bind(name)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

pub(crate) use jobs_queries;
