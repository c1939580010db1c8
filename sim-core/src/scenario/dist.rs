//! Time distributions a scenario can use (handle times, patience, …) and the
//! samplers the engine compiles them into.
//!
//! Every distribution is written with its mean (and spread) in seconds, the way a
//! planner thinks: `LogNormal(mean_s: 240.0, sd_s: 120.0)` rather than µ and σ of
//! the underlying normal.

use rand::RngExt;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

use super::Problem;
use super::locate::Path;
use crate::engine::rng::Stream;

/// A distribution of a duration, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum TimeDist {
    /// Exponential with the given mean (the Erlang models' assumption).
    Exponential {
        /// Mean, seconds (> 0).
        mean_s: f64,
    },
    /// Log-normal with the given mean and standard deviation of the duration itself.
    LogNormal {
        /// Mean, seconds (> 0).
        mean_s: f64,
        /// Standard deviation, seconds (> 0).
        sd_s: f64,
    },
    /// Gamma with the given mean and standard deviation (shape = mean²/sd²).
    Gamma {
        /// Mean, seconds (> 0).
        mean_s: f64,
        /// Standard deviation, seconds (> 0).
        sd_s: f64,
    },
    /// Weibull with the given shape and mean: shape < 1 has a heavier tail than the
    /// exponential, shape 1 is the exponential, shape > 1 is more concentrated
    /// (scale = mean ÷ Γ(1 + 1/shape)).
    Weibull {
        /// Shape k (> 0).
        shape: f64,
        /// Mean, seconds (> 0).
        mean_s: f64,
    },
    /// Uniform between `min_s` and `max_s`.
    Uniform {
        /// Lower bound, seconds (>= 0).
        min_s: f64,
        /// Upper bound, seconds (>= `min_s`).
        max_s: f64,
    },
    /// Always the same duration.
    Deterministic {
        /// The duration, seconds (>= 0).
        value_s: f64,
    },
    /// Resampling of observed durations: each draw is one of `values_s`, equally likely.
    Empirical {
        /// Observed durations, seconds (at least one; each >= 0).
        values_s: Vec<f64>,
    },
}

impl TimeDist {
    /// The mean of the distribution, seconds.
    pub fn mean_s(&self) -> f64 {
        match self {
            TimeDist::Exponential { mean_s }
            | TimeDist::LogNormal { mean_s, .. }
            | TimeDist::Gamma { mean_s, .. }
            | TimeDist::Weibull { mean_s, .. } => *mean_s,
            TimeDist::Uniform { min_s, max_s } => 0.5 * (min_s + max_s),
            TimeDist::Deterministic { value_s } => *value_s,
            TimeDist::Empirical { values_s } => {
                values_s.iter().sum::<f64>() / values_s.len().max(1) as f64
            }
        }
    }

    /// Whether this is the exponential distribution (as Erlang C and A assume).
    pub fn is_exponential(&self) -> bool {
        matches!(self, TimeDist::Exponential { .. })
    }

    /// Check the parameters; `path` is where this distribution sits in the file.
    pub(crate) fn validate(&self, path: &Path, problems: &mut Vec<Problem>) {
        let mut positive = |name: &str, v: f64| {
            if !(v.is_finite() && v > 0.0) {
                problems.push(Problem::new(
                    path.field(name),
                    format!("{name} must be a finite number > 0, found {v}"),
                ));
            }
        };
        match self {
            TimeDist::Exponential { mean_s } => positive("mean_s", *mean_s),
            TimeDist::LogNormal { mean_s, sd_s } | TimeDist::Gamma { mean_s, sd_s } => {
                positive("mean_s", *mean_s);
                positive("sd_s", *sd_s);
            }
            TimeDist::Weibull { shape, mean_s } => {
                positive("shape", *shape);
                positive("mean_s", *mean_s);
            }
            TimeDist::Uniform { min_s, max_s } => {
                if !(min_s.is_finite() && *min_s >= 0.0) {
                    problems.push(Problem::new(
                        path.field("min_s"),
                        format!("min_s must be a finite number >= 0, found {min_s}"),
                    ));
                } else if !(max_s.is_finite() && max_s >= min_s) {
                    problems.push(Problem::new(
                        path.field("max_s"),
                        format!("max_s must be finite and >= min_s ({min_s}), found {max_s}"),
                    ));
                }
            }
            TimeDist::Deterministic { value_s } => {
                if !(value_s.is_finite() && *value_s >= 0.0) {
                    problems.push(Problem::new(
                        path.field("value_s"),
                        format!("value_s must be a finite number >= 0, found {value_s}"),
                    ));
                }
            }
            TimeDist::Empirical { values_s } => {
                if values_s.is_empty() {
                    problems.push(Problem::new(
                        path.field("values_s"),
                        "values_s must hold at least one duration".to_string(),
                    ));
                }
                for (i, v) in values_s.iter().enumerate() {
                    if !(v.is_finite() && *v >= 0.0) {
                        problems.push(Problem::new(
                            path.field("values_s").index(i),
                            format!("durations must be finite and >= 0, found {v}"),
                        ));
                    }
                }
            }
        }
    }

    /// Compile into a sampler. The distribution must have passed validation.
    pub(crate) fn sampler(&self) -> Sampler {
        match self {
            TimeDist::Exponential { mean_s } => Sampler::Exponential { mean: *mean_s },
            TimeDist::LogNormal { mean_s, sd_s } => {
                let cv2 = (sd_s / mean_s).powi(2);
                let sigma2 = (1.0 + cv2).ln();
                let mu = mean_s.ln() - 0.5 * sigma2;
                match rand_distr::LogNormal::new(mu, sigma2.sqrt()) {
                    Ok(d) => Sampler::LogNormal(d),
                    Err(_) => Sampler::Constant(*mean_s),
                }
            }
            TimeDist::Gamma { mean_s, sd_s } => {
                let shape = (mean_s / sd_s).powi(2);
                let scale = sd_s * sd_s / mean_s;
                match rand_distr::Gamma::new(shape, scale) {
                    Ok(d) => Sampler::Gamma(d),
                    Err(_) => Sampler::Constant(*mean_s),
                }
            }
            TimeDist::Weibull { shape, mean_s } => {
                let scale = mean_s / crate::special::ln_gamma(1.0 + 1.0 / shape).exp();
                if scale.is_finite() && scale > 0.0 {
                    Sampler::Weibull {
                        scale,
                        inv_shape: 1.0 / shape,
                    }
                } else {
                    Sampler::Constant(*mean_s)
                }
            }
            TimeDist::Uniform { min_s, max_s } => Sampler::Uniform {
                min: *min_s,
                width: max_s - min_s,
            },
            TimeDist::Deterministic { value_s } => Sampler::Constant(*value_s),
            TimeDist::Empirical { values_s } => Sampler::Empirical(values_s.clone().into()),
        }
    }
}

/// A compiled [`TimeDist`], ready to draw from.
#[derive(Debug, Clone)]
pub(crate) enum Sampler {
    Exponential { mean: f64 },
    LogNormal(rand_distr::LogNormal<f64>),
    Gamma(rand_distr::Gamma<f64>),
    Weibull { scale: f64, inv_shape: f64 },
    Uniform { min: f64, width: f64 },
    Constant(f64),
    Empirical(Box<[f64]>),
}

impl Sampler {
    /// One draw, seconds (finite, >= 0). The exponential, the common case, is
    /// drawn inline.
    #[inline(always)]
    pub(crate) fn sample(&self, rng: &mut Stream) -> f64 {
        if let Sampler::Exponential { mean } = self {
            let e: f64 = Exp1.sample(rng);
            return mean * e;
        }
        self.sample_other(rng)
    }

    fn sample_other(&self, rng: &mut Stream) -> f64 {
        match self {
            Sampler::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                mean * e
            }
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Weibull { scale, inv_shape } => {
                // Inversion: (−ln U)^{1/k} is Weibull(k, 1), and −ln U is Exp(1).
                let e: f64 = Exp1.sample(rng);
                scale * e.powf(*inv_shape)
            }
            Sampler::Uniform { min, width } => min + width * rng.random::<f64>(),
            Sampler::Constant(v) => *v,
            Sampler::Empirical(values) => values[rng.random_range(0..values.len())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Purpose, stream};

    fn moments(d: &TimeDist, n: usize) -> (f64, f64) {
        let s = d.sampler();
        let mut rng = stream(42, 0, Purpose::HandleTime, 0);
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!(xs.iter().all(|x| x.is_finite() && *x >= 0.0));
        (m, v.sqrt())
    }

    #[test]
    fn samplers_have_the_stated_mean_and_sd() {
        let n = 200_000;
        let cases = [
            (TimeDist::Exponential { mean_s: 180.0 }, 180.0, 180.0),
            (
                TimeDist::LogNormal {
                    mean_s: 240.0,
                    sd_s: 120.0,
                },
                240.0,
                120.0,
            ),
            (
                TimeDist::Gamma {
                    mean_s: 100.0,
                    sd_s: 50.0,
                },
                100.0,
                50.0,
            ),
            // Weibull(k = 2, mean 100): sd = scale·√(Γ(1+2/k) − Γ(1+1/k)²).
            (
                TimeDist::Weibull {
                    shape: 2.0,
                    mean_s: 100.0,
                },
                100.0,
                100.0 * (4.0 / std::f64::consts::PI - 1.0).sqrt(),
            ),
            (
                TimeDist::Weibull {
                    shape: 0.7,
                    mean_s: 50.0,
                },
                50.0,
                // Γ(1+2/0.7)/Γ(1+1/0.7)² − 1 = CV²
                50.0 * ((crate::special::ln_gamma(1.0 + 2.0 / 0.7)
                    - 2.0 * crate::special::ln_gamma(1.0 + 1.0 / 0.7))
                .exp()
                    - 1.0)
                    .sqrt(),
            ),
            (
                TimeDist::Uniform {
                    min_s: 10.0,
                    max_s: 30.0,
                },
                20.0,
                20.0 / 12f64.sqrt(),
            ),
            (TimeDist::Deterministic { value_s: 7.0 }, 7.0, 0.0),
            (
                TimeDist::Empirical {
                    values_s: vec![1.0, 2.0, 3.0],
                },
                2.0,
                (2.0f64 / 3.0).sqrt(),
            ),
        ];
        for (d, mean, sd) in cases {
            let (m, s) = moments(&d, n);
            // Five standard errors of the mean; sd within 3 %.
            let se = sd / (n as f64).sqrt();
            assert!(
                (m - mean).abs() <= 5.0 * se + 1e-12,
                "{d:?}: mean {m} vs {mean}"
            );
            assert!((s - sd).abs() <= 0.03 * sd + 1e-12, "{d:?}: sd {s} vs {sd}");
            assert!((d.mean_s() - mean).abs() < 1e-12);
        }
    }

    #[test]
    fn validation_names_the_parameter() {
        let mut p = Vec::new();
        TimeDist::LogNormal {
            mean_s: -1.0,
            sd_s: f64::NAN,
        }
        .validate(&Path::root(), &mut p);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].path.to_string(), "mean_s");
        assert_eq!(p[1].path.to_string(), "sd_s");
        let mut p = Vec::new();
        TimeDist::Weibull {
            shape: 0.0,
            mean_s: 1.0,
        }
        .validate(&Path::root(), &mut p);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].path.to_string(), "shape");
        let mut p = Vec::new();
        TimeDist::Empirical { values_s: vec![] }.validate(&Path::root(), &mut p);
        assert_eq!(p.len(), 1);
    }
}
