//! The discrete-event engine: the simulation clock, the future-event list, the
//! event loop, and the random streams.
//!
//! A [`Model`] is a validated scenario compiled for the engine (indices instead of
//! names, samplers instead of distribution descriptions). A [`Simulation`] is one
//! replication of a model: it owns the clock, the event list, the calls and agents
//! (in compact arenas), the routing policy and the statistics collector.
//!
//! # The event loop
//!
//! [`Simulation::step`] pops the earliest `(time, sequence)` entry, advances the
//! clock, and dispatches on the closed [`Event`] enum: one handler per kind. Handlers
//! change the state, schedule further events, tell the collector, and tell the
//! [`Observer`]. Equal times run in the order they were scheduled.
//!
//! Abandonment timers are never searched for: each carries the generation of its
//! call's arena slot, and when it pops for a call that was answered (or whose slot
//! has been reused) it is discarded in O(1).
//!
//! A run is a pure function of `(model, seed, replication)`.

pub mod queue;
pub mod rng;
pub mod time;

use std::sync::Arc;

use crate::routing::{AgentId, CallRef, Floor, LongestIdleFcfs, Router, Waiting};
use crate::scenario::dist::Sampler;
use crate::scenario::{ArrivalProcess, Scenario, ScenarioError};
use crate::stats::RepResult;
use crate::stats::collector::Collector;
use queue::EventQueue;
use rand_distr::{Distribution, Exp1};
use rng::{Purpose, Stream, stream};
pub use time::SimTime;

/// A scenario compiled for the engine. Cheap to share between threads (`Arc`).
#[derive(Debug, Clone)]
pub struct Model {
    scenario: Scenario,
    horizon_s: f64,
    warmup_s: f64,
    sl_s: f64,
    call_types: Vec<CallTypeModel>,
    group_sizes: Vec<u32>,
    group_skills: Vec<Vec<u32>>,
}

#[derive(Debug, Clone)]
struct CallTypeModel {
    mean_interarrival_s: f64,
    handle: Sampler,
    patience: Option<Sampler>,
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
        let call_types = scenario
            .call_types
            .iter()
            .map(|ct| CallTypeModel {
                mean_interarrival_s: match ct.arrivals {
                    ArrivalProcess::Poisson { per_hour } => {
                        3600.0 / (per_hour * scenario.arrival_scale)
                    }
                },
                handle: ct.handle_time.sampler(),
                patience: ct.patience.as_ref().map(|p| p.sampler()),
            })
            .collect();
        let group_skills = scenario
            .agent_groups
            .iter()
            .map(|g| {
                g.skills
                    .iter()
                    .filter_map(|s| scenario.call_type_index(s).map(|i| i as u32))
                    .collect()
            })
            .collect();
        Ok(Model {
            scenario: scenario.clone(),
            horizon_s: scenario.horizon_h * 3600.0,
            warmup_s: scenario.warmup_h * 3600.0,
            sl_s: scenario.service_level_s,
            call_types,
            group_sizes: scenario.agent_groups.iter().map(|g| g.count).collect(),
            group_skills,
        })
    }

    /// The scenario this model was compiled from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }
}

/// Something scheduled on the event list. Closed: the loop matches every kind.
#[derive(Debug, Clone, Copy)]
enum Event {
    /// The next call of a call type arrives.
    Arrival { call_type: u32 },
    /// A waiting caller's patience runs out (stale if the call was answered).
    Abandon { call: CallRef },
    /// An agent finishes its call.
    ServiceEnd { agent: AgentId },
}

/// A call's serial number in its replication (0, 1, 2, … in arrival order).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct CallId(pub u64);

/// Something that happened in the run, as observers see it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum SimEvent {
    /// A call arrived.
    CallArrived {
        /// The call.
        call: CallId,
        /// Its type (index into the scenario's call types).
        call_type: usize,
    },
    /// No agent was free: the call joined its queue.
    CallQueued {
        /// The call.
        call: CallId,
        /// Its type.
        call_type: usize,
    },
    /// An agent answered the call.
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
    /// The caller hung up while waiting.
    CallAbandoned {
        /// The call.
        call: CallId,
        /// Its type.
        call_type: usize,
        /// How long the caller waited, seconds.
        wait_s: f64,
    },
    /// The agent finished the call.
    CallCompleted {
        /// The call.
        call: CallId,
        /// Its type.
        call_type: usize,
        /// The agent.
        agent: AgentId,
    },
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
    Waiting,
    InService,
}

/// One slot of the call arena.
#[derive(Debug, Clone, Copy)]
struct CallSlot {
    generation: u32,
    state: CallState,
    call_type: u32,
    counted: bool,
    waited: bool,
    serial: u64,
    arrived_s: f64,
    handle_s: f64,
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
    /// Agent → the call it is serving.
    serving: Vec<Option<CallRef>>,
    floor: Floor,
    router: Box<dyn Router>,
    arrivals_rng: Vec<Stream>,
    handle_rng: Vec<Stream>,
    patience_rng: Vec<Stream>,
    collector: Collector,
    /// Counted calls not yet ended (answered calls end when their service ends).
    counted_in_flight: u64,
    /// Call types whose arrival process is still running.
    arrivals_open: u32,
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
        let streams = |purpose| {
            (0..n_types as u64)
                .map(|i| stream(seed, replication, purpose, i))
                .collect::<Vec<_>>()
        };
        let floor = Floor::new(&model.group_sizes, model.group_skills.clone(), n_types);
        let collector = Collector::new(
            model.warmup_s,
            model.horizon_s,
            model.sl_s,
            n_types,
            &model.group_sizes,
        );
        let mut sim = Simulation {
            replication,
            now: SimTime::ZERO,
            events: 0,
            fel: EventQueue::new(),
            calls: Vec::with_capacity(1024),
            free_calls: Vec::new(),
            next_serial: 0,
            serving: vec![None; floor.agent_count()],
            floor,
            router: Box::new(LongestIdleFcfs),
            arrivals_rng: streams(Purpose::Arrivals),
            handle_rng: streams(Purpose::HandleTime),
            patience_rng: streams(Purpose::Patience),
            collector,
            counted_in_flight: 0,
            arrivals_open: n_types as u32,
            observer,
            model,
        };
        for ct in 0..n_types {
            sim.schedule_next_arrival(ct);
        }
        sim
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

    /// Whether the measurement is complete: arrivals have stopped at the horizon
    /// and every counted call has ended.
    pub fn is_finished(&self) -> bool {
        (self.arrivals_open == 0 && self.counted_in_flight == 0) || self.fel.is_empty()
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
    #[inline]
    pub fn step(&mut self) -> bool {
        if self.is_finished() {
            return false;
        }
        let Some((t, event)) = self.fel.pop() else {
            return false;
        };
        debug_assert!(t >= self.now, "time went backwards: {t:?} < {:?}", self.now);
        self.now = t;
        self.events += 1;
        match event {
            Event::Arrival { call_type } => self.on_arrival(call_type as usize),
            Event::Abandon { call } => self.on_abandon(call),
            Event::ServiceEnd { agent } => self.on_service_end(agent),
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

    /// Run to the end and return what was measured, with the observer.
    pub fn run(mut self) -> (RepResult, O) {
        while self.step() {}
        let result = self.collector.finish(
            self.now.seconds(),
            self.replication,
            self.events,
            self.next_serial,
        );
        (result, self.observer)
    }

    // ---- scheduling helpers ----------------------------------------------------

    fn schedule_next_arrival(&mut self, ct: usize) {
        let gap: f64 = Exp1.sample(&mut self.arrivals_rng[ct]);
        let t = self
            .now
            .after(gap * self.model.call_types[ct].mean_interarrival_s);
        if t.seconds() < self.model.horizon_s {
            self.fel.push_lane(
                ct,
                t,
                Event::Arrival {
                    call_type: ct as u32,
                },
            );
        } else {
            // This type's arrival process has ended.
            self.arrivals_open -= 1;
        }
    }

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

    fn free_call(&mut self, call: CallRef) {
        let s = &mut self.calls[call.index as usize];
        s.state = CallState::Free;
        s.generation = s.generation.wrapping_add(1);
        self.free_calls.push(call.index);
    }

    #[inline]
    fn is_live(&self, call: CallRef, state: CallState) -> bool {
        let s = &self.calls[call.index as usize];
        s.generation == call.generation && s.state == state
    }

    /// Drop abandoned calls from the front of `ct`'s queue (keeps the front live).
    fn purge_queue_front(&mut self, ct: usize) {
        while let Some(w) = self.floor.queues[ct].front() {
            if self.is_live(w.call, CallState::Waiting) {
                break;
            }
            self.floor.queues[ct].pop_front();
        }
    }

    // ---- handlers ---------------------------------------------------------------

    fn on_arrival(&mut self, ct: usize) {
        self.schedule_next_arrival(ct);
        let model = &self.model.call_types[ct];
        let handle_s = model.handle.sample(&mut self.handle_rng[ct]);
        let patience_s = model
            .patience
            .as_ref()
            .map(|p| p.sample(&mut self.patience_rng[ct]));
        let now_s = self.now.seconds();
        let counted = now_s >= self.model.warmup_s;
        let serial = self.next_serial;
        self.next_serial += 1;
        let call = self.alloc_call(CallSlot {
            generation: 0,
            state: CallState::Waiting,
            call_type: ct as u32,
            counted,
            waited: false,
            serial,
            arrived_s: now_s,
            handle_s,
        });
        if counted {
            self.counted_in_flight += 1;
            self.collector.arrival(ct);
        }
        let id = CallId(serial);
        self.observer.on_event(
            self.now,
            &SimEvent::CallArrived {
                call: id,
                call_type: ct,
            },
        );

        match self.router.agent_for_call(&self.floor, ct) {
            Some(agent) => {
                self.floor.take_agent(agent);
                self.start_service(agent, call);
            }
            None => {
                self.calls[call.index as usize].waited = true;
                self.floor.queues[ct].push_back(Waiting {
                    call,
                    arrived_s: now_s,
                });
                self.floor.waiting[ct] += 1;
                self.collector.queue_delta(now_s, ct, 1.0);
                if let Some(p) = patience_s {
                    self.fel.push(self.now.after(p), Event::Abandon { call });
                }
                self.observer.on_event(
                    self.now,
                    &SimEvent::CallQueued {
                        call: id,
                        call_type: ct,
                    },
                );
            }
        }
    }

    fn on_abandon(&mut self, call: CallRef) {
        if !self.is_live(call, CallState::Waiting) {
            return; // answered meanwhile: a stale timer
        }
        let slot = self.calls[call.index as usize];
        let ct = slot.call_type as usize;
        let now_s = self.now.seconds();
        self.floor.waiting[ct] -= 1;
        self.collector.queue_delta(now_s, ct, -1.0);
        if slot.counted {
            self.collector.abandoned(ct);
            self.counted_in_flight -= 1;
        }
        self.free_call(call);
        self.purge_queue_front(ct);
        self.observer.on_event(
            self.now,
            &SimEvent::CallAbandoned {
                call: CallId(slot.serial),
                call_type: ct,
                wait_s: now_s - slot.arrived_s,
            },
        );
    }

    /// `agent` (already marked busy on the floor) answers `call`.
    fn start_service(&mut self, agent: AgentId, call: CallRef) {
        let now_s = self.now.seconds();
        let group = self.floor.group_of(agent);
        let slot = &mut self.calls[call.index as usize];
        debug_assert_eq!(slot.state, CallState::Waiting);
        slot.state = CallState::InService;
        let slot = *slot;
        let ct = slot.call_type as usize;
        let wait_s = now_s - slot.arrived_s;
        if slot.counted {
            self.collector
                .answered(ct, group, wait_s, slot.waited, slot.handle_s);
        }
        self.collector.busy_delta(now_s, ct, group, 1.0);
        self.serving[agent.0 as usize] = Some(call);
        self.fel
            .push(self.now.after(slot.handle_s), Event::ServiceEnd { agent });
        self.observer.on_event(
            self.now,
            &SimEvent::CallAnswered {
                call: CallId(slot.serial),
                call_type: ct,
                agent,
                wait_s,
            },
        );
    }

    fn on_service_end(&mut self, agent: AgentId) {
        let Some(call) = self.serving[agent.0 as usize].take() else {
            debug_assert!(false, "service end for an idle agent");
            return;
        };
        let slot = self.calls[call.index as usize];
        let ct = slot.call_type as usize;
        let now_s = self.now.seconds();
        let group = self.floor.group_of(agent);
        self.collector.busy_delta(now_s, ct, group, -1.0);
        if slot.counted {
            self.counted_in_flight -= 1;
        }
        self.free_call(call);
        self.observer.on_event(
            self.now,
            &SimEvent::CallCompleted {
                call: CallId(slot.serial),
                call_type: ct,
                agent,
            },
        );
        // The agent is free: the router picks its next caller, or it goes idle.
        let next = self
            .router
            .call_for_agent(&self.floor, agent)
            .and_then(|next_ct| self.floor.queues[next_ct].pop_front().map(|w| (next_ct, w)));
        match next {
            Some((next_ct, w)) => {
                self.floor.waiting[next_ct] -= 1;
                self.collector.queue_delta(now_s, next_ct, -1.0);
                self.purge_queue_front(next_ct);
                self.start_service(agent, w.call);
            }
            None => self.floor.release_agent(agent, now_s),
        }
    }
}

#[cfg(test)]
mod tests;
