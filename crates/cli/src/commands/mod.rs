//! One module per subcommand.

pub mod admin;
pub mod audit;
pub mod bench;
pub mod check;
pub mod example;
pub mod keygen;
pub mod money;
pub mod risk;
pub mod serve;
pub mod simulate;
pub mod submit;
