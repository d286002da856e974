//! The consignment risk model: features a customs system knows at declaration time, a
//! gradient-boosted tree ensemble (`forust-ml`) trained on recorded control outcomes, and the
//! evaluation measures analysts use (precision and recall among the riskiest n %, AUC).
//!
//! Pure computation, like the core: data comes in as text or rows, results go out as values.

pub mod evaluate;
pub mod features;
pub mod kcs;
pub mod platform;
pub mod plot;
pub mod trained;
pub mod world;

pub use evaluate::{evaluate, Evaluation, EvaluationError, Metrics, TrainingSettings};
pub use features::{Encoder, Row, Schema};
pub use kcs::{parse, KcsRow};
pub use trained::{retrain, Case, HeldOutMetrics, ModelError, ModelInfo, RetrainSettings, Retraining, TrainedModel};
