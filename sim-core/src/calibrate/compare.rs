//! The fitted day simulated and compared with the log, hour by hour.

use serde::Serialize;

use super::ObservedKpis;
use crate::stats::RepResult;

/// A simulated KPI over replications: estimate and 95 % CI half-width.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimate: a mean over replications, or for a ratio KPI the ratio of the
    /// replications' totals.
    pub mean: f64,
    /// Half-width of the 95 % confidence interval (normal approximation;
    /// `NaN` with fewer than 2 replications).
    pub half_width: f64,
}

impl Estimate {
    /// The ratio of totals Σ `num` ÷ Σ `den` over replications, pooled as the log
    /// pools its days (each call counts once, whichever replication it is in),
    /// with the delta-method CI (the replications' residuals
    /// `num − ratio × den`, scaled by the mean `den`). `NaN` when Σ `den` is 0.
    fn ratio(num: &[f64], den: &[f64]) -> Estimate {
        let n = num.len() as f64;
        let (sn, sd) = (num.iter().sum::<f64>(), den.iter().sum::<f64>());
        if sd.is_nan() || sd <= 0.0 {
            return Estimate {
                mean: f64::NAN,
                half_width: f64::NAN,
            };
        }
        let r = sn / sd;
        let mean_den = sd / n;
        let var = num
            .iter()
            .zip(den)
            .map(|(x, y)| ((x - r * y) / mean_den).powi(2))
            .sum::<f64>()
            / (n - 1.0);
        Estimate {
            mean: r,
            half_width: 1.96 * (var / n).sqrt(),
        }
    }

    fn of(xs: &[f64]) -> Estimate {
        let xs: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
        let n = xs.len() as f64;
        if xs.is_empty() {
            return Estimate {
                mean: f64::NAN,
                half_width: f64::NAN,
            };
        }
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        Estimate {
            mean,
            half_width: 1.96 * (var / n).sqrt(),
        }
    }
}

/// One hour of the day: what the log shows and what the simulation gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HourComparison {
    /// Clock hour (9 = 09:00–10:00).
    pub hour: u32,
    /// Observed calls offered per day (mean over the days pooled).
    pub observed_offered: f64,
    /// Observed ASA of answered calls, seconds.
    pub observed_asa_s: f64,
    /// Observed abandoned ÷ (answered + abandoned).
    pub observed_abandon_rate: f64,
    /// Observed answered within the threshold ÷ (answered + abandoned).
    pub observed_service_level: f64,
    /// Simulated calls offered.
    pub offered: Estimate,
    /// Simulated ASA, seconds.
    pub asa_s: Estimate,
    /// Simulated abandonment.
    pub abandon_rate: Estimate,
    /// Simulated service level.
    pub service_level: Estimate,
}

/// `(simulated − observed) ÷ observed` (`NaN` when the observed value is 0 or
/// undefined).
pub fn relative_error(simulated: f64, observed: f64) -> f64 {
    if observed.is_finite() && observed != 0.0 {
        (simulated - observed) / observed
    } else {
        f64::NAN
    }
}

impl HourComparison {
    /// Relative error of the simulated ASA.
    pub fn asa_error(&self) -> f64 {
        relative_error(self.asa_s.mean, self.observed_asa_s)
    }
    /// Relative error of the simulated abandonment.
    pub fn abandon_error(&self) -> f64 {
        relative_error(self.abandon_rate.mean, self.observed_abandon_rate)
    }
    /// Relative error of the simulated service level.
    pub fn service_level_error(&self) -> f64 {
        relative_error(self.service_level.mean, self.observed_service_level)
    }
    /// Relative error of the simulated offered calls.
    pub fn offered_error(&self) -> f64 {
        relative_error(self.offered.mean, self.observed_offered)
    }
}

/// Compare replications `reps` of a day scenario starting at clock time
/// `day_start_s` with `observed_hourly` (KPIs per clock hour from midnight, e.g.
/// [`super::FitReport::observed`] with 3,600 s; offered calls per day divide by
/// their `days`), for every whole or partial clock hour the run covers. Simulated
/// calls count in the hour they joined the queue. ASA, abandonment and service
/// level are pooled over the replications as the log's are over its days: total
/// wait ÷ total answered, and so on (not the mean of each replication's ratio,
/// which weighs a replication with few calls as much as one with many).
pub fn compare_hourly(
    reps: &[RepResult],
    day_start_s: f64,
    observed_hourly: &[ObservedKpis],
) -> Vec<HourComparison> {
    let Some(first) = reps.first() else {
        return Vec::new();
    };
    let n_int = first.intervals.first().map_or(0, Vec::len);
    let hour_of = |i: usize| ((day_start_s + i as f64 * first.interval_s) / 3600.0) as u32;
    let Some(last) = n_int.checked_sub(1) else {
        return Vec::new();
    };
    let (h0, h1) = (hour_of(0), hour_of(last));
    (h0..=h1)
        .map(|hour| {
            let mut offered = Vec::new();
            let mut answered = Vec::new();
            let mut ended = Vec::new();
            let mut abandoned = Vec::new();
            let mut in_sl = Vec::new();
            let mut waits = Vec::new();
            for r in reps {
                let (mut o, mut a, mut ab, mut sl, mut wait) = (0u64, 0u64, 0u64, 0u64, 0.0);
                for t in &r.intervals {
                    for (i, c) in t.iter().enumerate() {
                        if hour_of(i) == hour {
                            o += c.offered;
                            a += c.answered;
                            ab += c.abandoned;
                            sl += c.answered_in_sl;
                            wait += c.wait_sum_s;
                        }
                    }
                }
                offered.push(o as f64);
                answered.push(a as f64);
                ended.push((a + ab) as f64);
                abandoned.push(ab as f64);
                in_sl.push(sl as f64);
                waits.push(wait);
            }
            let obs = observed_hourly.get(hour as usize);
            let get = |f: fn(&ObservedKpis) -> f64| obs.map_or(f64::NAN, f);
            HourComparison {
                hour,
                observed_offered: obs.map_or(f64::NAN, |o| {
                    if o.days > 0.0 {
                        o.offered as f64 / o.days
                    } else {
                        f64::NAN
                    }
                }),
                observed_asa_s: get(|o| o.asa_s),
                observed_abandon_rate: get(|o| o.abandon_rate),
                observed_service_level: get(|o| o.service_level),
                offered: Estimate::of(&offered),
                asa_s: Estimate::ratio(&waits, &answered),
                abandon_rate: Estimate::ratio(&abandoned, &ended),
                service_level: Estimate::ratio(&in_sl, &ended),
            }
        })
        .collect()
}
