//! Printing reports: a readable table, one JSON object, or tidy CSV.

use std::io::Write;

use serde_json::{Map, Value, json};
use sim_core::analytic::{ErlangKpis, QueueParams};
use sim_core::experiment::precision::PrecisionOutcome;
use sim_core::experiment::staffing::StaffPlan;
use sim_core::experiment::sweep::{SweepReport, format_value};
use sim_core::scenario::Phase;
use sim_core::stats::{CAMPAIGN_KPI_NAMES, Estimate, KPI_NAMES, KpiEstimates};
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
        m.insert((*name).to_string(), est_json(e));
    }
    Value::Object(m)
}

fn est_json(e: &Estimate) -> Value {
    json!({"mean": e.mean, "ci95": e.ci95})
}

fn named<'a>(items: impl IntoIterator<Item = (&'a String, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in items {
        m.insert(k.clone(), v);
    }
    Value::Object(m)
}

/// `hh:mm` clock time of `t_s` seconds after a day starting at `day_start_h`.
pub(crate) fn clock(day_start_h: f64, t_s: f64) -> String {
    let minutes = (day_start_h * 60.0 + t_s / 60.0).round() as i64;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// How a precision run ended, as JSON.
fn precision_json(p: &PrecisionOutcome) -> Value {
    json!({
        "target": p.target,
        "reached": p.reached,
        "replications": p.replications,
        "batches": p.batches,
        "widest": p.widest.as_ref().map(|w| json!({
            "scope": w.scope,
            "kpi": w.kpi,
            "relative_half_width": w.relative_half_width,
        })),
    })
}

/// How a precision run ended, in a sentence.
fn precision_line(p: &PrecisionOutcome) -> String {
    let widest = p.widest.as_ref().map_or(String::new(), |w| {
        format!(
            "; least precise: {} {} ±{:.3}%",
            w.scope,
            w.kpi,
            100.0 * w.relative_half_width
        )
    });
    format!(
        "precision target ±{}% of the mean {} after {} replications in {} batch{}{widest}",
        100.0 * p.target,
        if p.reached { "reached" } else { "NOT reached" },
        p.replications,
        p.batches,
        if p.batches == 1 { "" } else { "es" }
    )
}

/// The report as one JSON object (see the README for its fields).
pub(crate) fn report_json(
    out: &mut impl Write,
    r: &Report,
    s: &Scenario,
    timing: Option<&Timing>,
    precision: Option<&PrecisionOutcome>,
) -> std::io::Result<()> {
    let by_type = named(r.by_call_type.iter().map(|(n, k)| (n, estimates_json(k))));
    let by_group = named(r.by_group.iter().map(|(n, k)| (n, estimates_json(k))));
    let intervals: Vec<Value> = r
        .by_interval
        .iter()
        .map(|iv| {
            json!({
                "interval": iv.index,
                "start": clock(s.day_start_h, iv.start_s),
                "end": clock(s.day_start_h, iv.end_s),
                "agents": est_json(&iv.agents),
                "kpis": estimates_json(&iv.all),
                "by_call_type": named(r.by_call_type.iter().zip(&iv.by_call_type).map(|((n, _), k)| (n, estimates_json(k)))),
            })
        })
        .collect();
    let f = &r.flow;
    let mut v = json!({
        "scenario": r.scenario,
        "replications": r.replications,
        "seed": r.seed,
        "events": r.events,
        "kpis": estimates_json(&r.kpis),
        "by_call_type": by_type,
        "by_group": by_group,
    });
    let Some(obj) = v.as_object_mut() else {
        return Ok(());
    };
    if !r.by_persona.is_empty() {
        obj.insert(
            "by_persona".into(),
            named(r.by_persona.iter().map(|(n, k)| (n, estimates_json(k)))),
        );
    }
    obj.insert("by_interval".into(), Value::Array(intervals));
    if !r.by_campaign.is_empty() {
        let campaigns = named(r.by_campaign.iter().map(|c| {
            let intervals: Vec<Value> = r
                .by_interval
                .iter()
                .zip(&c.by_interval)
                .map(|(iv, k)| {
                    json!({
                        "interval": iv.index,
                        "start": clock(s.day_start_h, iv.start_s),
                        "end": clock(s.day_start_h, iv.end_s),
                        "kpis": estimates_json(k),
                    })
                })
                .collect();
            (
                &c.name,
                json!({
                    "dialer": c.dialer,
                    "max_abandon_rate": c.max_abandon_rate,
                    "window_h": c.window_h,
                    "kpis": estimates_json(&c.kpis),
                    "by_interval": intervals,
                }),
            )
        }));
        obj.insert("by_campaign".into(), campaigns);
    }
    if let Some(ivr) = &r.ivr {
        obj.insert(
            "ivr".into(),
            json!({
                "arrivals": est_json(&ivr.arrivals),
                "self_service_rate": est_json(&ivr.self_service_rate),
                "hangup_rate": est_json(&ivr.hangup_rate),
                "routed_rate": est_json(&ivr.routed_rate),
                "misroute_rate": est_json(&ivr.misroute_rate),
                "mean_time_s": est_json(&ivr.mean_time_s),
                "menus": named(ivr.menus.iter().map(|(n, visits, hang, time)| (n, json!({
                    "visits": est_json(visits), "hangup_rate": est_json(hang), "mean_time_s": est_json(time)
                })))),
            }),
        );
    }
    let phases = named(f.phase_means_s.iter().map(|(n, ph)| {
        (
            n,
            named(
                Phase::ALL
                    .iter()
                    .zip(ph)
                    .map(|(p, e)| (p.name().to_string(), est_json(e)))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|(k, v)| (k, v.clone())),
            ),
        )
    }));
    obj.insert(
        "flow".into(),
        json!({
            "transfers": est_json(&f.transfers),
            "callbacks": est_json(&f.callbacks),
            "retrials": est_json(&f.retrials),
            "lost_at_close": est_json(&f.lost_at_close),
            "agent_hours": named(f.agent_hours.iter().map(|(n, e)| (n, est_json(e)))),
            "cost": named(f.cost.iter().map(|(n, e)| (n, est_json(e)))),
            "phase_means_s": phases,
        }),
    );
    if let Some(p) = precision {
        obj.insert("precision".into(), precision_json(p));
    }
    if let Some(t) = timing {
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

/// Tidy CSV, one row per scope (the whole run per call type, group and
/// personality; each interval overall and per call type; each campaign over the
/// run and per interval), one column per KPI mean and one per its 95 %
/// half-width. With campaigns, their KPIs add columns (a KPI name both have,
/// `abandon_rate`, shares its column).
pub(crate) fn report_csv(out: &mut impl Write, r: &Report, s: &Scenario) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = ["scope", "name", "interval", "start", "end"]
        .iter()
        .map(|x| x.to_string())
        .collect();
    let mut columns: Vec<&str> = KPI_NAMES.to_vec();
    if !r.by_campaign.is_empty() {
        for k in CAMPAIGN_KPI_NAMES {
            if !columns.contains(&k) {
                columns.push(k);
            }
        }
    }
    for k in &columns {
        header.push(k.to_string());
        header.push(format!("{k}_ci95"));
    }
    header.push("replications".into());
    w.write_record(&header)?;
    let end = clock(s.day_start_h, s.horizon_h * 3600.0);
    let start = clock(s.day_start_h, s.warmup_h * 3600.0);
    let mut row =
        |scope: &str, name: &str, interval: String, a: &str, b: &str, k: &KpiEstimates| {
            let mut rec = vec![
                scope.to_string(),
                name.to_string(),
                interval,
                a.to_string(),
                b.to_string(),
            ];
            for kpi in &columns {
                match k.get(kpi) {
                    Some(e) => {
                        rec.push(fmt_num(e.mean));
                        rec.push(e.ci95.map(fmt_num).unwrap_or_default());
                    }
                    None => {
                        rec.push(String::new());
                        rec.push(String::new());
                    }
                }
            }
            rec.push(r.replications.to_string());
            w.write_record(&rec)
        };
    row("all", "all", "all".into(), &start, &end, &r.kpis)?;
    for (n, k) in &r.by_call_type {
        row("call_type", n, "all".into(), &start, &end, k)?;
    }
    for (n, k) in &r.by_group {
        row("group", n, "all".into(), &start, &end, k)?;
    }
    for (n, k) in &r.by_persona {
        row("persona", n, "all".into(), &start, &end, k)?;
    }
    for iv in &r.by_interval {
        let (a, b) = (
            clock(s.day_start_h, iv.start_s),
            clock(s.day_start_h, iv.end_s),
        );
        row("interval", "all", iv.index.to_string(), &a, &b, &iv.all)?;
        for ((n, _), k) in r.by_call_type.iter().zip(&iv.by_call_type) {
            row("interval", n, iv.index.to_string(), &a, &b, k)?;
        }
    }
    let dial_start = |c: &sim_core::scenario::Campaign| {
        clock(s.day_start_h, c.window.start_h.max(s.warmup_h) * 3600.0)
    };
    for (c, camp) in r.by_campaign.iter().zip(&s.campaigns) {
        let end = clock(s.day_start_h, camp.window.end_h * 3600.0);
        row(
            "campaign",
            &c.name,
            "all".into(),
            &dial_start(camp),
            &end,
            &c.kpis,
        )?;
        for (iv, k) in r.by_interval.iter().zip(&c.by_interval) {
            if k.get("agent_hours").is_none_or(|e| e.mean <= 0.0)
                && k.get("dials").is_none_or(|e| e.mean <= 0.0)
            {
                continue;
            }
            let (a, b) = (
                clock(s.day_start_h, iv.start_s),
                clock(s.day_start_h, iv.end_s),
            );
            row("campaign", &c.name, iv.index.to_string(), &a, &b, k)?;
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
        "offered"
        | "answered"
        | "abandoned"
        | "dials"
        | "live_answers"
        | "connects"
        | "right_party_contacts"
        | "sales"
        | "nuisance_abandons"
        | "amd_false_positives"
        | "amd_false_negatives"
        | "agent_hours" => format!("{x:.1}"),
        "service_level"
        | "abandon_rate"
        | "p_wait"
        | "occupancy"
        | "conversion_rate"
        | "rolling_abandon_rate"
        | "abandon_rate_max"
        | "windows_within_cap" => {
            format!("{:.2}%", 100.0 * x)
        }
        _ => format!("{x:.2}"),
    }
}

const CAMPAIGN_LABELS: [(&str, &str); 17] = [
    ("dials", "dials"),
    ("live_answers", "live answers"),
    ("connects", "connects"),
    ("right_party_contacts", "right-party contacts"),
    ("sales", "sales"),
    ("conversion_rate", "conversion (sales/RPC)"),
    ("nuisance_abandons", "nuisance abandons"),
    ("abandon_rate", "abandon rate (day)"),
    ("rolling_abandon_rate", "rolling abandon rate (end)"),
    ("abandon_rate_max", "rolling abandon rate (max)"),
    ("windows_within_cap", "windows within the cap"),
    ("amd_false_positives", "AMD false positives"),
    ("amd_false_negatives", "AMD false negatives"),
    ("agent_wait_s", "agent wait per connect (s)"),
    ("agent_hours", "agent-hours"),
    ("contacts_per_agent_hour", "contacts per agent-hour"),
    ("sales_per_agent_hour", "sales per agent-hour"),
];

/// The campaigns: their KPIs side by side, then per interval while dialing.
fn campaigns_table(out: &mut impl Write, r: &Report, s: &Scenario) -> std::io::Result<()> {
    let mut header = vec!["campaign".to_string()];
    header.extend(r.by_campaign.iter().map(|c| {
        format!(
            "{} ({}, cap {:.1}%/{} h)",
            c.name,
            c.dialer,
            100.0 * c.max_abandon_rate,
            c.window_h
        )
    }));
    let rows: Vec<Vec<String>> = CAMPAIGN_LABELS
        .iter()
        .filter(|(kpi, _)| r.by_campaign.iter().any(|c| c.kpis.get(kpi).is_some()))
        .map(|(kpi, label)| {
            let mut row = vec![label.to_string()];
            row.extend(r.by_campaign.iter().map(|c| fmt_est(kpi, &c.kpis)));
            row
        })
        .collect();
    table(out, &header, &rows)?;
    writeln!(out)?;
    for c in &r.by_campaign {
        let header: Vec<String> = [
            c.name.as_str(),
            "dials",
            "connects",
            "RPC",
            "sales",
            "nuisance",
            "rolling abandon",
            "agent wait (s)",
            "RPC/agent-h",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        let rows: Vec<Vec<String>> = r
            .by_interval
            .iter()
            .zip(&c.by_interval)
            .filter(|(_, k)| k.get("dials").is_some_and(|e| e.mean > 0.0))
            .map(|(iv, k)| {
                vec![
                    format!(
                        "{}-{}",
                        clock(s.day_start_h, iv.start_s),
                        clock(s.day_start_h, iv.end_s)
                    ),
                    fmt_est("dials", k),
                    fmt_est("connects", k),
                    fmt_est("right_party_contacts", k),
                    fmt_est("sales", k),
                    fmt_est("nuisance_abandons", k),
                    fmt_est("rolling_abandon_rate", k),
                    fmt_est("agent_wait_s", k),
                    fmt_est("contacts_per_agent_hour", k),
                ]
            })
            .collect();
        if rows.len() > 1 {
            table(out, &header, &rows)?;
            writeln!(out)?;
        }
    }
    Ok(())
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

const LABELS: [(&str, &str); 12] = [
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
    ("fcr", "first-contact resolution"),
    ("csat", "CSAT (1-5)"),
];

fn table(out: &mut impl Write, header: &[String], rows: &[Vec<String>]) -> std::io::Result<()> {
    table_aligned(out, header, rows, &[true])
}

/// A table whose column `i` is left-aligned when `left[i]` is true (missing
/// entries: right-aligned).
fn table_aligned(
    out: &mut impl Write,
    header: &[String],
    rows: &[Vec<String>],
    left: &[bool],
) -> std::io::Result<()> {
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
            if i > 0 {
                s.push_str("  ");
            }
            if left.get(i).copied().unwrap_or(false) {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
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

/// The inbound KPIs overall and per call type.
fn inbound_table(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    let mut header = vec!["KPI".to_string(), "all calls".to_string()];
    if r.by_call_type.len() > 1 {
        header.extend(r.by_call_type.iter().map(|(n, _)| n.clone()));
    }
    let rows: Vec<Vec<String>> = LABELS
        .iter()
        .filter(|(kpi, _)| r.kpis.get(kpi).is_some())
        .map(|(kpi, label)| {
            let mut row = vec![label.to_string(), fmt_est(kpi, &r.kpis)];
            if r.by_call_type.len() > 1 {
                row.extend(r.by_call_type.iter().map(|(_, k)| fmt_est(kpi, k)));
            }
            row
        })
        .collect();
    table(out, &header, &rows)?;
    writeln!(out)
}

/// The report as readable tables: KPIs overall and per call type, then per group,
/// per personality, per interval, per campaign.
pub(crate) fn report_table(
    out: &mut impl Write,
    r: &Report,
    s: &Scenario,
    precision: Option<&PrecisionOutcome>,
) -> std::io::Result<()> {
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
    if let Some(p) = precision {
        writeln!(out, "{}", precision_line(p))?;
    }
    writeln!(out)?;
    if !s.call_types.is_empty() {
        inbound_table(out, r)?;
    }
    // Without call types the inbound columns would be empty.
    let inbound = !s.call_types.is_empty();
    let header: Vec<String> = ["agent group", "agents", "answered", "AHT (s)", "occupancy"]
        .iter()
        .filter(|c| inbound || !matches!(**c, "answered" | "AHT (s)"))
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<String>> = r
        .by_group
        .iter()
        .zip(&s.agent_groups)
        .map(|((name, k), g)| {
            let mut row = vec![name.clone(), g.max_agents().to_string()];
            if inbound {
                row.push(fmt_est("answered", k));
                row.push(fmt_est("aht_s", k));
            }
            row.push(fmt_est("occupancy", k));
            row
        })
        .collect();
    table(out, &header, &rows)?;
    writeln!(out)?;

    if !r.by_persona.is_empty() {
        let header: Vec<String> = [
            "personality",
            "offered",
            "ASA (s)",
            "abandonment",
            "AHT (s)",
            "FCR",
            "CSAT",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows: Vec<Vec<String>> = r
            .by_persona
            .iter()
            .map(|(n, k)| {
                vec![
                    n.clone(),
                    fmt_est("offered", k),
                    fmt_est("asa_s", k),
                    fmt_est("abandon_rate", k),
                    fmt_est("aht_s", k),
                    fmt_est("fcr", k),
                    fmt_est("csat", k),
                ]
            })
            .collect();
        table(out, &header, &rows)?;
        writeln!(out)?;
    }

    if r.by_interval.len() > 1 && !s.call_types.is_empty() {
        let header: Vec<String> = [
            "interval",
            "offered",
            "service level",
            "ASA (s)",
            "abandonment",
            "occupancy",
            "agents",
            "queue",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rows: Vec<Vec<String>> = r
            .by_interval
            .iter()
            .map(|iv| {
                vec![
                    format!(
                        "{}-{}",
                        clock(s.day_start_h, iv.start_s),
                        clock(s.day_start_h, iv.end_s)
                    ),
                    fmt_est("offered", &iv.all),
                    fmt_est("service_level", &iv.all),
                    fmt_est("asa_s", &iv.all),
                    fmt_est("abandon_rate", &iv.all),
                    fmt_est("occupancy", &iv.all),
                    fmt_plain(&iv.agents, 1),
                    fmt_est("mean_queue_len", &iv.all),
                ]
            })
            .collect();
        table(out, &header, &rows)?;
        writeln!(out)?;
    }

    if !r.by_campaign.is_empty() {
        campaigns_table(out, r, s)?;
    }

    if let Some(ivr) = &r.ivr {
        writeln!(
            out,
            "IVR: {} calls; self-service {}, hung up {}, routed {} (misrouted {}); mean {} s in menus",
            fmt_plain(&ivr.arrivals, 1),
            fmt_pct(&ivr.self_service_rate),
            fmt_pct(&ivr.hangup_rate),
            fmt_pct(&ivr.routed_rate),
            fmt_pct(&ivr.misroute_rate),
            fmt_plain(&ivr.mean_time_s, 1),
        )?;
        for (name, visits, hang, time) in &ivr.menus {
            writeln!(
                out,
                "  menu {name}: {} visits, {} hang up, {} s",
                fmt_plain(visits, 1),
                fmt_pct(hang),
                fmt_plain(time, 1)
            )?;
        }
        writeln!(out)?;
    }
    let f = &r.flow;
    if f.transfers.mean > 0.0
        || f.callbacks.mean > 0.0
        || f.retrials.mean > 0.0
        || f.lost_at_close.mean > 0.0
    {
        writeln!(
            out,
            "escalations {}, callbacks {}, retrials {}, lost at close {}",
            fmt_plain(&f.transfers, 1),
            fmt_plain(&f.callbacks, 1),
            fmt_plain(&f.retrials, 1),
            fmt_plain(&f.lost_at_close, 1)
        )?;
    }
    for (name, ph) in &f.phase_means_s {
        let parts: Vec<String> = Phase::ALL
            .iter()
            .zip(ph)
            .map(|(p, e)| format!("{} {}", p.name(), fmt_plain(e, 1)))
            .collect();
        writeln!(out, "phases of {name} (s): {}", parts.join(", "))?;
    }
    for (name, e) in &f.agent_hours {
        let cost = f
            .cost
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| format!(", cost {}", fmt_plain(c, 0)))
            .unwrap_or_default();
        writeln!(out, "agent-hours {name}: {}{cost}", fmt_plain(e, 1))?;
    }
    writeln!(out)?;
    if inbound {
        writeln!(
            out,
            "service level = answered within {} s ÷ (answered + abandoned); ASA = mean wait of answered calls.",
            s.service_level_s
        )?;
    }
    if !r.by_campaign.is_empty() {
        writeln!(
            out,
            "abandon rate = people hung up on without an agent (none within connect_within_s, or AMD) ÷ people who answered; contacts = right-party contacts; agent-hours = available hours of the campaign's groups while dialing."
        )?;
    }
    Ok(())
}

fn fmt_plain(e: &Estimate, decimals: usize) -> String {
    if !e.mean.is_finite() {
        return "—".into();
    }
    match e.ci95 {
        Some(h) => format!("{:.*} ± {:.*}", decimals, e.mean, decimals, h),
        None => format!("{:.*}", decimals, e.mean),
    }
}

fn fmt_pct(e: &Estimate) -> String {
    if !e.mean.is_finite() {
        return "—".into();
    }
    match e.ci95 {
        Some(h) => format!("{:.1}% ± {:.1}%", 100.0 * e.mean, 100.0 * h),
        None => format!("{:.1}%", 100.0 * e.mean),
    }
}

/// A sweep's report with what printing it needs.
pub(crate) struct SweepView<'a> {
    pub(crate) report: &'a SweepReport,
    /// The scenario the variants derive from.
    pub(crate) scenario: &'a Scenario,
    pub(crate) precision: Option<&'a PrecisionOutcome>,
}

/// One tidy row of a sweep: variant × scope × KPI.
struct SweepRow<'a> {
    variant: usize,
    scope: &'static str,
    name: &'a str,
    kpi: &'static str,
    mean: f64,
    ci95: Option<f64>,
    diff: Option<(f64, Option<f64>)>,
    n: usize,
}

/// Every row of `r` in order: variant, then scope (all, call types, groups), then
/// KPI. With `all_scopes` false, only the totals.
fn sweep_rows(r: &SweepReport, all_scopes: bool) -> Vec<SweepRow<'_>> {
    let mut rows = Vec::new();
    for (v, vr) in r.variants.iter().enumerate() {
        let mut scopes = vec![("all", "all", &vr.report.kpis, &vr.diff.kpis)];
        if all_scopes {
            scopes.extend(
                vr.report
                    .by_call_type
                    .iter()
                    .zip(&vr.diff.by_call_type)
                    .map(|((n, k), (_, d))| ("call_type", n.as_str(), k, d)),
            );
            scopes.extend(
                vr.report
                    .by_group
                    .iter()
                    .zip(&vr.diff.by_group)
                    .map(|((n, k), (_, d))| ("group", n.as_str(), k, d)),
            );
        }
        for (scope, name, k, d) in scopes {
            for (kpi, e) in &k.entries {
                rows.push(SweepRow {
                    variant: v,
                    scope,
                    name,
                    kpi,
                    mean: e.mean,
                    ci95: e.ci95,
                    diff: d.get(kpi).map(|x| (x.mean, x.ci95)),
                    n: e.n,
                });
            }
        }
    }
    rows
}

fn value_json(x: f64, integer: bool) -> Value {
    if integer { json!(x as i64) } else { json!(x) }
}

/// The sweep as one JSON object: settings, variants, and tidy `rows` (one per
/// variant × scope × KPI).
pub(crate) fn sweep_json(out: &mut impl Write, view: &SweepView<'_>) -> std::io::Result<()> {
    let r = view.report;
    let values = |vals: &[f64]| -> Map<String, Value> {
        r.factors
            .iter()
            .zip(&r.integer)
            .zip(vals)
            .map(|((f, &int), &x)| (f.path.clone(), value_json(x, int)))
            .collect()
    };
    let variants: Vec<Value> = r
        .variants
        .iter()
        .enumerate()
        .map(|(v, vr)| {
            json!({
                "variant": v,
                "values": values(&vr.values),
                "events": vr.report.events,
            })
        })
        .collect();
    let rows: Vec<Value> = sweep_rows(r, true)
        .into_iter()
        .map(|row| {
            let mut m = Map::new();
            m.insert("variant".into(), json!(row.variant));
            m.extend(values(&r.variants[row.variant].values));
            m.insert("scope".into(), json!(row.scope));
            m.insert("name".into(), json!(row.name));
            m.insert("kpi".into(), json!(row.kpi));
            m.insert("mean".into(), json!(row.mean));
            m.insert("ci95".into(), json!(row.ci95));
            m.insert("diff".into(), json!(row.diff.map(|d| d.0)));
            m.insert("diff_ci95".into(), json!(row.diff.and_then(|d| d.1)));
            m.insert("replications".into(), json!(row.n));
            Value::Object(m)
        })
        .collect();
    let mut v = json!({
        "scenario": r.scenario,
        "replications": r.replications,
        "seed": r.seed,
        "streams": r.streams.to_string(),
        "parameters": r.factors.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
        "baseline": r.baseline,
        "events": r.variants.iter().map(|v| v.report.events).sum::<u64>(),
        "variants": variants,
        "rows": rows,
    });
    if let (Some(p), Some(obj)) = (view.precision, v.as_object_mut()) {
        obj.insert("precision".into(), precision_json(p));
    }
    serde_json::to_writer_pretty(&mut *out, &v)?;
    writeln!(out)
}

/// Tidy CSV: `variant,<one column per parameter>,scope,name,kpi,mean,ci95,diff,diff_ci95,replications`.
pub(crate) fn sweep_csv(out: &mut impl Write, view: &SweepView<'_>) -> anyhow::Result<()> {
    let r = view.report;
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["variant".to_string()];
    header.extend(r.factors.iter().map(|f| f.path.clone()));
    header.extend(
        [
            "scope",
            "name",
            "kpi",
            "mean",
            "ci95",
            "diff",
            "diff_ci95",
            "replications",
        ]
        .map(String::from),
    );
    w.write_record(&header)?;
    for row in sweep_rows(r, true) {
        let mut rec = vec![row.variant.to_string()];
        rec.extend(
            r.variants[row.variant]
                .values
                .iter()
                .zip(&r.integer)
                .map(|(&x, &int)| format_value(x, int)),
        );
        rec.extend([
            row.scope.to_string(),
            row.name.to_string(),
            row.kpi.to_string(),
            fmt_num(row.mean),
            row.ci95.map(fmt_num).unwrap_or_default(),
            row.diff.map(|d| fmt_num(d.0)).unwrap_or_default(),
            row.diff.and_then(|d| d.1).map(fmt_num).unwrap_or_default(),
            row.n.to_string(),
        ]);
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

fn is_rate(kpi: &str) -> bool {
    matches!(
        kpi,
        "service_level" | "abandon_rate" | "p_wait" | "occupancy"
    )
}

/// A difference with its sign; rates in percentage points.
fn fmt_signed(kpi: &str, x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    match kpi {
        "offered" | "answered" | "abandoned" => format!("{x:+.1}"),
        k if is_rate(k) => format!("{:+.2} pp", 100.0 * x),
        _ => format!("{x:+.2}"),
    }
}

/// A half-width of a difference; rates in percentage points.
fn fmt_diff_width(kpi: &str, h: f64) -> String {
    if is_rate(kpi) && h.is_finite() {
        format!("{:.2} pp", 100.0 * h)
    } else {
        fmt_kpi(kpi, h)
    }
}

/// The sweep as a readable table: one row per variant × KPI (totals over all
/// call types), with the difference from the baseline.
pub(crate) fn sweep_table(out: &mut impl Write, view: &SweepView<'_>) -> std::io::Result<()> {
    let r = view.report;
    let s = view.scenario;
    let n = r.variants.len();
    writeln!(
        out,
        "{} — sweep of {n} variant{} × {} replication{}, seed {}, {} random numbers, {:.1} h ({:.1} h warm-up)",
        r.scenario,
        if n == 1 { "" } else { "s" },
        r.replications,
        if r.replications == 1 { "" } else { "s" },
        r.seed,
        r.streams,
        s.horizon_h,
        s.warmup_h
    )?;
    if let Some(p) = view.precision {
        writeln!(out, "{}", precision_line(p))?;
    }
    writeln!(
        out,
        "mean ± 95% CI half-width; diff = variant − baseline (variant {}: {}), replication by replication; * = the difference's CI excludes 0",
        r.baseline, r.variants[r.baseline].label
    )?;
    writeln!(out)?;
    let mut header = vec!["variant".to_string()];
    header.extend(r.factors.iter().map(|f| f.path.clone()));
    header.extend(["KPI", "mean ± 95% CI", "diff ± 95% CI"].map(String::from));
    let mut left = vec![false; 1 + r.factors.len()];
    left.push(true);
    let label = |kpi: &str| {
        LABELS
            .iter()
            .find(|(k, _)| *k == kpi)
            .map_or(kpi.to_string(), |(_, l)| l.to_string())
    };
    let rows: Vec<Vec<String>> = sweep_rows(r, false)
        .into_iter()
        .map(|row| {
            let mut cells = vec![row.variant.to_string()];
            cells.extend(
                r.variants[row.variant]
                    .values
                    .iter()
                    .zip(&r.integer)
                    .map(|(&x, &int)| format_value(x, int)),
            );
            cells.push(label(row.kpi));
            cells.push(match row.ci95 {
                Some(h) => format!("{} ± {}", fmt_kpi(row.kpi, row.mean), fmt_kpi(row.kpi, h)),
                None => fmt_kpi(row.kpi, row.mean),
            });
            cells.push(if row.variant == r.baseline {
                "(baseline)".to_string()
            } else {
                match row.diff {
                    None => String::new(),
                    Some((d, None)) => fmt_signed(row.kpi, d),
                    Some((d, Some(h))) => format!(
                        "{} ± {}{}",
                        fmt_signed(row.kpi, d),
                        fmt_diff_width(row.kpi, h),
                        if d.abs() > h { " *" } else { "  " }
                    ),
                }
            });
            cells
        })
        .collect();
    table_aligned(out, &header, &rows, &left)?;
    writeln!(out)?;
    writeln!(
        out,
        "KPIs over all call types; per call type and per agent group: --format json or csv. pp = percentage points."
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

/// The rows of a staffing plan: one per interval.
fn staff_rows(plan: &StaffPlan, s: &Scenario) -> Vec<Value> {
    plan.intervals
        .iter()
        .map(|iv| {
            json!({
                "interval": iv.index,
                "start": clock(s.day_start_h, iv.start_s),
                "end": clock(s.day_start_h, iv.end_s),
                "offered_per_hour": iv.offered_per_hour,
                "aht_s": iv.aht_s,
                "load_erl": iv.load_erl,
                "agents": iv.agents,
                "erlang": iv.erlang,
                "difference": iv.difference(),
                "service_level": iv.service_level.mean,
                "service_level_ci95": iv.service_level.ci95,
                "asa_s": iv.asa_s.mean,
                "asa_s_ci95": iv.asa_s.ci95,
                "abandon_rate": iv.abandon_rate.mean,
                "abandon_rate_ci95": iv.abandon_rate.ci95,
                "met": iv.met,
            })
        })
        .collect()
}

/// `ccsim staff` as one JSON object: the settings, `intervals` (a tidy table, one
/// row per interval) and the totals.
pub(crate) fn staff_json(
    out: &mut impl Write,
    plan: &StaffPlan,
    s: &Scenario,
) -> anyhow::Result<()> {
    let t = &plan.targets;
    let v = json!({
        "scenario": s.name,
        "group": plan.group,
        "target_sl": t.service_level,
        "max_abandon": t.max_abandon,
        "max_asa_s": t.max_asa_s,
        "confidence": t.confidence,
        "replications": plan.replications,
        "seed": plan.seed,
        "evaluations": plan.evaluations,
        "intervals": staff_rows(plan, s),
        "agent_hours": plan.agent_hours,
        "erlang_agent_hours": erlang_hours(plan),
        "cost": plan.cost,
        "erlang_model": if plan.erlang_a { "erlang_a" } else { "erlang_c" },
        "all_met": plan.all_met(),
    });
    serde_json::to_writer_pretty(&mut *out, &v)?;
    writeln!(out)?;
    Ok(())
}

/// Agent-hours of the Erlang staffing (intervals without one count 0).
fn erlang_hours(plan: &StaffPlan) -> f64 {
    plan.intervals
        .iter()
        .map(|iv| f64::from(iv.erlang.unwrap_or(0)) * (iv.end_s - iv.start_s) / 3600.0)
        .sum()
}

/// `ccsim staff` as tidy CSV: one row per interval.
pub(crate) fn staff_csv(
    out: &mut impl Write,
    plan: &StaffPlan,
    s: &Scenario,
) -> anyhow::Result<()> {
    const COLS: [&str; 16] = [
        "interval",
        "start",
        "end",
        "offered_per_hour",
        "aht_s",
        "load_erl",
        "agents",
        "erlang",
        "difference",
        "service_level",
        "service_level_ci95",
        "asa_s",
        "asa_s_ci95",
        "abandon_rate",
        "abandon_rate_ci95",
        "met",
    ];
    let mut w = csv::Writer::from_writer(out);
    w.write_record(std::iter::once("group").chain(COLS))?;
    for row in staff_rows(plan, s) {
        let mut rec = vec![plan.group.clone()];
        for c in COLS {
            rec.push(match &row[c] {
                Value::Null => String::new(),
                Value::String(x) => x.clone(),
                Value::Number(n) => match n.as_f64() {
                    Some(x) if n.is_f64() => fmt_num(x),
                    _ => n.to_string(),
                },
                other => other.to_string(),
            });
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// `ccsim staff` as a readable table.
pub(crate) fn staff_table(
    out: &mut impl Write,
    plan: &StaffPlan,
    s: &Scenario,
) -> anyhow::Result<()> {
    let t = &plan.targets;
    let mut goal = format!("service level ≥ {:.0}%", 100.0 * t.service_level);
    if let Some(a) = t.max_abandon {
        goal.push_str(&format!(", abandonment ≤ {:.1}%", 100.0 * a));
    }
    if let Some(a) = t.max_asa_s {
        goal.push_str(&format!(", ASA ≤ {a} s"));
    }
    writeln!(
        out,
        "{}: staffing of group \"{}\" for {goal} (answered within {} s), met with {:.0}% confidence (one-sided bound), {} replications per candidate, seed {}",
        s.name,
        plan.group,
        s.service_level_s,
        100.0 * t.confidence,
        plan.replications,
        plan.seed
    )?;
    writeln!(out)?;
    let header: Vec<String> = [
        "interval",
        "calls/h",
        "load (Erl)",
        "agents",
        "Erlang",
        "diff",
        "service level",
        "ASA (s)",
        "abandonment",
        "met",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = plan
        .intervals
        .iter()
        .map(|iv| {
            vec![
                format!(
                    "{}–{}",
                    clock(s.day_start_h, iv.start_s),
                    clock(s.day_start_h, iv.end_s)
                ),
                format!("{:.1}", iv.offered_per_hour),
                format!("{:.2}", iv.load_erl),
                iv.agents.to_string(),
                iv.erlang.map_or("—".into(), |e| e.to_string()),
                iv.difference().map_or("—".into(), |d| format!("{d:+}")),
                fmt_pct(&iv.service_level),
                fmt_plain(&iv.asa_s, 1),
                fmt_pct(&iv.abandon_rate),
                if iv.met { "yes" } else { "NO" }.into(),
            ]
        })
        .collect();
    table(out, &header, &rows)?;
    writeln!(out)?;
    writeln!(
        out,
        "agent-hours: {:.1} (Erlang: {:.1}){}",
        plan.agent_hours,
        erlang_hours(plan),
        plan.cost
            .map_or(String::new(), |c| format!("; cost {c:.2}"))
    )?;
    writeln!(
        out,
        "{} candidate plans simulated; Erlang = {} for the interval's offered load (the group alone serving its call types); CIs are 95%.",
        plan.evaluations,
        if plan.erlang_a {
            "Erlang A"
        } else {
            "Erlang C"
        },
    )?;
    Ok(())
}
