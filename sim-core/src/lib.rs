//! # sim-core — the engine of ccsim
//!
//! A deterministic discrete-event simulator of a contact center. This crate holds
//! every computation ccsim offers; the `ccsim` command line and the Bevy front end
//! are thin layers over its public API. It does no file, terminal or clock I/O:
//! scenarios come in as text, results go out as values.
//!
//! From scenario to report:
//!
//! 1. [`scenario::parse`] reads RON text into a [`Scenario`] and validates it,
//!    reporting every problem with its line and column;
//! 2. [`Model::new`] compiles the scenario for the engine;
//! 3. [`Simulation`] runs one replication, event by event ([`Simulation::step`],
//!    [`Simulation::run_until`]) or to the end ([`Simulation::run`]);
//! 4. [`experiment::run`] runs many replications in parallel and estimates every
//!    KPI with a 95 % confidence interval ([`Report`]);
//! 5. [`analytic`] gives the exact Erlang C and Erlang A values to compare with.
//!
//! Around a run: [`trace::record`] records one ([`trace::Recorder`]) and replays it
//! event by event; [`trace::log`] reads real call logs, and [`calibrate`] fits a
//! scenario's parameters to them.
//!
//! For the classroom, [`training`] runs calls in which a student picks the
//! agent's techniques, phase by phase, and scores them.
//!
//! Outbound campaigns (scenario field `campaigns`) run on the same floor: their
//! dialing policies live in [`dialer`], and the engine dials, connects and
//! blends them with inbound traffic.
//!
//! ```
//! use std::sync::Arc;
//! use sim_core::{experiment, scenario, Model};
//!
//! let src = r#"
//! Scenario(
//!     name: "M/M/c",
//!     horizon_h: 4.0,
//!     warmup_h: 0.5,
//!     replications: 4,
//!     seed: 7,
//!     call_types: [CallType(name: "general",
//!                           arrivals: Poisson(per_hour: 360.0),
//!                           handle_time: Exponential(mean_s: 180.0))],
//!     agent_groups: [AgentGroup(name: "team", count: 20, skills: ["general"])],
//! )"#;
//! let scenario = scenario::parse(src).expect("valid scenario");
//! let model = Arc::new(Model::new(&scenario).expect("compiles"));
//! let config = experiment::RunConfig::from_model(&model);
//! let report = experiment::run(&model, &config, &|| {}).expect("runs");
//! let sl = report.kpis.get("service_level").unwrap();
//! // Erlang C says 0.559 for this queue.
//! assert!((sl.mean - 0.559).abs() < 0.15);
//! ```
//!
//! See `ARCHITECTURE.md` at the repository root for the map of modules and the
//! invariants they keep.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub mod analytic;
pub mod calibrate;
pub mod dialer;
pub mod engine;
pub mod experiment;
pub mod routing;
pub mod scenario;
mod special;
pub mod stats;
pub mod trace;
pub mod training;

pub use engine::{Input, Model, Observer, SimEvent, SimTime, Simulation};
pub use experiment::{Report, RunConfig};
pub use scenario::Scenario;
