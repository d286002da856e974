//! The chart of an evaluation: precision among the riskiest n % of items, for n from 1 to 20,
//! beside the precision of a random selection (the share of irregular items), as SVG or PNG
//! bytes; the caller writes them where it likes.
//!
//! Text is laid out with `ab_glyph` and the bundled DejaVu Sans, so no font library is linked
//! and no system font is needed.

use std::path::Path;
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

/// One curve: a name and precision at 1 %, 2 %, … of the riskiest items.
#[derive(Debug, Clone, Copy)]
pub struct Curve<'a> {
    /// Shown in the legend.
    pub name: &'a str,
    /// Precision at 1 … n %.
    pub precision: &'a [f64],
}

/// How the chart is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    /// Scalable vector graphics: text stays text.
    Svg,
    /// A bitmap, 900 × 560 pixels.
    Png,
}

impl ChartFormat {
    /// The format a file name asks for by its extension (`.svg`, `.png`, any case).
    pub fn of(path: &Path) -> Option<ChartFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "svg" => Some(ChartFormat::Svg),
            "png" => Some(ChartFormat::Png),
            _ => None,
        }
    }
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// No font to write the labels with.
    #[error("the bundled font does not load")]
    NoFont,
    /// The drawing library or the PNG encoder failed.
    #[error("drawing the chart: {0}")]
    Draw(String),
}

/// Width and height, pixels.
const SIZE: (u32, u32) = (900, 560);

/// The chart of `curves`, with a line for the precision of a random selection at `base_rate`
/// when given.
pub fn precision_at_n(format: ChartFormat, curves: &[Curve<'_>], base_rate: Option<f64>) -> Result<Vec<u8>, PlotError> {
    font()?;
    match format {
        ChartFormat::Svg => {
            let mut svg = String::new();
            draw(SVGBackend::with_string(&mut svg, SIZE).into_drawing_area(), curves, base_rate)
                .map_err(PlotError::Draw)?;
            Ok(svg.into_bytes())
        }
        ChartFormat::Png => {
            let (w, h) = SIZE;
            let mut rgb = vec![0; w as usize * h as usize * 3];
            draw(BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area(), curves, base_rate)
                .map_err(PlotError::Draw)?;
            let mut png = Vec::new();
            let mut encoder = png::Encoder::new(&mut png, w, h);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let encoded = encoder.write_header().and_then(|mut writer| writer.write_image_data(&rgb));
            encoded.map_err(|e| PlotError::Draw(e.to_string()))?;
            Ok(png)
        }
    }
}

/// The family name the charts' text asks for.
pub(crate) const FAMILY: &str = "sans-serif";
/// DejaVu Sans (Bitstream Vera licence, see `crates/model/fonts/LICENSE`), bundled so that
/// charts need no system fonts.
const FONT: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Registers the bundled font for [`FAMILY`] once per process.
pub(crate) fn font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    if *REGISTERED.get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok()) {
        Ok(())
    } else {
        Err(PlotError::NoFont)
    }
}

/// Colours of the curves, in order; the base rate is grey.
const COLOURS: [RGBColor; 4] =
    [RGBColor(31, 119, 180), RGBColor(255, 127, 14), RGBColor(44, 160, 44), RGBColor(148, 103, 189)];

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    curves: &[Curve<'_>],
    base_rate: Option<f64>,
) -> Result<(), String> {
    let text = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(text)?;
    let last = curves.iter().map(|c| c.precision.len()).max().unwrap_or(0).max(2);
    let lowest = curves.iter().flat_map(|c| c.precision.iter().copied()).chain(base_rate).fold(1.0, f64::min);
    let floor = ((lowest - 0.05).max(0.0) * 10.0).floor() / 10.0;
    let mut chart = ChartBuilder::on(&root)
        .caption("Precision among the riskiest n % of items", (FAMILY, 24))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(1.0..last as f64, floor..1.0)
        .map_err(text)?;
    chart
        .configure_mesh()
        .x_desc("n: share of items controlled, riskiest first (%)")
        .y_desc("precision: share irregular")
        .x_labels(last)
        .x_label_formatter(&|n| format!("{n:.0}"))
        .y_label_formatter(&|p| format!("{p:.2}"))
        .light_line_style(RGBColor(238, 238, 238))
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(text)?;
    for (i, curve) in curves.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<(f64, f64)> = curve.precision.iter().enumerate().map(|(n, p)| ((n + 1) as f64, *p)).collect();
        chart
            .draw_series(LineSeries::new(points.iter().copied(), colour.stroke_width(3)))
            .map_err(text)?
            .label(curve.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], colour.stroke_width(3)));
        chart.draw_series(points.iter().map(|p| Circle::new(*p, 4, colour.filled()))).map_err(text)?;
    }
    if let Some(rate) = base_rate {
        let grey = RGBColor(110, 110, 110);
        chart
            .draw_series(DashedLineSeries::new([(1.0, rate), (last as f64, rate)], 10, 6, grey.stroke_width(2)))
            .map_err(text)?
            .label(format!("random selection (base rate {rate:.3})"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 24, y)], grey.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleLeft)
        .label_font((FAMILY, 15))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(text)?;
    root.present().map_err(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(format: ChartFormat) -> Result<Vec<u8>, PlotError> {
        let model = [1.0, 1.0, 0.99, 0.98, 0.97, 0.95, 0.9, 0.85, 0.8, 0.7];
        let other = [0.9, 0.8, 0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3];
        let curves = [Curve { name: "model", precision: &model }, Curve { name: "other", precision: &other }];
        precision_at_n(format, &curves, Some(0.21))
    }

    #[test]
    fn an_svg_chart_is_written_with_its_labels() {
        let written = chart(ChartFormat::Svg);
        let svg = match written {
            Ok(bytes) => String::from_utf8(bytes).unwrap_or_else(|e| panic!("{e}")),
            Err(PlotError::NoFont) => return eprintln!("skipped: {}", PlotError::NoFont),
            Err(e) => panic!("{e}"),
        };
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(100)]);
        for text in ["Precision among the riskiest", "model", "other", "random selection (base rate 0.210)"] {
            assert!(svg.contains(text), "{text} in the chart");
        }
    }

    #[test]
    fn a_png_chart_is_written() {
        let written = chart(ChartFormat::Png);
        let png = match written {
            Ok(bytes) => bytes,
            Err(PlotError::NoFont) => return eprintln!("skipped: {}", PlotError::NoFont),
            Err(e) => panic!("{e}"),
        };
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG signature");
        assert!(png.len() > 5_000, "{} bytes", png.len());
    }

    #[test]
    fn the_format_is_chosen_by_the_extension() {
        assert_eq!(ChartFormat::of(Path::new("docs/img/precision-at-n.svg")), Some(ChartFormat::Svg));
        assert_eq!(ChartFormat::of(Path::new("chart.PNG")), Some(ChartFormat::Png));
        for other in ["chart.pdf", "chart", "svg"] {
            assert_eq!(ChartFormat::of(Path::new(other)), None, "{other}");
        }
    }
}
