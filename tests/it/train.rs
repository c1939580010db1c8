//! `ccsim train` driven through its standard input, and `ccsim class-report`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::{ccsim, root};

fn train(student: &str, input: &str, out: &Path) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args([
            "train",
            "scenarios/classroom-intro.ron",
            "--student",
            student,
            "--out",
        ])
        .arg(out)
        .args(["--lang", "en"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ccsim train starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("answers written");
    let output = child.wait_with_output().expect("ccsim train ends");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

fn result(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("result file")).expect("JSON")
}

#[test]
fn train_completes_an_exercise_from_stdin_and_class_report_adds_up() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("it");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let (a, b) = (dir.join("train-ann.json"), dir.join("train-bob.json"));
    // Answers: a wrong line first (asked again), then option 1 throughout.
    let out = train("Ann", &format!("x\n{}", "1\n".repeat(40)), &a);
    assert!(out.contains("--- call 1/6"), "{out}");
    assert!(out.contains("Caller: \""), "{out}");
    assert!(out.contains("This caller was"), "{out}");
    assert!(out.contains("== Scoreboard: Ann =="), "{out}");
    assert!(out.contains("with a simulated agent"), "{out}");
    // The personality is not named before the first call's feedback.
    let before = &out[..out.find("This caller was").expect("feedback")];
    assert!(!before.to_lowercase().contains("zwijger"), "{before}");
    let r = result(&a);
    assert_eq!(r["student"], "Ann");
    assert_eq!(r["calls"].as_array().expect("calls").len(), 6);
    assert!(r["floor_window"]["service_level"].as_f64().is_some());

    // No answers at all: every decision times out and scores as a poor move.
    let out = train("Bob", "", &b);
    assert!(out.contains("(time is up)"), "{out}");
    let r = result(&b);
    assert_eq!(r["overall"]["score"].as_f64(), Some(0.0));
    let timeouts: u64 = r["by_phase"]
        .as_object()
        .expect("phases")
        .values()
        .map(|p| p["timeouts"].as_u64().expect("timeouts"))
        .sum();
    assert!(timeouts >= 6, "{timeouts}");

    let a_s = a.to_str().expect("path");
    let b_s = b.to_str().expect("path");
    let report = ccsim(&["class-report", a_s, b_s, "--format", "csv"]);
    assert!(report.status.success());
    let text = String::from_utf8(report.stdout).expect("UTF-8");
    assert!(text.starts_with("student,group,key,n,score,mean_time_s,csat"));
    assert!(text.contains("\nAnn,all,all,6,"), "{text}");
    assert!(text.contains("\nBob,all,all,6,0.00,"), "{text}");
    assert!(text.contains("Bob,personality,zwijger,"), "{text}");
    assert!(text.contains("Ann,phase,analyse,6,"), "{text}");
    let svg = dir.join("class.svg");
    let report = ccsim(&[
        "class-report",
        a_s,
        b_s,
        "--plot",
        svg.to_str().expect("path"),
    ]);
    assert!(report.status.success());
    assert!(std::fs::read_to_string(&svg).expect("svg").contains("<svg"));
    // Bad input is refused without a panic.
    let bad = ccsim(&["class-report", "Cargo.toml"]);
    assert_eq!(bad.status.code(), Some(2));
}
