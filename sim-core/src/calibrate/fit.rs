//! Maximum-likelihood fits of duration distributions (handle times, IVR times),
//! compared by AIC, each with its Kolmogorov–Smirnov distance to the data.
//!
//! Families, with their MLEs:
//!
//! * **Exponential**: mean = sample mean.
//! * **LogNormal**: µ, σ = mean and (1/n) standard deviation of ln x.
//! * **Gamma**: shape k solves ln k − ψ(k) = ln x̄ − mean(ln x) (Newton from Minka's
//!   start), scale = x̄ / k.
//! * **Weibull**: shape k solves the profile score equation (bisection on ln k; the
//!   score is decreasing), scale λ = (Σ x^k / n)^{1/k}. The same routine, with
//!   right-censored observations, fits patience ([`super::survival`]).
//!
//! AIC = 2 p − 2 ln L (p = 1 for the exponential, 2 for the others); the lowest
//! wins. Only positive durations can be fitted (the log-likelihoods of the
//! lognormal, gamma and Weibull families are −∞ at 0): zeros are counted and left
//! out. The KS distance sup |Fₙ − F| is a diagnostic, not a test: with estimated
//! parameters and data rounded to whole seconds its usual p-values do not apply.

use std::fmt;

use serde::Serialize;

use crate::scenario::TimeDist;
use crate::special::{digamma, gamma_p, ln_gamma, normal_cdf, trigamma};

/// A distribution family the fits try.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Family {
    /// Exponential (1 parameter).
    Exponential,
    /// Log-normal (2 parameters).
    LogNormal,
    /// Gamma (2 parameters).
    Gamma,
    /// Weibull (2 parameters).
    Weibull,
}

impl Family {
    /// Every family, in report order.
    pub const ALL: [Family; 4] = [
        Family::Exponential,
        Family::LogNormal,
        Family::Gamma,
        Family::Weibull,
    ];

    /// Number of free parameters.
    pub fn parameters(self) -> usize {
        match self {
            Family::Exponential => 1,
            _ => 2,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Exponential => "Exponential",
            Family::LogNormal => "LogNormal",
            Family::Gamma => "Gamma",
            Family::Weibull => "Weibull",
        })
    }
}

/// A fitted distribution in its natural parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Fitted {
    Exponential { mean: f64 },
    LogNormal { mu: f64, sigma: f64 },
    Gamma { shape: f64, scale: f64 },
    Weibull { shape: f64, scale: f64 },
}

impl Fitted {
    pub(crate) fn family(&self) -> Family {
        match self {
            Fitted::Exponential { .. } => Family::Exponential,
            Fitted::LogNormal { .. } => Family::LogNormal,
            Fitted::Gamma { .. } => Family::Gamma,
            Fitted::Weibull { .. } => Family::Weibull,
        }
    }

    /// The CDF at `x`.
    pub(crate) fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        match *self {
            Fitted::Exponential { mean } => 1.0 - (-x / mean).exp(),
            Fitted::LogNormal { mu, sigma } => normal_cdf((x.ln() - mu) / sigma),
            Fitted::Gamma { shape, scale } => gamma_p(shape, x / scale),
            Fitted::Weibull { shape, scale } => 1.0 - (-(x / scale).powf(shape)).exp(),
        }
    }

    /// ln f(x), x > 0.
    pub(crate) fn ln_pdf(&self, x: f64) -> f64 {
        let lx = x.ln();
        match *self {
            Fitted::Exponential { mean } => -mean.ln() - x / mean,
            Fitted::LogNormal { mu, sigma } => {
                let z = (lx - mu) / sigma;
                -lx - sigma.ln() - 0.5 * (2.0 * std::f64::consts::PI).ln() - 0.5 * z * z
            }
            Fitted::Gamma { shape, scale } => {
                (shape - 1.0) * lx - x / scale - shape * scale.ln() - ln_gamma(shape)
            }
            Fitted::Weibull { shape, scale } => {
                shape.ln() - scale.ln() + (shape - 1.0) * (lx - scale.ln())
                    - (x / scale).powf(shape)
            }
        }
    }

    /// The mean.
    pub(crate) fn mean(&self) -> f64 {
        match *self {
            Fitted::Exponential { mean } => mean,
            Fitted::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Fitted::Gamma { shape, scale } => shape * scale,
            Fitted::Weibull { shape, scale } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
        }
    }

    /// As a scenario distribution (mean and spread in seconds).
    pub(crate) fn to_time_dist(self) -> TimeDist {
        match self {
            Fitted::Exponential { mean } => TimeDist::Exponential { mean_s: mean },
            Fitted::LogNormal { mu, sigma } => {
                let mean_s = (mu + 0.5 * sigma * sigma).exp();
                TimeDist::LogNormal {
                    mean_s,
                    sd_s: mean_s * (sigma * sigma).exp_m1().sqrt(),
                }
            }
            Fitted::Gamma { shape, scale } => TimeDist::Gamma {
                mean_s: shape * scale,
                sd_s: shape.sqrt() * scale,
            },
            Fitted::Weibull { shape, .. } => TimeDist::Weibull {
                shape,
                mean_s: self.mean(),
            },
        }
    }

    /// The natural parameters, for reports.
    pub(crate) fn params(&self) -> String {
        match *self {
            Fitted::Exponential { mean } => format!("mean {mean:.1} s"),
            Fitted::LogNormal { mu, sigma } => format!("µ {mu:.3}, σ {sigma:.3}"),
            Fitted::Gamma { shape, scale } => format!("shape {shape:.3}, scale {scale:.1} s"),
            Fitted::Weibull { shape, scale } => {
                format!("shape {shape:.3}, scale {scale:.1} s")
            }
        }
    }
}

/// One family fitted to one sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitRow {
    /// The family.
    pub family: Family,
    /// The fitted distribution, as a scenario would write it.
    pub dist: TimeDist,
    /// Its natural parameters, in words.
    pub params: String,
    /// Maximised log-likelihood.
    pub log_lik: f64,
    /// Akaike's information criterion, 2p − 2 ln L (lower is better).
    pub aic: f64,
    /// Kolmogorov–Smirnov distance between the data and the fit.
    pub ks: f64,
}

/// Every family fitted to one sample of durations, best (lowest AIC) first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DurationFit {
    /// Positive durations fitted.
    pub n: usize,
    /// Durations of 0 left out.
    pub zeros: usize,
    /// Sample mean of the positive durations, seconds.
    pub mean_s: f64,
    /// Sample standard deviation, seconds.
    pub sd_s: f64,
    /// Sample median, seconds.
    pub median_s: f64,
    /// The fits, lowest AIC first.
    pub fits: Vec<FitRow>,
}

impl DurationFit {
    /// The chosen fit (lowest AIC).
    pub fn chosen(&self) -> &FitRow {
        &self.fits[0]
    }
}

/// Fit every family to the positive values of `xs` (seconds). `None` with fewer
/// than 2 positive values or no spread.
pub fn fit_durations(xs: &[f64]) -> Option<DurationFit> {
    let mut pos: Vec<f64> = xs
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    let zeros = xs.iter().filter(|x| **x == 0.0).count();
    if pos.len() < 2 {
        return None;
    }
    pos.sort_by(f64::total_cmp);
    let n = pos.len() as f64;
    let mean = pos.iter().sum::<f64>() / n;
    let sd = (pos.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    if sd.is_nan() || sd <= 0.0 {
        return None;
    }
    let median = if pos.len() % 2 == 1 {
        pos[pos.len() / 2]
    } else {
        0.5 * (pos[pos.len() / 2 - 1] + pos[pos.len() / 2])
    };
    let mut fits: Vec<FitRow> = [
        Some(Fitted::Exponential { mean }),
        Some(fit_lognormal(&pos)),
        fit_gamma(&pos),
        fit_weibull(&pos, &[]).map(|w| w.0),
    ]
    .into_iter()
    .flatten()
    .map(|f| {
        let log_lik: f64 = pos.iter().map(|&x| f.ln_pdf(x)).sum();
        FitRow {
            family: f.family(),
            dist: f.to_time_dist(),
            params: f.params(),
            log_lik,
            aic: 2.0 * f.family().parameters() as f64 - 2.0 * log_lik,
            ks: ks_distance(&pos, |x| f.cdf(x)),
        }
    })
    .filter(|r| r.log_lik.is_finite())
    .collect();
    fits.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    Some(DurationFit {
        n: pos.len(),
        zeros,
        mean_s: mean,
        sd_s: sd,
        median_s: median,
        fits,
    })
}

/// Log-normal MLE on positive data.
pub(crate) fn fit_lognormal(xs: &[f64]) -> Fitted {
    let n = xs.len() as f64;
    let mu = xs.iter().map(|x| x.ln()).sum::<f64>() / n;
    let var = xs.iter().map(|x| (x.ln() - mu).powi(2)).sum::<f64>() / n;
    Fitted::LogNormal {
        mu,
        sigma: var.sqrt().max(1e-12),
    }
}

/// Gamma MLE on positive data (Newton on the shape).
pub(crate) fn fit_gamma(xs: &[f64]) -> Option<Fitted> {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let s = mean.ln() - xs.iter().map(|x| x.ln()).sum::<f64>() / n;
    if !(s > 0.0 && s.is_finite()) {
        return None;
    }
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..100 {
        let g = k.ln() - digamma(k) - s;
        let step = g / (1.0 / k - trigamma(k));
        let next = (k - step).max(k / 10.0);
        if (next - k).abs() <= 1e-12 * k {
            k = next;
            break;
        }
        k = next;
    }
    (k.is_finite() && k > 0.0).then_some(Fitted::Gamma {
        shape: k,
        scale: mean / k,
    })
}

/// Weibull MLE with optional right censoring: `events` are complete observations,
/// `censored` are times known only to be exceeded. Returns the fit and its
/// log-likelihood. `None` without events or when a time is not positive.
pub(crate) fn fit_weibull(events: &[f64], censored: &[f64]) -> Option<(Fitted, f64)> {
    let d = events.len() as f64;
    if events.is_empty()
        || events
            .iter()
            .chain(censored)
            .any(|t| t.is_nan() || *t <= 0.0)
    {
        return None;
    }
    let sum_ln_events: f64 = events.iter().map(|t| t.ln()).sum();
    let all: Vec<f64> = events.iter().chain(censored).map(|t| t.ln()).collect();
    let m = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // Σ t^k = e^{k m} Σ e^{k (ln t − m)}: scaled to avoid overflow.
    let sums = |k: f64| {
        let (mut s0, mut s1) = (0.0, 0.0);
        for &l in &all {
            let w = (k * (l - m)).exp();
            s0 += w;
            s1 += w * l;
        }
        (s0, s1)
    };
    // The profile score d/k + Σ ln t_event − d Σ t^k ln t / Σ t^k, decreasing in k.
    let score = |k: f64| {
        let (s0, s1) = sums(k);
        d / k + sum_ln_events - d * s1 / s0
    };
    let (mut lo, mut hi) = (0.01f64.ln(), 100f64.ln());
    if score(hi.exp()) > 0.0 {
        lo = hi;
    } else if score(lo.exp()) < 0.0 {
        hi = lo;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if score(mid.exp()) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-13 {
            break;
        }
    }
    let k = (0.5 * (lo + hi)).exp();
    let (s0, _) = sums(k);
    let ln_scale = (k * m + s0.ln() - d.ln()) / k;
    let scale = ln_scale.exp();
    let cum: f64 = all.iter().map(|&l| (k * (l - ln_scale)).exp()).sum();
    let log_lik = d * (k.ln() - ln_scale) + (k - 1.0) * (sum_ln_events - d * ln_scale) - cum;
    (scale.is_finite() && log_lik.is_finite())
        .then_some((Fitted::Weibull { shape: k, scale }, log_lik))
}

/// sup |Fₙ(x) − F(x)| over `sorted` (ascending), ties handled exactly.
pub(crate) fn ks_distance(sorted: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let v = sorted[i];
        let mut j = i;
        while j < sorted.len() && sorted[j] == v {
            j += 1;
        }
        let f = cdf(v);
        d = d
            .max((f - i as f64 / n).abs())
            .max((j as f64 / n - f).abs());
        i = j;
    }
    d
}

impl fmt::Display for DurationFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "n {}, mean {:.1} s, sd {:.1} s, median {:.1} s",
            self.n, self.mean_s, self.sd_s, self.median_s
        )?;
        if self.zeros > 0 {
            write!(f, " ({} zeros left out)", self.zeros)?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "      {:<12} {:<30} {:>9} {:>14} {:>14} {:>8} {:>8}",
            "family", "parameters", "mean (s)", "log-lik", "AIC", "ΔAIC", "KS"
        )?;
        let best = self.fits[0].aic;
        for (i, r) in self.fits.iter().enumerate() {
            writeln!(
                f,
                "    {} {:<12} {:<30} {:>9.1} {:>14.1} {:>14.1} {:>8.1} {:>8.4}",
                if i == 0 { "*" } else { " " },
                r.family.to_string(),
                r.params,
                r.dist.mean_s(),
                r.log_lik,
                r.aic,
                r.aic - best,
                r.ks
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::Distribution;

    pub(crate) fn rng(seed: u64) -> rand_xoshiro::Xoshiro256PlusPlus {
        rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(seed)
    }

    pub(crate) fn draw(d: impl Distribution<f64>, n: usize, seed: u64) -> Vec<f64> {
        let mut r = rng(seed);
        (0..n).map(|_| d.sample(&mut r)).collect()
    }

    fn fitted(fit: &DurationFit, family: Family) -> &FitRow {
        fit.fits.iter().find(|r| r.family == family).unwrap()
    }

    #[test]
    fn exponential_data_recovers_its_mean_and_is_not_worse_than_two_parameter_fits() {
        let n = 20_000;
        let xs = draw(rand_distr::Exp::new(1.0 / 180.0).unwrap(), n, 1);
        let fit = fit_durations(&xs).unwrap();
        let TimeDist::Exponential { mean_s } = fitted(&fit, Family::Exponential).dist else {
            panic!()
        };
        let se = 180.0 / (n as f64).sqrt();
        assert!((mean_s - 180.0).abs() < 4.0 * se, "{mean_s}");
        // Gamma and Weibull nest the exponential: shape ≈ 1, AIC within ~2 of it.
        let TimeDist::Weibull { shape, .. } = fitted(&fit, Family::Weibull).dist else {
            panic!()
        };
        assert!(
            (shape - 1.0).abs() < 4.0 * 0.78 / (n as f64).sqrt(),
            "{shape}"
        );
        assert!(fitted(&fit, Family::Exponential).aic < fitted(&fit, Family::LogNormal).aic);
        assert!(fitted(&fit, Family::Exponential).ks < 0.015);
    }

    #[test]
    fn lognormal_data_recovers_mu_sigma_and_wins_by_aic() {
        let (mu, sigma, n) = (5.0, 0.8, 20_000);
        let xs = draw(rand_distr::LogNormal::new(mu, sigma).unwrap(), n, 2);
        let fit = fit_durations(&xs).unwrap();
        assert_eq!(fit.chosen().family, Family::LogNormal);
        let Fitted::LogNormal { mu: m, sigma: s } = fit_lognormal(&xs) else {
            panic!()
        };
        let nf = n as f64;
        assert!((m - mu).abs() < 4.0 * sigma / nf.sqrt(), "{m}");
        assert!((s - sigma).abs() < 4.0 * sigma / (2.0 * nf).sqrt(), "{s}");
        assert!(fit.chosen().ks < 0.015);
        assert!(fitted(&fit, Family::Exponential).ks > 0.05);
    }

    #[test]
    fn gamma_data_recovers_shape_and_scale() {
        let (k, theta, n) = (2.5, 40.0, 20_000);
        let xs = draw(rand_distr::Gamma::new(k, theta).unwrap(), n, 3);
        let fit = fit_durations(&xs).unwrap();
        assert_eq!(fit.chosen().family, Family::Gamma);
        let Some(Fitted::Gamma { shape, scale }) = fit_gamma(&xs) else {
            panic!()
        };
        // Asymptotic sd of the shape MLE: sqrt(k / (n (k ψ'(k) − 1))).
        let se = (k / (n as f64 * (k * trigamma(k) - 1.0))).sqrt();
        assert!((shape - k).abs() < 4.0 * se, "{shape} ± {se}");
        assert!((shape * scale - k * theta).abs() < 4.0 * theta * k.sqrt() / (n as f64).sqrt());
    }

    #[test]
    fn weibull_data_recovers_shape_and_scale() {
        for (k, lambda, seed) in [(0.7, 100.0, 4), (1.8, 300.0, 5)] {
            let n = 20_000;
            let xs = draw(rand_distr::Weibull::new(lambda, k).unwrap(), n, seed);
            let fit = fit_durations(&xs).unwrap();
            assert_eq!(fit.chosen().family, Family::Weibull, "k {k}");
            let Some((Fitted::Weibull { shape, scale }, _)) = fit_weibull(&xs, &[]) else {
                panic!()
            };
            let nf = n as f64;
            // Asymptotic sds: 0.78 k/√n for the shape, 1.05 λ/(k√n) for the scale.
            assert!((shape - k).abs() < 4.0 * 0.78 * k / nf.sqrt(), "{shape}");
            assert!(
                (scale - lambda).abs() < 4.0 * 1.05 * lambda / (k * nf.sqrt()),
                "{scale}"
            );
            let TimeDist::Weibull { mean_s, .. } = fit.chosen().dist else {
                panic!()
            };
            assert!((mean_s - scale * ln_gamma(1.0 + 1.0 / shape).exp()).abs() < 1e-9);
        }
    }

    #[test]
    fn log_likelihoods_match_the_scenario_parametrisation() {
        // The TimeDist of each fit describes the same distribution: its mean is right.
        let xs = draw(rand_distr::Gamma::new(1.5, 100.0).unwrap(), 5_000, 6);
        let fit = fit_durations(&xs).unwrap();
        for r in &fit.fits {
            let m = r.dist.mean_s();
            assert!(m > 100.0 && m < 200.0, "{:?}", r);
        }
        assert!(fit.to_string().contains("* Gamma"), "{fit}");
    }

    #[test]
    fn ks_distance_small_cases() {
        // One point at the median of U(0, 2): the ECDF jumps 0 → 1 at 1, F(1) = 0.5.
        assert!((ks_distance(&[1.0], |x| x / 2.0) - 0.5).abs() < 1e-12);
        // Ties: two points at 1 and one at 2 against U(0, 3).
        let d = ks_distance(&[1.0, 1.0, 2.0], |x| x / 3.0);
        assert!((d - (2.0 / 3.0 - 1.0 / 3.0)).abs() < 1e-12, "{d}");
        assert!(fit_durations(&[0.0, 5.0]).is_none());
        assert!(fit_durations(&[5.0, 5.0, 5.0]).is_none());
    }
}
