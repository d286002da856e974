//! The chart of a run: irregular declarations caught each week by the platform, by a random
//! selection and by an oracle of the same size, with a marker at the week the ring changes
//! route. SVG or PNG, by the file's extension.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::report::WeekReport;
use super::run::{Outcome, SimulationError};

const PLATFORM: RGBColor = RGBColor(31, 119, 180);
const RANDOM: RGBColor = RGBColor(255, 127, 14);
const ORACLE: RGBColor = RGBColor(127, 127, 127);
const SWITCH: RGBColor = RGBColor(214, 39, 40);

/// What a series reads from a week: irregular declarations caught.
type Caught = fn(&WeekReport) -> usize;

/// Draws the chart of `outcome` into `path` (`.svg` or `.png`); the ring changed route in
/// `switch_week`.
pub fn chart(outcome: &Outcome, switch_week: u32, path: &Path) -> Result<(), SimulationError> {
    crate::plot::font().map_err(|e| SimulationError::Chart(e.to_string()))?;
    let size = (960, 540);
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let drawn = match extension.as_deref() {
        Some("svg") => draw(SVGBackend::new(path, size).into_drawing_area(), outcome, switch_week),
        Some("png") => draw(BitMapBackend::new(path, size).into_drawing_area(), outcome, switch_week),
        _ => return Err(SimulationError::Chart(format!("{} is neither .svg nor .png", path.display()))),
    };
    drawn.map_err(SimulationError::Chart)
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, outcome: &Outcome, switch_week: u32) -> Result<(), String> {
    let text = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(text)?;
    let weeks = &outcome.weeks;
    let last = weeks.last().map_or(1, |w| w.week) as f64;
    let top = weeks.iter().map(|w| w.oracle.caught.max(w.platform.caught)).max().unwrap_or(1).max(1) as f64 * 1.15;
    let mut chart = ChartBuilder::on(&root)
        .caption("Irregular declarations caught per week", ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(0.5..last + 0.5, 0.0..top)
        .map_err(text)?;
    chart
        .configure_mesh()
        .x_desc("week")
        .y_desc("irregular declarations caught")
        .x_labels(weeks.len().min(20))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(text)?;
    let series: [(&str, RGBColor, Caught); 3] = [
        ("oracle", ORACLE, |w| w.oracle.caught),
        ("platform (lanes and model)", PLATFORM, |w| w.platform.caught),
        ("random selection", RANDOM, |w| w.random.caught),
    ];
    for (label, colour, caught) in series {
        let points: Vec<(f64, f64)> = weeks.iter().map(|w| (f64::from(w.week), caught(w) as f64)).collect();
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(text)?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
        chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, colour.filled()))).map_err(text)?;
    }
    // The ring changes route at the start of its switch week.
    let x = f64::from(switch_week) - 0.5;
    chart
        .draw_series(DashedLineSeries::new([(x, 0.0), (x, top)], 6, 4, SWITCH.stroke_width(1)))
        .map_err(text)?
        .label("the ring changes route")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], SWITCH.stroke_width(1)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(text)?;
    root.present().map_err(text)
}
