//! Printing reports: a readable table, one JSON object, or tidy CSV.

use std::io::Write;

use serde_json::{Map, Value, json};
use sim_core::analytic::{ErlangKpis, QueueParams};
use sim_core::stats::KpiEstimates;
use sim_core::trace::Trace;
use sim_core::trace::record::TidyRow;
use sim_core::{Report, Scenario};

/// Formats of `ccsim replay --export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Export {
    /// One JSON object per line.
    JsonLines,
    /// CSV with a header row.
    Csv,
}

/// Every event of `trace` as a tidy row: `t_s, kind, call, call_type, agent, wait_s`
/// (empty / null where a field does not apply).
pub(crate) fn export_events(
    out: &mut impl Write,
    trace: &Trace,
    scenario: &Scenario,
    kind: Export,
) -> anyhow::Result<()> {
    let rows = trace.events().map(|(t, e)| TidyRow::new(t, e, scenario));
    match kind {
        Export::JsonLines => {
            for row in rows {
                serde_json::to_writer(&mut *out, &row)?;
                out.write_all(b"\n")?;
            }
        }
        Export::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            for row in rows {
                w.serialize(row)?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

/// Wall-clock figures of a run (never part of the deterministic output unless asked).
pub(crate) struct Timing {
    pub(crate) wall_s: f64,
    pub(crate) events: u64,
    pub(crate) calls: u64,
    /// Peak resident memory of this process, KiB (Linux), if known.
    pub(crate) peak_rss_kib: Option<u64>,
}

/// Peak resident set size of this process from `/proc/self/status` (Linux only).
pub(crate) fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Timing {
    fn per_s(&self, n: u64) -> f64 {
        if self.wall_s > 0.0 {
            n as f64 / self.wall_s
        } else {
            f64::NAN
        }
    }

    /// One line for stderr.
    pub(crate) fn summary(&self) -> String {
        let mem = self
            .peak_rss_kib
            .map(|k| format!(", peak memory {:.1} MiB", k as f64 / 1024.0))
            .unwrap_or_default();
        format!(
            "{} events, {} calls in {:.3} s: {:.2} M events/s, {:.2} M calls/s{mem}",
            self.events,
            self.calls,
            self.wall_s,
            self.per_s(self.events) / 1e6,
            self.per_s(self.calls) / 1e6
        )
    }
}

fn estimates_json(k: &KpiEstimates) -> Value {
    let mut m = Map::new();
    for (name, e) in &k.entries {
        m.insert((*name).to_string(), json!({"mean": e.mean, "ci95": e.ci95}));
    }
    Value::Object(m)
}

/// The report as one JSON object (see the README for its fields).
pub(crate) fn report_json(
    out: &mut impl Write,
    r: &Report,
    timing: Option<&Timing>,
) -> std::io::Result<()> {
    let mut by_type = Map::new();
    for (name, k) in &r.by_call_type {
        by_type.insert(name.clone(), estimates_json(k));
    }
    let mut by_group = Map::new();
    for (name, k) in &r.by_group {
        by_group.insert(name.clone(), estimates_json(k));
    }
    let mut v = json!({
        "scenario": r.scenario,
        "replications": r.replications,
        "seed": r.seed,
        "events": r.events,
        "kpis": estimates_json(&r.kpis),
        "by_call_type": by_type,
        "by_group": by_group,
    });
    if let (Some(t), Some(obj)) = (timing, v.as_object_mut()) {
        obj.insert(
            "timing".into(),
            json!({
                "wall_s": t.wall_s,
                "calls": t.calls,
                "events_per_s": t.per_s(t.events),
                "calls_per_s": t.per_s(t.calls),
                "peak_rss_kib": t.peak_rss_kib,
            }),
        );
    }
    serde_json::to_writer_pretty(&mut *out, &v)?;
    writeln!(out)
}

/// Tidy CSV: `scope,name,kpi,mean,ci95,replications`.
pub(crate) fn report_csv(out: &mut impl Write, r: &Report) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["scope", "name", "kpi", "mean", "ci95", "replications"])?;
    let scopes = std::iter::once(("all", "all", &r.kpis))
        .chain(
            r.by_call_type
                .iter()
                .map(|(n, k)| ("call_type", n.as_str(), k)),
        )
        .chain(r.by_group.iter().map(|(n, k)| ("group", n.as_str(), k)));
    for (scope, name, k) in scopes {
        for (kpi, e) in &k.entries {
            w.write_record([
                scope.to_string(),
                name.to_string(),
                (*kpi).to_string(),
                fmt_num(e.mean),
                e.ci95.map(fmt_num).unwrap_or_default(),
                e.n.to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

fn fmt_num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// A number with a sensible number of decimals for its KPI.
fn fmt_kpi(kpi: &str, x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    match kpi {
        "offered" | "answered" | "abandoned" => format!("{x:.1}"),
        "service_level" | "abandon_rate" | "p_wait" | "occupancy" => format!("{:.2}%", 100.0 * x),
        _ => format!("{x:.2}"),
    }
}

fn fmt_est(kpi: &str, k: &KpiEstimates) -> String {
    match k.get(kpi) {
        None => String::new(),
        Some(e) => match e.ci95 {
            Some(h) => format!("{} ± {}", fmt_kpi(kpi, e.mean), fmt_kpi(kpi, h)),
            None => fmt_kpi(kpi, e.mean),
        },
    }
}

const LABELS: [(&str, &str); 10] = [
    ("offered", "offered calls"),
    ("answered", "answered"),
    ("abandoned", "abandoned"),
    ("service_level", "service level"),
    ("asa_s", "ASA (s)"),
    ("abandon_rate", "abandonment"),
    ("p_wait", "P(wait)"),
    ("occupancy", "occupancy"),
    ("aht_s", "AHT (s)"),
    ("mean_queue_len", "mean queue length"),
];

fn table(out: &mut impl Write, header: &[String], rows: &[Vec<String>]) -> std::io::Result<()> {
    let cols = header.len();
    let mut width = vec![0; cols];
    for row in std::iter::once(header).chain(rows.iter().map(|r| r.as_slice())) {
        for (i, c) in row.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |out: &mut dyn Write, row: &[String]| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, c) in row.iter().enumerate() {
            let pad = width[i] - c.chars().count();
            if i == 0 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str("  ");
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, header)?;
    let total: usize = width.iter().sum::<usize>() + 2 * (cols - 1);
    writeln!(out, "{}", "-".repeat(total))?;
    for r in rows {
        line(out, r)?;
    }
    Ok(())
}

/// The report as readable tables: KPIs overall and per call type, then per group.
pub(crate) fn report_table(out: &mut impl Write, r: &Report, s: &Scenario) -> std::io::Result<()> {
    writeln!(
        out,
        "{} — {} replication{}, seed {}, {:.1} h ({:.1} h warm-up); mean ± 95% CI half-width",
        r.scenario,
        r.replications,
        if r.replications == 1 { "" } else { "s" },
        r.seed,
        s.horizon_h,
        s.warmup_h
    )?;
    writeln!(out)?;
    let mut header = vec!["KPI".to_string(), "all calls".to_string()];
    if r.by_call_type.len() > 1 {
        header.extend(r.by_call_type.iter().map(|(n, _)| n.clone()));
    }
    let rows: Vec<Vec<String>> = LABELS
        .iter()
        .map(|(kpi, label)| {
            let mut row = vec![label.to_string(), fmt_est(kpi, &r.kpis)];
            if r.by_call_type.len() > 1 {
                row.extend(r.by_call_type.iter().map(|(_, k)| fmt_est(kpi, k)));
            }
            row
        })
        .collect();
    table(out, &header, &rows)?;
    writeln!(out)?;
    let header: Vec<String> = ["agent group", "agents", "answered", "AHT (s)", "occupancy"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<String>> = r
        .by_group
        .iter()
        .zip(&s.agent_groups)
        .map(|((name, k), g)| {
            vec![
                name.clone(),
                g.count.to_string(),
                fmt_est("answered", k),
                fmt_est("aht_s", k),
                fmt_est("occupancy", k),
            ]
        })
        .collect();
    table(out, &header, &rows)?;
    writeln!(out)?;
    writeln!(
        out,
        "service level = answered within {} s ÷ (answered + abandoned); ASA = mean wait of answered calls.",
        s.service_level_s
    )
}

fn erlang_value(k: &ErlangKpis) -> Value {
    json!({
        "p_wait": k.p_wait,
        "asa_s": k.asa_s,
        "service_level": k.service_level,
        "abandon_rate": k.abandon_rate,
        "occupancy": k.occupancy,
        "mean_queue_len": k.mean_queue_len,
    })
}

fn model_name(p: &QueueParams) -> &'static str {
    if p.patience_s.is_some() {
        "erlang_a"
    } else {
        "erlang_c"
    }
}

/// Erlang results as one JSON object.
pub(crate) fn erlang_json(
    out: &mut impl Write,
    p: &QueueParams,
    k: &ErlangKpis,
    fewest: Option<u32>,
) -> std::io::Result<()> {
    let mut v = json!({
        "model": model_name(p),
        "inputs": {
            "calls_per_hour": p.calls_per_hour,
            "aht_s": p.aht_s,
            "agents": p.agents,
            "patience_s": p.patience_s,
            "sl_s": p.sl_s,
        },
        "load_erl": p.calls_per_hour * p.aht_s / 3600.0,
        "kpis": erlang_value(k),
    });
    if let (Some(c), Some(obj)) = (fewest, v.as_object_mut()) {
        obj.insert("fewest_agents".into(), json!(c));
    }
    serde_json::to_writer_pretty(&mut *out, &v)?;
    writeln!(out)
}

/// Erlang results as tidy CSV (`kpi,value`).
pub(crate) fn erlang_csv(
    out: &mut impl Write,
    p: &QueueParams,
    k: &ErlangKpis,
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["model", "agents", "kpi", "value"])?;
    if let Value::Object(m) = erlang_value(k) {
        for (kpi, v) in m {
            w.write_record([
                model_name(p).to_string(),
                p.agents.to_string(),
                kpi,
                v.to_string(),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Erlang results as a readable table.
pub(crate) fn erlang_table(
    out: &mut impl Write,
    p: &QueueParams,
    k: &ErlangKpis,
    fewest: Option<u32>,
    target: Option<f64>,
) -> std::io::Result<()> {
    let load = p.calls_per_hour * p.aht_s / 3600.0;
    match p.patience_s {
        Some(pat) => writeln!(
            out,
            "Erlang A (M/M/c+M): {} calls/h, AHT {} s, mean patience {pat} s, load {load:.3} Erlang",
            p.calls_per_hour, p.aht_s
        )?,
        None => writeln!(
            out,
            "Erlang C (M/M/c): {} calls/h, AHT {} s, load {load:.3} Erlang",
            p.calls_per_hour, p.aht_s
        )?,
    }
    if let (Some(c), Some(t)) = (fewest, target) {
        writeln!(
            out,
            "fewest agents reaching service level {:.1}%: {c}",
            100.0 * t
        )?;
    }
    writeln!(out)?;
    let rows = vec![
        vec!["agents".into(), p.agents.to_string()],
        vec![
            format!("service level ({} s)", p.sl_s),
            fmt_kpi("service_level", k.service_level),
        ],
        vec!["ASA (s)".into(), fmt_kpi("asa_s", k.asa_s)],
        vec![
            "abandonment".into(),
            fmt_kpi("abandon_rate", k.abandon_rate),
        ],
        vec!["P(wait)".into(), fmt_kpi("p_wait", k.p_wait)],
        vec!["occupancy".into(), fmt_kpi("occupancy", k.occupancy)],
        vec![
            "mean queue length".into(),
            fmt_kpi("mean_queue_len", k.mean_queue_len),
        ],
    ];
    table(out, &["KPI".into(), "exact".into()], &rows)
}
