//! `ccsim staff`: staffing per interval by simulation, against Erlang.

use sim_core::analytic::{self, QueueParams};

use crate::{ccsim, scratch_file};

/// A stationary M/M/c+M queue (Erlang A): 360 calls/h, 180 s, patience 300 s,
/// three hours in half-hour intervals, no warm-up.
const STATIONARY: &str = r#"Scenario(
    name: "Stationary queue",
    horizon_h: 3.0,
    replications: 40,
    seed: 7,
    service_level_s: 20.0,
    call_types: [
        CallType(
            name: "general",
            arrivals: Poisson(per_hour: 360.0),
            handle_time: Exponential(mean_s: 180.0),
            patience: Exponential(mean_s: 300.0),
        ),
    ],
    agent_groups: [
        AgentGroup(name: "team", count: 20, skills: ["general"], wage_per_hour: 30.0),
    ],
)
"#;

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "ccsim staff failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn staff_agrees_with_erlang_within_one_agent_on_a_stationary_queue() {
    let file = scratch_file("staff-stationary.ron", STATIONARY);
    let staffed = file.with_file_name("staff-stationary-staffed.ron");
    let f = file.to_str().unwrap();
    let out = ccsim(&[
        "staff",
        f,
        "--target-sl",
        "0.8",
        "--format",
        "json",
        "--quiet",
        "--out",
        staffed.to_str().unwrap(),
    ]);
    let v = json(&out);
    let exact = analytic::agents_for_target(
        &QueueParams {
            calls_per_hour: 360.0,
            aht_s: 180.0,
            agents: 1,
            patience_s: Some(300.0),
            sl_s: 20.0,
        },
        0.8,
        None,
        None,
        1000,
    )
    .unwrap();
    let rows = v["intervals"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    let mut counts = Vec::new();
    for row in rows {
        let agents = row["agents"].as_i64().unwrap();
        let erlang = row["erlang"].as_i64().unwrap();
        assert!(
            (agents - erlang).abs() <= 1,
            "interval {}: simulated {agents} vs Erlang {erlang}",
            row["interval"]
        );
        assert!(
            (agents - i64::from(exact)).abs() <= 1,
            "interval {}: simulated {agents} vs exact Erlang A {exact}",
            row["interval"]
        );
        assert_eq!(row["met"], true);
        // The lower confidence bound reaches 0.8, so the mean does too.
        let sl = row["service_level"].as_f64().unwrap();
        assert!(sl >= 0.8, "interval {}: SL {sl}", row["interval"]);
        counts.push(agents as u32);
    }
    assert_eq!(v["all_met"], true);
    assert_eq!(v["erlang_model"], "erlang_a");
    let hours: f64 = counts.iter().map(|&c| f64::from(c) * 0.5).sum();
    assert!((v["agent_hours"].as_f64().unwrap() - hours).abs() < 1e-9);
    assert!((v["cost"].as_f64().unwrap() - 30.0 * hours).abs() < 1e-6);

    // --out writes a valid scenario with the plan.
    let text = std::fs::read_to_string(&staffed).expect("staffed scenario written");
    let s = sim_core::scenario::parse(&text).expect("valid scenario");
    let st = s.agent_groups[0]
        .staffing
        .as_ref()
        .expect("a staffing plan");
    assert_eq!(st.counts, counts);
    assert_eq!(st.interval_min, 30.0);
    assert!(s.agent_groups[0].count.is_none());
}

#[test]
fn staff_csv_is_one_row_per_interval_and_abandonment_targets_add_agents() {
    let file = scratch_file("staff-csv.ron", STATIONARY);
    let f = file.to_str().unwrap();
    let base = ["staff", f, "--target-sl", "0.5", "-r", "10", "-q"];
    let csv_out = ccsim(&[&base[..], &["--format", "csv"]].concat());
    assert!(csv_out.status.success());
    let text = String::from_utf8(csv_out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7, "{text}");
    assert!(
        lines[0].starts_with("group,interval,start,end,"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("team,0,00:00,00:30,"), "{}", lines[1]);

    let loose = json(&ccsim(&[&base[..], &["--format", "json"]].concat()));
    let strict = json(&ccsim(
        &[&base[..], &["--format", "json", "--max-abandon", "0.01"]].concat(),
    ));
    let hours = |v: &serde_json::Value| v["agent_hours"].as_f64().unwrap();
    assert!(hours(&strict) > hours(&loose));
    for row in strict["intervals"].as_array().unwrap() {
        assert_eq!(row["met"], true);
    }
}

#[test]
fn bad_staff_arguments_are_clear_errors() {
    let file = scratch_file("staff-bad.ron", STATIONARY);
    let f = file.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["staff", f], "--target-sl"),
        (
            &["staff", f, "--target-sl", "1.2"],
            "strictly between 0 and 1",
        ),
        (
            &["staff", f, "--target-sl", "0"],
            "strictly between 0 and 1",
        ),
        (
            &["staff", f, "--target-sl", "0.8", "--group", "nobody"],
            "no agent group is called \"nobody\" (known: \"team\")",
        ),
        (
            &["staff", f, "--target-sl", "0.8", "--max-abandon", "1.5"],
            "abandonment rate must lie strictly between 0 and 1",
        ),
    ];
    for (args, expect) in cases {
        let out = ccsim(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}
