//! Service outages: stretches of a day when calls kept coming and no agent answered
//! any, because the system could not pass them on.
//!
//! A log records what happened, outages included; a scenario describes a floor that
//! works. Fitting rates, staffing, patience and the observed KPIs through an outage
//! mixes the two: the February 1999 bank log has one on Wednesday 1999-02-03 from
//! 12:51 to 13:19 (no call answered; 268 of the 269 calls that arrived ended in the
//! IVR), and in the half hour after it the callers who redialled queued and hung up
//! within seconds: one day's 13:00 hour holds a third of the month's 13:00
//! abandonments (92 of 281 on the busy weekdays). So calibration finds outages and
//! leaves their span out of every fit and of the observed KPIs
//! ([`super::CalibrateOptions::outages`] turns this off).
//!
//! An outage is a gap between two consecutive service starts of a day of at least
//! [`OUTAGE_MIN_GAP_S`], in which at least [`OUTAGE_MIN_CALLS`] calls arrived, at
//! least [`OUTAGE_MIN_PER_HOUR`] an hour (so the closed hours of the night, with a
//! call now and then, are not outages), and more than half of them ended in the IVR
//! without reaching the queue (the queue was not taking calls; a gap in which calls
//! queued and waited is a floor without free agents, which the model does describe).
//! What is left out is the span from the gap's start to [`OUTAGE_RECOVERY_S`] after
//! its end (the redials and the backlog), widened to whole intervals.

use serde::Serialize;

use crate::trace::{CallRecord, Date, Outcome};

/// Shortest gap between two service starts that can be an outage, seconds.
pub const OUTAGE_MIN_GAP_S: f64 = 600.0;
/// Fewest calls arriving in the gap.
pub const OUTAGE_MIN_CALLS: u64 = 10;
/// Lowest arrival rate in the gap, calls per hour.
pub const OUTAGE_MIN_PER_HOUR: f64 = 30.0;
/// How long after service resumes the span left out lasts, seconds.
pub const OUTAGE_RECOVERY_S: f64 = 1800.0;

/// One outage found in a log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outage {
    /// The day.
    pub day: Date,
    /// The last service start before the gap, seconds since midnight.
    pub from_s: f64,
    /// The first service start after it, seconds since midnight.
    pub to_s: f64,
    /// Calls that arrived in the gap (phantoms excluded).
    pub arrivals: u64,
    /// Of which ended in the IVR.
    pub ivr_only: u64,
    /// Start of the span left out, seconds since midnight (an interval boundary).
    pub excluded_from_s: u32,
    /// End of the span left out (an interval boundary, at most 86,400).
    pub excluded_to_s: u32,
}

impl Outage {
    /// Whether a call arriving on `day` at `t` seconds since midnight falls in the
    /// span left out.
    pub fn excludes(&self, day: Date, t: f64) -> bool {
        day == self.day && t >= f64::from(self.excluded_from_s) && t < f64::from(self.excluded_to_s)
    }

    /// Whether interval `i` (of `interval_s` seconds) of `day` is left out.
    pub fn excludes_interval(&self, day: Date, i: usize, interval_s: u32) -> bool {
        let start = i as u64 * u64::from(interval_s);
        day == self.day
            && start >= u64::from(self.excluded_from_s)
            && start < u64::from(self.excluded_to_s)
    }
}

/// Whether any of `outages` leaves out a call arriving on `day` at `t`.
pub fn excluded(outages: &[Outage], day: Date, t: f64) -> bool {
    outages.iter().any(|o| o.excludes(day, t))
}

/// The outages of `records` (phantoms are ignored), by day and time; the spans
/// left out are widened to whole intervals of `interval_s`.
pub fn find_outages(records: &[CallRecord], interval_s: u32) -> Vec<Outage> {
    use std::collections::BTreeMap;
    // Per day: service starts, and arrivals with whether they ended in the IVR.
    type Day = (Vec<f64>, Vec<(f64, bool)>);
    let mut days: BTreeMap<Date, Day> = BTreeMap::new();
    for r in records.iter().filter(|r| r.outcome != Outcome::Phantom) {
        let (starts, arrivals) = days.entry(r.day).or_default();
        arrivals.push((r.arrival_s, r.outcome == Outcome::IvrOnly));
        if let Some(s) = r.service_start_s() {
            starts.push(s);
        }
    }
    let len = f64::from(interval_s);
    let mut out = Vec::new();
    for (day, (mut starts, mut arrivals)) in days {
        starts.sort_by(f64::total_cmp);
        arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
        for pair in starts.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if b - a < OUTAGE_MIN_GAP_S {
                continue;
            }
            let lo = arrivals.partition_point(|x| x.0 <= a);
            let hi = arrivals.partition_point(|x| x.0 < b);
            let inside = &arrivals[lo..hi];
            let n = inside.len() as u64;
            let ivr = inside.iter().filter(|x| x.1).count() as u64;
            if n >= OUTAGE_MIN_CALLS
                && n as f64 >= OUTAGE_MIN_PER_HOUR * (b - a) / 3600.0
                && 2 * ivr > n
            {
                let from = ((a / len).floor() * len).max(0.0);
                let to = (((b + OUTAGE_RECOVERY_S) / len).ceil() * len).min(86_400.0);
                out.push(Outage {
                    day,
                    from_s: a,
                    to_s: b,
                    arrivals: n,
                    ivr_only: ivr,
                    excluded_from_s: from as u32,
                    excluded_to_s: to as u32,
                });
            }
        }
    }
    out
}
