//! Training and evaluation: fit the trees on one period, score the next, and measure what an
//! administration cares about — of the riskiest n % it would control, how many were irregular
//! (precision) and how many of all irregular ones it would catch (recall).

use std::time::Instant;

use forust_ml::objective::ObjectiveType;
use forust_ml::{GradientBooster, Matrix};
use rayon::prelude::*;
use serde::Serialize;

use crate::features::{Encoder, Row, Schema};

/// Settings of the tree ensemble.
#[derive(Debug, Clone, Copy)]
pub struct TrainingSettings {
    /// Number of trees, at most.
    pub iterations: usize,
    /// Learning rate.
    pub learning_rate: f32,
    /// Depth of each tree.
    pub max_depth: usize,
    /// Histogram bins per feature.
    pub nbins: u16,
    /// With validation rows: training stops once this many trees in a row have not lowered the
    /// log loss on them, and scoring uses the trees up to the best one.
    pub early_stopping_rounds: usize,
}

impl Default for TrainingSettings {
    fn default() -> Self {
        TrainingSettings { iterations: 150, learning_rate: 0.1, max_depth: 5, nbins: 256, early_stopping_rounds: 20 }
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
    /// Rows that decided when to stop adding trees, if any were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_rows: Option<usize>,
    /// Rows scored.
    pub test_rows: usize,
    /// Share of irregular items among the scored rows: the precision of a random selection.
    pub base_rate: f64,
    /// Measures on the scored rows.
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Trees used to score (fewer than the settings allow when training stopped early).
    pub trees: usize,
    /// Seconds to encode and train.
    pub train_seconds: f64,
    /// Items scored per second (features and trees): the median of five timed passes over the
    /// test file after a first one.
    pub score_rows_per_second: f64,
}

/// Why a model could not be trained or measured on a labelled data set (`risk evaluate`).
#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    /// The tree library refused the data.
    #[error("training failed: {0}")]
    Training(String),
    /// Nothing to train or score.
    #[error("no rows to {0}")]
    Empty(&'static str),
    /// The labels are all of one class: there is nothing to learn from, or to measure against.
    #[error("the {rows} rows have no {missing} item: training and measuring need both regular and irregular items")]
    SingleClass {
        /// Which rows: `training` or `test`.
        rows: &'static str,
        /// The class that does not occur: `regular` or `irregular`.
        missing: &'static str,
    },
}

/// A trained model: the encoder of the training period and its trees.
pub struct Trained {
    encoder: Encoder,
    booster: GradientBooster,
    /// The scoring trees laid out for speed, when their shape allows it.
    forest: Option<Forest>,
}

impl Trained {
    /// Learns the encoder and the trees from `train`. Validation rows, if any, are encoded like
    /// scored rows (their history is the training period's) and only decide when to stop
    /// adding trees.
    pub fn fit<R: Row>(
        schema: Schema,
        train: &[R],
        valid: Option<&[R]>,
        settings: TrainingSettings,
    ) -> Result<Trained, EvaluationError> {
        if train.is_empty() {
            return Err(EvaluationError::Empty("train on"));
        }
        both_classes(train, "training")?;
        let encoder = Encoder::fit(schema, train);
        let (x, y) = encoder.training_matrix(train);
        let matrix = Matrix::new(&x, train.len(), encoder.width());
        let mut booster = GradientBooster::default()
            .set_objective_type(ObjectiveType::LogLoss)
            .set_iterations(settings.iterations)
            .set_learning_rate(settings.learning_rate)
            .set_max_depth(settings.max_depth)
            .set_nbins(settings.nbins);
        let weights = vec![1.0; train.len()];
        let fitted = match valid.filter(|v| !v.is_empty()) {
            None => booster.fit(&matrix, &y, &weights, None),
            Some(valid) => {
                booster = booster.set_early_stopping_rounds(Some(settings.early_stopping_rounds));
                let vx = encoder.matrix(valid);
                let vy = labels(valid);
                let vw = vec![1.0; valid.len()];
                let evaluation = vec![(Matrix::new(&vx, valid.len(), encoder.width()), vy.as_slice(), vw.as_slice())];
                booster.fit(&matrix, &y, &weights, Some(evaluation))
            }
        };
        fitted.map_err(|e| EvaluationError::Training(e.to_string()))?;
        let mut model = Trained { encoder, booster, forest: None };
        model.forest = Forest::new(model.trees(), model.booster.missing, model.encoder.width());
        Ok(model)
    }

    /// The encoder of the training period.
    pub fn encoder(&self) -> &Encoder {
        &self.encoder
    }

    /// The tree ensemble.
    pub fn booster(&self) -> &GradientBooster {
        &self.booster
    }

    /// The trees that score: up to the best one when training stopped early.
    fn trees(&self) -> &[forust_ml::tree::Tree] {
        let used = self.booster.prediction_iteration.unwrap_or(self.booster.trees.len());
        &self.booster.trees[..used.min(self.booster.trees.len())]
    }

    /// Risk scores (log-odds of an irregularity) of rows after the training period, the same
    /// to the bit as `GradientBooster::predict` on [`Encoder::matrix`] of the rows: each tree's
    /// leaf is added in `GradientBooster::predict`'s order. Rows are encoded one by one into a
    /// reused buffer, on all cores; no feature matrix of all the rows is built.
    pub fn score<R: Row + Sync>(&self, rows: &[R]) -> Vec<f64> {
        let base = self.booster.base_score;
        let Some(forest) = &self.forest else {
            let (trees, missing) = (self.trees(), self.booster.missing);
            return rows
                .par_iter()
                .with_min_len(BLOCK)
                .map_init(
                    || Vec::with_capacity(self.encoder.width()),
                    |values, r| {
                        self.encoder.row_into(r, values);
                        trees.iter().fold(base, |s, t| s + t.predict_row_from_row_slice(values, &missing))
                    },
                )
                .collect();
        };
        let mut scores = vec![0.0; rows.len()];
        scores.par_chunks_mut(BLOCK).zip(rows.par_chunks(BLOCK)).for_each_init(
            || ([[f64::NAN; STRIDE]; BLOCK], Vec::with_capacity(HALF)),
            |(block, values), (out, rows)| {
                for (laid_out, r) in block.iter_mut().zip(rows) {
                    self.encoder.row_into(r, values);
                    Forest::lay_out(values, laid_out);
                }
                forest.score_block(block, base, out);
            },
        );
        scores
    }
}

/// Rows scored together: their features stay in the first-level cache while they go down the
/// trees.
const BLOCK: usize = 32;
/// Rows that go down a tree together (measured here: 16 scores faster than 8 or 32).
const GROUP: usize = 16;
/// Features a laid-out row holds. A wider schema is scored by walking forust's trees.
const HALF: usize = 32;
/// Numbers in a laid-out row: each feature twice, see [`Forest::lay_out`].
const STRIDE: usize = 2 * HALF;
/// Levels a laid-out tree holds. Deeper trees are walked as forust lays them out.
const FOREST_MAX_DEPTH: usize = 6;
/// Slots of a laid-out tree: its splits (`2^depth - 1`), or its leaves (`2^depth`).
const SLOTS: usize = 1 << FOREST_MAX_DEPTH;

/// forust's trees laid out for scoring. Each tree becomes a complete binary tree of the
/// ensemble's depth, stored breadth first (the children of slot `i` are `2i + 1` and `2i + 2`),
/// so a row goes down by index arithmetic: there is no branch to mispredict, and the walks of
/// the rows of a block are independent work the processor overlaps. A leaf above the full depth
/// fills every leaf slot below it with its weight. Where a split sends missing values is folded
/// into which copy of the feature it reads ([`Forest::lay_out`]), so a step is one comparison.
/// Built only when missing values are NaN and every split sends them left or right (forust's
/// default); otherwise the trees are walked as they are. Fixed sizes (`SLOTS`, `STRIDE`) let
/// indices be masked instead of bounds-checked.
struct Forest {
    depth: usize,
    trees: Vec<LaidOut>,
}

/// One tree of a [`Forest`].
struct LaidOut {
    splits: [Split; SLOTS],
    leaves: [f64; SLOTS],
}

/// Rows with `row[feature] >= threshold` go right, the others left.
#[derive(Debug, Clone, Copy)]
struct Split {
    threshold: f64,
    /// Index in a laid-out row: the feature, or `HALF +` the feature for a split that sends
    /// missing values right.
    feature: u32,
}

/// A split under a leaf above the full depth: both ways lead to the same weight.
const NO_SPLIT: Split = Split { threshold: f64::INFINITY, feature: 0 };

impl Forest {
    fn new(trees: &[forust_ml::tree::Tree], missing: f64, width: usize) -> Option<Forest> {
        if !missing.is_nan() || width > HALF {
            return None;
        }
        let mut depth = 0;
        for t in trees {
            depth = depth.max(Self::depth_of(t, 0, 0, width)?);
        }
        let mut forest = Forest { depth, trees: Vec::with_capacity(trees.len()) };
        for t in trees {
            let mut laid_out = LaidOut { splits: [NO_SPLIT; SLOTS], leaves: [0.0; SLOTS] };
            forest.place(&mut laid_out, t, 0, 0, 0);
            forest.trees.push(laid_out);
        }
        Some(forest)
    }

    /// Depth of the subtree at `node`, if it can be laid out.
    fn depth_of(t: &forust_ml::tree::Tree, node: usize, level: usize, width: usize) -> Option<usize> {
        let n = t.nodes.get(node)?;
        if n.is_leaf {
            return Some(0);
        }
        let sides = n.missing_node == n.left_child || n.missing_node == n.right_child;
        let threshold = n.split_value > f64::NEG_INFINITY; // false for NaN too
        if level >= FOREST_MAX_DEPTH || !sides || n.split_feature >= width || !threshold {
            return None;
        }
        let left = Self::depth_of(t, n.left_child, level + 1, width)?;
        Some(1 + left.max(Self::depth_of(t, n.right_child, level + 1, width)?))
    }

    /// Lays out the subtree at `node` from `slot` on.
    fn place(&self, out: &mut LaidOut, t: &forust_ml::tree::Tree, node: usize, slot: usize, level: usize) {
        let n = &t.nodes[node];
        if level == self.depth {
            out.leaves[slot + 1 - (1 << self.depth)] = f64::from(n.weight_value);
            return;
        }
        let (left, right) = if n.is_leaf {
            // Both ways lead to this leaf's weight.
            (node, node)
        } else {
            let missing_right = n.missing_node == n.right_child;
            out.splits[slot] = Split {
                threshold: n.split_value,
                feature: (n.split_feature + if missing_right { HALF } else { 0 }) as u32,
            };
            (n.left_child, n.right_child)
        };
        self.place(out, t, left, 2 * slot + 1, level + 1);
        self.place(out, t, right, 2 * slot + 2, level + 1);
    }

    /// Writes the features of a row twice: missing values as -∞ in the first half, which sends
    /// them left of every threshold, and as +∞ in the second, which sends them right. Other
    /// values are copied as they are, so forust's rule (left when `x < threshold`, missing
    /// values to their side) becomes one comparison on the copy the split reads.
    fn lay_out(values: &[f64], out: &mut [f64; STRIDE]) {
        let (left, right) = out.split_at_mut(HALF);
        for ((l, r), x) in left.iter_mut().zip(right).zip(values) {
            (*l, *r) = if x.is_nan() { (f64::NEG_INFINITY, f64::INFINITY) } else { (*x, *x) };
        }
    }

    /// For the first `out.len()` rows of `block`: `base` plus the leaf each tree gives the row,
    /// in tree order, into `out`.
    fn score_block(&self, block: &[[f64; STRIDE]; BLOCK], base: f64, out: &mut [f64]) {
        // A depth known at compile time unrolls the walk down a tree into straight code.
        match self.depth {
            0 => self.walk::<0>(block, base, out),
            1 => self.walk::<1>(block, base, out),
            2 => self.walk::<2>(block, base, out),
            3 => self.walk::<3>(block, base, out),
            4 => self.walk::<4>(block, base, out),
            5 => self.walk::<5>(block, base, out),
            _ => self.walk::<FOREST_MAX_DEPTH>(block, base, out),
        }
    }

    /// [`Forest::score_block`] for trees of `DEPTH` levels. Rows go down a tree [`GROUP`] at a
    /// time, level by level: a step of one row's walk waits for the one before it (two loads
    /// and a comparison), but the walks of the rows of a group are independent, so the
    /// processor runs them side by side. Rows past `out.len()` (left from an earlier block)
    /// are walked but not kept.
    fn walk<const DEPTH: usize>(&self, block: &[[f64; STRIDE]; BLOCK], base: f64, out: &mut [f64]) {
        let internal = (1 << DEPTH) - 1;
        let groups = out.len().div_ceil(GROUP);
        let mut sums = [base; BLOCK];
        for tree in &self.trees {
            for (rows, sums) in block.chunks_exact(GROUP).zip(sums.chunks_exact_mut(GROUP)).take(groups) {
                let mut at = [0usize; GROUP];
                for _ in 0..DEPTH {
                    for (i, row) in at.iter_mut().zip(rows) {
                        // The masks change nothing (i < 2^depth - 1, feature < STRIDE); they
                        // only show the compiler that no bounds check is needed.
                        let s = tree.splits[*i & (SLOTS - 1)];
                        let right = row[s.feature as usize & (STRIDE - 1)] >= s.threshold;
                        *i = 2 * *i + 1 + usize::from(right);
                    }
                }
                for (sum, i) in sums.iter_mut().zip(at) {
                    *sum += tree.leaves[(i - internal) & (SLOTS - 1)];
                }
            }
        }
        out.copy_from_slice(&sums[..out.len()]);
    }
}

/// Labels as the trees read them.
fn labels<R: Row>(rows: &[R]) -> Vec<f64> {
    rows.iter().map(|r| if r.irregular() { 1.0 } else { 0.0 }).collect()
}

/// Fails unless both classes occur among `rows`.
fn both_classes<R: Row>(rows: &[R], which: &'static str) -> Result<(), EvaluationError> {
    match rows.iter().filter(|r| r.irregular()).count() {
        0 => Err(EvaluationError::SingleClass { rows: which, missing: "irregular" }),
        n if n == rows.len() => Err(EvaluationError::SingleClass { rows: which, missing: "regular" }),
        _ => Ok(()),
    }
}

/// Trains on `train` (stopping early on `valid`, if given) and scores `test`.
pub fn evaluate<R: Row + Sync>(
    schema: Schema,
    train: &[R],
    valid: Option<&[R]>,
    test: &[R],
    settings: TrainingSettings,
) -> Result<Evaluation, EvaluationError> {
    if train.is_empty() {
        return Err(EvaluationError::Empty("train on"));
    }
    if test.is_empty() {
        return Err(EvaluationError::Empty("score"));
    }
    both_classes(train, "training")?;
    both_classes(test, "test")?;
    let started = Instant::now();
    let model = Trained::fit(schema, train, valid, settings)?;
    let train_seconds = started.elapsed().as_secs_f64();

    // The first pass gives the scores (and wakes the worker threads); the speed is the median
    // of the passes after it, since one pass over a test file takes only milliseconds.
    let scores = model.score(test);
    let mut passes: Vec<f64> = (0..SCORING_PASSES)
        .map(|_| {
            let scoring = Instant::now();
            std::hint::black_box(model.score(test));
            scoring.elapsed().as_secs_f64()
        })
        .collect();
    passes.sort_by(f64::total_cmp);
    let score_seconds = passes[SCORING_PASSES / 2];
    let labels: Vec<bool> = test.iter().map(Row::irregular).collect();
    let irregular = labels.iter().filter(|l| **l).count();
    Ok(Evaluation {
        train_rows: train.len(),
        valid_rows: valid.map(<[R]>::len),
        test_rows: test.len(),
        base_rate: round(irregular as f64 / test.len() as f64, 4),
        metrics: metrics(&scores, &labels),
        trees: model.trees().len(),
        train_seconds: round(train_seconds, 3),
        score_rows_per_second: round(test.len() as f64 / score_seconds.max(1e-9), 0),
    })
}

/// Timed scoring passes over the test file; the median gives the speed.
const SCORING_PASSES: usize = 5;

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
mod tests {
    use std::borrow::Cow;

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

    /// A row of one number, one code and one party.
    struct Item {
        day: i64,
        x: f64,
        party: String,
        irregular: bool,
    }

    impl Row for Item {
        fn day(&self) -> i64 {
            self.day
        }
        fn numbers(&self, out: &mut Vec<f64>) {
            out.push(self.x);
        }
        fn code(&self, _: usize) -> Cow<'_, str> {
            Cow::Borrowed(&self.party)
        }
        fn history_key(&self, _: usize) -> Cow<'_, str> {
            Cow::Borrowed(&self.party)
        }
        fn irregular(&self) -> bool {
            self.irregular
        }
    }

    /// Noisy items: a large `x` and some parties make an irregularity likelier.
    fn items(n: usize, first_day: i64) -> Vec<Item> {
        (0..n)
            .map(|i| {
                let x = ((i * 7919) % 1000) as f64 / 10.0;
                let party = format!("P{}", (i * 31) % 17);
                let noise = (i * 104_729) % 100;
                let irregular = (x > 70.0 && noise < 80) || ((i * 31) % 17 < 3 && noise < 50) || noise < 5;
                Item { day: first_day + (i / 50) as i64, x: if i % 23 == 0 { f64::NAN } else { x }, party, irregular }
            })
            .collect()
    }

    fn schema() -> Schema {
        Schema::new(&["x"], &["party"], &["party"])
    }

    /// `model.score` against forust's own prediction, bit for bit.
    fn assert_scores_are_forusts(model: &Trained, rows: &[impl Row + Sync]) {
        let matrix = model.encoder().matrix(rows);
        let expected = model.booster().predict(&Matrix::new(&matrix, rows.len(), model.encoder().width()), false);
        let bits = |s: &[f64]| s.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&model.score(rows)), bits(&expected));
    }

    #[test]
    fn scores_are_those_of_the_tree_library_to_the_bit_with_and_without_early_stopping() {
        let (train, valid, test) = (items(2000, 0), items(300, 100), items(700, 200));
        let settings = TrainingSettings { iterations: 60, early_stopping_rounds: 3, ..TrainingSettings::default() };
        for valid in [None, Some(valid.as_slice())] {
            let model = Trained::fit(schema(), &train, valid, settings).unwrap_or_else(|e| panic!("{e}"));
            assert!(model.forest.is_some(), "the trees are laid out");
            assert_scores_are_forusts(&model, &test);
            if valid.is_some() {
                assert!(model.trees().len() < 60, "stopped early at {} trees", model.trees().len());
            }
            // The same rows walked down forust's own trees, as for trees that cannot be laid out.
            let walked = Trained { forest: None, ..model };
            assert_scores_are_forusts(&walked, &test);
        }
    }

    #[test]
    fn the_laid_out_trees_cover_missing_values_on_both_sides_and_leaves_above_full_depth() {
        let model = Trained::fit(schema(), &items(2000, 0), None, TrainingSettings::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let splits = model.trees().iter().flat_map(|t| t.nodes.iter().filter(|n| !n.is_leaf));
        let (right, left): (Vec<_>, Vec<_>) = splits.partition(|n| n.missing_node == n.right_child);
        assert!(!right.is_empty() && !left.is_empty(), "{} right, {} left", right.len(), left.len());
        let shallow = model.trees().iter().any(|t| t.nodes.iter().any(|n| n.is_leaf && n.depth < 5));
        assert!(shallow, "some leaf above the full depth");
        // Every value of x, missing ones too, against every threshold.
        let mut probe = items(600, 200);
        for (k, item) in probe.iter_mut().enumerate() {
            item.x = if k % 7 == 0 { f64::NAN } else { k as f64 / 6.0 };
        }
        assert_scores_are_forusts(&model, &probe);
        // Fewer rows than a group, and a last block that is not full.
        assert_scores_are_forusts(&model, &probe[..3]);
        assert_scores_are_forusts(&model, &probe[..BLOCK + GROUP + 5]);
    }

    #[test]
    fn validation_rows_are_counted_and_stop_the_trees_early() {
        let (train, valid, test) = (items(2000, 0), items(300, 100), items(700, 200));
        let settings = TrainingSettings { iterations: 200, early_stopping_rounds: 5, ..TrainingSettings::default() };
        let result = evaluate(schema(), &train, Some(&valid), &test, settings).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((result.train_rows, result.valid_rows, result.test_rows), (2000, Some(300), 700));
        assert!(result.trees < 200, "{result:?}");
        let json = serde_json::to_value(&result).unwrap_or_else(|e| panic!("{e}"));
        for field in ["precision_at_5", "recall_at_10", "auc", "trees", "valid_rows", "train_seconds"] {
            assert!(json.get(field).is_some(), "{field} in {json}");
        }
        let without = evaluate(schema(), &train, None, &test, settings).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((without.valid_rows, without.trees), (None, 200));
        let json = serde_json::to_value(&without).unwrap_or_else(|e| panic!("{e}"));
        assert!(json.get("valid_rows").is_none(), "{json}");
    }
}

#[cfg(test)]
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
        let read = |text: &str| crate::kcs::parse(text).unwrap_or_else(|e| panic!("{e}"));
        let (train, valid) = (read(&train), read(&valid));
        assert_eq!((train.rejected.len(), valid.rejected.len()), (0, 0));
        let (train, valid) = (train.rows, valid.rows);
        let base = valid.iter().filter(|r| r.irregular).count() as f64 / valid.len() as f64;
        let settings = TrainingSettings { iterations: 50, ..TrainingSettings::default() };
        let result = evaluate(crate::kcs::schema(), &train, None, &valid, settings).unwrap_or_else(|e| panic!("{e}"));
        assert!(result.metrics.precision_at_5 > 3.0 * base, "{result:?} against a base rate of {base}");
        assert!(result.metrics.auc > 0.8, "{result:?}");
        let model = Trained::fit(crate::kcs::schema(), &train, None, settings).unwrap_or_else(|e| panic!("{e}"));
        assert!(model.forest.is_some());
        let matrix = model.encoder().matrix(&valid);
        let expected = model.booster().predict(&Matrix::new(&matrix, valid.len(), model.encoder().width()), true);
        assert!(model.score(&valid).iter().zip(&expected).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
