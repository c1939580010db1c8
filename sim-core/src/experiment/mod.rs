//! Experiments: independent replications run in parallel, merged in replication
//! order into a [`Report`] with confidence intervals.
//!
//! This is the only module that uses threads (rayon). Each replication is a pure
//! function of `(model, seed, replication index)`, and results are collected by
//! index, so a report is bit-identical whatever the number of threads.
//!
//! Beside the fixed-count [`run`]:
//!
//! * [`precision`] adds replications in batches until every KPI is estimated to
//!   a relative precision;
//! * [`sweep`] runs one scenario under many parameter values (what-if grids) with
//!   common random numbers, compares each variant with a baseline, and splits the
//!   work into shards that can run on different machines and be merged.

pub mod precision;
pub mod sweep;

use std::sync::Arc;

use rayon::prelude::*;

use crate::engine::{Model, Simulation};
use crate::stats::{KpiEstimates, Kpis, RepResult};

/// How to run an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunConfig {
    /// Number of replications.
    pub replications: u32,
    /// Seed of every random stream.
    pub seed: u64,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
}

impl RunConfig {
    /// The replications and seed the scenario asks for, on every core.
    pub fn from_model(model: &Model) -> RunConfig {
        RunConfig {
            replications: model.scenario().replications,
            seed: model.scenario().seed,
            threads: None,
        }
    }
}

/// Why an experiment could not run. Fatal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExperimentError {
    /// `threads` was 0.
    #[error("the number of threads must be at least 1")]
    ZeroThreads,
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {source}")]
    ThreadPool {
        /// Threads asked for.
        threads: usize,
        /// The cause.
        source: rayon::ThreadPoolBuildError,
    },
    /// `replications` was 0.
    #[error("at least one replication is needed")]
    NoReplications,
    /// A precision target that is not a finite number > 0, or a replication cap
    /// below 2 (a confidence interval needs two replications).
    #[error("{0}")]
    BadPrecision(String),
}

/// What a long experiment tells its progress callback. Sent from worker threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// The number of runs (replications, or variant × replication pairs) planned
    /// so far is now this; it grows when sequential precision adds a batch.
    Planned(u64),
    /// One more run finished.
    Done,
}

/// One replication to run: the model, the seed and the replication index.
pub(crate) type Job<'a> = (&'a Arc<Model>, u64, u64);

/// Run `f` on `threads` worker threads (`None`: rayon's global pool, every core).
pub(crate) fn in_pool<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, ExperimentError> {
    match threads {
        None => Ok(f()),
        Some(0) => Err(ExperimentError::ZeroThreads),
        Some(threads) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|source| ExperimentError::ThreadPool { threads, source })?;
            Ok(pool.install(f))
        }
    }
}

/// Run every job in parallel and return the results in job order (so the output
/// does not depend on the number of threads). `done` is called once per job.
pub(crate) fn run_jobs(
    jobs: &[Job<'_>],
    threads: Option<usize>,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<RepResult>, ExperimentError> {
    in_pool(threads, || {
        jobs.par_iter()
            .map(|&(model, seed, rep)| {
                let (result, ()) = Simulation::new(Arc::clone(model), seed, rep).run();
                done();
                result
            })
            .collect()
    })
}

/// Run the replications of `config` and return them in replication order.
/// `progress` is called once per finished replication (from worker threads).
pub fn run_replications(
    model: &Arc<Model>,
    config: &RunConfig,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<RepResult>, ExperimentError> {
    if config.replications == 0 {
        return Err(ExperimentError::NoReplications);
    }
    let jobs: Vec<Job<'_>> = (0..u64::from(config.replications))
        .map(|rep| (model, config.seed, rep))
        .collect();
    run_jobs(&jobs, config.threads, progress)
}

/// The estimates of one experiment: every KPI overall, per call type and per agent
/// group, with 95 % confidence intervals over replications.
#[derive(Debug, Clone)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// Number of replications.
    pub replications: u32,
    /// Seed used.
    pub seed: u64,
    /// Events processed, summed over replications.
    pub events: u64,
    /// KPIs over all call types.
    pub kpis: KpiEstimates,
    /// `(call type name, KPIs)` in scenario order.
    pub by_call_type: Vec<(String, KpiEstimates)>,
    /// `(group name, KPIs)` in scenario order (occupancy, answered, aht_s).
    pub by_group: Vec<(String, KpiEstimates)>,
    /// The per-replication results the estimates come from.
    pub reps: Vec<RepResult>,
}

impl Report {
    /// Estimate every KPI from `reps` (in replication order).
    pub fn new(model: &Model, config: &RunConfig, reps: Vec<RepResult>) -> Report {
        let s = model.scenario();
        let per = |f: &dyn Fn(&RepResult) -> Kpis| -> KpiEstimates {
            KpiEstimates::from_reps(&reps.iter().map(f).collect::<Vec<_>>())
        };
        let kpis = per(&|r| r.kpis());
        let by_call_type = s
            .call_types
            .iter()
            .enumerate()
            .map(|(i, ct)| (ct.name.clone(), per(&|r| r.call_type_kpis(i))))
            .collect();
        let by_group = s
            .agent_groups
            .iter()
            .enumerate()
            .map(|(g, grp)| (grp.name.clone(), per(&|r| r.group_kpis(g))))
            .collect();
        Report {
            scenario: s.name.clone(),
            replications: config.replications,
            seed: config.seed,
            events: reps.iter().map(|r| r.events).sum(),
            kpis,
            by_call_type,
            by_group,
            reps,
        }
    }
}

/// Run `config` on `model` and estimate its KPIs.
pub fn run(
    model: &Arc<Model>,
    config: &RunConfig,
    progress: &(dyn Fn() + Sync),
) -> Result<Report, ExperimentError> {
    let reps = run_replications(model, config, progress)?;
    Ok(Report::new(model, config, reps))
}
