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
use sim_core::{Model, RunConfig, experiment, scenario};

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
    }
}

/// Read and validate a scenario file; on problems print them all (file:line:col)
/// and fail with exit code 1.
fn load_scenario(path: &Path) -> anyhow::Result<sim_core::Scenario> {
    let src = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read scenario file {}", path.display()))?;
    scenario::parse(&src).map_err(|e| {
        eprint!("{}", e.render(&path.display().to_string(), &src));
        let n = e.diagnostics.len();
        eprintln!(
            "ccsim: {} has {n} problem{}",
            path.display(),
            if n == 1 { "" } else { "s" }
        );
        anyhow::Error::new(Reported(1))
    })
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
    let scenario = load_scenario(&args.file)?;
    let model = Arc::new(Model::new(&scenario).map_err(|e| anyhow::anyhow!("{e}"))?);
    let mut config = RunConfig::from_model(&model);
    if let Some(r) = args.replications {
        config.replications = r;
    }
    if let Some(s) = args.seed {
        config.seed = s;
    }
    config.threads = args.threads;

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
