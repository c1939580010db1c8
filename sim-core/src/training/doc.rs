//! Reading a training RON document with the scenario diagnostics: syntax
//! errors located by ron, semantic problems located by [`locate`] from their
//! paths.

use serde::de::DeserializeOwned;

use crate::scenario::{Diagnostic, Position, Problem, ScenarioError, locate, ron_options};

/// Parses `src` as a `T` and checks it with `validate`; every problem comes
/// back with its line and column.
pub(crate) fn parse<T: DeserializeOwned>(
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

/// Pushes a problem unless `v` is finite and within `[lo, hi]`.
pub(crate) fn check_range(
    problems: &mut Vec<Problem>,
    path: crate::scenario::Path,
    name: &str,
    v: f64,
    lo: f64,
    hi: f64,
) {
    if !(v.is_finite() && v >= lo && v <= hi) {
        problems.push(Problem::new(
            path,
            format!("{name} must be a finite number in [{lo}, {hi}], found {v}"),
        ));
    }
}
