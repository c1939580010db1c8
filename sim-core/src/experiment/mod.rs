//! Experiments: independent replications run in parallel, merged in replication
//! order into a [`Report`] with confidence intervals.
//!
//! This is the only module that uses threads (rayon). Each replication is a pure
//! function of `(model, seed, replication index)`, and results are collected by
//! index, so a report is bit-identical whatever the number of threads.

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
    let run_all = || {
        (0..u64::from(config.replications))
            .into_par_iter()
            .map(|rep| {
                let (result, ()) = Simulation::new(Arc::clone(model), config.seed, rep).run();
                progress();
                result
            })
            .collect::<Vec<_>>()
    };
    match config.threads {
        None => Ok(run_all()),
        Some(0) => Err(ExperimentError::ZeroThreads),
        Some(threads) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|source| ExperimentError::ThreadPool { threads, source })?;
            Ok(pool.install(run_all))
        }
    }
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
