//! `ccsim train` (a student takes an exercise's calls in the terminal, on a
//! running floor) and `ccsim class-report` (the trainer's scoreboard over
//! result files).

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use sim_core::trace::write_trace;
use sim_core::training::{
    BUILTIN_SOURCES, Choice, Feedback, Language, SessionConfig, SessionResult, TrainingKit,
    TrainingSession, floor_source, validate_exercise,
};

/// Options of `ccsim train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// The exercise file (RON), e.g. scenarios/classroom-intro.ron.
    pub exercise: PathBuf,
    /// The student's name, for the result file.
    #[arg(long, default_value = "student")]
    pub student: String,
    /// Write the session's result (JSON) here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Record the session (floor events and choices) as a trace file.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// The language of the calls (default: the exercise's).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// The assets folder (scripts/, training/); default `assets/` in the current
    /// directory, else the built-in copy.
    #[arg(long, value_name = "DIR")]
    pub assets: Option<PathBuf>,
}

/// `--lang`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LangArg {
    /// Dutch.
    Nl,
    /// English.
    En,
}

/// Reads the kit from `dir` (or `assets/`), or uses the built-in one.
fn load_kit(dir: Option<&Path>) -> anyhow::Result<TrainingKit> {
    let dir = dir.map(Path::to_path_buf).or_else(|| {
        let d = PathBuf::from("assets");
        d.join("training/effects.ron").is_file().then_some(d)
    });
    let texts: Vec<(String, String)> = match &dir {
        Some(d) => {
            let read = |p: &str| -> anyhow::Result<(String, String)> {
                let path = d.join(p);
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                Ok((path.display().to_string(), text))
            };
            vec![
                read("scripts/nl.ron")?,
                read("scripts/en.ron")?,
                read("training/effects.ron")?,
            ]
        }
        // The built-in copy: the binary works outside the repository.
        None => BUILTIN_SOURCES
            .iter()
            .map(|(o, t)| ((*o).to_owned(), (*t).to_owned()))
            .collect(),
    };
    let scripts = [
        (texts[0].0.as_str(), texts[0].1.as_str()),
        (texts[1].0.as_str(), texts[1].1.as_str()),
    ];
    TrainingKit::from_sources(&scripts, (texts[2].0.as_str(), texts[2].1.as_str()))
        .map_err(|e| anyhow!("the training assets have problems:\n{}", e.render()))
}

/// Lines typed by the student, read on their own thread so a decision can
/// time out.
fn stdin_lines() -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let stdin = io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a valid option number within `limit`; returns the index and
/// the time taken, or `None` on a timeout (or the end of the input).
fn ask(
    rx: &Receiver<String>,
    n: usize,
    limit: Duration,
    out: &mut impl Write,
) -> anyhow::Result<(Option<usize>, f64)> {
    let start = Instant::now();
    loop {
        let left = limit.saturating_sub(start.elapsed());
        match rx.recv_timeout(left) {
            Ok(line) => match line.trim().parse::<usize>() {
                Ok(k) if (1..=n).contains(&k) => {
                    return Ok((Some(k - 1), start.elapsed().as_secs_f64()));
                }
                _ => {
                    write!(out, "  1-{n}? > ")?;
                    out.flush()?;
                }
            },
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                return Ok((None, limit.as_secs_f64()));
            }
        }
    }
}

/// `ccsim train`.
pub fn cmd_train(args: TrainArgs) -> anyhow::Result<()> {
    let kit = Arc::new(load_kit(args.assets.as_deref())?);
    let path = &args.exercise;
    let src =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut exercise = validate_exercise(&src, &kit)
        .map_err(|e| anyhow!("{}", e.render(&path.display().to_string(), &src)))?;
    if let Some(l) = args.lang {
        exercise.language = match l {
            LangArg::Nl => Language::Nl,
            LangArg::En => Language::En,
        };
    }
    let floor_src = floor_source(path, &exercise).map_err(|e| anyhow!(e))?;
    let language = exercise.language;
    let limit = Duration::from_secs_f64(exercise.time_limit_s);
    let config = SessionConfig::new(args.student.clone());
    let mut session = TrainingSession::new(Arc::clone(&kit), exercise, &floor_src, config)
        .map_err(|e| anyhow!("{e}"))?;
    let script = kit
        .script(language)
        .ok_or_else(|| anyhow!("no caller script in language {language}"))?;
    let rx = stdin_lines();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "== {} ==", session.exercise().name)?;
    writeln!(out, "{}", session.exercise().description)?;
    while let Some(call) = session.call() {
        let (i, n) = session.progress();
        if call.records().is_empty() {
            let f = session.floor_now();
            writeln!(
                out,
                "\n--- call {}/{}: {} (floor: {} waiting, SL {:.0}%) ---",
                i + 1,
                n,
                call.reason_title(),
                f.queue_at_end,
                100.0 * f.service_level
            )?;
        }
        let phase = call
            .phase()
            .ok_or_else(|| anyhow!("call without a phase"))?;
        writeln!(out, "\n[{}]", script.phase_name(phase))?;
        if let Some(line) = call.line() {
            writeln!(out, "Caller: \"{}\"", line.text)?;
        }
        let options = call.options().to_vec();
        for (k, t) in options.iter().enumerate() {
            writeln!(out, "  {}. {}", k + 1, script.technique_label(*t))?;
        }
        write!(out, "({:.0} s) > ", limit.as_secs_f64())?;
        out.flush()?;
        let (pick, secs) = ask(&rx, options.len(), limit, &mut out)?;
        let choice = match pick {
            Some(k) => {
                writeln!(out, "-> {}", script.technique_label(options[k]))?;
                Choice::Technique(options[k])
            }
            None => {
                writeln!(out, "\n(time is up)")?;
                Choice::Timeout
            }
        };
        let turn = session.choose(choice, secs).map_err(|e| anyhow!("{e}"))?;
        writeln!(out, "Caller: \"{}\"", turn.reaction)?;
        if session.results().len() > i {
            let r = &session.results()[i];
            let fb = Feedback::new(&kit, r, language).map_err(|e| anyhow!("{e}"))?;
            writeln!(out, "\n{}", fb.render())?;
        }
    }
    let (result, trace) = session.finish().map_err(|e| anyhow!("{e}"))?;
    writeln!(out, "\n{}", result.summary())?;
    if let Some(p) = &args.out {
        let f =
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?;
        serde_json::to_writer_pretty(io::BufWriter::new(f), &result)?;
        writeln!(out, "result written to {}", p.display())?;
    }
    if let Some(p) = &args.record {
        let f =
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?;
        write_trace(io::BufWriter::new(f), &trace)?;
        writeln!(out, "session recorded to {}", p.display())?;
    }
    Ok(())
}

/// Options of `ccsim class-report`.
#[derive(Debug, clap::Args)]
pub struct ClassReportArgs {
    /// Result files written by `ccsim train --out`.
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Also plot each student's score per personality and per phase (SVG).
    #[arg(long, value_name = "OUT.svg")]
    pub plot: Option<PathBuf>,
}

/// `class-report --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// An aligned text table.
    Table,
    /// CSV with a header.
    Csv,
}

/// One row of the class report.
struct Row {
    student: String,
    group: &'static str,
    key: String,
    calls: u32,
    score: f64,
    handle_s: f64,
    csat: f64,
}

/// The rows: per student overall, per personality and per phase (results
/// of one student in several files are added up, weighted by calls).
fn class_rows(results: &[SessionResult]) -> Vec<Row> {
    // (student, group order, key order, group, key) -> (calls, score sum,
    // handle sum, csat sum); phases and personalities in their own order.
    type Key = (String, u8, usize, &'static str, String);
    let mut acc: BTreeMap<Key, (u32, f64, f64, f64)> = BTreeMap::new();
    for r in results {
        let mut add = |group: &'static str,
                       order: usize,
                       key: String,
                       (n, score, h, c): (u32, f64, f64, f64)| {
            let g = match group {
                "all" => 0,
                "personality" => 1,
                _ => 2,
            };
            let e = acc
                .entry((r.student.clone(), g, order, group, key))
                .or_default();
            e.0 += n;
            e.1 += score * f64::from(n);
            e.2 += h * f64::from(n);
            e.3 += c * f64::from(n);
        };
        let o = &r.overall;
        add(
            "all",
            0,
            "all".into(),
            (o.calls, o.score, o.mean_handle_time_s, o.csat),
        );
        for (p, t) in &r.by_personality {
            add(
                "personality",
                p.index(),
                p.name().into(),
                (t.calls, t.score, t.mean_handle_time_s, t.csat),
            );
        }
        for (p, t) in &r.by_phase {
            add(
                "phase",
                p.index(),
                p.name().into(),
                (t.decisions, t.score, t.mean_duration_s, f64::NAN),
            );
        }
    }
    acc.into_iter()
        .map(|((student, _, _, group, key), (n, s, h, c))| {
            let d = f64::from(n.max(1));
            Row {
                student,
                group,
                key,
                calls: n,
                score: s / d,
                handle_s: h / d,
                csat: c / d,
            }
        })
        .collect()
}

/// `ccsim class-report`.
pub fn cmd_class_report(args: ClassReportArgs) -> anyhow::Result<()> {
    let mut results = Vec::new();
    for p in &args.results {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
        let r: SessionResult = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a training result file", p.display()))?;
        results.push(r);
    }
    let rows = class_rows(&results);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match args.format {
        ReportFormat::Csv => {
            writeln!(out, "student,group,key,n,score,mean_time_s,csat")?;
            for r in &rows {
                let csat = if r.csat.is_nan() {
                    String::new()
                } else {
                    format!("{:.3}", r.csat)
                };
                writeln!(
                    out,
                    "{},{},{},{},{:.2},{:.1},{}",
                    csv_field(&r.student),
                    r.group,
                    r.key,
                    r.calls,
                    r.score,
                    r.handle_s,
                    csat
                )?;
            }
        }
        ReportFormat::Table => {
            writeln!(
                out,
                "{:<16} {:<12} {:<11} {:>5} {:>6} {:>8} {:>5}",
                "student", "group", "key", "n", "score", "time_s", "csat"
            )?;
            for r in &rows {
                let csat = if r.csat.is_nan() {
                    "-".to_string()
                } else {
                    format!("{:.2}", r.csat)
                };
                writeln!(
                    out,
                    "{:<16} {:<12} {:<11} {:>5} {:>6.1} {:>8.1} {:>5}",
                    r.student, r.group, r.key, r.calls, r.score, r.handle_s, csat
                )?;
            }
            for r in &results {
                writeln!(
                    out,
                    "floor ({}, {}): SL {:.1}% (with a simulated agent {:.1}%), ASA {:.1} s",
                    r.student,
                    r.exercise,
                    100.0 * r.floor_window.service_level,
                    100.0 * r.floor_reference.service_level,
                    r.floor_window.asa_s
                )?;
            }
        }
    }
    if let Some(p) = &args.plot {
        plot_scores(&rows, p)?;
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// Each student's score per personality and per phase, one line per student.
fn plot_scores(rows: &[Row], path: &Path) -> anyhow::Result<()> {
    use plotters::prelude::*;
    if path.extension().and_then(|e| e.to_str()) != Some("svg") {
        bail!("--plot writes SVG: give a file ending in .svg");
    }
    crate::plot::register_fonts()?;
    let keys: Vec<String> = rows
        .iter()
        .filter(|r| r.group != "all")
        .map(|r| r.key.clone())
        .fold(Vec::new(), |mut v, k| {
            if !v.contains(&k) {
                v.push(k);
            }
            v
        });
    let mut students: Vec<&str> = rows.iter().map(|r| r.student.as_str()).collect();
    students.dedup();
    let root = SVGBackend::new(path, (900, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Score per personality and phase", ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(40)
        .build_cartesian_2d(0..keys.len().max(1), 0.0..100.0)
        .map_err(|e| anyhow!("{e}"))?;
    let names = keys.clone();
    chart
        .configure_mesh()
        .x_labels(keys.len().max(1))
        .x_label_formatter(&|i| names.get(*i).cloned().unwrap_or_default())
        .y_desc("score")
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    for (n, s) in students.iter().enumerate() {
        let color = Palette99::pick(n).to_rgba();
        let pts: Vec<(usize, f64)> = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                rows.iter()
                    .find(|r| r.student == *s && &r.key == k && r.group != "all")
                    .map(|r| (i, r.score))
            })
            .collect();
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))
            .map_err(|e| anyhow!("{e}"))?
            .label(*s)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow!("{e}"))?;
    Ok(())
}
