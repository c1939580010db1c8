//! Patience from censored data.
//!
//! A caller who abandons reveals their patience: it equals their wait. A caller who
//! is answered after waiting `w` reveals only that their patience exceeds `w`: a
//! right-censored observation. Averaging the waits of abandoning callers alone is
//! biased low (patient callers are answered before they could abandon, so they
//! never enter that average). The estimators here use both kinds:
//!
//! * **Kaplan–Meier**: the survival curve S(t) = P(patience > t) without a
//!   parametric assumption, with at-risk counts and Greenwood standard errors.
//! * **Exponential MLE**: rate θ̂ = abandons ÷ total wait of all queued callers
//!   (mean patience 1/θ̂, standard error (1/θ̂)/√abandons).
//! * **Weibull MLE** with censoring ([`super::fit`]), which can say whether callers
//!   grow more (shape > 1) or less (shape < 1) likely to hang up as they wait.
//!
//! Logs record whole seconds: an abandon logged at 0 s is taken as 0.5 s (half the
//! resolution) in both parametric fits, since a log-density at 0 is not finite for
//! the Weibull; the Kaplan–Meier curve uses the times as logged.

use std::fmt;

use serde::Serialize;

use super::fit::{Fitted, fit_weibull};
use crate::scenario::TimeDist;

/// The Kaplan–Meier estimate of a survival curve, one row per distinct event time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KaplanMeier {
    /// Distinct times at which events (abandons) happened, ascending, seconds.
    pub times: Vec<f64>,
    /// Observations still at risk just before each time (time ≥ it).
    pub at_risk: Vec<u64>,
    /// Events at each time.
    pub events: Vec<u64>,
    /// S(t) just after each time.
    pub survival: Vec<f64>,
    /// Greenwood standard error of S(t).
    pub std_err: Vec<f64>,
    /// The median: the first time S(t) ≤ 0.5, if the curve gets there.
    pub median_s: Option<f64>,
}

impl KaplanMeier {
    /// The estimate from observation `times` (seconds), where `observed[i]` says
    /// whether `times[i]` is an event (`true`) or a right-censored time. Censored
    /// times equal to an event time count as at risk at it.
    pub fn fit(times: &[f64], observed: &[bool]) -> KaplanMeier {
        let mut obs: Vec<(f64, bool)> = times
            .iter()
            .copied()
            .zip(observed.iter().copied())
            .collect();
        obs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut km = KaplanMeier {
            times: Vec::new(),
            at_risk: Vec::new(),
            events: Vec::new(),
            survival: Vec::new(),
            std_err: Vec::new(),
            median_s: None,
        };
        let (mut s, mut greenwood) = (1.0f64, 0.0f64);
        let mut at_risk = obs.len() as u64;
        let mut i = 0;
        while i < obs.len() {
            let t = obs[i].0;
            let mut j = i;
            let mut d = 0u64;
            while j < obs.len() && obs[j].0 == t {
                d += u64::from(obs[j].1);
                j += 1;
            }
            if d > 0 {
                let n = at_risk as f64;
                s *= 1.0 - d as f64 / n;
                if at_risk > d {
                    greenwood += d as f64 / (n * (n - d as f64));
                }
                km.times.push(t);
                km.at_risk.push(at_risk);
                km.events.push(d);
                km.survival.push(s);
                km.std_err.push(s * greenwood.sqrt());
                if km.median_s.is_none() && s <= 0.5 {
                    km.median_s = Some(t);
                }
            }
            at_risk -= (j - i) as u64;
            i = j;
        }
        km
    }

    /// S(t): the estimated probability that patience exceeds `t` seconds (constant
    /// after the last event time).
    pub fn survival_at(&self, t: f64) -> f64 {
        match self.times.partition_point(|&x| x <= t) {
            0 => 1.0,
            k => self.survival[k - 1],
        }
    }
}

/// A parametric patience fit from censored data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CensoredFit {
    /// The fitted distribution.
    pub dist: TimeDist,
    /// Its natural parameters, in words.
    pub params: String,
    /// Maximised log-likelihood (with censoring).
    pub log_lik: f64,
    /// 2p − 2 ln L.
    pub aic: f64,
}

/// Everything estimated about the patience of one call type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatienceFit {
    /// Callers who waited in queue (the observations).
    pub queued: u64,
    /// Of whom abandoned (complete observations).
    pub abandoned: u64,
    /// Total wait of all queued callers, seconds.
    pub total_wait_s: f64,
    /// Mean wait of the abandoning callers only: biased low, shown for contrast.
    pub naive_mean_s: Option<f64>,
    /// The Kaplan–Meier curve.
    pub km: KaplanMeier,
    /// Exponential MLE (`None` without abandons).
    pub exponential: Option<CensoredFit>,
    /// Standard error of the exponential mean patience, seconds.
    pub exponential_se_s: Option<f64>,
    /// Weibull MLE (`None` with fewer than 2 abandons).
    pub weibull: Option<CensoredFit>,
    /// The one chosen (lower AIC); `None` when nobody abandoned (then callers are
    /// modelled as never abandoning).
    pub chosen: Option<TimeDist>,
}

/// Fit patience to queued callers' `waits` (seconds), `abandoned[i]` telling whether
/// caller `i` hung up (else they were answered: a censored observation).
pub fn fit_patience(waits: &[f64], abandoned: &[bool]) -> PatienceFit {
    let km = KaplanMeier::fit(waits, abandoned);
    let mut events = Vec::new();
    let mut censored = Vec::new();
    for (&w, &a) in waits.iter().zip(abandoned) {
        if a {
            events.push(w.max(0.5));
        } else if w > 0.0 {
            censored.push(w);
        }
    }
    let d = events.len() as f64;
    let total: f64 = events.iter().chain(&censored).sum();
    let exponential = (d > 0.0 && total > 0.0).then(|| {
        let mean = total / d;
        let log_lik = -d * mean.ln() - total / mean;
        CensoredFit {
            dist: Fitted::Exponential { mean }.to_time_dist(),
            params: Fitted::Exponential { mean }.params(),
            log_lik,
            aic: 2.0 - 2.0 * log_lik,
        }
    });
    let weibull = (events.len() >= 2)
        .then(|| fit_weibull(&events, &censored))
        .flatten()
        .map(|(f, log_lik)| CensoredFit {
            dist: f.to_time_dist(),
            params: f.params(),
            log_lik,
            aic: 4.0 - 2.0 * log_lik,
        });
    let chosen = match (&exponential, &weibull) {
        (Some(e), Some(w)) if w.aic < e.aic => Some(w.dist.clone()),
        (Some(e), _) => Some(e.dist.clone()),
        _ => None,
    };
    let abandoned_n = abandoned.iter().filter(|a| **a).count();
    let naive_sum: f64 = waits
        .iter()
        .zip(abandoned)
        .filter(|(_, a)| **a)
        .map(|(w, _)| *w)
        .sum();
    PatienceFit {
        queued: waits.len() as u64,
        abandoned: abandoned_n as u64,
        total_wait_s: waits.iter().sum(),
        naive_mean_s: (abandoned_n > 0).then(|| naive_sum / abandoned_n as f64),
        km,
        exponential_se_s: (d > 0.0 && total > 0.0).then(|| total / d / d.sqrt()),
        exponential,
        weibull,
        chosen,
    }
}

/// Whether patience differs by hour of day: the exponential patience MLE per
/// clock hour (total wait of the callers who queued in it ÷ their abandons) and
/// the likelihood-ratio test of one patience for all those hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatienceByHour {
    /// Per clock hour with at least one abandon: (hour, abandons, total wait in
    /// seconds of the callers who queued).
    pub hours: Vec<(u32, u64, f64)>,
    /// The likelihood-ratio statistic, 2 (ln L(a patience per hour) − ln L(one)).
    pub lr: f64,
    /// Its degrees of freedom (hours − 1).
    pub df: usize,
    /// P(χ²(df) ≥ lr): small when one patience for all hours does not fit.
    pub p_value: f64,
}

impl PatienceByHour {
    /// From the callers who queued: (clock hour of arrival, wait in seconds,
    /// whether they abandoned). `None` with fewer than two hours with abandons.
    pub fn fit(callers: impl IntoIterator<Item = (u32, f64, bool)>) -> Option<PatienceByHour> {
        let mut by_hour: std::collections::BTreeMap<u32, (u64, f64)> = Default::default();
        for (h, w, a) in callers {
            let e = by_hour.entry(h).or_default();
            e.0 += u64::from(a);
            e.1 += w;
        }
        let hours: Vec<(u32, u64, f64)> = by_hour
            .into_iter()
            .filter(|(_, (d, w))| *d > 0 && *w > 0.0)
            .map(|(h, (d, w))| (h, d, w))
            .collect();
        if hours.len() < 2 {
            return None;
        }
        // The exponential log-likelihood at its maximum: −d ln(W/d) − d.
        let ll = |d: f64, w: f64| -d * (w / d).ln() - d;
        let (d, w) = hours
            .iter()
            .fold((0.0, 0.0), |(d, w), h| (d + h.1 as f64, w + h.2));
        let lr =
            (2.0 * (hours.iter().map(|h| ll(h.1 as f64, h.2)).sum::<f64>() - ll(d, w))).max(0.0);
        let df = hours.len() - 1;
        Some(PatienceByHour {
            p_value: crate::special::gamma_q(df as f64 / 2.0, lr / 2.0),
            hours,
            lr,
            df,
        })
    }
}

impl fmt::Display for PatienceByHour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per: Vec<String> = self
            .hours
            .iter()
            .map(|(h, d, w)| format!("{h:02} {:.0}", w / *d as f64))
            .collect();
        let p = if self.p_value < 0.001 {
            "p < 0.001".to_string()
        } else {
            format!("p = {:.3}", self.p_value)
        };
        write!(
            f,
            "{} s; one patience for all: LR {:.1} on {} df, {p}",
            per.join(", "),
            self.lr,
            self.df
        )
    }
}

impl fmt::Display for PatienceFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} queued, {} abandoned ({:.1}%), total wait {:.0} s",
            self.queued,
            self.abandoned,
            100.0 * self.abandoned as f64 / (self.queued.max(1)) as f64,
            self.total_wait_s
        )?;
        let km_line: Vec<String> = [10.0, 30.0, 60.0, 120.0, 300.0, 600.0]
            .iter()
            .map(|&t| format!("S({t:.0}) {:.3}", self.km.survival_at(t)))
            .collect();
        writeln!(
            f,
            "    Kaplan–Meier: median {}; {}",
            self.km
                .median_s
                .map_or("not reached".to_string(), |m| format!("{m:.0} s")),
            km_line.join(", ")
        )?;
        if let Some(naive) = self.naive_mean_s {
            writeln!(
                f,
                "    naive mean wait of abandoners {naive:.1} s (biased low: ignores the censored waits)"
            )?;
        }
        let best = self
            .exponential
            .iter()
            .chain(&self.weibull)
            .map(|c| c.aic)
            .fold(f64::INFINITY, f64::min);
        for (name, fit) in [
            ("Exponential", &self.exponential),
            ("Weibull", &self.weibull),
        ] {
            if let Some(c) = fit {
                let se = match (name, self.exponential_se_s) {
                    ("Exponential", Some(se)) => format!(" ± {se:.1}"),
                    _ => String::new(),
                };
                writeln!(
                    f,
                    "    {} {:<12} {:<30} mean {:.1} s{se}; log-lik {:.1}, AIC {:.1} (Δ {:.1})",
                    if c.aic == best { "*" } else { " " },
                    name,
                    c.params,
                    c.dist.mean_s(),
                    c.log_lik,
                    c.aic,
                    c.aic - best
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::fit::tests::{draw, rng};
    use rand_distr::Distribution;

    #[test]
    fn kaplan_meier_matches_a_hand_computed_example() {
        // Times 1, 2+, 3, 3, 4+, 5 (+ = censored).
        // t=1: n=6, d=1 → S = 5/6
        // t=3: n=4 (2+ left), d=2 → S = 5/6 · 2/4 = 5/12
        // t=5: n=1 (4+ left), d=1 → S = 0
        let km = KaplanMeier::fit(
            &[3.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            &[true, true, false, true, false, true],
        );
        assert_eq!(km.times, vec![1.0, 3.0, 5.0]);
        assert_eq!(km.at_risk, vec![6, 4, 1]);
        assert_eq!(km.events, vec![1, 2, 1]);
        let want = [5.0 / 6.0, 5.0 / 12.0, 0.0];
        for (s, w) in km.survival.iter().zip(want) {
            assert!((s - w).abs() < 1e-12, "{s} vs {w}");
        }
        assert_eq!(km.median_s, Some(3.0));
        // Greenwood at t=3: S² (1/(6·5) + 2/(4·2)).
        let g = (5.0f64 / 12.0).powi(2) * (1.0 / 30.0 + 2.0 / 8.0);
        assert!((km.std_err[1] - g.sqrt()).abs() < 1e-12);
        assert_eq!(km.survival_at(0.5), 1.0);
        assert_eq!(km.survival_at(2.9), 5.0 / 6.0);
        // A censored time tied with an event is at risk at that event.
        let km = KaplanMeier::fit(&[2.0, 2.0], &[true, false]);
        assert_eq!(km.at_risk, vec![2]);
        assert_eq!(km.survival, vec![0.5]);
    }

    /// Queued callers with exponential patience (mean 120 s) and exponential time
    /// until an agent frees up (mean 60 s): each abandons if patience < answer time.
    fn censored_sample(
        patience: impl Distribution<f64>,
        n: usize,
        seed: u64,
    ) -> (Vec<f64>, Vec<bool>) {
        let mut r = rng(seed);
        let answer = rand_distr::Exp::new(1.0 / 60.0).unwrap();
        (0..n)
            .map(|_| {
                let p: f64 = patience.sample(&mut r);
                let a: f64 = answer.sample(&mut r);
                if p < a { (p, true) } else { (a, false) }
            })
            .unzip()
    }

    #[test]
    fn censored_mle_is_unbiased_where_the_naive_mean_is_not() {
        let n = 20_000;
        let (w, ab) = censored_sample(rand_distr::Exp::new(1.0 / 120.0).unwrap(), n, 7);
        let fit = fit_patience(&w, &ab);
        let TimeDist::Exponential { mean_s } = fit.exponential.as_ref().unwrap().dist else {
            panic!()
        };
        let se = fit.exponential_se_s.unwrap();
        assert!((mean_s - 120.0).abs() < 4.0 * se, "{mean_s} ± {se}");
        // The naive mean sees only the impatient: E[min(P, A) | P < A] = 40 s here.
        let naive = fit.naive_mean_s.unwrap();
        assert!(naive < 50.0, "{naive}");
        assert!((mean_s - naive) > 20.0 * se);
        // KM agrees with the true survival e^{−t/120} where it has data.
        for t in [30.0, 60.0, 120.0] {
            let s = fit.km.survival_at(t);
            assert!((s - (-t / 120.0f64).exp()).abs() < 0.03, "S({t}) = {s}");
        }
        // The Weibull fit nests it: shape ≈ 1.
        let TimeDist::Weibull { shape, .. } = fit.weibull.as_ref().unwrap().dist else {
            panic!()
        };
        assert!((shape - 1.0).abs() < 0.06, "{shape}");
    }

    #[test]
    fn the_hourly_patience_test_tells_one_patience_from_two() {
        // Six hours of 2,000 callers each; patience mean 120 s in every hour, then
        // 120 s in three hours and 160 s in the other three.
        let by_hour = |means: [f64; 6], seed| {
            let mut out = Vec::new();
            for (h, m) in means.into_iter().enumerate() {
                let (w, ab) = censored_sample(
                    rand_distr::Exp::new(1.0 / m).unwrap(),
                    2_000,
                    seed + h as u64,
                );
                out.extend(w.into_iter().zip(ab).map(|(w, a)| (9 + h as u32, w, a)));
            }
            PatienceByHour::fit(out).unwrap()
        };
        let same = by_hour([120.0; 6], 20);
        assert_eq!((same.hours.len(), same.df), (6, 5));
        assert!(same.p_value > 0.01, "{same}");
        let differ = by_hour([120.0, 120.0, 120.0, 160.0, 160.0, 160.0], 20);
        assert!(differ.p_value < 1e-4, "{differ}");
        assert!(differ.to_string().starts_with("09 "), "{differ}");
        assert!(PatienceByHour::fit([(9, 10.0, true)]).is_none());
    }

    #[test]
    fn censored_weibull_recovers_its_shape_and_is_chosen() {
        let n = 20_000;
        let (w, ab) = censored_sample(rand_distr::Weibull::new(150.0, 0.6).unwrap(), n, 8);
        let fit = fit_patience(&w, &ab);
        let Some(TimeDist::Weibull { shape, mean_s }) = fit.chosen else {
            panic!("{:?}", fit.chosen)
        };
        assert!((shape - 0.6).abs() < 0.05, "{shape}");
        let true_mean = 150.0 * crate::special::ln_gamma(1.0 + 1.0 / 0.6).exp();
        assert!(
            (mean_s / true_mean - 1.0).abs() < 0.15,
            "{mean_s} vs {true_mean}"
        );
        assert!(fit.to_string().contains("* Weibull"), "{fit}");
    }

    #[test]
    fn nobody_abandoning_means_no_patience() {
        let fit = fit_patience(&[10.0, 20.0], &[false, false]);
        assert!(fit.chosen.is_none() && fit.exponential.is_none());
        assert_eq!(fit.km.median_s, None);
        let xs = draw(rand_distr::Exp::new(1.0).unwrap(), 3, 1);
        let fit = fit_patience(&xs, &[true, false, false]);
        assert!(fit.weibull.is_none());
        assert!(matches!(fit.chosen, Some(TimeDist::Exponential { .. })));
    }
}
