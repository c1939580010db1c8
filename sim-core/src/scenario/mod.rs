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

pub mod dist;
pub mod locate;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use dist::TimeDist;
pub use locate::{Path, PathSeg, Position};

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
    /// The kinds of calls that arrive.
    pub call_types: Vec<CallType>,
    /// The agents, in groups sharing skills.
    pub agent_groups: Vec<AgentGroup>,
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

/// One kind of inbound call, with its own queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallType {
    /// Unique name; agent groups refer to it in their `skills`.
    pub name: String,
    /// How calls of this type arrive.
    pub arrivals: ArrivalProcess,
    /// Time an agent spends on one call, seconds.
    pub handle_time: TimeDist,
    /// How long a caller waits in queue before hanging up. Absent: callers never
    /// abandon (the Erlang C assumption).
    #[serde(default)]
    pub patience: Option<TimeDist>,
}

/// How calls of one type arrive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ArrivalProcess {
    /// A Poisson process with a constant rate.
    Poisson {
        /// Mean number of calls per hour (> 0).
        per_hour: f64,
    },
}

impl ArrivalProcess {
    /// Mean arrival rate over the run, calls per hour.
    pub fn mean_per_hour(&self) -> f64 {
        match self {
            ArrivalProcess::Poisson { per_hour } => *per_hour,
        }
    }
}

/// A group of identical agents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentGroup {
    /// Unique name, shown in reports.
    pub name: String,
    /// Number of agents (0 allowed: a group kept for what-if sweeps).
    pub count: u32,
    /// Names of the call types these agents can take.
    pub skills: Vec<String>,
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
    let scenario: Scenario = ron_options().from_str(src).map_err(|e| ScenarioError {
        diagnostics: vec![Diagnostic {
            position: Some(Position {
                line: e.span.start.line,
                col: e.span.start.col,
            }),
            path: None,
            message: e.code.to_string(),
        }],
    })?;
    let problems = scenario.validate();
    if problems.is_empty() {
        Ok(scenario)
    } else {
        let mut diagnostics: Vec<Diagnostic> = problems
            .into_iter()
            .map(|p| Diagnostic {
                position: locate::locate(src, p.path.segments()),
                path: Some(p.path.to_string()),
                message: p.message,
            })
            .collect();
        diagnostics.sort_by_key(|d| d.position);
        Err(ScenarioError { diagnostics })
    }
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

impl Scenario {
    /// Index of the call type called `name`.
    pub fn call_type_index(&self, name: &str) -> Option<usize> {
        self.call_types.iter().position(|c| c.name == name)
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

        if self.call_types.is_empty() {
            p.push(Problem::new(
                root.field("call_types"),
                "a scenario needs at least one call type",
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
            match &ct.arrivals {
                ArrivalProcess::Poisson { per_hour } => check_finite(
                    &mut p,
                    path.field("arrivals").field("per_hour"),
                    "per_hour",
                    *per_hour,
                    true,
                ),
            }
            ct.handle_time.validate(&path.field("handle_time"), &mut p);
            if let Some(pat) = &ct.patience {
                pat.validate(&path.field("patience"), &mut p);
            }
        }

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
            if group.skills.is_empty() {
                p.push(Problem::new(
                    path.field("skills"),
                    "an agent group needs at least one skill",
                ));
            }
            for (s, skill) in group.skills.iter().enumerate() {
                let spath = path.field("skills").index(s);
                if self.call_type_index(skill).is_none() {
                    let known: Vec<String> = self
                        .call_types
                        .iter()
                        .map(|c| format!("\"{}\"", c.name))
                        .collect();
                    p.push(Problem::new(
                        spath,
                        format!(
                            "skill \"{skill}\" names no call type (known: {})",
                            known.join(", ")
                        ),
                    ));
                } else if group.skills[..s].contains(skill) {
                    p.push(Problem::new(
                        spath,
                        format!("skill \"{skill}\" is listed twice"),
                    ));
                }
            }
        }

        // A call type nobody can answer and nobody abandons would wait forever.
        for (i, ct) in self.call_types.iter().enumerate() {
            let staffed = self
                .agent_groups
                .iter()
                .any(|g| g.count > 0 && g.skills.iter().any(|s| s == &ct.name));
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
}

#[cfg(test)]
mod tests;
