//! `ccsim`: the command-line face of the contact-center simulator.
//!
//! This binary parses arguments, reads files and prints; every computation is a
//! call into `sim-core`. Exit codes: 0 success, 1 the scenario (or input) has
//! problems, 2 any other error. A closed stdout (`ccsim … | head`) exits 0.

mod compare;
mod output;
mod plot;
mod train;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use sim_core::analytic::{self, QueueParams};
use sim_core::calibrate::{
    self, CalibrateError, CalibrateOptions, ScenarioOptions, ScenarioShape, StaffingRule,
};
use sim_core::experiment::Progress;
use sim_core::experiment::precision::{self, Precision, PrecisionOutcome};
use sim_core::experiment::staffing::{self, StaffConfig, StaffTargets};
use sim_core::experiment::sweep::shard::{self, ShardFile, ShardId};
use sim_core::experiment::sweep::{self, Factor, Streams, Sweep, SweepConfig, SweepError};
use sim_core::trace::record::{ENGINE_VERSION, Timeline};
use sim_core::trace::{
    Date, LogFormat, LogOptions, Recorder, ReplayError, TraceHeader, parse_log, read_trace, replay,
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
    /// Simulate a scenario under a grid of parameter values (what-ifs), compared
    /// with a baseline on common random numbers.
    Sweep(SweepArgs),
    /// Merge the shard files of a sharded sweep and print its report.
    Merge(MergeArgs),
    /// Find by simulation the fewest agents per interval that meet service
    /// targets with confidence, beside the Erlang C/A staffing.
    Staff(StaffArgs),
    /// Classroom training: take an exercise's calls in the terminal while its
    /// floor keeps running; prints feedback, the scoreboard and the floor's KPIs.
    Train(train::TrainArgs),
    /// The trainer's scoreboard over result files (ccsim train --out): per
    /// student, personality and phase.
    ClassReport(train::ClassReportArgs),
}

#[derive(Debug, clap::Args)]
struct StaffArgs {
    /// The scenario file (RON).
    file: PathBuf,
    /// Service level to reach in every interval, strictly between 0 and 1.
    #[arg(long, value_name = "X")]
    target_sl: f64,
    /// Also keep the abandonment rate at most this (strictly between 0 and 1).
    #[arg(long, value_name = "X")]
    max_abandon: Option<f64>,
    /// Also keep the ASA at most this many seconds.
    #[arg(long, value_name = "S")]
    max_asa_s: Option<f64>,
    /// The agent group to staff (default: the first); the others are held fixed.
    #[arg(long, value_name = "NAME")]
    group: Option<String>,
    /// Replications per candidate staffing (default: the scenario's).
    #[arg(long, short = 'r')]
    replications: Option<u32>,
    /// Seed of every random stream (default: the scenario's).
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Confidence of the one-sided bounds the targets must meet.
    #[arg(long, value_name = "C", default_value_t = 0.95)]
    confidence: f64,
    /// Worker threads (default: every core). Results do not depend on it.
    #[arg(long, short = 't')]
    threads: Option<usize>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write the scenario with the staffing plan found to this file (RON).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// No progress bar and no timing line on stderr.
    #[arg(long, short = 'q')]
    quiet: bool,
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
    /// (distinct), the Erlang A count that reproduces the observed abandonment, or
    /// (simulated; implies --day) the count with which the simulated day
    /// reproduces each interval's observed abandonment.
    #[arg(long, value_enum)]
    staffing: Option<StaffingArg>,
    /// Fit the whole day of an average busy weekday (arrival profiles and a
    /// staffing plan per interval) instead of the stationary busy window.
    #[arg(long)]
    day: bool,
    /// Simulate the fitted day (implies --day; staffing default simulated) and
    /// compare it with the log hour by hour: offered calls, ASA, abandonment,
    /// service level.
    #[arg(long)]
    compare: bool,
    /// With --compare: write compare.json, compare.csv, summary.md and one plot
    /// per KPI (SVG and PNG) into this folder.
    #[arg(long, value_name = "DIR", requires = "compare")]
    report: Option<PathBuf>,
    /// With --compare: replications (their seed is the scenario's, 1; the
    /// simulated staffing is fitted on others, seed 2).
    #[arg(long, short = 'r', default_value_t = 200)]
    replications: u32,
    /// Keep the spans of service outages in the fit (by default they are found
    /// and left out).
    #[arg(long)]
    keep_outages: bool,
    /// With --compare: worker threads (default: every core).
    #[arg(long, short = 't')]
    threads: Option<usize>,
}

/// Staffing estimates for the fitted scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StaffingArg {
    /// Mean number of agents busy at some moment of each interval of the window.
    Distinct,
    /// The Erlang A effective staffing that reproduces the observed abandonment
    /// (with --day: interval by interval).
    ErlangA,
    /// Per interval of the day, the agents with which the simulated day
    /// reproduces the observed abandonment: Erlang A refined by simulation
    /// (implies --day).
    Simulated,
    /// Agents busy on average ÷ 0.85 occupancy, rounded up.
    Occupancy,
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
    /// Add replications in batches until every KPI's 95% CI half-width is below
    /// this fraction of its mean (0.01 = ±1%); --replications is the first batch.
    #[arg(long, value_name = "X")]
    precision: Option<f64>,
    /// With --precision: stop after this many replications even if the target is
    /// not reached.
    #[arg(long, value_name = "N", requires = "precision", default_value_t = precision::DEFAULT_MAX_REPLICATIONS)]
    max_replications: u32,
    /// No progress bar and no timing line on stderr.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Record the run (one replication, index 0) to this trace file, for ccsim replay.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Trace-driven run: replay the calls of this call log (bank TSV or CSV) as the
    /// arrivals of the scenario's call types of the same names (needs --trace-day).
    #[arg(long, value_name = "LOG", requires = "trace_day")]
    trace_log: Option<PathBuf>,
    /// The log's day to replay, yymmdd (990201) or yyyy-mm-dd. Calls count from
    /// the scenario's day_start_h.
    #[arg(long, value_name = "DAY", requires = "trace_log")]
    trace_day: Option<String>,
    /// With --trace-log: what is sampled from the scenario instead of taken from
    /// the log (handle, patience, priority); repeatable.
    #[arg(long, value_enum, value_name = "WHAT", requires = "trace_log")]
    trace_sample: Vec<TraceSampleArg>,
}

/// What a trace-driven run can sample instead of replaying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TraceSampleArg {
    /// Handle times.
    Handle,
    /// Abandoning callers' patience.
    Patience,
    /// Priorities.
    Priority,
}

#[derive(Debug, clap::Args)]
struct SweepArgs {
    /// The scenario file (RON).
    file: PathBuf,
    /// A parameter and its values: PATH=VALUES, e.g. agent_groups[team].count=15..25,
    /// arrival_scale=0.9..1.2:0.1, service_level_s=15,20,30. Repeat for a full grid.
    #[arg(long = "vary", value_name = "PATH=VALUES", required = true, value_parser = parse_factor)]
    vary: Vec<Factor>,
    /// The variant the others are compared with: its number in the output's
    /// `variant` column (0 = the first).
    #[arg(long, value_name = "K", default_value_t = 0)]
    baseline: usize,
    /// Replications per variant (default: the scenario's).
    #[arg(long, short = 'r')]
    replications: Option<u32>,
    /// Seed of every random stream (default: the scenario's).
    #[arg(long, short = 's')]
    seed: Option<u64>,
    /// Worker threads (default: every core). Results do not depend on it.
    #[arg(long, short = 't')]
    threads: Option<usize>,
    /// Random numbers: `common` (every variant sees the same calls; paired
    /// differences) or `independent` (each variant its own seed).
    #[arg(long, value_enum, default_value_t = StreamsArg::Common)]
    streams: StreamsArg,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also draw service level, abandonment, ASA and occupancy against the first
    /// varied parameter into this file (.svg or .png).
    #[arg(long, value_name = "OUT.svg|OUT.png")]
    plot: Option<PathBuf>,
    /// Add replications in batches until every KPI of every variant has a 95% CI
    /// half-width below this fraction of its mean.
    #[arg(long, value_name = "X", conflicts_with = "shard")]
    precision: Option<f64>,
    /// With --precision: the most replications per variant.
    #[arg(long, value_name = "N", requires = "precision", default_value_t = precision::DEFAULT_MAX_REPLICATIONS)]
    max_replications: u32,
    /// Run only shard K of N (1-based) of the variant × replication pairs (pair i
    /// goes to shard i % N + 1) and write the raw results to --out; combine the
    /// parts with `ccsim merge`.
    #[arg(long, value_name = "K/N", requires = "out", conflicts_with = "plot", value_parser = parse_shard)]
    shard: Option<ShardId>,
    /// With --shard: the file the shard's results are written to.
    #[arg(long, value_name = "FILE", requires = "shard")]
    out: Option<PathBuf>,
    /// No progress bar and no timing line on stderr.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Debug, clap::Args)]
struct MergeArgs {
    /// The shard files written by `ccsim sweep --shard K/N --out FILE`, one per shard.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Compare with this variant instead of the one the sweep was run with.
    #[arg(long, value_name = "K")]
    baseline: Option<usize>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also draw the plot (as `ccsim sweep --plot`).
    #[arg(long, value_name = "OUT.svg|OUT.png")]
    plot: Option<PathBuf>,
}

fn parse_factor(s: &str) -> Result<Factor, String> {
    s.parse::<Factor>().map_err(|e| match e {
        SweepError::BadFactor { reason, .. } => reason,
        other => other.to_string(),
    })
}

fn parse_shard(s: &str) -> Result<ShardId, String> {
    s.parse()
}

/// `--streams`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StreamsArg {
    /// Common random numbers: the same seed for every variant.
    Common,
    /// Independent random numbers: variant v uses hash(seed, v).
    Independent,
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
        Command::Sweep(args) => cmd_sweep(args),
        Command::Merge(args) => cmd_merge(args),
        Command::Staff(args) => cmd_staff(args),
        Command::Train(args) => train::cmd_train(args),
        Command::ClassReport(args) => train::cmd_class_report(args),
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

/// A progress bar on stderr when it is a terminal and not `quiet`; hidden otherwise.
fn progress_bar(quiet: bool, message: &str, unit: &str, length: u64) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(length);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {{msg}} [{{bar:25}}] {{pos}}/{{len}} {unit} (ETA {{eta}})"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}

/// The callback sim-core reports progress to, driving `bar`.
fn on_progress(bar: &ProgressBar) -> impl Fn(Progress) + Sync + '_ {
    move |p| match p {
        Progress::Planned(total) => bar.set_length(total),
        Progress::Done => bar.inc(1),
        _ => {}
    }
}

/// Turn a sweep error into the exit status convention: 1 for a variant that is
/// not a valid scenario, 2 for bad arguments.
fn sweep_error(e: SweepError) -> anyhow::Error {
    if e.is_scenario_problem() {
        eprintln!("{e}");
        eprintln!("ccsim: some variants of the sweep are not valid scenarios; nothing was run");
        anyhow::Error::new(Reported(1))
    } else {
        anyhow::Error::new(e)
    }
}

/// Warn on stderr when a precision target was not reached.
fn warn_precision(outcome: &PrecisionOutcome) {
    if !outcome.reached {
        let widest = outcome.widest.as_ref().map_or(String::new(), |w| {
            format!(
                "; least precise: {} {} at ±{:.2}%",
                w.scope,
                w.kpi,
                100.0 * w.relative_half_width
            )
        });
        eprintln!(
            "ccsim: warning: precision ±{}% not reached after {} replications (--max-replications){widest}",
            100.0 * outcome.target,
            outcome.replications
        );
    }
}

fn cmd_check(path: &Path) -> anyhow::Result<()> {
    let s = load_scenario(path)?;
    let mut out = io::stdout().lock();
    let campaigns = if s.campaigns.is_empty() {
        String::new()
    } else {
        format!(", {} campaign(s)", s.campaigns.len())
    };
    writeln!(
        out,
        "{}: ok — \"{}\": {} call type(s), {} agent group(s), {} agent(s){campaigns}",
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
    let (src, mut scenario) = load_scenario_text(&args.file)?;
    if let (Some(log), Some(day)) = (&args.trace_log, &args.trace_day) {
        if args.record.is_some() {
            anyhow::bail!("--record cannot be combined with --trace-log");
        }
        apply_trace_log(&mut scenario, log, day, &args.trace_sample)?;
    }
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
    let target = args.precision.map(|x| Precision {
        relative_half_width: x,
        max_replications: args.max_replications,
    });
    if let Some(p) = &target {
        p.check()?;
    }

    let bar = progress_bar(
        args.quiet,
        &scenario.name,
        "replications",
        u64::from(config.replications),
    );
    let progress = on_progress(&bar);
    let started = Instant::now();
    let (report, outcome) = match &target {
        Some(p) => {
            let (r, o) = precision::run_to_precision(&model, &config, p, &progress)?;
            (r, Some(o))
        }
        None => (experiment::run(&model, &config, &|| bar.inc(1))?, None),
    };
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
        Format::Table => output::report_table(&mut out, &report, &scenario, outcome.as_ref())?,
        Format::Json => output::report_json(
            &mut out,
            &report,
            &scenario,
            args.timings.then_some(&timing),
            outcome.as_ref(),
        )?,
        Format::Csv => output::report_csv(&mut out, &report, &scenario)?,
    }
    out.flush()?;
    if !args.quiet {
        if let Some(o) = &outcome {
            warn_precision(o);
        }
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

fn cmd_sweep(args: SweepArgs) -> anyhow::Result<()> {
    let (text, scenario) = load_scenario_text(&args.file)?;
    if let Some(p) = &args.plot {
        plot::PlotFormat::of(p)?;
    }
    let target = args.precision.map(|x| Precision {
        relative_half_width: x,
        max_replications: args.max_replications,
    });
    if let Some(p) = &target {
        p.check()?;
    }
    let sweep = Sweep::new(&scenario, &args.vary).map_err(sweep_error)?;
    let mut config = SweepConfig::from_scenario(&scenario);
    if let Some(r) = args.replications {
        config.replications = r;
    }
    if let Some(s) = args.seed {
        config.seed = s;
    }
    config.threads = args.threads;
    config.baseline = args.baseline;
    config.streams = match args.streams {
        StreamsArg::Common => Streams::Common,
        StreamsArg::Independent => Streams::Independent,
    };

    let n = sweep.variants().len();
    let message = format!(
        "{}: {n} variant{}",
        scenario.name,
        if n == 1 { "" } else { "s" }
    );
    let bar = progress_bar(
        args.quiet,
        &message,
        "runs",
        n as u64 * u64::from(config.replications),
    );
    let progress = on_progress(&bar);
    let started = Instant::now();

    if let (Some(id), Some(out_path)) = (args.shard, &args.out) {
        let part = shard::run_shard(&sweep, &text, &config, id, &progress).map_err(sweep_error)?;
        bar.finish_and_clear();
        let json = part.to_json().map_err(|e| anyhow::anyhow!(e))?;
        std::fs::write(out_path, json)
            .with_context(|| format!("cannot write shard file {}", out_path.display()))?;
        if !args.quiet {
            let events: u64 = part.results.iter().map(|p| p.result.events).sum();
            eprintln!(
                "ccsim: shard {id}: {} of {} runs written to {} ({events} events in {:.3} s)",
                part.results.len(),
                n as u64 * u64::from(config.replications),
                out_path.display(),
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(());
    }

    let (report, outcome) = match &target {
        Some(p) => {
            let (r, o) =
                sweep::run_to_precision(&sweep, &config, p, &progress).map_err(sweep_error)?;
            (r, Some(o))
        }
        None => (
            sweep::run(&sweep, &config, &progress).map_err(sweep_error)?,
            None,
        ),
    };
    let wall_s = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    print_sweep(
        &sweep,
        &report,
        outcome.as_ref(),
        args.format,
        args.plot.as_deref(),
    )?;
    if !args.quiet {
        if let Some(o) = &outcome {
            warn_precision(o);
        }
        let timing = output::Timing {
            wall_s,
            events: report.events(),
            calls: report.calls(),
            peak_rss_kib: output::peak_rss_kib(),
        };
        eprintln!("ccsim: {}", timing.summary());
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
        Format::Table => output::report_table(out, report, scenario, None)?,
        Format::Json => output::report_json(out, report, scenario, timing, None)?,
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

/// Print a sweep report on stdout and draw its plot. `ccsim sweep` and `ccsim
/// merge` share it, so that both print the same bytes.
fn print_sweep(
    sweep: &Sweep,
    report: &sweep::SweepReport,
    outcome: Option<&PrecisionOutcome>,
    format: Format,
    plot_path: Option<&Path>,
) -> anyhow::Result<()> {
    let view = output::SweepView {
        report,
        scenario: sweep.base(),
        precision: outcome,
    };
    let mut out = io::stdout().lock();
    match format {
        Format::Table => output::sweep_table(&mut out, &view)?,
        Format::Json => output::sweep_json(&mut out, &view)?,
        Format::Csv => output::sweep_csv(&mut out, &view)?,
    }
    out.flush()?;
    if let Some(p) = plot_path {
        plot::plot_sweep(p, report, sweep.erlang_curve().as_ref())?;
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
        outages: !args.keep_outages,
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
    let staffing = args.staffing.unwrap_or(if args.compare {
        StaffingArg::Simulated
    } else {
        StaffingArg::Distinct
    });
    let day = args.day || args.compare || staffing == StaffingArg::Simulated;
    let options = ScenarioOptions {
        staffing: match staffing {
            StaffingArg::Distinct => StaffingRule::Distinct,
            StaffingArg::ErlangA | StaffingArg::Simulated => StaffingRule::ErlangA,
            StaffingArg::Occupancy => StaffingRule::Occupancy,
        },
        shape: if day {
            ScenarioShape::Day
        } else {
            ScenarioShape::Window
        },
        replications: args.replications,
        ..ScenarioOptions::default()
    };
    let mut scenario = calibrate::to_scenario(&report, &options);
    if staffing == StaffingArg::Simulated {
        let refine = calibrate::RefineOptions {
            threads: args.threads,
            ..calibrate::RefineOptions::default()
        };
        let refined = calibrate::refine_staffing(&mut scenario, &report, &refine)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        writeln!(out, "\n{refined}")?;
    }
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
    if let Some(dest) = &args.out {
        let staffing = match staffing {
            StaffingArg::Distinct => format!(
                "as many agents as were busy at some moment of an average {}-minute\n\
                 interval",
                args.interval_min
            ),
            StaffingArg::ErlangA => "the Erlang A staffing that reproduces the observed \
                                     abandonment"
                .to_string(),
            StaffingArg::Simulated => "the effective staffing: per interval,\nthe agents \
                                       with which this day, simulated, reproduces the\n\
                                       observed abandonment (Erlang A refined by simulation)"
                .to_string(),
            StaffingArg::Occupancy => "the agents busy on average at 85 % occupancy".to_string(),
        };
        let what = if day {
            "the busy weekdays' arrival profiles per interval"
        } else {
            "the busy window's mean arrival rates"
        };
        let mut comment = format!(
            "Fitted by `ccsim calibrate` from {}:\n\
             {what}, the handle-time and patience\n\
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
            "\nwrote {}: {} call types, {} agents at most, {:.1} h",
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
    if args.compare {
        let records: Vec<_> = records
            .into_iter()
            .filter(|r| r.outcome != sim_core::trace::Outcome::Phantom)
            .collect();
        compare::run_compare(
            &mut out,
            &scenario,
            &report,
            &records,
            args.threads,
            args.report.as_deref(),
            bank.then_some(BANK_CREDIT),
        )?;
    }
    out.flush()?;
    Ok(())
}

/// Read `log` and make the calls of `day` the arrivals of `scenario`'s call types
/// of the same names (trace-driven run); report what was replayed on stderr.
fn apply_trace_log(
    scenario: &mut sim_core::Scenario,
    log: &Path,
    day: &str,
    sample: &[TraceSampleArg],
) -> anyhow::Result<()> {
    let date = Date::parse_yymmdd(day)
        .or_else(|| Date::parse_iso(day))
        .with_context(|| format!("--trace-day {day}: expected yymmdd or yyyy-mm-dd"))?;
    let bytes =
        std::fs::read(log).with_context(|| format!("cannot read call log {}", log.display()))?;
    let format = LogFormat::detect(&bytes);
    let (records, skips) = parse_log(format, &bytes, &LogOptions::default())
        .map_err(|e| anyhow::anyhow!("{}: {e}", log.display()))?;
    let using = calibrate::TraceUse {
        handle: !sample.contains(&TraceSampleArg::Handle),
        patience: !sample.contains(&TraceSampleArg::Patience),
        priority: !sample.contains(&TraceSampleArg::Priority),
    };
    let calls = calibrate::trace_calls(&records, date, scenario.day_start_h * 3600.0, using);
    let total: usize = calls.values().map(Vec::len).sum();
    if total == 0 {
        anyhow::bail!(
            "{}: no call of {date} reached the queue after the scenario's start ({:.2} h)",
            log.display(),
            scenario.day_start_h
        );
    }
    let missing = calibrate::apply_trace(scenario, calls);
    let problems = scenario.validate();
    if !problems.is_empty() {
        anyhow::bail!(
            "the trace-driven scenario is not valid: {}",
            problems
                .iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    eprintln!(
        "trace-driven: {total} calls of {date} from {} ({} rows skipped){}",
        log.display(),
        skips.total_skipped(),
        if missing.is_empty() {
            String::new()
        } else {
            format!(
                "; call types not in the scenario, not replayed: {}",
                missing.join(", ")
            )
        }
    );
    if format == LogFormat::Bank {
        eprintln!("{BANK_CREDIT}");
    }
    Ok(())
}

/// The acknowledgement the publishers of the bank log ask for.
const BANK_CREDIT: &str = "Data: the \"Anonymous Bank\" call log, Technion Service Enterprise Engineering (SEE) lab (Avishai Mandelbaum).";

fn cmd_merge(args: MergeArgs) -> anyhow::Result<()> {
    if let Some(p) = &args.plot {
        plot::PlotFormat::of(p)?;
    }
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read shard file {}", path.display()))?;
        let part =
            ShardFile::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        files.push((path.display().to_string(), part));
    }
    let merged = shard::merge(&files)?;
    let origin = format!("{} (scenario)", files[0].0);
    let scenario = parse_scenario(&merged.scenario, &origin)?;
    let sweep = Sweep::new(&scenario, &merged.factors).map_err(sweep_error)?;
    let mut config = merged.config;
    if let Some(b) = args.baseline {
        config.baseline = b;
    }
    let report = sweep::SweepReport::new(&sweep, &config, merged.results).map_err(sweep_error)?;
    print_sweep(&sweep, &report, None, args.format, args.plot.as_deref())
}

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

fn cmd_staff(args: StaffArgs) -> anyhow::Result<()> {
    let scenario = load_scenario(&args.file)?;
    let run = RunConfig {
        replications: args.replications.unwrap_or(scenario.replications),
        seed: args.seed.unwrap_or(scenario.seed),
        threads: args.threads,
    };
    let config = StaffConfig {
        targets: StaffTargets {
            service_level: args.target_sl,
            max_abandon: args.max_abandon,
            max_asa_s: args.max_asa_s,
            confidence: args.confidence,
        },
        group: args.group,
        run,
    };
    let bar = if args.quiet || !io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({pos} candidate runs, {elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    };
    let started = Instant::now();
    let plan = staffing::staff(&scenario, &config, &|i, n| {
        bar.set_message(format!("{}: interval {} of {n}", scenario.name, i + 1));
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let mut out = io::stdout().lock();
    match args.format {
        Format::Table => output::staff_table(&mut out, &plan, &scenario)?,
        Format::Json => output::staff_json(&mut out, &plan, &scenario)?,
        Format::Csv => output::staff_csv(&mut out, &plan, &scenario)?,
    }
    if let Some(dest) = &args.out {
        let comment = format!(
            "{}: staffing plan for group \"{}\" found by `ccsim staff` (target SL {}, confidence {}).",
            scenario.name, plan.group, args.target_sl, args.confidence
        );
        let text = calibrate::scenario_ron(&plan.scenario, &comment)
            .context("cannot write the staffed scenario as RON")?;
        std::fs::write(dest, text).with_context(|| format!("cannot write {}", dest.display()))?;
    }
    if !args.quiet {
        eprintln!(
            "ccsim: {} candidate plans × {} replications in {:.3} s",
            plan.evaluations,
            plan.replications,
            started.elapsed().as_secs_f64()
        );
        if !plan.all_met() {
            eprintln!("ccsim: warning: some intervals still miss the targets (see `met`)");
        }
    }
    Ok(())
}
