//! The frame-time benchmark (`sim-viz --bench-frames N`): a floor of 500 agents,
//! heavily overloaded so that about 2,000 callers wait, run headless at 1000×
//! with a fixed 1/60 s frame; reports the time of a whole frame (simulation step
//! and ECS update, everything but rendering).

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use sim_core::SimTime;

use crate::engine::{LoadedScenario, SimHandle, Transport, View};

/// Agents in the benchmark floor.
pub const BENCH_AGENTS: u32 = 500;
/// Simulated hours run before measuring (the queues fill up meanwhile).
pub const BENCH_WARMUP_H: f64 = 3.0;

/// RON text of the benchmark floor: five queues and five teams of 100 agents
/// (each team takes its own queue and helps the next), 9,000 calls an hour
/// against a capacity of about 6,000, and patient callers: the queues settle
/// around 2,000 callers waiting. Calls arrive for 24 hours, so after the
/// warm-up about 4,500 frames at 1000× stay in the overload.
pub fn overload_source() -> String {
    let per_team = BENCH_AGENTS / 5;
    let mut types = String::new();
    let mut teams = String::new();
    for i in 0..5 {
        types.push_str(&format!(
            r#"
        CallType(
            name: "q{i}",
            arrivals: Poisson(per_hour: 1800.0),
            phases: Phases(
                alertheid: Deterministic(value_s: 3.0),
                aanvang: LogNormal(mean_s: 20.0, sd_s: 8.0),
                analyse: LogNormal(mean_s: 90.0, sd_s: 40.0),
                aanbod: LogNormal(mean_s: 110.0, sd_s: 50.0),
                afsluiting: LogNormal(mean_s: 20.0, sd_s: 8.0),
                acw: Gamma(mean_s: 40.0, sd_s: 20.0),
            ),
            patience: Exponential(mean_s: 2400.0),
            persona_mix: {{ "neutral": 0.4, "drammer": 0.15, "twijfelaar": 0.15, "zwijger": 0.15, "babbelaar": 0.15 }},
            priority_share: 0.05,
        ),"#
        ));
        teams.push_str(&format!(
            r#"
        AgentGroup(name: "team {i}", count: {per_team}, skills: ["q{i}", "q{}"]),"#,
            (i + 1) % 5
        ));
    }
    format!(
        r#"Scenario(
    name: "Benchmark: 500 agents, overloaded",
    horizon_h: 24.0,
    day_start_h: 8.0,
    seed: 11,
    personas: {{
        "neutral": (retry_after_abandon: 0.0, retry_after_unresolved: 0.0),
        "drammer": (retry_after_abandon: 0.0, retry_after_unresolved: 0.0),
        "twijfelaar": (retry_after_abandon: 0.0, retry_after_unresolved: 0.0),
        "zwijger": (retry_after_abandon: 0.0, retry_after_unresolved: 0.0),
        "babbelaar": (retry_after_abandon: 0.0, retry_after_unresolved: 0.0),
    }},
    call_types: [{types}
    ],
    agent_groups: [{teams}
    ],
)"#
    )
}

/// The benchmark floor, compiled.
pub fn overload_scenario() -> LoadedScenario {
    LoadedScenario::from_source("benchmark floor (generated)", &overload_source())
        .unwrap_or_else(|e| panic!("the generated benchmark scenario is invalid:\n{e}"))
}

/// What the benchmark measured.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// Frames measured.
    pub frames: usize,
    /// Mean frame time, milliseconds.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// Slowest frame.
    pub max_ms: f64,
    /// Mean events per frame.
    pub events_per_frame: f64,
    /// Agents on the floor.
    pub agents: usize,
    /// Callers waiting, mean over the frames.
    pub waiting_mean: f64,
    /// Frames on which the event cap was hit.
    pub capped_frames: usize,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sim-viz frame loop (headless, {} agents, {:.0} callers waiting on average, 1000x, 1/60 s frames)\n\
             frames {}  mean {:.3} ms  p50 {:.3} ms  p95 {:.3} ms  max {:.3} ms  events/frame {:.0}  capped frames {}",
            self.agents,
            self.waiting_mean,
            self.frames,
            self.mean_ms,
            self.p50_ms,
            self.p95_ms,
            self.max_ms,
            self.events_per_frame,
            self.capped_frames
        )
    }
}

/// The benchmark app, warmed up: the floor filled, `BENCH_WARMUP_H` simulated.
pub fn bench_app(loaded: LoadedScenario) -> App {
    let mut app = crate::headless_app(loaded);
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f64(
        1.0 / 60.0,
    )));
    app.world_mut().resource_mut::<Transport>().speed = 1000.0;
    app.update();
    if let Some(t) = SimTime::new(BENCH_WARMUP_H * 3600.0) {
        app.world_mut()
            .resource_mut::<SimHandle>()
            .sim()
            .run_until(t);
    }
    // Drain the warm-up's events and settle the entities.
    for _ in 0..5 {
        app.update();
    }
    app
}

/// Run `frames` measured frames of the benchmark floor.
pub fn run(frames: u32) -> BenchReport {
    let mut app = bench_app(overload_scenario());
    let mut times = Vec::with_capacity(frames as usize);
    let (mut events, mut waiting, mut capped) = (0u64, 0u64, 0usize);
    for _ in 0..frames {
        let start = Instant::now();
        app.update();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        let t = app.world().resource::<Transport>();
        events += u64::from(t.last.events);
        capped += usize::from(t.last.capped);
        let v = app.world().resource::<View>();
        waiting += (0..v.queue_count())
            .map(|q| v.waiting(q) as u64)
            .sum::<u64>();
    }
    let n = times.len().max(1);
    let mean_ms = times.iter().sum::<f64>() / n as f64;
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        sorted
            .get(
                ((n as f64 * q).ceil() as usize)
                    .saturating_sub(1)
                    .min(n - 1),
            )
            .copied()
            .unwrap_or(0.0)
    };
    BenchReport {
        frames: times.len(),
        mean_ms,
        p50_ms: pick(0.5),
        p95_ms: pick(0.95),
        max_ms: sorted.last().copied().unwrap_or(0.0),
        events_per_frame: events as f64 / n as f64,
        agents: app.world().resource::<View>().agents.len(),
        waiting_mean: waiting as f64 / n as f64,
        capped_frames: capped,
    }
}
