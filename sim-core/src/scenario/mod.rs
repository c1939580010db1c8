//! Scenario files: the serde data model read from RON, and its validation.
//!
//! A scenario is read in two steps, as a compiler would:
//!
//! 1. [`parse`] turns RON text into a [`Scenario`] (syntax, unknown fields, wrong
//!    types: ron reports these with a line and column);
//! 2. [`Scenario::validate`] checks the meaning (positive rates, skills that name a
//!    call type, warm-up shorter than the horizon, …) and reports *every* problem,
//!    each with the path of the offending value, which [`parse`] maps back to a line
//!    and column of the source.
//!
//! Only a scenario that passed both reaches the engine (see
//! [`crate::engine::Model::new`]). Units are part of the field names: `_h` hours,
//! `_s` seconds, `per_hour` a rate.

pub mod campaign;
pub mod dist;
pub mod locate;
pub mod persona;

use std::fmt;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use campaign::{
    AbandonLimit, Amd, Blending, Campaign, DialOutcome, DialWindow, DialerKind, ListRecord,
    Outcomes, Prospect, Retries, Retry, SlBand,
};
pub use dist::TimeDist;
pub use locate::{Path, PathSeg, Position};
pub use persona::{Persona, PersonaKind, PersonaOverride, Phase, PhaseFactors};

/// A whole scenario, as written in a `.ron` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A human-readable name, shown in reports.
    pub name: String,
    /// Length of the arrival period, hours. Calls arrive in `[0, horizon)`.
    pub horizon_h: f64,
    /// Warm-up, hours: calls arriving before it are simulated but not counted, and
    /// time averages start here. Default 0.
    #[serde(default)]
    pub warmup_h: f64,
    /// Number of independent replications. Default 10.
    #[serde(default = "default_replications")]
    pub replications: u32,
    /// Seed of every random stream. Default 1.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The service-level threshold, seconds: a call answered within it counts as
    /// served in time. Default 20.
    #[serde(default = "default_sl")]
    pub service_level_s: f64,
    /// Multiplies every arrival rate (1.0 = as written): the "what if volume is
    /// 10 % higher" knob. Default 1.
    #[serde(default = "one")]
    pub arrival_scale: f64,
    /// Length of the reporting intervals, minutes. Default 30.
    #[serde(default = "default_interval")]
    pub interval_min: f64,
    /// Clock time of the start of the run, hours after midnight (8.0 = 08:00),
    /// used to label intervals. Default 0.
    #[serde(default)]
    pub day_start_h: f64,
    /// Day-to-day variation of the load: each replication's arrival rates are all
    /// multiplied by one factor drawn from a gamma distribution with mean 1 and
    /// this coefficient of variation (arrivals become Poisson–gamma). Default 0.
    #[serde(default)]
    pub busyness_cv: f64,
    /// Changes to the built-in caller personalities (`assets/personas.ron`), by
    /// name: `{ "drammer": (fcr: 0.6) }`.
    #[serde(default)]
    pub personas: BTreeMap<String, PersonaOverride>,
    /// Phone numbers whose callers go through an IVR menu first.
    #[serde(default)]
    pub entry_points: Vec<EntryPoint>,
    /// IVR menus, referred to by name from entry points and other menus.
    #[serde(default)]
    pub ivr: Vec<IvrMenu>,
    /// The kinds of calls, each with its own queue (may be empty when the
    /// scenario has campaigns).
    #[serde(default)]
    pub call_types: Vec<CallType>,
    /// The agents, in groups sharing skills and shifts.
    pub agent_groups: Vec<AgentGroup>,
    /// How the ACD matches calls and agents. Default: longest-idle agent, oldest
    /// call first.
    #[serde(default)]
    pub routing: Routing,
    /// Outbound campaigns dialled on the same floor (agent groups work a campaign
    /// by listing its name among their `skills`).
    #[serde(default)]
    pub campaigns: Vec<Campaign>,
    /// How blended agents share their time between inbound and outbound.
    #[serde(default)]
    pub blending: Option<Blending>,
}

fn one() -> f64 {
    1.0
}
fn default_replications() -> u32 {
    10
}
fn default_seed() -> u64 {
    1
}
fn default_sl() -> f64 {
    20.0
}
fn default_interval() -> f64 {
    30.0
}

/// One kind of call, with its own queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallType {
    /// Unique name; agent groups refer to it in their `skills`.
    pub name: String,
    /// Calls dialled straight to this queue. Absent: the type is reached only
    /// through the IVR, transfers or retrials.
    #[serde(default)]
    pub arrivals: Option<ArrivalProcess>,
    /// Time an agent spends on one call, seconds, as one block. Give either this
    /// or `phases`.
    #[serde(default)]
    pub handle_time: Option<TimeDist>,
    /// The five conversation phases and the after-call work, each with its own
    /// duration: handle time is their sum.
    #[serde(default)]
    pub phases: Option<Phases>,
    /// How long a caller waits in queue before hanging up. Absent: callers never
    /// abandon (the Erlang C assumption).
    #[serde(default)]
    pub patience: Option<TimeDist>,
    /// The mix of caller personalities, as shares by name (`drammer`,
    /// `twijfelaar`, `zwijger`, `babbelaar`, `neutral`); normalised. Empty: no
    /// personalities (no FCR, CSAT or retrials are modelled for this type).
    #[serde(default)]
    pub persona_mix: BTreeMap<String, f64>,
    /// Share of callers who are priority customers, served ahead of the others.
    #[serde(default)]
    pub priority_share: f64,
    /// Escalation of a share of calls to a second-line call type.
    #[serde(default)]
    pub transfer: Option<Transfer>,
    /// Groups that take this type's calls once they have waited long enough.
    #[serde(default)]
    pub overflow: Option<Overflow>,
    /// A callback offered when the expected wait is long.
    #[serde(default)]
    pub callback: Option<CallbackOffer>,
}

/// How calls arrive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ArrivalProcess {
    /// A Poisson process with a constant rate.
    Poisson {
        /// Mean number of calls per hour (> 0).
        per_hour: f64,
    },
    /// A Poisson process whose rate changes by interval (a day profile): rate
    /// `per_hour[i]` during `[i·interval, (i+1)·interval)` from the start of the
    /// run. The profile must cover the horizon.
    Profile {
        /// Interval length, minutes.
        interval_min: f64,
        /// Calls per hour in each interval (>= 0).
        per_hour: Vec<f64>,
    },
    /// Recorded arrivals replayed as given (a trace-driven run): each call arrives
    /// at its `at_s`, in order, whatever the seed; `arrival_scale` and
    /// `busyness_cv` do not apply. Calls at or after the horizon are dropped.
    /// sim-core reads no files: the CLI fills this from a call log
    /// (`ccsim run --trace-log`).
    Trace {
        /// The calls, by arrival time (non-decreasing).
        calls: Vec<TraceCall>,
    },
}

/// One recorded call of an [`ArrivalProcess::Trace`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceCall {
    /// Arrival time, seconds from the start of the run (>= 0).
    pub at_s: f64,
    /// Recorded handle time, seconds; replaces the sampled one (`None`: sampled).
    #[serde(default)]
    pub handle_s: Option<f64>,
    /// Recorded patience, seconds (e.g. the wait of a caller who abandoned);
    /// replaces the sampled one (`None`: sampled, or none without `patience`).
    #[serde(default)]
    pub patience_s: Option<f64>,
    /// Recorded priority; replaces the `priority_share` draw (`None`: drawn).
    #[serde(default)]
    pub priority: Option<bool>,
}

impl ArrivalProcess {
    /// Mean arrival rate over `[0, horizon_h)`, calls per hour.
    pub fn mean_per_hour(&self, horizon_h: f64) -> f64 {
        match self {
            ArrivalProcess::Poisson { per_hour } => *per_hour,
            ArrivalProcess::Profile {
                interval_min,
                per_hour,
            } => {
                let step_h = interval_min / 60.0;
                let mut total = 0.0;
                for (i, r) in per_hour.iter().enumerate() {
                    let a = i as f64 * step_h;
                    let b = ((i + 1) as f64 * step_h).min(horizon_h);
                    if b > a {
                        total += r * (b - a);
                    }
                }
                total / horizon_h
            }
            ArrivalProcess::Trace { calls } => {
                let n = calls.iter().filter(|c| c.at_s < horizon_h * 3600.0).count();
                n as f64 / horizon_h
            }
        }
    }

    fn validate(&self, path: &Path, horizon_h: f64, p: &mut Vec<Problem>) {
        match self {
            ArrivalProcess::Poisson { per_hour } => {
                check_finite(p, path.field("per_hour"), "per_hour", *per_hour, true)
            }
            ArrivalProcess::Profile {
                interval_min,
                per_hour,
            } => {
                check_finite(
                    p,
                    path.field("interval_min"),
                    "interval_min",
                    *interval_min,
                    true,
                );
                for (i, r) in per_hour.iter().enumerate() {
                    check_finite(p, path.field("per_hour").index(i), "per_hour", *r, false);
                }
                if interval_min.is_finite()
                    && *interval_min > 0.0
                    && horizon_h.is_finite()
                    && (per_hour.len() as f64) * interval_min / 60.0 < horizon_h - 1e-9
                {
                    p.push(Problem::new(
                        path.field("per_hour"),
                        format!(
                            "the profile covers {} h ({} intervals of {} min) but the horizon is {} h",
                            per_hour.len() as f64 * interval_min / 60.0,
                            per_hour.len(),
                            interval_min,
                            horizon_h
                        ),
                    ));
                }
                if per_hour.iter().all(|r| *r == 0.0) && !per_hour.is_empty() {
                    p.push(Problem::new(path.field("per_hour"), "every rate is 0"));
                }
            }
            ArrivalProcess::Trace { calls } => {
                let mut last = 0.0;
                for (i, c) in calls.iter().enumerate() {
                    let at = path.field("calls").index(i);
                    check_finite(p, at.clone().field("at_s"), "at_s", c.at_s, false);
                    if c.at_s < last {
                        p.push(Problem::new(
                            at.clone().field("at_s"),
                            format!("arrival times must not decrease ({} after {last})", c.at_s),
                        ));
                    }
                    last = c.at_s.max(last);
                    if let Some(h) = c.handle_s {
                        check_finite(p, at.clone().field("handle_s"), "handle_s", h, false);
                    }
                    if let Some(x) = c.patience_s {
                        check_finite(p, at.field("patience_s"), "patience_s", x, false);
                    }
                }
            }
        }
    }
}

/// Durations of the five conversation phases and the after-call work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phases {
    /// Alertness: getting ready and picking up.
    pub alertheid: TimeDist,
    /// Opening: greeting.
    pub aanvang: TimeDist,
    /// Analysis: finding the real question.
    pub analyse: TimeDist,
    /// Offer: the solution.
    pub aanbod: TimeDist,
    /// Closing.
    pub afsluiting: TimeDist,
    /// After-call work: the caller has gone, the agent is still busy.
    pub acw: TimeDist,
}

impl Phases {
    /// The distributions in [`Phase::ALL`] order.
    pub fn as_array(&self) -> [&TimeDist; 6] {
        [
            &self.alertheid,
            &self.aanvang,
            &self.analyse,
            &self.aanbod,
            &self.afsluiting,
            &self.acw,
        ]
    }

    /// Mean handle time, seconds (the sum of the phase means).
    pub fn mean_s(&self) -> f64 {
        self.as_array().iter().map(|d| d.mean_s()).sum()
    }
}

/// Escalation to a second line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// The call type (second-line skill) the call is transferred to.
    pub to: String,
    /// Share of answered calls the first-line agent escalates.
    pub share: f64,
}

/// Overflow to other groups after a wait.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overflow {
    /// Wait after which the overflow groups may take the call, seconds.
    pub after_s: f64,
    /// The groups, by name.
    pub groups: Vec<String>,
}

/// A callback offer: when the expected wait exceeds a threshold, a caller may
/// leave the queue and be called back; the callback keeps the caller's place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackOffer {
    /// Offer the callback when the expected wait exceeds this, seconds.
    pub when_expected_wait_s: f64,
    /// Share of callers offered a callback who accept it.
    pub accept: f64,
    /// Ring time of the callback (the agent is busy dialling), seconds.
    #[serde(default = "default_ring")]
    pub ring_s: f64,
    /// Chance the customer answers the callback; otherwise it is lost.
    #[serde(default = "default_reach")]
    pub reached: f64,
}

fn default_ring() -> f64 {
    15.0
}
fn default_reach() -> f64 {
    0.9
}

/// A phone number whose callers go through an IVR menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryPoint {
    /// Name, shown in reports.
    pub name: String,
    /// How calls arrive at this number.
    pub arrivals: ArrivalProcess,
    /// The first menu the callers hear.
    pub menu: String,
}

/// One IVR menu: a prompt that takes time, then the caller's choice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IvrMenu {
    /// Unique name.
    pub name: String,
    /// Time spent in this menu (listening and choosing), seconds.
    pub duration: TimeDist,
    /// Chance that the caller hangs up in this menu.
    #[serde(default)]
    pub hangup: f64,
    /// Chance that a caller bound for a queue picks another queue of this menu.
    #[serde(default)]
    pub misroute: f64,
    /// The choices, with the share of callers taking each (normalised).
    pub options: Vec<IvrOption>,
}

/// A choice in an IVR menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IvrOption {
    /// Share of the callers who choose it.
    pub share: f64,
    /// Where it leads.
    pub to: IvrTarget,
}

/// Where an IVR choice leads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum IvrTarget {
    /// Another menu, by name.
    Menu(String),
    /// The queue of a call type, by name.
    Queue(String),
    /// The caller is served by the IVR alone (balance enquiry, opening hours).
    SelfService,
}

/// A group of agents sharing skills and a schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentGroup {
    /// Unique name, shown in reports.
    pub name: String,
    /// Agents on duty all day. Give exactly one of `count`, `shifts`, `staffing`.
    #[serde(default)]
    pub count: Option<u32>,
    /// Shifts, each with its number of agents and breaks.
    #[serde(default)]
    pub shifts: Vec<Shift>,
    /// Agents on duty per interval (a staffing plan).
    #[serde(default)]
    pub staffing: Option<Staffing>,
    /// Names of the call types these agents take, the primary skill first.
    pub skills: Vec<String>,
    /// Speed per skill: 1.0 normal, 0.8 takes 25 % longer, 1.25 is 20 % faster.
    /// Default 1.0 for each skill.
    #[serde(default)]
    pub proficiency: BTreeMap<String, f64>,
    /// Share of scheduled agents absent on a given day (each agent independently).
    #[serde(default)]
    pub shrinkage: f64,
    /// Cost of one agent-hour on duty, in the scenario's currency.
    #[serde(default)]
    pub wage_per_hour: Option<f64>,
}

/// A shift: agents on duty from `start_h` to `end_h` with breaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shift {
    /// Start, hours from the start of the run.
    pub start_h: f64,
    /// End, hours from the start of the run. A shift that ends at or after the
    /// horizon stays until the last counted call has ended.
    pub end_h: f64,
    /// Agents on this shift.
    pub count: u32,
    /// Breaks taken by every agent of the shift.
    #[serde(default)]
    pub breaks: Vec<Break>,
}

/// A break in a shift. An agent finishes the call in hand first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Break {
    /// When the first agent goes, hours from the start of the run.
    pub start_h: f64,
    /// Length, minutes.
    pub duration_min: f64,
    /// The shift's agents start their breaks spread evenly over this many
    /// minutes (0: all at once).
    #[serde(default)]
    pub stagger_min: f64,
}

/// Agents on duty per interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staffing {
    /// Interval length, minutes.
    pub interval_min: f64,
    /// Agents on duty in each interval; the last value holds to the end of the run.
    pub counts: Vec<u32>,
}

/// The ACD's routing rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routing {
    /// How a freed agent picks its next call.
    #[serde(default)]
    pub policy: RoutingPolicy,
}

/// How a freed agent picks its next call (an arriving call always goes to the
/// eligible agent idle the longest).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoutingPolicy {
    /// The caller who has waited longest among the queues the agent can serve
    /// (priority callers first).
    #[default]
    LongestWaiting,
    /// The agent's skills in order: the primary skill's queue first, then the
    /// next (priority callers first within each).
    SkillPriority,
}

/// A semantic problem found by [`Scenario::validate`]: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path of the offending value, e.g. `call_types[0].arrivals.per_hour`.
    pub path: Path,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(path: Path, message: impl Into<String>) -> Self {
        Self {
            path,
            message: message.into(),
        }
    }
}

/// One located message about a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Line and column in the source, when known.
    pub position: Option<Position>,
    /// The path of the value concerned, for semantic problems.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.position {
            write!(f, "{}:{}: ", p.line, p.col)?;
        }
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Why a scenario was refused: every problem found, each located.
///
/// Fatal for the run: nothing is simulated from a scenario with problems.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// The problems, in the order of the file (syntax errors first).
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl ScenarioError {
    /// Render every diagnostic as `origin:line:col: message`, followed by the source
    /// line and a caret under the column, as compilers do.
    pub fn render(&self, origin: &str, src: &str) -> String {
        let lines: Vec<&str> = src.lines().collect();
        let mut out = String::new();
        for d in &self.diagnostics {
            match d.position {
                Some(p) => {
                    out.push_str(&format!("{origin}:{}:{}: error: ", p.line, p.col));
                }
                None => out.push_str(&format!("{origin}: error: ")),
            }
            if let Some(path) = &d.path {
                out.push_str(&format!("{path}: "));
            }
            out.push_str(&d.message);
            out.push('\n');
            if let Some(p) = d.position
                && let Some(line) = lines.get(p.line.saturating_sub(1))
            {
                let gutter = p.line.to_string();
                out.push_str(&format!("{gutter} | {line}\n"));
                let pad: String = line
                    .chars()
                    .take(p.col.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                out.push_str(&format!("{} | {pad}^\n", " ".repeat(gutter.len())));
            }
        }
        out
    }
}

/// The RON options every scenario is read with: `Some(…)` may be left out around
/// optional values (`patience: Exponential(mean_s: 300.0)`).
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Read and validate a scenario from RON text. On failure, every problem found,
/// each with its line and column.
pub fn parse(src: &str) -> Result<Scenario, ScenarioError> {
    parse_document(src, Scenario::validate)
}

/// Read any RON document of ccsim (a scenario, an exercise, a caller script) as a
/// `T` and check it with `validate`: syntax errors are located by ron, semantic
/// problems by [`locate`] from their paths.
pub(crate) fn parse_document<T: serde::de::DeserializeOwned>(
    src: &str,
    validate: impl FnOnce(&T) -> Vec<Problem>,
) -> Result<T, ScenarioError> {
    let value: T = ron_options().from_str(src).map_err(|e| ScenarioError {
        diagnostics: vec![Diagnostic {
            position: Some(Position {
                line: e.span.start.line,
                col: e.span.start.col,
            }),
            path: None,
            message: e.code.to_string(),
        }],
    })?;
    let problems = validate(&value);
    if problems.is_empty() {
        Ok(value)
    } else {
        Err(located(src, problems))
    }
}

/// The problems as one error, each located in `src`, in the order of the file.
pub(crate) fn located(src: &str, problems: Vec<Problem>) -> ScenarioError {
    let mut diagnostics: Vec<Diagnostic> = problems
        .into_iter()
        .map(|p| Diagnostic {
            position: locate::locate(src, p.path.segments()),
            path: Some(p.path.to_string()),
            message: p.message,
        })
        .collect();
    diagnostics.sort_by_key(|d| d.position);
    ScenarioError { diagnostics }
}

fn check_finite(problems: &mut Vec<Problem>, path: Path, name: &str, v: f64, min_exclusive: bool) {
    let ok = v.is_finite() && if min_exclusive { v > 0.0 } else { v >= 0.0 };
    if !ok {
        let rel = if min_exclusive { "> 0" } else { ">= 0" };
        problems.push(Problem::new(
            path,
            format!("{name} must be a finite number {rel}, found {v}"),
        ));
    }
}

fn check_prob(problems: &mut Vec<Problem>, path: Path, name: &str, v: f64) {
    if !(0.0..=1.0).contains(&v) {
        problems.push(Problem::new(
            path,
            format!("{name} is a probability: it must lie in [0, 1], found {v}"),
        ));
    }
}

impl Scenario {
    /// Index of the call type called `name`.
    pub fn call_type_index(&self, name: &str) -> Option<usize> {
        self.call_types.iter().position(|c| c.name == name)
    }

    /// Index of the agent group called `name`.
    pub fn group_index(&self, name: &str) -> Option<usize> {
        self.agent_groups.iter().position(|g| g.name == name)
    }

    /// Index of the IVR menu called `name`.
    pub fn menu_index(&self, name: &str) -> Option<usize> {
        self.ivr.iter().position(|m| m.name == name)
    }

    /// The five personas with this scenario's overrides applied, indexed by
    /// [`PersonaKind::index`].
    pub fn resolved_personas(&self) -> [Persona; 5] {
        let defaults = persona::default_personas();
        PersonaKind::ALL.map(|k| match self.personas.get(k.name()) {
            Some(o) => defaults[k.index()].with_override(o),
            None => defaults[k.index()].clone(),
        })
    }

    /// Mean handle time of call type `i`, seconds, before persona and proficiency.
    pub fn mean_handle_s(&self, i: usize) -> f64 {
        let ct = &self.call_types[i];
        match (&ct.phases, &ct.handle_time) {
            (Some(p), _) => p.mean_s(),
            (None, Some(h)) => h.mean_s(),
            (None, None) => f64::NAN,
        }
    }

    /// Index of the campaign called `name`.
    pub fn campaign_index(&self, name: &str) -> Option<usize> {
        self.campaigns.iter().position(|c| c.name == name)
    }

    fn known_types(&self) -> String {
        let known: Vec<String> = self
            .call_types
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect();
        known.join(", ")
    }

    fn validate_campaigns(&self, root: &Path, horizon_h: f64, p: &mut Vec<Problem>) {
        for (i, c) in self.campaigns.iter().enumerate() {
            let path = root.field("campaigns").index(i);
            if c.name.trim().is_empty() {
                p.push(Problem::new(
                    path.field("name"),
                    "campaign name must not be empty",
                ));
            } else if self.campaigns[..i].iter().any(|o| o.name == c.name) {
                p.push(Problem::new(
                    path.field("name"),
                    format!("campaign name \"{}\" is used twice", c.name),
                ));
            } else if self.call_type_index(&c.name).is_some() {
                p.push(Problem::new(
                    path.field("name"),
                    format!(
                        "campaign name \"{}\" is also a call type's: skills could not tell them apart",
                        c.name
                    ),
                ));
            }
            c.validate(&path, horizon_h, p);
        }
        if let Some(b) = &self.blending {
            b.validate(&root.field("blending"), p);
            if self.campaigns.is_empty() {
                p.push(Problem::new(
                    root.field("blending"),
                    "blending needs at least one campaign",
                ));
            }
        }
    }

    /// Every semantic problem of this scenario (empty when it is sound).
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        let root = Path::root();
        if self.name.trim().is_empty() {
            p.push(Problem::new(root.field("name"), "name must not be empty"));
        }
        check_finite(
            &mut p,
            root.field("horizon_h"),
            "horizon_h",
            self.horizon_h,
            true,
        );
        check_finite(
            &mut p,
            root.field("warmup_h"),
            "warmup_h",
            self.warmup_h,
            false,
        );
        if self.horizon_h.is_finite()
            && self.warmup_h.is_finite()
            && self.warmup_h >= self.horizon_h
        {
            p.push(Problem::new(
                root.field("warmup_h"),
                format!(
                    "warmup_h ({}) must be shorter than horizon_h ({})",
                    self.warmup_h, self.horizon_h
                ),
            ));
        }
        check_finite(
            &mut p,
            root.field("arrival_scale"),
            "arrival_scale",
            self.arrival_scale,
            true,
        );
        check_finite(
            &mut p,
            root.field("interval_min"),
            "interval_min",
            self.interval_min,
            true,
        );
        check_finite(
            &mut p,
            root.field("day_start_h"),
            "day_start_h",
            self.day_start_h,
            false,
        );
        check_finite(
            &mut p,
            root.field("busyness_cv"),
            "busyness_cv",
            self.busyness_cv,
            false,
        );
        if self.replications == 0 {
            p.push(Problem::new(
                root.field("replications"),
                "replications must be at least 1",
            ));
        }
        check_finite(
            &mut p,
            root.field("service_level_s"),
            "service_level_s",
            self.service_level_s,
            true,
        );
        let horizon_h = if self.horizon_h.is_finite() {
            self.horizon_h
        } else {
            0.0
        };

        // Personas.
        let personas = self.resolved_personas();
        for name in self.personas.keys() {
            match PersonaKind::from_name(name) {
                None => p.push(Problem::new(
                    root.field("personas").field(name),
                    format!(
                        "unknown personality \"{name}\" (known: neutral, drammer, twijfelaar, zwijger, babbelaar)"
                    ),
                )),
                Some(k) => personas[k.index()].validate(&root.field("personas").field(name), &mut p),
            }
        }

        // Call types.
        if self.call_types.is_empty() && self.campaigns.is_empty() {
            p.push(Problem::new(
                root.field("call_types"),
                "a scenario needs at least one call type or campaign",
            ));
        }
        for (i, ct) in self.call_types.iter().enumerate() {
            let path = root.field("call_types").index(i);
            if ct.name.trim().is_empty() {
                p.push(Problem::new(
                    path.field("name"),
                    "call type name must not be empty",
                ));
            } else if self.call_types[..i].iter().any(|o| o.name == ct.name) {
                p.push(Problem::new(
                    path.field("name"),
                    format!("call type name \"{}\" is used twice", ct.name),
                ));
            }
            if let Some(a) = &ct.arrivals {
                a.validate(&path.field("arrivals"), horizon_h, &mut p);
            }
            match (&ct.handle_time, &ct.phases) {
                (Some(h), None) => h.validate(&path.field("handle_time"), &mut p),
                (None, Some(ph)) => {
                    for (phase, d) in Phase::ALL.iter().zip(ph.as_array()) {
                        d.validate(&path.field("phases").field(phase.name()), &mut p);
                    }
                }
                (None, None) => p.push(Problem::new(
                    path.clone(),
                    format!("call type \"{}\" needs a handle_time or phases", ct.name),
                )),
                (Some(_), Some(_)) => p.push(Problem::new(
                    path.field("phases"),
                    "give either handle_time or phases, not both",
                )),
            }
            if let Some(pat) = &ct.patience {
                pat.validate(&path.field("patience"), &mut p);
            }
            for (name, share) in &ct.persona_mix {
                let spath = path.field("persona_mix").field(name);
                if PersonaKind::from_name(name).is_none() {
                    p.push(Problem::new(
                        spath,
                        format!(
                            "unknown personality \"{name}\" (known: neutral, drammer, twijfelaar, zwijger, babbelaar)"
                        ),
                    ));
                } else {
                    check_finite(&mut p, spath, "a persona share", *share, false);
                }
            }
            if !ct.persona_mix.is_empty() && ct.persona_mix.values().all(|s| *s == 0.0) {
                p.push(Problem::new(
                    path.field("persona_mix"),
                    "every persona share is 0",
                ));
            }
            check_prob(
                &mut p,
                path.field("priority_share"),
                "priority_share",
                ct.priority_share,
            );
            if let Some(t) = &ct.transfer {
                check_prob(
                    &mut p,
                    path.field("transfer").field("share"),
                    "share",
                    t.share,
                );
                match self.call_type_index(&t.to) {
                    None => p.push(Problem::new(
                        path.field("transfer").field("to"),
                        format!(
                            "transfer target \"{}\" names no call type (known: {})",
                            t.to,
                            self.known_types()
                        ),
                    )),
                    Some(j) if j == i => p.push(Problem::new(
                        path.field("transfer").field("to"),
                        "a call type cannot transfer to itself",
                    )),
                    Some(_) => {}
                }
            }
            if let Some(o) = &ct.overflow {
                check_finite(
                    &mut p,
                    path.field("overflow").field("after_s"),
                    "after_s",
                    o.after_s,
                    false,
                );
                if o.groups.is_empty() {
                    p.push(Problem::new(
                        path.field("overflow").field("groups"),
                        "name at least one group",
                    ));
                }
                for (k, g) in o.groups.iter().enumerate() {
                    if self.group_index(g).is_none() {
                        p.push(Problem::new(
                            path.field("overflow").field("groups").index(k),
                            format!("overflow group \"{g}\" names no agent group"),
                        ));
                    }
                }
            }
            if let Some(c) = &ct.callback {
                let cp = path.field("callback");
                check_finite(
                    &mut p,
                    cp.field("when_expected_wait_s"),
                    "when_expected_wait_s",
                    c.when_expected_wait_s,
                    false,
                );
                check_prob(&mut p, cp.field("accept"), "accept", c.accept);
                check_finite(&mut p, cp.field("ring_s"), "ring_s", c.ring_s, false);
                check_prob(&mut p, cp.field("reached"), "reached", c.reached);
            }
        }
        // Transfers must not loop forever.
        for (i, _) in self.call_types.iter().enumerate() {
            let mut seen = vec![i];
            let mut cur = i;
            while let Some(j) = self.call_types[cur]
                .transfer
                .as_ref()
                .and_then(|t| self.call_type_index(&t.to))
            {
                if seen.contains(&j) {
                    if j == i && seen.len() > 1 {
                        p.push(Problem::new(
                            root.field("call_types").index(i).field("transfer"),
                            "transfers form a loop",
                        ));
                    }
                    break;
                }
                seen.push(j);
                cur = j;
            }
        }

        self.validate_ivr(&root, horizon_h, &mut p);
        self.validate_groups(&root, horizon_h, &mut p);
        self.validate_campaigns(&root, horizon_h, &mut p);

        // A call type nobody can answer and nobody abandons would wait forever.
        for (i, ct) in self.call_types.iter().enumerate() {
            let staffed = self.agent_groups.iter().any(|g| {
                g.max_agents() > 0
                    && (g.skills.iter().any(|s| s == &ct.name)
                        || ct
                            .overflow
                            .as_ref()
                            .is_some_and(|o| o.groups.contains(&g.name)))
            });
            if !staffed && ct.patience.is_none() {
                p.push(Problem::new(
                    root.field("call_types").index(i),
                    format!(
                        "no agent can take call type \"{}\" and its callers never abandon \
                         (give it a patience, or an agent group with this skill)",
                        ct.name
                    ),
                ));
            }
        }
        p
    }

    fn validate_ivr(&self, root: &Path, horizon_h: f64, p: &mut Vec<Problem>) {
        for (e, ep) in self.entry_points.iter().enumerate() {
            let path = root.field("entry_points").index(e);
            if ep.name.trim().is_empty() {
                p.push(Problem::new(
                    path.field("name"),
                    "entry point name must not be empty",
                ));
            }
            ep.arrivals.validate(&path.field("arrivals"), horizon_h, p);
            if self.menu_index(&ep.menu).is_none() {
                p.push(Problem::new(
                    path.field("menu"),
                    format!("menu \"{}\" is not defined in `ivr`", ep.menu),
                ));
            }
        }
        for (m, menu) in self.ivr.iter().enumerate() {
            let path = root.field("ivr").index(m);
            if menu.name.trim().is_empty() {
                p.push(Problem::new(
                    path.field("name"),
                    "menu name must not be empty",
                ));
            } else if self.ivr[..m].iter().any(|o| o.name == menu.name) {
                p.push(Problem::new(
                    path.field("name"),
                    format!("menu name \"{}\" is used twice", menu.name),
                ));
            }
            menu.duration.validate(&path.field("duration"), p);
            check_prob(p, path.field("hangup"), "hangup", menu.hangup);
            check_prob(p, path.field("misroute"), "misroute", menu.misroute);
            if menu.options.is_empty() {
                p.push(Problem::new(
                    path.field("options"),
                    "a menu needs at least one option",
                ));
            }
            for (o, opt) in menu.options.iter().enumerate() {
                let op = path.field("options").index(o);
                check_finite(p, op.field("share"), "share", opt.share, false);
                match &opt.to {
                    IvrTarget::Menu(name) if self.menu_index(name).is_none() => {
                        p.push(Problem::new(
                            op.field("to"),
                            format!("menu \"{name}\" is not defined in `ivr`"),
                        ))
                    }
                    IvrTarget::Queue(name) if self.call_type_index(name).is_none() => {
                        p.push(Problem::new(
                            op.field("to"),
                            format!(
                                "queue \"{name}\" names no call type (known: {})",
                                self.known_types()
                            ),
                        ))
                    }
                    _ => {}
                }
            }
            if !menu.options.is_empty() && menu.options.iter().all(|o| o.share == 0.0) {
                p.push(Problem::new(
                    path.field("options"),
                    "every option share is 0",
                ));
            }
        }
        // Menus must not loop: every path ends in a queue, self-service or a hang-up.
        for (m, _) in self.ivr.iter().enumerate() {
            let mut stack = vec![(m, vec![m])];
            while let Some((cur, trail)) = stack.pop() {
                for opt in &self.ivr[cur].options {
                    if let IvrTarget::Menu(name) = &opt.to
                        && let Some(next) = self.menu_index(name)
                    {
                        if trail.contains(&next) {
                            if next == m {
                                p.push(Problem::new(
                                    root.field("ivr").index(m),
                                    format!(
                                        "menu \"{}\" can lead back to itself",
                                        self.ivr[m].name
                                    ),
                                ));
                            }
                        } else {
                            let mut t = trail.clone();
                            t.push(next);
                            stack.push((next, t));
                        }
                    }
                }
            }
        }
        let has_source =
            self.call_types.iter().any(|c| c.arrivals.is_some()) || !self.entry_points.is_empty();
        if !has_source && self.campaigns.is_empty() {
            p.push(Problem::new(
                root.field("call_types"),
                "no calls arrive: give a call type `arrivals` or add an entry point",
            ));
        }
    }

    fn validate_groups(&self, root: &Path, horizon_h: f64, p: &mut Vec<Problem>) {
        if self.agent_groups.is_empty() {
            p.push(Problem::new(
                root.field("agent_groups"),
                "a scenario needs at least one agent group",
            ));
        }
        for (g, group) in self.agent_groups.iter().enumerate() {
            let path = root.field("agent_groups").index(g);
            if group.name.trim().is_empty() {
                p.push(Problem::new(
                    path.field("name"),
                    "group name must not be empty",
                ));
            } else if self.agent_groups[..g].iter().any(|o| o.name == group.name) {
                p.push(Problem::new(
                    path.field("name"),
                    format!("agent group name \"{}\" is used twice", group.name),
                ));
            }
            let forms = usize::from(group.count.is_some())
                + usize::from(!group.shifts.is_empty())
                + usize::from(group.staffing.is_some());
            if forms != 1 {
                p.push(Problem::new(
                    path.clone(),
                    format!(
                        "agent group \"{}\" needs exactly one of `count`, `shifts` or `staffing`",
                        group.name
                    ),
                ));
            }
            for (s, shift) in group.shifts.iter().enumerate() {
                let sp = path.field("shifts").index(s);
                check_finite(p, sp.field("start_h"), "start_h", shift.start_h, false);
                if !(shift.end_h.is_finite() && shift.end_h > shift.start_h) {
                    p.push(Problem::new(
                        sp.field("end_h"),
                        format!(
                            "end_h must be after start_h ({}), found {}",
                            shift.start_h, shift.end_h
                        ),
                    ));
                }
                if shift.start_h.is_finite() && shift.start_h >= horizon_h {
                    p.push(Problem::new(
                        sp.field("start_h"),
                        "the shift starts after the horizon",
                    ));
                }
                for (b, br) in shift.breaks.iter().enumerate() {
                    let bp = sp.field("breaks").index(b);
                    check_finite(
                        p,
                        bp.field("duration_min"),
                        "duration_min",
                        br.duration_min,
                        true,
                    );
                    check_finite(
                        p,
                        bp.field("stagger_min"),
                        "stagger_min",
                        br.stagger_min,
                        false,
                    );
                    let end = br.start_h + (br.stagger_min + br.duration_min) / 60.0;
                    if !(br.start_h.is_finite()
                        && br.start_h >= shift.start_h
                        && end <= shift.end_h)
                    {
                        p.push(Problem::new(
                            bp.field("start_h"),
                            format!(
                                "the break ({} h for {} min, staggered over {} min) must lie within its shift ({} h to {} h)",
                                br.start_h, br.duration_min, br.stagger_min, shift.start_h, shift.end_h
                            ),
                        ));
                    }
                }
            }
            if let Some(st) = &group.staffing {
                check_finite(
                    p,
                    path.field("staffing").field("interval_min"),
                    "interval_min",
                    st.interval_min,
                    true,
                );
                if st.counts.is_empty() {
                    p.push(Problem::new(
                        path.field("staffing").field("counts"),
                        "give at least one count",
                    ));
                }
            }
            check_prob(p, path.field("shrinkage"), "shrinkage", group.shrinkage);
            if let Some(w) = group.wage_per_hour {
                check_finite(p, path.field("wage_per_hour"), "wage_per_hour", w, false);
            }
            if group.skills.is_empty() {
                p.push(Problem::new(
                    path.field("skills"),
                    "an agent group needs at least one skill",
                ));
            }
            for (s, skill) in group.skills.iter().enumerate() {
                let spath = path.field("skills").index(s);
                if self.call_type_index(skill).is_none() && self.campaign_index(skill).is_none() {
                    let message = if self.campaigns.is_empty() {
                        format!(
                            "skill \"{skill}\" names no call type (known: {})",
                            self.known_types()
                        )
                    } else {
                        let campaigns: Vec<String> = self
                            .campaigns
                            .iter()
                            .map(|c| format!("\"{}\"", c.name))
                            .collect();
                        format!(
                            "skill \"{skill}\" names no call type or campaign (call types: {}; campaigns: {})",
                            self.known_types(),
                            campaigns.join(", ")
                        )
                    };
                    p.push(Problem::new(spath, message));
                } else if group.skills[..s].contains(skill) {
                    p.push(Problem::new(
                        spath,
                        format!("skill \"{skill}\" is listed twice"),
                    ));
                }
            }
            for (skill, prof) in &group.proficiency {
                let pp = path.field("proficiency").field(skill);
                if !group.skills.contains(skill)
                    && !self.call_types.iter().any(|c| {
                        c.name == *skill
                            && c.overflow
                                .as_ref()
                                .is_some_and(|o| o.groups.contains(&group.name))
                    })
                {
                    p.push(Problem::new(
                        pp.clone(),
                        format!(
                            "proficiency for \"{skill}\", which is not one of this group's skills"
                        ),
                    ));
                }
                check_finite(p, pp, "proficiency", *prof, true);
            }
        }
    }
}

impl Scenario {
    /// A scenario with the given parts and every optional field at its default
    /// (for building scenarios in code, e.g. from a fitted call log).
    pub fn new(
        name: impl Into<String>,
        horizon_h: f64,
        call_types: Vec<CallType>,
        agent_groups: Vec<AgentGroup>,
    ) -> Scenario {
        Scenario {
            name: name.into(),
            horizon_h,
            warmup_h: 0.0,
            replications: default_replications(),
            seed: default_seed(),
            service_level_s: default_sl(),
            arrival_scale: 1.0,
            interval_min: default_interval(),
            day_start_h: 0.0,
            busyness_cv: 0.0,
            personas: BTreeMap::new(),
            entry_points: Vec::new(),
            ivr: Vec::new(),
            call_types,
            agent_groups,
            routing: Routing::default(),
            campaigns: Vec::new(),
            blending: Default::default(),
        }
    }
}

/// A scenario that meets Erlang C's or Erlang A's assumptions, as their inputs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangQueue {
    /// Arrival rate (with `arrival_scale`), calls per hour.
    pub calls_per_hour: f64,
    /// Mean handle time, seconds.
    pub aht_s: f64,
    /// Mean patience, seconds (`None`: nobody abandons, Erlang C).
    pub patience_s: Option<f64>,
    /// Agents.
    pub agents: u32,
}

impl Scenario {
    /// The Erlang C/A inputs of this scenario when it meets their assumptions: one
    /// call type with constant Poisson arrivals straight to its queue, exponential
    /// handle time (one block), exponential or no patience, no personalities,
    /// priorities, transfers, overflow or callbacks, no IVR, no day-to-day
    /// busyness, and one group of agents on duty all day without shrinkage.
    pub fn erlang_queue(&self) -> Option<ErlangQueue> {
        let ([ct], [g]) = (self.call_types.as_slice(), self.agent_groups.as_slice()) else {
            return None;
        };
        let Some(ArrivalProcess::Poisson { per_hour }) = ct.arrivals else {
            return None;
        };
        let handle = ct.handle_time.as_ref().filter(|h| h.is_exponential())?;
        let patience_s = match &ct.patience {
            None => None,
            Some(p) if p.is_exponential() => Some(p.mean_s()),
            Some(_) => return None,
        };
        let plain = ct.phases.is_none()
            && ct.persona_mix.is_empty()
            && ct.priority_share == 0.0
            && ct.transfer.is_none()
            && ct.overflow.is_none()
            && ct.callback.is_none()
            && self.entry_points.is_empty()
            && self.busyness_cv == 0.0
            && g.shrinkage == 0.0;
        (plain && ct.arrivals.is_some()).then_some(ErlangQueue {
            calls_per_hour: per_hour * self.arrival_scale,
            aht_s: handle.mean_s(),
            patience_s,
            agents: g.count?,
        })
    }
}

impl CallType {
    /// A call type with arrivals, a handle time, and every optional field at its
    /// default (no patience, no personas, no priority, transfer, overflow or
    /// callback).
    pub fn new(
        name: impl Into<String>,
        arrivals: Option<ArrivalProcess>,
        handle_time: TimeDist,
    ) -> CallType {
        CallType {
            name: name.into(),
            arrivals,
            handle_time: Some(handle_time),
            phases: None,
            patience: None,
            persona_mix: BTreeMap::new(),
            priority_share: 0.0,
            transfer: None,
            overflow: None,
            callback: None,
        }
    }
}

impl AgentGroup {
    /// A group of `count` agents on duty all day with `skills`, every optional
    /// field at its default.
    pub fn new(name: impl Into<String>, count: u32, skills: Vec<String>) -> AgentGroup {
        AgentGroup {
            name: name.into(),
            count: Some(count),
            shifts: Vec::new(),
            staffing: None,
            skills,
            proficiency: BTreeMap::new(),
            shrinkage: 0.0,
            wage_per_hour: None,
        }
    }

    /// The most agents this group ever has on duty at once (before shrinkage).
    pub fn max_agents(&self) -> u32 {
        if let Some(c) = self.count {
            return c;
        }
        if let Some(s) = &self.staffing {
            return s.counts.iter().copied().max().unwrap_or(0);
        }
        // Shifts may overlap: the peak of their sum over the shift start times.
        self.shifts
            .iter()
            .map(|s| {
                self.shifts
                    .iter()
                    .filter(|o| o.start_h <= s.start_h && s.start_h < o.end_h)
                    .map(|o| o.count)
                    .sum::<u32>()
            })
            .max()
            .unwrap_or(0)
    }

    /// Agent-hours scheduled over `[0, horizon_h)` (before shrinkage and breaks).
    pub fn scheduled_hours(&self, horizon_h: f64) -> f64 {
        if let Some(c) = self.count {
            return f64::from(c) * horizon_h;
        }
        if let Some(s) = &self.staffing {
            let step = s.interval_min / 60.0;
            let n = (horizon_h / step).ceil() as usize;
            return (0..n)
                .map(|i| {
                    let c = s.counts.get(i).or(s.counts.last()).copied().unwrap_or(0);
                    let len = (horizon_h - i as f64 * step).min(step);
                    f64::from(c) * len
                })
                .sum();
        }
        self.shifts
            .iter()
            .map(|s| f64::from(s.count) * (s.end_h.min(horizon_h) - s.start_h).max(0.0))
            .sum()
    }

    /// The proficiency of this group in call type `skill` (1.0 when not given).
    pub fn proficiency_in(&self, skill: &str) -> f64 {
        self.proficiency.get(skill).copied().unwrap_or(1.0)
    }
}

#[cfg(test)]
mod tests;
