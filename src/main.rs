//! `ccsim`: the command-line face of the contact-center simulator.
//!
//! This binary parses arguments, reads files and prints; every computation is a
//! call into `sim-core`. Exit codes: 0 success, 1 the scenario (or input) has
//! problems, 2 any other error. A closed stdout (`ccsim … | head`) exits 0.

mod output;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use sim_core::analytic::{self, QueueParams};
use sim_core::calibrate::{self, CalibrateError, CalibrateOptions, ScenarioOptions, StaffingRule};
use sim_core::trace::record::{ENGINE_VERSION, Timeline};
use sim_core::trace::{
    LogFormat, LogOptions, Recorder, ReplayError, TraceHeader, parse_log, read_trace, replay,
    write_trace,
};
use sim_core::{Model, Report, RunConfig, Simulation, experiment, scenario};

/// ccsim — a discrete-event contact-center simulator.
#[derive(Debug, Parser)]
#[command(name = "ccsim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario file and report its KPIs with 95% confidence intervals.
    Run(RunArgs),
    /// Validate a scenario file: exit 0 if sound, else list every problem (file:line:col).
    Check {
        /// The scenario file (RON).
        file: PathBuf,
    },
    /// Exact Erlang C (no patience) or Erlang A (with --patience-s) values.
    Erlang(ErlangArgs),
    /// Re-simulate a recorded run (ccsim run --record), check it matches event for
    /// event, and report its KPIs.
    Replay(ReplayArgs),
    /// Fit arrival rates, handle times, IVR times, patience and staffing to a call
    /// log, and optionally write the fitted scenario.
    Calibrate(CalibrateArgs),
}

#[derive(Debug, clap::Args)]
struct ReplayArgs {
    /// The trace file (from ccsim run --record).
    file: PathBuf,
    /// Also write every event as tidy rows: FILE.jsonl (JSON Lines) or FILE.csv.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// Output format of the KPIs.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, clap::Args)]
struct CalibrateArgs {
    /// The call log: the Technion "Anonymous Bank" TSV, or CSV (see the README).
    log: PathBuf,
    /// The log's format (default: detected from its header).
    #[arg(long, value_enum)]
    format: Option<LogFormatArg>,
    /// Length of the intervals of the day, minutes (must divide 1440).
    #[arg(long, default_value_t = 30)]
    interval_min: u32,
    /// Length of the busy window the fitted scenario covers, hours.
    #[arg(long, default_value_t = 8.0)]
    window_h: f64,
    /// Write the fitted scenario (RON) to this file.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Agents in the fitted scenario: those busy at some moment of an interval
    /// (distinct), or the Erlang A count that reproduces the observed abandonment.
    #[arg(long, value_enum, default_value_t = StaffingArg::Distinct)]
    staffing: StaffingArg,
}

/// Staffing estimates for the fitted scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StaffingArg {
    /// Mean number of agents busy at some moment of each interval of the window.
    Distinct,
    /// The Erlang A effective staffing that reproduces the observed abandonment.
    ErlangA,
}

/// Call-log formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormatArg {
    /// The Technion "Anonymous Bank" tab-separated log.
    Bank,
    /// Plain CSV: arrival_s or arrival, call_type, handle_s, [outcome, wait_s, patience_s, ...].
    Csv,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The scenario file (RON).
    file: PathBuf,
    /// Number of replications (default: the scenario's).
    #[arg(long, short = 'r')]
    replications: Option<u32>,
    /// Seed of every random stream (default: the scenario's).
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Worker threads (default: every core). Results do not depend on it.
    #[arg(long, short = 't')]
    threads: Option<usize>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Add wall-clock time and events per second to the JSON output.
    #[arg(long)]
    timings: bool,
    /// No progress bar and no timing line on stderr.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Record the run (one replication, index 0) to this trace file, for ccsim replay.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ErlangArgs {
    /// Arrival rate, calls per hour.
    #[arg(long)]
    calls_per_hour: f64,
    /// Mean handle time, seconds.
    #[arg(long)]
    aht_s: f64,
    /// Number of agents (not needed with --target-sl).
    #[arg(long, required_unless_present = "target_sl")]
    agents: Option<u32>,
    /// Mean patience, seconds: gives Erlang A (callers abandon). Without it, Erlang C.
    #[arg(long)]
    patience_s: Option<f64>,
    /// Service-level threshold, seconds.
    #[arg(long, default_value_t = 20.0)]
    sl_s: f64,
    /// Print the fewest agents whose service level reaches this target (0..1).
    #[arg(long)]
    target_sl: Option<f64>,
    /// With --target-sl: also require an abandonment rate at most this.
    #[arg(long, requires = "target_sl")]
    max_abandon: Option<f64>,
    /// With --target-sl: also require an ASA at most this many seconds.
    #[arg(long, requires = "target_sl")]
    max_asa_s: Option<f64>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A readable table.
    Table,
    /// One JSON object.
    Json,
    /// Tidy CSV: one row per scope × KPI.
    Csv,
}

/// A failure that has already been explained to the user on stderr.
#[derive(Debug)]
struct Reported(u8);

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "reported (exit {})", self.0)
    }
}
impl std::error::Error for Reported {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(Reported(code)) = e.downcast_ref::<Reported>() {
                return ExitCode::from(*code);
            }
            if e.chain()
                .filter_map(|c| c.downcast_ref::<io::Error>())
                .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("ccsim: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Check { file } => cmd_check(&file),
        Command::Erlang(args) => cmd_erlang(args),
        Command::Replay(args) => cmd_replay(args),
        Command::Calibrate(args) => cmd_calibrate(args),
    }
}

/// Read and validate a scenario file; on problems print them all (file:line:col)
/// and fail with exit code 1.
fn load_scenario(path: &Path) -> anyhow::Result<sim_core::Scenario> {
    load_scenario_text(path).map(|(_, s)| s)
}

/// [`load_scenario`], also returning the file's text.
fn load_scenario_text(path: &Path) -> anyhow::Result<(String, sim_core::Scenario)> {
    let src = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read scenario file {}", path.display()))?;
    let scenario = parse_scenario(&src, &path.display().to_string())?;
    Ok((src, scenario))
}

/// Parse and validate scenario text from `origin`; on problems print them all and
/// fail with exit code 1.
fn parse_scenario(src: &str, origin: &str) -> anyhow::Result<sim_core::Scenario> {
    scenario::parse(src).map_err(|e| {
        eprint!("{}", e.render(origin, src));
        let n = e.diagnostics.len();
        eprintln!(
            "ccsim: {origin} has {n} problem{}",
            if n == 1 { "" } else { "s" }
        );
        anyhow::Error::new(Reported(1))
    })
}

fn cmd_check(path: &Path) -> anyhow::Result<()> {
    let s = load_scenario(path)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{}: ok — \"{}\": {} call type(s), {} agent group(s), {} agent(s)",
        path.display(),
        s.name,
        s.call_types.len(),
        s.agent_groups.len(),
        s.agent_groups
            .iter()
            .map(|g| u64::from(g.max_agents()))
            .sum::<u64>()
    )?;
    Ok(())
}

fn cmd_run(args: RunArgs) -> anyhow::Result<()> {
    let (src, scenario) = load_scenario_text(&args.file)?;
    let model = Arc::new(Model::new(&scenario).map_err(|e| anyhow::anyhow!("{e}"))?);
    let mut config = RunConfig::from_model(&model);
    if let Some(r) = args.replications {
        config.replications = r;
    }
    if let Some(s) = args.seed {
        config.seed = s;
    }
    config.threads = args.threads;
    if let Some(path) = &args.record {
        if config.replications > 1 && args.replications.is_some() {
            anyhow::bail!(
                "--record records one replication; --replications {} asks for more",
                config.replications
            );
        }
        config.replications = 1;
        return run_recorded(&args, &src, &scenario, &model, &config, path);
    }

    let bar = if !args.quiet && io::stderr().is_terminal() {
        let bar = ProgressBar::new(u64::from(config.replications));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {pos}/{len} replications ({elapsed})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(scenario.name.clone());
        bar
    } else {
        ProgressBar::hidden()
    };
    let started = Instant::now();
    let report = experiment::run(&model, &config, &|| bar.inc(1))?;
    let wall_s = started.elapsed().as_secs_f64();
    bar.finish_and_clear();

    let timing = output::Timing {
        wall_s,
        events: report.events,
        calls: report.reps.iter().map(|r| r.calls).sum(),
        peak_rss_kib: output::peak_rss_kib(),
    };
    let mut out = io::stdout().lock();
    match args.format {
        Format::Table => output::report_table(&mut out, &report, &scenario)?,
        Format::Json => output::report_json(
            &mut out,
            &report,
            &scenario,
            args.timings.then_some(&timing),
        )?,
        Format::Csv => output::report_csv(&mut out, &report, &scenario)?,
    }
    out.flush()?;
    if !args.quiet {
        eprintln!("ccsim: {}", timing.summary());
    }
    Ok(())
}

/// Run replication 0 with a recorder, write the trace, print the report.
fn run_recorded(
    args: &RunArgs,
    src: &str,
    scenario: &sim_core::Scenario,
    model: &Arc<Model>,
    config: &RunConfig,
    path: &Path,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let (result, recorder) =
        Simulation::with_observer(Arc::clone(model), config.seed, 0, Recorder::new()).run();
    let wall_s = started.elapsed().as_secs_f64();
    let trace = recorder.into_trace(TraceHeader::new(src, config.seed, 0));
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot create trace file {}", path.display()))?;
    let mut out = io::BufWriter::new(file);
    write_trace(&mut out, &trace)
        .and_then(|()| out.flush().map_err(Into::into))
        .with_context(|| format!("cannot write trace file {}", path.display()))?;
    let report = Report::new(model, config, vec![result]);
    print_report(
        &mut io::stdout().lock(),
        args.format,
        &report,
        scenario,
        None,
    )?;
    if !args.quiet {
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        eprintln!(
            "ccsim: recorded {} events to {} ({bytes} bytes) in {wall_s:.3} s",
            trace.entries.len(),
            path.display()
        );
    }
    Ok(())
}

fn print_report(
    out: &mut impl Write,
    format: Format,
    report: &Report,
    scenario: &sim_core::Scenario,
    timing: Option<&output::Timing>,
) -> anyhow::Result<()> {
    match format {
        Format::Table => output::report_table(out, report, scenario)?,
        Format::Json => output::report_json(out, report, scenario, timing)?,
        Format::Csv => output::report_csv(out, report, scenario)?,
    }
    out.flush()?;
    Ok(())
}

fn cmd_replay(args: ReplayArgs) -> anyhow::Result<()> {
    let path = &args.file;
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open trace file {}", path.display()))?;
    let trace = read_trace(io::BufReader::new(file))
        .with_context(|| format!("cannot read trace file {}", path.display()))?;
    let origin = format!("{} (its scenario)", path.display());
    // Check the scenario first, to report its problems with line numbers.
    parse_scenario(&trace.header.scenario_ron, &origin)?;
    let summary = match replay(&trace) {
        Ok(s) => s,
        Err(ReplayError::Diverged(d)) => {
            eprintln!(
                "ccsim: {}: the replay diverged from the recording at {d}",
                path.display()
            );
            if trace.header.ccsim_version != ENGINE_VERSION {
                eprintln!(
                    "ccsim: note: the trace was recorded by ccsim {}, this is {ENGINE_VERSION}",
                    trace.header.ccsim_version
                );
            }
            return Err(Reported(1).into());
        }
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("cannot replay {}", path.display())));
        }
    };
    let scenario = summary.model.scenario().clone();
    if let Some(export) = &args.export {
        let kind = match export.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "json" | "ndjson") => output::Export::JsonLines,
            Some("csv") => output::Export::Csv,
            _ => anyhow::bail!(
                "--export {}: the file name must end in .jsonl or .csv",
                export.display()
            ),
        };
        let file = std::fs::File::create(export)
            .with_context(|| format!("cannot create {}", export.display()))?;
        let mut w = io::BufWriter::new(file);
        output::export_events(&mut w, &trace, &scenario, kind)
            .and_then(|()| w.flush().map_err(Into::into))
            .with_context(|| format!("cannot write {}", export.display()))?;
    }
    let config = RunConfig {
        replications: 1,
        seed: summary.seed,
        threads: None,
    };
    let report = Report::new(&summary.model, &config, vec![summary.result.clone()]);
    let mut out = io::stdout().lock();
    if args.format == Format::Table {
        writeln!(
            out,
            "{}: {} events re-simulated, identical to the recording (seed {}, replication {}, recorded by ccsim {})",
            path.display(),
            summary.events,
            trace.header.seed,
            trace.header.replication,
            trace.header.ccsim_version
        )?;
        writeln!(out)?;
    }
    print_report(&mut out, args.format, &report, &scenario, None)?;
    if args.format == Format::Table {
        writeln!(out)?;
        writeln!(out, "{}", Timeline::from_events(trace.events()))?;
    }
    Ok(())
}

fn cmd_calibrate(args: CalibrateArgs) -> anyhow::Result<()> {
    let path = &args.log;
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read call log {}", path.display()))?;
    let format = match args.format {
        Some(LogFormatArg::Bank) => LogFormat::Bank,
        Some(LogFormatArg::Csv) => LogFormat::Csv,
        None => LogFormat::detect(&bytes),
    };
    let (records, skips) = parse_log(format, &bytes, &LogOptions::default()).map_err(|e| {
        eprintln!("ccsim: {}: {e}", path.display());
        anyhow::Error::new(Reported(1))
    })?;
    let options = CalibrateOptions {
        interval_s: args.interval_min.saturating_mul(60),
        window_h: args.window_h,
        ..CalibrateOptions::default()
    };
    let report = match calibrate::calibrate(&records, &options) {
        Ok(r) => r,
        Err(CalibrateError::NoCalls) => {
            eprint!("{skips}");
            eprintln!("ccsim: {}: {}", path.display(), CalibrateError::NoCalls);
            return Err(Reported(1).into());
        }
        Err(e) => anyhow::bail!("{e}"),
    };
    let bank = format == LogFormat::Bank;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "Call log {} ({} format)",
        path.display(),
        if bank { "bank" } else { "csv" }
    )?;
    if bank {
        writeln!(out, "{BANK_CREDIT}")?;
    }
    write!(out, "{skips}")?;
    writeln!(out)?;
    write!(out, "{report}")?;
    if let Some(dest) = &args.out {
        let options = ScenarioOptions {
            staffing: match args.staffing {
                StaffingArg::Distinct => StaffingRule::Distinct,
                StaffingArg::ErlangA => StaffingRule::ErlangA,
            },
            ..ScenarioOptions::default()
        };
        let scenario = calibrate::to_scenario(&report, &options);
        let problems = scenario.validate();
        if !problems.is_empty() {
            anyhow::bail!(
                "the fitted scenario is not valid: {}",
                problems
                    .iter()
                    .map(|p| format!("{}: {}", p.path, p.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        let staffing = match args.staffing {
            StaffingArg::Distinct => format!(
                "as many agents as were busy at some moment of an average {}-minute\n\
                 interval of the window",
                args.interval_min
            ),
            StaffingArg::ErlangA => "the Erlang A staffing that reproduces the observed \
                                     abandonment"
                .to_string(),
        };
        let mut comment = format!(
            "Fitted by `ccsim calibrate` from {}:\n\
             the busy window's mean arrival rates, the handle-time and patience\n\
             distributions chosen by AIC, and {staffing}.",
            path.display(),
        );
        if bank {
            comment.push('\n');
            comment.push_str(BANK_CREDIT);
        }
        let text = calibrate::scenario_ron(&scenario, &comment)
            .context("cannot write the fitted scenario as RON")?;
        std::fs::write(dest, text).with_context(|| format!("cannot write {}", dest.display()))?;
        writeln!(
            out,
            "\nwrote {}: {} call types, {} agents, {:.1} h",
            dest.display(),
            scenario.call_types.len(),
            scenario
                .agent_groups
                .iter()
                .map(|g| g.max_agents())
                .sum::<u32>(),
            scenario.horizon_h
        )?;
    }
    out.flush()?;
    Ok(())
}

/// The acknowledgement the publishers of the bank log ask for.
const BANK_CREDIT: &str = "Data: the \"Anonymous Bank\" call log, Technion Service Enterprise Engineering (SEE) lab (Avishai Mandelbaum).";

fn cmd_erlang(args: ErlangArgs) -> anyhow::Result<()> {
    let mut params = QueueParams {
        calls_per_hour: args.calls_per_hour,
        aht_s: args.aht_s,
        agents: args.agents.unwrap_or(1),
        patience_s: args.patience_s,
        sl_s: args.sl_s,
    };
    let mut fewest = None;
    if let Some(target) = args.target_sl {
        let c = analytic::agents_for_target(
            &params,
            target,
            args.max_abandon,
            args.max_asa_s,
            1_000_000,
        )?;
        params.agents = c;
        fewest = Some(c);
    }
    let kpis = analytic::evaluate(&params)?;
    let mut out = io::stdout().lock();
    match args.format {
        Format::Json => output::erlang_json(&mut out, &params, &kpis, fewest)?,
        Format::Csv => output::erlang_csv(&mut out, &params, &kpis)?,
        Format::Table => output::erlang_table(&mut out, &params, &kpis, fewest, args.target_sl)?,
    }
    Ok(())
}
