//! What-if sweeps end to end: parameter paths, value ranges, common random
//! numbers, thread independence, shards and merges, sequential precision, plots.

use std::path::PathBuf;
use std::process::Output;

use sim_core::experiment::sweep::{self, Factor, Streams, Sweep, SweepConfig};
use sim_core::scenario;

use crate::{ccsim, root};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch folder for this test's files.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("it")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("one JSON object")
}

const SQ: &str = "scenarios/single-queue.ron";

#[test]
fn a_bad_path_is_refused_with_the_valid_paths() {
    let o = ccsim(&["sweep", SQ, "--vary", "agent_groups[team].cnt=18,19", "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(
        err.contains("`agent_groups[team]` has no field `cnt`"),
        "{err}"
    );
    for valid in [
        "\n  agent_groups[team].count\n",
        "\n  arrival_scale\n",
        "\n  service_level_s\n",
        "\n  call_types[general].handle_time.mean_s\n",
        "\n  call_types[general].arrivals.per_hour\n",
    ] {
        assert!(err.contains(valid), "{valid:?} missing from:\n{err}");
    }
    // A name that no element has lists the names there are.
    let o = ccsim(&["sweep", SQ, "--vary", "agent_groups[tema].count=18", "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("names: \"team\""), "{}", stderr(&o));
}

#[test]
fn ranges_and_lists_parse_into_variants() {
    let v = json(&ccsim(&[
        "sweep",
        SQ,
        "--vary",
        "agent_groups[0].count=18..20",
        "--vary",
        "arrival_scale=0.9..1.1:0.1",
        "-r",
        "2",
        "-f",
        "json",
        "-q",
    ]));
    let variants = v["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 9);
    let values: Vec<(u64, f64)> = variants
        .iter()
        .map(|x| {
            (
                x["values"]["agent_groups[0].count"].as_u64().unwrap(),
                x["values"]["arrival_scale"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(values[0], (18, 0.9));
    assert_eq!(values[1], (18, 1.0));
    assert_eq!(values[2], (18, 1.1));
    assert_eq!(values[8], (20, 1.1));
    assert_eq!(
        v["parameters"],
        serde_json::json!(["agent_groups[0].count", "arrival_scale"])
    );
    // Tidy rows: one per variant × scope × KPI, with the values as columns.
    let rows = v["rows"].as_array().unwrap();
    let row = rows
        .iter()
        .find(|r| r["variant"] == 4 && r["scope"] == "all" && r["kpi"] == "service_level")
        .unwrap();
    assert_eq!(row["agent_groups[0].count"], 19);
    assert_eq!(row["arrival_scale"], 1.0);
    for key in ["mean", "ci95", "diff", "diff_ci95"] {
        assert!(row[key].is_number(), "{key}: {row}");
    }

    // A list, and a step through the enum tag of the handle-time distribution.
    let v = json(&ccsim(&[
        "sweep",
        SQ,
        "--vary",
        "call_types[general].handle_time.mean_s=170,180,195.5",
        "-r",
        "2",
        "-f",
        "json",
        "-q",
    ]));
    let means: Vec<f64> = v["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x["values"]["call_types[general].handle_time.mean_s"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert_eq!(means, vec![170.0, 180.0, 195.5]);

    let o = ccsim(&["sweep", SQ, "--vary", "arrival_scale=1.2..1.0", "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("runs downwards"), "{}", stderr(&o));
}

#[test]
fn bad_values_are_refused_before_anything_runs() {
    let o = ccsim(&[
        "sweep",
        SQ,
        "--vary",
        "agent_groups[team].count=18,2.5",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("agent_groups[team].count takes whole numbers; 2.5 is not one"),
        "{}",
        stderr(&o)
    );
    // A value that makes the scenario invalid is a scenario problem: exit 1.
    let o = ccsim(&[
        "sweep",
        SQ,
        "--vary",
        "call_types[general].patience.mean_s=300,0",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(
        stderr(&o).contains("variant 1 (call_types[general].patience.mean_s=0)"),
        "{}",
        stderr(&o)
    );
    for args in [
        &["sweep", SQ, "-q"][..],
        &["sweep", SQ, "--vary", "arrival_scale", "-q"],
        &[
            "sweep",
            SQ,
            "--vary",
            "arrival_scale=1",
            "--baseline",
            "1",
            "-q",
        ],
        &[
            "sweep",
            SQ,
            "--vary",
            "arrival_scale=1",
            "--plot",
            "x.jpg",
            "-q",
        ],
        &[
            "sweep",
            SQ,
            "--vary",
            "arrival_scale=1",
            "--threads",
            "0",
            "-q",
        ],
        &[
            "sweep",
            SQ,
            "--vary",
            "arrival_scale=1",
            "--precision",
            "-1",
            "-q",
        ],
    ] {
        let o = ccsim(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}");
    }
}

/// Runs `factor` (two values) on `scenario` with common and with independent
/// random numbers and returns, per KPI, the ratio of the 95 % half-widths of the
/// difference `variant 1 − variant 0` (independent ÷ common).
///
/// Point it at another scenario with `CCSIM_CRN_SCENARIO=path` and
/// `CCSIM_CRN_VARY='PATH=A,B'`.
fn crn_narrowing(scenario: &str, factor: &str, replications: u32) -> Vec<(&'static str, f64)> {
    let src = std::fs::read_to_string(root().join(scenario)).expect("scenario file");
    let s = scenario::parse(&src).expect("valid scenario");
    let factor: Factor = factor.parse().expect("PATH=A,B");
    let sweep = Sweep::new(&s, &[factor]).expect("valid sweep");
    let width = |streams| {
        let cfg = SweepConfig {
            replications,
            seed: 2024,
            threads: None,
            streams,
            baseline: 0,
        };
        let r = sweep::run(&sweep, &cfg, &|_| {}).expect("runs");
        r.variants[1].diff.kpis.clone()
    };
    let (common, independent) = (width(Streams::Common), width(Streams::Independent));
    ["service_level", "abandon_rate", "asa_s", "answered"]
        .into_iter()
        .map(|kpi| {
            let w = |k: &sim_core::stats::KpiEstimates| k.get(kpi).and_then(|e| e.ci95).unwrap();
            (kpi, w(&independent) / w(&common))
        })
        .collect()
}

#[test]
fn common_random_numbers_narrow_the_difference_ci_at_least_3x() {
    let scenario = std::env::var("CCSIM_CRN_SCENARIO").unwrap_or_else(|_| SQ.to_string());
    let factor = std::env::var("CCSIM_CRN_VARY")
        .unwrap_or_else(|_| "agent_groups[team].count=18,19".to_string());
    for (kpi, ratio) in crn_narrowing(&scenario, &factor, 30) {
        assert!(
            ratio >= 3.0,
            "{scenario} {factor}: {kpi}: the independent-streams CI is only {ratio:.2}× the CRN one"
        );
    }
}

/// The same on the retail-bank day (IVR, three call types and groups, shifts with
/// breaks, shrinkage, day-to-day busyness): one more generalist on the early
/// shift.
#[test]
fn common_random_numbers_narrow_the_difference_ci_at_least_3x_on_the_retail_bank() {
    let factor = "agent_groups[generalists].shifts[0].count=16,17";
    for (kpi, ratio) in crn_narrowing("scenarios/retail-bank.ron", factor, 40) {
        eprintln!("retail bank {factor}: {kpi}: independent / common CI = {ratio:.2}");
        assert!(
            ratio >= 3.0,
            "retail bank {factor}: {kpi}: the independent-streams CI is only {ratio:.2}× the CRN one"
        );
    }
}

fn sweep_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "sweep",
        SQ,
        "--vary",
        "agent_groups[team].count=18..20",
        "-r",
        "5",
        "--baseline",
        "1",
        "-q",
    ];
    a.extend_from_slice(extra);
    a
}

#[test]
fn sweep_output_is_identical_whatever_the_thread_count() {
    for format in ["json", "table", "csv"] {
        let one = ccsim(&sweep_args(&["-f", format, "--threads", "1"]));
        let two = ccsim(&sweep_args(&["-f", format, "--threads", "2"]));
        assert!(one.status.success() && two.status.success());
        assert!(!one.stdout.is_empty());
        assert_eq!(one.stdout, two.stdout, "{format}");
    }
}

#[test]
fn shard_and_merge_print_the_unsharded_output_byte_for_byte() {
    let dir = scratch_dir("shards");
    // 3 variants × 5 replications = 15 pairs over 4 shards (uneven on purpose).
    let parts: Vec<String> = (1..=4)
        .map(|k| {
            let out = dir.join(format!("part-{k}.json"));
            let shard = format!("{k}/4");
            let o = ccsim(&sweep_args(&[
                "--shard",
                &shard,
                "--out",
                out.to_str().unwrap(),
            ]));
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(o.stdout.is_empty());
            out.to_str().unwrap().to_string()
        })
        .collect();
    let svg_whole = dir.join("whole.svg");
    let svg_merged = dir.join("merged.svg");
    for format in ["json", "table", "csv"] {
        let whole = ccsim(&sweep_args(&[
            "-f",
            format,
            "--plot",
            svg_whole.to_str().unwrap(),
        ]));
        assert!(whole.status.success(), "{}", stderr(&whole));
        // Shards in any order.
        let mut args = vec![
            "merge",
            "-f",
            format,
            "--plot",
            svg_merged.to_str().unwrap(),
        ];
        args.extend(parts.iter().rev().map(String::as_str));
        let merged = ccsim(&args);
        assert!(merged.status.success(), "{}", stderr(&merged));
        assert_eq!(stdout(&merged), stdout(&whole), "{format}");
        assert_eq!(
            std::fs::read(&svg_merged).unwrap(),
            std::fs::read(&svg_whole).unwrap()
        );
    }

    // Incomplete or inconsistent sets are refused, naming the problem.
    let o = ccsim(&["merge", &parts[0], &parts[1], &parts[3]]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("shard 3/4 is missing"),
        "{}",
        stderr(&o)
    );
    let o = ccsim(&[
        "merge", &parts[0], &parts[1], &parts[1], &parts[2], &parts[3],
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("shard 2/4 is given twice"),
        "{}",
        stderr(&o)
    );
    let other = dir.join("other-seed.json");
    let o = ccsim(&sweep_args(&[
        "--seed",
        "77",
        "--shard",
        "3/4",
        "--out",
        other.to_str().unwrap(),
    ]));
    assert!(o.status.success());
    let o = ccsim(&[
        "merge",
        &parts[0],
        &parts[1],
        other.to_str().unwrap(),
        &parts[3],
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("other-seed.json does not belong with") && stderr(&o).contains("seed"),
        "{}",
        stderr(&o)
    );
    let o = ccsim(&["merge", "scenarios/single-queue.ron"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not JSON"), "{}", stderr(&o));
    // --shard needs --out, and a valid K/N; --precision cannot be sharded.
    for extra in [
        &["--shard", "1/2"][..],
        &["--shard", "3/2", "--out", "x.json"],
        &["--shard", "1/2", "--out", "x.json", "--precision", "0.1"],
    ] {
        let o = ccsim(&sweep_args(extra));
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
    }
}

/// Every KPI with a nonzero mean has a relative 95 % half-width below `x`.
fn assert_precise(scope: &serde_json::Value, x: f64, what: &str) {
    for (kpi, e) in scope.as_object().unwrap() {
        let (mean, h) = (e["mean"].as_f64(), e["ci95"].as_f64());
        if let (Some(m), Some(h)) = (mean, h)
            && m != 0.0
        {
            assert!(h / m.abs() < x, "{what} {kpi}: ±{h} around {m}");
        }
    }
}

#[test]
fn precision_reaches_the_target_and_equals_a_fixed_run() {
    let v = json(&ccsim(&[
        "run",
        SQ,
        "-r",
        "5",
        "--precision",
        "0.04",
        "-f",
        "json",
        "-q",
    ]));
    assert_eq!(v["precision"]["reached"], true, "{}", v["precision"]);
    let n = v["replications"].as_u64().unwrap();
    assert!(n > 5);
    assert_precise(&v["kpis"], 0.04, "all");
    assert_precise(&v["by_call_type"]["general"], 0.04, "general");
    assert_precise(&v["by_group"]["team"], 0.04, "team");
    // The same numbers as a fixed run of n replications.
    let fixed = json(&ccsim(&[
        "run",
        SQ,
        "-r",
        &n.to_string(),
        "-f",
        "json",
        "-q",
    ]));
    assert_eq!(fixed["kpis"], v["kpis"]);
    assert_eq!(fixed["by_group"], v["by_group"]);

    // A sweep: every variant reaches it, with one replication count for all.
    let v = json(&ccsim(&[
        "sweep",
        SQ,
        "--vary",
        "agent_groups[team].count=19,21",
        "-r",
        "4",
        "--precision",
        "0.06",
        "-f",
        "json",
        "-q",
    ]));
    assert_eq!(v["precision"]["reached"], true);
    for row in v["rows"].as_array().unwrap() {
        let (m, h) = (row["mean"].as_f64(), row["ci95"].as_f64());
        if let (Some(m), Some(h)) = (m, h)
            && m != 0.0
        {
            assert!(h / m.abs() < 0.06, "{row}");
        }
    }
    // An unreachable target stops at the cap and says so.
    let o = ccsim(&[
        "run",
        SQ,
        "-r",
        "3",
        "--precision",
        "0.0001",
        "--max-replications",
        "8",
        "-f",
        "json",
    ]);
    let v = json(&o);
    assert_eq!(v["replications"], 8);
    assert_eq!(v["precision"]["reached"], false);
    assert!(stderr(&o).contains("not reached"), "{}", stderr(&o));
}

#[test]
fn plots_are_written_as_svg_and_png() {
    let dir = scratch_dir("plots");
    let svg = dir.join("staffing.svg");
    let png = dir.join("staffing.png");
    for path in [&svg, &png] {
        let o = ccsim(&[
            "sweep",
            SQ,
            "--vary",
            "agent_groups[team].count=17..21",
            "-r",
            "3",
            "-f",
            "csv",
            "-q",
            "--plot",
            path.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..80.min(text.len())]);
    // A staffing sweep of an Erlang queue: the exact curve is drawn beside.
    assert!(text.contains("Erlang A (exact)"));
    assert!(text.contains("service level"));
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.len() > 10_000, "{} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");

    // Not the staffing: no Erlang curve.
    let other = dir.join("volume.svg");
    let o = ccsim(&[
        "sweep",
        SQ,
        "--vary",
        "arrival_scale=0.9,1,1.1",
        "-r",
        "3",
        "-q",
        "--plot",
        other.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&other).unwrap();
    assert!(text.starts_with("<svg") && !text.contains("Erlang"));
}
