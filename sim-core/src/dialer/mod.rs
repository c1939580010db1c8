//! Dialers: how many lines an outbound campaign dials now.
//!
//! A [`Dialer`] reads a [`DialerView`] — what the engine can see of the campaign
//! at this moment — and returns a number of lines. It never touches the event
//! list or the agents: the engine applies the decision (as the router's decisions
//! are applied), so every policy is unit-testable with a hand-made view. The
//! engine asks on every dialer tick (each second of the dialing window), whenever
//! an agent of the campaign becomes free and whenever a line's outcome is known.
//! A fresh dialer is made per replication ([`dialer_for`]).
//!
//! * [`Preview`] and [`Progressive`] dial one line per free agent; the engine
//!   reserves that agent for the line (after a preview of the record, for
//!   preview), so a live answer always finds its agent and nobody is abandoned
//!   (except by AMD false positives).
//! * [`Predictive`] dials more lines than free agents and lets a live answer take
//!   whichever agent is free; when none is free within `connect_within_s` the
//!   call is abandoned. Its pacing is described on the type.

use std::fmt;

use crate::scenario::DialerKind;

/// What a dialer sees of its campaign when asked.
///
/// Counts are "now"; the observed quantities cover the campaign's run so far.
/// Means are `NaN` while nothing has been observed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DialerView {
    /// The simulated time, seconds.
    pub now_s: f64,
    /// Idle agents this campaign may use now (blending reserve and quota
    /// already applied).
    pub free_agents: u32,
    /// Idle agents of the campaign's groups it may not use (held back for
    /// inbound by blending): inbound calls take these first.
    pub held_back: u32,
    /// Inbound calls answered per second by the campaign's blended agents,
    /// lately (0 without blended agents): each may take an agent the dialer
    /// counted on.
    pub inbound_per_s: f64,
    /// Agents in a conversation of this campaign.
    pub talking: u32,
    /// Agents in after-call work of this campaign.
    pub wrapping_up: u32,
    /// Lines dialled whose outcome is not known yet (ringing, or in AMD analysis).
    pub lines_in_flight: u32,
    /// Live answers waiting for an agent (each abandoned after
    /// `connect_within_s`).
    pub live_waiting: u32,
    /// Records that may be dialled now.
    pub records_ready: u32,
    /// Attempts whose outcome is known.
    pub attempts_resolved: u64,
    /// Of those, the attempts passed on to an agent (answered and taken for a
    /// person).
    pub live_connects: u64,
    /// Mean time from dialing to being ready for an agent, of those, seconds.
    pub mean_connect_delay_s: f64,
    /// Mean talk time of the campaign's calls, seconds.
    pub mean_talk_s: f64,
    /// Mean after-call work of the campaign's calls, seconds.
    pub mean_wrap_s: f64,
    /// Live answers in the compliance window now.
    pub window_live: u64,
    /// Live answers so far in the run.
    pub live_total: u64,
    /// Abandoned calls so far in the run (all causes, AMD false positives
    /// included).
    pub abandoned_total: u64,
    /// Abandoned calls in the compliance window now.
    pub window_abandoned: u64,
    /// The cap on abandoned ÷ live answers.
    pub max_abandon_rate: f64,
}

/// A dialing policy: how many lines to dial now.
pub trait Dialer: fmt::Debug + Send {
    /// The number of new lines to dial now. The engine dials at most
    /// `view.records_ready`; for reserving dialers (preview, progressive) it also
    /// needs a free agent per line.
    fn lines_to_dial(&mut self, view: &DialerView) -> u32;
}

/// Preview dialing: each free agent is reserved, reads a record, then dials it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Preview;

impl Dialer for Preview {
    fn lines_to_dial(&mut self, view: &DialerView) -> u32 {
        view.free_agents.min(view.records_ready)
    }
}

/// Progressive (power) dialing: one line per free agent, who waits on it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progressive;

impl Dialer for Progressive {
    fn lines_to_dial(&mut self, view: &DialerView) -> u32 {
        view.free_agents.min(view.records_ready)
    }
}

/// Predictive dialing, paced by the rolling abandon rate.
///
/// # The pacing algorithm
///
/// Each time it is asked, the dialer
///
/// 1. **estimates the connect rate** `p`: the share of resolved attempts that
///    were passed on to an agent, with a cautious prior (as if 20 attempts had
///    connected at 50 %, which under-dials while little is known);
/// 2. **chooses the abandon rate to expect**, `e`, from the rolling compliance
///    window (`live` answers, `abandoned` of them): with `aim = cap × (1 −
///    margin)`, the rate that would bring the window back to the aim over the
///    next `horizon_live` live answers, never above the cap:
///    `e = min(cap, aim + (live ÷ horizon_live)·(aim − abandoned ÷ live))`.
///    While the window is under the aim it spends the slack; as its rate nears
///    and passes the aim, `e` falls. The correction grows with the window's
///    size, so a long window (24 h, 30 days) is held on the aim;
/// 3. **corrects for what its model misjudges**: it keeps the sum of the rates
///    it planned for, per live answer, and the bias `b = (abandoned − planned)
///    ÷ (live + 50)` over the run (AMD false positives, which no pacing avoids,
///    and the simplifications of step 5). It plans for `r = e − b`, so that the
///    rate it expects to *see*, `r + b`, is `e`: at most the cap. `r` is kept
///    between a tenth of the aim (not zero: some risk must be taken for any
///    line to be dialled on a blended floor, and the window's rate only falls
///    if calls keep being connected) and twice the cap;
/// 4. **counts the agents that will take the answers**: `free − live_waiting`
///    for sure, plus the agents that will have freed by the time the answers
///    come: `Binomial(wrapping_up, 1 − e^(−d/w)) + Binomial(talking, 1 −
///    e^(−d/(t+w)))`, where `d` is the mean delay from dial to connect, `w` the
///    mean after-call work and `t` the mean talk time (an agent busy for a
///    memoryless remaining time of that mean frees within `d` with that
///    probability); on a blended floor, less the inbound calls that will take
///    one of these agents first: `max(0, Poisson(inbound_per_s · d) −
///    held_back)` (inbound takes the agents held back for it first);
/// 5. **sizes the lines**: the largest `n` (at most `max_lines_per_agent` per
///    agent of the campaign) for which the model's abandon rate of `n` lines,
///    `E[(X − A)⁺] ÷ E[X]` with `X ~ Binomial(n, p)` live answers competing for
///    the `A` agents of step 4, is at most `r`; it dials `n − lines_in_flight`
///    new lines.
///
/// With `r` at its floor this dials hardly more lines than free agents (like a
/// progressive dialer, without reserving them); with `r` high it over-dials as
/// far as the cap allows. Treating the answers of all lines in flight as if
/// they came at once, against agents counted at one moment, is the model's
/// main simplification; steps 2 and 3 correct for it.
#[derive(Debug, Clone)]
pub struct Predictive {
    /// Share of the cap kept in reserve (the aim is `cap × (1 − margin)`).
    pub margin: f64,
    /// Most lines in flight per agent working the campaign.
    pub max_lines_per_agent: f64,
    /// Live answers over which the window is brought back to the aim (step 2):
    /// smaller reacts harder.
    pub horizon_live: f64,
    /// Live answers seen so far (run total).
    seen_live: u64,
    /// Σ planned rate × live answer, over the run.
    planned_abandons: f64,
    /// The rate planned at the last decision.
    last_rate: f64,
}

/// The quantities behind one [`Predictive`] decision (for tests and traces).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    /// Estimated share of attempts that connect to an agent.
    pub connect_rate: f64,
    /// The abandon rate the dialer expects to see (step 2).
    pub expected_rate: f64,
    /// The model's abandon rate the lines are sized for (step 3).
    pub planned_rate: f64,
    /// Agents expected to take the answers.
    pub agents: f64,
    /// Lines that should be in flight.
    pub lines: u32,
}

const PRIOR_ATTEMPTS: f64 = 20.0;
const PRIOR_CONNECT_RATE: f64 = 0.5;
const PRIOR_BIAS_LIVE: f64 = 50.0;
/// The planned rate never falls below this share of the aim.
const FLOOR_SHARE: f64 = 0.1;
const PRIOR_DELAY_S: f64 = 15.0;
const PRIOR_TALK_S: f64 = 180.0;
const PRIOR_WRAP_S: f64 = 30.0;

impl Default for Predictive {
    fn default() -> Self {
        Predictive::new(0.2, 3.0)
    }
}

fn or(x: f64, default: f64) -> f64 {
    if x.is_finite() && x >= 0.0 {
        x
    } else {
        default
    }
}

impl Predictive {
    /// A predictive dialer keeping `margin` of the cap in reserve, with at most
    /// `max_lines_per_agent` lines in flight per agent.
    pub fn new(margin: f64, max_lines_per_agent: f64) -> Predictive {
        Predictive {
            margin,
            max_lines_per_agent,
            horizon_live: 150.0,
            seen_live: 0,
            planned_abandons: 0.0,
            last_rate: 0.0,
        }
    }

    /// The abandon rate to expect, given the rolling window (step 2).
    pub fn expected_rate(&self, view: &DialerView) -> f64 {
        let cap = view.max_abandon_rate.max(0.0);
        let aim = cap * (1.0 - self.margin);
        let h = self.horizon_live.max(1.0);
        let live = view.window_live as f64;
        ((aim * (live + h) - view.window_abandoned as f64) / h).min(cap)
    }

    /// The model's rate to plan for, given the window and the model's bias
    /// (step 3).
    pub fn planned_rate(&self, view: &DialerView, bias: f64) -> f64 {
        let cap = view.max_abandon_rate.max(0.0);
        let aim = cap * (1.0 - self.margin);
        (self.expected_rate(view) - bias).clamp(aim * FLOOR_SHARE, 2.0 * cap)
    }

    /// The bias of the model so far: abandons seen beyond those planned, per
    /// live answer (step 3).
    pub fn bias(&self, view: &DialerView) -> f64 {
        (view.abandoned_total as f64 - self.planned_abandons)
            / (view.live_total as f64 + PRIOR_BIAS_LIVE)
    }

    /// The whole decision (steps 1–5) for a model bias `bias` (0 for a
    /// dialer that has not run).
    pub fn pace(&self, view: &DialerView, bias: f64) -> Pacing {
        self.pace_from(view, bias, 0)
    }

    /// The decision, searching `n` upward from `from` (the answer is the same
    /// when it is at least `from`; below, `from − 1` or less is returned).
    fn pace_from(&self, view: &DialerView, bias: f64, from: u32) -> Pacing {
        let p = (view.live_connects as f64 + PRIOR_CONNECT_RATE * PRIOR_ATTEMPTS)
            / (view.attempts_resolved as f64 + PRIOR_ATTEMPTS);
        let p = p.clamp(1e-6, 1.0);
        let r = self.planned_rate(view, bias);
        let d = or(view.mean_connect_delay_s, PRIOR_DELAY_S);
        let w = or(view.mean_wrap_s, PRIOR_WRAP_S);
        let t = or(view.mean_talk_s, PRIOR_TALK_S);
        let soon = |mean: f64| {
            if mean > 0.0 {
                1.0 - (-d / mean).exp()
            } else {
                1.0
            }
        };
        // Agents who will have freed by then, less those inbound calls will
        // have taken beyond the ones held back for them: random numbers.
        let freeing = Pmf::binomial(view.wrapping_up, soon(w))
            .convolve(&Pmf::binomial(view.talking, soon(t + w)));
        let freeing = if view.inbound_per_s > 0.0 {
            let taken = Pmf::poisson(view.inbound_per_s * d).beyond(i64::from(view.held_back));
            freeing.convolve(&taken.negated())
        } else {
            freeing
        };
        let sure = i64::from(view.free_agents) - i64::from(view.live_waiting);
        let agents = (sure as f64 + freeing.mean()).max(0.0);
        let working = view.free_agents + view.talking + view.wrapping_up;
        let most = (self.max_lines_per_agent * f64::from(working)).ceil() as u32;
        let ok = |n: u32| {
            let answers = Pmf::binomial(n, p);
            answers.excess_over(sure, &freeing) <= r * answers.mean() + 1e-12
        };
        // The expected abandon rate grows with n: the largest n that is ok.
        let lo = if from > 0 && from <= most {
            // Usually a few lines more than in flight: step up from there.
            if !ok(from) {
                from - 1
            } else {
                let mut n = from;
                while n < most && ok(n + 1) {
                    n += 1;
                }
                n
            }
        } else {
            let (mut lo, mut hi) = (0u32, most);
            if ok(hi) {
                lo = hi;
            } else {
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if ok(mid) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
            }
            lo
        };
        Pacing {
            connect_rate: p,
            expected_rate: self.expected_rate(view),
            planned_rate: r,
            agents,
            lines: lo,
        }
    }
}

impl Dialer for Predictive {
    fn lines_to_dial(&mut self, view: &DialerView) -> u32 {
        // The answers seen since the last decision were dialled under its plan.
        let new_live = view.live_total.saturating_sub(self.seen_live);
        self.planned_abandons += new_live as f64 * self.last_rate;
        self.seen_live = view.live_total;
        if view.records_ready == 0 {
            return 0;
        }
        let pace = self.pace_from(view, self.bias(view), view.lines_in_flight + 1);
        self.last_rate = pace.planned_rate;
        pace.lines
            .saturating_sub(view.lines_in_flight)
            .min(view.records_ready)
    }
}

/// A distribution on the integers `start, start + 1, …`, kept to where it has
/// mass.
#[derive(Debug, Clone, PartialEq)]
pub struct Pmf {
    /// The smallest value with mass.
    pub start: i64,
    /// `P(X = start + i)`.
    pub probs: Vec<f64>,
}

impl Pmf {
    /// `Binomial(n, p)`, on the values whose probability is within 1e-16 of the
    /// mode's (computed outward from the mode by the ratio recurrence: no
    /// overflow or underflow for any `n`).
    pub fn binomial(n: u32, p: f64) -> Pmf {
        if n == 0 || p <= 0.0 {
            return Pmf {
                start: 0,
                probs: vec![1.0],
            };
        }
        if p >= 1.0 {
            return Pmf {
                start: i64::from(n),
                probs: vec![1.0],
            };
        }
        let odds = p / (1.0 - p);
        let mode = ((f64::from(n) + 1.0) * p).floor().min(f64::from(n)) as u32;
        let mut below = Vec::new();
        let mut w = 1.0;
        let mut k = mode;
        while k > 0 {
            w *= f64::from(k) / (f64::from(n - k + 1) * odds);
            if w < 1e-16 {
                break;
            }
            below.push(w);
            k -= 1;
        }
        let start = i64::from(mode) - below.len() as i64;
        below.reverse();
        let mut probs = below;
        probs.push(1.0);
        let mut w = 1.0;
        for k in mode + 1..=n {
            w *= f64::from(n - k + 1) / f64::from(k) * odds;
            if w < 1e-16 {
                break;
            }
            probs.push(w);
        }
        let total: f64 = probs.iter().sum();
        for x in &mut probs {
            *x /= total;
        }
        Pmf { start, probs }
    }

    /// The distribution of the sum of independent `self` and `other`.
    pub fn convolve(&self, other: &Pmf) -> Pmf {
        let mut probs = vec![0.0; self.probs.len() + other.probs.len() - 1];
        for (i, a) in self.probs.iter().enumerate() {
            for (j, b) in other.probs.iter().enumerate() {
                probs[i + j] += a * b;
            }
        }
        Pmf {
            start: self.start + other.start,
            probs,
        }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        self.probs
            .iter()
            .enumerate()
            .map(|(i, q)| (self.start as f64 + i as f64) * q)
            .sum()
    }

    /// `Poisson(mean)`, on the values whose probability is within 1e-16 of the
    /// mode's.
    pub fn poisson(mean: f64) -> Pmf {
        if !(mean > 0.0 && mean.is_finite()) {
            return Pmf {
                start: 0,
                probs: vec![1.0],
            };
        }
        let mode = mean.floor() as i64;
        let mut below = Vec::new();
        let mut w = 1.0;
        let mut k = mode;
        while k > 0 {
            w *= k as f64 / mean;
            if w < 1e-16 {
                break;
            }
            below.push(w);
            k -= 1;
        }
        let start = mode - below.len() as i64;
        below.reverse();
        let mut probs = below;
        probs.push(1.0);
        let mut w = 1.0;
        let mut k = mode;
        loop {
            k += 1;
            w *= mean / k as f64;
            if w < 1e-16 {
                break;
            }
            probs.push(w);
        }
        let total: f64 = probs.iter().sum();
        for x in &mut probs {
            *x /= total;
        }
        Pmf { start, probs }
    }

    /// The distribution of `max(0, X − slack)`: what is left of `X` once
    /// `slack` has absorbed its first units.
    pub fn beyond(&self, slack: i64) -> Pmf {
        let cut = slack - self.start; // values start..=slack collapse onto 0
        if cut < 0 {
            return Pmf {
                start: self.start - slack,
                probs: self.probs.clone(),
            };
        }
        let cut = cut as usize;
        let at_zero: f64 = self.probs.iter().take(cut + 1).sum();
        let mut probs = vec![at_zero];
        probs.extend(self.probs.iter().skip(cut + 1));
        Pmf { start: 0, probs }
    }

    /// The distribution of `−X`.
    pub fn negated(&self) -> Pmf {
        let mut probs = self.probs.clone();
        probs.reverse();
        Pmf {
            start: -(self.start + self.probs.len() as i64 - 1),
            probs,
        }
    }

    /// `E[(X − sure − Y)⁺]` for `X` distributed as `self` and an independent
    /// `Y` distributed as `agents`: the expected answers beyond the agents.
    pub fn excess_over(&self, sure: i64, agents: &Pmf) -> f64 {
        // Suffix sums of P(X = k) and k·P(X = k).
        let len = self.probs.len();
        let mut tail = vec![(0.0, 0.0); len + 1];
        for i in (0..len).rev() {
            let k = self.start as f64 + i as f64;
            tail[i] = (
                tail[i + 1].0 + self.probs[i],
                tail[i + 1].1 + k * self.probs[i],
            );
        }
        let mean = tail[0].1;
        let start = self.start;
        // E[(X − c)⁺] = Σ_{k > c} (k − c) P(X = k).
        let beyond = |c: i64| -> f64 {
            if c < start {
                mean - c as f64
            } else {
                let i = (c - start + 1) as usize;
                if i >= len {
                    0.0
                } else {
                    tail[i].1 - c as f64 * tail[i].0
                }
            }
        };
        agents
            .probs
            .iter()
            .enumerate()
            .map(|(j, q)| q * beyond(sure + agents.start + j as i64))
            .sum()
    }
}

/// `E[(X − a)⁺]` for `X ~ Binomial(n, p)`: the expected number of live answers
/// beyond `a` agents.
pub fn expected_excess(n: u32, p: f64, a: f64) -> f64 {
    let x = Pmf::binomial(n, p);
    x.probs
        .iter()
        .enumerate()
        .map(|(i, q)| q * (x.start as f64 + i as f64 - a).max(0.0))
        .sum()
}

/// A fresh dialer for `kind` (one per campaign per replication).
pub fn dialer_for(kind: &DialerKind) -> Box<dyn Dialer> {
    match kind {
        DialerKind::Preview { .. } => Box::new(Preview),
        DialerKind::Progressive => Box::new(Progressive),
        DialerKind::Predictive {
            margin,
            max_lines_per_agent,
        } => Box::new(Predictive::new(*margin, *max_lines_per_agent)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> DialerView {
        DialerView {
            now_s: 100.0,
            free_agents: 5,
            talking: 10,
            wrapping_up: 2,
            records_ready: 1000,
            attempts_resolved: 1000,
            live_connects: 300,
            mean_connect_delay_s: 12.0,
            mean_talk_s: 200.0,
            mean_wrap_s: 30.0,
            window_live: 300,
            window_abandoned: 0,
            max_abandon_rate: 0.03,
            ..DialerView::default()
        }
    }

    #[test]
    fn preview_and_progressive_dial_one_line_per_free_agent() {
        let v = view();
        assert_eq!(Progressive.lines_to_dial(&v), 5);
        assert_eq!(Preview.lines_to_dial(&v), 5);
        let few = DialerView {
            records_ready: 2,
            ..v
        };
        assert_eq!(Progressive.lines_to_dial(&few), 2);
        assert_eq!(Preview.lines_to_dial(&few), 2);
        let none = DialerView {
            free_agents: 0,
            ..v
        };
        assert_eq!(Progressive.lines_to_dial(&none), 0);
        assert_eq!(Preview.lines_to_dial(&none), 0);
    }

    #[test]
    fn expected_excess_matches_direct_sums() {
        // Binomial(4, 0.5): P = 1, 4, 6, 4, 1 over 16.
        let e = expected_excess(4, 0.5, 2.0);
        assert!((e - (4.0 * 1.0 + 1.0 * 2.0) / 16.0).abs() < 1e-12, "{e}");
        let e = expected_excess(4, 0.5, 1.5);
        assert!((e - (6.0 * 0.5 + 4.0 * 1.5 + 2.5) / 16.0).abs() < 1e-12);
        assert_eq!(expected_excess(3, 0.5, 3.0), 0.0);
        assert_eq!(expected_excess(0, 0.5, 0.0), 0.0);
        assert_eq!(expected_excess(10, 1.0, 4.0), 6.0);
        // Large n, no overflow: E[(X − a)⁺] ≈ n p − a when a ≪ n p.
        let e = expected_excess(100_000, 0.3, 100.0);
        assert!((e - (30_000.0 - 100.0)).abs() < 1e-6 * 30_000.0, "{e}");
        let e = expected_excess(5000, 0.999, 0.0);
        assert!((e - 4995.0).abs() < 1e-6 * 5000.0, "{e}");
    }

    #[test]
    fn predictive_over_dials_when_answers_are_rare() {
        let mut d = Predictive::default();
        let v = view();
        let lines = d.lines_to_dial(&v);
        assert!(lines > v.free_agents, "{lines} lines for 5 free agents");
        let pace = d.pace(&v, 0.0);
        // The plan keeps the expected abandon rate at or under the planned rate.
        let n = pace.lines;
        let rate =
            expected_excess(n, pace.connect_rate, pace.agents) / (f64::from(n) * pace.connect_rate);
        assert!(rate <= pace.planned_rate + 1e-9, "{rate} vs {pace:?}");
        // One more line would break it (unless the per-agent cap binds).
        let more = expected_excess(n + 1, pace.connect_rate, pace.agents)
            / (f64::from(n + 1) * pace.connect_rate);
        assert!(more > pace.planned_rate, "{more} vs {pace:?}");
        // A higher answer rate needs fewer lines.
        let answers_often = DialerView {
            live_connects: 800,
            ..v
        };
        assert!(d.lines_to_dial(&answers_often) < lines);
        // Lines already in flight count.
        let busy = DialerView {
            lines_in_flight: lines,
            ..v
        };
        assert_eq!(d.lines_to_dial(&busy), 0);
    }

    #[test]
    fn predictive_backs_off_as_the_window_nears_the_cap() {
        let d = Predictive::default();
        let at = |abandoned: u64| {
            d.pace(
                &DialerView {
                    window_live: 1000,
                    window_abandoned: abandoned,
                    ..view()
                },
                0.0,
            )
        };
        let (low, aim, near, over) = (at(0), at(24), at(27), at(40));
        assert_eq!(
            low.planned_rate, 0.03,
            "well under the aim: plan at the cap"
        );
        assert!(
            (aim.planned_rate - 0.024).abs() < 1e-12,
            "on the aim: plan the aim"
        );
        assert!(near.planned_rate < aim.planned_rate);
        assert!(
            (over.planned_rate - 0.0024).abs() < 1e-12,
            "over: the floor"
        );
        assert!(low.lines >= aim.lines && aim.lines >= near.lines && near.lines >= over.lines);
        assert!(low.lines > over.lines);
        // Never expected above the cap.
        for b in 0..60 {
            assert!(at(b).expected_rate <= 0.03);
            assert!(at(b).planned_rate <= 0.03);
        }
        // Over the cap: hardly more lines than agents can take.
        assert!(
            f64::from(over.lines) <= over.agents.ceil() + 1.0,
            "{over:?}"
        );
    }

    #[test]
    fn predictive_corrects_its_model_by_what_it_saw() {
        let mut d = Predictive::default();
        let v = view();
        let first = d.lines_to_dial(&v);
        // 1000 live answers later, 60 abandoned where it planned about 30.
        let later = DialerView {
            live_total: 1000,
            abandoned_total: 60,
            window_live: 1000,
            window_abandoned: 24,
            ..v
        };
        d.lines_to_dial(&later);
        let bias = d.bias(&later);
        assert!(bias > 0.02, "{bias}");
        assert!(d.pace(&later, bias).planned_rate < d.pace(&later, 0.0).planned_rate);
        assert!(d.lines_to_dial(&later) < first);
        // What it expects to see stays at or under the cap, whatever the bias.
        for b in [-0.05, -0.01, 0.0, 0.01, 0.05] {
            let pace = d.pace(&later, b);
            assert!(pace.expected_rate <= 0.03);
        }
    }

    #[test]
    fn inbound_calls_on_a_blended_floor_mean_fewer_lines() {
        let d = Predictive::default();
        let quiet = d.pace(&view(), 0.0);
        let busy = d.pace(
            &DialerView {
                inbound_per_s: 0.2,
                ..view()
            },
            0.0,
        );
        assert!(busy.agents < quiet.agents && busy.lines < quiet.lines);
        // Agents held back for inbound absorb inbound calls first.
        let held = d.pace(
            &DialerView {
                inbound_per_s: 0.2,
                held_back: 10,
                ..view()
            },
            0.0,
        );
        assert!(held.lines > busy.lines);
    }

    #[test]
    fn distributions_have_their_means() {
        let b = Pmf::binomial(40, 0.3);
        assert!((b.mean() - 12.0).abs() < 1e-9);
        assert!((b.probs.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let p = Pmf::poisson(2.5);
        assert!((p.mean() - 2.5).abs() < 1e-9);
        assert_eq!(p.start, 0);
        let n = p.negated();
        assert!((n.mean() + 2.5).abs() < 1e-9);
        // max(0, X − 2) of Poisson(2.5).
        let left = p.beyond(2);
        assert_eq!(left.start, 0);
        let direct: f64 = p
            .probs
            .iter()
            .enumerate()
            .map(|(k, q)| q * (k as f64 - 2.0).max(0.0))
            .sum();
        assert!((left.mean() - direct).abs() < 1e-12);
        // Excess of Binomial(4, 0.5) over 1 sure agent plus 0 or 1 more (½ each).
        let x = Pmf::binomial(4, 0.5);
        let y = Pmf::binomial(1, 0.5);
        let e = x.excess_over(1, &y);
        let want = 0.5 * expected_excess(4, 0.5, 1.0) + 0.5 * expected_excess(4, 0.5, 2.0);
        assert!((e - want).abs() < 1e-12);
        // A negative number of agents: every answer is in excess, and more.
        let e = x.excess_over(-1, &Pmf::binomial(0, 0.5));
        assert!((e - 3.0).abs() < 1e-12);
        // Large and lopsided binomials stay finite.
        let big = Pmf::binomial(1_000_000, 0.999);
        assert!((big.mean() - 999_000.0).abs() < 1e-3);
    }

    #[test]
    fn predictive_counts_agents_about_to_free() {
        let d = Predictive::default();
        let alone = DialerView {
            talking: 0,
            wrapping_up: 0,
            ..view()
        };
        let with_wrap = DialerView {
            wrapping_up: 6,
            ..alone
        };
        assert!(d.pace(&with_wrap, 0.0).agents > d.pace(&alone, 0.0).agents);
        assert!(d.pace(&with_wrap, 0.0).lines > d.pace(&alone, 0.0).lines);
        // Waiting answers take agents first.
        let waiting = DialerView {
            live_waiting: 3,
            ..alone
        };
        assert!(d.pace(&waiting, 0.0).agents < d.pace(&alone, 0.0).agents);
    }

    #[test]
    fn predictive_with_no_agents_dials_nothing() {
        let mut d = Predictive::default();
        let v = DialerView {
            free_agents: 0,
            talking: 0,
            wrapping_up: 0,
            ..view()
        };
        assert_eq!(d.lines_to_dial(&v), 0);
        // Nothing observed yet: cautious, but it dials.
        let fresh = DialerView {
            attempts_resolved: 0,
            live_connects: 0,
            window_live: 0,
            mean_connect_delay_s: f64::NAN,
            mean_talk_s: f64::NAN,
            mean_wrap_s: f64::NAN,
            talking: 0,
            wrapping_up: 0,
            ..view()
        };
        let n = d.lines_to_dial(&fresh);
        assert!((5..=15).contains(&n), "{n}");
    }

    #[test]
    fn dialer_for_builds_each_kind() {
        let v = view();
        for kind in [
            DialerKind::Progressive,
            DialerKind::Preview {
                preview_time: crate::scenario::TimeDist::Deterministic { value_s: 10.0 },
            },
            DialerKind::Predictive {
                margin: 0.2,
                max_lines_per_agent: 3.0,
            },
        ] {
            let n = dialer_for(&kind).lines_to_dial(&v);
            assert!(n >= 5, "{kind:?}: {n}");
        }
    }
}
