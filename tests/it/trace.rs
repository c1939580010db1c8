//! `ccsim run --record`, `ccsim replay` and `ccsim calibrate`, end to end.

use std::path::PathBuf;

use crate::{ccsim, root, scratch_file};
use sim_core::trace::{read_trace, write_trace};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh path in the scratch folder (the file is not created).
fn scratch_path(name: &str) -> PathBuf {
    let path = scratch_file(name, "");
    let _ = std::fs::remove_file(&path);
    path
}

fn record(name: &str) -> PathBuf {
    let trace = scratch_path(name);
    let o = ccsim(&[
        "run",
        "scenarios/single-queue.ron",
        "--record",
        trace.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1 replication, seed 1"),
        "{}",
        stdout(&o)
    );
    trace
}

#[test]
fn a_recorded_run_replays_without_divergence_and_exports() {
    let trace = record("replay-ok.trace");
    let jsonl = scratch_path("events.jsonl");
    let csv = scratch_path("events.csv");
    let o = ccsim(&[
        "replay",
        trace.to_str().unwrap(),
        "--export",
        jsonl.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("identical to the recording"), "{out}");
    assert!(out.contains("service level"), "{out}");
    assert!(out.contains("calls per hour: 0h "), "{out}");
    assert!(out.contains("peak queue: "), "{out}");

    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let t = read_trace(std::fs::File::open(&trace).unwrap()).unwrap();
    assert_eq!(rows.len(), t.events().count());
    // The agents log on at time 0, then the first call arrives.
    assert_eq!(rows[0]["kind"], "agent");
    assert_eq!(rows[0]["detail"], "idle");
    let first_call = rows
        .iter()
        .find(|r| r["kind"] == "arrived")
        .expect("calls arrive");
    assert_eq!(first_call["call_type"], "general");
    assert!(first_call["agent"].is_null());
    assert!(
        rows.iter()
            .any(|r| r["kind"] == "answered" && r["wait_s"].is_number())
    );

    let o = ccsim(&[
        "replay",
        trace.to_str().unwrap(),
        "--export",
        csv.to_str().unwrap(),
        "-f",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    assert_eq!(v["replications"], 1);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("t_s,kind,call,call_type,agent,wait_s,detail")
    );
    assert_eq!(lines.count(), rows.len());

    let o = ccsim(&["replay", trace.to_str().unwrap(), "--export", "events.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("must end in .jsonl or .csv"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn record_refuses_several_replications() {
    let trace = scratch_path("many.trace");
    let o = ccsim(&[
        "run",
        "scenarios/single-queue.ron",
        "--record",
        trace.to_str().unwrap(),
        "-r",
        "3",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--record records one replication"),
        "{}",
        stderr(&o)
    );
    assert!(!trace.exists());
}

#[test]
fn an_altered_scenario_diverges_with_exit_1() {
    let trace = record("altered.trace");
    let mut t = read_trace(std::fs::File::open(&trace).unwrap()).unwrap();
    t.header.scenario_ron = t.header.scenario_ron.replace(
        "handle_time: Exponential(mean_s: 180.0)",
        "handle_time: Exponential(mean_s: 181.0)",
    );
    assert!(
        t.header.scenario_ron.contains("181.0"),
        "the scenario changed"
    );
    let altered = scratch_path("altered2.trace");
    write_trace(std::fs::File::create(&altered).unwrap(), &t).unwrap();
    let o = ccsim(&["replay", altered.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("the replay diverged from the recording at event #"),
        "{err}"
    );
    assert!(
        err.contains("recorded:") && err.contains("re-simulated:"),
        "{err}"
    );
}

#[test]
fn broken_trace_files_are_clear_errors() {
    let trace = record("broken.trace");
    let bytes = std::fs::read(&trace).unwrap();
    let cut = scratch_path("cut.trace");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = ccsim(&["replay", cut.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the trace is truncated at byte"),
        "{}",
        stderr(&o)
    );

    let o = ccsim(&["replay", "scenarios/single-queue.ron"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a ccsim trace"), "{}", stderr(&o));

    let mut v2 = bytes.clone();
    v2[8] = 2;
    let newer = scratch_path("newer.trace");
    std::fs::write(&newer, &v2).unwrap();
    let o = ccsim(&["replay", newer.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("trace format version 2 is not supported"),
        "{}",
        stderr(&o)
    );
}

const CSV_LOG: &str = "\
arrival,call_type,handle_s,outcome,wait_s,agent
2024-03-04 09:00:05,sales,120,served,0,ann
2024-03-04 09:01:00,sales,,abandoned,40,
2024-03-04 09:02:10,sales,200,served,12,bob
2024-03-04 09:05:00,support,300,served,0,ann
2024-03-04 09:06:00,support,250,served,30,bob
2024-03-04 09:07:00,support,,abandoned,,
2024-03-04 09:09:00,sales,90,served,5,ann
2024-03-05 10:00:00,sales,150,served,0,bob
2024-03-05 10:03:00,support,400,served,3,ann
2024-03-05 10:04:00,sales,,abandoned,80,
";

#[test]
fn calibrate_a_csv_log_and_write_a_scenario() {
    let log = scratch_file("log.csv", CSV_LOG);
    let fitted = scratch_path("fitted.ron");
    let o = ccsim(&[
        "calibrate",
        log.to_str().unwrap(),
        "--interval-min",
        "60",
        "--window-h",
        "2",
        "--out",
        fitted.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "(csv format)",
        "10 data rows read: 9 kept, 1 skipped",
        "abandoned but no wait_s or patience_s",
        "line 7",
        "Busy window:",
        "Handle time per call type",
        "Patience per call type",
        "Kaplan–Meier",
        "wrote ",
    ] {
        assert!(out.contains(needle), "{needle} in\n{out}");
    }
    let o = ccsim(&["check", fitted.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    let bad = scratch_file("bad.csv", "when,call_type,handle_s\n1,a,2\n");
    let o = ccsim(&["calibrate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("line 1: the header has no column `arrival_s (or arrival)`"),
        "{}",
        stderr(&o)
    );
    let o = ccsim(&["calibrate", log.to_str().unwrap(), "--interval-min", "7"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("must divide the day"), "{}", stderr(&o));
}

#[test]
fn calibrate_the_bank_log() {
    let log = root().join("../shared/data/anonymous_bank_february_1999.tsv");
    if !log.exists() {
        eprintln!("skipping: {} is not available", log.display());
        return;
    }
    let fitted = scratch_path("bank.ron");
    let o = ccsim(&[
        "calibrate",
        log.to_str().unwrap(),
        "--out",
        fitted.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Technion Service Enterprise Engineering (SEE) lab (Avishai Mandelbaum)"));
    assert!(
        out.contains("33344 data rows read: 32449 kept, 895 skipped"),
        "{out}"
    );
    let text = std::fs::read_to_string(&fitted).unwrap();
    assert!(text.contains("Avishai Mandelbaum"));
    let o = ccsim(&["run", fitted.to_str().unwrap(), "-r", "2", "-q"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn calibrate_compare_writes_the_report() {
    let log = root().join("../shared/data/anonymous_bank_february_1999.tsv");
    if !log.exists() {
        eprintln!("skipping: {} is not available", log.display());
        return;
    }
    // A fresh folder beside the scratch files (a rerun finds the last one).
    let dir = scratch_path("calib-report.tmp").with_file_name("calib-report");
    let _ = std::fs::remove_dir_all(&dir);
    let o = ccsim(&[
        "calibrate",
        log.to_str().unwrap(),
        "--compare",
        "-r",
        "20",
        "--report",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "1999-02-03 Wed: no call answered 12:51–13:19",
        "Effective staffing by simulation (15 runs of 200 replications, seed 2)",
        "Fitted day vs log, hour by hour: Mon/Tue/Wed/Thu/Sun (20 days pooled), 20 replications",
        "Whole hours of the busy window, 09:00–16:00",
    ] {
        assert!(out.contains(needle), "{needle} in\n{out}");
    }
    for file in [
        "compare.json",
        "compare.csv",
        "summary.md",
        "asa.svg",
        "abandonment.png",
    ] {
        assert!(dir.join(file).exists(), "{file}");
    }
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("Avishai Mandelbaum"));
}
