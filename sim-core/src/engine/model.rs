//! A validated scenario compiled for the engine: indices instead of names,
//! samplers instead of distribution descriptions, agents with their schedules.

use crate::scenario::dist::Sampler;
use crate::scenario::{
    ArrivalProcess, DialerKind, IvrTarget, PersonaKind, Phase, Prospect, RoutingPolicy, Scenario,
    ScenarioError, TraceCall,
};

/// Piecewise-constant arrival rate.
#[derive(Debug, Clone)]
pub(crate) enum Rate {
    /// Calls per second, constant.
    Constant(f64),
    /// Calls per second per interval of `step_s` from time 0.
    Profile { step_s: f64, per_s: Vec<f64> },
    /// Recorded calls replayed in order (no sampling of arrival times).
    Trace(std::sync::Arc<[TraceCall]>),
}

impl Rate {
    fn from(a: &ArrivalProcess, scale: f64) -> Rate {
        match a {
            ArrivalProcess::Poisson { per_hour } => Rate::Constant(per_hour * scale / 3600.0),
            ArrivalProcess::Profile {
                interval_min,
                per_hour,
            } => Rate::Profile {
                step_s: interval_min * 60.0,
                per_s: per_hour.iter().map(|r| r * scale / 3600.0).collect(),
            },
            ArrivalProcess::Trace { calls } => Rate::Trace(calls.as_slice().into()),
        }
    }

    /// The time of the next arrival after `now_s`, given a unit-exponential draw
    /// `e` and a day factor: inversion of the cumulative rate, exact for
    /// piecewise-constant rates. `None` if no arrival happens before `end_s`.
    #[inline(always)]
    pub(crate) fn next_after(&self, now_s: f64, e: f64, factor: f64, end_s: f64) -> Option<f64> {
        match self {
            Rate::Constant(r) => {
                let r = r * factor;
                (r > 0.0).then(|| now_s + e / r).filter(|t| *t < end_s)
            }
            Rate::Profile { step_s, per_s } => {
                let mut need = e;
                let mut t = now_s;
                let mut i = (now_s / step_s) as usize;
                while t < end_s {
                    let r = per_s.get(i).copied().unwrap_or(0.0) * factor;
                    let seg_end = ((i + 1) as f64 * step_s).min(end_s);
                    if i >= per_s.len() {
                        return None;
                    }
                    if r > 0.0 {
                        let dt = need / r;
                        if t + dt < seg_end {
                            return Some(t + dt);
                        }
                        need -= r * (seg_end - t);
                    }
                    t = seg_end;
                    i += 1;
                }
                None
            }
            // Trace sources never draw: the engine reads their calls directly.
            Rate::Trace(_) => None,
        }
    }
}

/// Where the calls of an arrival source go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Straight to a call type's queue.
    Queue(u32),
    /// Into an IVR menu.
    Menu(u32),
}

#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub(crate) rate: Rate,
    pub(crate) target: Target,
}

#[derive(Debug, Clone)]
pub(crate) enum MenuChoice {
    Menu(u32),
    Queue(u32),
    SelfService,
}

#[derive(Debug, Clone)]
pub(crate) struct MenuModel {
    pub(crate) duration: Sampler,
    pub(crate) hangup: f64,
    pub(crate) misroute: f64,
    /// Cumulative shares (normalised) and choices.
    pub(crate) options: Vec<(f64, MenuChoice)>,
    /// Queues reachable from this menu's options (for misroutes).
    pub(crate) queues: Vec<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct PersonaModel {
    pub(crate) patience_factor: f64,
    pub(crate) patience: Option<Sampler>,
    pub(crate) phase_factors: [f64; 6],
    pub(crate) handle_factor: f64,
    pub(crate) fcr: f64,
    /// Cumulative probabilities of scores 1..5.
    pub(crate) csat_cdf: [f64; 5],
    pub(crate) retry_after_abandon: f64,
    pub(crate) retry_after_unresolved: f64,
    pub(crate) retry_delay: Sampler,
}

#[derive(Debug, Clone)]
pub(crate) enum Work {
    /// One block of handle time.
    Handle(Sampler),
    /// Five conversation phases and after-call work.
    Phases(Box<[Sampler; 6]>),
}

#[derive(Debug, Clone)]
pub(crate) struct CallbackModel {
    pub(crate) threshold_s: f64,
    pub(crate) accept: f64,
    pub(crate) ring_s: f64,
    pub(crate) reached: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct CallTypeModel {
    pub(crate) work: Work,
    pub(crate) mean_handle_s: f64,
    pub(crate) patience: Option<Sampler>,
    /// Cumulative persona shares; empty: no personas.
    pub(crate) personas: Vec<(f64, PersonaKind)>,
    pub(crate) priority_share: f64,
    pub(crate) transfer: Option<(u32, f64)>,
    pub(crate) overflow_after_s: Option<f64>,
    pub(crate) callback: Option<CallbackModel>,
}

/// What an agent does at a scheduled time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AgentAction {
    /// Logs on (start of shift or of a staffed interval).
    LogOn,
    /// Logs off (after finishing the call in hand).
    LogOff,
    /// Goes on break (after finishing the call in hand).
    BreakStart,
    /// Comes back from break.
    BreakEnd,
}

/// One planned change of an agent's schedule; `duration_s` is the break length
/// for [`AgentAction::BreakStart`] (the break ends that long after it actually
/// starts, which may be later than planned when a call is in hand).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PlanStep {
    pub(crate) at_s: f64,
    pub(crate) action: AgentAction,
    pub(crate) duration_s: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct AgentPlan {
    pub(crate) group: u32,
    pub(crate) schedule: Vec<PlanStep>,
}

#[derive(Debug, Clone)]
pub(crate) struct GroupModel {
    pub(crate) skills: Vec<u32>,
    pub(crate) overflow_types: Vec<u32>,
    /// Proficiency per call type (1.0 where not given).
    pub(crate) proficiency: Vec<f64>,
    pub(crate) shrinkage: f64,
    /// The campaigns this group works.
    pub(crate) campaigns: Vec<u32>,
    /// Proficiency per campaign (1.0 where not given).
    pub(crate) campaign_proficiency: Vec<f64>,
}

impl GroupModel {
    /// Whether the group takes inbound calls (has a call type among its skills).
    pub(crate) fn inbound(&self) -> bool {
        !self.skills.is_empty()
    }
}

/// A retry rule compiled: delay in seconds, most attempts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryRule {
    pub(crate) after_s: f64,
    pub(crate) max_attempts: u32,
}

/// Answering-machine detection, compiled.
#[derive(Debug, Clone)]
pub(crate) struct AmdModel {
    pub(crate) decision: Sampler,
    pub(crate) detection: f64,
    pub(crate) false_positive: f64,
}

/// An outbound campaign compiled for the engine.
#[derive(Debug, Clone)]
pub(crate) struct CampaignModel {
    pub(crate) kind: DialerKind,
    /// Preview time (preview dialing only).
    pub(crate) preview: Option<Sampler>,
    /// Whether each line reserves an agent (preview, progressive).
    pub(crate) reserves: bool,
    pub(crate) start_s: f64,
    pub(crate) end_s: f64,
    /// Cumulative shares of the outcomes, in `DialOutcome::ALL` order.
    pub(crate) outcome_cdf: [f64; 6],
    pub(crate) ring: Sampler,
    pub(crate) answer: Sampler,
    pub(crate) fail_s: f64,
    pub(crate) amd: Option<AmdModel>,
    pub(crate) connect_within_s: f64,
    pub(crate) phases: Box<[Sampler; 6]>,
    pub(crate) wrong_party: Sampler,
    pub(crate) machine: Sampler,
    /// Cumulative persona shares; empty: neutral.
    pub(crate) personas: Vec<(f64, PersonaKind)>,
    pub(crate) prospects: [Prospect; 5],
    pub(crate) signal_factor: f64,
    pub(crate) objection_factor: f64,
    /// Retry rule per outcome (`None`: the record is closed).
    pub(crate) retry: [Option<RetryRule>; 6],
    pub(crate) max_attempts: u32,
    pub(crate) recall_after_abandon_s: f64,
    pub(crate) max_abandon_rate: f64,
    pub(crate) window_s: f64,
    pub(crate) list_len: u32,
    /// Per record: its known persona (index) or `u8::MAX`; empty without records.
    pub(crate) record_persona: Vec<u8>,
    /// Per record: its sale factor; empty without records.
    pub(crate) record_sale_factor: Vec<f64>,
    /// Groups working this campaign: those that take no inbound calls, then the
    /// blended ones.
    pub(crate) outbound_groups: Vec<u32>,
    pub(crate) blended_groups: Vec<u32>,
}

/// Blending compiled.
#[derive(Debug, Clone)]
pub(crate) struct BlendModel {
    pub(crate) reserve: u32,
    pub(crate) band: Option<BandModel>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct BandModel {
    pub(crate) low: f64,
    pub(crate) high: f64,
    pub(crate) window_s: f64,
    pub(crate) review_s: f64,
    pub(crate) step: u32,
    pub(crate) start: u32,
}

/// A scenario compiled for the engine. Cheap to share between threads (`Arc`).
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) scenario: Scenario,
    pub(crate) horizon_s: f64,
    pub(crate) warmup_s: f64,
    pub(crate) sl_s: f64,
    pub(crate) interval_s: f64,
    pub(crate) intervals: usize,
    pub(crate) busyness_cv: f64,
    pub(crate) sources: Vec<Source>,
    pub(crate) menus: Vec<MenuModel>,
    pub(crate) personas: [PersonaModel; 5],
    pub(crate) call_types: Vec<CallTypeModel>,
    pub(crate) groups: Vec<GroupModel>,
    pub(crate) agents: Vec<AgentPlan>,
    pub(crate) policy: RoutingPolicy,
    pub(crate) campaigns: Vec<CampaignModel>,
    pub(crate) blending: Option<BlendModel>,
}

fn cumulative<T: Clone>(items: &[(f64, T)]) -> Vec<(f64, T)> {
    let total: f64 = items.iter().map(|(s, _)| *s).sum();
    let mut acc = 0.0;
    let mut out: Vec<(f64, T)> = items
        .iter()
        .filter(|(s, _)| *s > 0.0)
        .map(|(s, t)| {
            acc += s / total;
            (acc, t.clone())
        })
        .collect();
    if let Some(last) = out.last_mut() {
        last.0 = 1.0;
    }
    out
}

/// Pick from cumulative shares with a uniform draw `u` in [0, 1).
#[inline]
pub(crate) fn pick<T: Copy>(cdf: &[(f64, T)], u: f64) -> Option<T> {
    cdf.iter()
        .find(|(c, _)| u < *c)
        .or(cdf.last())
        .map(|(_, t)| *t)
}

impl Model {
    /// Validate `scenario` and compile it.
    pub fn new(scenario: &Scenario) -> Result<Model, ScenarioError> {
        let problems = scenario.validate();
        if !problems.is_empty() {
            return Err(ScenarioError {
                diagnostics: problems
                    .into_iter()
                    .map(|p| crate::scenario::Diagnostic {
                        position: None,
                        path: Some(p.path.to_string()),
                        message: p.message,
                    })
                    .collect(),
            });
        }
        let s = scenario;
        let horizon_s = s.horizon_h * 3600.0;
        let interval_s = s.interval_min * 60.0;
        let ct_index = |name: &str| s.call_type_index(name).map(|i| i as u32);

        let mut sources = Vec::new();
        for ct in 0..s.call_types.len() {
            if let Some(a) = &s.call_types[ct].arrivals {
                sources.push(Source {
                    rate: Rate::from(a, s.arrival_scale),
                    target: Target::Queue(ct as u32),
                });
            }
        }
        for ep in &s.entry_points {
            if let Some(m) = s.menu_index(&ep.menu) {
                sources.push(Source {
                    rate: Rate::from(&ep.arrivals, s.arrival_scale),
                    target: Target::Menu(m as u32),
                });
            }
        }

        let menus = s
            .ivr
            .iter()
            .map(|m| {
                let raw: Vec<(f64, MenuChoice)> = m
                    .options
                    .iter()
                    .filter_map(|o| {
                        let choice = match &o.to {
                            IvrTarget::Menu(n) => MenuChoice::Menu(s.menu_index(n)? as u32),
                            IvrTarget::Queue(n) => MenuChoice::Queue(ct_index(n)?),
                            IvrTarget::SelfService => MenuChoice::SelfService,
                        };
                        Some((o.share, choice))
                    })
                    .collect();
                let queues = raw
                    .iter()
                    .filter_map(|(_, c)| match c {
                        MenuChoice::Queue(q) => Some(*q),
                        _ => None,
                    })
                    .collect();
                MenuModel {
                    duration: m.duration.sampler(),
                    hangup: m.hangup,
                    misroute: m.misroute,
                    options: cumulative(&raw),
                    queues,
                }
            })
            .collect();

        let resolved = s.resolved_personas();
        let personas = PersonaKind::ALL.map(|k| {
            let p = &resolved[k.index()];
            let total: f64 = p.csat.iter().sum();
            let mut csat_cdf = [1.0; 5];
            let mut acc = 0.0;
            for (c, x) in csat_cdf.iter_mut().zip(&p.csat) {
                acc += x / total;
                *c = acc;
            }
            PersonaModel {
                patience_factor: p.patience_factor,
                patience: p.patience.as_ref().map(|d| d.sampler()),
                phase_factors: p.phase_factors.as_array(),
                handle_factor: p.handle_factor,
                fcr: p.fcr,
                csat_cdf,
                retry_after_abandon: p.retry_after_abandon,
                retry_after_unresolved: p.retry_after_unresolved,
                retry_delay: p.retry_delay.sampler(),
            }
        });

        let call_types: Vec<CallTypeModel> = s
            .call_types
            .iter()
            .enumerate()
            .map(|(i, ct)| {
                let work = match (&ct.phases, &ct.handle_time) {
                    (Some(ph), _) => {
                        let a = ph.as_array();
                        Work::Phases(Box::new(Phase::ALL.map(|p| a[p as usize].sampler())))
                    }
                    (None, Some(h)) => Work::Handle(h.sampler()),
                    (None, None) => Work::Handle(
                        crate::scenario::TimeDist::Deterministic { value_s: 0.0 }.sampler(),
                    ),
                };
                let mix: Vec<(f64, PersonaKind)> = ct
                    .persona_mix
                    .iter()
                    .filter_map(|(n, sh)| Some((*sh, PersonaKind::from_name(n)?)))
                    .collect();
                CallTypeModel {
                    work,
                    mean_handle_s: s.mean_handle_s(i),
                    patience: ct.patience.as_ref().map(|p| p.sampler()),
                    personas: cumulative(&mix),
                    priority_share: ct.priority_share,
                    transfer: ct
                        .transfer
                        .as_ref()
                        .and_then(|t| Some((ct_index(&t.to)?, t.share))),
                    overflow_after_s: ct.overflow.as_ref().map(|o| o.after_s),
                    callback: ct.callback.as_ref().map(|c| CallbackModel {
                        threshold_s: c.when_expected_wait_s,
                        accept: c.accept,
                        ring_s: c.ring_s,
                        reached: c.reached,
                    }),
                }
            })
            .collect();

        let groups: Vec<GroupModel> = s
            .agent_groups
            .iter()
            .map(|g| GroupModel {
                skills: g.skills.iter().filter_map(|n| ct_index(n)).collect(),
                overflow_types: s
                    .call_types
                    .iter()
                    .enumerate()
                    .filter(|(_, ct)| {
                        ct.overflow
                            .as_ref()
                            .is_some_and(|o| o.groups.contains(&g.name))
                    })
                    .filter(|(_, ct)| !g.skills.contains(&ct.name))
                    .map(|(i, _)| i as u32)
                    .collect(),
                proficiency: s
                    .call_types
                    .iter()
                    .map(|ct| g.proficiency_in(&ct.name))
                    .collect(),
                shrinkage: g.shrinkage,
                campaigns: g
                    .skills
                    .iter()
                    .filter_map(|n| s.campaign_index(n).map(|c| c as u32))
                    .collect(),
                campaign_proficiency: s
                    .campaigns
                    .iter()
                    .map(|c| g.proficiency_in(&c.name))
                    .collect(),
            })
            .collect();
        let campaigns = compile_campaigns(s, &groups);
        let blending = s.blending.as_ref().map(|b| BlendModel {
            reserve: b.reserve,
            band: b.sl_band.map(|band| BandModel {
                low: band.low,
                high: band.high,
                window_s: band.window_min * 60.0,
                review_s: band.review_min * 60.0,
                step: band.step_agents,
                start: band.start_agents,
            }),
        });

        let mut agents = Vec::new();
        for (gi, g) in s.agent_groups.iter().enumerate() {
            agents.extend(
                schedules(g, horizon_s)
                    .into_iter()
                    .map(|schedule| AgentPlan {
                        group: gi as u32,
                        schedule,
                    }),
            );
        }

        Ok(Model {
            scenario: s.clone(),
            horizon_s,
            warmup_s: s.warmup_h * 3600.0,
            sl_s: s.service_level_s,
            interval_s,
            intervals: ((horizon_s / interval_s).ceil() as usize).max(1),
            busyness_cv: s.busyness_cv,
            sources,
            menus,
            personas,
            call_types,
            groups,
            agents,
            policy: s.routing.policy,
            campaigns,
            blending,
        })
    }

    /// Number of outbound campaigns.
    pub fn campaign_count(&self) -> usize {
        self.campaigns.len()
    }

    /// The scenario this model was compiled from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Number of agent slots (every agent that is ever scheduled).
    pub fn agent_count(&self) -> usize {
        self.agents.len()
    }

    /// The group of agent slot `agent`.
    pub fn agent_group(&self, agent: usize) -> usize {
        self.agents[agent].group as usize
    }

    /// Number of reporting intervals covering `[0, horizon)`.
    pub fn intervals(&self) -> usize {
        self.intervals
    }

    /// Length of a reporting interval, seconds.
    pub fn interval_s(&self) -> f64 {
        self.interval_s
    }
}

fn compile_campaigns(s: &Scenario, groups: &[GroupModel]) -> Vec<CampaignModel> {
    s.campaigns
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let shares = c.outcomes.as_array();
            let total: f64 = shares.iter().sum();
            let mut outcome_cdf = [1.0; 6];
            let mut acc = 0.0;
            for (x, v) in outcome_cdf.iter_mut().zip(shares) {
                acc += v / total;
                *x = acc;
            }
            outcome_cdf[5] = 1.0;
            let mix: Vec<(f64, PersonaKind)> = c
                .persona_mix
                .iter()
                .filter_map(|(n, sh)| Some((*sh, PersonaKind::from_name(n)?)))
                .collect();
            let prospects =
                PersonaKind::ALL.map(|k| c.prospects.get(k.name()).copied().unwrap_or_default());
            let rule = |r: crate::scenario::Retry| {
                Some(RetryRule {
                    after_s: r.after_min * 60.0,
                    max_attempts: r.max_attempts,
                })
            };
            let ph = c.phases.as_array();
            let working = |blended: bool| -> Vec<u32> {
                groups
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| g.campaigns.contains(&(ci as u32)) && g.inbound() == blended)
                    .map(|(gi, _)| gi as u32)
                    .collect()
            };
            CampaignModel {
                kind: c.dialer.clone(),
                preview: match &c.dialer {
                    DialerKind::Preview { preview_time } => Some(preview_time.sampler()),
                    _ => None,
                },
                reserves: !matches!(c.dialer, DialerKind::Predictive { .. }),
                start_s: c.window.start_h * 3600.0,
                end_s: c.window.end_h * 3600.0,
                outcome_cdf,
                ring: c.ring_time.sampler(),
                answer: c.answer_time.sampler(),
                fail_s: c.fail_s,
                amd: c.amd.as_ref().map(|a| AmdModel {
                    decision: a.decision_time.sampler(),
                    detection: a.detection,
                    false_positive: a.false_positive,
                }),
                connect_within_s: c.connect_within_s,
                phases: Box::new(Phase::ALL.map(|p| ph[p as usize].sampler())),
                wrong_party: c.wrong_party_time.sampler(),
                machine: c.machine_time.sampler(),
                personas: cumulative(&mix),
                prospects,
                signal_factor: c.signal_factor,
                objection_factor: c.objection_factor,
                retry: [
                    rule(c.retry.no_answer),
                    rule(c.retry.busy),
                    None,
                    rule(c.retry.machine),
                    None,
                    rule(c.retry.wrong_party),
                ],
                max_attempts: c.max_attempts,
                recall_after_abandon_s: c.recall_after_abandon_h * 3600.0,
                max_abandon_rate: c.abandon_limit.max_rate,
                window_s: c.abandon_limit.window_h * 3600.0,
                list_len: c.list_len() as u32,
                record_persona: c
                    .records
                    .iter()
                    .map(|r| {
                        r.persona
                            .as_deref()
                            .and_then(PersonaKind::from_name)
                            .map_or(u8::MAX, |k| k.index() as u8)
                    })
                    .collect(),
                record_sale_factor: c.records.iter().map(|r| r.sale_factor).collect(),
                outbound_groups: working(false),
                blended_groups: working(true),
            }
        })
        .collect()
}

fn step(at_s: f64, action: AgentAction) -> PlanStep {
    PlanStep {
        at_s,
        action,
        duration_s: 0.0,
    }
}

/// The schedule of every agent slot of group `g`, in time order.
fn schedules(g: &crate::scenario::AgentGroup, horizon_s: f64) -> Vec<Vec<PlanStep>> {
    use AgentAction::*;
    if let Some(c) = g.count {
        return (0..c).map(|_| vec![step(0.0, LogOn)]).collect();
    }
    if let Some(st) = &g.staffing {
        let step_s = st.interval_min * 60.0;
        let max = st.counts.iter().copied().max().unwrap_or(0);
        return (0..max)
            .map(|j| {
                let mut plan = Vec::new();
                let mut on = false;
                for (i, &c) in st.counts.iter().enumerate() {
                    let t = i as f64 * step_s;
                    if t >= horizon_s && i > 0 {
                        break;
                    }
                    let want = j < c;
                    if want && !on {
                        plan.push(step(t, LogOn));
                    } else if !want && on {
                        plan.push(step(t, LogOff));
                    }
                    on = want;
                }
                plan
            })
            .collect();
    }
    let mut out = Vec::new();
    for shift in &g.shifts {
        for k in 0..shift.count {
            let mut plan = vec![step(shift.start_h * 3600.0, LogOn)];
            for b in &shift.breaks {
                let offset = if shift.count > 1 {
                    b.stagger_min * 60.0 * f64::from(k) / f64::from(shift.count - 1)
                } else {
                    0.0
                };
                plan.push(PlanStep {
                    at_s: b.start_h * 3600.0 + offset,
                    action: BreakStart,
                    duration_s: b.duration_min * 60.0,
                });
            }
            let end = shift.end_h * 3600.0;
            if end < horizon_s {
                plan.push(step(end, LogOff));
            }
            plan.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
            out.push(plan);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_inversion_matches_the_cumulative_rate() {
        // 0 calls/s in [0, 10), 1/s in [10, 20), 2/s in [20, 30).
        let r = Rate::Profile {
            step_s: 10.0,
            per_s: vec![0.0, 1.0, 2.0],
        };
        assert_eq!(r.next_after(0.0, 5.0, 1.0, 30.0), Some(15.0));
        assert_eq!(r.next_after(0.0, 12.0, 1.0, 30.0), Some(21.0));
        assert_eq!(r.next_after(0.0, 31.0, 1.0, 30.0), None);
        assert_eq!(r.next_after(12.0, 4.0, 2.0, 30.0), Some(14.0));
        let c = Rate::Constant(0.5);
        assert_eq!(c.next_after(1.0, 1.0, 1.0, 10.0), Some(3.0));
        assert_eq!(c.next_after(1.0, 10.0, 1.0, 10.0), None);
    }

    #[test]
    fn staffing_plans_log_agents_on_and_off() {
        let g = crate::scenario::AgentGroup {
            name: "g".into(),
            count: None,
            shifts: vec![],
            staffing: Some(crate::scenario::Staffing {
                interval_min: 30.0,
                counts: vec![1, 3, 2],
            }),
            skills: vec!["a".into()],
            proficiency: Default::default(),
            shrinkage: 0.0,
            wage_per_hour: None,
        };
        let s = schedules(&g, 5400.0);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0], vec![step(0.0, AgentAction::LogOn)]);
        assert_eq!(s[1], vec![step(1800.0, AgentAction::LogOn)]);
        assert_eq!(
            s[2],
            vec![
                step(1800.0, AgentAction::LogOn),
                step(3600.0, AgentAction::LogOff)
            ]
        );
    }

    #[test]
    fn shifts_with_staggered_breaks() {
        let g = crate::scenario::AgentGroup {
            name: "g".into(),
            count: None,
            shifts: vec![crate::scenario::Shift {
                start_h: 1.0,
                end_h: 5.0,
                count: 3,
                breaks: vec![crate::scenario::Break {
                    start_h: 2.0,
                    duration_min: 15.0,
                    stagger_min: 30.0,
                }],
            }],
            staffing: None,
            skills: vec!["a".into()],
            proficiency: Default::default(),
            shrinkage: 0.0,
            wage_per_hour: None,
        };
        let s = schedules(&g, 8.0 * 3600.0);
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0][1].at_s, s[0][1].action),
            (7200.0, AgentAction::BreakStart)
        );
        assert_eq!(s[0][1].duration_s, 900.0);
        assert_eq!(s[2][1].at_s, 7200.0 + 1800.0);
        assert_eq!(s[1].last(), Some(&step(18000.0, AgentAction::LogOff)));
    }
}
