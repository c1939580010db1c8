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
/// 2. **chooses the abandon rate it may plan for**, `r`, from the rolling
///    compliance window (`live` answers, `abandoned` of them): with
///    `aim = cap × (1 − margin)`, it plans so that the window would be back at
///    the aim after the next `horizon_live` live answers:
///    `r = clamp((aim · (live + horizon_live) − abandoned) ÷ horizon_live, 0, cap)`,
///    that is `r = aim + (live ÷ horizon_live)·(aim − rate)`. While the window
///    is under the aim it spends the slack (up to the cap); as its rate nears
///    and passes the aim, `r` falls, reaching zero — no more lines than free
///    agents — before the cap. `r` never exceeds the cap: the dialer never plans
///    to break it. The correction grows with the window's size, so the
///    window's rate settles on the aim whatever the model below misjudges (AMD
///    false positives included, which no pacing avoids);
/// 3. **counts the agents that will take the answers**: `free − live_waiting`
///    for sure, plus the agents that will have freed by the time the answers
///    come: `Binomial(wrapping_up, 1 − e^(−d/w)) + Binomial(talking, 1 −
///    e^(−d/(t+w)))`, where `d` is the mean delay from dial to connect, `w` the
///    mean after-call work and `t` the mean talk time (an agent busy for a
///    memoryless remaining time of that mean frees within `d` with that
///    probability);
/// 4. **sizes the lines**: the largest `n` (at most `max_lines_per_agent` per
///    agent of the campaign) for which the expected abandon rate of `n` lines,
///    `E[(X − A)⁺] ÷ E[X]` with `X ~ Binomial(n, p)` live answers competing for
///    the `A` agents of step 3, is at most `r`; it dials `n − lines_in_flight`
///    new lines.
///
/// With `r = 0` this dials no more lines than free agents (like a progressive
/// dialer, without reserving them); with `r` at the cap it over-dials as far as
/// the cap allows. Treating the answers of all lines in flight as if they came
/// at once is a simplification that step 2's feedback corrects.
#[derive(Debug, Clone, Copy)]
pub struct Predictive {
    /// Share of the cap kept in reserve (the aim is `cap × (1 − margin)`).
    pub margin: f64,
    /// Most lines in flight per agent working the campaign.
    pub max_lines_per_agent: f64,
    /// Live answers over which the window is brought back to the aim (step 2):
    /// smaller reacts harder.
    pub horizon_live: f64,
}

/// The quantities behind one [`Predictive`] decision (for tests and traces).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    /// Estimated share of attempts that connect to an agent.
    pub connect_rate: f64,
    /// The abandon rate the decision plans for.
    pub planned_rate: f64,
    /// Agents expected to take the answers.
    pub agents: f64,
    /// Lines that should be in flight.
    pub lines: u32,
}

const PRIOR_ATTEMPTS: f64 = 20.0;
const PRIOR_CONNECT_RATE: f64 = 0.5;
const PRIOR_DELAY_S: f64 = 15.0;
const PRIOR_TALK_S: f64 = 180.0;
const PRIOR_WRAP_S: f64 = 30.0;

impl Default for Predictive {
    fn default() -> Self {
        Predictive {
            margin: 0.2,
            max_lines_per_agent: 3.0,
            horizon_live: 150.0,
        }
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
    /// The abandon rate to plan for, given the rolling window (step 2).
    pub fn planned_rate(&self, view: &DialerView) -> f64 {
        let cap = view.max_abandon_rate.max(0.0);
        let aim = cap * (1.0 - self.margin);
        let h = self.horizon_live.max(1.0);
        let live = view.window_live as f64;
        ((aim * (live + h) - view.window_abandoned as f64) / h).clamp(0.0, cap)
    }

    /// The whole decision (steps 1–4).
    pub fn pace(&self, view: &DialerView) -> Pacing {
        self.pace_from(view, 0)
    }

    /// The decision, searching `n` upward from `from` (the answer is the same
    /// when it is at least `from`; below, `from − 1` or less is returned).
    fn pace_from(&self, view: &DialerView, from: u32) -> Pacing {
        let p = (view.live_connects as f64 + PRIOR_CONNECT_RATE * PRIOR_ATTEMPTS)
            / (view.attempts_resolved as f64 + PRIOR_ATTEMPTS);
        let p = p.clamp(1e-6, 1.0);
        let r = self.planned_rate(view);
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
        // Agents who will have freed by then: a random number.
        let freeing = Pmf::binomial(view.wrapping_up, soon(w))
            .convolve(&Pmf::binomial(view.talking, soon(t + w)));
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
            planned_rate: r,
            agents,
            lines: lo,
        }
    }
}

impl Dialer for Predictive {
    fn lines_to_dial(&mut self, view: &DialerView) -> u32 {
        if view.records_ready == 0 {
            return 0;
        }
        let pace = self.pace_from(view, view.lines_in_flight + 1);
        pace.lines
            .saturating_sub(view.lines_in_flight)
            .min(view.records_ready)
    }
}

/// A distribution on `start, start + 1, …`, kept to where it has mass.
#[derive(Debug, Clone, PartialEq)]
pub struct Pmf {
    /// The smallest value with mass.
    pub start: u32,
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
                start: n,
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
        let start = mode - below.len() as u32;
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
            .map(|(i, q)| (f64::from(self.start) + i as f64) * q)
            .sum()
    }

    /// `E[(X − sure − Y)⁺]` for `X` distributed as `self` and an independent
    /// `Y` distributed as `agents`: the expected answers beyond the agents.
    pub fn excess_over(&self, sure: i64, agents: &Pmf) -> f64 {
        // Suffix sums of P(X = k) and k·P(X = k).
        let len = self.probs.len();
        let mut tail = vec![(0.0, 0.0); len + 1];
        for i in (0..len).rev() {
            let k = f64::from(self.start) + i as f64;
            tail[i] = (
                tail[i + 1].0 + self.probs[i],
                tail[i + 1].1 + k * self.probs[i],
            );
        }
        let mean = tail[0].1;
        let start = i64::from(self.start);
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
            .map(|(j, q)| q * beyond(sure + i64::from(agents.start) + j as i64))
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
        .map(|(i, q)| q * (f64::from(x.start) + i as f64 - a).max(0.0))
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
        } => Box::new(Predictive {
            margin: *margin,
            max_lines_per_agent: *max_lines_per_agent,
            ..Predictive::default()
        }),
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
        let pace = d.pace(&v);
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
            d.pace(&DialerView {
                window_live: 1000,
                window_abandoned: abandoned,
                ..view()
            })
        };
        let (low, aim, near, over) = (at(0), at(24), at(29), at(40));
        assert_eq!(
            low.planned_rate, 0.03,
            "well under the aim: plan at the cap"
        );
        assert!(aim.planned_rate < low.planned_rate);
        assert!(near.planned_rate < aim.planned_rate);
        assert_eq!(over.planned_rate, 0.0);
        assert!(low.lines >= aim.lines && aim.lines >= near.lines && near.lines >= over.lines);
        assert!(low.lines > over.lines);
        // Never planned above the cap.
        for b in 0..60 {
            assert!(at(b).planned_rate <= 0.03);
        }
        // At the cap or beyond: no more lines than agents can take.
        assert!(f64::from(over.lines) <= over.agents + 1e-9, "{over:?}");
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
        assert!(d.pace(&with_wrap).agents > d.pace(&alone).agents);
        assert!(d.pace(&with_wrap).lines > d.pace(&alone).lines);
        // Waiting answers take agents first.
        let waiting = DialerView {
            live_waiting: 3,
            ..alone
        };
        assert!(d.pace(&waiting).agents < d.pace(&alone).agents);
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
