//! The app's own picture of the floor, built from the engine's events: every
//! desk's state and caller, the callers in the IVR and in each queue, the live
//! KPIs and chart series. Plain Rust, no Bevy systems: the engine plugin feeds it
//! ([`ViewState::apply`]) and the floor, queue and HUD plugins only project it.
//!
//! The view is a pure function of the events (and, for the personality of a
//! caller answered the instant it arrived, of [`Simulation::agent_call`] at the
//! end of the frame, when view and engine stand at the same instant). Re-running
//! the same events rebuilds the same view, which is how seeking works.
//!
//! [`Simulation::agent_call`]: sim_core::Simulation::agent_call

use std::collections::{BTreeMap, HashMap, VecDeque};

use sim_core::engine::{AgentStatus, CallId};
use sim_core::routing::AgentId;
use sim_core::scenario::{DialOutcome, PersonaKind, Phase};
use sim_core::{SimEvent, SimTime};

use crate::kpi::{Charts, LiveKpis};

/// What a desk shows: the agent's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeskState {
    /// Not on shift.
    Off,
    /// On duty, waiting for a call.
    Idle,
    /// On a break.
    Break,
    /// Dialling a callback, reading a preview record, or waiting on a line the
    /// dialer reserved for the agent.
    Dialing,
    /// Talking, for call types without conversation phases.
    Talking,
    /// In a conversation phase, or in after-call work ([`Phase::Acw`]).
    InPhase(Phase),
}

impl DeskState {
    /// Whether the agent is working on a call (dialling, talking, after-call work).
    pub fn is_busy(self) -> bool {
        matches!(
            self,
            DeskState::Dialing | DeskState::Talking | DeskState::InPhase(_)
        )
    }

    /// Whether the agent is staffed: on duty and not on a break.
    pub fn is_staffed(self) -> bool {
        self == DeskState::Idle || self.is_busy()
    }
}

/// One desk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgentView {
    /// The agent's group (team).
    pub group: usize,
    /// What the agent is doing.
    pub state: DeskState,
    /// The call in hand (until the caller leaves).
    pub call: Option<CallId>,
    /// The caller's personality, while a caller is on the line and it is known.
    pub persona: Option<PersonaKind>,
    /// Since when the agent is in `state`, simulated seconds.
    pub since_s: f64,
}

/// A caller waiting in a queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Waiter {
    /// The call.
    pub call: CallId,
    /// The caller's personality.
    pub persona: Option<PersonaKind>,
    /// A priority customer (served first).
    pub priority: bool,
    /// Took a callback offer: waits off the line.
    pub callback: bool,
    /// When the caller joined the queue, simulated seconds.
    pub since_s: f64,
}

/// A caller who left a queue by hanging up (for the fade-out).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Departure {
    /// The queue (call type).
    pub queue: usize,
    /// Position in the lane when leaving (0 = front).
    pub rank: usize,
    /// The caller's personality.
    pub persona: Option<PersonaKind>,
}

/// Departures kept for the projection between two frames; more are dropped
/// (at high speed, hundreds can abandon in one frame).
pub const MAX_DEPARTURES: usize = 48;
/// Lane positions tracked for departures (callers further back are not drawn).
const MAX_DEPARTURE_RANK: usize = 256;

/// Where an outbound call stands on the dialer's lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineStage {
    /// Dialled, not yet answered.
    Ringing,
    /// Answered (by a person or a machine), waiting for AMD or an agent.
    Answered,
}

/// One outbound campaign's dialer as the view sees it: the lines in use and the
/// day-to-date counts. The nuisance rate follows the engine's definition
/// (people abandoned ÷ people who picked up and were connected or abandoned).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CampaignView {
    /// Whether the dialing window is open.
    pub open: bool,
    /// Lines dialled and ringing.
    pub ringing: u32,
    /// Lines answered, waiting for AMD's decision or for an agent.
    pub answered: u32,
    /// Dial attempts.
    pub dials: u64,
    /// People connected to an agent (right or wrong party).
    pub connects: u64,
    /// Sales.
    pub sales: u64,
    /// People abandoned (no agent in time, or hung up on by AMD): nuisance calls.
    pub nuisance: u64,
    /// Live answers of the last [`NUISANCE_RECENT_S`]: (time, abandoned).
    recent: VecDeque<(f64, bool)>,
    recent_nuisance: u32,
}

/// The window of the "recent" nuisance rate, simulated seconds.
pub const NUISANCE_RECENT_S: f64 = 3600.0;

impl CampaignView {
    /// Nuisance calls ÷ live answers (connected or abandoned), day to date.
    pub fn nuisance_rate(&self) -> Option<f64> {
        let live = self.connects + self.nuisance;
        (live > 0).then(|| self.nuisance as f64 / live as f64)
    }

    /// The same over the last [`NUISANCE_RECENT_S`] (as of the last event).
    pub fn recent_nuisance_rate(&self) -> Option<f64> {
        (!self.recent.is_empty())
            .then(|| f64::from(self.recent_nuisance) / self.recent.len() as f64)
    }

    fn live_fate(&mut self, t_s: f64, abandoned: bool) {
        self.recent.push_back((t_s, abandoned));
        self.recent_nuisance += u32::from(abandoned);
        while let Some(&(t0, a)) = self.recent.front() {
            if t0 > t_s - NUISANCE_RECENT_S {
                break;
            }
            self.recent.pop_front();
            self.recent_nuisance -= u32::from(a);
        }
    }
}

/// The app's picture of the run. See the module docs.
#[derive(Debug, Clone)]
pub struct ViewState {
    /// Service-level threshold, seconds.
    pub sl_s: f64,
    /// The desks, by agent id.
    pub agents: Vec<AgentView>,
    /// Per queue (call type): waiting callers in the order they joined.
    lanes: Vec<BTreeMap<u64, Waiter>>,
    /// Where each waiting caller is: (queue, join sequence).
    waiting_index: HashMap<CallId, (usize, u64)>,
    next_seq: u64,
    /// Callers in each IVR menu.
    pub ivr: Vec<u32>,
    in_ivr: HashMap<CallId, usize>,
    /// Per outbound campaign: its dialer's lines and counts.
    pub campaigns: Vec<CampaignView>,
    lines: HashMap<CallId, (usize, LineStage)>,
    /// Calls that arrived (first calls and retrials).
    pub arrived: u64,
    /// Day-to-date KPIs.
    pub kpis: LiveKpis,
    /// Chart series.
    pub charts: Charts,
    /// Abandonments since the projection last took them.
    pub departures: Vec<Departure>,
    /// The last event applied, for the HUD.
    pub last_event: Option<(SimTime, SimEvent)>,
    /// Events applied.
    pub events: u64,
    /// Simulated time the view stands at, seconds.
    pub now_s: f64,
    /// The desk a training student sits at (the agent the session took off
    /// the floor).
    pub seat: Option<u32>,
    /// What the student's desk shows (the student's phase), overriding the
    /// engine's state of that agent.
    pub seat_state: Option<DeskState>,
    busy: u32,
    staffed: u32,
    dirty: Vec<u32>,
    is_dirty: Vec<bool>,
    unresolved: Vec<u32>,
}

impl ViewState {
    /// An empty floor: `groups_of_agents[a]` is agent `a`'s group (all off
    /// shift), with `queues` queues, `menus` IVR menus and `campaigns` outbound
    /// campaigns; charts sample every `chart_step_s`.
    pub fn new(
        groups_of_agents: impl IntoIterator<Item = usize>,
        queues: usize,
        menus: usize,
        campaigns: usize,
        sl_s: f64,
        chart_step_s: f64,
    ) -> ViewState {
        let agents: Vec<AgentView> = groups_of_agents
            .into_iter()
            .map(|group| AgentView {
                group,
                state: DeskState::Off,
                call: None,
                persona: None,
                since_s: 0.0,
            })
            .collect();
        let n = agents.len();
        ViewState {
            sl_s,
            agents,
            lanes: vec![BTreeMap::new(); queues],
            waiting_index: HashMap::new(),
            next_seq: 0,
            ivr: vec![0; menus],
            in_ivr: HashMap::new(),
            campaigns: vec![CampaignView::default(); campaigns],
            lines: HashMap::new(),
            arrived: 0,
            kpis: LiveKpis::default(),
            charts: Charts::new(queues, chart_step_s, 15.0 * 60.0),
            departures: Vec::new(),
            last_event: None,
            events: 0,
            now_s: 0.0,
            seat: None,
            seat_state: None,
            busy: 0,
            staffed: 0,
            dirty: (0..n as u32).collect(),
            is_dirty: vec![true; n],
            unresolved: Vec::new(),
        }
    }

    /// Grow the floor to `count` desks (agents hired mid-run); `group_of` gives
    /// each new agent's group.
    pub fn ensure_agents(&mut self, count: usize, group_of: impl Fn(usize) -> usize) {
        while self.agents.len() < count {
            let a = self.agents.len();
            self.agents.push(AgentView {
                group: group_of(a),
                state: DeskState::Off,
                call: None,
                persona: None,
                since_s: self.now_s,
            });
            self.is_dirty.push(false);
            self.mark(a);
        }
    }

    /// The waiting callers of `queue`, front (longest waiting) first.
    pub fn lane(&self, queue: usize) -> impl ExactSizeIterator<Item = &Waiter> {
        self.lanes[queue].values()
    }

    /// Number of queues.
    pub fn queue_count(&self) -> usize {
        self.lanes.len()
    }

    /// Callers waiting in `queue`.
    pub fn waiting(&self, queue: usize) -> usize {
        self.lanes[queue].len()
    }

    /// Callers waiting, per queue.
    pub fn waiting_all(&self) -> Vec<u32> {
        self.lanes.iter().map(|l| l.len() as u32).collect()
    }

    /// Agents busy and staffed now.
    pub fn busy_and_staffed(&self) -> (u32, u32) {
        (self.busy, self.staffed)
    }

    /// Show `state` on the student's desk (`None`: the engine's state).
    pub fn set_seat_state(&mut self, state: Option<DeskState>) {
        if self.seat_state != state {
            self.seat_state = state;
            if let Some(a) = self.seat {
                self.mark(a as usize);
            }
        }
    }

    /// What the desk of agent `a` shows.
    pub fn desk_state(&self, a: usize) -> Option<DeskState> {
        let v = self.agents.get(a)?;
        match self.seat_state {
            Some(s) if self.seat == Some(a as u32) => Some(s),
            _ => Some(v.state),
        }
    }

    /// Take the agents whose desk changed since the last call (every agent after
    /// [`ViewState::new`]).
    pub fn take_dirty(&mut self) -> Vec<u32> {
        for &a in &self.dirty {
            self.is_dirty[a as usize] = false;
        }
        std::mem::take(&mut self.dirty)
    }

    /// Agents on a call whose caller the events did not identify (answered the
    /// instant they arrived, or a callback being dialled): the engine plugin asks
    /// the engine about them at the end of the frame.
    pub fn take_unresolved(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.unresolved)
    }

    /// The engine says `agent` has `call` in hand, with this caller.
    pub fn resolve_call(&mut self, agent: u32, call: CallId, persona: Option<PersonaKind>) {
        let a = agent as usize;
        let Some(view) = self.agents.get(a) else {
            return;
        };
        if !view.state.is_busy() || view.state == DeskState::InPhase(Phase::Acw) {
            return;
        }
        // A callback being dialled leaves the lane now.
        let _ = self.remove_waiter(call, false);
        let view = &mut self.agents[a];
        view.call = Some(call);
        view.persona = persona;
        self.mark(a);
    }

    fn mark(&mut self, a: usize) {
        if !self.is_dirty[a] {
            self.is_dirty[a] = true;
            self.dirty.push(a as u32);
        }
    }

    fn set_state(&mut self, a: usize, state: DeskState) {
        let old = self.agents[a].state;
        if old == state {
            return;
        }
        self.busy = self.busy + u32::from(state.is_busy()) - u32::from(old.is_busy());
        self.staffed = self.staffed + u32::from(state.is_staffed()) - u32::from(old.is_staffed());
        let v = &mut self.agents[a];
        v.state = state;
        v.since_s = self.now_s;
        self.mark(a);
    }

    /// Take `call` out of its lane: its queue, its position (counted up to
    /// `MAX_DEPARTURE_RANK` when `rank` is asked for) and the waiter.
    fn remove_waiter(&mut self, call: CallId, rank: bool) -> Option<(usize, usize, Waiter)> {
        let (q, seq) = self.waiting_index.remove(&call)?;
        let lane = &mut self.lanes[q];
        let rank = if rank {
            lane.range(..seq).take(MAX_DEPARTURE_RANK).count()
        } else {
            0
        };
        let w = lane.remove(&seq)?;
        Some((q, rank, w))
    }

    /// Move the view's clock to `t_s`: integrate the occupancy and take the chart
    /// samples due at or before `t_s` (`inclusive`) or strictly before it.
    pub fn advance_to(&mut self, t_s: f64, inclusive: bool) {
        if t_s > self.now_s {
            let dt = t_s - self.now_s;
            self.kpis.busy_agent_s += f64::from(self.busy) * dt;
            self.kpis.staffed_agent_s += f64::from(self.staffed) * dt;
        }
        loop {
            let next = self.charts.next_sample_s();
            if next > t_s || (!inclusive && next == t_s) {
                break;
            }
            let waiting = self.waiting_all();
            self.charts.take_sample(&self.kpis, &waiting);
        }
        self.now_s = self.now_s.max(t_s);
    }

    /// Apply one event that happened at `t`.
    pub fn apply(&mut self, t: SimTime, event: &SimEvent) {
        let t_s = t.seconds();
        self.advance_to(t_s, true);
        self.events += 1;
        self.last_event = Some((t, *event));
        match *event {
            SimEvent::CallArrived { .. } => self.arrived += 1,
            SimEvent::IvrMenu { call, menu } => {
                if let Some(old) = self.in_ivr.insert(call, menu)
                    && let Some(n) = self.ivr.get_mut(old)
                {
                    *n = n.saturating_sub(1);
                }
                if let Some(n) = self.ivr.get_mut(menu) {
                    *n += 1;
                }
            }
            SimEvent::IvrLeft { call, .. } => {
                if let Some(old) = self.in_ivr.remove(&call)
                    && let Some(n) = self.ivr.get_mut(old)
                {
                    *n = n.saturating_sub(1);
                }
            }
            SimEvent::CallQueued {
                call,
                call_type,
                persona,
                priority,
                callback,
            } if call_type < self.lanes.len() => {
                let seq = self.next_seq;
                self.next_seq += 1;
                self.lanes[call_type].insert(
                    seq,
                    Waiter {
                        call,
                        persona,
                        priority,
                        callback,
                        since_s: t_s,
                    },
                );
                self.waiting_index.insert(call, (call_type, seq));
            }
            SimEvent::CallAnswered {
                call,
                agent,
                wait_s,
                ..
            } => {
                self.kpis.answered += 1;
                self.kpis.wait_sum_s += wait_s;
                let in_sl = wait_s <= self.sl_s;
                if in_sl {
                    self.kpis.answered_in_sl += 1;
                }
                self.charts.call_ended(t_s, in_sl);
                let waiter = self.remove_waiter(call, false).map(|(_, _, w)| w);
                let a = agent.0 as usize;
                if a < self.agents.len() {
                    let known = self.agents[a].call == Some(call);
                    self.set_state(a, DeskState::Talking);
                    let v = &mut self.agents[a];
                    match waiter {
                        Some(w) => v.persona = w.persona,
                        None if known => {}
                        None => {
                            v.persona = None;
                            self.unresolved.push(agent.0);
                        }
                    }
                    self.agents[a].call = Some(call);
                    self.mark(a);
                }
            }
            SimEvent::PhaseStarted { agent, phase, .. } => {
                let a = agent.0 as usize;
                if a < self.agents.len() {
                    self.set_state(a, DeskState::InPhase(phase));
                    if phase == Phase::Acw {
                        let v = &mut self.agents[a];
                        v.call = None;
                        v.persona = None;
                    }
                }
            }
            SimEvent::CallCompleted { agent, .. } => {
                if let Some(v) = self.agents.get_mut(agent.0 as usize) {
                    v.call = None;
                    v.persona = None;
                    self.mark(agent.0 as usize);
                }
            }
            SimEvent::CallAbandoned { call, .. } => {
                self.kpis.abandoned += 1;
                self.charts.call_ended(t_s, false);
                if let Some((queue, rank, w)) = self.remove_waiter(call, true)
                    && rank < MAX_DEPARTURE_RANK
                {
                    if self.departures.len() >= MAX_DEPARTURES {
                        self.departures.remove(0);
                    }
                    self.departures.push(Departure {
                        queue,
                        rank,
                        persona: w.persona,
                    });
                }
            }
            SimEvent::AgentChanged { agent, status } => {
                let a = agent.0 as usize;
                if a < self.agents.len() {
                    let state = match status {
                        AgentStatus::Off => DeskState::Off,
                        AgentStatus::Idle => DeskState::Idle,
                        AgentStatus::Break => DeskState::Break,
                        AgentStatus::Busy => DeskState::Dialing,
                    };
                    self.set_state(a, state);
                    let v = &mut self.agents[a];
                    v.call = None;
                    v.persona = None;
                    if status == AgentStatus::Busy {
                        // Answered at once (a CallAnswered follows in the same
                        // instant) or dialling a callback: ask the engine who.
                        self.unresolved.push(agent.0);
                    }
                }
            }
            SimEvent::CampaignWindow { campaign, open } => {
                if let Some(c) = self.campaigns.get_mut(campaign) {
                    c.open = open;
                }
            }
            SimEvent::PreviewStarted { agent, .. } => self.dialing(agent),
            SimEvent::Dialed {
                call,
                campaign,
                agent,
                ..
            } => {
                if let Some(c) = self.campaigns.get_mut(campaign) {
                    c.dials += 1;
                    c.ringing += 1;
                    self.lines.insert(call, (campaign, LineStage::Ringing));
                }
                if let Some(agent) = agent {
                    self.dialing(agent);
                }
            }
            SimEvent::DialResult { call, outcome, .. } => {
                if outcome.is_answered() {
                    self.line_to(call, Some(LineStage::Answered));
                } else {
                    self.line_to(call, None);
                }
            }
            SimEvent::AmdDecision {
                call,
                machine: true,
                ..
            } => self.line_to(call, None),
            SimEvent::OutboundConnected {
                call,
                campaign,
                agent,
                outcome,
                ..
            } => {
                self.line_to(call, None);
                if let Some(c) = self.campaigns.get_mut(campaign)
                    && matches!(outcome, DialOutcome::RightParty | DialOutcome::WrongParty)
                {
                    c.connects += 1;
                    c.live_fate(t_s, false);
                }
                let a = agent.0 as usize;
                if a < self.agents.len() {
                    self.set_state(a, DeskState::Talking);
                    let v = &mut self.agents[a];
                    v.call = Some(call);
                    v.persona = None;
                    // The callee's personality is the engine's to say.
                    self.unresolved.push(agent.0);
                    self.mark(a);
                }
            }
            SimEvent::OutboundAbandoned {
                call,
                campaign,
                live,
                ..
            } => {
                self.line_to(call, None);
                if live && let Some(c) = self.campaigns.get_mut(campaign) {
                    c.nuisance += 1;
                    c.live_fate(t_s, true);
                }
            }
            SimEvent::OutboundCompleted {
                campaign,
                agent,
                sale,
                ..
            } => {
                if sale && let Some(c) = self.campaigns.get_mut(campaign) {
                    c.sales += 1;
                }
                if let Some(v) = self.agents.get_mut(agent.0 as usize) {
                    v.call = None;
                    v.persona = None;
                    self.mark(agent.0 as usize);
                }
            }
            // Transfers show as the caller joining the next queue; blending
            // shows in the desks' states.
            _ => {}
        }
    }

    /// An agent reads a record or waits on a line it was reserved for.
    fn dialing(&mut self, agent: AgentId) {
        let a = agent.0 as usize;
        if a < self.agents.len() {
            self.set_state(a, DeskState::Dialing);
            let v = &mut self.agents[a];
            v.call = None;
            v.persona = None;
        }
    }

    /// Move an outbound line to `stage`, or take it off the lines (`None`).
    fn line_to(&mut self, call: CallId, stage: Option<LineStage>) {
        let Some(&(c, old)) = self.lines.get(&call) else {
            return;
        };
        let cv = &mut self.campaigns[c];
        match old {
            LineStage::Ringing => cv.ringing -= 1,
            LineStage::Answered => cv.answered -= 1,
        }
        match stage {
            Some(LineStage::Ringing) => cv.ringing += 1,
            Some(LineStage::Answered) => cv.answered += 1,
            None => {}
        }
        match stage {
            Some(st) => {
                self.lines.insert(call, (c, st));
            }
            None => {
                self.lines.remove(&call);
            }
        }
    }

    /// The agents in `group`, in id order.
    pub fn group_members(&self, group: usize) -> impl Iterator<Item = (AgentId, &AgentView)> {
        self.agents
            .iter()
            .enumerate()
            .filter(move |(_, v)| v.group == group)
            .map(|(a, v)| (AgentId(a as u32), v))
    }
}

#[cfg(test)]
mod tests;
