//! Sequential precision: add replications in batches until every KPI is estimated
//! precisely enough.
//!
//! The stop rule ([`Precision`]): every reported KPI's 95 % confidence-interval
//! half-width must be below a fraction of its mean (`half_width / |mean| <
//! relative_half_width`). KPIs whose mean is 0 (no abandonment in an Erlang C
//! queue) or undefined (`NaN`) are skipped; a KPI defined in fewer than two
//! replications counts as infinitely imprecise. "Every reported KPI" means the
//! totals and every per-call-type and per-group estimate of the [`Report`] (for a
//! sweep: of every variant).
//!
//! Batches always run the next replication indices: the first batch runs
//! replications `0..n₀`, the next `n₀..n₁`, and so on. Each replication is a pure
//! function of its index, and the batch sizes depend only on the results so far,
//! so the final report is exactly the fixed-count report with the final number of
//! replications, whatever the number of threads.
//!
//! Batch sizes: with `n` replications done and a widest relative half-width `w`
//! against the target `x`, the half-width shrinks like `1/√n`, so about `n·(w/x)²`
//! replications are needed. The next total is that estimate plus 10 %, at least
//! `n + max(1, n/10)` and at most `4n` (early estimates of the spread are noisy),
//! and never more than `max_replications`.

use std::sync::Arc;

use serde::Serialize;

use super::{ExperimentError, Job, Progress, Report, RunConfig, run_jobs};
use crate::engine::Model;
use crate::stats::KpiEstimates;

/// The default cap on the number of replications of a precision run.
pub const DEFAULT_MAX_REPLICATIONS: u32 = 10_000;

/// When sequential precision stops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    /// The target: every KPI's 95 % half-width divided by its |mean| must end
    /// below this (0.01 = ±1 %). Finite and > 0.
    pub relative_half_width: f64,
    /// Never run more replications than this (at least 2), even if the target is
    /// not reached.
    pub max_replications: u32,
}

impl Precision {
    /// A target with the default cap ([`DEFAULT_MAX_REPLICATIONS`]).
    pub fn new(relative_half_width: f64) -> Precision {
        Precision {
            relative_half_width,
            max_replications: DEFAULT_MAX_REPLICATIONS,
        }
    }

    /// Refuse a target that is not a finite number > 0, or a cap below 2.
    pub fn check(&self) -> Result<(), ExperimentError> {
        let x = self.relative_half_width;
        if !(x.is_finite() && x > 0.0) {
            return Err(ExperimentError::BadPrecision(format!(
                "the precision target must be a finite number > 0 (e.g. 0.01 for ±1 %), found {x}"
            )));
        }
        if self.max_replications < 2 {
            return Err(ExperimentError::BadPrecision(format!(
                "the replication cap must be at least 2 (a confidence interval needs two \
                 replications), found {}",
                self.max_replications
            )));
        }
        Ok(())
    }

    /// The size of the first batch when `requested` replications were asked for:
    /// `requested`, but at least 2 and at most the cap.
    pub fn first_batch(&self, requested: u32) -> u32 {
        requested.clamp(2, self.max_replications.max(2))
    }
}

/// The KPI estimated least precisely, relative to its mean.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Widest {
    /// Where it is: `all`, `call_type general`, `group team`; in a sweep the
    /// variant comes first (`agent_groups[team].count=18: all`).
    pub scope: String,
    /// The KPI's name (see [`crate::stats::KPI_NAMES`]).
    pub kpi: &'static str,
    /// 95 % half-width ÷ |mean|; infinite when fewer than two replications define
    /// the KPI.
    pub relative_half_width: f64,
}

/// How a precision run ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionOutcome {
    /// The target relative half-width.
    pub target: f64,
    /// Whether every KPI reached it (else the cap stopped the run).
    pub reached: bool,
    /// Replications run (per variant, in a sweep).
    pub replications: u32,
    /// Batches run.
    pub batches: u32,
    /// The least precise KPI at the end; `None` if no KPI has a nonzero mean.
    pub widest: Option<Widest>,
}

/// The scopes of a report, labelled as in [`Widest::scope`]: totals, then per call
/// type, then per group.
pub fn report_scopes(report: &Report) -> Vec<(String, &KpiEstimates)> {
    std::iter::once(("all".to_string(), &report.kpis))
        .chain(
            report
                .by_call_type
                .iter()
                .map(|(n, k)| (format!("call_type {n}"), k)),
        )
        .chain(
            report
                .by_group
                .iter()
                .map(|(n, k)| (format!("group {n}"), k)),
        )
        .collect()
}

/// The least precise KPI among `scopes` (first one wins ties), skipping KPIs
/// whose mean is 0 or not finite.
pub fn widest<'a>(scopes: impl IntoIterator<Item = (String, &'a KpiEstimates)>) -> Option<Widest> {
    let mut worst: Option<Widest> = None;
    for (scope, estimates) in scopes {
        for (kpi, e) in &estimates.entries {
            if !e.mean.is_finite() || e.mean == 0.0 {
                continue;
            }
            let rel = match e.ci95 {
                Some(h) if h.is_finite() => h / e.mean.abs(),
                _ => f64::INFINITY,
            };
            if worst.as_ref().is_none_or(|w| rel > w.relative_half_width) {
                worst = Some(Widest {
                    scope: scope.clone(),
                    kpi,
                    relative_half_width: rel,
                });
            }
        }
    }
    worst
}

/// The total number of replications after the next batch, given `n` done, the
/// widest relative half-width divided by the target (`ratio`, > 1 when another
/// batch is needed) and the cap. See the module docs for the rule.
pub fn next_replications(n: u32, ratio: f64, max_replications: u32) -> u32 {
    let n64 = u64::from(n.max(1));
    let least = n64 + (n64 / 10).max(1);
    let most = 4 * n64;
    let estimate = f64::from(n.max(1)) * ratio * ratio * 1.1;
    let wanted = if estimate.is_finite() && estimate < most as f64 {
        (estimate.ceil() as u64).clamp(least, most)
    } else {
        most
    };
    wanted.min(u64::from(max_replications)) as u32
}

/// The batch loop shared by plain runs and sweeps. `run_to(from, to)` runs
/// replications `from..to` (of every variant) and returns the widest KPI over
/// replications `0..to`.
pub(crate) fn drive<E>(
    precision: &Precision,
    first: u32,
    mut run_to: impl FnMut(u32, u32) -> Result<Option<Widest>, E>,
) -> Result<PrecisionOutcome, E> {
    let (mut done, mut next, mut batches) = (0u32, first, 0u32);
    loop {
        let widest = run_to(done, next)?;
        done = next;
        batches += 1;
        let ratio = widest.as_ref().map_or(0.0, |w| {
            w.relative_half_width / precision.relative_half_width
        });
        let reached = widest
            .as_ref()
            .is_none_or(|w| w.relative_half_width < precision.relative_half_width);
        if reached || done >= precision.max_replications {
            return Ok(PrecisionOutcome {
                target: precision.relative_half_width,
                reached,
                replications: done,
                batches,
                widest,
            });
        }
        next = next_replications(done, ratio, precision.max_replications);
    }
}

/// Run `model` in batches until every KPI meets `precision` (or the cap is hit).
/// The first batch has `config.replications` replications (see
/// [`Precision::first_batch`]); `config.seed` and `config.threads` are used as in
/// [`super::run`]. The report equals `run` with the final replication count.
pub fn run_to_precision(
    model: &Arc<Model>,
    config: &RunConfig,
    precision: &Precision,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<(Report, PrecisionOutcome), ExperimentError> {
    precision.check()?;
    let first = precision.first_batch(config.replications);
    let mut reps = Vec::new();
    let mut report = None;
    let outcome = drive(precision, first, |from, to| {
        progress(Progress::Planned(u64::from(to)));
        let jobs: Vec<Job<'_>> = (u64::from(from)..u64::from(to))
            .map(|rep| (model, config.seed, rep))
            .collect();
        reps.extend(run_jobs(&jobs, config.threads, &|| {
            progress(Progress::Done)
        })?);
        let cfg = RunConfig {
            replications: to,
            ..*config
        };
        let r = Report::new(model, &cfg, reps.clone());
        let w = widest(report_scopes(&r));
        report = Some(r);
        Ok(w)
    })?;
    match report {
        Some(r) => Ok((r, outcome)),
        None => Err(ExperimentError::NoReplications),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use crate::stats::Estimate;

    fn model() -> Arc<Model> {
        let src = r#"Scenario(name: "p", horizon_h: 2.0, warmup_h: 0.25, replications: 4, seed: 3,
            call_types: [CallType(name: "general", arrivals: Poisson(per_hour: 360.0),
                handle_time: Exponential(mean_s: 180.0), patience: Exponential(mean_s: 300.0))],
            agent_groups: [AgentGroup(name: "team", count: 19, skills: ["general"])])"#;
        Arc::new(Model::new(&scenario::parse(src).unwrap()).unwrap())
    }

    #[test]
    fn batch_sizes_grow_within_bounds() {
        assert_eq!(next_replications(10, 1.2, 10_000), 16);
        assert_eq!(next_replications(10, 1.01, 10_000), 12);
        assert_eq!(next_replications(10, 100.0, 10_000), 40);
        assert_eq!(next_replications(10, f64::INFINITY, 10_000), 40);
        assert_eq!(next_replications(10, 100.0, 25), 25);
        assert_eq!(next_replications(2, 1.0, 100), 3);
    }

    #[test]
    fn zero_and_undefined_means_are_skipped() {
        let mk = |mean: f64, ci95: Option<f64>| Estimate {
            mean,
            ci95,
            sd: 0.0,
            n: 5,
        };
        let k = KpiEstimates {
            entries: vec![
                ("abandoned", mk(0.0, Some(0.0))),
                ("asa_s", mk(f64::NAN, None)),
                ("service_level", mk(0.5, Some(0.05))),
                ("p_wait", mk(0.4, Some(0.02))),
            ],
        };
        let w = widest([("all".to_string(), &k)]).unwrap();
        assert_eq!(w.kpi, "service_level");
        assert!((w.relative_half_width - 0.1).abs() < 1e-12);
        let k = KpiEstimates {
            entries: vec![("abandoned", mk(0.0, Some(0.0)))],
        };
        assert_eq!(widest([("all".to_string(), &k)]), None);
    }

    #[test]
    fn reaches_the_target_and_equals_a_fixed_run() {
        let m = model();
        let config = RunConfig {
            replications: 4,
            seed: 3,
            threads: Some(2),
        };
        let p = Precision {
            relative_half_width: 0.05,
            max_replications: 2000,
        };
        let (report, outcome) = run_to_precision(&m, &config, &p, &|_| {}).unwrap();
        assert!(outcome.reached, "{outcome:?}");
        assert!(outcome.batches > 1);
        assert_eq!(report.replications, outcome.replications);
        for (_, k) in report_scopes(&report) {
            for (kpi, e) in &k.entries {
                if e.mean != 0.0 && e.mean.is_finite() {
                    assert!(e.ci95.unwrap() / e.mean.abs() < 0.05, "{kpi}: {e:?}");
                }
            }
        }
        let fixed = super::super::run(
            &m,
            &RunConfig {
                replications: outcome.replications,
                threads: Some(1),
                ..config
            },
            &|| {},
        )
        .unwrap();
        assert_eq!(fixed.reps, report.reps);
        assert_eq!(fixed.kpis, report.kpis);
    }

    #[test]
    fn the_cap_stops_an_unreachable_target() {
        let p = Precision {
            relative_half_width: 1e-9,
            max_replications: 7,
        };
        let config = RunConfig {
            replications: 3,
            seed: 1,
            threads: Some(1),
        };
        let (report, outcome) = run_to_precision(&model(), &config, &p, &|_| {}).unwrap();
        assert!(!outcome.reached);
        assert_eq!(outcome.replications, 7);
        assert_eq!(report.reps.len(), 7);
        assert!(outcome.widest.is_some());
    }

    #[test]
    fn bad_targets_are_refused() {
        for x in [0.0, -0.1, f64::NAN, f64::INFINITY] {
            assert!(Precision::new(x).check().is_err());
        }
        let p = Precision {
            relative_half_width: 0.1,
            max_replications: 1,
        };
        assert!(p.check().is_err());
    }
}
