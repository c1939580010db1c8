//! Reading a training RON document with the scenario diagnostics: syntax
//! errors located by ron, semantic problems located by [`locate`] from their
//! paths.

use serde::de::DeserializeOwned;

use crate::scenario::{Problem, ScenarioError};

/// Parses `src` as a `T` and checks it with `validate`; every problem comes
/// back with its line and column (the scenario reader's machinery).
pub(crate) fn parse<T: DeserializeOwned>(
    src: &str,
    validate: impl FnOnce(&T) -> Vec<Problem>,
) -> Result<T, ScenarioError> {
    crate::scenario::parse_document(src, validate)
}

/// The problems as one error, each located in `src`, in the order of the file.
pub(crate) fn located(src: &str, problems: Vec<Problem>) -> ScenarioError {
    crate::scenario::located(src, problems)
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
