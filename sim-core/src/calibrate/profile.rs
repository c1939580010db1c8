//! Profiles over the day: arrival rates and inferred staffing, per interval and
//! weekday, averaged over the days of the log.
//!
//! Every date from the log's first to its last day counts, including days with no
//! calls of a type (they count as zero), so a rate is "calls per hour on an average
//! Tuesday in this period".

use serde::Serialize;

use super::outage::Outage;
use crate::trace::{CallRecord, Date, Outcome, Weekday};

/// The days a log covers, per weekday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaySpan {
    /// The first day with a call.
    pub first: Date,
    /// The last day with a call.
    pub last: Date,
    /// How many of the days from `first` to `last` fall on each weekday (Monday
    /// first).
    pub per_weekday: [u32; 7],
}

impl DaySpan {
    /// The span of `records` (`None` if empty).
    pub fn of(records: &[CallRecord]) -> Option<DaySpan> {
        let first = records.iter().map(|r| r.day).min()?;
        let last = records.iter().map(|r| r.day).max()?;
        // Whole weeks add one day to every weekday; the rest start at `first`.
        let days = last.days_since_epoch() - first.days_since_epoch() + 1;
        let mut per_weekday = [(days / 7) as u32; 7];
        for k in 0..days % 7 {
            per_weekday[(first.weekday().index() + k as usize) % 7] += 1;
        }
        Some(DaySpan {
            first,
            last,
            per_weekday,
        })
    }

    /// Day number of `day` within the span (0 = `first`).
    pub fn index(&self, day: Date) -> usize {
        (day.days_since_epoch() - self.first.days_since_epoch()) as usize
    }

    /// Number of days in the span.
    pub fn len(&self) -> usize {
        self.index(self.last) + 1
    }

    /// The date of day number `index` (0 = `first`).
    pub fn date(&self, index: usize) -> Date {
        Date::from_days_since_epoch(self.first.days_since_epoch() + index as i64)
    }

    /// Per weekday and interval of `interval_s`, the days whose interval is in the
    /// fit: every day of that weekday but those whose interval an outage leaves out.
    pub fn days_in(&self, outages: &[Outage], interval_s: u32) -> [Vec<u32>; 7] {
        let n = (86_400 / interval_s) as usize;
        let mut out: [Vec<u32>; 7] = std::array::from_fn(|w| vec![self.per_weekday[w]; n]);
        for d in 0..self.len() {
            let day = self.date(d);
            for (i, slot) in out[day.weekday().index()].iter_mut().enumerate() {
                if outages
                    .iter()
                    .any(|o| o.excludes_interval(day, i, interval_s))
                {
                    *slot -= 1;
                }
            }
        }
        out
    }

    /// Days of `weekdays` pooled over the span `[from_s, to_s)` of the day: each day
    /// counts with the share of the span that no outage leaves out.
    pub fn pooled_days(
        &self,
        weekdays: &[Weekday],
        outages: &[Outage],
        from_s: f64,
        to_s: f64,
    ) -> f64 {
        let days: u32 = weekdays.iter().map(|w| self.per_weekday[w.index()]).sum();
        let len = to_s - from_s;
        if len <= 0.0 {
            return f64::from(days);
        }
        let lost: f64 = outages
            .iter()
            .filter(|o| {
                weekdays.contains(&o.day.weekday()) && o.day >= self.first && o.day <= self.last
            })
            .map(|o| {
                let overlap =
                    to_s.min(f64::from(o.excluded_to_s)) - from_s.max(f64::from(o.excluded_from_s));
                overlap.max(0.0) / len
            })
            .sum();
        f64::from(days) - lost
    }

    /// Whether the span is empty (never: a span has at least one day).
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Arrival rates per call type, weekday and interval of the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArrivalProfile {
    /// Interval length, seconds (divides the day).
    pub interval_s: u32,
    /// Call types, in the order of `counts`.
    pub call_types: Vec<String>,
    /// `counts[type][weekday][interval]`: calls over all days of that weekday
    /// (outside the spans outages leave out).
    pub counts: Vec<[Vec<u64>; 7]>,
    /// The days covered.
    pub days: DaySpan,
    /// `days_in[weekday][interval]`: the days of that weekday whose interval is in
    /// the fit ([`DaySpan::days_in`]); the means divide by it.
    pub days_in: [Vec<u32>; 7],
}

impl ArrivalProfile {
    /// Count the calls that reached the queue (served or abandoned), by the interval
    /// of their arrival, leaving out the spans of `outages`. `call_types` fixes the
    /// order.
    pub fn fit(
        records: &[CallRecord],
        call_types: &[String],
        days: &DaySpan,
        interval_s: u32,
        outages: &[Outage],
    ) -> ArrivalProfile {
        let n = (86_400 / interval_s) as usize;
        let mut counts = vec![std::array::from_fn(|_| vec![0u64; n]); call_types.len()];
        for r in records
            .iter()
            .filter(|r| r.reached_queue() && !super::outage::excluded(outages, r.day, r.arrival_s))
        {
            if let Some(t) = call_types.iter().position(|c| *c == r.call_type) {
                let i = ((r.arrival_s / f64::from(interval_s)) as usize).min(n - 1);
                counts[t][r.day.weekday().index()][i] += 1;
            }
        }
        ArrivalProfile {
            interval_s,
            call_types: call_types.to_vec(),
            counts,
            days: days.clone(),
            days_in: days.days_in(outages, interval_s),
        }
    }

    /// Intervals per day.
    pub fn intervals(&self) -> usize {
        (86_400 / self.interval_s) as usize
    }

    /// Mean calls per hour of call type `t` in interval `i` of weekday `w`, over
    /// the days of that weekday (`NaN` if the log has none).
    pub fn per_hour(&self, t: usize, w: Weekday, i: usize) -> f64 {
        self.pooled_per_hour(t, &[w], i)
    }

    /// Mean calls per hour of call type `t` in interval `i`, over the days of all
    /// `weekdays` together (`NaN` if the log has none).
    pub fn pooled_per_hour(&self, t: usize, weekdays: &[Weekday], i: usize) -> f64 {
        let days: u32 = weekdays.iter().map(|w| self.days_in[w.index()][i]).sum();
        if days == 0 {
            return f64::NAN;
        }
        let calls: u64 = weekdays.iter().map(|w| self.counts[t][w.index()][i]).sum();
        calls as f64 / f64::from(days) / (f64::from(self.interval_s) / 3600.0)
    }

    /// Mean calls per hour of all types together.
    pub fn total_per_hour(&self, w: Weekday, i: usize) -> f64 {
        (0..self.call_types.len())
            .map(|t| self.per_hour(t, w, i))
            .sum()
    }

    /// Mean calls per day of weekday `w`, all types together.
    pub fn per_day(&self, w: Weekday) -> f64 {
        if self.days.per_weekday[w.index()] == 0 {
            return f64::NAN;
        }
        let hours = f64::from(self.interval_s) / 3600.0;
        (0..self.intervals())
            .map(|i| self.total_per_hour(w, i) * hours)
            .filter(|x| x.is_finite())
            .sum()
    }
}

/// Staffing inferred from agent activity, per weekday and interval.
///
/// A log has no staffing; what it shows is who was busy when. Two measures:
///
/// * `distinct`: agents busy at some moment of the interval — an agent logged in
///   but idle the whole interval is missed, one who took a single call is counted
///   in full. Close to the number staffed when the floor is busy.
/// * `busy`: agents busy on average (busy time ÷ interval length) — a lower bound
///   on staffing, equal to it only at 100 % occupancy; logs also leave out the
///   after-call work, which makes it lower still.
///
/// The fitted scenario uses `distinct` (see [`super::to_scenario`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffingProfile {
    /// Interval length, seconds.
    pub interval_s: u32,
    /// `distinct[weekday][interval]`: mean over days of the agents busy in it.
    pub distinct: [Vec<f64>; 7],
    /// `busy[weekday][interval]`: mean over days of busy agent-seconds ÷ interval.
    pub busy: [Vec<f64>; 7],
    /// Distinct agent names in the log.
    pub agents: usize,
}

impl StaffingProfile {
    /// The profile of the served calls that name an agent; `None` if none does.
    /// Intervals that `outages` leave out are not counted, and the means are over
    /// the days left ([`DaySpan::days_in`]).
    pub fn fit(
        records: &[CallRecord],
        days: &DaySpan,
        interval_s: u32,
        outages: &[Outage],
    ) -> Option<StaffingProfile> {
        use std::collections::{HashMap, HashSet};
        let n = (86_400 / interval_s) as usize;
        let len = f64::from(interval_s);
        let mut names: HashMap<&str, u32> = HashMap::new();
        // Per (day, interval): agents seen and busy seconds.
        let mut seen: Vec<HashSet<u32>> = vec![HashSet::new(); days.len() * n];
        let mut busy: Vec<f64> = vec![0.0; days.len() * n];
        for r in records {
            let (Some(agent), Some(start), Some(h), Outcome::Served) = (
                r.agent.as_deref(),
                r.service_start_s(),
                r.handle_s,
                r.outcome,
            ) else {
                continue;
            };
            let next = names.len() as u32;
            let id = *names.entry(agent).or_insert(next);
            let end = (start + h).min(86_400.0);
            let day = days.index(r.day) * n;
            let mut i = (start / len) as usize;
            while i < n && (i as f64) * len < end {
                let (a, b) = (i as f64 * len, (i + 1) as f64 * len);
                let overlap = end.min(b) - start.max(a);
                if overlap > 0.0 {
                    seen[day + i].insert(id);
                    busy[day + i] += overlap;
                }
                i += 1;
            }
        }
        if names.is_empty() {
            return None;
        }
        let days_in = days.days_in(outages, interval_s);
        let mut distinct: [Vec<f64>; 7] = std::array::from_fn(|_| vec![0.0; n]);
        let mut mean_busy: [Vec<f64>; 7] = std::array::from_fn(|_| vec![0.0; n]);
        for d in 0..days.len() {
            let date = days.date(d);
            let w = date.weekday().index();
            for i in 0..n {
                if outages
                    .iter()
                    .any(|o| o.excludes_interval(date, i, interval_s))
                {
                    continue;
                }
                let k = f64::from(days_in[w][i]);
                distinct[w][i] += seen[d * n + i].len() as f64 / k;
                mean_busy[w][i] += busy[d * n + i] / len / k;
            }
        }
        Some(StaffingProfile {
            interval_s,
            distinct,
            busy: mean_busy,
            agents: names.len(),
        })
    }
}
