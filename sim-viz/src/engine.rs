//! The engine plugin: the one place where the app holds and steps sim-core's
//! [`Simulation`].
//!
//! * [`SimHandle`] (a resource) owns the running simulation, the scenario it was
//!   built from and the list of inputs applied so far.
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

/// A validated scenario, compiled, with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file it was read from, or a label for a built-in one.
    pub origin: String,
    /// The file path, when it came from a file.
    pub path: Option<PathBuf>,
    /// The scenario.
    pub scenario: Scenario,
    /// The compiled model.
    pub model: Arc<Model>,
}

impl LoadedScenario {
    /// Read, validate and compile `path`. The error is the compiler-style
    /// diagnostic text (every problem with its line and column).
    pub fn from_file(path: &Path) -> Result<LoadedScenario, String> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut loaded = LoadedScenario::from_source(&path.display().to_string(), &src)?;
        loaded.path = Some(path.to_path_buf());
        Ok(loaded)
    }

    /// Validate and compile RON text; `origin` names it in diagnostics.
    pub fn from_source(origin: &str, src: &str) -> Result<LoadedScenario, String> {
        let scenario = sim_core::scenario::parse(src).map_err(|e| e.render(origin, src))?;
        LoadedScenario::from_scenario(origin, scenario)
    }

    /// Compile a scenario value (already validated or not).
    pub fn from_scenario(origin: &str, scenario: Scenario) -> Result<LoadedScenario, String> {
        let model = Model::new(&scenario).map_err(|e| e.render(origin, ""))?;
        Ok(LoadedScenario {
            origin: origin.to_string(),
            path: None,
            scenario,
            model: Arc::new(model),
        })
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
/// with other events of that same time still pending). A recording feature can
/// store this list as it is.
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
    epoch: u64,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("origin", &self.loaded.origin)
            .field("inputs", &self.inputs)
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// A fresh run of `loaded` (its own seed, replication 0).
    pub fn new(loaded: LoadedScenario) -> SimHandle {
        let loaded = Arc::new(loaded);
        SimHandle {
            sim: SyncCell::new(Self::fresh(&loaded)),
            loaded,
            inputs: Vec::new(),
            epoch: 0,
        }
    }

    fn fresh(loaded: &LoadedScenario) -> LiveSim {
        Simulation::with_observer(
            Arc::clone(&loaded.model),
            loaded.scenario.seed,
            0,
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

    /// The inputs applied so far, in order.
    pub fn inputs(&self) -> &[AppliedInput] {
        &self.inputs
    }

    /// Bumped whenever another scenario is loaded (the floor's layout changes).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Apply `input` now and record it.
    pub fn apply(&mut self, input: Input) -> Result<(), InputError> {
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
        self.epoch += 1;
    }

    /// Re-simulate from the start to `t` (deterministic, so exact), re-applying
    /// the inputs made up to `t` at the same points and forgetting later ones. The
    /// observer buffer then holds every event from the start: rebuild the view
    /// from it ([`SimHandle::new_view`], [`drain_into`]).
    pub fn rewind_to(&mut self, t: SimTime) {
        let mut sim = Self::fresh(&self.loaded);
        self.inputs.retain(|i| i.at <= t);
        for i in &self.inputs {
            while sim.events() < i.after_events && sim.step() {}
            if sim.now() < i.at {
                sim.run_until(i.at);
            }
            // The same input at the same point succeeds as it did the first time.
            let _ = sim.apply(i.input);
        }
        if sim.now() < t {
            sim.run_until(t);
        }
        self.sim = SyncCell::new(sim);
    }

    /// An empty view sized for this scenario.
    pub fn new_view(&mut self) -> ViewState {
        let sl_s = self.loaded.scenario.service_level_s;
        let queues = self.loaded.scenario.call_types.len();
        let menus = self.loaded.scenario.ivr.len();
        let sim = self.sim.get();
        let floor = sim.floor();
        ViewState::new(
            (0..floor.agent_count()).map(|a| floor.group_of(AgentId(a as u32))),
            queues,
            menus,
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
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            paused: false,
            speed: 60.0,
            pending_steps: 0,
            max_events_per_frame: DEFAULT_MAX_EVENTS_PER_FRAME,
            last: FrameReport::default(),
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
    let sim = handle.sim();
    let start_s = sim.now().seconds();
    let dt = time.delta_secs_f64();
    let mut report = FrameReport {
        achieved_speed: transport.last.achieved_speed,
        ..FrameReport::default()
    };
    if transport.pending_steps > 0 {
        while transport.pending_steps > 0 {
            transport.pending_steps -= 1;
            if !sim.step() {
                transport.pending_steps = 0;
                break;
            }
            report.events += 1;
        }
    } else if !transport.paused && dt > 0.0 {
        let target = start_s + transport.speed * dt;
        let cap = transport.max_events_per_frame;
        while let Some(t) = sim.next_event_time() {
            if t.seconds() >= target {
                break;
            }
            if report.events >= cap {
                report.capped = true;
                break;
            }
            sim.step();
            report.events += 1;
        }
        if !report.capped
            && let Some(t) = SimTime::new(target)
        {
            sim.run_until(t);
        }
    }
    report.advanced_s = sim.now().seconds() - start_s;
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
                (
                    advance_sim.run_if(in_state(crate::RunState::Live)),
                    drain_events,
                )
                    .chain()
                    .in_set(crate::VizSet::Engine),
            )
            .add_systems(Update, age_status.in_set(crate::VizSet::Input));
    }
}
