//! Sweeps: one scenario under a grid of parameter values, compared with common
//! random numbers.
//!
//! A [`Factor`] names a number in the scenario by its path
//! (`agent_groups[team].count`, `call_types[general].handle_time.mean_s`,
//! `arrival_scale`, …; see [`numeric_paths`]) and lists the values to try
//! ([`parse_values`]: `18,19,20`, `18..22`, `0.9..1.2:0.1`). Several factors make
//! a full grid, the first varying slowest. [`Sweep::new`] builds and validates
//! every variant before anything runs; paths are resolved generically through the
//! serde data model, so new scenario fields can be swept without code here.
//!
//! [`run`] simulates every (variant × replication) pair in one rayon pool and
//! collects the results by index, so the report is bit-identical whatever the
//! number of threads. With [`Streams::Common`] (the default) every variant uses
//! the same seed and replication indices, hence the same arrivals, handle times
//! and patience draws (the engine keeps them independent of the staffing): the
//! differences between variants are then measured on paired replications, and
//! their confidence intervals ([`VariantReport::diff`]) are much narrower than
//! those of independent runs. [`Streams::Independent`] gives variant `v` the seed
//! `hash(seed, v)` instead, for comparison.
//!
//! [`run_to_precision`] adds replications in batches (see [`super::precision`]);
//! [`shard`] splits the pairs over machines and merges the parts back.
//!
//! ```
//! use sim_core::experiment::sweep::{self, Factor, Sweep, SweepConfig};
//! use sim_core::scenario;
//!
//! let s = scenario::parse(r#"Scenario(name: "q", horizon_h: 2.0, replications: 3,
//!     call_types: [CallType(name: "general", arrivals: Poisson(per_hour: 360.0),
//!                           handle_time: Exponential(mean_s: 180.0))],
//!     agent_groups: [AgentGroup(name: "team", count: 20, skills: ["general"])])"#).unwrap();
//! let factor: Factor = "agent_groups[team].count=19..21".parse().unwrap();
//! let sweep = Sweep::new(&s, &[factor]).unwrap();
//! assert_eq!(sweep.variants().len(), 3);
//! let report = sweep::run(&sweep, &SweepConfig::from_scenario(&s), &|_| {}).unwrap();
//! // More agents, better service: compared on the same calls.
//! let diff = report.variants[2].diff.kpis.get("service_level").unwrap();
//! assert!(diff.mean > 0.0);
//! ```

mod param;
pub mod shard;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::precision::{self, Precision, PrecisionOutcome, Widest};
use super::{ExperimentError, Job, Progress, Report, RunConfig, run_jobs};
use crate::analytic::{self, ErlangKpis, QueueParams};
use crate::engine::Model;
use crate::scenario::{Problem, Scenario};
use crate::stats::{KpiEstimates, Kpis, RepResult};

/// Most values one factor may list or generate.
pub const MAX_VALUES: usize = 100_000;
/// Most variants a sweep may have.
pub const MAX_VARIANTS: usize = 100_000;

/// One varied parameter: a path into the scenario and the values to give it, as
/// the user wrote them (the path is not normalised).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// Path of the number, e.g. `agent_groups[team].count`.
    pub path: String,
    /// The values, in the order given (no duplicates).
    pub values: Vec<f64>,
}

impl FromStr for Factor {
    type Err = SweepError;

    /// Parse `PATH=VALUES`, e.g. `agent_groups[team].count=18..22`.
    fn from_str(arg: &str) -> Result<Factor, SweepError> {
        let bad = |reason: String| SweepError::BadFactor {
            arg: arg.to_string(),
            reason,
        };
        let (path, values) = arg
            .split_once('=')
            .ok_or_else(|| bad("expected PATH=VALUES, e.g. agent_groups[0].count=18..22".into()))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(bad("the parameter path before `=` is empty".into()));
        }
        let values = parse_values(values).map_err(bad)?;
        Ok(Factor {
            path: path.to_string(),
            values,
        })
    }
}

fn number(text: &str) -> Result<f64, String> {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(format!("`{t}` is not a finite number")),
        Err(_) if t.is_empty() => Err("a value is missing".into()),
        Err(_) => Err(format!("`{t}` is not a number")),
    }
}

/// Digits after the decimal point of a plain decimal (`None` with an exponent).
fn decimals(text: &str) -> Option<u32> {
    let t = text.trim();
    if t.contains(['e', 'E']) {
        return None;
    }
    Some(t.split_once('.').map_or(0, |(_, f)| f.len() as u32))
}

fn range(text: &str, out: &mut Vec<f64>) -> Result<(), String> {
    let (a, rest) = text.split_once("..").unwrap_or((text, ""));
    let (b, step) = match rest.split_once(':') {
        Some((b, s)) => (b, Some(s)),
        None => (rest, None),
    };
    let (start, end) = (number(a)?, number(b)?);
    let step_v = step.map_or(Ok(1.0), number)?;
    if step_v <= 0.0 {
        return Err(format!("the step of `{}` must be > 0", text.trim()));
    }
    if start > end {
        return Err(format!(
            "`{}` runs downwards; write the smaller value first",
            text.trim()
        ));
    }
    let span = (end - start) / step_v;
    if span >= MAX_VALUES as f64 {
        return Err(format!(
            "`{}` has more than {MAX_VALUES} values",
            text.trim()
        ));
    }
    let steps = (span + 1e-9).floor() as usize;
    // Round to the decimals written, so 0.9..1.2:0.1 gives 1.2, not 1.2000000000000002.
    let scale = [decimals(a), decimals(b), step.map_or(Some(0), decimals)]
        .into_iter()
        .try_fold(0u32, |m, d| d.map(|d| m.max(d)))
        .filter(|d| *d <= 15)
        .map(|d| 10f64.powi(d as i32));
    for k in 0..=steps {
        let x = start + k as f64 * step_v;
        out.push(match scale {
            Some(s) => (x * s).round() / s,
            None => x,
        });
    }
    Ok(())
}

/// Parse VALUES: a comma-separated list of numbers and ranges. A range `a..b`
/// runs from `a` to `b` inclusive in steps of 1, `a..b:step` in steps of `step`
/// (values are rounded to the decimals written, so `0.9..1.2:0.1` gives 0.9, 1.0,
/// 1.1, 1.2). Values keep their order; a value listed twice is refused.
///
/// ```
/// use sim_core::experiment::sweep::parse_values;
/// assert_eq!(parse_values("18..20").unwrap(), vec![18.0, 19.0, 20.0]);
/// assert_eq!(parse_values("10,20..40:10").unwrap(), vec![10.0, 20.0, 30.0, 40.0]);
/// assert!(parse_values("3..1").is_err());
/// ```
pub fn parse_values(text: &str) -> Result<Vec<f64>, String> {
    if text.trim().is_empty() {
        return Err("no values after `=` (give a list 18,19,20 or a range 18..20)".into());
    }
    let mut out = Vec::new();
    for item in text.split(',') {
        if item.contains("..") {
            range(item, &mut out)?;
        } else {
            out.push(number(item)?);
        }
        if out.len() > MAX_VALUES {
            return Err(format!("more than {MAX_VALUES} values"));
        }
    }
    for (i, x) in out.iter().enumerate() {
        if out[..i].contains(x) {
            return Err(format!("the value {x} is listed twice"));
        }
    }
    Ok(out)
}

/// A value as shown in labels and tables: whole numbers without a decimal point.
pub fn format_value(value: f64, integer: bool) -> String {
    if integer {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// Every numeric parameter of `scenario` that a [`Factor`] can name, with list
/// elements named by their `name` where they have one (an index works too).
pub fn numeric_paths(scenario: &Scenario) -> Vec<String> {
    param::to_value(scenario)
        .map(|v| param::numeric_paths(&v))
        .unwrap_or_default()
}

/// Why a sweep cannot be built or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// No factor was given. Fatal.
    #[error("nothing to vary: give at least one PATH=VALUES")]
    NoFactors,
    /// A `PATH=VALUES` argument that does not parse. Fatal.
    #[error("`{arg}`: {reason}")]
    BadFactor {
        /// The argument as given.
        arg: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A path that names no number of the scenario. Fatal; lists the valid ones.
    #[error("{}", bad_path(path, reason, valid))]
    BadPath {
        /// The path as given.
        path: String,
        /// Why it does not resolve.
        reason: String,
        /// Every numeric path of the scenario.
        valid: Vec<String>,
    },
    /// Two factors name the same number. Fatal.
    #[error("`{first}` and `{second}` name the same parameter ({canonical})")]
    DuplicatePath {
        /// The first path as given.
        first: String,
        /// The second path as given.
        second: String,
        /// The number both name, with indices.
        canonical: String,
    },
    /// A fractional value for a whole-number parameter (a count). Fatal.
    #[error("{path} takes whole numbers; {value} is not one")]
    NotInteger {
        /// The path as given.
        path: String,
        /// The offending value.
        value: f64,
    },
    /// The grid has more than [`MAX_VARIANTS`] variants. Fatal.
    #[error("the sweep has {count} variants; at most {MAX_VARIANTS} are allowed")]
    TooManyVariants {
        /// Number of variants the grid would have.
        count: u128,
    },
    /// Values the scenario's fields cannot hold (a negative count, …), per
    /// variant. Fatal.
    #[error("{}", bad_values(.0))]
    BadValues(Vec<(String, String)>),
    /// Variants that are not valid scenarios (validation problems), per variant.
    /// Fatal: nothing was run.
    #[error("{}", invalid_variants(.0))]
    InvalidVariants(Vec<(String, Vec<Problem>)>),
    /// The baseline index is not a variant. Fatal.
    #[error("there is no variant {baseline} to use as baseline (variants are numbered 0 to {})", .variants.saturating_sub(1))]
    BadBaseline {
        /// The index asked for.
        baseline: usize,
        /// Number of variants.
        variants: usize,
    },
    /// Results that do not fit the sweep (wrong count). Fatal.
    #[error("{0}")]
    Results(String),
    /// The scenario cannot be represented for path lookup. Fatal.
    #[error("{0}")]
    Representation(String),
    /// The experiment could not run (threads, replications, precision). Fatal.
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
}

impl SweepError {
    /// Whether the problem lies in the scenario (a variant that does not validate)
    /// rather than in the arguments.
    pub fn is_scenario_problem(&self) -> bool {
        matches!(self, SweepError::InvalidVariants(_))
    }
}

fn bad_path(path: &str, reason: &str, valid: &[String]) -> String {
    let mut s = format!(
        "`{path}` names no numeric parameter: {reason}\nnumeric parameters of this scenario:"
    );
    for v in valid {
        s.push_str("\n  ");
        s.push_str(v);
    }
    s.push_str("\n(a list element can also be named by its position: [0], [1], …)");
    s
}

fn bad_values(problems: &[(String, String)]) -> String {
    problems
        .iter()
        .map(|(label, msg)| format!("{label}: {msg}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn invalid_variants(variants: &[(String, Vec<Problem>)]) -> String {
    let mut lines = Vec::new();
    for (label, problems) in variants {
        for p in problems {
            lines.push(format!("{label}: {}: {}", p.path, p.message));
        }
    }
    lines.join("\n")
}

/// One point of the grid: the values of the factors and the scenario they give.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The value of each factor, in factor order.
    pub values: Vec<f64>,
    /// `path=value, …`, e.g. `agent_groups[team].count=18`.
    pub label: String,
    /// The scenario with these values (validated).
    pub scenario: Scenario,
    /// It, compiled.
    pub model: Arc<Model>,
}

/// A validated grid of variants of one scenario.
#[derive(Debug, Clone)]
pub struct Sweep {
    base: Scenario,
    factors: Vec<Factor>,
    targets: Vec<param::Target>,
    variants: Vec<Variant>,
}

impl Sweep {
    /// Resolve every factor's path in `base`, build every variant of the grid (the
    /// first factor varying slowest) and validate each. Reports every bad value
    /// and every invalid variant at once.
    pub fn new(base: &Scenario, factors: &[Factor]) -> Result<Sweep, SweepError> {
        if factors.is_empty() {
            return Err(SweepError::NoFactors);
        }
        let root = param::to_value(base).map_err(SweepError::Representation)?;
        let mut targets: Vec<param::Target> = Vec::new();
        for (i, f) in factors.iter().enumerate() {
            let t = param::resolve(&root, &f.path).map_err(|reason| SweepError::BadPath {
                path: f.path.clone(),
                reason,
                valid: param::numeric_paths(&root),
            })?;
            if let Some(j) = targets.iter().position(|o| o.canonical == t.canonical) {
                return Err(SweepError::DuplicatePath {
                    first: factors[j].path.clone(),
                    second: factors[i].path.clone(),
                    canonical: t.canonical,
                });
            }
            if f.values.is_empty() {
                return Err(SweepError::BadFactor {
                    arg: f.path.clone(),
                    reason: "no values".into(),
                });
            }
            if t.integer
                && let Some(&value) = f.values.iter().find(|v| v.fract() != 0.0)
            {
                return Err(SweepError::NotInteger {
                    path: f.path.clone(),
                    value,
                });
            }
            targets.push(t);
        }
        let count: u128 = factors.iter().map(|f| f.values.len() as u128).product();
        if count > MAX_VARIANTS as u128 {
            return Err(SweepError::TooManyVariants { count });
        }
        let mut variants = Vec::with_capacity(count as usize);
        let (mut bad, mut invalid) = (Vec::new(), Vec::new());
        for v in 0..count as usize {
            // Row-major: the last factor varies fastest.
            let mut rest = v;
            let mut idx = vec![0; factors.len()];
            for (k, f) in factors.iter().enumerate().rev() {
                idx[k] = rest % f.values.len();
                rest /= f.values.len();
            }
            let values: Vec<f64> = idx.iter().zip(factors).map(|(&i, f)| f.values[i]).collect();
            let label = factors
                .iter()
                .zip(&targets)
                .zip(&values)
                .map(|((f, t), &x)| format!("{}={}", f.path, format_value(x, t.integer)))
                .collect::<Vec<_>>()
                .join(", ");
            let mut doc = root.clone();
            let mut failed = None;
            for ((f, t), &x) in factors.iter().zip(&targets).zip(&values) {
                if let Err(e) = param::set(&mut doc, t, x) {
                    failed = Some(format!("{}: {e}", f.path));
                    break;
                }
            }
            let scenario = match failed {
                Some(e) => Err(e),
                None => serde_json::from_value::<Scenario>(doc).map_err(|e| e.to_string()),
            };
            let scenario = match scenario {
                Ok(s) => s,
                Err(e) => {
                    bad.push((format!("variant {v} ({label})"), e));
                    continue;
                }
            };
            let problems = scenario.validate();
            if !problems.is_empty() {
                invalid.push((format!("variant {v} ({label})"), problems));
                continue;
            }
            let model = match Model::new(&scenario) {
                Ok(m) => Arc::new(m),
                Err(e) => {
                    bad.push((format!("variant {v} ({label})"), e.to_string()));
                    continue;
                }
            };
            variants.push(Variant {
                values,
                label,
                scenario,
                model,
            });
        }
        if !bad.is_empty() {
            return Err(SweepError::BadValues(bad));
        }
        if !invalid.is_empty() {
            return Err(SweepError::InvalidVariants(invalid));
        }
        Ok(Sweep {
            base: base.clone(),
            factors: factors.to_vec(),
            targets,
            variants,
        })
    }

    /// The scenario the variants derive from.
    pub fn base(&self) -> &Scenario {
        &self.base
    }

    /// The factors, as given.
    pub fn factors(&self) -> &[Factor] {
        &self.factors
    }

    /// Whether factor `i` names a whole-number parameter (a count).
    pub fn is_integer(&self, i: usize) -> bool {
        self.targets.get(i).is_some_and(|t| t.integer)
    }

    /// The path of factor `i` in canonical form (list elements by index, no enum
    /// tags), e.g. `agent_groups[0].count`.
    pub fn canonical_path(&self, i: usize) -> Option<&str> {
        self.targets.get(i).map(|t| t.canonical.as_str())
    }

    /// The variants, in grid order.
    pub fn variants(&self) -> &[Variant] {
        &self.variants
    }

    /// The exact Erlang C (no patience) or Erlang A curve beside this sweep, when
    /// Erlang's assumptions hold and the one factor is the staffing: one call
    /// type with Poisson arrivals, exponential handle time and exponential (or
    /// no) patience, one agent group, and the factor is that group's `count`.
    /// Points run over every whole number of agents between the smallest and
    /// the largest value swept (about 1000 of them, plus the values swept, over
    /// wider spans); staffings without a steady state (Erlang C with no more
    /// agents than the load) are left out.
    pub fn erlang_curve(&self) -> Option<ErlangCurve> {
        if self.factors.len() != 1 || self.targets[0].canonical != "agent_groups[0].count" {
            return None;
        }
        let s = &self.base;
        let q = s.erlang_queue()?;
        let patience_s = q.patience_s;
        let values = &self.factors[0].values;
        let lo = values
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
            .max(1.0) as u32;
        let hi = values.iter().copied().fold(0.0, f64::max) as u32;
        // Every whole number of agents, thinned to about 1000 points over wide spans
        // (each evaluation costs O(agents)); the values swept are always included.
        let step = (hi.saturating_sub(lo) / 1000).max(1) as usize;
        let mut staffings: Vec<u32> = (lo..=hi).step_by(step).collect();
        staffings.extend(values.iter().map(|&v| v as u32).filter(|&c| c >= 1));
        staffings.sort_unstable();
        staffings.dedup();
        let points = staffings
            .into_iter()
            .filter_map(|agents| {
                let p = QueueParams {
                    calls_per_hour: q.calls_per_hour,
                    aht_s: q.aht_s,
                    agents,
                    patience_s,
                    sl_s: s.service_level_s,
                };
                analytic::evaluate(&p).ok().map(|k| (agents, k))
            })
            .collect();
        Some(ErlangCurve {
            model: if patience_s.is_some() {
                "Erlang A"
            } else {
                "Erlang C"
            },
            points,
        })
    }
}

/// Exact Erlang values against the number of agents (see [`Sweep::erlang_curve`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ErlangCurve {
    /// `"Erlang C"` or `"Erlang A"`.
    pub model: &'static str,
    /// `(agents, exact KPIs)`, by increasing agents.
    pub points: Vec<(u32, ErlangKpis)>,
}

/// How the variants' random numbers relate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Streams {
    /// Every variant uses the same seed: common random numbers, paired
    /// comparisons (the default).
    #[default]
    Common,
    /// Variant `v` uses the seed `hash(seed, v)`: independent samples.
    Independent,
}

impl fmt::Display for Streams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Streams::Common => "common",
            Streams::Independent => "independent",
        })
    }
}

/// How to run a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepConfig {
    /// Replications per variant.
    pub replications: u32,
    /// The seed (of every variant, with common random numbers).
    pub seed: u64,
    /// Worker threads; `None` uses every core. Results do not depend on it.
    pub threads: Option<usize>,
    /// Common or independent random numbers.
    pub streams: Streams,
    /// The variant the others are compared with (index in grid order).
    pub baseline: usize,
}

impl SweepConfig {
    /// The scenario's replications and seed, common random numbers, variant 0 as
    /// baseline, every core.
    pub fn from_scenario(s: &Scenario) -> SweepConfig {
        SweepConfig {
            replications: s.replications,
            seed: s.seed,
            threads: None,
            streams: Streams::Common,
            baseline: 0,
        }
    }

    /// The seed variant `variant` runs with.
    pub fn variant_seed(&self, variant: usize) -> u64 {
        match self.streams {
            Streams::Common => self.seed,
            Streams::Independent => mix(mix(self.seed) ^ variant as u64),
        }
    }

    fn check(&self, variants: usize) -> Result<(), SweepError> {
        if self.replications == 0 {
            return Err(ExperimentError::NoReplications.into());
        }
        if self.threads == Some(0) {
            return Err(ExperimentError::ZeroThreads.into());
        }
        if self.baseline >= variants {
            return Err(SweepError::BadBaseline {
                baseline: self.baseline,
                variants,
            });
        }
        Ok(())
    }
}

/// SplitMix64's finaliser (a bijective 64-bit mix).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Run the `(variant, replication)` pairs, results in the order given.
fn run_pairs(
    sweep: &Sweep,
    config: &SweepConfig,
    pairs: &[(usize, u64)],
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<RepResult>, ExperimentError> {
    let seeds: Vec<u64> = (0..sweep.variants.len())
        .map(|v| config.variant_seed(v))
        .collect();
    let jobs: Vec<Job<'_>> = pairs
        .iter()
        .map(|&(v, rep)| (&sweep.variants[v].model, seeds[v], rep))
        .collect();
    run_jobs(&jobs, config.threads, &|| progress(Progress::Done))
}

/// Replications `from..to` of every variant, grouped by variant.
fn run_block(
    sweep: &Sweep,
    config: &SweepConfig,
    from: u32,
    to: u32,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<Vec<RepResult>>, ExperimentError> {
    let per = (to - from) as usize;
    let pairs: Vec<(usize, u64)> = (0..sweep.variants.len())
        .flat_map(|v| (u64::from(from)..u64::from(to)).map(move |r| (v, r)))
        .collect();
    let mut results = run_pairs(sweep, config, &pairs, progress)?.into_iter();
    Ok((0..sweep.variants.len())
        .map(|_| results.by_ref().take(per).collect())
        .collect())
}

/// Run every variant `config.replications` times and compare each with the
/// baseline. `progress` gets [`Progress::Planned`] once, then one
/// [`Progress::Done`] per (variant, replication) pair.
pub fn run(
    sweep: &Sweep,
    config: &SweepConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<SweepReport, SweepError> {
    config.check(sweep.variants.len())?;
    progress(Progress::Planned(
        sweep.variants.len() as u64 * u64::from(config.replications),
    ));
    let results = run_block(sweep, config, 0, config.replications, progress)?;
    SweepReport::new(sweep, config, results)
}

/// Like [`run`], but in batches of replications (the same count for every
/// variant, so comparisons stay paired) until every KPI of every variant meets
/// `precision` (see [`super::precision`]). The report equals [`run`] with the
/// final replication count.
pub fn run_to_precision(
    sweep: &Sweep,
    config: &SweepConfig,
    precision: &Precision,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(SweepReport, PrecisionOutcome), SweepError> {
    precision.check()?;
    config.check(sweep.variants.len())?;
    let first = precision.first_batch(config.replications);
    let n_variants = sweep.variants.len();
    let mut results: Vec<Vec<RepResult>> = vec![Vec::new(); n_variants];
    let outcome = precision::drive(precision, first, |from, to| {
        progress(Progress::Planned(n_variants as u64 * u64::from(to)));
        let block = run_block(sweep, config, from, to, progress)?;
        let mut worst: Option<Widest> = None;
        for (v, (all, new)) in results.iter_mut().zip(block).enumerate() {
            all.extend(new);
            let variant = &sweep.variants[v];
            let cfg = RunConfig {
                replications: to,
                seed: config.variant_seed(v),
                threads: None,
            };
            let report = Report::new(&variant.model, &cfg, all.clone());
            let scopes = precision::report_scopes(&report)
                .into_iter()
                .map(|(scope, k)| (format!("{}: {scope}", variant.label), k));
            if let Some(w) = precision::widest(scopes)
                && worst
                    .as_ref()
                    .is_none_or(|o| w.relative_half_width > o.relative_half_width)
            {
                worst = Some(w);
            }
        }
        Ok::<_, SweepError>(worst)
    })?;
    let config = SweepConfig {
        replications: outcome.replications,
        ..*config
    };
    Ok((SweepReport::new(sweep, &config, results)?, outcome))
}

/// Estimates of the paired differences `variant − baseline`, per replication.
#[derive(Debug, Clone, PartialEq)]
pub struct Differences {
    /// Over all call types.
    pub kpis: KpiEstimates,
    /// `(call type name, differences)` in scenario order.
    pub by_call_type: Vec<(String, KpiEstimates)>,
    /// `(group name, differences)` in scenario order.
    pub by_group: Vec<(String, KpiEstimates)>,
}

/// One variant's estimates and its comparison with the baseline.
#[derive(Debug, Clone)]
pub struct VariantReport {
    /// The value of each factor.
    pub values: Vec<f64>,
    /// `path=value, …`.
    pub label: String,
    /// Its KPIs with 95 % confidence intervals.
    pub report: Report,
    /// Its KPIs minus the baseline's, replication by replication, with the 95 %
    /// confidence interval of the mean difference (zero for the baseline itself).
    pub diff: Differences,
}

/// The result of a sweep.
#[derive(Debug, Clone)]
pub struct SweepReport {
    /// Scenario name.
    pub scenario: String,
    /// The factors, as given.
    pub factors: Vec<Factor>,
    /// Per factor: whether it takes whole numbers.
    pub integer: Vec<bool>,
    /// Replications per variant.
    pub replications: u32,
    /// The seed.
    pub seed: u64,
    /// Common or independent random numbers.
    pub streams: Streams,
    /// Index of the baseline variant.
    pub baseline: usize,
    /// Every variant, in grid order.
    pub variants: Vec<VariantReport>,
}

fn sub(a: &Kpis, b: &Kpis) -> Kpis {
    Kpis {
        offered: a.offered - b.offered,
        answered: a.answered - b.answered,
        abandoned: a.abandoned - b.abandoned,
        service_level: a.service_level - b.service_level,
        asa_s: a.asa_s - b.asa_s,
        abandon_rate: a.abandon_rate - b.abandon_rate,
        p_wait: a.p_wait - b.p_wait,
        occupancy: a.occupancy - b.occupancy,
        aht_s: a.aht_s - b.aht_s,
        mean_queue_len: a.mean_queue_len - b.mean_queue_len,
        fcr: a.fcr - b.fcr,
        csat: a.csat - b.csat,
    }
}

impl SweepReport {
    /// Estimate every variant's KPIs and its differences from the baseline.
    /// `results[v]` holds replications `0..config.replications` of variant `v`, in
    /// order.
    pub fn new(
        sweep: &Sweep,
        config: &SweepConfig,
        results: Vec<Vec<RepResult>>,
    ) -> Result<SweepReport, SweepError> {
        config.check(sweep.variants.len())?;
        let n = config.replications as usize;
        if results.len() != sweep.variants.len() || results.iter().any(|r| r.len() != n) {
            return Err(SweepError::Results(format!(
                "expected {n} results for each of {} variants",
                sweep.variants.len()
            )));
        }
        let base = results[config.baseline].clone();
        let s = &sweep.base;
        let diffs = |reps: &[RepResult], f: &dyn Fn(&RepResult) -> Kpis| {
            let d: Vec<Kpis> = reps
                .iter()
                .zip(&base)
                .map(|(a, b)| sub(&f(a), &f(b)))
                .collect();
            KpiEstimates::from_reps(&d)
        };
        let variants = results
            .into_iter()
            .enumerate()
            .map(|(v, reps)| {
                let variant = &sweep.variants[v];
                let diff = Differences {
                    kpis: diffs(&reps, &|r| r.kpis()),
                    by_call_type: s
                        .call_types
                        .iter()
                        .enumerate()
                        .map(|(i, ct)| (ct.name.clone(), diffs(&reps, &|r| r.call_type_kpis(i))))
                        .collect(),
                    by_group: s
                        .agent_groups
                        .iter()
                        .enumerate()
                        .map(|(g, grp)| (grp.name.clone(), diffs(&reps, &|r| r.group_kpis(g))))
                        .collect(),
                };
                let cfg = RunConfig {
                    replications: config.replications,
                    seed: config.variant_seed(v),
                    threads: None,
                };
                VariantReport {
                    values: variant.values.clone(),
                    label: variant.label.clone(),
                    report: Report::new(&variant.model, &cfg, reps),
                    diff,
                }
            })
            .collect();
        Ok(SweepReport {
            scenario: s.name.clone(),
            factors: sweep.factors.clone(),
            integer: (0..sweep.factors.len())
                .map(|i| sweep.is_integer(i))
                .collect(),
            replications: config.replications,
            seed: config.seed,
            streams: config.streams,
            baseline: config.baseline,
            variants,
        })
    }

    /// Events processed, over every variant and replication.
    pub fn events(&self) -> u64 {
        self.variants.iter().map(|v| v.report.events).sum()
    }

    /// Calls simulated, over every variant and replication.
    pub fn calls(&self) -> u64 {
        self.variants
            .iter()
            .flat_map(|v| &v.report.reps)
            .map(|r| r.calls)
            .sum()
    }
}

#[cfg(test)]
mod tests;
