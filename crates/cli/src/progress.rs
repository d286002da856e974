//! Progress of long commands (benchmarks, imports, simulations) on a terminal. Bars draw on
//! standard error and only when it is a terminal, so pipes, files and CI logs stay clean and
//! the JSON lines on standard output are untouched.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `len` steps named `what`; hidden unless standard error is a terminal.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let target = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) = ProgressStyle::with_template("{msg:>24} [{bar:30}] {pos}/{len} {per_sec} eta {eta}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}
