//! Exercises: which calls a student takes, in which language, with how much
//! time per decision, on which floor (`scenarios/classroom-*.ron`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::rng::{self, Purpose};
use super::{CallSetup, Language, PersonaKind, TrainingKit, doc};
use crate::scenario::{self, Path, Problem, Scenario, ScenarioError};

/// The most calls one exercise may hold.
const MAX_CALLS: u64 = 1000;

/// A classroom exercise, as written in a `.ron` file.
///
/// ```ron
/// Exercise(
///     name: "First calls",
///     floor: Floor(scenario: "single-queue.ron", load: Quiet),
///     language: Nl,            // default Nl
///     time_limit_s: 45.0,      // per decision (default 30)
///     options: 3,              // techniques per decision (default 4)
///     seed: 7,                 // default 1
///     calls: Mix(
///         personalities: { Neutral: 2, Zwijger: 1, Twijfelaar: 1 },
///         reasons: ["blocked_card", "internet_outage"],
///     ),
/// )
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// A name for the student and the trainer.
    pub name: String,
    /// What the exercise is about, for the student. Default empty.
    #[serde(default)]
    pub description: String,
    /// The simulated floor around the student's seat.
    pub floor: Floor,
    /// The language of the calls. Default `Nl`.
    #[serde(default)]
    pub language: Language,
    /// Time for each decision, seconds (in (0, 600]). Default 30.
    #[serde(default = "default_time_limit")]
    pub time_limit_s: f64,
    /// Techniques offered per decision (2 to 19). Default 4.
    #[serde(default = "default_options")]
    pub options: usize,
    /// Seed of the call order and of every call. Default 1.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The calls.
    pub calls: CallList,
}

fn default_time_limit() -> f64 {
    30.0
}
fn default_options() -> usize {
    4
}
fn default_seed() -> u64 {
    1
}

/// The floor around the student: a scenario file and how busy it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Floor {
    /// Path of the floor's scenario file, relative to the exercise file's
    /// folder (the front end reads it and passes its text to
    /// [`Exercise::floor_scenario`]).
    pub scenario: String,
    /// How busy the floor is. Default `Normal`.
    #[serde(default)]
    pub load: FloorLoad,
}

/// How busy the floor around the student is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FloorLoad {
    /// Few calls: callers barely wait.
    Quiet,
    /// The scenario as written.
    #[default]
    Normal,
    /// A peak: more calls, callers arrive after a long wait and less
    /// patient.
    Busy,
}

impl FloorLoad {
    /// The factor applied to the floor scenario's `arrival_scale`: quiet 0.6,
    /// normal 1, busy 1.3.
    pub fn arrival_scale(self) -> f64 {
        match self {
            FloorLoad::Quiet => 0.6,
            FloorLoad::Normal => 1.0,
            FloorLoad::Busy => 1.3,
        }
    }

    /// How long the student's callers have waited in the queue unless a call
    /// says otherwise, seconds: quiet 10, normal 40, busy 150.
    pub fn typical_wait_s(self) -> f64 {
        match self {
            FloorLoad::Quiet => 10.0,
            FloorLoad::Normal => 40.0,
            FloorLoad::Busy => 150.0,
        }
    }
}

/// Which calls the student gets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CallList {
    /// These calls, in this order.
    Fixed(Vec<CallSpec>),
    /// So many calls of each personality, in an order shuffled by the seed,
    /// each with a reason drawn from `reasons` (list a reason twice to make
    /// it twice as likely).
    Mix {
        /// How many calls of each personality.
        personalities: BTreeMap<PersonaKind, u32>,
        /// The reasons to draw from.
        reasons: Vec<String>,
    },
}

/// One call of a fixed list: `Call(personality: Zwijger, reason: "blocked_card")`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Call", deny_unknown_fields)]
pub struct CallSpec {
    /// The caller's personality.
    pub personality: PersonaKind,
    /// The call reason's id.
    pub reason: String,
    /// How long this caller waited in the queue, seconds. Default: the
    /// floor load's typical wait ([`FloorLoad::typical_wait_s`]).
    #[serde(default)]
    pub wait_s: Option<f64>,
}

impl Exercise {
    /// Number of calls in the exercise.
    pub fn call_count(&self) -> u64 {
        match &self.calls {
            CallList::Fixed(list) => list.len() as u64,
            CallList::Mix { personalities, .. } => {
                personalities.values().map(|&n| u64::from(n)).sum()
            }
        }
    }

    /// Every problem of the exercise on its own (empty when it is sound); the
    /// reasons and language are checked against a kit by
    /// [`validate_exercise`].
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        let root = Path::root();
        if self.name.trim().is_empty() {
            p.push(Problem::new(root.field("name"), "name must not be empty"));
        }
        if self.floor.scenario.trim().is_empty() {
            p.push(Problem::new(
                root.field("floor").field("scenario"),
                "the floor needs a scenario file",
            ));
        }
        if !(self.time_limit_s.is_finite() && self.time_limit_s > 0.0 && self.time_limit_s <= 600.0)
        {
            p.push(Problem::new(
                root.field("time_limit_s"),
                format!(
                    "time_limit_s must be a finite number in (0, 600], found {}",
                    self.time_limit_s
                ),
            ));
        }
        if !(2..=super::Technique::ALL.len()).contains(&self.options) {
            p.push(Problem::new(
                root.field("options"),
                format!("options must be from 2 to 19, found {}", self.options),
            ));
        }
        let calls = root.field("calls");
        match &self.calls {
            CallList::Fixed(list) => {
                if list.is_empty() {
                    p.push(Problem::new(
                        calls.clone(),
                        "an exercise needs at least one call",
                    ));
                }
                for (i, c) in list.iter().enumerate() {
                    let path = calls.index(i);
                    if c.reason.trim().is_empty() {
                        p.push(Problem::new(
                            path.field("reason"),
                            "reason must not be empty",
                        ));
                    }
                    if let Some(w) = c.wait_s
                        && !(w.is_finite() && w >= 0.0)
                    {
                        p.push(Problem::new(
                            path.field("wait_s"),
                            format!("wait_s must be a finite number >= 0, found {w}"),
                        ));
                    }
                }
            }
            CallList::Mix {
                personalities,
                reasons,
            } => {
                if personalities.values().all(|&n| n == 0) {
                    p.push(Problem::new(
                        calls.field("personalities"),
                        "an exercise needs at least one call",
                    ));
                }
                if reasons.is_empty() {
                    p.push(Problem::new(
                        calls.field("reasons"),
                        "a mix needs at least one reason",
                    ));
                }
                for (i, r) in reasons.iter().enumerate() {
                    if r.trim().is_empty() {
                        p.push(Problem::new(
                            calls.field("reasons").index(i),
                            "reason must not be empty",
                        ));
                    }
                }
            }
        }
        if self.call_count() > MAX_CALLS {
            p.push(Problem::new(
                calls,
                format!(
                    "an exercise holds at most {MAX_CALLS} calls, found {}",
                    self.call_count()
                ),
            ));
        }
        p
    }

    /// The problems of the exercise against a kit: a language without a
    /// script, reasons no script has.
    pub fn check_against(&self, kit: &TrainingKit) -> Vec<Problem> {
        let mut p = Vec::new();
        let root = Path::root();
        if kit.script(self.language).is_none() {
            let known: Vec<String> = kit.languages().iter().map(ToString::to_string).collect();
            p.push(Problem::new(
                root.field("language"),
                format!(
                    "no caller script in language {} (have: {})",
                    self.language,
                    known.join(", ")
                ),
            ));
        }
        let ids = kit.reason_ids();
        let mut unknown = |path: Path, r: &str| {
            if !r.trim().is_empty() && !ids.contains(&r) {
                p.push(Problem::new(
                    path,
                    format!(
                        "no call reason \"{r}\" in the caller scripts (known: {})",
                        ids.iter()
                            .map(|i| format!("\"{i}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        };
        match &self.calls {
            CallList::Fixed(list) => {
                for (i, c) in list.iter().enumerate() {
                    unknown(root.field("calls").index(i).field("reason"), &c.reason);
                }
            }
            CallList::Mix { reasons, .. } => {
                for (i, r) in reasons.iter().enumerate() {
                    unknown(root.field("calls").field("reasons").index(i), r);
                }
            }
        }
        p
    }

    /// The calls of the exercise, in the order the student takes them, each
    /// with its own seed derived from the exercise's seed. Deterministic.
    pub fn plan(&self) -> Vec<CallSetup> {
        let setup = |i: usize, who: PersonaKind, reason: &str, wait: Option<f64>| CallSetup {
            personality: who,
            reason: reason.to_owned(),
            language: self.language,
            seed: rng::call_seed(self.seed, i as u64),
            time_limit_s: self.time_limit_s,
            options: self.options,
            wait_s: wait.unwrap_or_else(|| self.floor.load.typical_wait_s()),
        };
        match &self.calls {
            CallList::Fixed(list) => list
                .iter()
                .enumerate()
                .map(|(i, c)| setup(i, c.personality, &c.reason, c.wait_s))
                .collect(),
            CallList::Mix {
                personalities,
                reasons,
            } => {
                let mut rng = rng::stream(self.seed, Purpose::Plan, 0);
                let mut who: Vec<PersonaKind> = personalities
                    .iter()
                    .flat_map(|(&p, &n)| std::iter::repeat_n(p, n as usize))
                    .collect();
                rng::shuffle(&mut rng, &mut who);
                who.into_iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let r = reasons
                            .get(rng::index_below(&mut rng, reasons.len()))
                            .map_or("", String::as_str);
                        setup(i, p, r, None)
                    })
                    .collect()
            }
        }
    }

    /// The floor's scenario, read from its text (which the front end loads
    /// from [`Floor::scenario`]), with the floor load applied to its
    /// `arrival_scale`. Problems are located in the floor file.
    pub fn floor_scenario(&self, floor_src: &str) -> Result<Scenario, ScenarioError> {
        let mut s = scenario::parse(floor_src)?;
        s.arrival_scale *= self.floor.load.arrival_scale();
        Ok(s)
    }
}

/// The floors the bundled exercises use, compiled in (file name, text), so an
/// exercise finds its floor outside the repository too.
pub const BUILTIN_FLOORS: [(&str, &str); 3] = [
    (
        "single-queue.ron",
        include_str!("../../../scenarios/single-queue.ron"),
    ),
    (
        "helpdesk-two-lines.ron",
        include_str!("../../../scenarios/helpdesk-two-lines.ron"),
    ),
    (
        "retail-bank.ron",
        include_str!("../../../scenarios/retail-bank.ron"),
    ),
];

/// The text of the floor scenario of an exercise read from `exercise_path`:
/// the file named by [`Floor::scenario`], relative to the exercise's folder,
/// or else the built-in copy of a bundled floor of that name
/// ([`BUILTIN_FLOORS`]). The error says which file could not be read.
pub fn floor_source(
    exercise_path: &std::path::Path,
    exercise: &Exercise,
) -> Result<String, String> {
    let dir = exercise_path
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."));
    let path = dir.join(&exercise.floor.scenario);
    std::fs::read_to_string(&path).or_else(|e| {
        let name = std::path::Path::new(&exercise.floor.scenario).file_name();
        BUILTIN_FLOORS
            .iter()
            .find(|(n, _)| name == Some(std::ffi::OsStr::new(n)))
            .map(|(_, s)| (*s).to_owned())
            .ok_or_else(|| format!("cannot read the floor {}: {e}", path.display()))
    })
}

/// Reads an exercise from RON text and checks it on its own (see
/// [`Exercise::validate`]). On failure, every problem, located.
pub fn parse_exercise(src: &str) -> Result<Exercise, ScenarioError> {
    doc::parse(src, Exercise::validate)
}

/// Reads an exercise from RON text and checks it on its own and against the
/// kit (its language and call reasons). On failure, every problem, located:
/// the library call behind a front end's `check` of an exercise file.
pub fn validate_exercise(src: &str, kit: &TrainingKit) -> Result<Exercise, ScenarioError> {
    doc::parse(src, |e: &Exercise| {
        let mut p = e.validate();
        p.extend(e.check_against(kit));
        p
    })
}
