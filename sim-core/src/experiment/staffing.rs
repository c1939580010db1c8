//! Staffing by simulation: the fewest agents per reporting interval that meet
//! service targets *with confidence*.
//!
//! # The rule for "with confidence"
//!
//! Over `n` replications, an interval's KPI (over the call types in the staffed
//! group's skills, calls counted by the interval they joined the queue) has mean
//! `m` and standard deviation `s`. With `t = t_{confidence, n−1}` (the one-sided
//! Student-t quantile, e.g. 1.73 for 95 % and 20 replications), a staffing *meets
//! the targets* when
//!
//! * `m − t·s/√n ≥ target_sl` (the one-sided lower confidence bound of the service
//!   level reaches the target), and, where given,
//! * `m + t·s/√n ≤ max_abandon` for the abandonment rate, and
//! * `m + t·s/√n ≤ max_asa_s` for the ASA.
//!
//! That is a one-sided test at level `confidence` of "the target is missed". An
//! interval where no counted call ended (warm-up, no arrivals) meets every target
//! vacuously; the search keeps its Erlang number (so that it builds no backlog
//! for the next interval).
//!
//! # The algorithm
//!
//! The staffed group gets a per-interval plan (`staffing: Staffing(interval_min,
//! counts)` with the scenario's `interval_min`), replacing its `count` or
//! `shifts` (and so its breaks); the other groups are held as written.
//!
//! 1. A pilot run (the scenario as written, warm-up set to 0 so every interval is
//!    observed) measures each interval's offered rate to the group's call types;
//!    with their mean handle time this gives the offered load and the Erlang C
//!    (Erlang A when the types have a patience) staffing from
//!    [`analytic::agents_for_target`], treating the group as the only one serving
//!    those types.
//! 2. The plan starts at the Erlang numbers. Interval by interval from the start,
//!    with the earlier intervals fixed and the later ones at their Erlang numbers,
//!    the current interval's count is searched stepwise from its Erlang number: up
//!    until the targets are met, or down while they still are. Every candidate is
//!    simulated with the same seed and replication indices (common random
//!    numbers), so candidates differ only by the staffing. The search assumes the
//!    interval's KPIs improve with its staffing.
//! 3. A final run of the whole plan gives the reported estimates; an interval
//!    that misses there (its later neighbours came out below their Erlang
//!    numbers) gets one more agent and the plan is run again, up to
//!    [`MAX_REPAIRS`] times.
//!
//! Cost: about `intervals × (2 + |simulated − Erlang|)` runs of all replications.

use std::sync::Arc;

use crate::analytic::{self, QueueParams};
use crate::engine::Model;
use crate::experiment::{ExperimentError, RunConfig, run_replications};
use crate::scenario::{Scenario, Staffing};
use crate::stats::{Estimate, IntervalCounts, RepResult, tdist};

/// Most rounds of the final repair (step 3 of the [module](self) algorithm).
pub const MAX_REPAIRS: usize = 10;

/// The most agents tried in one interval.
pub const MAX_AGENTS: u32 = 10_000;

/// What the staffing must achieve.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffTargets {
    /// Service level to reach, in (0, 1).
    pub service_level: f64,
    /// Highest abandonment rate allowed, in (0, 1).
    pub max_abandon: Option<f64>,
    /// Highest ASA allowed, seconds (> 0).
    pub max_asa_s: Option<f64>,
    /// Confidence of the one-sided bounds, in (0, 1), e.g. 0.95.
    pub confidence: f64,
}

/// How to search.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffConfig {
    /// The targets.
    pub targets: StaffTargets,
    /// The group to staff (`None`: the first).
    pub group: Option<String>,
    /// Replications per candidate (at least 2) and seed; the same for every
    /// candidate.
    pub run: RunConfig,
}

/// Why staffing could not be found. Fatal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StaffError {
    /// A target or the confidence is out of range.
    #[error("{0}")]
    BadTarget(String),
    /// `--group` names no agent group.
    #[error("no agent group is called \"{name}\" (known: {known})")]
    UnknownGroup {
        /// The name asked for.
        name: String,
        /// The groups of the scenario.
        known: String,
    },
    /// Fewer than 2 replications: no confidence interval.
    #[error("staffing with confidence needs at least 2 replications, got {0}")]
    TooFewReplications(u32),
    /// A candidate is not a valid scenario.
    #[error("the staffed scenario is invalid: {0}")]
    Scenario(String),
    /// Even [`MAX_AGENTS`] agents miss the targets in an interval.
    #[error("interval {interval}: even {MAX_AGENTS} agents miss the targets")]
    Unreachable {
        /// The interval.
        interval: usize,
    },
    /// Running the replications failed.
    #[error(transparent)]
    Experiment(#[from] ExperimentError),
}

/// The outcome for one reporting interval.
#[derive(Debug, Clone)]
pub struct IntervalStaffing {
    /// Index of the interval.
    pub index: usize,
    /// Start, seconds from the start of the run.
    pub start_s: f64,
    /// End, seconds from the start of the run.
    pub end_s: f64,
    /// Offered calls per hour to the group's call types (pilot run).
    pub offered_per_hour: f64,
    /// Mean handle time of those calls, seconds.
    pub aht_s: f64,
    /// Offered load, Erlangs.
    pub load_erl: f64,
    /// Erlang C/A staffing for that load and the targets (point values);
    /// `None` with no load or no solution.
    pub erlang: Option<u32>,
    /// Agents found by simulation.
    pub agents: u32,
    /// Service level of the final plan in this interval.
    pub service_level: Estimate,
    /// ASA of the final plan in this interval, seconds.
    pub asa_s: Estimate,
    /// Abandonment rate of the final plan in this interval.
    pub abandon_rate: Estimate,
    /// Whether the final plan meets the targets here with confidence.
    pub met: bool,
}

impl IntervalStaffing {
    /// Simulated minus Erlang staffing.
    pub fn difference(&self) -> Option<i64> {
        self.erlang.map(|e| i64::from(self.agents) - i64::from(e))
    }
}

/// A staffing plan found by simulation.
#[derive(Debug, Clone)]
pub struct StaffPlan {
    /// Name of the staffed group.
    pub group: String,
    /// Index of the staffed group.
    pub group_index: usize,
    /// The targets.
    pub targets: StaffTargets,
    /// Replications per candidate.
    pub replications: u32,
    /// Seed.
    pub seed: u64,
    /// Per interval.
    pub intervals: Vec<IntervalStaffing>,
    /// Scheduled agent-hours of the group over the horizon.
    pub agent_hours: f64,
    /// Their cost, where the group has a `wage_per_hour`.
    pub cost: Option<f64>,
    /// Candidate plans simulated (each with every replication), pilot included.
    pub evaluations: u32,
    /// Whether the Erlang column is Erlang A (every call type of the group has a
    /// patience; their mean patience is used) rather than Erlang C.
    pub erlang_a: bool,
    /// The scenario with the plan.
    pub scenario: Scenario,
}

impl StaffPlan {
    /// Whether every interval meets the targets.
    pub fn all_met(&self) -> bool {
        self.intervals.iter().all(|i| i.met)
    }
}

impl StaffTargets {
    /// Check every value is in range.
    pub fn check(&self) -> Result<(), StaffError> {
        let open = |name: &str, x: f64| {
            if x > 0.0 && x < 1.0 {
                Ok(())
            } else {
                Err(StaffError::BadTarget(format!(
                    "{name} must lie strictly between 0 and 1, found {x}"
                )))
            }
        };
        open("the target service level", self.service_level)?;
        if let Some(a) = self.max_abandon {
            open("the maximum abandonment rate", a)?;
        }
        open("the confidence", self.confidence)?;
        if let Some(a) = self.max_asa_s
            && !(a.is_finite() && a > 0.0)
        {
            return Err(StaffError::BadTarget(format!(
                "the maximum ASA must be a finite number of seconds > 0, found {a}"
            )));
        }
        Ok(())
    }
}

/// KPIs of one interval over a set of call types, per replication.
fn interval_counts(r: &RepResult, types: &[usize], i: usize) -> IntervalCounts {
    let mut c = IntervalCounts::default();
    for &t in types {
        let s = &r.intervals[t][i];
        c.offered += s.offered;
        c.answered += s.answered;
        c.abandoned += s.abandoned;
        c.answered_in_sl += s.answered_in_sl;
        c.wait_sum_s += s.wait_sum_s;
        c.handle_sum_s += s.handle_sum_s;
    }
    c
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// The (SL, ASA, abandonment) estimates of interval `i`.
fn interval_estimates(reps: &[RepResult], types: &[usize], i: usize) -> [Estimate; 3] {
    let cs: Vec<IntervalCounts> = reps.iter().map(|r| interval_counts(r, types, i)).collect();
    let ended = |c: &IntervalCounts| (c.answered + c.abandoned) as f64;
    [
        Estimate::from_samples(cs.iter().map(|c| ratio(c.answered_in_sl as f64, ended(c)))),
        Estimate::from_samples(cs.iter().map(|c| ratio(c.wait_sum_s, c.answered as f64))),
        Estimate::from_samples(cs.iter().map(|c| ratio(c.abandoned as f64, ended(c)))),
    ]
}

/// One-sided bound: `mean ∓ t·sd/√n` (lower when `lower`). With fewer than two
/// values, the mean (an interval seen in one replication only).
fn bound(e: &Estimate, confidence: f64, lower: bool) -> f64 {
    if e.n < 2 {
        return e.mean;
    }
    let h = tdist::t_quantile(confidence, (e.n - 1) as u32) * e.sd / (e.n as f64).sqrt();
    if lower { e.mean - h } else { e.mean + h }
}

/// Whether estimates `[sl, asa, abandon]` meet `t` with confidence (see the
/// [module](self) rule). Undefined KPIs (no calls) meet vacuously.
pub fn meets(t: &StaffTargets, sl: &Estimate, asa: &Estimate, abandon: &Estimate) -> bool {
    let ok_sl = sl.n == 0 || bound(sl, t.confidence, true) >= t.service_level;
    let ok_ab = t
        .max_abandon
        .is_none_or(|m| abandon.n == 0 || bound(abandon, t.confidence, false) <= m);
    let ok_asa = t
        .max_asa_s
        .is_none_or(|m| asa.n == 0 || bound(asa, t.confidence, false) <= m);
    ok_sl && ok_ab && ok_asa
}

struct Searcher<'a> {
    base: &'a Scenario,
    group: usize,
    types: Vec<usize>,
    run: RunConfig,
    evaluations: u32,
    progress: &'a (dyn Fn(usize, usize) + Sync),
    intervals: usize,
}

impl Searcher<'_> {
    fn scenario(&self, counts: &[u32]) -> Scenario {
        let mut s = self.base.clone();
        let g = &mut s.agent_groups[self.group];
        g.count = None;
        g.shifts.clear();
        g.staffing = Some(Staffing {
            interval_min: self.base.interval_min,
            counts: counts.to_vec(),
        });
        s
    }

    fn simulate(&mut self, counts: &[u32]) -> Result<Vec<RepResult>, StaffError> {
        let s = self.scenario(counts);
        let model = Arc::new(Model::new(&s).map_err(|e| StaffError::Scenario(e.to_string()))?);
        self.evaluations += 1;
        Ok(run_replications(&model, &self.run, &|| {})?)
    }

    /// Whether interval `i` meets the targets under `counts`, and whether any
    /// counted call ended in it.
    fn eval(
        &mut self,
        counts: &[u32],
        i: usize,
        t: &StaffTargets,
    ) -> Result<(bool, bool), StaffError> {
        (self.progress)(i, self.intervals);
        let reps = self.simulate(counts)?;
        let [sl, asa, ab] = interval_estimates(&reps, &self.types, i);
        Ok((meets(t, &sl, &asa, &ab), sl.n + asa.n + ab.n > 0))
    }
}

/// Find the fewest agents per interval for the staffed group (see the
/// [module](self) documentation for the rule and the algorithm).
/// `progress(interval, intervals)` is called before each candidate run.
pub fn staff(
    scenario: &Scenario,
    config: &StaffConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<StaffPlan, StaffError> {
    let t = &config.targets;
    t.check()?;
    if config.run.replications < 2 {
        return Err(StaffError::TooFewReplications(config.run.replications));
    }
    let group = match &config.group {
        None => 0,
        Some(name) => scenario
            .group_index(name)
            .ok_or_else(|| StaffError::UnknownGroup {
                name: name.clone(),
                known: scenario
                    .agent_groups
                    .iter()
                    .map(|g| format!("\"{}\"", g.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?,
    };
    let g = &scenario.agent_groups[group];
    let types: Vec<usize> = g
        .skills
        .iter()
        .filter_map(|s| scenario.call_type_index(s))
        .collect();

    // 1. Pilot run: offered rate per interval, warm-up off.
    let mut pilot = scenario.clone();
    pilot.warmup_h = 0.0;
    let model = Arc::new(Model::new(&pilot).map_err(|e| StaffError::Scenario(e.to_string()))?);
    let step_s = model.interval_s();
    let horizon_s = scenario.horizon_h * 3600.0;
    let reps = run_replications(&model, &config.run, &|| {})?;
    let n = reps.first().map_or(0, |r| r.interval_count());
    let patience: Vec<f64> = types
        .iter()
        .filter_map(|&c| scenario.call_types[c].patience.as_ref().map(|p| p.mean_s()))
        .collect();
    let erlang_a = !types.is_empty() && patience.len() == types.len();
    let mut offered = Vec::with_capacity(n);
    let mut erlang = Vec::with_capacity(n);
    for i in 0..n {
        let len = ((i + 1) as f64 * step_s).min(horizon_s) - i as f64 * step_s;
        let mut calls = 0.0;
        let mut work = 0.0;
        for &c in &types {
            let k: f64 = reps
                .iter()
                .map(|r| r.intervals[c][i].offered as f64)
                .sum::<f64>()
                / reps.len() as f64;
            calls += k;
            work += k * scenario.mean_handle_s(c);
        }
        let per_hour = calls / len * 3600.0;
        let aht = ratio(work, calls);
        let e = (per_hour > 0.0 && aht > 0.0)
            .then(|| {
                analytic::agents_for_target(
                    &QueueParams {
                        calls_per_hour: per_hour,
                        aht_s: aht,
                        agents: 1,
                        patience_s: erlang_a
                            .then(|| patience.iter().sum::<f64>() / patience.len() as f64),
                        sl_s: scenario.service_level_s,
                    },
                    t.service_level,
                    t.max_abandon,
                    t.max_asa_s,
                    MAX_AGENTS,
                )
                .ok()
            })
            .flatten();
        offered.push((per_hour, aht, calls * aht / len));
        erlang.push(e);
    }

    // 2. Interval by interval.
    let mut counts: Vec<u32> = erlang.iter().map(|e| e.unwrap_or(0)).collect();
    let mut s = Searcher {
        base: scenario,
        group,
        types,
        run: config.run,
        evaluations: 1,
        progress,
        intervals: n,
    };
    for i in 0..n {
        let (ok, measured) = s.eval(&counts, i, t)?;
        if !measured {
            // Warm-up or no calls: nothing to meet; keep the Erlang number so
            // that no backlog is made for the next interval.
            continue;
        }
        if ok {
            while counts[i] > 0 {
                counts[i] -= 1;
                if !s.eval(&counts, i, t)?.0 {
                    counts[i] += 1;
                    break;
                }
            }
        } else {
            loop {
                if counts[i] >= MAX_AGENTS {
                    return Err(StaffError::Unreachable { interval: i });
                }
                counts[i] += 1;
                if s.eval(&counts, i, t)?.0 {
                    break;
                }
            }
        }
    }

    // 3. Final run, with repairs.
    let mut rounds = 0;
    let (reps, ests) = loop {
        let reps = s.simulate(&counts)?;
        let ests: Vec<[Estimate; 3]> = (0..n)
            .map(|i| interval_estimates(&reps, &s.types, i))
            .collect();
        let missed: Vec<usize> = (0..n)
            .filter(|&i| !meets(t, &ests[i][0], &ests[i][1], &ests[i][2]))
            .collect();
        if missed.is_empty() || rounds == MAX_REPAIRS {
            break (reps, ests);
        }
        for i in missed {
            counts[i] = (counts[i] + 1).min(MAX_AGENTS);
        }
        rounds += 1;
    };
    drop(reps);
    let staffed = s.scenario(&counts);
    let grp = &staffed.agent_groups[group];
    let agent_hours = grp.scheduled_hours(scenario.horizon_h);
    let intervals = (0..n)
        .map(|i| {
            let [sl, asa, ab] = ests[i];
            IntervalStaffing {
                index: i,
                start_s: i as f64 * step_s,
                end_s: ((i + 1) as f64 * step_s).min(horizon_s),
                offered_per_hour: offered[i].0,
                aht_s: offered[i].1,
                load_erl: offered[i].2,
                erlang: erlang[i],
                agents: counts[i],
                service_level: sl,
                asa_s: asa,
                abandon_rate: ab,
                met: meets(t, &sl, &asa, &ab),
            }
        })
        .collect();
    Ok(StaffPlan {
        group: grp.name.clone(),
        group_index: group,
        targets: t.clone(),
        replications: config.run.replications,
        seed: config.run.seed,
        intervals,
        agent_hours,
        cost: grp.wage_per_hour.map(|w| w * agent_hours),
        evaluations: s.evaluations,
        erlang_a,
        scenario: staffed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(xs: &[f64]) -> Estimate {
        Estimate::from_samples(xs.iter().copied())
    }

    fn targets() -> StaffTargets {
        StaffTargets {
            service_level: 0.8,
            max_abandon: None,
            max_asa_s: None,
            confidence: 0.95,
        }
    }

    #[test]
    fn the_lower_bound_must_reach_the_target() {
        let none = est(&[]);
        // Mean 0.85 but very noisy: the lower bound is below 0.8.
        assert!(!meets(
            &targets(),
            &est(&[0.7, 1.0, 0.75, 0.95]),
            &none,
            &none
        ));
        // Mean 0.85, tight.
        assert!(meets(
            &targets(),
            &est(&[0.84, 0.85, 0.86, 0.85]),
            &none,
            &none
        ));
        // No calls: vacuous.
        assert!(meets(&targets(), &none, &none, &none));
    }

    #[test]
    fn abandonment_and_asa_use_the_upper_bound() {
        let sl = est(&[0.9, 0.9, 0.9]);
        let t = StaffTargets {
            max_abandon: Some(0.05),
            max_asa_s: Some(30.0),
            ..targets()
        };
        assert!(meets(
            &t,
            &sl,
            &est(&[20.0, 21.0, 22.0]),
            &est(&[0.03, 0.03, 0.031])
        ));
        assert!(!meets(
            &t,
            &sl,
            &est(&[20.0, 21.0, 22.0]),
            &est(&[0.01, 0.04, 0.07])
        ));
        assert!(!meets(
            &t,
            &sl,
            &est(&[10.0, 29.0, 40.0]),
            &est(&[0.03, 0.03, 0.03])
        ));
    }

    #[test]
    fn targets_outside_the_open_unit_interval_are_refused() {
        for sl in [0.0, 1.0, -0.1, 1.5, f64::NAN] {
            let t = StaffTargets {
                service_level: sl,
                ..targets()
            };
            assert!(matches!(t.check(), Err(StaffError::BadTarget(_))), "{sl}");
        }
        let t = StaffTargets {
            max_asa_s: Some(-1.0),
            ..targets()
        };
        assert!(t.check().is_err());
        assert!(targets().check().is_ok());
    }
}
