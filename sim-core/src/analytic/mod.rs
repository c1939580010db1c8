//! Exact steady-state formulas for a single queue: Erlang B, Erlang C
//! (M/M/c) and Erlang A (M/M/c+M), plus staffing by bisection on them.
//!
//! These are the analytic baselines the simulator is validated against: for
//! Poisson arrivals, exponential handle times and (for Erlang A) exponential
//! patience, a long simulation must converge to the numbers computed here.
//!
//! # Model
//!
//! Calls arrive as a Poisson process with rate `λ = calls_per_hour / 3600`
//! per second and join one first-come-first-served queue served by `c`
//! identical agents. Handle times are exponential with mean `aht_s`
//! (`μ = 1 / aht_s`). In Erlang A each waiting call abandons after an
//! exponential patience with mean `patience_s` (`θ = 1 / patience_s`); in
//! Erlang C nobody abandons. The offered load is `a = λ / μ` Erlangs.
//!
//! # KPIs
//!
//! All KPIs are steady-state values with the same meaning as the simulator's:
//!
//! * `p_wait`: probability that an arrival finds all agents busy (by PASTA,
//!   the time-stationary `P(N >= c)`);
//! * `service_level`: `P(answered with wait <= sl_s)` over *all* calls,
//!   answered and abandoned; a call answered on arrival counts as within;
//! * `asa_s`: mean wait of answered calls;
//! * `abandon_rate`: probability that a call abandons;
//! * `occupancy`: mean busy agents / agents `= λ (1 - P_ab) aht / c`;
//! * `mean_queue_len`: time-average number of calls waiting, `L_q`.
//!
//! # Erlang B
//!
//! The blocking probability of M/M/c/c, `B(c, a) = (a^c / c!) / Σ_{k<=c} a^k / k!`,
//! is computed by the recursion `B(0) = 1`, `B(k) = a B(k-1) / (k + a B(k-1))`.
//! Every step maps `[0, 1]` into `[0, 1]` and is a ratio of positive terms, so
//! it neither overflows nor cancels, and relative errors do not grow
//! (each step damps the previous error by the factor `1 - B(k)`).
//!
//! # Erlang C
//!
//! With `ρ = a / c < 1` (otherwise the queue is unstable and an error is
//! returned), the probability of waiting is
//! `C = c B / (c - a (1 - B)) = c B / ((c - a) + a B)`. The second form is used:
//! `c - a` is formed once, exactly for integral loads, and nothing else
//! subtracts. The wait of a waiting call is exponential with rate
//! `cμ - λ = (c - a) / aht`, hence
//! `SL = 1 - C exp(-(c - a) t / aht)`, `ASA = C aht / (c - a)`,
//! `L_q = λ ASA = a C / (c - a)` and occupancy `a / c`.
//!
//! # Erlang A
//!
//! The number in system is a birth–death chain with birth rate `λ` and death
//! rate `min(n, c) μ + max(n - c, 0) θ`. Everything is expressed relative to
//! `p_c`, the probability of exactly `c` in system:
//!
//! * below `c` the chain is that of M/M/c/c, so `Σ_{n<=c} p_n / p_c = 1 / B(c, a)`;
//! * above `c`, `q_j = p_{c+j} / p_c = Π_{k=1..j} λ / (cμ + kθ)`.
//!
//! The tail is summed term by term. The ratios `λ / (cμ + kθ)` fall with `k`,
//! so the terms grow while `λ > cμ + kθ` and decrease afterwards; summation
//! never stops while they still grow, and stops once they decrease and a
//! rigorous geometric bound on everything left (for the total and for the
//! first moment used by `L_q`) is below `1e-17` of what has been summed. In a
//! heavily overloaded queue (`λ >> cμ`) the terms grow to astronomically large
//! values, so they are carried with an exact power-of-two scale factor
//! (rescaling by `2^-600` never rounds). The number of terms is capped at
//! [`MAX_TAIL_TERMS`]; beyond it [`AnalyticError::TailTooLong`] is returned.
//! Normalising, with the scaled tail sum `W` and scale `2^E`,
//! `P(N < c) = 2^-E (1 - B) / D` and `p_{c+j} = q_j B / (2^E D)` where
//! `D = 2^-E (1 - B) + B W`, which involves no `1 / B` (that overflows for
//! `c >> a`) and no subtraction.
//!
//! A call arriving in state `c + j` has `j` calls waiting ahead of it. With
//! `α = cμ / θ` it is served with probability `α / (α + j + 1)`, and its
//! *offered* wait `V` (the time it would wait if it never abandoned) is a sum
//! of independent exponentials with rates `θ(α + k)`, `k = 0..j`, so that
//! `e^{-θV} ~ Beta(α, j + 1)`. It is served iff its patience exceeds `V`,
//! which happens with probability `e^{-θV}` given `V`; therefore, with
//! `s = e^{-θt}` and `I` the regularized incomplete beta function,
//!
//! * `P(served, wait <= t | j) = α / (α + j + 1) · (1 - I_s(α + 1, j + 1))`,
//! * `E[wait · 1{served} | j] = (1/θ) · α / (α + j + 1) · Σ_{k=0..j} 1 / (α + 1 + k)`,
//! * `P(abandon | j) = (j + 1) / (α + j + 1)`.
//!
//! `I_s(α + 1, b)` for `b = 1, 2, 3, …` follows from the forward recursion
//! `I_s(a, 1) = s^a`, `I_s(a, b + 1) = I_s(a, b) + T_b` with
//! `T_b = s^a (1 - s)^b Γ(a + b) / (Γ(a) Γ(b + 1))`, whose logarithm obeys
//! `ln T_{b+1} = ln T_b + ln(1 - s) + ln(1 + (a - 1) / (b + 1))`. The logarithm
//! is accumulated with compensated (Neumaier) summation and exponentiated only
//! when added, so nothing under- or overflows even for `α` in the millions
//! and `θt` near zero or huge; `ln s = -t / patience` and
//! `ln(1 - s) = ln(-expm1(ln s))` are formed without cancellation.
//! Then `SL = P(N < c) + Σ_j p_{c+j} P(served, wait <= t | j)`,
//! `ASA = Σ_j p_{c+j} E[W 1{served} | j] / P(served)`,
//! `P_ab = Σ_j p_{c+j} (j + 1) / (α + j + 1)` (equal to `θ L_q / λ`; both are
//! checked against each other in the tests) and
//! `P(served) = P(N < c) + Σ_j p_{c+j} α / (α + j + 1)`, computed directly
//! rather than as `1 - P_ab` so that it stays accurate when almost everyone
//! abandons.
//!
//! All sums have non-negative terms. The work is `O(c)` for Erlang B plus
//! `O(number of tail terms)`, which is about `(a - c) / (θ/μ)` plus a few
//! standard deviations; 1 to 100 000 agents are routine. Probabilities are
//! accurate to about `1e-13` relative (`1e-15` absolute for a service level
//! that is itself tiny, where `1 - I` cancels).
//!
//! # Staffing
//!
//! [`agents_for_target`] finds the fewest agents meeting a service-level
//! target (and optionally abandonment and ASA caps) by an exponential search
//! followed by bisection, relying on the service level increasing and the
//! abandon rate and ASA decreasing with `c` (true for both models).

/// Most tail terms the Erlang A sum may use before giving up with
/// [`AnalyticError::TailTooLong`].
pub const MAX_TAIL_TERMS: u64 = 10_000_000;

/// Relative size below which the rest of the Erlang A tail is dropped.
const TAIL_EPS: f64 = 1e-17;

/// Tail terms are rescaled by `2^-RESCALE_BITS` once they exceed `2^RESCALE_BITS`.
const RESCALE_BITS: i32 = 600;

/// Inputs of the single-queue model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueParams {
    /// Arrival rate in calls per hour (Poisson arrivals); finite and `>= 0`.
    pub calls_per_hour: f64,
    /// Mean (exponential) handle time in seconds; finite and `> 0`.
    pub aht_s: f64,
    /// Number of agents `c`; at least 1.
    pub agents: u32,
    /// Mean (exponential) patience in seconds: `Some` selects Erlang A and
    /// must then be finite and `> 0`; `None` means nobody abandons (Erlang C).
    pub patience_s: Option<f64>,
    /// Service-level threshold in seconds; finite and `>= 0`.
    pub sl_s: f64,
}

/// Exact steady-state KPIs (same names as the simulator's KPIs).
///
/// See the [module documentation](self) for the precise definitions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangKpis {
    /// Probability that an arrival finds all agents busy (PASTA).
    pub p_wait: f64,
    /// Mean wait of answered calls, in seconds.
    pub asa_s: f64,
    /// Probability that a call is answered within `sl_s` seconds, over all
    /// calls (answered plus abandoned); immediate answers count as within.
    pub service_level: f64,
    /// Probability that a call abandons (0 for Erlang C).
    pub abandon_rate: f64,
    /// Mean busy agents divided by agents, `λ (1 - abandon_rate) aht / c`.
    pub occupancy: f64,
    /// Time-average number of calls waiting.
    pub mean_queue_len: f64,
}

/// Why an analytic evaluation failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyticError {
    /// An input is out of its domain (non-finite, negative, zero, …).
    #[error("invalid {name} = {value}: {reason}")]
    InvalidInput {
        /// The offending parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// What the parameter must satisfy.
        reason: &'static str,
    },
    /// Erlang A was requested but `patience_s` is `None`.
    #[error("invalid patience_s = None: Erlang A needs a mean patience")]
    MissingPatience,
    /// Erlang C with offered load at or above the number of agents: the queue
    /// grows without bound and has no steady state.
    #[error(
        "unstable queue: offered load {load} Erl with {agents} agents \
         (Erlang C needs load < agents)"
    )]
    Unstable {
        /// Offered load `λ / μ` in Erlangs.
        load: f64,
        /// Number of agents.
        agents: u32,
    },
    /// No number of agents up to the given maximum meets the targets.
    #[error("no staffing of at most {max_agents} agents meets the targets")]
    NoStaffingFound {
        /// The largest staffing that was allowed.
        max_agents: u32,
    },
    /// The Erlang A queue-length distribution needs more than
    /// [`MAX_TAIL_TERMS`] terms (load far above capacity with very long
    /// patience).
    #[error(
        "Erlang A tail needs more than {max_terms} terms \
         (load {load} Erl, {agents} agents, patience too long for the overload)"
    )]
    TailTooLong {
        /// Offered load in Erlangs.
        load: f64,
        /// Number of agents.
        agents: u32,
        /// The term limit that was exceeded.
        max_terms: u64,
    },
    /// A result is not representable as a finite `f64` (extreme inputs).
    #[error("{kpi} is not representable (inputs too extreme)")]
    NotRepresentable {
        /// The KPI that overflowed.
        kpi: &'static str,
    },
}

/// Erlang B blocking probability `B(agents, load_erl)` of the M/M/c/c loss
/// system, by the stable recursion `B(k) = a B(k-1) / (k + a B(k-1))`.
///
/// `load_erl` is the offered load in Erlangs. Returns 1 for `agents == 0`
/// (or an infinite load), 0 for a zero load with at least one agent, and
/// `NaN` for a negative or `NaN` load; it never panics. The work is
/// `O(agents)` but stops early once `B` underflows to zero.
pub fn erlang_b(agents: u32, load_erl: f64) -> f64 {
    if load_erl.is_nan() || load_erl < 0.0 {
        return f64::NAN;
    }
    if agents == 0 || load_erl == f64::INFINITY {
        return 1.0;
    }
    let mut b = 1.0_f64;
    for k in 1..=agents {
        let ab = load_erl * b;
        b = ab / (f64::from(k) + ab);
        if b == 0.0 {
            break;
        }
    }
    b
}

/// Erlang C (M/M/c) KPIs; `patience_s` is ignored (treated as `None`).
///
/// # Errors
///
/// [`AnalyticError::InvalidInput`] for out-of-domain inputs (zero agents,
/// negative or non-finite rates or times, an overflowing load) and
/// [`AnalyticError::Unstable`] when the offered load is at least the number
/// of agents.
pub fn erlang_c(p: &QueueParams) -> Result<ErlangKpis, AnalyticError> {
    let load = validate(p)?;
    let c = f64::from(p.agents);
    if load >= c {
        return Err(AnalyticError::Unstable {
            load,
            agents: p.agents,
        });
    }
    let b = erlang_b(p.agents, load);
    let gap = c - load;
    let p_wait = (c * b / (gap + load * b)).clamp(0.0, 1.0);
    let kpis = ErlangKpis {
        p_wait,
        asa_s: p_wait * p.aht_s / gap,
        service_level: (1.0 - p_wait * (-(gap * (p.sl_s / p.aht_s))).exp()).clamp(0.0, 1.0),
        abandon_rate: 0.0,
        occupancy: load / c,
        mean_queue_len: load * p_wait / gap,
    };
    check_finite(kpis)
}

/// Erlang A (M/M/c+M) KPIs; requires `patience_s = Some(finite > 0)`.
///
/// Stable for any load, including heavy overload: abandonment keeps the
/// queue finite.
///
/// # Errors
///
/// [`AnalyticError::MissingPatience`] if `patience_s` is `None`,
/// [`AnalyticError::InvalidInput`] for out-of-domain inputs, and
/// [`AnalyticError::TailTooLong`] when the queue-length distribution would
/// need more than [`MAX_TAIL_TERMS`] terms.
pub fn erlang_a(p: &QueueParams) -> Result<ErlangKpis, AnalyticError> {
    let load = validate(p)?;
    let patience = validate_patience(p.patience_s)?;
    let c = f64::from(p.agents);
    // θ/μ and α = cμ/θ.
    let r = p.aht_s / patience;
    if !(r.is_finite() && r > 0.0) {
        return Err(AnalyticError::InvalidInput {
            name: "patience_s",
            value: patience,
            reason: "aht_s / patience_s must be a finite positive number",
        });
    }
    let alpha = c * (patience / p.aht_s);
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(AnalyticError::InvalidInput {
            name: "patience_s",
            value: patience,
            reason: "agents * patience_s / aht_s must be a finite positive number",
        });
    }
    // Terms grow up to index (a - c) / r; refuse before doing the work.
    let too_long = || AnalyticError::TailTooLong {
        load,
        agents: p.agents,
        max_terms: MAX_TAIL_TERMS,
    };
    if (load - c) / r >= MAX_TAIL_TERMS as f64 {
        return Err(too_long());
    }

    let mut terms = WaitTerms::new(alpha, -(p.sl_s / patience));
    // Scaled tail weights w_j = q_j 2^-scale and the sums over them.
    let mut w = 1.0_f64;
    let mut scale: i64 = 0;
    let mut sum_w = 0.0;
    let mut sum_jw = 0.0;
    let mut sum_served = 0.0;
    let mut sum_within = 0.0;
    let mut sum_wait = 0.0;
    let mut sum_abandon = 0.0;
    let mut j: u64 = 0;
    loop {
        let jf = j as f64;
        let t = terms.current();
        sum_w += w;
        sum_jw += jf * w;
        sum_served += w * t.served;
        sum_within += w * t.served_within;
        sum_wait += w * t.served_wait;
        sum_abandon += w * t.abandon;

        let rho = load / (c + (jf + 1.0) * r);
        let w_next = w * rho;
        if w_next == 0.0 {
            break;
        }
        if rho < 1.0 {
            // Later ratios are smaller, so the rest is bounded geometrically.
            let inv = 1.0 / (1.0 - rho);
            let tail_mass = w_next * inv;
            let tail_moment = w_next * (jf * inv + inv * inv);
            if tail_mass <= TAIL_EPS * sum_w && tail_moment <= TAIL_EPS * sum_jw {
                break;
            }
        }
        j += 1;
        if j >= MAX_TAIL_TERMS {
            return Err(too_long());
        }
        w = w_next;
        if w > f64::powi(2.0, RESCALE_BITS) {
            let down = f64::powi(2.0, -RESCALE_BITS);
            w *= down;
            sum_w *= down;
            sum_jw *= down;
            sum_served *= down;
            sum_within *= down;
            sum_wait *= down;
            sum_abandon *= down;
            scale += i64::from(RESCALE_BITS);
        }
        terms.advance();
    }

    let b = erlang_b(p.agents, load);
    let low_scale = if scale > 1100 {
        0.0
    } else {
        // scale <= 1100 fits an i32.
        f64::powi(2.0, -(scale as i32))
    };
    let low = low_scale * (1.0 - b);
    let denom = low + b * sum_w;
    if !(denom > 0.0 && denom.is_finite()) {
        return Err(AnalyticError::NotRepresentable { kpi: "p_wait" });
    }
    let kappa = b / denom;
    let p_nowait = low / denom;
    let p_served = p_nowait + kappa * sum_served;
    let asa_s = if p_served > 0.0 {
        patience * (kappa * sum_wait / p_served)
    } else {
        0.0
    };
    let kpis = ErlangKpis {
        p_wait: (kappa * sum_w).clamp(0.0, 1.0),
        asa_s,
        service_level: (p_nowait + kappa * sum_within).clamp(0.0, 1.0),
        abandon_rate: (kappa * sum_abandon).clamp(0.0, 1.0),
        occupancy: (load * p_served / c).clamp(0.0, 1.0),
        mean_queue_len: kappa * sum_jw,
    };
    check_finite(kpis)
}

/// Erlang A if `patience_s` is `Some`, else Erlang C.
///
/// # Errors
///
/// Those of [`erlang_a`] or [`erlang_c`] respectively.
pub fn evaluate(p: &QueueParams) -> Result<ErlangKpis, AnalyticError> {
    if p.patience_s.is_some() {
        erlang_a(p)
    } else {
        erlang_c(p)
    }
}

/// Fewest agents (>= 1, <= max_agents) whose service_level >= target (and, where given, abandon_rate <= max_abandon, asa_s <= max_asa_s); for Erlang C start above the load.
///
/// The model is chosen as in [`evaluate`] (Erlang A when `p.patience_s` is
/// `Some`); `p.agents` is ignored. For Erlang C only staffings above the
/// offered load are considered (smaller ones have no steady state). The
/// search is exponential then bisecting, using that the service level rises
/// and the abandon rate and ASA fall as agents are added; it needs
/// `O(log c)` evaluations. Since `SL <= P(served) <= c / a`, Erlang A starts
/// the search at `target_sl · a` agents.
///
/// # Errors
///
/// [`AnalyticError::InvalidInput`] if `target_sl` or `max_abandon` is
/// outside `[0, 1]`, `max_asa_s` is negative or `NaN`, `max_agents` is 0, or
/// the queue parameters are invalid; [`AnalyticError::NoStaffingFound`] if
/// even `max_agents` agents miss a target; and any error of [`evaluate`].
pub fn agents_for_target(
    p: &QueueParams,
    target_sl: f64,
    max_abandon: Option<f64>,
    max_asa_s: Option<f64>,
    max_agents: u32,
) -> Result<u32, AnalyticError> {
    if !(0.0..=1.0).contains(&target_sl) {
        return Err(AnalyticError::InvalidInput {
            name: "target_sl",
            value: target_sl,
            reason: "must lie in [0, 1]",
        });
    }
    if let Some(m) = max_abandon
        && !(0.0..=1.0).contains(&m)
    {
        return Err(AnalyticError::InvalidInput {
            name: "max_abandon",
            value: m,
            reason: "must lie in [0, 1]",
        });
    }
    if let Some(m) = max_asa_s
        && (m.is_nan() || m < 0.0)
    {
        return Err(AnalyticError::InvalidInput {
            name: "max_asa_s",
            value: m,
            reason: "must be >= 0",
        });
    }
    if max_agents == 0 {
        return Err(AnalyticError::InvalidInput {
            name: "max_agents",
            value: 0.0,
            reason: "must be at least 1",
        });
    }
    let load = validate(&QueueParams { agents: 1, ..*p })?;
    let erlang_a_model = p.patience_s.is_some();
    if erlang_a_model {
        validate_patience(p.patience_s)?;
    }
    let not_found = AnalyticError::NoStaffingFound { max_agents };

    // Smallest staffing worth evaluating.
    let start = if erlang_a_model {
        // SL <= c / a; back off slightly for rounding.
        (target_sl * load * (1.0 - 1e-9)).floor().max(1.0)
    } else {
        load.floor() + 1.0
    };
    if start > f64::from(max_agents) {
        return Err(not_found);
    }
    // start is in [1, max_agents], so the conversion is exact.
    let start = start as u32;

    let meets = |agents: u32| -> Result<bool, AnalyticError> {
        let k = evaluate(&QueueParams { agents, ..*p })?;
        Ok(k.service_level >= target_sl
            && max_abandon.is_none_or(|m| k.abandon_rate <= m)
            && max_asa_s.is_none_or(|m| k.asa_s <= m))
    };

    if meets(start)? {
        return Ok(start);
    }
    // Exponential search for a staffing that meets the targets.
    let mut bad = start;
    let mut step: u64 = 1;
    let mut good = loop {
        let cand = (u64::from(bad) + step).min(u64::from(max_agents));
        // cand <= max_agents fits a u32.
        let cand = cand as u32;
        if meets(cand)? {
            break cand;
        }
        if cand == max_agents {
            return Err(not_found);
        }
        bad = cand;
        step = step.saturating_mul(2);
    };
    // Bisection: `bad` misses, `good` meets.
    while good - bad > 1 {
        let mid = bad + (good - bad) / 2;
        if meets(mid)? {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Ok(good)
}

/// Checks the parameters shared by both models and returns the offered load.
fn validate(p: &QueueParams) -> Result<f64, AnalyticError> {
    if !(p.calls_per_hour.is_finite() && p.calls_per_hour >= 0.0) {
        return Err(AnalyticError::InvalidInput {
            name: "calls_per_hour",
            value: p.calls_per_hour,
            reason: "must be finite and >= 0",
        });
    }
    if !(p.aht_s.is_finite() && p.aht_s > 0.0) {
        return Err(AnalyticError::InvalidInput {
            name: "aht_s",
            value: p.aht_s,
            reason: "must be finite and > 0",
        });
    }
    if p.agents == 0 {
        return Err(AnalyticError::InvalidInput {
            name: "agents",
            value: 0.0,
            reason: "must be at least 1",
        });
    }
    if !(p.sl_s.is_finite() && p.sl_s >= 0.0) {
        return Err(AnalyticError::InvalidInput {
            name: "sl_s",
            value: p.sl_s,
            reason: "must be finite and >= 0",
        });
    }
    // Exact for integral inputs; fall back if the product overflows.
    let mut load = p.calls_per_hour * p.aht_s / 3600.0;
    if !load.is_finite() {
        load = p.calls_per_hour / 3600.0 * p.aht_s;
    }
    if !load.is_finite() {
        return Err(AnalyticError::InvalidInput {
            name: "calls_per_hour",
            value: p.calls_per_hour,
            reason: "offered load calls_per_hour * aht_s / 3600 overflows",
        });
    }
    Ok(load)
}

/// Checks that a patience is present, finite and positive.
fn validate_patience(patience_s: Option<f64>) -> Result<f64, AnalyticError> {
    match patience_s {
        None => Err(AnalyticError::MissingPatience),
        Some(v) if v.is_finite() && v > 0.0 => Ok(v),
        Some(v) => Err(AnalyticError::InvalidInput {
            name: "patience_s",
            value: v,
            reason: "must be finite and > 0",
        }),
    }
}

/// Rejects results that overflowed (only reachable with extreme inputs).
fn check_finite(k: ErlangKpis) -> Result<ErlangKpis, AnalyticError> {
    let fields = [
        ("p_wait", k.p_wait),
        ("asa_s", k.asa_s),
        ("service_level", k.service_level),
        ("abandon_rate", k.abandon_rate),
        ("occupancy", k.occupancy),
        ("mean_queue_len", k.mean_queue_len),
    ];
    for (kpi, v) in fields {
        if !v.is_finite() {
            return Err(AnalyticError::NotRepresentable { kpi });
        }
    }
    Ok(k)
}

/// Per-position quantities for a call that finds `j` calls waiting ahead.
#[derive(Debug, Clone, Copy)]
struct PositionTerms {
    /// `P(served | j) = α / (α + j + 1)`.
    served: f64,
    /// `P(served, wait <= t | j) = α / (α + j + 1) (1 - I_s(α + 1, j + 1))`.
    served_within: f64,
    /// `θ E[wait 1{served} | j] = α / (α + j + 1) Σ_{k=0..j} 1 / (α + 1 + k)`.
    served_wait: f64,
    /// `P(abandon | j) = (j + 1) / (α + j + 1)`.
    abandon: f64,
}

/// Walks `j = 0, 1, 2, …` producing [`PositionTerms`] incrementally: the
/// incomplete beta `I_s(α + 1, j + 1)` by its forward recursion in the second
/// parameter (log-space terms, compensated sum) and the harmonic-type sum
/// `Σ_{k=0..j} 1 / (α + 1 + k)`.
#[derive(Debug, Clone)]
struct WaitTerms {
    alpha: f64,
    /// `ln(1 - s)`.
    ln_one_minus_s: f64,
    /// `ln T_{j+1}`, the next increment of `I` (compensated running sum).
    ln_t: Neumaier,
    /// Whether `T` can be non-zero at all (`0 < s < 1`).
    t_active: bool,
    /// `I_s(α + 1, j + 1)`.
    i_cdf: f64,
    /// `Σ_{k=0..j} 1 / (α + 1 + k)`.
    harmonic: f64,
    j: u64,
}

impl WaitTerms {
    /// Starts at `j = 0` for a given `α = cμ/θ` and `ln s = -θ t`.
    fn new(alpha: f64, ln_s: f64) -> Self {
        let a = alpha + 1.0;
        let ln_one_minus_s = (-ln_s.exp_m1()).ln();
        let ln_t1 = a.ln() + a * ln_s + ln_one_minus_s;
        let t_active = ln_t1.is_finite();
        Self {
            alpha,
            ln_one_minus_s,
            ln_t: Neumaier::new(if t_active { ln_t1 } else { 0.0 }),
            t_active,
            i_cdf: (a * ln_s).exp(),
            harmonic: 1.0 / a,
            j: 0,
        }
    }

    /// The terms at the current `j`.
    fn current(&self) -> PositionTerms {
        let jf = self.j as f64;
        let denom = self.alpha + jf + 1.0;
        let served = self.alpha / denom;
        PositionTerms {
            served,
            served_within: served * (1.0 - self.i_cdf).clamp(0.0, 1.0),
            served_wait: served * self.harmonic,
            abandon: (jf + 1.0) / denom,
        }
    }

    /// Moves from `j` to `j + 1`.
    fn advance(&mut self) {
        self.j += 1;
        let b = self.j as f64; // the new j; I gains T_b with b = j
        if self.t_active {
            self.i_cdf += self.ln_t.value().exp();
            // ln T_{b+1} = ln T_b + ln(1 - s) + ln(1 + α / (b + 1)).
            self.ln_t.add(self.ln_one_minus_s);
            self.ln_t.add((self.alpha / (b + 1.0)).ln_1p());
        }
        self.harmonic += 1.0 / (self.alpha + 1.0 + b);
    }
}

/// Neumaier's compensated summation.
#[derive(Debug, Clone, Copy)]
struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    fn new(x: f64) -> Self {
        Self { sum: x, comp: 0.0 }
    }

    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.comp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(
        calls_per_hour: f64,
        aht_s: f64,
        agents: u32,
        patience_s: Option<f64>,
        sl_s: f64,
    ) -> QueueParams {
        QueueParams {
            calls_per_hour,
            aht_s,
            agents,
            patience_s,
            sl_s,
        }
    }

    /// `|got - want| <= max(rel |want|, abs)`.
    fn assert_close(got: f64, want: f64, rel: f64, abs: f64, what: &str) {
        let err = (got - want).abs();
        assert!(
            err <= abs.max(rel * want.abs()),
            "{what}: got {got:e}, want {want:e}, abs err {err:e}, rel err {:e}",
            err / want.abs()
        );
    }

    fn kpi_fields(k: &ErlangKpis) -> [(&'static str, f64); 6] {
        [
            ("p_wait", k.p_wait),
            ("asa_s", k.asa_s),
            ("service_level", k.service_level),
            ("abandon_rate", k.abandon_rate),
            ("mean_queue_len", k.mean_queue_len),
            ("occupancy", k.occupancy),
        ]
    }

    /// Compares every KPI with `want` in the order of [`kpi_fields`].
    fn assert_kpis(k: &ErlangKpis, want: [f64; 6], rel: f64, abs: f64, what: &str) {
        for ((name, got), want) in kpi_fields(k).into_iter().zip(want) {
            assert_close(got, want, rel, abs, &format!("{what} {name}"));
        }
    }

    fn assert_sane(k: &ErlangKpis, what: &str) {
        for (name, v) in kpi_fields(k) {
            assert!(v.is_finite() && v >= 0.0, "{what}: {name} = {v}");
        }
        for (name, v) in [
            ("p_wait", k.p_wait),
            ("service_level", k.service_level),
            ("abandon_rate", k.abandon_rate),
            ("occupancy", k.occupancy),
        ] {
            assert!(v <= 1.0, "{what}: {name} = {v} > 1");
        }
    }

    #[test]
    fn reference_cases_match_to_1e9() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/erlang_cases.json"
        );
        let text = std::fs::read_to_string(path).expect("read erlang_cases.json");
        let doc: serde_json::Value = serde_json::from_str(&text).expect("parse erlang_cases.json");
        let cases = doc["cases"].as_array().expect("cases array");
        assert_eq!(cases.len(), 8);
        for (i, case) in cases.iter().enumerate() {
            let inp = &case["inputs"];
            let num = |v: &serde_json::Value, key: &str| {
                v[key]
                    .as_f64()
                    .unwrap_or_else(|| panic!("case {i}: {key} missing"))
            };
            let p = params(
                num(inp, "calls_per_hour"),
                num(inp, "aht_s"),
                inp["agents"].as_u64().expect("agents") as u32,
                inp["patience_s"].as_f64(),
                num(inp, "sl_s"),
            );
            let kind = case["kind"].as_str().expect("kind");
            assert_eq!(kind == "erlang_a", p.patience_s.is_some(), "case {i} kind");
            assert_close(
                p.calls_per_hour * p.aht_s / 3600.0,
                num(case, "load"),
                1e-15,
                0.0,
                "load",
            );
            let k = evaluate(&p).unwrap_or_else(|e| panic!("case {i}: {e}"));
            let direct = if kind == "erlang_a" {
                erlang_a(&p)
            } else {
                erlang_c(&p)
            };
            assert_eq!(direct, Ok(k), "case {i}: evaluate dispatch");
            let exact = &case["exact"];
            for (name, got) in kpi_fields(&k) {
                let want = num(exact, name);
                assert_close(got, want, 1e-9, 1e-12, &format!("case {i} ({kind}) {name}"));
            }
        }
    }

    #[test]
    fn erlang_b_known_values() {
        // Exact values (40-digit arithmetic).
        let cases = [
            (1, 1.0, 0.5),
            (2, 1.0, 0.2),
            (10, 5.0, 0.018_384_570_336_648_133),
            (20, 18.0, 0.109_212_845_872_522_47),
            (100, 90.0, 0.026_957_380_464_359_215),
            (1000, 1000.0, 0.024_811_917_646_160_41),
            (50, 100.0, 0.509_304_679_361_909_4),
            (10_000, 9900.0, 0.002_858_126_738_856_586_4),
        ];
        for (c, a, want) in cases {
            assert_close(erlang_b(c, a), want, 1e-12, 0.0, &format!("B({c}, {a})"));
        }
        assert_eq!(erlang_b(0, 5.0), 1.0);
        assert_eq!(erlang_b(5, 0.0), 0.0);
        assert_eq!(erlang_b(5, f64::INFINITY), 1.0);
        assert!(erlang_b(5, -1.0).is_nan());
        assert!(erlang_b(5, f64::NAN).is_nan());
        // Huge staffing: stops as soon as B underflows.
        assert_eq!(erlang_b(u32::MAX, 10.0), 0.0);
        let b = erlang_b(100_000, 99_000.0);
        assert!(b > 0.0 && b < 1.0);
    }

    #[test]
    fn erlang_c_large_systems_do_not_overflow() {
        // 10 000 agents at 99 % load; exact values from 40-digit arithmetic.
        let k = erlang_c(&params(198_000.0, 180.0, 10_000, None, 20.0)).expect("erlang c");
        assert_kpis(
            &k,
            [
                0.222_776_928_864_148_24,
                0.400_998_471_955_466_83,
                0.999_996_670_523_382_6,
                0.0,
                22.054_915_957_550_676,
                0.99,
            ],
            1e-9,
            1e-12,
            "C(10000)",
        );
        for agents in [50_000, 100_000] {
            let load = f64::from(agents) - 100.0;
            let k = erlang_c(&params(load * 20.0, 180.0, agents, None, 20.0)).expect("erlang c");
            assert_sane(&k, "large Erlang C");
            assert!(k.p_wait > 0.0 && k.p_wait < 1.0);
        }
    }

    #[test]
    fn erlang_a_large_system() {
        // 100 000 agents, load 99 500 Erl; exact values from 40-digit arithmetic
        // (birth-death chain plus the virtual-waiting-time density).
        let k =
            erlang_a(&params(1_990_000.0, 180.0, 100_000, Some(300.0), 20.0)).expect("erlang a");
        assert_kpis(
            &k,
            [
                0.060_761_065_881_741_17,
                0.016_448_727_685_395_454,
                0.999_945_128_715_547_9,
                5.487_128_445_218_844e-5,
                9.099_488_004_987_917,
                0.994_945_403_071_970_1,
            ],
            1e-9,
            1e-12,
            "A(100000)",
        );
    }

    #[test]
    fn erlang_a_with_huge_patience_approaches_erlang_c() {
        let c = erlang_c(&params(360.0, 180.0, 20, None, 20.0)).expect("erlang c");
        let a = erlang_a(&params(360.0, 180.0, 20, Some(1e9), 20.0)).expect("erlang a");
        // Exact Erlang A values (40-digit arithmetic).
        assert_kpis(
            &a,
            [
                0.550_768_804_404_301_6,
                49.569_105_629_310_56,
                0.558_978_905_100_924_7,
                4.956_910_763_342_267_8e-8,
                4.956_910_763_342_268,
                0.899_999_955_387_803_1,
            ],
            1e-9,
            1e-12,
            "A(patience 1e9)",
        );
        for ((name, ga), (_, gc)) in kpi_fields(&a).into_iter().zip(kpi_fields(&c)) {
            assert_close(ga, gc, 1e-5, 1e-7, &format!("A -> C {name}"));
        }
        let a = erlang_a(&params(360.0, 180.0, 20, Some(1e13), 20.0)).expect("erlang a");
        for ((name, ga), (_, gc)) in kpi_fields(&a).into_iter().zip(kpi_fields(&c)) {
            assert_close(ga, gc, 1e-9, 1e-11, &format!("A(1e13) -> C {name}"));
        }
    }

    #[test]
    fn erlang_a_heavily_overloaded_is_finite() {
        // λ = 3 cμ: a = 300 Erl on 100 agents. Exact values from 40-digit
        // arithmetic; P(no wait) ~ 1e-39 and SL ~ 1.4e-58.
        let k = erlang_a(&params(6000.0, 180.0, 100, Some(300.0), 20.0)).expect("erlang a");
        assert_sane(&k, "3x overload");
        assert_kpis(
            &k,
            [
                1.0,
                328.684_586_597_192_96,
                1.372_623_637_892_523e-58,
                2.0 / 3.0,
                1000.0 / 3.0,
                1.0,
            ],
            1e-9,
            1e-12,
            "3x overload",
        );
        // λ = 3 cμ with short patience: a = 30 Erl on 10 agents.
        let k = erlang_a(&params(600.0, 180.0, 10, Some(30.0), 5.0)).expect("erlang a");
        assert_kpis(
            &k,
            [
                0.969_561_878_329_104_5,
                25.363_834_732_142_937,
                0.052_006_758_774_884_36,
                0.668_067_848_196_444,
                3.340_339_240_982_22,
                0.995_796_455_410_667_9,
            ],
            1e-9,
            1e-12,
            "3x overload, short patience",
        );
        // 10 000 agents at 3x load needs ~35 000 growing terms: must not overflow.
        let k = erlang_a(&params(600_000.0, 180.0, 10_000, Some(300.0), 20.0)).expect("erlang a");
        assert_sane(&k, "3x overload, 10000 agents");
        assert_close(k.abandon_rate, 2.0 / 3.0, 1e-9, 0.0, "abandon at 3x");
        assert_close(k.occupancy, 1.0, 1e-12, 0.0, "occupancy at 3x");
        // Far too long a tail is an error, not a hang or an overflow.
        let err = erlang_a(&params(3600.0 * 1e6 / 180.0, 180.0, 1, Some(1e6), 20.0));
        assert!(
            matches!(err, Err(AnalyticError::TailTooLong { .. })),
            "{err:?}"
        );
    }

    #[test]
    fn abandonment_two_ways_agree() {
        let cases = [
            params(360.0, 180.0, 20, Some(300.0), 20.0),
            params(3600.0, 180.0, 150, Some(300.0), 20.0),
            params(3600.0, 180.0, 190, Some(60.0), 20.0),
            params(6000.0, 180.0, 100, Some(300.0), 20.0),
            params(600.0, 180.0, 10, Some(30.0), 5.0),
            params(100.0, 300.0, 1, Some(10.0), 0.0),
            params(50_000.0, 240.0, 3000, Some(120.0), 30.0),
        ];
        for p in cases {
            let k = erlang_a(&p).expect("erlang a");
            let patience = p.patience_s.unwrap_or(f64::NAN);
            let theta_lq_over_lambda = k.mean_queue_len / (p.calls_per_hour / 3600.0) / patience;
            assert_close(
                k.abandon_rate,
                theta_lq_over_lambda,
                1e-12,
                0.0,
                &format!("{p:?}"),
            );
            // Flow balance: served calls keep the agents busy.
            let served = 1.0 - k.abandon_rate;
            let busy = p.calls_per_hour / 3600.0 * p.aht_s * served / f64::from(p.agents);
            assert_close(k.occupancy, busy, 1e-12, 1e-15, &format!("occupancy {p:?}"));
        }
    }

    /// The per-position terms from the Beta identity against the tagged
    /// call's own Markov chain, with time in units of 1/θ. With `k` calls
    /// ahead (`k = j, …, 0`) the call moves up at rate `α + k` (an agent
    /// frees up or someone ahead abandons; from `k = 0` it is answered) and
    /// abandons at rate 1. `P(answered by τ)` comes from uniformization
    /// (rate `Λ = α + j + 1`, Poisson-weighted powers of a stochastic matrix:
    /// only non-negative terms, so even tiny values are relatively exact),
    /// and `E[wait 1{answered}]` from the sojourn decomposition
    /// `Σ_k P(reach k) · E[time in k] · P(answered | k)`.
    #[test]
    fn beta_identity_matches_tagged_call_chain() {
        for alpha in [0.5, 3.7, 12.0, 66.6] {
            for tau in [0.0, 1.0 / 15.0, 0.4, 1.3, 6.0] {
                let mut terms = WaitTerms::new(alpha, -tau);
                for j in 0..=20_usize {
                    let lambda_u = alpha + j as f64 + 1.0;
                    // state[i] = P(i calls ahead) for i <= j; state[j + 1] = answered.
                    let mut state = vec![0.0_f64; j + 2];
                    state[j] = 1.0;
                    let mean = lambda_u * tau;
                    let n_max = (mean + 40.0 * mean.sqrt() + 60.0) as usize;
                    let mut ln_pois = -mean; // ln Poisson(0; mean)
                    let mut within = 0.0;
                    for n in 0..=n_max {
                        within += ln_pois.exp() * state[j + 1];
                        let mut next = vec![0.0_f64; j + 2];
                        next[j + 1] = state[j + 1];
                        for (k, &pk) in state.iter().enumerate().take(j + 1) {
                            let up = (alpha + k as f64) / lambda_u;
                            let stay = (j - k) as f64 / lambda_u;
                            if k == 0 {
                                next[j + 1] += pk * up;
                            } else {
                                next[k - 1] += pk * up;
                            }
                            next[k] += pk * stay;
                        }
                        state = next;
                        ln_pois += mean.ln() - ((n + 1) as f64).ln();
                    }
                    let wait: f64 = (0..=j)
                        .map(|k| {
                            let kf = k as f64;
                            let reach: f64 = (k + 1..=j)
                                .map(|m| (alpha + m as f64) / (alpha + m as f64 + 1.0))
                                .product();
                            reach / (alpha + kf + 1.0) * alpha / (alpha + kf + 1.0)
                        })
                        .sum();
                    let t = terms.current();
                    let what = format!("alpha={alpha} tau={tau} j={j}");
                    // 1 - I cancels when the answer is tiny: ~1e-16 absolute.
                    assert_close(
                        t.served_within,
                        within,
                        1e-10,
                        1e-15,
                        &format!("{what} within"),
                    );
                    assert_close(t.served_wait, wait, 1e-12, 0.0, &format!("{what} wait"));
                    assert_close(t.served, alpha / lambda_u, 1e-15, 0.0, &what);
                    assert_close(t.served + t.abandon, 1.0, 1e-15, 0.0, &what);
                    terms.advance();
                }
            }
        }
    }

    /// Whole-model check by an independent route: the stationary density of
    /// the offered (virtual) wait of M/M/c+M, from level crossing,
    /// v(x) = cμ p_c exp(λ (1 - e^{-θx}) / θ - cμ x) for x > 0, integrated by
    /// composite Simpson, with p_c from the birth-death chain summed directly.
    #[test]
    fn erlang_a_matches_virtual_wait_density() {
        for p in [
            params(360.0, 180.0, 20, Some(300.0), 20.0),
            params(600.0, 180.0, 10, Some(30.0), 5.0),
            params(1500.0, 120.0, 45, Some(90.0), 15.0),
        ] {
            let patience = p.patience_s.unwrap_or(f64::NAN);
            let (lam, mu, theta) = (p.calls_per_hour / 3600.0, 1.0 / p.aht_s, 1.0 / patience);
            let c = p.agents as usize;
            // Unnormalised stationary weights by the plain balance equations.
            let mut weights = vec![1.0_f64];
            for n in 1..20_000 {
                let death = n.min(c) as f64 * mu + n.saturating_sub(c) as f64 * theta;
                let next = weights[n - 1] * lam / death;
                weights.push(next);
                if n > c && next < 1e-30 * weights[c] {
                    break;
                }
            }
            let total: f64 = weights.iter().sum();
            let p_c = weights[c] / total;
            let p_nowait: f64 = weights[..c].iter().sum::<f64>() / total;
            let cmu = c as f64 * mu;
            let v = |x: f64| cmu * p_c * (lam * (-(-theta * x).exp_m1()) / theta - cmu * x).exp();
            let simpson = |f: &dyn Fn(f64) -> f64, hi: f64, n: usize| {
                let h = hi / n as f64;
                let mut s = f(0.0) + f(hi);
                for i in 1..n {
                    s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
                }
                s * h / 3.0
            };
            let horizon = 200.0 * patience.max(p.aht_s);
            let n = 400_000;
            let sl = p_nowait + simpson(&|x| (-theta * x).exp() * v(x), p.sl_s, 20_000);
            let ab = simpson(&|x| -(-theta * x).exp_m1() * v(x), horizon, n);
            let wait = simpson(&|x| x * (-theta * x).exp() * v(x), horizon, n);
            let k = erlang_a(&p).expect("erlang a");
            assert_close(k.service_level, sl, 1e-10, 1e-13, &format!("SL {p:?}"));
            assert_close(k.abandon_rate, ab, 1e-10, 1e-13, &format!("abandon {p:?}"));
            assert_close(
                k.asa_s,
                wait / (1.0 - ab),
                1e-10,
                1e-13,
                &format!("ASA {p:?}"),
            );
            assert_close(
                k.p_wait,
                1.0 - p_nowait,
                1e-12,
                0.0,
                &format!("p_wait {p:?}"),
            );
        }
    }

    #[test]
    fn staffing_textbook_case() {
        // 360 calls/h, 3 min AHT: 18 Erl; 80 % answered within 20 s.
        let p = params(360.0, 180.0, 1, None, 20.0);
        let c = agents_for_target(&p, 0.8, None, None, 1000).expect("staffing");
        let at = |agents| evaluate(&QueueParams { agents, ..p });
        let k = at(c).expect("evaluate c");
        assert!(k.service_level >= 0.8, "{k:?}");
        let below = at(c - 1).expect("evaluate c - 1");
        assert!(below.service_level < 0.8, "{below:?}");
        assert_eq!(c, 22, "known answer for 18 Erl, 80/20");
        // Linear scan from the first stable staffing agrees.
        let scan = (19..).find(|&n| at(n).map(|k| k.service_level >= 0.8) == Ok(true));
        assert_eq!(scan, Some(c));
    }

    #[test]
    fn staffing_matches_linear_scan() {
        let base = [
            params(360.0, 180.0, 1, Some(300.0), 20.0),
            params(3600.0, 180.0, 1, Some(300.0), 20.0),
            params(3600.0, 180.0, 1, None, 20.0),
            params(600.0, 180.0, 1, Some(30.0), 5.0),
            params(20_000.0, 180.0, 1, Some(300.0), 20.0),
        ];
        for p in base {
            for (target, max_ab, max_asa) in [
                (0.8, None, None),
                (0.95, None, None),
                (0.5, Some(0.02), None),
                (0.0, None, Some(5.0)),
                (0.9, Some(0.01), Some(10.0)),
                (0.0, None, None),
            ] {
                let got = agents_for_target(&p, target, max_ab, max_asa, 5000).expect("staffing");
                let ok = |agents: u32| match evaluate(&QueueParams { agents, ..p }) {
                    Ok(k) => {
                        k.service_level >= target
                            && max_ab.is_none_or(|m| k.abandon_rate <= m)
                            && max_asa.is_none_or(|m| k.asa_s <= m)
                    }
                    Err(_) => false,
                };
                let scan = (1..=5000).find(|&n| ok(n));
                assert_eq!(
                    Some(got),
                    scan,
                    "{p:?} target {target} {max_ab:?} {max_asa:?}"
                );
            }
        }
    }

    #[test]
    fn staffing_errors() {
        let p = params(360.0, 180.0, 1, None, 20.0);
        let bad_target = agents_for_target(&p, 1.5, None, None, 100);
        assert!(matches!(
            bad_target,
            Err(AnalyticError::InvalidInput {
                name: "target_sl",
                ..
            })
        ));
        let nan_target = agents_for_target(&p, f64::NAN, None, None, 100);
        assert!(matches!(
            nan_target,
            Err(AnalyticError::InvalidInput {
                name: "target_sl",
                ..
            })
        ));
        let bad_ab = agents_for_target(&p, 0.8, Some(f64::NAN), None, 100);
        assert!(matches!(
            bad_ab,
            Err(AnalyticError::InvalidInput {
                name: "max_abandon",
                ..
            })
        ));
        let bad_asa = agents_for_target(&p, 0.8, None, Some(-1.0), 100);
        assert!(matches!(
            bad_asa,
            Err(AnalyticError::InvalidInput {
                name: "max_asa_s",
                ..
            })
        ));
        let zero_max = agents_for_target(&p, 0.8, None, None, 0);
        assert!(matches!(
            zero_max,
            Err(AnalyticError::InvalidInput {
                name: "max_agents",
                ..
            })
        ));
        // 18 Erl cannot be served by at most 18 agents without abandonment,
        // and 21 agents miss 80/20.
        assert_eq!(
            agents_for_target(&p, 0.8, None, None, 18),
            Err(AnalyticError::NoStaffingFound { max_agents: 18 })
        );
        assert_eq!(
            agents_for_target(&p, 0.8, None, None, 21),
            Err(AnalyticError::NoStaffingFound { max_agents: 21 })
        );
        let bad_patience = QueueParams {
            patience_s: Some(-3.0),
            ..p
        };
        assert!(matches!(
            agents_for_target(&bad_patience, 0.8, None, None, 100),
            Err(AnalyticError::InvalidInput {
                name: "patience_s",
                ..
            })
        ));
    }

    #[test]
    fn invalid_inputs_are_errors() {
        let good = params(360.0, 180.0, 20, Some(300.0), 20.0);
        let invalid = |p: QueueParams, name: &str| {
            for r in [erlang_c(&p), erlang_a(&p), evaluate(&p)] {
                match r {
                    Err(AnalyticError::InvalidInput { name: n, .. }) => {
                        assert_eq!(n, name, "{p:?}")
                    }
                    other => panic!("{p:?}: expected invalid {name}, got {other:?}"),
                }
            }
        };
        invalid(QueueParams { agents: 0, ..good }, "agents");
        for v in [-1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            invalid(
                QueueParams {
                    calls_per_hour: v,
                    ..good
                },
                "calls_per_hour",
            );
            invalid(QueueParams { sl_s: v, ..good }, "sl_s");
        }
        for v in [0.0, -180.0, f64::NAN, f64::INFINITY] {
            invalid(QueueParams { aht_s: v, ..good }, "aht_s");
        }
        invalid(
            QueueParams {
                calls_per_hour: f64::MAX,
                aht_s: 1e10,
                ..good
            },
            "calls_per_hour",
        );
        for v in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let p = QueueParams {
                patience_s: Some(v),
                ..good
            };
            assert!(
                matches!(
                    erlang_a(&p),
                    Err(AnalyticError::InvalidInput {
                        name: "patience_s",
                        ..
                    })
                ),
                "{p:?}"
            );
            // Erlang C ignores patience altogether.
            assert!(erlang_c(&p).is_ok());
        }
        let none = QueueParams {
            patience_s: None,
            ..good
        };
        assert_eq!(erlang_a(&none), Err(AnalyticError::MissingPatience));
        // Unstable Erlang C: load 18 Erl on 18 and on 10 agents.
        for agents in [18, 10] {
            let p = QueueParams {
                agents,
                patience_s: None,
                ..good
            };
            assert!(
                matches!(erlang_c(&p), Err(AnalyticError::Unstable { agents: a, .. }) if a == agents)
            );
            assert!(matches!(evaluate(&p), Err(AnalyticError::Unstable { .. })));
            // With abandonment the same queue is fine.
            assert!(erlang_a(&QueueParams { agents, ..good }).is_ok());
        }
        // Errors render with the parameter's name and value.
        let msg = erlang_c(&QueueParams {
            calls_per_hour: -5.0,
            ..good
        })
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string());
        assert!(
            msg.contains("calls_per_hour") && msg.contains("-5"),
            "{msg}"
        );
    }

    #[test]
    fn degenerate_but_valid_inputs() {
        // No traffic: nobody waits.
        for patience in [None, Some(300.0)] {
            let k = evaluate(&params(0.0, 180.0, 3, patience, 20.0)).expect("zero load");
            assert_eq!(k.p_wait, 0.0);
            assert_eq!(k.service_level, 1.0);
            assert_eq!(k.asa_s, 0.0);
            assert_eq!(k.abandon_rate, 0.0);
            assert_eq!(k.occupancy, 0.0);
            assert_eq!(k.mean_queue_len, 0.0);
        }
        // sl_s = 0: only immediate answers count.
        for patience in [None, Some(300.0)] {
            let k = evaluate(&params(360.0, 180.0, 20, patience, 0.0)).expect("sl 0");
            assert_close(k.service_level, 1.0 - k.p_wait, 1e-15, 0.0, "SL at t=0");
        }
        // Single agent M/M/1: C = ρ, ASA = ρ/(μ - λ).
        let k = erlang_c(&params(10.0, 180.0, 1, None, 20.0)).expect("M/M/1");
        let rho = 0.5;
        assert_close(k.p_wait, rho, 1e-15, 0.0, "M/M/1 C");
        assert_close(k.asa_s, rho * 180.0 / (1.0 - rho), 1e-14, 0.0, "M/M/1 ASA");
    }

    #[test]
    fn never_panics_on_odd_inputs() {
        let rates = [
            0.0,
            1e-300,
            1.0,
            360.0,
            1e6,
            1e300,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
            -1.0,
        ];
        let ahts = [
            1e-300,
            1.0,
            180.0,
            1e300,
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
        ];
        let agents = [0, 1, 20, 1000];
        let patiences = [
            None,
            Some(1e-300),
            Some(300.0),
            Some(1e300),
            Some(0.0),
            Some(f64::NAN),
            Some(f64::INFINITY),
        ];
        let sls = [0.0, 20.0, 1e300, f64::NAN, -1.0];
        for &calls_per_hour in &rates {
            for &aht_s in &ahts {
                for &agents in &agents {
                    for &patience_s in &patiences {
                        for &sl_s in &sls {
                            let p = QueueParams {
                                calls_per_hour,
                                aht_s,
                                agents,
                                patience_s,
                                sl_s,
                            };
                            for k in [erlang_c(&p), erlang_a(&p), evaluate(&p)]
                                .into_iter()
                                .flatten()
                            {
                                assert_sane(&k, &format!("{p:?}"));
                            }
                        }
                    }
                }
                let p = params(calls_per_hour, aht_s, 1, Some(300.0), 20.0);
                let _ = agents_for_target(&p, 0.8, Some(0.05), Some(30.0), 2000);
                let _ = agents_for_target(
                    &QueueParams {
                        patience_s: None,
                        ..p
                    },
                    0.8,
                    None,
                    None,
                    2000,
                );
            }
        }
    }
}
