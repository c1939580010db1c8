//! Traces: real call logs in ([`log`]), and recordings of simulated runs out and
//! back in ([`record`]).
//!
//! * [`log`] reads call logs (the Technion "Anonymous Bank" TSV, a plain CSV) into
//!   [`CallRecord`]s, skipping and counting unusable rows; [`crate::calibrate`]
//!   fits scenario parameters to them.
//! * [`record`] defines ccsim's binary trace format: a header (scenario text, seed,
//!   replication) and the time-stamped stream of [`crate::SimEvent`]s and outside
//!   inputs of one run, written and read through `std::io`; [`record::replay`]
//!   re-simulates a trace and reports the first divergence.
//!
//! **Architecture Invariant:** like the rest of sim-core, nothing here opens a
//! file: logs come in as bytes, traces go through `std::io::Read`/`Write` values
//! that the caller provides.

pub mod date;
pub mod log;
pub mod record;

pub use date::{Date, Weekday};
pub use log::{
    CallRecord, LogError, LogFormat, LogOptions, Outcome, SkipReason, SkipReport, parse_log,
};
pub use record::{
    Divergence, Input, Recorder, ReplayError, ReplaySummary, Trace, TraceError, TraceHeader,
    read_trace, replay, write_trace,
};
