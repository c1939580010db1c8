//! The discrete-event engine: the simulation clock, the future-event list, the
//! event loop, and the random streams.
//!
//! A [`Model`] is a validated scenario compiled for the engine. A [`Simulation`] is
//! one replication of a model: it owns the clock, the event list, the calls and
//! agents (in compact arenas), the routing policy and the statistics collector.
//!
//! # The event loop
//!
//! [`Simulation::step`] pops the earliest `(time, sequence)` entry, advances the
//! clock, and dispatches on the closed [`Event`] enum: one handler per kind. Handlers
//! change the state, schedule further events, tell the collector, and tell the
//! [`Observer`]. Equal times run in the order they were scheduled.
//!
//! # The life of a call
//!
//! A call arrives at a call type's queue directly or at an IVR entry point. In the
//! IVR it hears menus (each takes time), and hangs up, is served by self-service,
//! or is routed to a queue (sometimes the wrong one). On joining a queue it gets
//! its type's attributes: a personality, priority, patience, and the base
//! durations of its work. It is answered at once by the longest-idle eligible
//! agent, or waits (and may abandon, be taken by an overflow group after a
//! threshold, or take a callback offer). Once answered, the agent goes through the
//! five conversation phases and after-call work (or one block of handle time),
//! each scaled by the caller's personality and the agent's proficiency. A share of
//! calls is escalated after the offer phase and queues again at the second line.
//! When the caller hangs up, resolution and satisfaction are drawn; an unresolved
//! caller, or one who abandoned, may call again later.
//!
//! Agents follow their schedules (log on, breaks, log off), always finishing the
//! call in hand first.
//!
//! # The life of an outbound call
//!
//! Campaigns (see [`outbound`]) dial records of their call lists when their dialer
//! says so. A dial rings for a while and ends in no answer, busy, an invalid
//! number, or an answer by a machine or a person; with AMD an answered call is
//! analysed first (machines are hung up on; a person is sometimes taken for one).
//! A call taken for a person goes to an agent: the agent reserved for the line
//! (preview, progressive), or any free agent of the campaign (predictive); one
//! that finds no agent within `connect_within_s` is abandoned. Connected calls use
//! the inbound work machinery: the five phases and after-call work, scaled by
//! the callee's personality. Records are dialled again by the campaign's retry
//! rules. A scenario without campaigns has no outbound state at all.
//!
//! # Cancellation
//!
//! Timers (abandonment, overflow) are never searched for: each carries the
//! generation of its call's arena slot, and when it pops for a call that has moved
//! on it is discarded in O(1). Queues drop departed calls lazily the same way.
//!
//! A run is a pure function of `(model, seed, replication)`.

pub mod model;
pub mod outbound;
pub mod queue;
pub mod rng;
pub mod time;

use std::sync::Arc;

use rand::RngExt;
use rand_distr::{Distribution, Exp1, Gamma};

use crate::routing::{AgentId, CallRef, Class, Floor, Policy, Router, Waiting};
use crate::scenario::{DialOutcome, PersonaKind, Phase};
use crate::stats::RepResult;
use crate::stats::collector::Collector;
pub use model::{AgentAction, Model};
use model::{MenuChoice, Rate, Target, Work, pick};
use queue::EventQueue;
use rng::{Purpose, Stream, stream};
pub use time::SimTime;

/// Something scheduled on the event list. Closed: the loop matches every kind.
#[derive(Debug, Clone, Copy)]
enum Event {
    // Kept to 12 bytes: heap entries are 32 bytes, two per cache line.
    /// The next call of an arrival source arrives.
    Arrival { source: u32 },
    /// A caller finishes listening to an IVR menu.
    IvrDone { call: CallRef },
    /// A waiting caller's patience runs out (stale if the call moved on).
    Abandon { call: CallRef },
    /// A waiting call reaches its type's overflow threshold (stale if it moved on).
    Overflow { call: CallRef },
    /// The current step of an agent's work ends.
    WorkStep { agent: AgentId },
    /// A caller calls again.
    Retrial { call_type: u32, persona: u8 },
    /// A scheduled change of an agent's status: step `step` of its plan.
    Agent { agent: AgentId, step: u32 },
    /// An agent's break ends.
    BreakEnd { agent: AgentId },
    /// A campaign's dialer tick (each second of its dialing window).
    DialerTick { campaign: u32 },
    /// A dialled line's outcome is known (rang out, busy, invalid, answered).
    DialDone { call: CallRef },
    /// AMD has decided on an answered line.
    AmdDone { call: CallRef },
    /// A live answer waiting for an agent runs out of time (stale if connected).
    ConnectTimeout { call: CallRef },
    /// The blending band is checked.
    BlendReview,
}

/// A call's serial number in its replication (0, 1, 2, … in arrival order). A
/// caller calling again is a new call.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct CallId(pub u64);

/// What an agent is doing, as observers see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AgentStatus {
    /// Not on duty.
    Off,
    /// On duty, waiting for a call.
    Idle,
    /// Handling a call (see [`SimEvent::PhaseStarted`] for the phase).
    Busy,
    /// On a break.
    Break,
}

/// How a caller left the IVR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum IvrOutcome {
    /// Hung up in a menu.
    HungUp,
    /// Served by the IVR alone.
    SelfService,
    /// Sent to a call type's queue.
    Routed {
        /// The call type.
        call_type: usize,
        /// Whether the caller picked the wrong option.
        misrouted: bool,
    },
}

/// Something that happened in the run, as observers see it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum SimEvent {
    /// A call arrived: at a call type's queue (`call_type`), or at an IVR entry
    /// point (`call_type` is `None`).
    CallArrived {
        /// The call.
        call: CallId,
        /// Its type when dialled straight to a queue.
        call_type: Option<usize>,
        /// Whether this caller is calling again.
        retrial: bool,
    },
    /// A caller entered an IVR menu.
    IvrMenu {
        /// The call.
        call: CallId,
        /// The menu (index into the scenario's `ivr`).
        menu: usize,
    },
    /// A caller left the IVR.
    IvrLeft {
        /// The call.
        call: CallId,
        /// How.
        outcome: IvrOutcome,
    },
    /// A call joined a queue (no agent was free).
    CallQueued {
        /// The call.
        call: CallId,
        /// Its type.
        call_type: usize,
        /// The caller's personality, if the type has a persona mix.
        persona: Option<PersonaKind>,
        /// Whether the caller is a priority customer.
        priority: bool,
        /// Whether the caller took a callback instead of waiting on the line.
        callback: bool,
    },
    /// An agent answered the call (for a callback: reached the customer).
    CallAnswered {
        /// The call.
        call: CallId,
        /// Its type.
        call_type: usize,
        /// The agent.
        agent: AgentId,
        /// How long the caller waited, seconds.
        wait_s: f64,
    },
    /// The agent moved to a conversation phase (or after-call work).
    PhaseStarted {
        /// The call.
        call: CallId,
        /// The agent.
        agent: AgentId,
        /// The phase.
        phase: Phase,
    },
    /// The agent escalated the call to another call type's queue.
    CallTransferred {
        /// The call.
        call: CallId,
        /// From this type.
        from: usize,
        /// To this type.
        to: usize,
    },
    /// The caller hung up while waiting (or a callback did not reach them).
    CallAbandoned {
        /// The call.
        call: CallId,
        /// Its type.
        call_type: usize,
        /// How long the caller waited, seconds.
        wait_s: f64,
    },
    /// The conversation ended and the caller hung up (the agent may still do
    /// after-call work).
    CallCompleted {
        /// The call.
        call: CallId,
        /// Its type.
        call_type: usize,
        /// The agent.
        agent: AgentId,
        /// Whether the issue was resolved (with personas).
        resolved: Option<bool>,
        /// Satisfaction score 1–5 (with personas).
        csat: Option<u8>,
    },
    /// An agent's status changed.
    AgentChanged {
        /// The agent.
        agent: AgentId,
        /// The new status.
        status: AgentStatus,
    },
    /// A campaign's dialing window opened (`open`) or closed.
    CampaignWindow {
        /// The campaign (index into the scenario's `campaigns`).
        campaign: usize,
        /// Whether it opened.
        open: bool,
    },
    /// A reserved agent started reading a record before dialing it (preview).
    PreviewStarted {
        /// The agent.
        agent: AgentId,
        /// The campaign.
        campaign: usize,
        /// The record (index into the call list).
        record: u32,
    },
    /// A campaign dialled a record.
    Dialed {
        /// The outbound call.
        call: CallId,
        /// The campaign.
        campaign: usize,
        /// The record (index into the call list).
        record: u32,
        /// Which attempt on this record (1 for the first).
        attempt: u32,
        /// The agent reserved for the line (preview, progressive).
        agent: Option<AgentId>,
    },
    /// The network's outcome of a dial: rang out, busy, invalid, or answered
    /// (by a machine or a person — the truth, whatever AMD will decide).
    DialResult {
        /// The outbound call.
        call: CallId,
        /// The campaign.
        campaign: usize,
        /// The outcome.
        outcome: DialOutcome,
    },
    /// Answering-machine detection decided.
    AmdDecision {
        /// The outbound call.
        call: CallId,
        /// The campaign.
        campaign: usize,
        /// Whether AMD took the callee for a machine (and hung up).
        machine: bool,
        /// Whether that was right.
        correct: bool,
    },
    /// An answered outbound call was connected to an agent.
    OutboundConnected {
        /// The outbound call.
        call: CallId,
        /// The campaign.
        campaign: usize,
        /// The agent.
        agent: AgentId,
        /// Who answered.
        outcome: DialOutcome,
        /// How long the callee waited for the agent, seconds.
        wait_s: f64,
    },
    /// An answered outbound call was abandoned: no agent in time, or AMD hung up
    /// on a person (`by_amd`). A person abandoned is a nuisance call.
    OutboundAbandoned {
        /// The outbound call.
        call: CallId,
        /// The campaign.
        campaign: usize,
        /// Whether a person (not a machine) was abandoned.
        live: bool,
        /// Whether AMD hung up (a false positive) rather than no agent being free.
        by_amd: bool,
    },
    /// An outbound conversation ended (the agent may still do after-call work).
    OutboundCompleted {
        /// The outbound call.
        call: CallId,
        /// The campaign.
        campaign: usize,
        /// The agent.
        agent: AgentId,
        /// Who answered.
        outcome: DialOutcome,
        /// The right party's personality.
        persona: Option<PersonaKind>,
        /// Whether a sale was made.
        sale: bool,
    },
    /// Blending moved agents: this many blended agents may now do outbound work.
    BlendQuota {
        /// Blended agents allowed on outbound work.
        outbound_agents: u32,
        /// The rolling inbound service level that prompted it (`NaN`: no calls).
        service_level: f64,
    },
}

/// The call an agent is talking to, as [`Simulation::agent_call`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AgentCall {
    /// The call.
    pub call: CallId,
    /// Its type.
    pub call_type: usize,
    /// The caller's personality, if the type has a persona mix.
    pub persona: Option<PersonaKind>,
    /// Whether the caller is a priority customer.
    pub priority: bool,
}

/// An outside input to a running simulation (an operator's what-if, a trainer's
/// intervention). Inputs are applied at the current simulated time, in the order
/// given; a run with the same inputs at the same times is reproduced exactly.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Input {
    /// Put `count` agents of group `group` on duty from now on: agents are logged
    /// on (new ones are hired into the group when needed) or logged off (after the
    /// call in hand). Their later scheduled changes still apply.
    SetOnDuty {
        /// The group (index into the scenario's agent groups).
        group: usize,
        /// Agents on duty wanted.
        count: u32,
    },
}

/// Why an [`Input`] was refused. Not fatal: the run goes on unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The group index is out of range.
    #[error("no agent group {0}")]
    NoSuchGroup(usize),
}

/// Receives every [`SimEvent`] of a run. Observers record; they cannot steer.
pub trait Observer {
    /// Called after the engine applied `event` at time `now`.
    fn on_event(&mut self, now: SimTime, event: &SimEvent);
}

/// The observer that ignores everything (compiled away).
impl Observer for () {
    #[inline(always)]
    fn on_event(&mut self, _now: SimTime, _event: &SimEvent) {}
}

impl Observer for Vec<(SimTime, SimEvent)> {
    fn on_event(&mut self, now: SimTime, event: &SimEvent) {
        self.push((now, *event));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallState {
    Free,
    Ivr,
    Waiting,
    Callback,
    InService,
    /// An outbound line ringing.
    Dialing,
    /// An answered outbound line in AMD analysis.
    Amd,
    /// An answered outbound line waiting for an agent.
    AwaitingAgent,
}

const NO_PERSONA: u8 = u8::MAX;

/// One slot of the call arena.
#[derive(Debug, Clone, Copy)]
struct CallSlot {
    generation: u32,
    state: CallState,
    call_type: u32,
    menu: u32,
    interval: u32,
    persona: u8,
    priority: bool,
    counted: bool,
    waited: bool,
    transfer: bool,
    /// An outbound line: `call_type` is then the campaign and `menu` unused (the
    /// line's details are in the outbound state, by slot index).
    outbound: bool,
    serial: u64,
    /// Arrival at the current queue (or the IVR).
    arrived_s: f64,
    /// Patience for the current queue, seconds (infinite: never abandons).
    patience_s: f64,
    /// Work durations: the phases (alertheid … acw), or `[handle, 0, …]`.
    work: [f64; 6],
}

impl CallSlot {
    fn persona(&self) -> Option<usize> {
        (self.persona != NO_PERSONA).then_some(self.persona as usize)
    }
}

/// What a call gets from its call type on joining its queue.
#[derive(Debug, Clone, Copy)]
struct Attributes {
    persona: u8,
    priority: bool,
    work: [f64; 6],
    patience_s: f64,
}

impl Attributes {
    /// A call with no type yet (in the IVR, or an outbound line).
    const NONE: Attributes = Attributes {
        persona: NO_PERSONA,
        priority: false,
        work: [0.0; 6],
        patience_s: f64::INFINITY,
    };
}

/// A step of an agent's work.
const RING: u8 = 6;
const HANDLE: u8 = 7;
/// Outbound: reading a record before dialing it (preview).
const PREVIEW: u8 = 8;
/// Outbound: reserved for a line that is ringing (preview, progressive).
const DIAL_WAIT: u8 = 9;

#[derive(Debug, Clone, Copy)]
struct AgentRun {
    on_duty: bool,
    on_break: bool,
    pending_off: bool,
    pending_break_s: f64,
    /// The call in hand (None during after-call work of a transferred call).
    call: Option<CallRef>,
    /// Call type and step of the work in hand.
    busy_type: u32,
    step: u8,
    busy: bool,
}

impl AgentRun {
    /// An agent off duty with nothing in hand.
    const OFF: AgentRun = AgentRun {
        on_duty: false,
        on_break: false,
        pending_off: false,
        pending_break_s: 0.0,
        call: None,
        busy_type: 0,
        step: 0,
        busy: false,
    };
}

/// One replication of a [`Model`].
#[derive(Debug)]
pub struct Simulation<O: Observer = ()> {
    model: Arc<Model>,
    replication: u64,
    now: SimTime,
    events: u64,
    fel: EventQueue<Event>,
    calls: Vec<CallSlot>,
    free_calls: Vec<u32>,
    next_serial: u64,
    agents: Vec<AgentRun>,
    /// Per group, agents available for calls (on duty, not on break).
    available: Vec<u32>,
    floor: Floor,
    router: Policy,
    day_factor: f64,
    arrivals_rng: Vec<Stream>,
    handle_rng: Vec<Stream>,
    patience_rng: Vec<Stream>,
    persona_rng: Vec<Stream>,
    priority_rng: Vec<Stream>,
    transfer_rng: Vec<Stream>,
    outcome_rng: Vec<Stream>,
    callback_rng: Vec<Stream>,
    retry_rng: Vec<Stream>,
    ivr_rng: Vec<Stream>,
    collector: Collector,
    /// Counted calls not yet ended (the caller still on the line or in queue).
    counted_in_flight: u64,
    /// Arrival sources still running.
    arrivals_open: u32,
    /// Outbound campaigns and blending (`None` without campaigns).
    out: Option<Box<outbound::Outbound>>,
    /// Per source: the index of the next recorded call of a trace source (unused
    /// by the others).
    trace_next: Vec<usize>,
    observer: O,
}

impl Simulation<()> {
    /// Replication `replication` of `model` with the scenario's seed replaced by
    /// `seed`, observed by nobody.
    pub fn new(model: Arc<Model>, seed: u64, replication: u64) -> Self {
        Simulation::with_observer(model, seed, replication, ())
    }
}

impl<O: Observer> Simulation<O> {
    /// Replication `replication` of `model`, reporting every event to `observer`.
    pub fn with_observer(model: Arc<Model>, seed: u64, replication: u64, observer: O) -> Self {
        let n_types = model.call_types.len();
        let streams = |purpose, n: usize| {
            (0..n as u64)
                .map(|i| stream(seed, replication, purpose, i))
                .collect::<Vec<_>>()
        };
        let floor = Floor::new(
            &model.agents.iter().map(|a| a.group).collect::<Vec<_>>(),
            model.groups.iter().map(|g| g.skills.clone()).collect(),
            model
                .groups
                .iter()
                .map(|g| g.overflow_types.clone())
                .collect(),
            model
                .call_types
                .iter()
                .map(|c| c.overflow_after_s.unwrap_or(f64::INFINITY))
                .collect(),
        );
        let mut collector = Collector::new(
            model.warmup_s,
            model.horizon_s,
            model.interval_s,
            model.intervals,
            model.sl_s,
            n_types,
            model.groups.len(),
            model.menus.len(),
        );
        let out = outbound::Outbound::new(&model, seed, replication);
        if out.is_some() {
            collector.campaigns = Some(Box::new(outbound::campaign_collector(&model)));
        }
        let day_factor = if model.busyness_cv > 0.0 {
            let k = 1.0 / (model.busyness_cv * model.busyness_cv);
            let mut r = stream(seed, replication, Purpose::Busyness, 0);
            Gamma::new(k, 1.0 / k).map_or(1.0, |g| g.sample(&mut r))
        } else {
            1.0
        };
        let mut sim = Simulation {
            replication,
            now: SimTime::ZERO,
            events: 0,
            fel: EventQueue::new(),
            calls: Vec::with_capacity(1024),
            free_calls: Vec::new(),
            next_serial: 0,
            agents: vec![AgentRun::OFF; model.agents.len()],
            available: vec![0; model.groups.len()],
            floor,
            router: Policy::new(model.policy),
            day_factor,
            arrivals_rng: streams(Purpose::Arrivals, model.sources.len()),
            handle_rng: streams(Purpose::HandleTime, n_types),
            patience_rng: streams(Purpose::Patience, n_types),
            persona_rng: streams(Purpose::Persona, n_types),
            priority_rng: streams(Purpose::Priority, n_types),
            transfer_rng: streams(Purpose::Transfer, n_types),
            outcome_rng: streams(Purpose::Outcome, n_types),
            callback_rng: streams(Purpose::Callback, n_types),
            retry_rng: streams(Purpose::RetryDelay, n_types),
            ivr_rng: streams(Purpose::Ivr, model.menus.len()),
            collector,
            counted_in_flight: 0,
            arrivals_open: model.sources.len() as u32,
            out,
            trace_next: vec![0; model.sources.len()],
            observer,
            model,
        };
        sim.schedule_agents(seed);
        for source in 0..sim.model.sources.len() {
            sim.schedule_next_arrival(source);
        }
        if sim.out.is_some() {
            sim.schedule_outbound();
        }
        sim
    }

    /// Put every agent's plan on the event list (those present from time 0 start
    /// on duty at once); agents absent for the day (shrinkage) are left out.
    fn schedule_agents(&mut self, seed: u64) {
        let model = Arc::clone(&self.model);
        let mut absence: Vec<Stream> = (0..model.groups.len() as u64)
            .map(|g| stream(seed, self.replication, Purpose::Shrinkage, g))
            .collect();
        for (a, plan) in model.agents.iter().enumerate() {
            let g = plan.group as usize;
            let shrinkage = model.groups[g].shrinkage;
            let u: f64 = absence[g].random();
            if shrinkage > 0.0 && u < shrinkage {
                continue;
            }
            let agent = AgentId(a as u32);
            for (k, step) in plan.schedule.iter().enumerate() {
                if step.at_s <= 0.0 && step.action == AgentAction::LogOn {
                    self.log_on(agent);
                } else if let Some(t) = SimTime::new(step.at_s) {
                    self.fel.push(
                        t,
                        Event::Agent {
                            agent,
                            step: k as u32,
                        },
                    );
                }
            }
        }
    }

    /// The simulated clock.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The model being simulated.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The routing view of the floor (idle agents, queues), read-only.
    pub fn floor(&self) -> &Floor {
        &self.floor
    }

    /// The observer.
    pub fn observer(&self) -> &O {
        &self.observer
    }

    /// The observer, mutably (to drain what it collected).
    pub fn observer_mut(&mut self) -> &mut O {
        &mut self.observer
    }

    /// Agents of `group` on duty now (breaks included, leaving agents excluded).
    pub fn on_duty(&self, group: usize) -> u32 {
        self.agents
            .iter()
            .enumerate()
            .filter(|(a, r)| {
                r.on_duty && !r.pending_off && self.floor.group_of(AgentId(*a as u32)) == group
            })
            .count() as u32
    }

    /// Whether `agent` is on duty and staying so (not logging off after the
    /// call in hand, not on a break's way out).
    pub fn is_on_duty(&self, agent: AgentId) -> bool {
        self.agents
            .get(agent.0 as usize)
            .is_some_and(|r| r.on_duty && !r.pending_off)
    }

    /// The call `agent` has in hand now: from the moment it is answered (or, for a
    /// callback, dialled) until the caller leaves; `None` when the agent is idle,
    /// off duty, on a break, in after-call work, or does not exist.
    ///
    /// Front ends use it for what the events leave out: a caller answered the
    /// instant it arrives is never [`SimEvent::CallQueued`], so its personality
    /// appears in no event. O(1).
    pub fn agent_call(&self, agent: AgentId) -> Option<AgentCall> {
        let call = self.agents.get(agent.0 as usize)?.call?;
        let s = self.slot(call);
        (s.generation == call.generation && s.state == CallState::InService).then(|| AgentCall {
            call: CallId(s.serial),
            call_type: s.call_type as usize,
            persona: s.persona().map(|p| PersonaKind::ALL[p]),
            priority: s.priority,
        })
    }

    /// Apply an outside input at the current time.
    pub fn apply(&mut self, input: Input) -> Result<(), InputError> {
        match input {
            Input::SetOnDuty { group, count } => {
                if group >= self.model.groups.len() {
                    return Err(InputError::NoSuchGroup(group));
                }
                let mut now = self.on_duty(group);
                // Log on: first agents of the group who are off duty, then new hires.
                let mut a = 0;
                while now < count {
                    let id = if a < self.agents.len() {
                        let id = AgentId(a as u32);
                        a += 1;
                        let r = self.agents[id.0 as usize];
                        if self.floor.group_of(id) != group || (r.on_duty && !r.pending_off) {
                            continue;
                        }
                        if r.on_duty && r.pending_off {
                            // Still finishing a call: simply stays.
                            self.agents[id.0 as usize].pending_off = false;
                            now += 1;
                            continue;
                        }
                        id
                    } else {
                        let id = self.floor.add_agent(group as u32);
                        if let Some(out) = self.out.as_deref_mut() {
                            out.add_agent(&self.model, group);
                        }
                        self.agents.push(AgentRun::OFF);
                        a = self.agents.len();
                        id
                    };
                    self.log_on(id);
                    now += 1;
                }
                // Log off: idle agents first, then those on break, then busy ones
                // (who finish their call first).
                for pass in 0..3 {
                    for a in (0..self.agents.len()).rev() {
                        if now <= count {
                            break;
                        }
                        let id = AgentId(a as u32);
                        let r = self.agents[a];
                        if self.floor.group_of(id) != group || !r.on_duty || r.pending_off {
                            continue;
                        }
                        match (pass, r.busy, r.on_break) {
                            (0, false, false) => {
                                self.floor.take_agent(id);
                                self.go_off(id);
                            }
                            (1, false, true) => self.go_off(id),
                            (2, true, _) => self.agents[a].pending_off = true,
                            _ => continue,
                        }
                        now -= 1;
                    }
                }
                Ok(())
            }
        }
    }

    /// The day's busyness factor (1 without `busyness_cv`).
    pub fn day_factor(&self) -> f64 {
        self.day_factor
    }

    /// Whether the measurement is complete: arrivals have stopped at the horizon
    /// and every counted call has ended.
    pub fn is_finished(&self) -> bool {
        self.measured() || self.fel.is_empty()
    }

    /// Arrivals have stopped and every counted call (and campaign) has ended.
    #[inline(always)]
    fn measured(&self) -> bool {
        // One test for both counters (the usual answer, while calls flow, is no).
        (u64::from(self.arrivals_open) | self.counted_in_flight) == 0
            && self.out.as_deref().is_none_or(|o| o.is_done())
    }

    /// Time of the next event, if the run is not finished.
    pub fn next_event_time(&self) -> Option<SimTime> {
        if self.is_finished() {
            None
        } else {
            self.fel.peek_time()
        }
    }

    /// Process one event. Returns `false` (and does nothing) once finished.
    pub fn step(&mut self) -> bool {
        self.step_inline()
    }

    /// [`Simulation::step`], inlined into [`Simulation::run`]'s loop. An empty
    /// event list finishes the run as in [`Simulation::is_finished`]: the pop
    /// finds nothing.
    #[inline(always)]
    fn step_inline(&mut self) -> bool {
        if self.measured() {
            return false;
        }
        self.dispatch_next()
    }

    /// Pop the next event and handle it; `false` if the event list is empty.
    #[inline(always)]
    fn dispatch_next(&mut self) -> bool {
        let Some((t, event)) = self.fel.pop() else {
            return false;
        };
        debug_assert!(t >= self.now, "time went backwards: {t:?} < {:?}", self.now);
        self.now = t;
        self.events += 1;
        match event {
            Event::Arrival { source } => self.on_arrival(source as usize),
            Event::IvrDone { call } => self.on_ivr_done(call),
            Event::Abandon { call } => self.on_abandon(call),
            Event::Overflow { call } => self.on_overflow(call),
            Event::WorkStep { agent } => self.on_work_step(agent),
            Event::Retrial { call_type, persona } => self.on_retrial(call_type as usize, persona),
            Event::Agent { agent, step } => {
                let p = self.model.agents[agent.0 as usize].schedule[step as usize];
                self.on_agent(agent, p.action, p.duration_s);
            }
            Event::BreakEnd { agent } => self.on_break_end(agent),
            Event::DialerTick { campaign } => self.on_dialer_tick(campaign as usize),
            Event::DialDone { call } => self.on_dial_done(call),
            Event::AmdDone { call } => self.on_amd_done(call),
            Event::ConnectTimeout { call } => self.on_connect_timeout(call),
            Event::BlendReview => self.on_blend_review(),
        }
        true
    }

    /// Process every event before `until` (events at exactly `until` stay pending),
    /// then set the clock to `until` unless the run finished first.
    pub fn run_until(&mut self, until: SimTime) {
        while let Some(t) = self.next_event_time() {
            if t >= until {
                break;
            }
            self.step();
        }
        if !self.is_finished() && until > self.now {
            self.now = until;
        }
    }

    /// Stop here and hand back the observer (nothing is measured or closed).
    pub fn into_observer(self) -> O {
        self.observer
    }

    /// Run to the end and return what was measured, with the observer.
    pub fn run(mut self) -> (RepResult, O) {
        while self.step_inline() {}
        self.close();
        let result = self.collector.finish(
            self.now.seconds(),
            self.replication,
            self.events,
            self.next_serial,
        );
        (result, self.observer)
    }

    /// The run ended with counted callers still waiting and nobody left to answer
    /// them: they are lost (counted as abandoned).
    fn close(&mut self) {
        if self.counted_in_flight == 0 {
            return;
        }
        let mut lost = 0;
        for i in 0..self.calls.len() {
            let s = self.calls[i];
            if s.counted
                && matches!(
                    s.state,
                    CallState::Waiting | CallState::Callback | CallState::Ivr
                )
            {
                if s.state != CallState::Ivr {
                    self.collector
                        .abandoned(s.call_type as usize, s.interval, s.persona(), true);
                }
                lost += 1;
            }
        }
        self.collector.lost_at_close(lost);
    }

    // ---- arena ---------------------------------------------------------------------

    #[inline(always)]
    fn alloc_call(&mut self, slot: CallSlot) -> CallRef {
        match self.free_calls.pop() {
            Some(index) => {
                let s = &mut self.calls[index as usize];
                let generation = s.generation;
                *s = CallSlot { generation, ..slot };
                CallRef { index, generation }
            }
            None => {
                let index = self.calls.len() as u32;
                self.calls.push(slot);
                CallRef {
                    index,
                    generation: slot.generation,
                }
            }
        }
    }

    #[inline(always)]
    fn free_call(&mut self, call: CallRef) {
        let s = &mut self.calls[call.index as usize];
        s.state = CallState::Free;
        s.generation = s.generation.wrapping_add(1);
        self.free_calls.push(call.index);
    }

    #[inline]
    fn slot(&self, call: CallRef) -> &CallSlot {
        &self.calls[call.index as usize]
    }

    #[inline]
    fn is_queued(&self, call: CallRef) -> bool {
        let s = self.slot(call);
        s.generation == call.generation
            && matches!(s.state, CallState::Waiting | CallState::Callback)
    }

    /// Drop departed calls from the fronts of `ct`'s queues (keeps the fronts live).
    #[inline(always)]
    fn purge_queue_fronts(&mut self, ct: usize) {
        for class in [Class::Priority, Class::Normal] {
            while let Some(w) = self.floor.queue_mut(ct, class).front().copied() {
                if self.is_queued(w.call) {
                    break;
                }
                self.floor.queue_mut(ct, class).pop_front();
            }
        }
    }

    /// The caller ended its contact (hung up after talking, abandoned, lost in the IVR).
    #[inline(always)]
    fn end_contact(&mut self, call: CallRef) {
        if self.slot(call).counted {
            self.counted_in_flight -= 1;
        }
        self.free_call(call);
    }

    // ---- arrivals and the IVR ------------------------------------------------------

    #[inline(always)]
    fn schedule_next_arrival(&mut self, source: usize) {
        let rate = &self.model.sources[source].rate;
        if let Rate::Trace(calls) = rate {
            let next = calls
                .get(self.trace_next[source])
                .map(|c| c.at_s.max(self.now.seconds()))
                .filter(|t| *t < self.model.horizon_s)
                .and_then(SimTime::new);
            match next {
                Some(t) => self.fel.push_lane(
                    source,
                    t,
                    Event::Arrival {
                        source: source as u32,
                    },
                ),
                None => self.arrivals_open -= 1,
            }
            return;
        }
        let e: f64 = Exp1.sample(&mut self.arrivals_rng[source]);
        let next = rate.next_after(self.now.seconds(), e, self.day_factor, self.model.horizon_s);
        match next.and_then(SimTime::new) {
            Some(t) => self.fel.push_lane(
                source,
                t,
                Event::Arrival {
                    source: source as u32,
                },
            ),
            None => self.arrivals_open -= 1,
        }
    }

    #[inline(always)]
    fn new_contact(&mut self, state: CallState, call_type: u32) -> CallRef {
        self.new_contact_with(state, call_type, Attributes::NONE)
    }

    /// A new contact whose attributes are already drawn.
    #[inline(always)]
    fn new_contact_with(&mut self, state: CallState, call_type: u32, a: Attributes) -> CallRef {
        let now_s = self.now.seconds();
        let counted = now_s >= self.model.warmup_s && now_s < self.model.horizon_s;
        let serial = self.next_serial;
        self.next_serial += 1;
        if counted {
            self.counted_in_flight += 1;
        }
        self.alloc_call(CallSlot {
            generation: 0,
            state,
            call_type,
            menu: 0,
            interval: 0,
            persona: a.persona,
            priority: a.priority,
            counted,
            waited: false,
            transfer: false,
            outbound: false,
            serial,
            arrived_s: now_s,
            patience_s: a.patience_s,
            work: a.work,
        })
    }

    #[inline(always)]
    fn on_arrival(&mut self, source: usize) {
        let src = &self.model.sources[source];
        let target = src.target;
        let recorded = match &src.rate {
            Rate::Trace(calls) => {
                let c = calls.get(self.trace_next[source]).copied();
                self.trace_next[source] += 1;
                c
            }
            _ => None,
        };
        self.schedule_next_arrival(source);
        match target {
            Target::Queue(ct) => {
                // The attributes come from their own streams: drawing them before
                // the slot is made changes no number, and the slot is written once.
                let mut a = self.draw_attributes(ct as usize, None);
                if let Some(c) = recorded {
                    if let Some(h) = c.handle_s {
                        a.work = [h, 0.0, 0.0, 0.0, 0.0, 0.0];
                    }
                    if let Some(p) = c.patience_s {
                        a.patience_s = p;
                    }
                    if let Some(p) = c.priority {
                        a.priority = p;
                    }
                }
                let call = self.new_contact_with(CallState::Waiting, ct, a);
                let id = CallId(self.slot(call).serial);
                self.observer.on_event(
                    self.now,
                    &SimEvent::CallArrived {
                        call: id,
                        call_type: Some(ct as usize),
                        retrial: false,
                    },
                );
                self.join_queue(call);
            }
            Target::Menu(m) => {
                let call = self.new_contact(CallState::Ivr, 0);
                let counted = self.slot(call).counted;
                self.collector.ivr_arrival(counted);
                let id = CallId(self.slot(call).serial);
                self.observer.on_event(
                    self.now,
                    &SimEvent::CallArrived {
                        call: id,
                        call_type: None,
                        retrial: false,
                    },
                );
                self.enter_menu(call, m as usize);
            }
        }
    }

    fn enter_menu(&mut self, call: CallRef, menu: usize) {
        let d = self.model.menus[menu]
            .duration
            .sample(&mut self.ivr_rng[menu]);
        let s = &mut self.calls[call.index as usize];
        s.menu = menu as u32;
        s.arrived_s = self.now.seconds();
        let id = CallId(s.serial);
        self.fel.push(self.now.after(d), Event::IvrDone { call });
        self.observer
            .on_event(self.now, &SimEvent::IvrMenu { call: id, menu });
    }

    fn on_ivr_done(&mut self, call: CallRef) {
        let s = *self.slot(call);
        let menu = s.menu as usize;
        let id = CallId(s.serial);
        self.collector
            .ivr_menu(menu, self.now.seconds() - s.arrived_s, s.counted);
        let model = Arc::clone(&self.model);
        let m = &model.menus[menu];
        let rng = &mut self.ivr_rng[menu];
        let (u_hang, u_choice, u_mis, u_which): (f64, f64, f64, f64) =
            (rng.random(), rng.random(), rng.random(), rng.random());
        if u_hang < m.hangup {
            self.collector.ivr_hangup(menu, s.counted);
            self.observer.on_event(
                self.now,
                &SimEvent::IvrLeft {
                    call: id,
                    outcome: IvrOutcome::HungUp,
                },
            );
            self.end_contact(call);
            return;
        }
        match pick_choice(&m.options, u_choice) {
            Some(MenuChoice::Menu(next)) => self.enter_menu(call, next as usize),
            Some(MenuChoice::SelfService) | None => {
                self.collector.ivr_self_service(menu, s.counted);
                self.observer.on_event(
                    self.now,
                    &SimEvent::IvrLeft {
                        call: id,
                        outcome: IvrOutcome::SelfService,
                    },
                );
                self.end_contact(call);
            }
            Some(MenuChoice::Queue(q)) => {
                let others: Vec<u32> = m.queues.iter().copied().filter(|&o| o != q).collect();
                let misrouted = u_mis < m.misroute && !others.is_empty();
                let ct = if misrouted {
                    others[((u_which * others.len() as f64) as usize).min(others.len() - 1)]
                } else {
                    q
                };
                self.collector.ivr_routed(menu, misrouted, s.counted);
                self.observer.on_event(
                    self.now,
                    &SimEvent::IvrLeft {
                        call: id,
                        outcome: IvrOutcome::Routed {
                            call_type: ct as usize,
                            misrouted,
                        },
                    },
                );
                self.assign_type(call, ct as usize, None);
                self.join_queue(call);
            }
        }
    }

    fn on_retrial(&mut self, ct: usize, persona: u8) {
        let call = self.new_contact(CallState::Waiting, ct as u32);
        let s = *self.slot(call);
        self.collector.retrial(
            ct,
            (persona != NO_PERSONA).then_some(persona as usize),
            s.counted,
        );
        self.observer.on_event(
            self.now,
            &SimEvent::CallArrived {
                call: CallId(s.serial),
                call_type: Some(ct),
                retrial: true,
            },
        );
        self.assign_type(call, ct, Some(persona));
        self.join_queue(call);
    }

    /// Draw the attributes of a call of type `ct`: personality (kept across
    /// transfers and retrials when given), priority, patience and base work.
    #[inline(always)]
    fn draw_attributes(&mut self, ct: usize, persona: Option<u8>) -> Attributes {
        let model = &self.model;
        let t = &model.call_types[ct];
        let persona = match persona {
            Some(p) => p,
            None if t.personas.is_empty() => NO_PERSONA,
            None => {
                let u: f64 = self.persona_rng[ct].random();
                pick(&t.personas, u).map_or(NO_PERSONA, |k| k.index() as u8)
            }
        };
        let priority = t.priority_share > 0.0 && {
            let u: f64 = self.priority_rng[ct].random();
            u < t.priority_share
        };
        let mut work = [0.0; 6];
        match &t.work {
            Work::Handle(h) => work[0] = h.sample(&mut self.handle_rng[ct]),
            Work::Phases(ph) => {
                for (w, d) in work.iter_mut().zip(ph.iter()) {
                    *w = d.sample(&mut self.handle_rng[ct]);
                }
            }
        }
        let pm = (persona != NO_PERSONA).then(|| &model.personas[persona as usize]);
        let patience_s = match (pm.and_then(|p| p.patience.as_ref()), &t.patience) {
            (Some(own), _) => own.sample(&mut self.patience_rng[ct]),
            (None, Some(base)) => {
                base.sample(&mut self.patience_rng[ct]) * pm.map_or(1.0, |p| p.patience_factor)
            }
            (None, None) => f64::INFINITY,
        };
        Attributes {
            persona,
            priority,
            work,
            patience_s,
        }
    }

    /// Give a call the attributes of call type `ct` (see
    /// [`Simulation::draw_attributes`]).
    #[inline(always)]
    fn assign_type(&mut self, call: CallRef, ct: usize, persona: Option<u8>) {
        let a = self.draw_attributes(ct, persona);
        let s = &mut self.calls[call.index as usize];
        s.call_type = ct as u32;
        s.persona = a.persona;
        s.priority = a.priority;
        s.work = a.work;
        s.patience_s = a.patience_s;
    }

    // ---- queues --------------------------------------------------------------------

    /// The call (with its type's attributes) asks for an agent: it is answered at
    /// once, or waits.
    #[inline(always)]
    fn join_queue(&mut self, call: CallRef) {
        let now_s = self.now.seconds();
        let interval = self.collector.interval_of(now_s);
        let s = {
            let s = &mut self.calls[call.index as usize];
            s.state = CallState::Waiting;
            s.arrived_s = now_s;
            s.interval = interval;
            s.waited = false;
            *s
        };
        let ct = s.call_type as usize;
        self.collector.offered(ct, interval, s.persona(), s.counted);
        if let Some(agent) = self.router.agent_for_call(&self.floor, ct, 0.0) {
            self.floor.take_agent(agent);
            self.start_service(agent, call);
            return;
        }
        let t = &self.model.call_types[ct];
        let overflow_after_s = t.overflow_after_s;
        let mut callback = false;
        if let Some(cb) = &t.callback {
            let agents: u32 = self
                .floor
                .groups_for(ct)
                .iter()
                .map(|&g| self.available[g as usize])
                .sum();
            let expected =
                f64::from(self.floor.waiting(ct) + 1) * t.mean_handle_s / f64::from(agents.max(1));
            if expected > cb.threshold_s {
                let u: f64 = self.callback_rng[ct].random();
                callback = u < cb.accept;
            }
        }
        {
            let slot = &mut self.calls[call.index as usize];
            slot.waited = true;
            if callback {
                slot.state = CallState::Callback;
            }
        }
        if callback {
            self.collector.callback_accepted(ct, s.counted);
        }
        let class = if s.priority {
            Class::Priority
        } else {
            Class::Normal
        };
        self.floor.queue_mut(ct, class).push_back(Waiting {
            call,
            arrived_s: now_s,
        });
        self.floor.waiting[ct] += 1;
        self.collector.queue_delta(now_s, ct, 1.0);
        if !callback && s.patience_s.is_finite() {
            self.fel
                .push(self.now.after(s.patience_s), Event::Abandon { call });
        }
        if let Some(after) = overflow_after_s {
            self.fel
                .push(self.now.after(after), Event::Overflow { call });
        }
        self.observer.on_event(
            self.now,
            &SimEvent::CallQueued {
                call: CallId(s.serial),
                call_type: ct,
                persona: s.persona().map(|p| PersonaKind::ALL[p]),
                priority: s.priority,
                callback,
            },
        );
    }

    /// Take a queued call out of its queue (lazily: its entry goes stale).
    fn leave_queue(&mut self, call: CallRef) {
        let ct = self.slot(call).call_type as usize;
        self.calls[call.index as usize].state = CallState::InService;
        self.floor.waiting[ct] -= 1;
        self.collector.queue_delta(self.now.seconds(), ct, -1.0);
        self.purge_queue_fronts(ct);
    }

    fn on_abandon(&mut self, call: CallRef) {
        let s = *self.slot(call);
        if s.generation != call.generation || s.state != CallState::Waiting {
            return; // answered, overflowed or transferred meanwhile: a stale timer
        }
        self.leave_queue(call);
        let ct = s.call_type as usize;
        if let Some(out) = self.out.as_deref_mut() {
            out.inbound_outcome(ct, self.now.seconds(), false);
        }
        self.collector
            .abandoned(ct, s.interval, s.persona(), s.counted);
        self.observer.on_event(
            self.now,
            &SimEvent::CallAbandoned {
                call: CallId(s.serial),
                call_type: ct,
                wait_s: self.now.seconds() - s.arrived_s,
            },
        );
        if let Some(p) = s.persona() {
            let retry = self.model.personas[p].retry_after_abandon;
            self.maybe_retry(ct, p, retry);
        }
        self.end_contact(call);
    }

    fn on_overflow(&mut self, call: CallRef) {
        if !self.is_queued(call) {
            return;
        }
        let s = *self.slot(call);
        let ct = s.call_type as usize;
        let waited = self.now.seconds() - s.arrived_s;
        if let Some(agent) = self.router.agent_for_call(&self.floor, ct, waited) {
            self.floor.take_agent(agent);
            let was_callback = s.state == CallState::Callback;
            self.leave_queue(call);
            if was_callback {
                self.calls[call.index as usize].state = CallState::Callback;
            }
            self.start_service(agent, call);
        }
    }

    /// With probability `p`, the caller calls again after the persona's delay.
    fn maybe_retry(&mut self, ct: usize, persona: usize, p: f64) {
        if p <= 0.0 {
            return;
        }
        let rng = &mut self.retry_rng[ct];
        let u: f64 = rng.random();
        let delay = self.model.personas[persona].retry_delay.sample(rng);
        let at = self.now.after(delay);
        if u < p && at.seconds() < self.model.horizon_s {
            self.fel.push(
                at,
                Event::Retrial {
                    call_type: ct as u32,
                    persona: persona as u8,
                },
            );
        }
    }

    // ---- service -------------------------------------------------------------------

    /// `agent` (already taken off the idle list) takes `call`.
    #[inline(always)]
    fn start_service(&mut self, agent: AgentId, call: CallRef) {
        let s = self.slot(call);
        let (ct, state) = (s.call_type as usize, s.state);
        let group = self.floor.group_of(agent);
        let a = &mut self.agents[agent.0 as usize];
        a.busy = true;
        a.call = Some(call);
        a.busy_type = ct as u32;
        self.observer.on_event(
            self.now,
            &SimEvent::AgentChanged {
                agent,
                status: AgentStatus::Busy,
            },
        );
        if state == CallState::Callback {
            // The agent dials the customer back first.
            self.calls[call.index as usize].state = CallState::InService;
            let ring = self.model.call_types[ct]
                .callback
                .as_ref()
                .map_or(0.0, |c| c.ring_s);
            self.agents[agent.0 as usize].step = RING;
            let now_s = self.now.seconds();
            self.collector.busy_span(ct, group, now_s, now_s + ring);
            self.fel
                .push(self.now.after(ring), Event::WorkStep { agent });
            return;
        }
        self.calls[call.index as usize].state = CallState::InService;
        self.begin_conversation(agent, call);
    }

    /// The caller is on the line with `agent`: scale the work, decide on an
    /// escalation, record the answer, and start the first step.
    #[inline(always)]
    fn begin_conversation(&mut self, agent: AgentId, call: CallRef) {
        let model = &self.model;
        let now_s = self.now.seconds();
        let group = self.floor.group_of(agent);
        let s = &self.calls[call.index as usize];
        let (ct, persona, serial, counted) =
            (s.call_type as usize, s.persona(), s.serial, s.counted);
        let (arrived_s, interval, waited) = (s.arrived_s, s.interval, s.waited);
        let t = &model.call_types[ct];
        let prof = model.groups[group].proficiency[ct];
        let pm = persona.map(|p| &model.personas[p]);
        let transfer = match t.transfer {
            Some((_, share)) => {
                let u: f64 = self.transfer_rng[ct].random();
                u < share
            }
            None => false,
        };
        let phased = matches!(t.work, Work::Phases(_));
        let slot = &mut self.calls[call.index as usize];
        slot.transfer = transfer;
        // The durations scaled in place: one block of handle time, or the phases.
        let (handle_s, first_s) = match &t.work {
            Work::Handle(_) => {
                slot.work[0] *= pm.map_or(1.0, |p| p.handle_factor) / prof;
                (slot.work[0], slot.work[0])
            }
            Work::Phases(_) => {
                let work = &mut slot.work;
                for (i, w) in work.iter_mut().enumerate() {
                    *w *= pm.map_or(1.0, |p| p.phase_factors[i]) / prof;
                }
                if transfer {
                    work[Phase::Afsluiting as usize] = 0.0;
                }
                (work.iter().sum(), work[0])
            }
        };
        let wait_s = now_s - arrived_s;
        if let Some(out) = self.out.as_deref_mut() {
            out.inbound_answered(ct, group, now_s, wait_s <= model.sl_s);
        }
        self.collector.busy_span(ct, group, now_s, now_s + handle_s);
        self.collector.answered(
            ct, interval, group, persona, wait_s, waited, handle_s, counted,
        );
        self.observer.on_event(
            self.now,
            &SimEvent::CallAnswered {
                call: CallId(serial),
                call_type: ct,
                agent,
                wait_s,
            },
        );
        if phased {
            self.start_phase(agent, call, 0);
        } else {
            self.agents[agent.0 as usize].step = HANDLE;
            self.fel
                .push(self.now.after(first_s), Event::WorkStep { agent });
        }
    }

    fn start_phase(&mut self, agent: AgentId, call: CallRef, phase: u8) {
        let s = self.slot(call);
        let d = s.work[phase as usize];
        let id = CallId(s.serial);
        self.agents[agent.0 as usize].step = phase;
        self.fel.push(self.now.after(d), Event::WorkStep { agent });
        self.observer.on_event(
            self.now,
            &SimEvent::PhaseStarted {
                call: id,
                agent,
                phase: Phase::ALL[phase as usize],
            },
        );
    }

    #[inline(always)]
    fn on_work_step(&mut self, agent: AgentId) {
        let a = self.agents[agent.0 as usize];
        let step = a.step;
        if step == RING {
            let Some(call) = a.call else { return };
            let ct = self.slot(call).call_type as usize;
            let reached = self.model.call_types[ct]
                .callback
                .as_ref()
                .map_or(1.0, |c| c.reached);
            let u: f64 = self.callback_rng[ct].random();
            if u < reached {
                self.begin_conversation(agent, call);
            } else {
                let s = *self.slot(call);
                if let Some(out) = self.out.as_deref_mut() {
                    out.inbound_outcome(ct, self.now.seconds(), false);
                }
                self.collector
                    .abandoned(ct, s.interval, s.persona(), s.counted);
                self.observer.on_event(
                    self.now,
                    &SimEvent::CallAbandoned {
                        call: CallId(s.serial),
                        call_type: ct,
                        wait_s: self.now.seconds() - s.arrived_s,
                    },
                );
                self.agents[agent.0 as usize].call = None;
                self.end_contact(call);
                self.work_done(agent);
            }
            return;
        }
        if step == HANDLE {
            if let Some(call) = a.call {
                self.caller_leaves(agent, call);
            }
            self.work_done(agent);
            return;
        }
        if step >= PREVIEW {
            self.on_preview_done(agent);
            return;
        }
        let phase = Phase::ALL[step as usize];
        let Some(call) = a.call else {
            // After-call work of a call that has left (ended or transferred).
            self.work_done(agent);
            return;
        };
        let leaves = phase == Phase::Afsluiting
            || (phase == Phase::Aanbod && self.slot(call).transfer)
            || phase == Phase::Acw;
        if !leaves {
            self.start_phase(agent, call, step + 1);
            return;
        }
        let s = *self.slot(call);
        self.caller_leaves(agent, call);
        self.agents[agent.0 as usize].call = None;
        if phase == Phase::Acw {
            self.work_done(agent);
        } else {
            self.start_acw(agent, CallId(s.serial), s.work[Phase::Acw as usize]);
        }
    }

    fn start_acw(&mut self, agent: AgentId, id: CallId, duration_s: f64) {
        self.agents[agent.0 as usize].step = Phase::Acw as u8;
        self.fel
            .push(self.now.after(duration_s), Event::WorkStep { agent });
        self.observer.on_event(
            self.now,
            &SimEvent::PhaseStarted {
                call: id,
                agent,
                phase: Phase::Acw,
            },
        );
    }

    /// The conversation is over: the caller is transferred to the second line, or
    /// hangs up (resolved or not, with a satisfaction score, maybe to call again).
    #[inline(always)]
    fn caller_leaves(&mut self, agent: AgentId, call: CallRef) {
        // The fields needed, not a copy of the whole slot (the phases' durations
        // only for phased calls, below).
        let s = self.slot(call);
        let (outbound, transfer, counted) = (s.outbound, s.transfer, s.counted);
        let (ct, persona, serial) = (s.call_type as usize, s.persona, s.serial);
        let persona_ix = (persona != NO_PERSONA).then_some(persona as usize);
        if outbound {
            self.outbound_call_ends(agent, call);
            return;
        }
        if transfer && let Some((to, _)) = self.model.call_types[ct].transfer {
            self.collector.transferred(ct, counted);
            self.observer.on_event(
                self.now,
                &SimEvent::CallTransferred {
                    call: CallId(serial),
                    from: ct,
                    to: to as usize,
                },
            );
            self.calls[call.index as usize].transfer = false;
            self.assign_type(call, to as usize, Some(persona));
            self.join_queue(call);
            return;
        }
        let model = &self.model;
        let phased = matches!(model.call_types[ct].work, Work::Phases(_));
        let outcome = persona_ix.map(|p| {
            let pm = &model.personas[p];
            let rng = &mut self.outcome_rng[ct];
            let (u_fcr, u_csat): (f64, f64) = (rng.random(), rng.random());
            let resolved = u_fcr < pm.fcr;
            let score = pm.csat_cdf.iter().position(|c| u_csat < *c).unwrap_or(4) as u8 + 1;
            let score = if resolved {
                score
            } else {
                score.saturating_sub(1).max(1)
            };
            (resolved, score)
        });
        if counted && (phased || outcome.is_some()) {
            let work = self.calls[call.index as usize].work;
            let phases = phased.then_some(&work);
            self.collector
                .conversation_ended(ct, persona_ix, outcome, phases);
        }
        self.observer.on_event(
            self.now,
            &SimEvent::CallCompleted {
                call: CallId(serial),
                call_type: ct,
                agent,
                resolved: outcome.map(|o| o.0),
                csat: outcome.map(|o| o.1),
            },
        );
        if let (Some(p), Some((false, _))) = (persona_ix, outcome) {
            let retry = self.model.personas[p].retry_after_unresolved;
            self.maybe_retry(ct, p, retry);
        }
        self.end_contact(call);
    }

    /// The agent finished all work on its call.
    #[inline(always)]
    fn work_done(&mut self, agent: AgentId) {
        let a = self.agents[agent.0 as usize];
        {
            let a = &mut self.agents[agent.0 as usize];
            a.busy = false;
            a.call = None;
        }
        if let Some(out) = self.out.as_deref_mut() {
            out.agent_done(agent);
        }
        if a.pending_off {
            self.go_off(agent);
        } else if a.pending_break_s > 0.0 {
            self.agents[agent.0 as usize].pending_break_s = 0.0;
            self.start_break(agent, a.pending_break_s);
        } else {
            self.become_available(agent);
        }
    }

    /// The agent is free for calls: the router picks its next caller, or it goes idle.
    #[inline(always)]
    fn become_available(&mut self, agent: AgentId) {
        let now_s = self.now.seconds();
        if let Some(out) = self.out.as_deref_mut() {
            out.agent_free_since(agent, now_s);
        }
        let next = self
            .router
            .call_for_agent(&self.floor, agent, now_s)
            .and_then(|(ct, class)| self.floor.pop_head(ct, class).map(|w| (ct, w)));
        match next {
            Some((ct, w)) => {
                self.collector.queue_delta(now_s, ct, -1.0);
                self.purge_queue_fronts(ct);
                self.start_service(agent, w.call);
            }
            None => {
                if self.out.is_some() && self.take_waiting_outbound(agent) {
                    return;
                }
                self.floor.release_agent(agent, now_s);
                self.observer.on_event(
                    self.now,
                    &SimEvent::AgentChanged {
                        agent,
                        status: AgentStatus::Idle,
                    },
                );
                if self.out.is_some() {
                    self.agent_idle_for_outbound(agent);
                }
            }
        }
    }

    // ---- agents' schedules -----------------------------------------------------------

    fn log_on(&mut self, agent: AgentId) {
        let g = self.floor.group_of(agent);
        if self.agents[agent.0 as usize].on_duty {
            // Still finishing a call after a log-off fell during it: the log-on
            // cancels the pending log-off, and the agent simply stays (as
            // `Input::SetOnDuty` does).
            self.agents[agent.0 as usize].pending_off = false;
            return;
        }
        self.agents[agent.0 as usize].on_duty = true;
        let now_s = self.now.seconds();
        self.collector.paid_delta(now_s, g, 1.0);
        self.collector.staffed_delta(now_s, g, 1.0);
        self.available[g] += 1;
        self.become_available(agent);
    }

    fn go_off(&mut self, agent: AgentId) {
        let g = self.floor.group_of(agent);
        let now_s = self.now.seconds();
        let a = &mut self.agents[agent.0 as usize];
        let was_on_break = a.on_break;
        a.on_duty = false;
        a.on_break = false;
        a.pending_off = false;
        a.pending_break_s = 0.0;
        self.collector.paid_delta(now_s, g, -1.0);
        if !was_on_break {
            self.collector.staffed_delta(now_s, g, -1.0);
            self.available[g] -= 1;
        }
        self.observer.on_event(
            self.now,
            &SimEvent::AgentChanged {
                agent,
                status: AgentStatus::Off,
            },
        );
    }

    fn start_break(&mut self, agent: AgentId, duration_s: f64) {
        let g = self.floor.group_of(agent);
        self.agents[agent.0 as usize].on_break = true;
        self.collector.staffed_delta(self.now.seconds(), g, -1.0);
        self.available[g] -= 1;
        self.fel
            .push(self.now.after(duration_s), Event::BreakEnd { agent });
        self.observer.on_event(
            self.now,
            &SimEvent::AgentChanged {
                agent,
                status: AgentStatus::Break,
            },
        );
    }

    fn on_break_end(&mut self, agent: AgentId) {
        let a = self.agents[agent.0 as usize];
        if !a.on_duty || !a.on_break {
            return;
        }
        let g = self.floor.group_of(agent);
        self.agents[agent.0 as usize].on_break = false;
        self.collector.staffed_delta(self.now.seconds(), g, 1.0);
        self.available[g] += 1;
        self.become_available(agent);
    }

    fn on_agent(&mut self, agent: AgentId, action: AgentAction, duration_s: f64) {
        let a = self.agents[agent.0 as usize];
        match action {
            AgentAction::LogOn => self.log_on(agent),
            AgentAction::LogOff if a.on_duty => {
                if a.busy {
                    self.agents[agent.0 as usize].pending_off = true;
                } else {
                    if !a.on_break {
                        self.floor.take_agent(agent);
                    }
                    self.go_off(agent);
                }
            }
            AgentAction::BreakStart if a.on_duty && !a.on_break && !a.pending_off => {
                if a.busy {
                    self.agents[agent.0 as usize].pending_break_s = duration_s;
                } else {
                    self.floor.take_agent(agent);
                    self.start_break(agent, duration_s);
                }
            }
            AgentAction::BreakEnd => self.on_break_end(agent),
            _ => {}
        }
    }
}

fn pick_choice(options: &[(f64, MenuChoice)], u: f64) -> Option<MenuChoice> {
    options
        .iter()
        .find(|(c, _)| u < *c)
        .or(options.last())
        .map(|(_, c)| c.clone())
}

#[cfg(test)]
mod tests;

const _: () = assert!(std::mem::size_of::<Event>() <= 12);
