//! Trace-driven runs: a call log's calls as [`ArrivalProcess::Trace`] arrivals.
//!
//! sim-core does no file I/O: the caller parses the log
//! ([`crate::trace::parse_log`]) and hands the records here.

use std::collections::BTreeMap;

use crate::scenario::{ArrivalProcess, Scenario, TraceCall};
use crate::trace::{CallRecord, Date, Outcome};

/// What of a recorded call replaces the scenario's samplers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceUse {
    /// Served calls keep their recorded handle time.
    pub handle: bool,
    /// Abandoned calls keep their recorded wait as their patience (served calls'
    /// patience is censored: it is sampled).
    pub patience: bool,
    /// Calls keep their recorded priority (priority 2 = high).
    pub priority: bool,
}

impl Default for TraceUse {
    fn default() -> Self {
        TraceUse {
            handle: true,
            patience: true,
            priority: true,
        }
    }
}

/// The calls of `day` that reached the queue (served or abandoned), per call type,
/// as trace calls arriving when they left the IVR, in seconds from `start_s` (a
/// time of day; earlier calls are dropped), sorted by arrival.
pub fn trace_calls(
    records: &[CallRecord],
    day: Date,
    start_s: f64,
    using: TraceUse,
) -> BTreeMap<String, Vec<TraceCall>> {
    let mut out: BTreeMap<String, Vec<TraceCall>> = BTreeMap::new();
    for r in records {
        if r.day != day || !r.reached_queue() {
            continue;
        }
        let at_s = r.queue_entry_s() - start_s;
        if at_s < 0.0 {
            continue;
        }
        out.entry(r.call_type.clone()).or_default().push(TraceCall {
            at_s,
            handle_s: r.handle_s.filter(|h| using.handle && *h > 0.0),
            patience_s: (using.patience && r.outcome == Outcome::Abandoned).then_some(r.wait_s),
            priority: using.priority.then_some(r.priority >= 2),
        });
    }
    for calls in out.values_mut() {
        calls.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    }
    out
}

/// Replace the arrivals of every call type of `scenario` named in `calls` with its
/// trace; returns the names in `calls` that no call type of the scenario has (their
/// calls are not simulated).
pub fn apply_trace(
    scenario: &mut Scenario,
    calls: BTreeMap<String, Vec<TraceCall>>,
) -> Vec<String> {
    let mut missing = Vec::new();
    for (name, calls) in calls {
        match scenario.call_types.iter_mut().find(|c| c.name == name) {
            Some(ct) => ct.arrivals = Some(ArrivalProcess::Trace { calls }),
            None => missing.push(name),
        }
    }
    missing
}
