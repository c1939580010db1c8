//! The `ccsim` command line, end to end.

use crate::{ccsim, reference_cases, scratch_file};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_json_has_every_kpi_with_a_ci() {
    let o = ccsim(&[
        "run",
        "scenarios/single-queue.ron",
        "-r",
        "4",
        "--format",
        "json",
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["scenario"], "Single queue");
    assert_eq!(v["replications"], 4);
    assert_eq!(v["seed"], 1);
    assert!(v["events"].as_u64().unwrap() > 10_000);
    for kpi in [
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "asa_s",
        "abandon_rate",
        "p_wait",
        "occupancy",
        "aht_s",
        "mean_queue_len",
    ] {
        for scope in [&v["kpis"], &v["by_call_type"]["general"]] {
            let e = &scope[kpi];
            assert!(e["mean"].is_number(), "{kpi}: {e}");
            assert!(e["ci95"].as_f64().unwrap() >= 0.0, "{kpi}: {e}");
        }
    }
    assert!(v["by_group"]["team"]["occupancy"]["mean"].as_f64().unwrap() > 0.5);
    // Conservation in the means as well.
    let k = &v["kpis"];
    let (o_, a, b) = (
        k["offered"]["mean"].as_f64().unwrap(),
        k["answered"]["mean"].as_f64().unwrap(),
        k["abandoned"]["mean"].as_f64().unwrap(),
    );
    assert!((o_ - a - b).abs() < 1e-9);
}

#[test]
fn json_is_identical_whatever_the_thread_count() {
    let one = ccsim(&[
        "run",
        "scenarios/single-queue.ron",
        "-r",
        "6",
        "-f",
        "json",
        "-q",
        "--threads",
        "1",
    ]);
    let two = ccsim(&[
        "run",
        "scenarios/single-queue.ron",
        "-r",
        "6",
        "-f",
        "json",
        "-q",
        "--threads",
        "2",
    ]);
    assert!(one.status.success() && two.status.success());
    assert_eq!(stdout(&one), stdout(&two));
    // And a different seed gives different numbers.
    let other = ccsim(&[
        "run",
        "scenarios/single-queue.ron",
        "-r",
        "6",
        "-f",
        "json",
        "-q",
        "--seed",
        "2",
    ]);
    assert_ne!(stdout(&one), stdout(&other));
}

#[test]
fn table_and_csv_formats() {
    let o = ccsim(&["run", "scenarios/single-queue.ron", "-r", "3"]);
    assert!(o.status.success());
    let t = stdout(&o);
    assert!(
        t.contains("service level") && t.contains("±") && t.contains("team"),
        "{t}"
    );
    assert!(
        stderr(&o).contains("events/s"),
        "events/s is reported on stderr"
    );

    let o = ccsim(&[
        "run",
        "scenarios/single-queue.ron",
        "-r",
        "3",
        "-f",
        "csv",
        "-q",
    ]);
    assert!(o.status.success());
    let csv = stdout(&o);
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header.starts_with("scope,name,interval,start,end,offered,offered_ci95,answered,"),
        "{header}"
    );
    assert!(header.ends_with(",replications"));
    let columns = header.split(',').count();
    assert!(
        csv.lines().all(|l| l.split(',').count() == columns),
        "a rectangular table"
    );
    assert!(csv.contains("\nall,all,all,00:30,08:00,"));
    assert!(csv.contains("\ncall_type,general,all,"));
    assert!(csv.contains("\ngroup,team,all,"));
    // One row per interval × call type (16 half-hours), plus one per interval overall.
    assert_eq!(
        csv.lines()
            .filter(|l| l.starts_with("interval,general,"))
            .count(),
        16
    );
    assert!(csv.contains("\ninterval,general,3,01:30,02:00,"));
    assert!(stderr(&o).is_empty(), "--quiet prints nothing on stderr");
}

#[test]
fn timings_are_opt_in() {
    let o = ccsim(&[
        "run",
        "scenarios/single-queue.ron",
        "-r",
        "2",
        "-f",
        "json",
        "-q",
        "--timings",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["timing"]["events_per_s"].as_f64().unwrap() > 0.0);
}

#[test]
fn check_accepts_every_bundled_scenario() {
    for entry in std::fs::read_dir(crate::root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        // classroom-*.ron are training exercises, not scenarios: sim-core's
        // training tests validate them (`training::validate_exercise`).
        let exercise = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("classroom-"));
        if path.extension().is_some_and(|e| e == "ron") && !exercise {
            let o = ccsim(&["check", path.to_str().unwrap()]);
            assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
        }
    }
}

/// Each bad file gives exit code 1 and a located message naming the problem.
#[test]
fn bad_scenarios_are_refused_with_file_line_col() {
    let good = std::fs::read_to_string(crate::root().join("scenarios/single-queue.ron")).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "unknown-field.ron",
            good.replace("seed: 1,", "seed: 1,\n    colour: 3,"),
            ":8:5:",
        ),
        (
            "negative-rate.ron",
            good.replace("360.0", "-360.0"),
            ":12:41:",
        ),
        (
            "zero-rate.ron",
            good.replace("360.0", "0.0"),
            "per_hour must be",
        ),
        (
            "zero-agents-no-patience.ron",
            good.replace("count: 20", "count: 0")
                .replace("patience: Exponential(mean_s: 300.0),", ""),
            "no agent can take",
        ),
        (
            "bad-skill.ron",
            good.replace(r#"["general"]"#, r#"["genral"]"#),
            ":18:54:",
        ),
        ("empty.ron", String::new(), ":1:1:"),
        (
            "json.ron",
            "{\"name\": \"not ron\", \"agents\": 3}".into(),
            ":1:",
        ),
        ("binary.ron", "\u{7f}ELF\u{0}\u{0}".into(), ":1:"),
    ];
    for (name, text, expect) in cases {
        let path = scratch_file(name, &text);
        let o = ccsim(&["check", path.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.contains(&format!(
                "{name}{}",
                if expect.starts_with(':') { expect } else { "" }
            )) || (!expect.starts_with(':') && err.contains(expect)),
            "{name}: expected {expect:?} in:\n{err}"
        );
        assert!(!err.contains("panicked"), "{name}: {err}");
        // `run` refuses the same file the same way, before simulating anything.
        let o = ccsim(&["run", path.to_str().unwrap(), "-q"]);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn missing_file_is_a_clear_error() {
    let o = ccsim(&["check", "scenarios/does-not-exist.ron"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read scenario file scenarios/does-not-exist.ron"));
}

#[test]
fn erlang_matches_the_reference_values_to_1e9() {
    let cases = reference_cases();
    for case in cases["cases"].as_array().unwrap() {
        let i = &case["inputs"];
        let mut args = vec![
            "erlang".to_string(),
            "--calls-per-hour".into(),
            i["calls_per_hour"].to_string(),
            "--aht-s".into(),
            i["aht_s"].to_string(),
            "--agents".into(),
            i["agents"].to_string(),
            "--sl-s".into(),
            i["sl_s"].to_string(),
            "--format".into(),
            "json".into(),
        ];
        if let Some(p) = i["patience_s"].as_f64() {
            args.push("--patience-s".into());
            args.push(p.to_string());
        }
        let args: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        let o = ccsim(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["model"], case["kind"]);
        for (kpi, exact) in case["exact"].as_object().unwrap() {
            let exact = exact.as_f64().unwrap();
            let got = v["kpis"][kpi].as_f64().unwrap();
            let tol = 1e-9 * exact.abs().max(1e-3);
            assert!(
                (got - exact).abs() <= tol,
                "{case}: {kpi} = {got}, exact {exact}"
            );
        }
    }
}

#[test]
fn erlang_target_sl_finds_the_fewest_agents() {
    let o = ccsim(&[
        "erlang",
        "--calls-per-hour",
        "360",
        "--aht-s",
        "180",
        "--target-sl",
        "0.8",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = v["fewest_agents"].as_u64().unwrap();
    assert!(v["kpis"]["service_level"].as_f64().unwrap() >= 0.8);
    // One agent fewer misses the target.
    let o = ccsim(&[
        "erlang",
        "--calls-per-hour",
        "360",
        "--aht-s",
        "180",
        "--agents",
        &(c - 1).to_string(),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["kpis"]["service_level"].as_f64().unwrap() < 0.8);
}

#[test]
fn erlang_refuses_nonsense() {
    let o = ccsim(&[
        "erlang",
        "--calls-per-hour",
        "360",
        "--aht-s",
        "180",
        "--agents",
        "10",
    ]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "Erlang C with load 18 > 10 agents is unstable"
    );
    assert!(stderr(&o).contains("error"));
    let o = ccsim(&[
        "erlang",
        "--calls-per-hour",
        "-1",
        "--aht-s",
        "180",
        "--agents",
        "10",
    ]);
    assert_eq!(o.status.code(), Some(2));
    // Overloaded Erlang A is fine: callers abandon.
    let o = ccsim(&[
        "erlang",
        "--calls-per-hour",
        "360",
        "--aht-s",
        "180",
        "--agents",
        "10",
        "--patience-s",
        "60",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}
