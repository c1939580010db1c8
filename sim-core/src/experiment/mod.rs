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
pub mod staffing;
pub mod sweep;

use std::sync::Arc;

use rayon::prelude::*;

use crate::engine::{Model, Simulation};
use crate::scenario::PersonaKind;
use crate::stats::{Estimate, KpiEstimates, Kpis, RepResult};

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

/// Estimates for one reporting interval.
#[derive(Debug, Clone)]
pub struct IntervalReport {
    /// Index of the interval.
    pub index: usize,
    /// Start, seconds from the start of the run.
    pub start_s: f64,
    /// End, seconds from the start of the run.
    pub end_s: f64,
    /// KPIs over all call types in this interval.
    pub all: KpiEstimates,
    /// KPIs per call type, in scenario order.
    pub by_call_type: Vec<KpiEstimates>,
    /// Mean number of agents available (on duty, not on break) over the interval.
    pub agents: Estimate,
}

/// Estimates of IVR outcomes, per replication counts of calls that arrived in
/// the window.
#[derive(Debug, Clone)]
pub struct IvrReport {
    /// Calls that entered the IVR.
    pub arrivals: Estimate,
    /// Share served by self-service.
    pub self_service_rate: Estimate,
    /// Share that hung up in a menu.
    pub hangup_rate: Estimate,
    /// Share sent to a queue.
    pub routed_rate: Estimate,
    /// Share of routed calls sent to the wrong queue.
    pub misroute_rate: Estimate,
    /// Mean time in the IVR per caller, seconds.
    pub mean_time_s: Estimate,
    /// Per menu: name, visits, share hanging up there, mean time there.
    pub menus: Vec<(String, Estimate, Estimate, Estimate)>,
}

/// Other per-run quantities: escalations, callbacks, retrials, costs.
#[derive(Debug, Clone)]
pub struct FlowReport {
    /// Legs escalated to a second line.
    pub transfers: Estimate,
    /// Callbacks accepted.
    pub callbacks: Estimate,
    /// Contacts that were callers calling again.
    pub retrials: Estimate,
    /// Counted callers left waiting when nobody was left to answer.
    pub lost_at_close: Estimate,
    /// Paid agent-hours over `[0, horizon)`, per group.
    pub agent_hours: Vec<(String, Estimate)>,
    /// Cost of those hours (groups with a wage), per group.
    pub cost: Vec<(String, Estimate)>,
    /// Mean time per conversation phase (alertheid … acw), seconds, over calls
    /// with phases, per call type that has phases.
    pub phase_means_s: Vec<(String, [Estimate; 6])>,
}

/// Estimates for one outbound campaign (see
/// [`RepResult::campaign_kpis`](crate::stats::RepResult::campaign_kpis) for the
/// KPIs).
#[derive(Debug, Clone)]
pub struct CampaignReport {
    /// Campaign name.
    pub name: String,
    /// The dialer: `preview`, `progressive` or `predictive`.
    pub dialer: &'static str,
    /// The cap on the abandon rate.
    pub max_abandon_rate: f64,
    /// The compliance window, hours.
    pub window_h: f64,
    /// KPIs over the run.
    pub kpis: KpiEstimates,
    /// KPIs per reporting interval (same intervals as [`Report::by_interval`]).
    pub by_interval: Vec<KpiEstimates>,
}

/// The estimates of one experiment: every KPI overall, per call type, per agent
/// group, per personality, per campaign and per interval, with 95 % confidence
/// intervals over replications.
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
    /// `(personality, KPIs)` for the personalities that occur.
    pub by_persona: Vec<(String, KpiEstimates)>,
    /// Per reporting interval.
    pub by_interval: Vec<IntervalReport>,
    /// IVR outcomes, when the scenario has entry points.
    pub ivr: Option<IvrReport>,
    /// Escalations, callbacks, retrials and costs.
    pub flow: FlowReport,
    /// Per outbound campaign, in scenario order (empty without campaigns).
    pub by_campaign: Vec<CampaignReport>,
    /// The per-replication results the estimates come from.
    pub reps: Vec<RepResult>,
}

fn est(reps: &[RepResult], f: impl Fn(&RepResult) -> f64) -> Estimate {
    Estimate::from_samples(reps.iter().map(f))
}

fn share(num: u64, den: u64) -> f64 {
    if den > 0 {
        num as f64 / den as f64
    } else {
        f64::NAN
    }
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
        let by_persona = PersonaKind::ALL
            .iter()
            .filter(|k| reps.iter().any(|r| r.personas[k.index()].offered > 0))
            .map(|k| (k.name().to_string(), per(&|r| r.persona_kpis(k.index()))))
            .collect();
        let intervals = reps.first().map_or(0, |r| r.interval_count());
        let step = model.interval_s();
        let horizon_s = s.horizon_h * 3600.0;
        let by_interval = (0..intervals)
            .map(|i| {
                let start_s = i as f64 * step;
                let end_s = ((i + 1) as f64 * step).min(horizon_s);
                IntervalReport {
                    index: i,
                    start_s,
                    end_s,
                    all: per(&|r| r.interval_kpis(None, i)),
                    by_call_type: (0..s.call_types.len())
                        .map(|ct| per(&|r| r.interval_kpis(Some(ct), i)))
                        .collect(),
                    agents: est(&reps, |r| r.staffed_by_interval[i] / (end_s - start_s)),
                }
            })
            .collect();
        let ivr = (!s.entry_points.is_empty()).then(|| IvrReport {
            arrivals: est(&reps, |r| r.ivr.arrivals as f64),
            self_service_rate: est(&reps, |r| share(r.ivr.self_service, r.ivr.arrivals)),
            hangup_rate: est(&reps, |r| share(r.ivr.hangups, r.ivr.arrivals)),
            routed_rate: est(&reps, |r| share(r.ivr.routed, r.ivr.arrivals)),
            misroute_rate: est(&reps, |r| share(r.ivr.misroutes, r.ivr.routed)),
            mean_time_s: est(&reps, |r| {
                if r.ivr.arrivals > 0 {
                    r.ivr.time_sum_s / r.ivr.arrivals as f64
                } else {
                    f64::NAN
                }
            }),
            menus: s
                .ivr
                .iter()
                .enumerate()
                .map(|(m, menu)| {
                    (
                        menu.name.clone(),
                        est(&reps, |r| r.ivr.menus[m].visits as f64),
                        est(&reps, |r| {
                            share(r.ivr.menus[m].hangups, r.ivr.menus[m].visits)
                        }),
                        est(&reps, |r| {
                            let c = &r.ivr.menus[m];
                            if c.visits > 0 {
                                c.time_sum_s / c.visits as f64
                            } else {
                                f64::NAN
                            }
                        }),
                    )
                })
                .collect(),
        });
        let flow = FlowReport {
            transfers: est(&reps, |r| r.total().transfers_out as f64),
            callbacks: est(&reps, |r| r.total().callbacks as f64),
            retrials: est(&reps, |r| r.retrials as f64),
            lost_at_close: est(&reps, |r| r.lost_at_close as f64),
            agent_hours: s
                .agent_groups
                .iter()
                .enumerate()
                .map(|(g, grp)| {
                    (
                        grp.name.clone(),
                        est(&reps, |r| r.groups[g].paid_area_all / 3600.0),
                    )
                })
                .collect(),
            cost: s
                .agent_groups
                .iter()
                .enumerate()
                .filter_map(|(g, grp)| {
                    let w = grp.wage_per_hour?;
                    Some((
                        grp.name.clone(),
                        est(&reps, |r| w * r.groups[g].paid_area_all / 3600.0),
                    ))
                })
                .collect(),
            phase_means_s: s
                .call_types
                .iter()
                .enumerate()
                .filter(|(_, ct)| ct.phases.is_some())
                .map(|(i, ct)| {
                    let phase = |k: usize| {
                        est(&reps, |r| {
                            let c = &r.call_types[i];
                            if c.phase_calls > 0 {
                                c.phase_sum_s[k] / c.phase_calls as f64
                            } else {
                                f64::NAN
                            }
                        })
                    };
                    (ct.name.clone(), [0, 1, 2, 3, 4, 5].map(phase))
                })
                .collect(),
        };
        let by_campaign = s
            .campaigns
            .iter()
            .enumerate()
            .map(|(c, camp)| CampaignReport {
                name: camp.name.clone(),
                dialer: camp.dialer.name(),
                max_abandon_rate: camp.abandon_limit.max_rate,
                window_h: camp.abandon_limit.window_h,
                kpis: KpiEstimates::from_rows(
                    &reps.iter().map(|r| r.campaign_kpis(c)).collect::<Vec<_>>(),
                ),
                by_interval: (0..intervals)
                    .map(|i| {
                        KpiEstimates::from_rows(
                            &reps
                                .iter()
                                .map(|r| r.campaign_interval_kpis(c, i))
                                .collect::<Vec<_>>(),
                        )
                    })
                    .collect(),
            })
            .collect();
        Report {
            scenario: s.name.clone(),
            replications: config.replications,
            seed: config.seed,
            events: reps.iter().map(|r| r.events).sum(),
            kpis,
            by_call_type,
            by_group,
            by_persona,
            by_interval,
            ivr,
            flow,
            by_campaign,
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
