//! Statistics: per-replication counters, KPI definitions, and estimates with
//! confidence intervals over replications.
//!
//! Collectors *observe* the run and never steer it: nothing in this module is read
//! by the engine's decisions.
//!
//! # KPI definitions
//!
//! Over the calls *counted* in a replication (those arriving in `[warmup, horizon)`),
//! each of which ends either answered or abandoned:
//!
//! | KPI | definition |
//! |---|---|
//! | `offered` | counted calls |
//! | `answered` | counted calls that reached an agent |
//! | `abandoned` | counted calls whose caller hung up while waiting |
//! | `service_level` | calls answered within `service_level_s` ÷ (answered + abandoned) |
//! | `asa_s` | mean wait of answered calls, seconds (average speed of answer) |
//! | `abandon_rate` | abandoned ÷ (answered + abandoned) |
//! | `p_wait` | share of answered + abandoned calls that could not be answered on arrival |
//! | `occupancy` | agent time busy with calls ÷ agent time staffed, over `[warmup, horizon)` |
//! | `aht_s` | mean handle time of answered calls, seconds |
//! | `mean_queue_len` | time-average number of callers waiting, over `[warmup, horizon)` |
//!
//! A call answered the instant it arrives has waited 0 s and counts as answered
//! within the threshold. Each KPI is computed per replication; the report gives the
//! mean over replications and the half-width of its 95 % confidence interval
//! (Student t with n − 1 degrees of freedom). A KPI undefined in a replication (ASA
//! with no answered call) is left out of that KPI's estimate.

pub(crate) mod collector;
pub mod tdist;

use serde::{Deserialize, Serialize};

/// Names of the KPIs, in report order.
pub const KPI_NAMES: [&str; 10] = [
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_s",
    "abandon_rate",
    "p_wait",
    "occupancy",
    "aht_s",
    "mean_queue_len",
];

/// KPIs of one replication (or one call type / group in it). `NaN` where undefined.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Kpis {
    /// Counted calls.
    pub offered: f64,
    /// Counted calls answered by an agent.
    pub answered: f64,
    /// Counted calls abandoned in queue.
    pub abandoned: f64,
    /// Answered within the threshold ÷ (answered + abandoned).
    pub service_level: f64,
    /// Mean wait of answered calls, seconds.
    pub asa_s: f64,
    /// Abandoned ÷ (answered + abandoned).
    pub abandon_rate: f64,
    /// Share of answered + abandoned calls that had to wait.
    pub p_wait: f64,
    /// Busy agent time ÷ staffed agent time.
    pub occupancy: f64,
    /// Mean handle time of answered calls, seconds.
    pub aht_s: f64,
    /// Time-average number waiting.
    pub mean_queue_len: f64,
}

impl Kpis {
    /// The KPIs as `(name, value)` pairs in [`KPI_NAMES`] order.
    pub fn values(&self) -> [(&'static str, f64); 10] {
        [
            ("offered", self.offered),
            ("answered", self.answered),
            ("abandoned", self.abandoned),
            ("service_level", self.service_level),
            ("asa_s", self.asa_s),
            ("abandon_rate", self.abandon_rate),
            ("p_wait", self.p_wait),
            ("occupancy", self.occupancy),
            ("aht_s", self.aht_s),
            ("mean_queue_len", self.mean_queue_len),
        ]
    }
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 { num / den } else { f64::NAN }
}

/// Counters of one call type over one replication.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallTypeCounts {
    /// Counted arrivals.
    pub offered: u64,
    /// Counted calls answered.
    pub answered: u64,
    /// Counted calls abandoned.
    pub abandoned: u64,
    /// Counted calls answered within the service-level threshold.
    pub answered_in_sl: u64,
    /// Counted calls that had to wait (answered or abandoned later).
    pub waited: u64,
    /// Sum of the waits of counted answered calls, seconds.
    pub wait_sum_s: f64,
    /// Sum of the handle times of counted answered calls, seconds.
    pub handle_sum_s: f64,
    /// ∫ number waiting dt over the measurement window, call·seconds.
    pub queue_area: f64,
    /// ∫ agents busy with this type dt over the window, agent·seconds.
    pub busy_area: f64,
}

/// Counters of one agent group over one replication.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupCounts {
    /// Counted calls this group answered.
    pub answered: u64,
    /// Sum of their handle times, seconds.
    pub handle_sum_s: f64,
    /// ∫ busy agents dt over the window, agent·seconds.
    pub busy_area: f64,
    /// ∫ staffed agents dt over the window, agent·seconds.
    pub staffed_area: f64,
}

/// Everything one replication measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RepResult {
    /// Replication index.
    pub replication: u64,
    /// Events processed (popped from the event list), stale timers included.
    pub events: u64,
    /// Calls simulated, warm-up and drain included.
    pub calls: u64,
    /// Length of the measurement window `[warmup, horizon)`, seconds.
    pub window_s: f64,
    /// Per call type, in scenario order.
    pub call_types: Vec<CallTypeCounts>,
    /// Per agent group, in scenario order.
    pub groups: Vec<GroupCounts>,
}

impl RepResult {
    fn staffed_area(&self) -> f64 {
        self.groups.iter().map(|g| g.staffed_area).sum()
    }

    fn kpis_from(&self, c: &CallTypeCounts) -> Kpis {
        let ended = (c.answered + c.abandoned) as f64;
        Kpis {
            offered: c.offered as f64,
            answered: c.answered as f64,
            abandoned: c.abandoned as f64,
            service_level: ratio(c.answered_in_sl as f64, ended),
            asa_s: ratio(c.wait_sum_s, c.answered as f64),
            abandon_rate: ratio(c.abandoned as f64, ended),
            p_wait: ratio(c.waited as f64, ended),
            occupancy: ratio(c.busy_area, self.staffed_area()),
            aht_s: ratio(c.handle_sum_s, c.answered as f64),
            mean_queue_len: ratio(c.queue_area, self.window_s),
        }
    }

    /// KPIs over all call types.
    pub fn kpis(&self) -> Kpis {
        let mut t = CallTypeCounts::default();
        for c in &self.call_types {
            t.offered += c.offered;
            t.answered += c.answered;
            t.abandoned += c.abandoned;
            t.answered_in_sl += c.answered_in_sl;
            t.waited += c.waited;
            t.wait_sum_s += c.wait_sum_s;
            t.handle_sum_s += c.handle_sum_s;
            t.queue_area += c.queue_area;
            t.busy_area += c.busy_area;
        }
        self.kpis_from(&t)
    }

    /// KPIs of call type `i`. Its `occupancy` is the share of all staffed agent time
    /// spent on this type, so the types' occupancies add up to the total.
    pub fn call_type_kpis(&self, i: usize) -> Kpis {
        self.kpis_from(&self.call_types[i])
    }

    /// KPIs of agent group `g`: `answered`, `aht_s` and `occupancy` are defined, the
    /// rest are `NaN`.
    pub fn group_kpis(&self, g: usize) -> Kpis {
        let c = &self.groups[g];
        Kpis {
            offered: f64::NAN,
            answered: c.answered as f64,
            abandoned: f64::NAN,
            service_level: f64::NAN,
            asa_s: f64::NAN,
            abandon_rate: f64::NAN,
            p_wait: f64::NAN,
            occupancy: ratio(c.busy_area, c.staffed_area),
            aht_s: ratio(c.handle_sum_s, c.answered as f64),
            mean_queue_len: f64::NAN,
        }
    }
}

/// The estimate of one KPI over replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean over the replications where the KPI is defined.
    pub mean: f64,
    /// Half-width of the 95 % confidence interval; `None` with fewer than two values.
    pub ci95: Option<f64>,
    /// Sample standard deviation over replications.
    #[serde(skip)]
    pub sd: f64,
    /// Number of replications where the KPI is defined.
    #[serde(skip)]
    pub n: usize,
}

impl Estimate {
    /// Mean, standard deviation and 95 % half-width of the finite values in `xs`.
    pub fn from_samples(xs: impl IntoIterator<Item = f64>) -> Estimate {
        // Welford's update: stable for long, nearly constant series.
        let (mut n, mut mean, mut m2) = (0usize, 0.0f64, 0.0f64);
        for x in xs.into_iter().filter(|x| x.is_finite()) {
            n += 1;
            let d = x - mean;
            mean += d / n as f64;
            m2 += d * (x - mean);
        }
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                ci95: None,
                sd: f64::NAN,
                n,
            };
        }
        let sd = if n > 1 {
            (m2 / (n - 1) as f64).sqrt()
        } else {
            f64::NAN
        };
        let mut e = Estimate {
            mean,
            ci95: None,
            sd,
            n,
        };
        e.ci95 = e.half_width(0.95);
        e
    }

    /// Half-width of the two-sided confidence interval at `level` (e.g. 0.99), or
    /// `None` with fewer than two values.
    pub fn half_width(&self, level: f64) -> Option<f64> {
        (self.n > 1).then(|| {
            tdist::t_critical(level, (self.n - 1) as u32) * self.sd / (self.n as f64).sqrt()
        })
    }

    /// Whether `x` lies inside the confidence interval at `level`.
    pub fn covers(&self, x: f64, level: f64) -> bool {
        match self.half_width(level) {
            Some(h) => (self.mean - x).abs() <= h,
            None => false,
        }
    }
}

/// Estimates of every KPI.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiEstimates {
    /// `(name, estimate)` in [`KPI_NAMES`] order; KPIs undefined in every
    /// replication (a group's `asa_s`) are left out.
    pub entries: Vec<(&'static str, Estimate)>,
}

impl KpiEstimates {
    /// Estimate each KPI from per-replication values.
    pub fn from_reps(kpis: &[Kpis]) -> KpiEstimates {
        let entries = KPI_NAMES
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let e = Estimate::from_samples(kpis.iter().map(|k| k.values()[i].1));
                (e.n > 0).then_some((*name, e))
            })
            .collect();
        KpiEstimates { entries }
    }

    /// The estimate of the KPI called `name`.
    pub fn get(&self, name: &str) -> Option<&Estimate> {
        self.entries
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_of_known_sample() {
        let e = Estimate::from_samples([1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        assert!((e.sd - 2.5f64.sqrt()).abs() < 1e-12);
        // t(0.975, 4) = 2.7764451051977987
        let h = 2.776_445_105_197_798_7 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((e.ci95.unwrap() - h).abs() < 1e-9);
        assert!(e.covers(3.0 + 0.99 * h, 0.95));
        assert!(!e.covers(3.0 + 1.01 * h, 0.95));
    }

    #[test]
    fn undefined_values_are_skipped() {
        let e = Estimate::from_samples([f64::NAN, 2.0]);
        assert_eq!(e.n, 1);
        assert_eq!(e.ci95, None);
        let e = Estimate::from_samples([f64::NAN]);
        assert_eq!(e.n, 0);
    }

    #[test]
    fn kpis_follow_their_definitions() {
        let r = RepResult {
            replication: 0,
            events: 0,
            calls: 10,
            window_s: 100.0,
            call_types: vec![CallTypeCounts {
                offered: 10,
                answered: 8,
                abandoned: 2,
                answered_in_sl: 6,
                waited: 5,
                wait_sum_s: 40.0,
                handle_sum_s: 800.0,
                queue_area: 50.0,
                busy_area: 150.0,
            }],
            groups: vec![GroupCounts {
                answered: 8,
                handle_sum_s: 800.0,
                busy_area: 150.0,
                staffed_area: 200.0,
            }],
        };
        let k = r.kpis();
        assert_eq!(k.service_level, 0.6);
        assert_eq!(k.asa_s, 5.0);
        assert_eq!(k.abandon_rate, 0.2);
        assert_eq!(k.p_wait, 0.5);
        assert_eq!(k.occupancy, 0.75);
        assert_eq!(k.aht_s, 100.0);
        assert_eq!(k.mean_queue_len, 0.5);
        let g = r.group_kpis(0);
        assert_eq!(g.occupancy, 0.75);
        assert!(g.asa_s.is_nan());
    }
}
