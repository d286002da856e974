//! Training and evaluation: fit the trees on one period, score the next, and measure what an
//! administration cares about — of the riskiest n % it would control, how many were irregular
//! (precision) and how many of all irregular ones it would catch (recall).

use std::time::Instant;

use forust_ml::objective::ObjectiveType;
use forust_ml::{GradientBooster, Matrix};
use serde::Serialize;

use crate::features::Encoder;
use crate::kcs::{self, KcsRow};

/// Settings of the tree ensemble.
#[derive(Debug, Clone, Copy)]
pub struct TrainingSettings {
    /// Number of trees.
    pub iterations: usize,
    /// Learning rate.
    pub learning_rate: f32,
    /// Depth of each tree.
    pub max_depth: usize,
    /// Histogram bins per feature.
    pub nbins: u16,
}

impl Default for TrainingSettings {
    fn default() -> Self {
        TrainingSettings { iterations: 150, learning_rate: 0.1, max_depth: 5, nbins: 256 }
    }
}

/// Precision and recall at the riskiest n %, and AUC.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Share of irregular items among the riskiest 5 %.
    pub precision_at_5: f64,
    /// Share of irregular items among the riskiest 10 %.
    pub precision_at_10: f64,
    /// Share of all irregular items found in the riskiest 5 %.
    pub recall_at_5: f64,
    /// Share of all irregular items found in the riskiest 10 %.
    pub recall_at_10: f64,
    /// Area under the ROC curve.
    pub auc: f64,
    /// Precision at 1 … 20 %.
    pub precision_curve: Vec<f64>,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Rows trained on.
    pub train_rows: usize,
    /// Rows scored.
    pub test_rows: usize,
    /// Measures on the scored rows.
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Seconds to encode and train.
    pub train_seconds: f64,
    /// Items scored per second (features and trees).
    pub score_rows_per_second: f64,
}

/// Error of training.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The tree library refused the data.
    #[error("training failed: {0}")]
    Training(String),
    /// Nothing to train or score.
    #[error("no rows to {0}")]
    Empty(&'static str),
}

/// Trains on `train` and scores `test`.
pub fn evaluate(train: &[KcsRow], test: &[KcsRow], settings: TrainingSettings) -> Result<Evaluation, ModelError> {
    if train.is_empty() {
        return Err(ModelError::Empty("train on"));
    }
    if test.is_empty() {
        return Err(ModelError::Empty("score"));
    }
    let started = Instant::now();
    let encoder = Encoder::fit(kcs::schema(), train);
    let (x, y) = encoder.training_matrix(train);
    let matrix = Matrix::new(&x, train.len(), encoder.width());
    let mut booster = GradientBooster::default()
        .set_objective_type(ObjectiveType::LogLoss)
        .set_iterations(settings.iterations)
        .set_learning_rate(settings.learning_rate)
        .set_max_depth(settings.max_depth)
        .set_nbins(settings.nbins);
    booster.fit_unweighted(&matrix, &y, None).map_err(|e| ModelError::Training(e.to_string()))?;
    let train_seconds = started.elapsed().as_secs_f64();

    let scoring = Instant::now();
    let tx = encoder.matrix(test);
    let scores = booster.predict(&Matrix::new(&tx, test.len(), encoder.width()), true);
    let score_seconds = scoring.elapsed().as_secs_f64();
    let labels: Vec<bool> = test.iter().map(|r| r.irregular).collect();
    Ok(Evaluation {
        train_rows: train.len(),
        test_rows: test.len(),
        metrics: metrics(&scores, &labels),
        train_seconds: round(train_seconds, 3),
        score_rows_per_second: round(test.len() as f64 / score_seconds.max(1e-9), 0),
    })
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// Precision and recall at the riskiest n % and AUC of scores against labels.
pub fn metrics(scores: &[f64], labels: &[bool]) -> Metrics {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let positives = labels.iter().filter(|l| **l).count().max(1) as f64;
    let found_in_top = |percent: usize| {
        let n = (scores.len() * percent).div_ceil(100).max(1);
        (order.iter().take(n).filter(|&&i| labels[i]).count() as f64, n as f64)
    };
    let precision = |p: usize| {
        let (hits, n) = found_in_top(p);
        round(hits / n, 4)
    };
    let recall = |p: usize| round(found_in_top(p).0 / positives, 4);
    Metrics {
        precision_at_5: precision(5),
        precision_at_10: precision(10),
        recall_at_5: recall(5),
        recall_at_10: recall(10),
        auc: round(auc(scores, labels), 4),
        precision_curve: (1..=20).map(precision).collect(),
    }
}

/// AUC by ranks (ties share their average rank).
fn auc(scores: &[f64], labels: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut ranks = vec![0.0; scores.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    let positives = labels.iter().filter(|l| **l).count() as f64;
    let negatives = labels.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.5;
    }
    let rank_sum: f64 = ranks.iter().zip(labels).filter(|(_, l)| **l).map(|(r, _)| r).sum();
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_ranking_has_precision_one_and_auc_one() {
        let scores: Vec<f64> = (0..100).map(f64::from).collect();
        let labels: Vec<bool> = (0..100).map(|i| i >= 90).collect();
        let m = metrics(&scores, &labels);
        assert_eq!((m.precision_at_5, m.precision_at_10, m.recall_at_10, m.auc), (1.0, 1.0, 1.0, 1.0));
        assert_eq!(m.recall_at_5, 0.5);
        let reversed: Vec<f64> = scores.iter().map(|s| -s).collect();
        assert_eq!(metrics(&reversed, &labels).auc, 0.0);
    }

    #[test]
    fn ties_count_half() {
        assert_eq!(auc(&[1.0, 1.0], &[true, false]), 0.5);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod data_set {
    use super::*;

    /// On the public data set (when present beside the checkout) the model finds irregular
    /// items far better than chance; the benchmark command reports the exact figures.
    #[test]
    fn the_model_learns_the_public_data_set() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/customs-declarations");
        let (Ok(train), Ok(valid)) =
            (std::fs::read_to_string(format!("{dir}/train.csv")), std::fs::read_to_string(format!("{dir}/valid.csv")))
        else {
            eprintln!("skipped: the KCS data set is not at {dir}");
            return;
        };
        let (train, valid) = (crate::kcs::parse(&train).unwrap(), crate::kcs::parse(&valid).unwrap());
        let base = valid.iter().filter(|r| r.irregular).count() as f64 / valid.len() as f64;
        let settings = TrainingSettings { iterations: 50, ..TrainingSettings::default() };
        let result = evaluate(&train, &valid, settings).unwrap();
        assert!(result.metrics.precision_at_5 > 3.0 * base, "{result:?} against a base rate of {base}");
        assert!(result.metrics.auc > 0.8, "{result:?}");
    }
}
