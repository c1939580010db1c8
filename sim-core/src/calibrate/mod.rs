//! Calibration: scenario parameters fitted to a real call log.
//!
//! From the [`CallRecord`]s of a log ([`crate::trace::log`]), [`calibrate`] first
//! finds the **service outages** (stretches when no call was answered while the
//! IVR kept the callers) and leaves their spans out of everything below
//! ([`outage`]); then it estimates
//!
//! * **arrival rates** per call type, weekday and interval of the day
//!   ([`ArrivalProfile`]), counting the calls that reached the queue;
//! * **handle times** and **IVR times** per call type: Exponential, LogNormal, Gamma
//!   and Weibull fitted by maximum likelihood and compared by AIC, with KS
//!   distances ([`fit`]);
//! * **patience** per call type from censored waits: Kaplan–Meier, and exponential
//!   and Weibull MLEs ([`survival`]); and whether it differs by hour of day
//!   ([`PatienceByHour`]);
//! * the **priority share** among the callers who queued;
//! * **staffing** per weekday and interval, inferred from which agents were busy
//!   ([`StaffingProfile`]);
//! * a **busy window**: the busiest hours of the busy weekdays, with the rates,
//!   staffing and observed KPIs there ([`BusyWindow`]).
//!
//! All of it is a [`FitReport`], whose `Display` prints the diagnostics, and which
//! [`to_scenario`] turns into a [`Scenario`] the engine can run. For the day
//! scenario, [`refine_staffing`] fits the effective staffing per interval by
//! simulation ([`effective`]); [`compare_hourly`] sets the simulated day against
//! the log.

pub mod compare;
pub mod effective;
pub mod fit;
pub mod outage;
pub mod profile;
pub mod replay;
pub mod survival;

use std::fmt;

use serde::Serialize;

use crate::scenario::{AgentGroup, ArrivalProcess, CallType, Scenario, TimeDist};
use crate::trace::{CallRecord, Outcome, Weekday};
pub use compare::{Estimate, HourComparison, compare_hourly, relative_error};
pub use effective::{
    IntervalStaffing, RefineError, RefineOptions, StaffingRefinement, refine_staffing,
};
pub use fit::{DurationFit, Family, FitRow, fit_durations};
pub use outage::{Outage, find_outages};
pub use profile::{ArrivalProfile, DaySpan, StaffingProfile};
pub use replay::{TraceUse, apply_trace, trace_calls};
pub use survival::{CensoredFit, KaplanMeier, PatienceByHour, PatienceFit, fit_patience};

/// What to fit, and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrateOptions {
    /// Length of the intervals of the day, seconds; must divide 86,400. Default
    /// 1,800 (30 minutes).
    pub interval_s: u32,
    /// Length of the busy window, hours (rounded to whole intervals). Default 8.
    pub window_h: f64,
    /// A weekday is "busy" when its mean daily volume is at least this share of the
    /// busiest weekday's. Default 0.5.
    pub busy_day_share: f64,
    /// Service-level threshold for the observed KPIs, seconds. Default 20.
    pub service_level_s: f64,
    /// Find service outages and leave their spans out of every fit and of the
    /// observed KPIs ([`outage`]). Default true.
    pub outages: bool,
}

impl Default for CalibrateOptions {
    fn default() -> Self {
        CalibrateOptions {
            interval_s: 1800,
            window_h: 8.0,
            busy_day_share: 0.5,
            service_level_s: 20.0,
            outages: true,
        }
    }
}

/// Why calibration could not run. Fatal.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    /// The interval does not divide the day.
    #[error("the interval must divide the day into whole intervals (1 s to 24 h), found {0} s")]
    BadInterval(u32),
    /// The busy window is not between one interval and a day.
    #[error("the busy window must be a number of hours in (0, 24], found {0}")]
    BadWindow(f64),
    /// The log spans more days than calibration handles.
    #[error(
        "the log spans {0} days, from its first call to its last; at most {MAX_DAYS} can be calibrated"
    )]
    TooManyDays(usize),
    /// The log holds no call that reached the queue.
    #[error("the log holds no call that reached the queue (served or abandoned): nothing to fit")]
    NoCalls,
}

/// What the log says about one call type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallTypeFit {
    /// The type's name.
    pub name: String,
    /// Calls of this type (phantoms excluded).
    pub calls: u64,
    /// Served by an agent.
    pub served: u64,
    /// Abandoned in queue.
    pub abandoned: u64,
    /// Ended in the IVR.
    pub ivr_only: u64,
    /// Handle-time fits (`None` with fewer than 2 served calls).
    pub handle: Option<DurationFit>,
    /// IVR-time fits over all its calls (`None` without 2 positive IVR times).
    pub ivr: Option<DurationFit>,
    /// Patience, from the callers who queued.
    pub patience: PatienceFit,
    /// Share of its callers who waited in queue that had priority 2 (high
    /// priority). Priority only matters to callers who wait, and the bank log
    /// records it only for them: its PS calls answered at once all carry
    /// priority 0, those that queued 0 (2 %), 1 (34 %) or 2 (64 %). Among all
    /// calls that reached the queue the share would be understated by the share
    /// answered at once.
    pub priority_share: f64,
}

/// KPIs observed in the log, computed as the simulator defines them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservedKpis {
    /// Days pooled: each day counts with the share of the span that no outage
    /// leaves out.
    pub days: f64,
    /// Calls that reached the queue.
    pub offered: u64,
    /// Served.
    pub answered: u64,
    /// Abandoned.
    pub abandoned: u64,
    /// Answered within the threshold ÷ (answered + abandoned).
    pub service_level: f64,
    /// Mean wait of answered calls, seconds.
    pub asa_s: f64,
    /// Abandoned ÷ (answered + abandoned).
    pub abandon_rate: f64,
    /// Mean handle time of answered calls, seconds.
    pub aht_s: f64,
}

/// The busiest hours of the busy weekdays: what a single stationary scenario is
/// fitted to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BusyWindow {
    /// Weekdays whose mean volume reaches `busy_day_share` of the busiest's.
    pub weekdays: Vec<Weekday>,
    /// Days of the log on those weekdays.
    pub days: u32,
    /// Start of the window, seconds since midnight.
    pub start_s: u32,
    /// End of the window, seconds since midnight.
    pub end_s: u32,
    /// Mean calls per hour in the window, per call type (order of
    /// [`FitReport::call_types`]).
    pub per_hour: Vec<f64>,
    /// Mean over the window's intervals of the agents busy at some moment.
    pub staffing_distinct: Option<f64>,
    /// Mean over the window's intervals of the agents busy on average.
    pub staffing_busy: Option<f64>,
    /// KPIs observed in the window.
    pub observed: ObservedKpis,
    /// The Erlang A staffing that reproduces the observed abandonment (`None`
    /// when nobody abandoned or nothing was answered).
    pub erlang_a: Option<ErlangAMatch>,
}

/// The window pooled into one Erlang A queue (M/M/c+M: the total rate, the observed
/// AHT, the pooled exponential patience MLE), and the number of agents whose
/// abandonment is closest to the observed one: the *effective* staffing, which
/// accounts for agent time the log does not show (after-call work, breaks, other
/// tasks).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErlangAMatch {
    /// Total arrival rate, calls per hour.
    pub calls_per_hour: f64,
    /// Observed mean handle time, seconds.
    pub aht_s: f64,
    /// Pooled exponential patience (abandons ÷ total wait of queued callers), seconds.
    pub patience_s: f64,
    /// Agents whose Erlang A abandonment is closest to the observed.
    pub agents: u32,
    /// Erlang A abandonment with them.
    pub abandon_rate: f64,
    /// Erlang A service level with them.
    pub service_level: f64,
    /// Erlang A ASA with them, seconds.
    pub asa_s: f64,
}

impl BusyWindow {
    /// Length in hours.
    pub fn hours(&self) -> f64 {
        f64::from(self.end_s - self.start_s) / 3600.0
    }
}

/// Everything fitted to one log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitReport {
    /// The options used.
    pub options: CalibrateOptions,
    /// Per call type, busiest first.
    pub call_types: Vec<CallTypeFit>,
    /// Arrival rates per type, weekday and interval.
    pub arrivals: ArrivalProfile,
    /// Staffing inferred from agent activity (`None` if the log names no agent).
    pub staffing: Option<StaffingProfile>,
    /// The busy window.
    pub window: BusyWindow,
    /// KPIs observed per interval of the day on the busy window's weekdays, all
    /// their days pooled (index = interval of arrival from midnight).
    pub observed_by_interval: Vec<ObservedKpis>,
    /// Service outages found in the log, whose spans every fit leaves out (empty
    /// when [`CalibrateOptions::outages`] is off).
    pub outages: Vec<Outage>,
    /// Whether patience differs by hour of day on the busy weekdays: for all call
    /// types together and each type with at least 100 abandons there, over the
    /// busy window's clock hours and over the whole day.
    pub patience_by_hour: Vec<HourlyPatience>,
}

/// One [`PatienceByHour`] test of a [`FitReport`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourlyPatience {
    /// The call type (`None`: all together).
    pub call_type: Option<String>,
    /// First clock hour.
    pub from_h: u32,
    /// End clock hour (exclusive).
    pub to_h: u32,
    /// The test.
    pub test: PatienceByHour,
}

impl FitReport {
    /// The KPIs observed per interval of `interval_s` (3,600: per clock hour) on the
    /// busy window's weekdays, as [`observed_by_interval`] with this report's
    /// service-level threshold and outages.
    pub fn observed(&self, records: &[CallRecord], interval_s: u32) -> Vec<ObservedKpis> {
        observed_by_interval(
            records,
            &self.window.weekdays,
            interval_s,
            self.options.service_level_s,
            &self.outages,
        )
    }
}

/// The longest log [`calibrate`] accepts, in days (ten years).
pub const MAX_DAYS: usize = 3660;

/// Fit everything [`FitReport`] holds to `records`. Phantom calls are ignored.
pub fn calibrate(
    records: &[CallRecord],
    options: &CalibrateOptions,
) -> Result<FitReport, CalibrateError> {
    let interval_s = options.interval_s;
    if interval_s == 0 || 86_400 % interval_s != 0 {
        return Err(CalibrateError::BadInterval(interval_s));
    }
    if !(options.window_h > 0.0 && options.window_h <= 24.0) {
        return Err(CalibrateError::BadWindow(options.window_h));
    }
    let owned: Vec<CallRecord> = records
        .iter()
        .filter(|r| r.outcome != Outcome::Phantom)
        .cloned()
        .collect();
    if !owned.iter().any(|r| r.reached_queue()) {
        return Err(CalibrateError::NoCalls);
    }
    let days = DaySpan::of(&owned).ok_or(CalibrateError::NoCalls)?;
    if days.len() > MAX_DAYS {
        return Err(CalibrateError::TooManyDays(days.len()));
    }
    let outages = if options.outages {
        find_outages(&owned, interval_s)
    } else {
        Vec::new()
    };
    // Every fit below sees the calls outside the outages' spans only.
    let owned: Vec<CallRecord> = owned
        .into_iter()
        .filter(|r| !outage::excluded(&outages, r.day, r.arrival_s))
        .collect();

    // Call types, busiest first.
    let mut names: Vec<(String, u64)> = Vec::new();
    for r in &owned {
        match names.iter_mut().find(|(n, _)| *n == r.call_type) {
            Some((_, c)) => *c += 1,
            None => names.push((r.call_type.clone(), 1)),
        }
    }
    names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let type_names: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();

    let call_types = type_names
        .iter()
        .map(|name| {
            let of: Vec<&CallRecord> = owned.iter().filter(|r| r.call_type == *name).collect();
            let count = |o: Outcome| of.iter().filter(|r| r.outcome == o).count() as u64;
            let handle: Vec<f64> = of.iter().filter_map(|r| r.handle_s).collect();
            let ivr: Vec<f64> = of.iter().map(|r| r.ivr_s).collect();
            let (waits, abandoned): (Vec<f64>, Vec<bool>) = of
                .iter()
                .filter(|r| r.queued && r.reached_queue())
                .map(|r| (r.wait_s, r.outcome == Outcome::Abandoned))
                .unzip();
            CallTypeFit {
                name: name.clone(),
                calls: of.len() as u64,
                served: count(Outcome::Served),
                abandoned: count(Outcome::Abandoned),
                ivr_only: count(Outcome::IvrOnly),
                handle: fit_durations(&handle),
                ivr: fit_durations(&ivr),
                patience: fit_patience(&waits, &abandoned),
                priority_share: {
                    let q: Vec<&&CallRecord> = of
                        .iter()
                        .filter(|r| r.queued && r.reached_queue())
                        .collect();
                    if q.is_empty() {
                        0.0
                    } else {
                        q.iter().filter(|r| r.priority >= 2).count() as f64 / q.len() as f64
                    }
                },
            }
        })
        .collect();

    let arrivals = ArrivalProfile::fit(&owned, &type_names, &days, interval_s, &outages);
    let staffing = StaffingProfile::fit(&owned, &days, interval_s, &outages);
    let window = busy_window(&owned, &arrivals, staffing.as_ref(), options, &outages);
    let observed_by_interval = observed_by_interval(
        &owned,
        &window.weekdays,
        interval_s,
        options.service_level_s,
        &outages,
    );
    let patience_by_hour = hourly_patience(&owned, &type_names, &window);
    Ok(FitReport {
        options: options.clone(),
        call_types,
        arrivals,
        staffing,
        window,
        observed_by_interval,
        outages,
        patience_by_hour,
    })
}

/// The [`FitReport::patience_by_hour`] tests.
fn hourly_patience(
    records: &[CallRecord],
    type_names: &[String],
    window: &BusyWindow,
) -> Vec<HourlyPatience> {
    let queued: Vec<&CallRecord> = records
        .iter()
        .filter(|r| r.queued && r.reached_queue() && window.weekdays.contains(&r.day.weekday()))
        .collect();
    let mut groups: Vec<Option<&String>> = vec![None];
    groups.extend(
        type_names
            .iter()
            .filter(|t| {
                queued
                    .iter()
                    .filter(|r| r.call_type == **t && r.outcome == Outcome::Abandoned)
                    .count()
                    >= 100
            })
            .map(Some),
    );
    let spans = [
        (window.start_s.div_ceil(3600), window.end_s / 3600),
        (0, 24),
    ];
    let mut out = Vec::new();
    for t in groups {
        for &(from_h, to_h) in &spans {
            let test = PatienceByHour::fit(
                queued
                    .iter()
                    .filter(|r| t.is_none_or(|t| r.call_type == *t))
                    .map(|r| {
                        (
                            (r.arrival_s / 3600.0) as u32,
                            r.wait_s,
                            r.outcome == Outcome::Abandoned,
                        )
                    })
                    .filter(|(h, _, _)| (from_h..to_h).contains(h)),
            );
            if let Some(test) = test {
                out.push(HourlyPatience {
                    call_type: t.cloned(),
                    from_h,
                    to_h,
                    test,
                });
            }
        }
    }
    out
}

fn busy_window(
    records: &[CallRecord],
    arrivals: &ArrivalProfile,
    staffing: Option<&StaffingProfile>,
    options: &CalibrateOptions,
    outages: &[Outage],
) -> BusyWindow {
    let n = arrivals.intervals();
    let per_day: Vec<f64> = Weekday::ALL.iter().map(|&w| arrivals.per_day(w)).collect();
    let top = per_day
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let weekdays: Vec<Weekday> = Weekday::ALL
        .iter()
        .copied()
        .filter(|w| per_day[w.index()] >= options.busy_day_share * top && top > 0.0)
        .collect();
    let days: u32 = weekdays
        .iter()
        .map(|w| arrivals.days.per_weekday[w.index()])
        .sum();
    // Mean calls per hour of each interval over the busy weekdays; the window with
    // the most calls.
    let per_interval: Vec<f64> = (0..n)
        .map(|i| {
            (0..arrivals.call_types.len())
                .map(|t| arrivals.pooled_per_hour(t, &weekdays, i))
                .filter(|x| x.is_finite())
                .sum()
        })
        .collect();
    let len =
        ((options.window_h * 3600.0 / f64::from(options.interval_s)).round() as usize).clamp(1, n);
    // Earliest start on ties (the first maximum of the window sums).
    let mut start = 0;
    let mut best = f64::NEG_INFINITY;
    for s in 0..=n - len {
        let sum: f64 = per_interval[s..s + len].iter().sum();
        if sum > best {
            (start, best) = (s, sum);
        }
    }
    let per_hour: Vec<f64> = (0..arrivals.call_types.len())
        .map(|t| {
            let rates: Vec<f64> = (start..start + len)
                .map(|i| arrivals.pooled_per_hour(t, &weekdays, i))
                .filter(|x| x.is_finite())
                .collect();
            if rates.is_empty() {
                0.0
            } else {
                rates.iter().sum::<f64>() / rates.len() as f64
            }
        })
        .collect();
    let staffing_mean = |pick: &dyn Fn(&StaffingProfile) -> &[Vec<f64>; 7]| {
        staffing.map(|s| {
            let means: Vec<f64> = (start..start + len)
                .map(|i| pooled_staffing(pick(s), arrivals, &weekdays, i))
                .filter(|x| x.is_finite())
                .collect();
            means.iter().sum::<f64>() / means.len().max(1) as f64
        })
    };
    let start_s = start as u32 * options.interval_s;
    let end_s = (start + len) as u32 * options.interval_s;
    let in_window: Vec<&CallRecord> = records
        .iter()
        .filter(|r| {
            r.reached_queue()
                && weekdays.contains(&r.day.weekday())
                && r.arrival_s >= f64::from(start_s)
                && r.arrival_s < f64::from(end_s)
        })
        .collect();
    let mut observed = observed_kpis(&in_window, options.service_level_s);
    observed.days =
        arrivals
            .days
            .pooled_days(&weekdays, outages, f64::from(start_s), f64::from(end_s));
    let rate: f64 = per_hour.iter().sum();
    let (waits, abandons) = in_window
        .iter()
        .filter(|r| r.queued)
        .fold((0.0, 0u64), |(w, a), r| {
            (w + r.wait_s, a + u64::from(r.outcome == Outcome::Abandoned))
        });
    let erlang_a = (abandons > 0 && waits > 0.0)
        .then(|| {
            erlang_a_match(
                rate,
                observed.aht_s,
                waits / abandons as f64,
                &observed,
                options,
            )
        })
        .flatten();
    BusyWindow {
        staffing_distinct: staffing_mean(&|s| &s.distinct),
        staffing_busy: staffing_mean(&|s| &s.busy),
        observed,
        erlang_a,
        weekdays,
        days,
        start_s,
        end_s,
        per_hour,
    }
}

/// A staffing measure (`distinct` or `busy` of a [`StaffingProfile`]) in interval
/// `i`, the mean over the days of `weekdays` whose interval is in the fit (`NaN`
/// without any).
fn pooled_staffing(
    per_weekday: &[Vec<f64>; 7],
    arrivals: &ArrivalProfile,
    weekdays: &[Weekday],
    i: usize,
) -> f64 {
    let days: u32 = weekdays
        .iter()
        .map(|w| arrivals.days_in[w.index()][i])
        .sum();
    if days == 0 {
        return f64::NAN;
    }
    weekdays
        .iter()
        .map(|w| f64::from(arrivals.days_in[w.index()][i]) * per_weekday[w.index()][i])
        .sum::<f64>()
        / f64::from(days)
}

fn erlang_a_match(
    calls_per_hour: f64,
    aht_s: f64,
    patience_s: f64,
    observed: &ObservedKpis,
    options: &CalibrateOptions,
) -> Option<ErlangAMatch> {
    if !(calls_per_hour > 0.0 && aht_s > 0.0 && observed.abandon_rate.is_finite()) {
        return None;
    }
    let load = calls_per_hour * aht_s / 3600.0;
    let mut best: Option<(f64, ErlangAMatch)> = None;
    for agents in 1..=((4.0 * load).ceil() as u32 + 10) {
        let params = crate::analytic::QueueParams {
            calls_per_hour,
            aht_s,
            agents,
            patience_s: Some(patience_s),
            sl_s: options.service_level_s,
        };
        let Ok(k) = crate::analytic::evaluate(&params) else {
            continue;
        };
        let gap = (k.abandon_rate - observed.abandon_rate).abs();
        if best.as_ref().is_none_or(|(g, _)| gap < *g) {
            best = Some((
                gap,
                ErlangAMatch {
                    calls_per_hour,
                    aht_s,
                    patience_s,
                    agents,
                    abandon_rate: k.abandon_rate,
                    service_level: k.service_level,
                    asa_s: k.asa_s,
                },
            ));
        }
    }
    best.map(|(_, m)| m)
}

/// The KPIs observed in each interval of `interval_s` from midnight, over the
/// calls that reached the queue on `weekdays` (all their days pooled), leaving out
/// the calls that arrived in the spans of `outages` (see also
/// [`FitReport::observed`]).
pub fn observed_by_interval(
    records: &[CallRecord],
    weekdays: &[Weekday],
    interval_s: u32,
    sl_s: f64,
    outages: &[Outage],
) -> Vec<ObservedKpis> {
    let n = (86_400 / interval_s.max(1)) as usize;
    let mut buckets: Vec<Vec<&CallRecord>> = vec![Vec::new(); n];
    for r in records {
        if r.reached_queue()
            && weekdays.contains(&r.day.weekday())
            && !outage::excluded(outages, r.day, r.arrival_s)
        {
            let i = ((r.arrival_s / f64::from(interval_s)) as usize).min(n - 1);
            buckets[i].push(r);
        }
    }
    let span = DaySpan::of(records);
    let len = f64::from(interval_s);
    buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut k = observed_kpis(b, sl_s);
            k.days = span.as_ref().map_or(0.0, |s| {
                s.pooled_days(weekdays, outages, i as f64 * len, (i + 1) as f64 * len)
            });
            k
        })
        .collect()
}

/// Sub-intervals of a day scenario's staffing plan per interval when the Erlang A
/// staffing is fractional (6: 5 minutes for 30-minute intervals).
pub const STAFFING_SUBSTEPS: usize = 6;

/// Fractional agent counts per interval as a plan of `sub` steps per interval:
/// each step has the floor or the ceiling, the steps with one agent more spread
/// evenly, so the interval's mean is the level to 1/`sub` of an agent (at least
/// one agent throughout).
pub(crate) fn realize_levels(levels: &[f64], sub: usize) -> Vec<u32> {
    levels
        .iter()
        .flat_map(|&c| {
            let (lo, f) = (c.floor(), c.fract());
            let high = (f * sub as f64).round() as usize;
            (0..sub).map(move |j| {
                let up = (j + 1) * high / sub > j * high / sub;
                (lo as u32 + u32::from(up)).max(1)
            })
        })
        .collect()
}

/// The fractional number of agents with which Erlang A (M/M/c+M) gives the
/// abandonment `target`: linear interpolation between the integer counts that
/// bracket it (`None` if no count reaches it, or the inputs are degenerate).
pub(crate) fn erlang_a_fractional(
    calls_per_hour: f64,
    aht_s: f64,
    patience_s: f64,
    target: f64,
    sl_s: f64,
) -> Option<f64> {
    if !(calls_per_hour > 0.0 && aht_s > 0.0 && target.is_finite()) {
        return None;
    }
    let load = calls_per_hour * aht_s / 3600.0;
    let abandon = |agents: u32| {
        crate::analytic::evaluate(&crate::analytic::QueueParams {
            calls_per_hour,
            aht_s,
            agents,
            patience_s: Some(patience_s),
            sl_s,
        })
        .ok()
        .map(|k| k.abandon_rate)
    };
    let mut prev: Option<(u32, f64)> = None;
    for agents in 1..=((4.0 * load).ceil() as u32 + 10) {
        let Some(a) = abandon(agents) else { continue };
        if a <= target {
            return Some(match prev {
                Some((c, pa)) if pa > a => {
                    let f = ((pa - target) / (pa - a)).clamp(0.0, 1.0);
                    (f64::from(c) + f).max(1.0)
                }
                _ => f64::from(agents),
            });
        }
        prev = Some((agents, a));
    }
    None
}

fn observed_kpis(records: &[&CallRecord], sl_s: f64) -> ObservedKpis {
    let answered: Vec<&&CallRecord> = records
        .iter()
        .filter(|r| r.outcome == Outcome::Served)
        .collect();
    let abandoned = records
        .iter()
        .filter(|r| r.outcome == Outcome::Abandoned)
        .count() as u64;
    let a = answered.len() as f64;
    let ended = a + abandoned as f64;
    let ratio = |x: f64, d: f64| if d > 0.0 { x / d } else { f64::NAN };
    ObservedKpis {
        days: f64::NAN,
        offered: records.len() as u64,
        answered: answered.len() as u64,
        abandoned,
        service_level: ratio(
            answered.iter().filter(|r| r.wait_s <= sl_s).count() as f64,
            ended,
        ),
        asa_s: ratio(answered.iter().map(|r| r.wait_s).sum(), a),
        abandon_rate: ratio(abandoned as f64, ended),
        aht_s: ratio(answered.iter().filter_map(|r| r.handle_s).sum(), a),
    }
}

/// How [`to_scenario`] fills in what a log does not say.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioOptions {
    /// The scenario's name (default: says where it was fitted from).
    pub name: Option<String>,
    /// Warm-up, hours (default 0.5: the fitted run starts with an empty floor).
    pub warmup_h: f64,
    /// Replications (default 10).
    pub replications: u32,
    /// Seed (default 1).
    pub seed: u64,
    /// Service-level threshold, seconds (default 20).
    pub service_level_s: f64,
    /// How many agents the scenario gets (default [`StaffingRule::Distinct`]).
    pub staffing: StaffingRule,
    /// Without agent names in the log, and with [`StaffingRule::Occupancy`]: staff
    /// for this occupancy (default 0.85).
    pub target_occupancy: f64,
    /// A stationary busy window (default) or the whole day, interval by interval.
    pub shape: ScenarioShape,
}

/// What the fitted scenario covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum ScenarioShape {
    /// The busy window, stationary: one Poisson rate per call type and one
    /// staffing level.
    #[default]
    Window,
    /// The day of an average busy weekday (the window's weekdays), from the first
    /// to the last interval with calls: arrival profiles per call type and a
    /// staffing plan per interval (see [`to_day_scenario`]).
    Day,
}

/// Which staffing estimate [`to_scenario`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum StaffingRule {
    /// The window's mean number of agents busy at some moment of each interval.
    #[default]
    Distinct,
    /// The Erlang A effective staffing ([`ErlangAMatch`]), which reproduces the
    /// observed abandonment; falls back to `Distinct` where there is none. In a
    /// day scenario: matched interval by interval, the starting point of
    /// [`refine_staffing`].
    ErlangA,
    /// Agents busy on average ÷ [`ScenarioOptions::target_occupancy`], rounded up.
    Occupancy,
}

impl Default for ScenarioOptions {
    fn default() -> Self {
        ScenarioOptions {
            name: None,
            warmup_h: 0.5,
            replications: 10,
            seed: 1,
            service_level_s: 20.0,
            staffing: StaffingRule::Distinct,
            target_occupancy: 0.85,
            shape: ScenarioShape::Window,
        }
    }
}

/// `x` rounded to `decimals` decimal places (dividing last, so 186.7 prints as such).
fn round_to(x: f64, decimals: i32) -> f64 {
    let p = 10f64.powi(decimals);
    (x * p).round() / p
}

/// Round a fitted distribution's parameters to sensible precision for a file.
fn tidy(d: &TimeDist) -> TimeDist {
    let s = |x: f64| round_to(x, 1).max(0.1);
    match *d {
        TimeDist::Exponential { mean_s } => TimeDist::Exponential { mean_s: s(mean_s) },
        TimeDist::LogNormal { mean_s, sd_s } => TimeDist::LogNormal {
            mean_s: s(mean_s),
            sd_s: s(sd_s),
        },
        TimeDist::Gamma { mean_s, sd_s } => TimeDist::Gamma {
            mean_s: s(mean_s),
            sd_s: s(sd_s),
        },
        TimeDist::Weibull { shape, mean_s } => TimeDist::Weibull {
            shape: round_to(shape, 3).max(0.001),
            mean_s: s(mean_s),
        },
        ref other => other.clone(),
    }
}

/// The stationary scenario of the busy window: one Poisson rate per call type
/// (the window's mean), the handle-time and patience distributions chosen by AIC,
/// and one group of agents with every skill.
///
/// The group's size follows [`ScenarioOptions::staffing`]. By default it is the
/// window's mean of agents busy at some moment of each interval
/// ([`StaffingProfile`]), rounded: the busy-on-average measure would staff the
/// model at 100 % occupancy (an unstable queue), and the distinct-agent count is
/// the direct estimate of who was on the floor. It overstates the *effective*
/// staffing when agents spend time the log does not show (after-call work, breaks,
/// other tasks): the February 1999 bank log's busy window shows 8.5 distinct
/// agents, but Erlang A comes closest to its observed abandonment (15 %) with 6
/// (and 8 simulated agents abandon 2 %); [`StaffingRule::ErlangA`] uses that
/// effective count instead. Without agent names, the load (rate × mean handle
/// time) ÷ `target_occupancy`, rounded up.
///
/// Call types with no call in the window or no served call are left out.
pub fn to_scenario(report: &FitReport, options: &ScenarioOptions) -> Scenario {
    if options.shape == ScenarioShape::Day {
        return to_day_scenario(report, options);
    }
    let w = &report.window;
    let mut call_types = Vec::new();
    let mut load = 0.0;
    for (ct, &per_hour) in report.call_types.iter().zip(&w.per_hour) {
        let Some(handle) = &ct.handle else { continue };
        if per_hour <= 0.0 {
            continue;
        }
        let handle_time = tidy(&handle.chosen().dist);
        load += per_hour * handle_time.mean_s() / 3600.0;
        let mut c = CallType::new(
            ct.name.clone(),
            Some(ArrivalProcess::Poisson {
                per_hour: round_to(per_hour, 2).max(0.01),
            }),
            handle_time,
        );
        c.patience = ct.patience.chosen.as_ref().map(tidy);
        call_types.push(c);
    }
    let count = match (options.staffing, &w.erlang_a, w.staffing_distinct) {
        (StaffingRule::ErlangA, Some(m), _) => m.agents,
        (StaffingRule::Occupancy, _, _) => (w.staffing_busy.unwrap_or(load)
            / options.target_occupancy)
            .ceil()
            .max(1.0) as u32,
        (_, _, Some(d)) => d.round().max(1.0) as u32,
        _ => (load / options.target_occupancy).ceil().max(1.0) as u32,
    };
    let days: Vec<&str> = w.weekdays.iter().map(|d| d.short()).collect();
    let name = options.name.clone().unwrap_or_else(|| {
        format!(
            "Fitted: {} {}–{}, {} to {}",
            days.join("/"),
            hhmm(w.start_s),
            hhmm(w.end_s),
            report.arrivals.days.first,
            report.arrivals.days.last
        )
    });
    let skills = call_types.iter().map(|c| c.name.clone()).collect();
    let mut s = Scenario::new(
        name,
        w.hours(),
        call_types,
        vec![AgentGroup::new("agents", count, skills)],
    );
    s.warmup_h = options.warmup_h.min(w.hours() / 2.0);
    s.replications = options.replications;
    s.seed = options.seed;
    s.service_level_s = options.service_level_s;
    s.day_start_h = f64::from(w.start_s) / 3600.0;
    s
}

/// The day of an average busy weekday (the busy window's weekdays, averaged over
/// their days), as a time-varying scenario: it starts at the first interval of the
/// day with at least one call per hour on average (`day_start_h`) and ends after
/// the last, without warm-up (the floor opens empty, as it does in the log).
///
/// * arrivals: an [`ArrivalProcess::Profile`] per call type, the mean calls per
///   hour of each interval;
/// * handle time and patience: the distributions chosen by AIC, as in the
///   stationary scenario; priority share from the log's priority column;
/// * staffing: one group with every skill and a [`crate::scenario::Staffing`] plan,
///   per interval, by [`ScenarioOptions::staffing`]:
///   * `Distinct`: the agents busy at some moment of the interval, rounded;
///   * `Occupancy`: agents busy on average ÷ the target occupancy, rounded up;
///   * `ErlangA`: per interval, the Erlang A staffing (the interval's rate and
///     observed AHT, the window's pooled exponential patience) whose abandonment is
///     closest to the interval's observed abandonment; `Distinct` where that
///     cannot be matched. This is the effective staffing: the log omits the
///     after-call work and breaks that make `Distinct` overstate it. Erlang A is
///     not the simulated model, though: [`refine_staffing`] corrects the plan so
///     that the simulated day reproduces each interval's abandonment.
pub fn to_day_scenario(report: &FitReport, options: &ScenarioOptions) -> Scenario {
    let w = &report.window;
    let a = &report.arrivals;
    let n = a.intervals();
    let rate = |t: usize, i: usize| -> f64 {
        let r = a.pooled_per_hour(t, &w.weekdays, i);
        if r.is_finite() { r } else { 0.0 }
    };
    let total: Vec<f64> = (0..n)
        .map(|i| (0..a.call_types.len()).map(|t| rate(t, i)).sum())
        .collect();
    let first = total.iter().position(|r| *r >= 1.0).unwrap_or(0);
    let last = total
        .iter()
        .rposition(|r| *r >= 1.0)
        .unwrap_or(n - 1)
        .max(first);
    let span = first..last + 1;

    let mut call_types = Vec::new();
    for (t, ct) in report.call_types.iter().enumerate() {
        let Some(handle) = &ct.handle else { continue };
        let profile: Vec<f64> = span.clone().map(|i| round_to(rate(t, i), 2)).collect();
        if profile.iter().all(|r| *r <= 0.0) {
            continue;
        }
        let mut c = CallType::new(
            ct.name.clone(),
            Some(ArrivalProcess::Profile {
                interval_min: f64::from(a.interval_s) / 60.0,
                per_hour: profile,
            }),
            tidy(&handle.chosen().dist),
        );
        c.patience = ct.patience.chosen.as_ref().map(tidy);
        c.priority_share = round_to(ct.priority_share, 4);
        call_types.push(c);
    }
    let load = |i: usize| -> f64 {
        let aht = report
            .observed_by_interval
            .get(i)
            .map_or(f64::NAN, |o| o.aht_s);
        let aht = if aht.is_finite() {
            aht
        } else {
            w.observed.aht_s
        };
        total[i] * aht / 3600.0
    };
    let distinct = |i: usize| -> Option<f64> {
        report
            .staffing
            .as_ref()
            .map(|s| pooled_staffing(&s.distinct, a, &w.weekdays, i))
            .filter(|x| x.is_finite())
    };
    let busy = |i: usize| -> f64 {
        report
            .staffing
            .as_ref()
            .map(|s| pooled_staffing(&s.busy, a, &w.weekdays, i))
            .filter(|x| x.is_finite())
            .unwrap_or_else(|| load(i))
    };
    let patience_s = w.erlang_a.as_ref().map(|m| m.patience_s);
    // Agents per interval; Erlang A gives a fractional count, realised below as a
    // plan on a finer grid that alternates between the two nearest integers.
    let levels: Vec<f64> = span
        .clone()
        .map(|i| {
            let by_occupancy = (busy(i) / options.target_occupancy).ceil().max(1.0);
            let by_distinct = distinct(i).map_or(by_occupancy, |d| d.round().max(1.0));
            match options.staffing {
                StaffingRule::Distinct => by_distinct,
                StaffingRule::Occupancy => by_occupancy,
                StaffingRule::ErlangA => {
                    let o = &report.observed_by_interval[i];
                    let aht = if o.aht_s.is_finite() {
                        o.aht_s
                    } else {
                        w.observed.aht_s
                    };
                    patience_s
                        .filter(|_| o.abandoned > 0)
                        .and_then(|p| {
                            erlang_a_fractional(
                                total[i],
                                aht,
                                p,
                                o.abandon_rate,
                                options.service_level_s,
                            )
                        })
                        .unwrap_or(by_distinct)
                }
            }
        })
        .collect();
    let fractional = levels.iter().any(|c| c.fract() != 0.0);
    let sub = if fractional { STAFFING_SUBSTEPS } else { 1 };
    let counts = realize_levels(&levels, sub);

    let days_s: Vec<&str> = w.weekdays.iter().map(|d| d.short()).collect();
    let start_s = first as u32 * a.interval_s;
    let end_s = (last + 1) as u32 * a.interval_s;
    let name = options.name.clone().unwrap_or_else(|| {
        format!(
            "Fitted day: {} {}–{}, {} to {}",
            days_s.join("/"),
            hhmm(start_s),
            hhmm(end_s),
            a.days.first,
            a.days.last
        )
    });
    let skills = call_types.iter().map(|c| c.name.clone()).collect();
    let mut group = AgentGroup::new("agents", 0, skills);
    group.count = None;
    group.staffing = Some(crate::scenario::Staffing {
        interval_min: f64::from(a.interval_s) / 60.0 / sub as f64,
        counts,
    });
    let horizon_h = f64::from(end_s - start_s) / 3600.0;
    let mut s = Scenario::new(name, horizon_h, call_types, vec![group]);
    s.warmup_h = 0.0;
    s.replications = options.replications;
    s.seed = options.seed;
    s.service_level_s = options.service_level_s;
    s.interval_min = f64::from(a.interval_s) / 60.0;
    s.day_start_h = f64::from(start_s) / 3600.0;
    s
}

/// `scenario` as RON text a scenario file can hold, after `comment` (each of its
/// lines becomes a `//` comment line).
pub fn scenario_ron(scenario: &Scenario, comment: &str) -> Result<String, ron::Error> {
    let pretty = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .indentor("    ".to_string());
    let body = ron::ser::to_string_pretty(scenario, pretty)?;
    let mut out = String::new();
    for line in comment.lines() {
        out.push_str("// ");
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&body);
    out.push('\n');
    Ok(out)
}

fn hhmm(s: u32) -> String {
    format!("{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", 100.0 * x)
    } else {
        "—".into()
    }
}

impl fmt::Display for FitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = &self.arrivals;
        let span = &a.days;
        let per_wd: Vec<String> = Weekday::ALL
            .iter()
            .map(|w| format!("{} {}", w.short(), span.per_weekday[w.index()]))
            .collect();
        writeln!(
            f,
            "Log {} to {}: {} days ({})",
            span.first,
            span.last,
            span.len(),
            per_wd.join(", ")
        )?;
        writeln!(
            f,
            "Intervals of {} min. Arrivals count the calls that reached the queue (served or abandoned).",
            a.interval_s / 60
        )?;
        if !self.options.outages {
            writeln!(
                f,
                "Service outages: not looked for; every call is in the fit."
            )?;
        } else {
            if self.outages.is_empty() {
                writeln!(f, "No service outage found.")?;
            } else {
                writeln!(
                    f,
                    "\nService outages (no call answered for ≥ {:.0} min while calls kept coming, most ending in the IVR); their spans, with {:.0} min of recovery, are left out of every fit and of the observed KPIs:",
                    outage::OUTAGE_MIN_GAP_S / 60.0,
                    outage::OUTAGE_RECOVERY_S / 60.0
                )?;
                for o in &self.outages {
                    writeln!(
                        f,
                        "  {} {}: no call answered {}–{}, {} calls arrived, {} ended in the IVR; left out {}–{}",
                        o.day,
                        o.day.weekday().short(),
                        hhmm(o.from_s as u32),
                        hhmm(o.to_s as u32),
                        o.arrivals,
                        o.ivr_only,
                        hhmm(o.excluded_from_s),
                        hhmm(o.excluded_to_s)
                    )?;
                }
            }
        }

        writeln!(f, "\nCalls per type")?;
        writeln!(
            f,
            "  {:<10} {:>8} {:>8} {:>10} {:>9} {:>10} {:>10}",
            "type", "calls", "served", "abandoned", "IVR only", "abandon %", "priority"
        )?;
        for c in &self.call_types {
            writeln!(
                f,
                "  {:<10} {:>8} {:>8} {:>10} {:>9} {:>10} {:>10}",
                c.name,
                c.calls,
                c.served,
                c.abandoned,
                c.ivr_only,
                pct(c.abandoned as f64 / (c.served + c.abandoned).max(1) as f64),
                pct(c.priority_share)
            )?;
        }
        writeln!(
            f,
            "  (priority: share of the callers who queued that had priority 2, served ahead)"
        )?;

        writeln!(
            f,
            "\nArrivals: calls per hour, all types, mean over the days of each weekday"
        )?;
        write!(f, "  {:<6}", "from")?;
        for w in Weekday::ALL {
            write!(f, " {:>7}", w.short())?;
        }
        writeln!(f)?;
        for i in 0..a.intervals() {
            let row: Vec<f64> = Weekday::ALL
                .iter()
                .map(|&w| a.total_per_hour(w, i))
                .collect();
            if row.iter().all(|v| v.is_nan() || *v <= 0.0) {
                continue;
            }
            write!(f, "  {:<6}", hhmm(i as u32 * a.interval_s))?;
            for v in row {
                if v.is_finite() {
                    write!(f, " {v:>7.1}")?;
                } else {
                    write!(f, " {:>7}", "—")?;
                }
            }
            writeln!(f)?;
        }

        if let Some(s) = &self.staffing {
            writeln!(
                f,
                "\nStaffing inferred from agent activity ({} agents in the log): agents busy at some moment / busy on average",
                s.agents
            )?;
            write!(f, "  {:<6}", "from")?;
            for w in Weekday::ALL {
                write!(f, " {:>11}", w.short())?;
            }
            writeln!(f)?;
            for i in 0..a.intervals() {
                if Weekday::ALL.iter().all(|w| s.distinct[w.index()][i] == 0.0) {
                    continue;
                }
                write!(f, "  {:<6}", hhmm(i as u32 * s.interval_s))?;
                for w in Weekday::ALL {
                    let cell = format!(
                        "{:.1}/{:.1}",
                        s.distinct[w.index()][i],
                        s.busy[w.index()][i]
                    );
                    write!(f, " {cell:>11}")?;
                }
                writeln!(f)?;
            }
        } else {
            writeln!(f, "\nStaffing: the log names no agents.")?;
        }

        let w = &self.window;
        let days: Vec<&str> = w.weekdays.iter().map(|d| d.short()).collect();
        writeln!(
            f,
            "\nBusy window: {} {}–{} ({} days; busy weekdays have ≥ {:.0}% of the busiest weekday's volume)",
            days.join("/"),
            hhmm(w.start_s),
            hhmm(w.end_s),
            w.days,
            100.0 * self.options.busy_day_share
        )?;
        for (c, r) in self.call_types.iter().zip(&w.per_hour) {
            writeln!(f, "  {:<10} {r:>8.1} calls/h", c.name)?;
        }
        if let (Some(d), Some(b)) = (w.staffing_distinct, w.staffing_busy) {
            writeln!(
                f,
                "  staffing: {d:.1} agents busy at some moment per interval, {b:.1} busy on average (occupancy ≥ {})",
                pct(b / d)
            )?;
        }
        if let Some(m) = &w.erlang_a {
            writeln!(
                f,
                "  Erlang A, pooled ({:.1} calls/h, AHT {:.1} s, exponential patience {:.1} s): {} agents give abandonment {}, service level {}, ASA {:.1} s",
                m.calls_per_hour,
                m.aht_s,
                m.patience_s,
                m.agents,
                pct(m.abandon_rate),
                pct(m.service_level),
                m.asa_s
            )?;
        }
        let o = &w.observed;
        writeln!(
            f,
            "  observed: {} calls, service level ({} s) {}, ASA {:.1} s, abandonment {}, AHT {:.1} s",
            o.offered,
            self.options.service_level_s,
            pct(o.service_level),
            o.asa_s,
            pct(o.abandon_rate),
            o.aht_s
        )?;

        writeln!(
            f,
            "\nHandle time per call type (maximum likelihood; * = lowest AIC, chosen)"
        )?;
        for c in &self.call_types {
            match &c.handle {
                Some(h) => write!(f, "  {}: {h}", c.name)?,
                None => writeln!(f, "  {}: too few served calls to fit", c.name)?,
            }
        }
        writeln!(
            f,
            "\nIVR time per call type (KS distances are inflated by the whole-second rounding of short times)"
        )?;
        for c in &self.call_types {
            match &c.ivr {
                Some(h) => write!(f, "  {}: {h}", c.name)?,
                None => writeln!(f, "  {}: too few positive IVR times to fit", c.name)?,
            }
        }
        writeln!(
            f,
            "\nPatience per call type (queued callers; the waits of answered callers are right-censored)"
        )?;
        for c in &self.call_types {
            write!(f, "  {}: {}", c.name, c.patience)?;
        }
        if !self.patience_by_hour.is_empty() {
            writeln!(
                f,
                "\nPatience by hour of day on the busy weekdays (exponential MLE per clock hour of arrival; likelihood-ratio test of one patience for all those hours)"
            )?;
            for h in &self.patience_by_hour {
                writeln!(
                    f,
                    "  {} {:02}–{:02}: {}",
                    h.call_type.as_deref().unwrap_or("all types"),
                    h.from_h,
                    h.to_h,
                    h.test
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
