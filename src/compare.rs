//! `ccsim calibrate --compare`: the fitted day simulated and set against the log,
//! hour by hour (table, JSON, CSV, plots, summary).

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use sim_core::calibrate::{self, FitReport, HourComparison};
use sim_core::trace::CallRecord;
use sim_core::{Model, RunConfig, Scenario, experiment};

use crate::plot::{self, HourlyKpi};

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", 100.0 * x)
    } else {
        "—".into()
    }
}

fn num(x: f64, d: usize) -> String {
    if x.is_finite() {
        format!("{x:.d$}")
    } else {
        "—".into()
    }
}

fn rel(x: f64) -> String {
    if x.is_finite() {
        format!("{:+.0}%", 100.0 * x)
    } else {
        "—".into()
    }
}

/// The comparison as a plain-text table.
fn table(rows: &[HourComparison], busy: &[u32]) -> String {
    let mut t = String::new();
    t.push_str(&format!(
        "{:<6} {:>7} {:>13} {:>6}  {:>7} {:>13} {:>6}  {:>7} {:>14} {:>6}  {:>7} {:>14} {:>6}\n",
        "hour",
        "offered",
        "sim",
        "err",
        "ASA s",
        "sim",
        "err",
        "aband",
        "sim",
        "err",
        "SL",
        "sim",
        "err"
    ));
    for r in rows {
        let mark = if busy.contains(&r.hour) { "*" } else { " " };
        t.push_str(&format!(
            "{:02}:00{} {:>7} {:>13} {:>6}  {:>7} {:>13} {:>6}  {:>7} {:>14} {:>6}  {:>7} {:>14} {:>6}\n",
            r.hour,
            mark,
            num(r.observed_offered, 1),
            format!("{}±{}", num(r.offered.mean, 1), num(r.offered.half_width, 1)),
            rel(r.offered_error()),
            num(r.observed_asa_s, 1),
            format!("{}±{}", num(r.asa_s.mean, 1), num(r.asa_s.half_width, 1)),
            rel(r.asa_error()),
            pct(r.observed_abandon_rate),
            format!("{}±{}", pct(r.abandon_rate.mean), pct(r.abandon_rate.half_width)),
            rel(r.abandon_error()),
            pct(r.observed_service_level),
            format!("{}±{}", pct(r.service_level.mean), pct(r.service_level.half_width)),
            rel(r.service_level_error()),
        ));
    }
    t
}

/// Simulate `scenario` (a fitted day) and compare it with `records` hour by hour;
/// print the table to `out`, and with `dir` write the report files there.
pub(crate) fn run_compare(
    out: &mut impl Write,
    scenario: &Scenario,
    report: &FitReport,
    records: &[CallRecord],
    threads: Option<usize>,
    dir: Option<&Path>,
    credit: Option<&str>,
) -> anyhow::Result<()> {
    let model = Arc::new(Model::new(scenario).map_err(|e| anyhow::anyhow!("{e}"))?);
    let mut config = RunConfig::from_model(&model);
    config.threads = threads;
    let sim = experiment::run(&model, &config, &|| {})?;
    let w = &report.window;
    let observed = report.observed(records, 3600);
    let rows = calibrate::compare_hourly(&sim.reps, scenario.day_start_h * 3600.0, &observed);
    // The whole clock hours inside the busy window.
    let busy: Vec<u32> = (w.start_s.div_ceil(3600)..w.end_s / 3600).collect();
    let days: Vec<&str> = w.weekdays.iter().map(|d| d.short()).collect();
    let head = format!(
        "Fitted day vs log, hour by hour: {} ({} days pooled), {} replications; sim = mean ± 95% CI half-width, err = (sim − observed) ÷ observed; * = busy window",
        days.join("/"),
        w.days,
        config.replications
    );
    let text = table(&rows, &busy);
    writeln!(out, "\n{head}")?;
    write!(out, "{text}")?;
    let in_busy: Vec<&HourComparison> = rows.iter().filter(|r| busy.contains(&r.hour)).collect();
    let within =
        |f: fn(&HourComparison) -> f64| in_busy.iter().filter(|r| f(r).abs() <= 0.2).count();
    let summary = format!(
        "Whole hours of the busy window, {:02}:00–{:02}:00: ASA within 20 % in {}/{} hours, abandonment within 20 % in {}/{} hours (service level: {}/{}).",
        w.start_s.div_ceil(3600),
        w.end_s / 3600,
        within(HourComparison::asa_error),
        in_busy.len(),
        within(HourComparison::abandon_error),
        in_busy.len(),
        within(HourComparison::service_level_error),
        in_busy.len()
    );
    writeln!(out, "{summary}")?;

    let Some(dir) = dir else { return Ok(()) };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let json = serde_json::json!({
        "scenario": scenario.name,
        "weekdays": days,
        "days": w.days,
        "replications": config.replications,
        "busy_hours": busy,
        "hours": rows,
    });
    std::fs::write(
        dir.join("compare.json"),
        serde_json::to_string_pretty(&json)? + "\n",
    )
    .context("cannot write compare.json")?;
    let mut csv = csv::Writer::from_path(dir.join("compare.csv")).context("compare.csv")?;
    csv.write_record([
        "hour",
        "busy",
        "observed_offered",
        "sim_offered",
        "sim_offered_hw",
        "observed_asa_s",
        "sim_asa_s",
        "sim_asa_s_hw",
        "asa_rel_err",
        "observed_abandon_rate",
        "sim_abandon_rate",
        "sim_abandon_rate_hw",
        "abandon_rel_err",
        "observed_service_level",
        "sim_service_level",
        "sim_service_level_hw",
        "service_level_rel_err",
    ])?;
    for r in &rows {
        let f = |x: f64| format!("{x}");
        csv.write_record([
            r.hour.to_string(),
            busy.contains(&r.hour).to_string(),
            f(r.observed_offered),
            f(r.offered.mean),
            f(r.offered.half_width),
            f(r.observed_asa_s),
            f(r.asa_s.mean),
            f(r.asa_s.half_width),
            f(r.asa_error()),
            f(r.observed_abandon_rate),
            f(r.abandon_rate.mean),
            f(r.abandon_rate.half_width),
            f(r.abandon_error()),
            f(r.observed_service_level),
            f(r.service_level.mean),
            f(r.service_level.half_width),
            f(r.service_level_error()),
        ])?;
    }
    csv.flush()?;
    type Pick = fn(&HourComparison) -> (f64, f64, f64);
    let kpis: [(&str, &str, bool, Pick); 4] = [
        ("offered", "calls offered per hour", false, |r| {
            (r.observed_offered, r.offered.mean, r.offered.half_width)
        }),
        ("asa", "ASA (s)", false, |r| {
            (r.observed_asa_s, r.asa_s.mean, r.asa_s.half_width)
        }),
        ("abandonment", "abandonment", true, |r| {
            (
                r.observed_abandon_rate,
                r.abandon_rate.mean,
                r.abandon_rate.half_width,
            )
        }),
        ("service_level", "service level", true, |r| {
            (
                r.observed_service_level,
                r.service_level.mean,
                r.service_level.half_width,
            )
        }),
    ];
    for (file, title, percent, pick) in kpis {
        let kpi = HourlyKpi {
            title,
            percent,
            points: rows
                .iter()
                .map(|r| {
                    let (o, m, h) = pick(r);
                    (f64::from(r.hour) + 0.5, o, m, h)
                })
                .collect(),
        };
        for ext in ["svg", "png"] {
            plot::plot_hourly(&dir.join(format!("{file}.{ext}")), &kpi)?;
        }
    }
    let mut md = format!("# Fitted day vs call log\n\n{head}\n\n{summary}\n\n```text\n{text}```\n");
    md.push_str("\nPlots: offered, asa, abandonment, service_level (.svg, .png).\n");
    if let Some(c) = credit {
        md.push_str(&format!("\n{c}\n"));
    }
    std::fs::write(dir.join("summary.md"), md).context("cannot write summary.md")?;
    writeln!(out, "wrote the comparison into {}", dir.display())?;
    Ok(())
}
