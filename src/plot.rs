//! Plots of sweeps and of `calibrate --compare` with plotters: SVG or PNG, chosen
//! by the file extension.
//!
//! Four panels against the first varied parameter (service level, abandonment,
//! ASA, occupancy), each showing every variant's mean with its 95 % confidence
//! band and error bars; one line per combination of the other varied parameters.
//! When the sweep varies the staffing of a single Erlang queue
//! (`Sweep::erlang_curve`), the exact Erlang C or A values are drawn beside as a
//! dashed line. Text is drawn with DejaVu Sans, embedded in the binary, so a PNG
//! needs no system fonts. Nothing is computed here: the numbers come from sim-core.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::{Context, anyhow, bail};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use sim_core::analytic::ErlangKpis;
use sim_core::experiment::sweep::{ErlangCurve, SweepReport, format_value};

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// Picture size, pixels.
const SIZE: (u32, u32) = (1280, 960);

/// Line colours (the "tab10" palette), reused in turn.
const COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The picture formats `--plot` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlotFormat {
    Svg,
    Png,
}

impl PlotFormat {
    /// The format named by `path`'s extension (`.svg` or `.png`), checked before
    /// anything runs.
    pub(crate) fn of(path: &Path) -> anyhow::Result<PlotFormat> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("svg") => Ok(PlotFormat::Svg),
            Some("png") => Ok(PlotFormat::Png),
            _ => bail!(
                "--plot {}: the file name must end in .svg or .png",
                path.display()
            ),
        }
    }
}

struct Panel {
    kpi: &'static str,
    title: &'static str,
    percent: bool,
    exact: fn(&ErlangKpis) -> f64,
}

const PANELS: [Panel; 4] = [
    Panel {
        kpi: "service_level",
        title: "service level",
        percent: true,
        exact: |k| k.service_level,
    },
    Panel {
        kpi: "abandon_rate",
        title: "abandonment",
        percent: true,
        exact: |k| k.abandon_rate,
    },
    Panel {
        kpi: "asa_s",
        title: "ASA (s)",
        percent: false,
        exact: |k| k.asa_s,
    },
    Panel {
        kpi: "occupancy",
        title: "occupancy",
        percent: true,
        exact: |k| k.occupancy,
    },
];

/// One line: `(x, mean, half-width)` by increasing x.
struct Series {
    label: String,
    points: Vec<(f64, f64, f64)>,
}

/// The variants grouped by the values of every factor but the first.
fn series(report: &SweepReport, kpi: &str) -> Vec<Series> {
    let mut keys: Vec<Vec<f64>> = Vec::new();
    let mut out: Vec<Series> = Vec::new();
    for v in &report.variants {
        let key = v.values[1..].to_vec();
        let i = match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                let label = if key.is_empty() {
                    "simulation: mean, 95% CI".to_string()
                } else {
                    report.factors[1..]
                        .iter()
                        .zip(&report.integer[1..])
                        .zip(&key)
                        .map(|((f, &int), &x)| format!("{}={}", f.path, format_value(x, int)))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                keys.push(key);
                out.push(Series {
                    label,
                    points: Vec::new(),
                });
                out.len() - 1
            }
        };
        if let Some(e) = v.report.kpis.get(kpi)
            && e.mean.is_finite()
        {
            out[i]
                .points
                .push((v.values[0], e.mean, e.ci95.unwrap_or(0.0)));
        }
    }
    for s in &mut out {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// Smallest and largest of `xs`, widened by `pad` of the span (or by `min_pad`
/// when all are equal).
fn bounds(xs: impl Iterator<Item = f64>, pad: f64, min_pad: f64) -> (f64, f64) {
    let (lo, hi) = xs
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
            (l.min(x), h.max(x))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    if span <= 0.0 {
        (lo - min_pad, hi + min_pad)
    } else {
        (lo - pad * span, hi + pad * span)
    }
}

/// The y-axis labels of a panel spanning `y0..y1`: percentages or plain
/// numbers, with as many decimals as the span needs.
fn y_label_format(percent: bool, y0: f64, y1: f64) -> impl Fn(&f64) -> String {
    let scale = if percent { 100.0 } else { 1.0 };
    let digits = decimals((y1 - y0) * scale);
    move |y: &f64| {
        if percent {
            format!("{:.*}%", digits, y * 100.0)
        } else {
            format!("{y:.digits$}")
        }
    }
}

fn decimals(span: f64) -> usize {
    if span >= 10.0 {
        0
    } else if span >= 1.0 {
        1
    } else {
        2
    }
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    report: &SweepReport,
    erlang: Option<&ErlangCurve>,
    legend: bool,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let lines = series(report, panel.kpi);
    let exact: Vec<(f64, f64)> = erlang
        .map(|c| {
            c.points
                .iter()
                .map(|(agents, k)| (f64::from(*agents), (panel.exact)(k)))
                .filter(|p| p.1.is_finite())
                .collect()
        })
        .unwrap_or_default();
    let xs = lines
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(exact.iter().map(|p| p.0));
    let (x0, x1) = bounds(xs, 0.03, 1.0);
    let ys = lines
        .iter()
        .flat_map(|s| s.points.iter().flat_map(|p| [p.1 - p.2, p.1 + p.2]))
        .chain(exact.iter().map(|p| p.1));
    let (y0, y1) = bounds(ys, 0.08, if panel.percent { 0.05 } else { 1.0 });
    let y0 = y0.max(0.0);

    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(65)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let integer = report.integer[0];
    let x_fmt = |x: &f64| {
        if !integer {
            format!("{}", (x * 1e6).round() / 1e6)
        } else if (x - x.round()).abs() < 1e-9 {
            format!("{}", x.round() as i64)
        } else {
            String::new()
        }
    };
    let y_fmt = y_label_format(panel.percent, y0, y1);
    chart
        .configure_mesh()
        .x_desc(report.factors[0].path.as_str())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;

    for (i, s) in lines.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        if s.points.len() > 1 {
            let band: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|p| (p.0, p.1 + p.2))
                .chain(s.points.iter().rev().map(|p| (p.0, p.1 - p.2)))
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(band, color.mix(0.18))))?;
        }
        chart.draw_series(
            s.points.iter().map(|p| {
                PathElement::new(vec![(p.0, p.1 - p.2), (p.0, p.1 + p.2)], color.mix(0.7))
            }),
        )?;
        chart
            .draw_series(LineSeries::new(
                s.points.iter().map(|p| (p.0, p.1)),
                color.stroke_width(2),
            ))?
            .label(s.label.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(2))
            });
        chart.draw_series(
            s.points
                .iter()
                .map(|p| Circle::new((p.0, p.1), 3, color.filled())),
        )?;
    }
    if let Some(curve) = erlang
        && !exact.is_empty()
    {
        chart
            .draw_series(DashedLineSeries::new(
                exact.iter().copied(),
                8,
                5,
                BLACK.stroke_width(2),
            ))?
            .label(format!("{} (exact)", curve.model))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(2)));
    }
    if legend {
        chart
            .configure_series_labels()
            .position(if panel.kpi == "service_level" {
                SeriesLabelPosition::LowerRight
            } else {
                SeriesLabelPosition::UpperRight
            })
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .draw()?;
    }
    Ok(())
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    report: &SweepReport,
    erlang: Option<&ErlangCurve>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(56);
    let title = format!(
        "{} — {} replications per variant ({} random numbers); mean and 95% CI",
        report.scenario, report.replications, report.streams
    );
    top.draw(&Text::new(title, (24, 18), ("sans-serif", 22).into_font()))?;
    for (i, (area, panel)) in body.split_evenly((2, 2)).iter().zip(&PANELS).enumerate() {
        draw_panel(area, panel, report, erlang, i == 0)?;
    }
    root.present()
}

/// Registers the embedded font as "sans-serif" for plotters.
pub(crate) fn register_fonts() -> anyhow::Result<()> {
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow!("the embedded font cannot be read"))
}

/// Draw `report` (and `erlang` beside it) into `path`, SVG or PNG by its
/// extension.
pub(crate) fn plot_sweep(
    path: &Path,
    report: &SweepReport,
    erlang: Option<&ErlangCurve>,
) -> anyhow::Result<()> {
    let format = PlotFormat::of(path)?;
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow!("the embedded font cannot be read"))?;
    let write_err = || format!("cannot write plot {}", path.display());
    match format {
        PlotFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
                draw(&root, report, erlang).map_err(|e| anyhow!("drawing the plot: {e}"))?;
            }
            std::fs::write(path, svg).with_context(write_err)?;
        }
        PlotFormat::Png => {
            let (w, h) = SIZE;
            let mut pixels = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
                draw(&root, report, erlang).map_err(|e| anyhow!("drawing the plot: {e}"))?;
            }
            let file = File::create(path).with_context(write_err)?;
            let mut encoder = png::Encoder::new(BufWriter::new(file), w, h);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().with_context(write_err)?;
            writer.write_image_data(&pixels).with_context(write_err)?;
            writer.finish().with_context(write_err)?;
        }
    }
    Ok(())
}

/// One KPI of `ccsim calibrate --compare`, hour by hour: the log's value and the
/// simulated mean with its 95 % confidence interval.
pub(crate) struct HourlyKpi<'a> {
    /// Picture title.
    pub(crate) title: &'a str,
    /// Whether the values are shares (drawn as percentages).
    pub(crate) percent: bool,
    /// `(clock hour, observed, simulated mean, half-width)`.
    pub(crate) points: Vec<(f64, f64, f64, f64)>,
}

fn draw_hourly<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    k: &HourlyKpi,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (x0, x1) = bounds(k.points.iter().map(|p| p.0), 0.03, 1.0);
    let ys = k.points.iter().flat_map(|p| [p.1, p.2 - p.3, p.2 + p.3]);
    let (y0, y1) = bounds(ys, 0.08, if k.percent { 0.05 } else { 1.0 });
    let y0 = y0.max(0.0);
    let mut chart = ChartBuilder::on(root)
        .caption(k.title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let y_fmt = y_label_format(k.percent, y0, y1);
    chart
        .configure_mesh()
        .x_desc("hour of the day")
        .x_label_formatter(&|x: &f64| format!("{:02}:00", x.round() as i64))
        .y_label_formatter(&y_fmt)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 15))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    let sim = COLORS[0];
    let finite: Vec<&(f64, f64, f64, f64)> = k.points.iter().filter(|p| p.2.is_finite()).collect();
    if finite.len() > 1 {
        let band: Vec<(f64, f64)> = finite
            .iter()
            .map(|p| (p.0, p.2 + p.3))
            .chain(finite.iter().rev().map(|p| (p.0, p.2 - p.3)))
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(band, sim.mix(0.18))))?;
    }
    chart
        .draw_series(LineSeries::new(
            finite.iter().map(|p| (p.0, p.2)),
            sim.stroke_width(2),
        ))?
        .label("simulated (mean, 95% CI)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], sim.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            k.points
                .iter()
                .filter(|p| p.1.is_finite())
                .map(|p| (p.0, p.1)),
            BLACK.stroke_width(2),
        ))?
        .label("observed (log)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], BLACK.stroke_width(2)));
    chart.draw_series(
        k.points
            .iter()
            .filter(|p| p.1.is_finite())
            .map(|p| Circle::new((p.0, p.1), 3, BLACK.filled())),
    )?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    root.present()
}

/// Draw one hourly comparison into `path`, SVG or PNG by its extension.
pub(crate) fn plot_hourly(path: &Path, kpi: &HourlyKpi) -> anyhow::Result<()> {
    let format = PlotFormat::of(path)?;
    register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow!("the embedded font cannot be read"))?;
    let write_err = || format!("cannot write plot {}", path.display());
    let size = (1024, 640);
    match format {
        PlotFormat::Svg => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
                draw_hourly(&root, kpi).map_err(|e| anyhow!("drawing the plot: {e}"))?;
            }
            std::fs::write(path, svg).with_context(write_err)?;
        }
        PlotFormat::Png => {
            let (w, h) = size;
            let mut pixels = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
                draw_hourly(&root, kpi).map_err(|e| anyhow!("drawing the plot: {e}"))?;
            }
            let file = File::create(path).with_context(write_err)?;
            let mut encoder = png::Encoder::new(BufWriter::new(file), w, h);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().with_context(write_err)?;
            writer.write_image_data(&pixels).with_context(write_err)?;
            writer.finish().with_context(write_err)?;
        }
    }
    Ok(())
}
