//! Recording a run, and replaying it: ccsim's binary trace format.
//!
//! A trace holds everything needed to re-simulate one replication exactly — the
//! scenario's RON text, the seed and the replication index — followed by what
//! happened: every [`SimEvent`] with its time, and every outside [`Input`] (a
//! trainer changing the staffing, a student's choice) with its time. Since a run is
//! a pure function of `(scenario, seed, replication)` (and, once the engine applies
//! them, the inputs), [`replay`] re-simulates the header and compares the events
//! one by one; the first mismatch is reported as a [`Divergence`].
//!
//! # Format, version 1
//!
//! ```text
//! offset  size  content
//! 0       8     magic bytes "CCSIMTRC"
//! 8       2     format version, u16 little-endian (= FORMAT_VERSION)
//! 10      …     header: postcard(TraceHeader { ccsim_version, scenario_ron, seed, replication })
//! …       …     entries, each postcard(Entry):
//!                 0 Event { dt, event: SimEvent }
//!                 1 Input { dt, input: Input }
//!               then the end marker:
//!                 2 End { entries: u64, checksum: u64 }
//! ```
//!
//! [postcard](https://postcard.jamesmunns.com/wire-format) is a compact, stable,
//! non-self-describing serde encoding: integers are LEB128 varints, `f64` are 8
//! bytes little-endian, strings are a varint length and UTF-8, enum variants are a
//! varint of their declaration index. `dt` is the difference between the bit
//! patterns of the entry's time and the previous entry's (the first counts from
//! 0.0): times never decrease, non-negative `f64` bit patterns are ordered like the
//! values, so the difference is a small varint (one byte for the many entries at
//! the same instant) and the times come back bit for bit. An event takes about 6 to
//! 16 bytes. `checksum` is the 64-bit FNV-1a hash of every byte before the end
//! marker; `entries` counts the entries before it. A file without the end marker is
//! truncated.
//!
//! **Compatibility:** postcard encodes enum variants by position, so a new
//! [`SimEvent`] or [`Input`] variant must be added *after* the existing ones, and any
//! other change to those types or to [`TraceHeader`] must bump [`FORMAT_VERSION`].
//! Readers refuse other versions with [`TraceError::UnsupportedVersion`]. A trace
//! recorded by another ccsim version reads fine but may legitimately diverge on
//! replay if the engine changed ([`ReplaySummary::recorded_version`]).

use std::collections::HashSet;
use std::fmt;
use std::io::{Read, Write};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engine::Input as EngineInput;

use crate::engine::{CallId, Model, Observer, SimEvent, SimTime, Simulation};
use crate::scenario::{self, Scenario, ScenarioError};
use crate::stats::RepResult;

/// The first bytes of every trace file.
pub const MAGIC: [u8; 8] = *b"CCSIMTRC";

/// The version of the format this code writes and reads.
pub const FORMAT_VERSION: u16 = 1;

/// The version of the engine that writes traces (recorded in their headers).
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Something from outside the simulation that changed it, time-stamped in a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Input {
    /// An input the engine applies (an operator putting agents on duty); replay
    /// applies it again at the same time.
    Engine(EngineInput),
    /// A student's decision in a training exercise. The payload is opaque to the
    /// engine: the training module defines and parses it (RON text, say).
    StudentChoice {
        /// The agent seat the student occupies.
        agent: u32,
        /// The choice, serialized by the training module.
        payload: String,
    },
}

/// One time-stamped item of a trace.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// Something the engine did.
    Event(SimEvent),
    /// Something from outside.
    Input(Input),
}

/// What a trace needs to re-simulate its run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceHeader {
    /// The engine version that recorded it ([`ENGINE_VERSION`]).
    pub ccsim_version: String,
    /// The scenario, as the RON text it was read from.
    pub scenario_ron: String,
    /// The seed of the run (which may differ from the scenario's own).
    pub seed: u64,
    /// The replication index.
    pub replication: u64,
}

impl TraceHeader {
    /// A header for a run of `scenario_ron` recorded by this engine version.
    pub fn new(scenario_ron: impl Into<String>, seed: u64, replication: u64) -> TraceHeader {
        TraceHeader {
            ccsim_version: ENGINE_VERSION.to_string(),
            scenario_ron: scenario_ron.into(),
            seed,
            replication,
        }
    }
}

/// A recorded run: its header and its time-stamped entries, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// How to re-simulate it.
    pub header: TraceHeader,
    /// Events and inputs in the order they happened (times never decrease).
    pub entries: Vec<(SimTime, Entry)>,
}

impl Trace {
    /// The events, with their times.
    pub fn events(&self) -> impl Iterator<Item = (SimTime, &SimEvent)> {
        self.entries.iter().filter_map(|(t, e)| match e {
            Entry::Event(ev) => Some((*t, ev)),
            Entry::Input(_) => None,
        })
    }

    /// The inputs, with their times.
    pub fn inputs(&self) -> impl Iterator<Item = (SimTime, &Input)> {
        self.entries.iter().filter_map(|(t, e)| match e {
            Entry::Input(i) => Some((*t, i)),
            Entry::Event(_) => None,
        })
    }
}

/// An [`Observer`] that records every event (and, through [`Recorder::input`],
/// every outside input) of a run.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    entries: Vec<(SimTime, Entry)>,
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// Record an outside input applied at `time` (not before the last entry).
    pub fn input(&mut self, time: SimTime, input: Input) {
        self.entries.push((time, Entry::Input(input)));
    }

    /// What was recorded so far.
    pub fn entries(&self) -> &[(SimTime, Entry)] {
        &self.entries
    }

    /// The recording as a trace with `header`.
    pub fn into_trace(self, header: TraceHeader) -> Trace {
        Trace {
            header,
            entries: self.entries,
        }
    }
}

impl Observer for Recorder {
    fn on_event(&mut self, now: SimTime, event: &SimEvent) {
        self.entries.push((now, Entry::Event(*event)));
    }
}

/// Why a trace could not be written or read. Each is fatal for that file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The bytes do not start with [`MAGIC`].
    #[error("not a ccsim trace (it does not start with the bytes \"CCSIMTRC\")")]
    NotATrace,
    /// The format version is not the one this code reads.
    #[error(
        "trace format version {found} is not supported: this ccsim ({ENGINE_VERSION}) reads version {supported}"
    )]
    UnsupportedVersion {
        /// The file's version.
        found: u16,
        /// The version this code reads.
        supported: u16,
    },
    /// The file ends early: the end marker is missing.
    #[error(
        "the trace is truncated at byte {offset}: {entries} entries read, then the file ends without its end marker"
    )]
    Truncated {
        /// Length of the file.
        offset: u64,
        /// Entries read before the end.
        entries: u64,
    },
    /// The bytes at `offset` are not a valid entry, or the checksum does not match.
    #[error("the trace is corrupt at byte {offset}: {detail}")]
    Corrupt {
        /// Where the problem was found.
        offset: u64,
        /// What is wrong.
        detail: String,
    },
    /// Writing: the entry's time is before the previous entry's.
    #[error("cannot write the trace: entry {index} is earlier than the entry before it")]
    NotMonotone {
        /// The entry's index.
        index: usize,
    },
}

/// The encoded form of one entry (the owned side, for reading).
#[derive(Deserialize)]
enum WireIn {
    Event { dt: u64, event: SimEvent },
    Input { dt: u64, input: Input },
    End { entries: u64, checksum: u64 },
}

/// The encoded form of one entry (the borrowed side, for writing). Same layout as
/// [`WireIn`].
#[derive(Serialize)]
enum WireOut<'a> {
    Event { dt: u64, event: &'a SimEvent },
    Input { dt: u64, input: &'a Input },
    End { entries: u64, checksum: u64 },
}

/// 64-bit FNV-1a, continued from `h`.
fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// Write `trace` to `out` in the format above. Does not flush `out`.
pub fn write_trace<W: Write>(mut out: W, trace: &Trace) -> Result<(), TraceError> {
    let mut buf = Vec::with_capacity(256);
    let mut hash = FNV_OFFSET;
    let put = |out: &mut W, bytes: &[u8], hash: &mut u64| -> std::io::Result<()> {
        *hash = fnv1a(*hash, bytes);
        out.write_all(bytes)
    };
    put(&mut out, &MAGIC, &mut hash)?;
    put(&mut out, &FORMAT_VERSION.to_le_bytes(), &mut hash)?;
    encode(&mut buf, &trace.header)?;
    put(&mut out, &buf, &mut hash)?;
    let mut prev = SimTime::ZERO.to_bits();
    for (index, (t, entry)) in trace.entries.iter().enumerate() {
        let bits = t.to_bits();
        let dt = bits
            .checked_sub(prev)
            .ok_or(TraceError::NotMonotone { index })?;
        prev = bits;
        match entry {
            Entry::Event(event) => encode(&mut buf, &WireOut::Event { dt, event })?,
            Entry::Input(input) => encode(&mut buf, &WireOut::Input { dt, input })?,
        }
        put(&mut out, &buf, &mut hash)?;
    }
    let end = WireOut::End {
        entries: trace.entries.len() as u64,
        checksum: hash,
    };
    encode(&mut buf, &end)?;
    out.write_all(&buf)?;
    Ok(())
}

/// Encode `value` into `buf` (cleared first), reusing its allocation.
fn encode<T: Serialize>(buf: &mut Vec<u8>, value: &T) -> Result<(), TraceError> {
    buf.clear();
    *buf = postcard::to_extend(value, std::mem::take(buf))
        .map_err(|e| TraceError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    Ok(())
}

/// Read a whole trace from `input`.
///
/// Errors: [`TraceError::NotATrace`] for other files, [`TraceError::UnsupportedVersion`]
/// for other format versions, [`TraceError::Truncated`] when the end marker is
/// missing, [`TraceError::Corrupt`] for undecodable bytes, times that are not valid,
/// a wrong entry count or checksum, or bytes after the end marker.
pub fn read_trace<R: Read>(mut input: R) -> Result<Trace, TraceError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        if !bytes.is_empty() && MAGIC.starts_with(&bytes) {
            return Err(TraceError::Truncated {
                offset: bytes.len() as u64,
                entries: 0,
            });
        }
        return Err(TraceError::NotATrace);
    }
    let Some(v) = bytes.get(8..10) else {
        return Err(TraceError::Truncated {
            offset: bytes.len() as u64,
            entries: 0,
        });
    };
    let found = u16::from_le_bytes([v[0], v[1]]);
    if found != FORMAT_VERSION {
        return Err(TraceError::UnsupportedVersion {
            found,
            supported: FORMAT_VERSION,
        });
    }
    let len = bytes.len();
    let offset_of = |rest: &[u8]| (len - rest.len()) as u64;
    let decode_err = |e: postcard::Error, rest: &[u8], entries: u64, what: &str| match e {
        postcard::Error::DeserializeUnexpectedEnd => TraceError::Truncated {
            offset: len as u64,
            entries,
        },
        other => TraceError::Corrupt {
            offset: offset_of(rest),
            detail: format!("cannot decode {what}: {other}"),
        },
    };
    let rest = &bytes[10..];
    let (header, mut rest) = postcard::take_from_bytes::<TraceHeader>(rest)
        .map_err(|e| decode_err(e, rest, 0, "the header"))?;
    let mut entries = Vec::new();
    let mut prev = 0u64;
    loop {
        if rest.is_empty() {
            return Err(TraceError::Truncated {
                offset: len as u64,
                entries: entries.len() as u64,
            });
        }
        let at = rest;
        let (wire, next) = postcard::take_from_bytes::<WireIn>(rest).map_err(|e| {
            decode_err(
                e,
                at,
                entries.len() as u64,
                &format!("entry {}", entries.len()),
            )
        })?;
        rest = next;
        let (dt, entry) = match wire {
            WireIn::Event { dt, event } => (dt, Entry::Event(event)),
            WireIn::Input { dt, input } => (dt, Entry::Input(input)),
            WireIn::End {
                entries: n,
                checksum,
            } => {
                let body = &bytes[..bytes.len() - at.len()];
                if n != entries.len() as u64 {
                    return Err(TraceError::Corrupt {
                        offset: offset_of(at),
                        detail: format!(
                            "the end marker counts {n} entries, the file holds {}",
                            entries.len()
                        ),
                    });
                }
                if checksum != fnv1a(FNV_OFFSET, body) {
                    return Err(TraceError::Corrupt {
                        offset: offset_of(at),
                        detail: "checksum mismatch: the contents were altered or damaged".into(),
                    });
                }
                if !rest.is_empty() {
                    return Err(TraceError::Corrupt {
                        offset: offset_of(rest),
                        detail: format!("{} bytes after the end marker", rest.len()),
                    });
                }
                return Ok(Trace { header, entries });
            }
        };
        let bits = prev.checked_add(dt);
        let time = bits.and_then(|b| SimTime::new(f64::from_bits(b)));
        let (Some(bits), Some(time)) = (bits, time) else {
            return Err(TraceError::Corrupt {
                offset: offset_of(at),
                detail: format!("entry {} has an invalid time", entries.len()),
            });
        };
        prev = bits;
        entries.push((time, entry));
    }
}

/// The first point where a replay differs from its recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// Index of the event (counting events only, from 0).
    pub index: usize,
    /// When it happened: the earlier of the two events' times.
    pub time: SimTime,
    /// The recorded event, or `None` if the recording had ended.
    pub expected: Option<(SimTime, SimEvent)>,
    /// The re-simulated event, or `None` if the re-simulated run had ended.
    pub actual: Option<(SimTime, SimEvent)>,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |e: &Option<(SimTime, SimEvent)>, none: &str| match e {
            Some((t, ev)) => format!("{ev:?} at {t} ({} s)", t.seconds()),
            None => none.to_string(),
        };
        write!(
            f,
            "event #{} at {}:\n  recorded:     {}\n  re-simulated: {}",
            self.index,
            self.time,
            show(&self.expected, "(the recording had ended)"),
            show(&self.actual, "(the re-simulated run had ended)")
        )
    }
}

/// Why a replay failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The scenario in the header does not load.
    #[error("the trace's scenario does not load: {0}")]
    Scenario(#[from] ScenarioError),
    /// An input of the trace was refused by the engine.
    #[error("the trace holds an input the engine refuses: {0}")]
    BadInput(String),
    /// The re-simulated run differs from the recording.
    #[error("the replay diverged from the recording at {0}")]
    Diverged(Box<Divergence>),
}

/// A successful replay: the run matched its recording event for event.
#[derive(Debug, Clone)]
pub struct ReplaySummary {
    /// Events compared.
    pub events: usize,
    /// What the run measured.
    pub result: RepResult,
    /// The model re-simulated (for reports).
    pub model: Arc<Model>,
    /// The seed.
    pub seed: u64,
    /// The engine version that recorded the trace.
    pub recorded_version: String,
}

/// Compares the events of a run, as they happen, with a recording.
struct Comparer<'a> {
    expected: &'a [(SimTime, SimEvent)],
    next: usize,
    divergence: Option<Divergence>,
}

impl Observer for Comparer<'_> {
    fn on_event(&mut self, now: SimTime, event: &SimEvent) {
        if self.divergence.is_some() {
            return;
        }
        let index = self.next;
        self.next += 1;
        let expected = self.expected.get(index).copied();
        if let Some((t, e)) = expected
            && t.seconds().to_bits() == now.seconds().to_bits()
            && e == *event
        {
            return;
        }
        let time = match expected {
            Some((t, _)) if t < now => t,
            _ => now,
        };
        self.divergence = Some(Divergence {
            index,
            time,
            expected,
            actual: Some((now, *event)),
        });
    }
}

/// Apply `input` to a recorded run now, and record it.
pub fn apply_recorded(
    sim: &mut Simulation<Recorder>,
    input: EngineInput,
) -> Result<(), crate::engine::InputError> {
    sim.apply(input)?;
    let now = sim.now();
    sim.observer_mut().input(now, Input::Engine(input));
    Ok(())
}

/// Re-simulate `trace` from its header, applying its engine inputs at their
/// times, and compare it with the recording, event by event (times bit for bit).
/// Stops at the first divergence. Inputs the engine does not apply (a student's
/// choices) are left to their own replay.
pub fn replay(trace: &Trace) -> Result<ReplaySummary, ReplayError> {
    let inputs: Vec<(SimTime, EngineInput)> = trace
        .inputs()
        .filter_map(|(t, i)| match i {
            Input::Engine(e) => Some((t, *e)),
            _ => None,
        })
        .collect();
    let scenario: Scenario = scenario::parse(&trace.header.scenario_ron)?;
    let model = Arc::new(Model::new(&scenario)?);
    let expected: Vec<(SimTime, SimEvent)> = trace.events().map(|(t, e)| (t, *e)).collect();
    let comparer = Comparer {
        expected: &expected,
        next: 0,
        divergence: None,
    };
    let mut sim = Simulation::with_observer(
        Arc::clone(&model),
        trace.header.seed,
        trace.header.replication,
        comparer,
    );
    for (t, input) in inputs {
        sim.run_until(t);
        if let Some(d) = &sim.observer().divergence {
            return Err(ReplayError::Diverged(Box::new(d.clone())));
        }
        sim.apply(input)
            .map_err(|e| ReplayError::BadInput(e.to_string()))?;
    }
    while sim.step() {
        if let Some(d) = &sim.observer().divergence {
            return Err(ReplayError::Diverged(Box::new(d.clone())));
        }
    }
    let (result, comparer) = sim.run();
    if comparer.next < expected.len() {
        let (t, e) = expected[comparer.next];
        return Err(ReplayError::Diverged(Box::new(Divergence {
            index: comparer.next,
            time: t,
            expected: Some((t, e)),
            actual: None,
        })));
    }
    Ok(ReplaySummary {
        events: expected.len(),
        result,
        model,
        seed: trace.header.seed,
        recorded_version: trace.header.ccsim_version.clone(),
    })
}

/// A short summary of a run's timeline: arrivals per hour and the longest queue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// Calls arriving in each hour of simulated time (index 0 = `[0, 1 h)`).
    pub calls_per_hour: Vec<u64>,
    /// The most callers waiting at once (all call types together).
    pub peak_queue: u64,
    /// When that peak was first reached.
    pub peak_queue_at: SimTime,
    /// Calls answered.
    pub answered: u64,
    /// Calls abandoned.
    pub abandoned: u64,
    /// Time of the last event.
    pub end: SimTime,
}

impl Timeline {
    /// Summarise a stream of events (in time order).
    pub fn from_events<'a>(events: impl IntoIterator<Item = (SimTime, &'a SimEvent)>) -> Timeline {
        let mut tl = Timeline::default();
        let mut waiting: HashSet<CallId> = HashSet::new();
        for (t, e) in events {
            tl.end = t;
            match *e {
                SimEvent::CallArrived { .. } => {
                    let h = (t.seconds() / 3600.0) as usize;
                    if tl.calls_per_hour.len() <= h {
                        tl.calls_per_hour.resize(h + 1, 0);
                    }
                    tl.calls_per_hour[h] += 1;
                }
                SimEvent::CallQueued { call, .. } => {
                    waiting.insert(call);
                    if waiting.len() as u64 > tl.peak_queue {
                        tl.peak_queue = waiting.len() as u64;
                        tl.peak_queue_at = t;
                    }
                }
                SimEvent::CallAnswered { call, .. } => {
                    tl.answered += 1;
                    waiting.remove(&call);
                }
                SimEvent::CallAbandoned { call, .. } => {
                    tl.abandoned += 1;
                    waiting.remove(&call);
                }
                _ => {}
            }
        }
        tl
    }
}

impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "timeline: {} calls, {} answered, {} abandoned; last event at {}",
            self.calls_per_hour.iter().sum::<u64>(),
            self.answered,
            self.abandoned,
            self.end
        )?;
        let hours: Vec<String> = self
            .calls_per_hour
            .iter()
            .enumerate()
            .map(|(h, n)| format!("{h}h {n}"))
            .collect();
        writeln!(f, "calls per hour: {}", hours.join(", "))?;
        write!(
            f,
            "peak queue: {} callers waiting, first at {}",
            self.peak_queue, self.peak_queue_at
        )
    }
}

/// One event as a tidy row (for CSV and JSON Lines exports).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TidyRow {
    /// Time, seconds since the start of the run.
    pub t_s: f64,
    /// `arrived`, `ivr_menu`, `ivr_left`, `queued`, `answered`, `phase`,
    /// `transferred`, `abandoned`, `completed` or `agent`.
    pub kind: &'static str,
    /// The call's serial number (none for agent changes).
    pub call: Option<u64>,
    /// The call type's name, where there is one.
    pub call_type: Option<String>,
    /// The agent's number, where there is one.
    pub agent: Option<u32>,
    /// The wait, seconds, for `answered` and `abandoned`.
    pub wait_s: Option<f64>,
    /// The rest, as text: the phase, the persona, the agent status, the IVR menu
    /// or outcome, the transfer target, resolution and CSAT.
    pub detail: String,
}

impl TidyRow {
    /// The row of `event` at `time`; call types and menus are named from `scenario`.
    pub fn new(time: SimTime, event: &SimEvent, scenario: &Scenario) -> TidyRow {
        let ct_name = |ct: usize| {
            scenario
                .call_types
                .get(ct)
                .map_or_else(|| ct.to_string(), |c| c.name.clone())
        };
        let mut row = TidyRow {
            t_s: time.seconds(),
            kind: "",
            call: None,
            call_type: None,
            agent: None,
            wait_s: None,
            detail: String::new(),
        };
        match *event {
            SimEvent::CallArrived {
                call,
                call_type,
                retrial,
            } => {
                row.kind = "arrived";
                row.call = Some(call.0);
                row.call_type = call_type.map(ct_name);
                row.detail = if retrial {
                    "retrial".into()
                } else {
                    String::new()
                };
            }
            SimEvent::IvrMenu { call, menu } => {
                row.kind = "ivr_menu";
                row.call = Some(call.0);
                row.detail = scenario
                    .ivr
                    .get(menu)
                    .map_or_else(|| menu.to_string(), |m| m.name.clone());
            }
            SimEvent::IvrLeft { call, outcome } => {
                row.kind = "ivr_left";
                row.call = Some(call.0);
                row.detail = match outcome {
                    crate::engine::IvrOutcome::HungUp => "hung up".into(),
                    crate::engine::IvrOutcome::SelfService => "self-service".into(),
                    crate::engine::IvrOutcome::Routed {
                        call_type,
                        misrouted,
                    } => {
                        row.call_type = Some(ct_name(call_type));
                        if misrouted {
                            "misrouted".into()
                        } else {
                            "routed".into()
                        }
                    }
                };
            }
            SimEvent::CallQueued {
                call,
                call_type,
                persona,
                priority,
                callback,
            } => {
                row.kind = "queued";
                row.call = Some(call.0);
                row.call_type = Some(ct_name(call_type));
                let mut d = vec![persona.map_or("", |p| p.name()).to_string()];
                if priority {
                    d.push("priority".into());
                }
                if callback {
                    d.push("callback".into());
                }
                row.detail = d
                    .into_iter()
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            SimEvent::CallAnswered {
                call,
                call_type,
                agent,
                wait_s,
            } => {
                row.kind = "answered";
                row.call = Some(call.0);
                row.call_type = Some(ct_name(call_type));
                row.agent = Some(agent.0);
                row.wait_s = Some(wait_s);
            }
            SimEvent::PhaseStarted { call, agent, phase } => {
                row.kind = "phase";
                row.call = Some(call.0);
                row.agent = Some(agent.0);
                row.detail = phase.name().into();
            }
            SimEvent::CallTransferred { call, from, to } => {
                row.kind = "transferred";
                row.call = Some(call.0);
                row.call_type = Some(ct_name(from));
                row.detail = ct_name(to);
            }
            SimEvent::CallAbandoned {
                call,
                call_type,
                wait_s,
            } => {
                row.kind = "abandoned";
                row.call = Some(call.0);
                row.call_type = Some(ct_name(call_type));
                row.wait_s = Some(wait_s);
            }
            SimEvent::CallCompleted {
                call,
                call_type,
                agent,
                resolved,
                csat,
            } => {
                row.kind = "completed";
                row.call = Some(call.0);
                row.call_type = Some(ct_name(call_type));
                row.agent = Some(agent.0);
                row.detail = match (resolved, csat) {
                    (Some(r), Some(c)) => {
                        format!("{} csat {c}", if r { "resolved" } else { "unresolved" })
                    }
                    _ => String::new(),
                };
            }
            SimEvent::AgentChanged { agent, status } => {
                row.kind = "agent";
                row.agent = Some(agent.0);
                row.detail = format!("{status:?}").to_lowercase();
            }
            // Outbound campaigns' events (dials, outcomes, connects, windows).
            other => {
                row.kind = "outbound";
                row.detail = format!("{other:?}");
            }
        }
        row
    }
}

#[cfg(test)]
mod tests;
