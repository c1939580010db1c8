//! The simulator against exact theory: on Erlang C and Erlang A's own assumptions
//! (Poisson arrivals, exponential handle times and patience, one FCFS queue), the
//! simulated KPIs must contain the exact values within their 99 % confidence
//! intervals.
//!
//! The six KPIs of a case are checked *simultaneously* at 99 %: each interval is at
//! level 1 − 0.01/6 (Bonferroni), so a correct engine fails a case with probability
//! at most 1 %. (Six separate 99 % intervals over ten cases would fail a correct
//! engine somewhere about one run in three.) The seed is fixed, chosen once and
//! never tuned per case. Run lengths make the intervals narrow (a few percent):
//! `a_three_percent_error_would_be_detected` shows that a 3 % error in the load
//! is caught by the same intervals.

use std::sync::Arc;

use sim_core::analytic::{self, QueueParams};
use sim_core::{Model, RunConfig, experiment, scenario};

struct Case {
    calls_per_hour: f64,
    aht_s: f64,
    agents: u32,
    patience_s: Option<f64>,
    horizon_h: f64,
    warmup_h: f64,
    replications: u32,
}

fn scenario_text(c: &Case) -> String {
    let patience = c
        .patience_s
        .map(|p| format!("patience: Exponential(mean_s: {p:?}),"))
        .unwrap_or_default();
    format!(
        r#"Scenario(
    name: "erlang case",
    horizon_h: {:?},
    warmup_h: {:?},
    replications: {},
    seed: 20261123,
    service_level_s: 20.0,
    call_types: [CallType(name: "q", arrivals: Poisson(per_hour: {:?}),
                          handle_time: Exponential(mean_s: {:?}), {patience})],
    agent_groups: [AgentGroup(name: "agents", count: {}, skills: ["q"])],
)"#,
        c.horizon_h, c.warmup_h, c.replications, c.calls_per_hour, c.aht_s, c.agents
    )
}

/// Confidence level of each KPI's interval: 99 % simultaneously over six KPIs.
const LEVEL: f64 = 1.0 - 0.01 / 6.0;

fn check(c: Case) {
    let params = QueueParams {
        calls_per_hour: c.calls_per_hour,
        aht_s: c.aht_s,
        agents: c.agents,
        patience_s: c.patience_s,
        sl_s: 20.0,
    };
    let exact = analytic::evaluate(&params).expect("exact values");
    let s = scenario::parse(&scenario_text(&c)).expect("valid scenario");
    let model = Arc::new(Model::new(&s).unwrap());
    let report = experiment::run(&model, &RunConfig::from_model(&model), &|| {}).unwrap();
    for rep in &report.reps {
        let k = rep.kpis();
        assert_eq!(k.offered, k.answered + k.abandoned, "conservation");
    }
    // (KPI, exact value, the absolute width below which an interval counts as
    // informative even when it is wide relative to a tiny value).
    let checks = [
        ("p_wait", exact.p_wait, 0.01),
        ("asa_s", exact.asa_s, 0.5),
        ("service_level", exact.service_level, 0.01),
        ("abandon_rate", exact.abandon_rate, 0.01),
        ("occupancy", exact.occupancy, 0.01),
        ("mean_queue_len", exact.mean_queue_len, 0.1),
    ];
    let mut failures = Vec::new();
    for (kpi, x, floor) in checks {
        let e = report.kpis.get(kpi).expect("kpi present");
        if c.patience_s.is_none() && kpi == "abandon_rate" {
            assert_eq!(e.mean, 0.0);
            continue;
        }
        let h = e.half_width(LEVEL).unwrap();
        if (e.mean - x).abs() > h {
            failures.push(format!(
                "{kpi}: simulated {:.6} ± {:.6}, exact {x:.6}",
                e.mean, h
            ));
        }
        // The interval is informative: within 7.5 % of the value (or the floor).
        assert!(
            h <= (0.075 * x.abs()).max(floor),
            "{kpi}: interval too wide ({h} for {x})"
        );
    }
    assert!(
        failures.is_empty(),
        "{} agents, {} calls/h, patience {:?}:\n{}",
        c.agents,
        c.calls_per_hour,
        c.patience_s,
        failures.join("\n")
    );
}

// ---- Erlang C ---------------------------------------------------------------------

#[test]
fn erlang_c_one_agent() {
    check(Case {
        calls_per_hour: 12.0,
        aht_s: 180.0,
        agents: 1,
        patience_s: None,
        horizon_h: 600.0,
        warmup_h: 5.0,
        replications: 20,
    });
}

#[test]
fn erlang_c_20_agents_rho_090() {
    check(Case {
        calls_per_hour: 360.0,
        aht_s: 180.0,
        agents: 20,
        patience_s: None,
        horizon_h: 300.0,
        warmup_h: 4.0,
        replications: 20,
    });
}

#[test]
fn erlang_c_185_agents_rho_097() {
    check(Case {
        calls_per_hour: 3600.0,
        aht_s: 180.0,
        agents: 185,
        patience_s: None,
        horizon_h: 700.0,
        warmup_h: 3.0,
        replications: 20,
    });
}

#[test]
fn erlang_c_500_agents_lightly_loaded() {
    check(Case {
        calls_per_hour: 9000.0,
        aht_s: 180.0,
        agents: 500,
        patience_s: None,
        horizon_h: 40.0,
        warmup_h: 0.5,
        replications: 10,
    });
}

// ---- Erlang A ---------------------------------------------------------------------

#[test]
fn erlang_a_one_agent_overloaded() {
    check(Case {
        calls_per_hour: 30.0,
        aht_s: 180.0,
        agents: 1,
        patience_s: Some(120.0),
        horizon_h: 100.0,
        warmup_h: 2.0,
        replications: 20,
    });
}

#[test]
fn erlang_a_20_agents() {
    check(Case {
        calls_per_hour: 360.0,
        aht_s: 180.0,
        agents: 20,
        patience_s: Some(300.0),
        horizon_h: 60.0,
        warmup_h: 2.0,
        replications: 20,
    });
}

#[test]
fn erlang_a_190_agents() {
    check(Case {
        calls_per_hour: 3600.0,
        aht_s: 180.0,
        agents: 190,
        patience_s: Some(300.0),
        horizon_h: 80.0,
        warmup_h: 1.0,
        replications: 20,
    });
}

#[test]
fn erlang_a_170_agents_overloaded() {
    check(Case {
        calls_per_hour: 3600.0,
        aht_s: 180.0,
        agents: 170,
        patience_s: Some(300.0),
        horizon_h: 16.0,
        warmup_h: 1.0,
        replications: 20,
    });
}

#[test]
fn erlang_a_150_agents_heavily_overloaded() {
    check(Case {
        calls_per_hour: 3600.0,
        aht_s: 180.0,
        agents: 150,
        patience_s: Some(300.0),
        horizon_h: 20.0,
        warmup_h: 1.0,
        replications: 20,
    });
}

#[test]
fn erlang_a_500_agents() {
    check(Case {
        calls_per_hour: 10000.0,
        aht_s: 180.0,
        agents: 500,
        patience_s: Some(300.0),
        horizon_h: 100.0,
        warmup_h: 1.0,
        replications: 16,
    });
}

/// A wrong engine must fail: the same check against a value 3 % off is rejected.
#[test]
fn a_three_percent_error_would_be_detected() {
    let c = Case {
        calls_per_hour: 360.0,
        aht_s: 180.0,
        agents: 20,
        patience_s: Some(300.0),
        horizon_h: 40.0,
        warmup_h: 2.0,
        replications: 20,
    };
    let params = QueueParams {
        calls_per_hour: c.calls_per_hour * 1.03,
        aht_s: c.aht_s,
        agents: c.agents,
        patience_s: c.patience_s,
        sl_s: 20.0,
    };
    let wrong = analytic::evaluate(&params).unwrap();
    let s = scenario::parse(&scenario_text(&c)).unwrap();
    let model = Arc::new(Model::new(&s).unwrap());
    let report = experiment::run(&model, &RunConfig::from_model(&model), &|| {}).unwrap();
    let missed = [
        ("asa_s", wrong.asa_s),
        ("service_level", wrong.service_level),
        ("abandon_rate", wrong.abandon_rate),
        ("occupancy", wrong.occupancy),
    ]
    .iter()
    .filter(|(k, x)| !report.kpis.get(k).unwrap().covers(*x, LEVEL))
    .count();
    assert!(
        missed >= 3,
        "only {missed} of 4 KPIs told a 3% heavier load apart"
    );
}
