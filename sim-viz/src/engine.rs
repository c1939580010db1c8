//! The engine plugin: the one place where the app holds and steps sim-core's
//! [`Simulation`].
//!
//! * [`SimHandle`] (a resource) owns the running simulation, the scenario it was
//!   built from and the list of inputs applied so far; when a recording (a
//!   trace file written by `ccsim run --record`, `ccsim train` or this app) is
//!   open, also the recording's inputs, which it re-applies exactly where they
//!   were made, so the re-simulated run is the recorded one ([`Recording`]).
//! * [`advance_sim`] is the only system that steps it: simulated time advances by
//!   speed × frame time with [`Simulation::run_until`], at most
//!   [`Transport::max_events_per_frame`] events per frame (when the cap is hit the
//!   run falls behind the requested speed and the HUD says so).
//! * [`drain_events`] moves the events the observer buffer collected into the
//!   [`View`], then asks the engine about the callers the events did not name.
//!
//! Both run in [`VizSet::Engine`](crate::VizSet), chained after the controls.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bevy::platform::cell::SyncCell;
use bevy::prelude::*;
use sim_core::engine::InputError;
use sim_core::routing::AgentId;
use sim_core::trace::record::{self as trace, Recorder, Trace, TraceHeader};
use sim_core::{Input, Model, Scenario, SimEvent, SimTime, Simulation};

use crate::view::ViewState;

/// What the engine's observer collects between two frames.
pub type EventBuffer = Vec<(SimTime, SimEvent)>;
/// The simulation the app runs.
pub type LiveSim = Simulation<EventBuffer>;

/// The speeds offered by the controls, simulated seconds per real second.
pub const SPEEDS: [f64; 9] = [1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 100.0, 300.0, 1000.0];
/// Default cap on events processed per frame.
pub const DEFAULT_MAX_EVENTS_PER_FRAME: u32 = 20_000;
/// Chart sampling step, simulated seconds.
pub const CHART_STEP_S: f64 = 60.0;

/// The scenario bundled into the binary, opened when no file is given (or the
/// given one cannot be read).
pub const BUNDLED_SCENARIO: &str = include_str!("../../scenarios/retail-bank.ron");
/// The name under which [`BUNDLED_SCENARIO`] is shown.
pub const BUNDLED_ORIGIN: &str = "scenarios/retail-bank.ron (bundled)";

/// A validated scenario, compiled, with where it came from, the seed and
/// replication to run, and the recording it came from (if any).
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file it was read from, or a label for a built-in one.
    pub origin: String,
    /// The file path, when it came from a file.
    pub path: Option<PathBuf>,
    /// The scenario.
    pub scenario: Scenario,
    /// The scenario as RON text (written into recordings).
    pub ron: String,
    /// The compiled model.
    pub model: Arc<Model>,
    /// The seed of the run (the scenario's own, or the recording's).
    pub seed: u64,
    /// The replication index (0, or the recording's).
    pub replication: u64,
    /// The recording being played back, when a trace file was opened.
    pub recording: Option<Arc<Recording>>,
}

/// A recorded run opened for playback: the engine inputs it holds, placed
/// exactly, and whether re-simulating it reproduces every recorded event.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// The engine inputs (operators' what-ifs, a training seat), where they
    /// were applied.
    pub inputs: Vec<AppliedInput>,
    /// When students made their choices (shown on the timeline; the floor
    /// needs only the engine inputs).
    pub choices: Vec<SimTime>,
    /// Events in the recording.
    pub events: usize,
    /// `Ok` when the re-simulation matched every event; else the first
    /// divergence, described.
    pub verified: Result<(), String>,
    /// The engine version that recorded it.
    pub recorded_version: String,
}

impl LoadedScenario {
    /// Read, validate and compile `path`: a scenario (RON) or a recording (a
    /// trace file, recognised by its first bytes). The error is the
    /// compiler-style diagnostic text (every problem with its line and column).
    pub fn from_file(path: &Path) -> Result<LoadedScenario, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let origin = path.display().to_string();
        let mut loaded = if bytes.starts_with(&trace::MAGIC) {
            LoadedScenario::from_trace_bytes(&origin, &bytes)?
        } else {
            let src = String::from_utf8(bytes)
                .map_err(|_| format!("{origin}: neither a scenario (RON text) nor a recording"))?;
            LoadedScenario::from_source(&origin, &src)?
        };
        loaded.path = Some(path.to_path_buf());
        Ok(loaded)
    }

    /// Validate and compile RON text; `origin` names it in diagnostics.
    pub fn from_source(origin: &str, src: &str) -> Result<LoadedScenario, String> {
        let scenario = sim_core::scenario::parse(src).map_err(|e| e.render(origin, src))?;
        let mut loaded = LoadedScenario::from_scenario(origin, scenario)?;
        loaded.ron = src.to_string();
        Ok(loaded)
    }

    /// Compile a scenario value (already validated or not).
    pub fn from_scenario(origin: &str, scenario: Scenario) -> Result<LoadedScenario, String> {
        let model = Model::new(&scenario).map_err(|e| e.render(origin, ""))?;
        let ron = ron::to_string(&scenario).map_err(|e| format!("{origin}: {e}"))?;
        Ok(LoadedScenario {
            origin: origin.to_string(),
            path: None,
            seed: scenario.seed,
            replication: 0,
            scenario,
            ron,
            model: Arc::new(model),
            recording: None,
        })
    }

    /// A recording (the bytes of a trace file): its scenario, seed and
    /// replication, its inputs placed where they were made, and the check that
    /// re-simulating it reproduces every recorded event.
    pub fn from_trace_bytes(origin: &str, bytes: &[u8]) -> Result<LoadedScenario, String> {
        let t = trace::read_trace(bytes).map_err(|e| format!("{origin}: {e}"))?;
        let scenario_origin = format!("{origin} (its scenario)");
        let mut loaded = LoadedScenario::from_source(&scenario_origin, &t.header.scenario_ron)?;
        loaded.origin = origin.to_string();
        loaded.seed = t.header.seed;
        loaded.replication = t.header.replication;
        let verified = match trace::replay(&t) {
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        };
        let mut sim = Simulation::with_observer(
            Arc::clone(&loaded.model),
            loaded.seed,
            loaded.replication,
            (),
        );
        let (mut inputs, mut choices) = (Vec::new(), Vec::new());
        // Placed as `ccsim replay` applies them: after every event before the
        // input's time.
        for (at, input) in t.inputs() {
            match input {
                trace::Input::Engine(e) => {
                    sim.run_until(at);
                    let applied = AppliedInput {
                        at: sim.now(),
                        after_events: sim.events(),
                        input: *e,
                    };
                    sim.apply(*e)
                        .map_err(|e| format!("{origin}: a recorded input is refused: {e}"))?;
                    inputs.push(applied);
                }
                trace::Input::StudentChoice { .. } => choices.push(at),
                _ => {}
            }
        }
        loaded.recording = Some(Arc::new(Recording {
            inputs,
            choices,
            events: t.events().count(),
            verified,
            recorded_version: t.header.ccsim_version.clone(),
        }));
        Ok(loaded)
    }

    /// The bundled default scenario.
    pub fn bundled() -> LoadedScenario {
        // The bundled file is checked by sim-core's "every scenario loads" test.
        LoadedScenario::from_source(BUNDLED_ORIGIN, BUNDLED_SCENARIO)
            .unwrap_or_else(|e| panic!("the bundled scenario is invalid:\n{e}"))
    }
}

/// An input applied to the run, with when: `at` is the simulated time and
/// `after_events` the number of events processed before it, which together make
/// the run reproducible exactly (a single step leaves the clock at an event's time
/// with other events of that same time still pending).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppliedInput {
    /// Simulated time of application.
    pub at: SimTime,
    /// Events processed before it.
    pub after_events: u64,
    /// The input.
    pub input: Input,
}

/// The running simulation and what it was built from. The only owner of the
/// engine; [`advance_sim`] is the only system that steps it.
#[derive(Resource)]
pub struct SimHandle {
    // `Simulation` is `Send` but not `Sync` (its campaigns' dialers are
    // `Box<dyn Dialer + Send>`); `SyncCell` makes it a resource by allowing only
    // `&mut` access.
    sim: SyncCell<LiveSim>,
    loaded: Arc<LoadedScenario>,
    inputs: Vec<AppliedInput>,
    /// The recording's inputs applied so far.
    next_recorded: usize,
    /// Inputs to apply when the run reaches their time (after the events
    /// before it), in time order: a training session's seat.
    scheduled: std::collections::VecDeque<(SimTime, Input)>,
    /// The agents the scheduled inputs took off duty, in order.
    taken_off: Vec<u32>,
    epoch: u64,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("origin", &self.loaded.origin)
            .field("inputs", &self.inputs)
            .field("next_recorded", &self.next_recorded)
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// A fresh run of `loaded` (its seed and replication).
    pub fn new(loaded: LoadedScenario) -> SimHandle {
        let loaded = Arc::new(loaded);
        SimHandle {
            sim: SyncCell::new(Self::fresh(&loaded)),
            loaded,
            inputs: Vec::new(),
            next_recorded: 0,
            scheduled: std::collections::VecDeque::new(),
            taken_off: Vec::new(),
            epoch: 0,
        }
    }

    fn fresh(loaded: &LoadedScenario) -> LiveSim {
        Simulation::with_observer(
            Arc::clone(&loaded.model),
            loaded.seed,
            loaded.replication,
            Vec::with_capacity(4096),
        )
    }

    /// The simulation.
    pub fn sim(&mut self) -> &mut LiveSim {
        self.sim.get()
    }

    /// The scenario being run.
    pub fn loaded(&self) -> &LoadedScenario {
        &self.loaded
    }

    /// The inputs applied so far by the user, in order (a recording's own
    /// inputs are in [`SimHandle::recorded_inputs`]).
    pub fn inputs(&self) -> &[AppliedInput] {
        &self.inputs
    }

    /// The open recording's inputs (empty without a recording).
    pub fn recorded_inputs(&self) -> &[AppliedInput] {
        self.loaded
            .recording
            .as_ref()
            .map_or(&[][..], |r| r.inputs.as_slice())
    }

    /// Whether a recording is open and the run still follows it (the user
    /// has not changed anything).
    pub fn follows_recording(&self) -> bool {
        self.loaded.recording.is_some() && self.inputs.is_empty()
    }

    /// Bumped whenever another scenario is loaded (the floor's layout changes).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Apply `input` now and record it.
    pub fn apply(&mut self, input: Input) -> Result<(), InputError> {
        self.apply_due(f64::INFINITY);
        let sim = self.sim.get();
        let (at, after_events) = (sim.now(), sim.events());
        sim.apply(input)?;
        self.inputs.push(AppliedInput {
            at,
            after_events,
            input,
        });
        Ok(())
    }

    /// Start `loaded` from the beginning, forgetting the inputs.
    pub fn replace(&mut self, loaded: LoadedScenario) {
        self.loaded = Arc::new(loaded);
        self.sim = SyncCell::new(Self::fresh(&self.loaded));
        self.inputs.clear();
        self.next_recorded = 0;
        self.scheduled.clear();
        self.taken_off.clear();
        self.epoch += 1;
    }

    /// The agents the scheduled inputs took off duty so far (a training
    /// session's seat), in order.
    pub fn taken_off(&self) -> &[u32] {
        &self.taken_off
    }

    /// Apply `input` when the run reaches `at` (after every event before
    /// `at`, as `ccsim replay` does), and keep it with the user's inputs.
    /// Inputs must be scheduled in time order.
    pub fn schedule(&mut self, at: SimTime, input: Input) {
        self.scheduled.push_back((at, input));
    }

    /// Apply the recording's and the scheduled inputs that are due (their
    /// events processed), as long as their time is at most `limit_s`.
    fn apply_due(&mut self, limit_s: f64) {
        while let Some(&(at, input)) = self.scheduled.front() {
            let sim = self.sim.get();
            let events_before = sim.next_event_time().is_some_and(|t| t < at);
            if at.seconds() > limit_s || events_before {
                break;
            }
            self.scheduled.pop_front();
            if sim.now() < at {
                sim.run_until(at);
            }
            let after_events = sim.events();
            let floor = sim.floor();
            let on_before: Vec<u32> = match input {
                Input::SetOnDuty { group, .. } => (0..floor.agent_count() as u32)
                    .filter(|&a| floor.group_of(AgentId(a)) == group && sim.is_on_duty(AgentId(a)))
                    .collect(),
                _ => Vec::new(),
            };
            if sim.apply(input).is_ok() {
                self.taken_off.extend(
                    on_before
                        .into_iter()
                        .filter(|&a| !sim.is_on_duty(AgentId(a))),
                );
                self.inputs.push(AppliedInput {
                    at: sim.now(),
                    after_events,
                    input,
                });
            }
        }
        let Some(rec) = self.loaded.recording.clone() else {
            return;
        };
        let sim = self.sim.get();
        while let Some(r) = rec.inputs.get(self.next_recorded) {
            if sim.events() < r.after_events || r.at.seconds() > limit_s {
                break;
            }
            if sim.now() < r.at {
                sim.run_until(r.at);
            }
            // Refused inputs were refused when recorded too: nothing to do.
            let _ = sim.apply(r.input);
            self.next_recorded += 1;
        }
    }

    /// Process one event (after the recorded inputs due before it); `false`
    /// when the run is over.
    pub fn step(&mut self) -> bool {
        self.apply_due(f64::INFINITY);
        self.sim.get().step()
    }

    /// Process events before `target` (at most `cap`), applying the recorded
    /// inputs on the way; then move the clock to `target` unless the cap
    /// stopped it. Returns the events processed and whether the cap was hit.
    pub fn advance(&mut self, target: SimTime, cap: u32) -> (u32, bool) {
        let mut events = 0;
        loop {
            self.apply_due(target.seconds());
            match self.sim.get().next_event_time() {
                Some(t) if t < target => {}
                _ => break,
            }
            if events >= cap {
                return (events, true);
            }
            self.sim.get().step();
            events += 1;
        }
        let sim = self.sim.get();
        if sim.now() < target {
            sim.run_until(target);
        }
        self.apply_due(target.seconds());
        (events, false)
    }

    /// Run ahead to `t` (no cap).
    pub fn run_to(&mut self, t: SimTime) {
        self.advance(t, u32::MAX);
    }

    /// The recording's and the user's inputs, in the order they apply (the
    /// recording's first at the same point).
    fn all_inputs(&self) -> Vec<AppliedInput> {
        let mut all: Vec<AppliedInput> = self.recorded_inputs().to_vec();
        all.extend(self.inputs.iter().copied());
        all.sort_by(|a, b| {
            (a.after_events, a.at)
                .partial_cmp(&(b.after_events, b.at))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        all
    }

    /// Re-simulate from the start to `t` (deterministic, so exact), re-applying
    /// the inputs made up to `t` at the same points and forgetting the user's
    /// later ones (a recording's stay). The observer buffer then holds every
    /// event from the start: rebuild the view from it ([`SimHandle::new_view`],
    /// [`drain_into`]).
    pub fn rewind_to(&mut self, t: SimTime) {
        self.inputs.retain(|i| i.at <= t);
        let all = self.all_inputs();
        let recorded = self.recorded_inputs().to_vec();
        let mut sim = Self::fresh(&self.loaded);
        let mut next_recorded = 0;
        for i in all.iter().filter(|i| i.at <= t) {
            while sim.events() < i.after_events && sim.step() {}
            if sim.now() < i.at {
                sim.run_until(i.at);
            }
            // The same input at the same point succeeds as it did the first time.
            let _ = sim.apply(i.input);
            if recorded.get(next_recorded) == Some(i) {
                next_recorded += 1;
            }
        }
        if sim.now() < t {
            sim.run_until(t);
        }
        self.sim = SyncCell::new(sim);
        self.next_recorded = next_recorded;
    }

    /// The run as a recording: the whole day re-simulated with every input
    /// made so far (the recording's and the user's) at its point, every event
    /// recorded. `ccsim replay` and this app play it back.
    pub fn to_trace(&self) -> Trace {
        let mut sim = Simulation::with_observer(
            Arc::clone(&self.loaded.model),
            self.loaded.seed,
            self.loaded.replication,
            Recorder::new(),
        );
        for i in self.all_inputs() {
            while sim.events() < i.after_events && sim.step() {}
            if sim.now() < i.at {
                sim.run_until(i.at);
            }
            let _ = trace::apply_recorded(&mut sim, i.input);
        }
        while sim.step() {}
        let header = TraceHeader::new(
            self.loaded.ron.clone(),
            self.loaded.seed,
            self.loaded.replication,
        );
        sim.into_observer().into_trace(header)
    }

    /// An empty view sized for this scenario.
    pub fn new_view(&mut self) -> ViewState {
        let sl_s = self.loaded.scenario.service_level_s;
        let queues = self.loaded.scenario.call_types.len();
        let menus = self.loaded.scenario.ivr.len();
        let campaigns = self.loaded.scenario.campaigns.len();
        let sim = self.sim.get();
        let floor = sim.floor();
        ViewState::new(
            (0..floor.agent_count()).map(|a| floor.group_of(AgentId(a as u32))),
            queues,
            menus,
            campaigns,
            sl_s,
            CHART_STEP_S,
        )
    }
}

/// The app's view of the run (see [`crate::view`]).
#[derive(Resource, Debug, Deref, DerefMut)]
pub struct View(pub ViewState);

/// Pause, speed and single steps.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct Transport {
    /// Whether simulated time stands still.
    pub paused: bool,
    /// Simulated seconds per real second.
    pub speed: f64,
    /// Single events to process next frame (while paused).
    pub pending_steps: u32,
    /// The most events processed in one frame.
    pub max_events_per_frame: u32,
    /// What the last frame did.
    pub last: FrameReport,
    /// The run does not go past this time (a training session's floor is
    /// mirrored and must not run ahead of the session).
    pub hold_at: Option<SimTime>,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            paused: false,
            speed: 60.0,
            pending_steps: 0,
            max_events_per_frame: DEFAULT_MAX_EVENTS_PER_FRAME,
            last: FrameReport::default(),
            hold_at: None,
        }
    }
}

impl Transport {
    /// The next faster (`up`) or slower preset speed.
    pub fn step_speed(&mut self, up: bool) {
        let i = SPEEDS
            .iter()
            .position(|&s| s >= self.speed)
            .unwrap_or(SPEEDS.len() - 1);
        let i = if up {
            let exact = SPEEDS[i] == self.speed;
            (if exact { i + 1 } else { i }).min(SPEEDS.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        self.speed = SPEEDS[i];
    }
}

/// What one frame of [`advance_sim`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FrameReport {
    /// Events processed.
    pub events: u32,
    /// Whether the event cap stopped the frame short of its target time.
    pub capped: bool,
    /// Simulated seconds the frame advanced.
    pub advanced_s: f64,
    /// Simulated seconds per real second actually achieved (smoothed).
    pub achieved_speed: f64,
}

/// A message for the status line of the HUD (errors in red). Information
/// shows for [`StatusLine::INFO_S`], errors for [`StatusLine::ERROR_S`] (real
/// seconds).
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct StatusLine {
    /// The text.
    pub text: String,
    /// Whether it reports an error.
    pub error: bool,
    /// Real seconds since it was set.
    pub age_s: f32,
}

impl StatusLine {
    /// How long information stays.
    pub const INFO_S: f32 = 6.0;
    /// How long an error stays.
    pub const ERROR_S: f32 = 20.0;

    /// Show `text` as information.
    pub fn info(&mut self, text: impl Into<String>) {
        self.text = text.into();
        self.error = false;
        self.age_s = 0.0;
    }

    /// Show `text` as an error (and print it on the console).
    pub fn error(&mut self, text: impl Into<String>) {
        self.text = text.into();
        self.error = true;
        self.age_s = 0.0;
        eprintln!("sim-viz: {}", self.text);
    }

    /// The message, while it is fresh.
    pub fn current(&self) -> Option<&str> {
        let life = if self.error {
            Self::ERROR_S
        } else {
            Self::INFO_S
        };
        (!self.text.is_empty() && self.age_s < life).then_some(self.text.as_str())
    }
}

/// Age the status line.
pub fn age_status(time: Res<Time<Real>>, mut status: ResMut<StatusLine>) {
    status.age_s += time.delta_secs();
}

/// Step the simulation: one pending single step, or speed × frame time of
/// simulated time, at most [`Transport::max_events_per_frame`] events.
pub fn advance_sim(
    time: Res<Time>,
    mut transport: ResMut<Transport>,
    mut handle: ResMut<SimHandle>,
) {
    let start_s = handle.sim().now().seconds();
    let dt = time.delta_secs_f64();
    let mut report = FrameReport {
        achieved_speed: transport.last.achieved_speed,
        ..FrameReport::default()
    };
    if transport.pending_steps > 0 {
        while transport.pending_steps > 0 {
            transport.pending_steps -= 1;
            if !handle.step() {
                transport.pending_steps = 0;
                break;
            }
            report.events += 1;
        }
    } else if !transport.paused
        && dt > 0.0
        && let Some(target) = SimTime::new(start_s + transport.speed * dt)
    {
        let target = transport
            .hold_at
            .map_or(target, |h| if h < target { h } else { target });
        let (events, capped) = handle.advance(target, transport.max_events_per_frame);
        report.events = events;
        report.capped = capped;
    }
    report.advanced_s = handle.sim().now().seconds() - start_s;
    if dt > 0.0 && !transport.paused {
        let now = report.advanced_s / dt;
        report.achieved_speed = if report.achieved_speed > 0.0 {
            0.9 * report.achieved_speed + 0.1 * now
        } else {
            now
        };
    }
    transport.last = report;
}

/// Move the events the engine's observer collected into `view`, then name the
/// callers the events left out (see [`ViewState::take_unresolved`]) and bring the
/// view's clock to the engine's.
pub fn drain_into(sim: &mut LiveSim, view: &mut ViewState) {
    let floor = sim.floor();
    let count = floor.agent_count();
    if count > view.agents.len() {
        view.ensure_agents(count, |a| floor.group_of(AgentId(a as u32)));
    }
    for (t, e) in sim.observer_mut().drain(..) {
        view.apply(t, &e);
    }
    for a in view.take_unresolved() {
        if let Some(c) = sim.agent_call(AgentId(a)) {
            view.resolve_call(a, c.call, c.persona);
        }
    }
    view.advance_to(sim.now().seconds(), false);
}

/// [`drain_into`] as a system.
pub fn drain_events(mut handle: ResMut<SimHandle>, mut view: ResMut<View>) {
    drain_into(handle.sim(), &mut view.0);
}

/// Holds the engine and steps it: [`SimHandle`], [`View`], [`Transport`],
/// [`StatusLine`], and the systems [`advance_sim`] and [`drain_events`].
#[derive(Debug)]
pub struct EnginePlugin {
    /// The scenario to start with.
    pub loaded: LoadedScenario,
}

impl Plugin for EnginePlugin {
    fn build(&self, app: &mut App) {
        let mut handle = SimHandle::new(self.loaded.clone());
        let view = View(handle.new_view());
        app.insert_resource(handle)
            .insert_resource(view)
            .init_resource::<Transport>()
            .init_resource::<StatusLine>()
            .add_systems(
                Update,
                (advance_sim, drain_events)
                    .chain()
                    .in_set(crate::VizSet::Engine),
            )
            .add_systems(Update, age_status.in_set(crate::VizSet::Input));
    }
}
