//! Criterion benchmarks of the engine, reported as events (or calls) per second.
//!
//! * `event_queue`: push/pop of the future-event list at a steady size;
//! * `single_queue_rep`: one replication of `scenarios/single-queue.ron`;
//! * `erlang_a_190`: the peer workload (λ = 1/s, 190 agents) for 100,000 calls;
//! * `retail_bank_day`: `scenarios/retail-bank.ron`, one day × 100 replications;
//! * `replications_threads`: 20 replications on 1 and 2 threads;
//! * `sweep_threads`: a sweep of 21 staffing levels (10..=30 agents) × 50
//!   replications of `scenarios/single-queue.ron` on 1 and 2 threads.
//!
//! Run with `cargo bench --bench engine`; add `-- --quick` for a fast look.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use sim_core::engine::queue::EventQueue;
use sim_core::experiment::sweep::{self, Sweep, SweepConfig};
use sim_core::{Model, RunConfig, SimTime, Simulation, experiment, scenario};

fn model(src: &str) -> Arc<Model> {
    Arc::new(Model::new(&scenario::parse(src).expect("valid")).expect("compiles"))
}

fn bench_queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_queue");
    let n = 100_000u64;
    g.throughput(Throughput::Elements(n));
    g.bench_function("push_pop_steady_300", |b| {
        b.iter_batched(
            || {
                let mut q = EventQueue::new();
                for i in 0..300u64 {
                    q.push(SimTime::new(i as f64).unwrap(), i);
                }
                q
            },
            |mut q| {
                let mut x = 0x2545_F491_4F6C_DD1Du64;
                for _ in 0..n {
                    let (t, e) = q.pop().unwrap();
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let dt = (x >> 11) as f64 / (1u64 << 53) as f64 * 300.0;
                    q.push(SimTime::new(t.seconds() + dt).unwrap(), e);
                }
                black_box(q.len())
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn bench_runs(c: &mut Criterion) {
    let single = model(include_str!("../scenarios/single-queue.ron"));
    let events = Simulation::new(Arc::clone(&single), 1, 0).run().0.events;
    let mut g = c.benchmark_group("single_queue_rep");
    g.throughput(Throughput::Elements(events));
    g.bench_function("one_replication", |b| {
        b.iter(|| black_box(Simulation::new(Arc::clone(&single), 1, 0).run().0.events))
    });
    g.finish();

    let peer = include_str!("erlang-a-1m.ron").replace("277.77777777777777", "27.777777777777777");
    let peer = model(&peer);
    let calls = Simulation::new(Arc::clone(&peer), 1, 0).run().0.calls;
    let mut g = c.benchmark_group("erlang_a_190");
    g.throughput(Throughput::Elements(calls));
    g.sample_size(20);
    g.bench_function("100k_calls", |b| {
        b.iter(|| black_box(Simulation::new(Arc::clone(&peer), 1, 0).run().0.calls))
    });
    g.finish();

    // The inbound floor: one simulated day of the retail bank, 100 replications.
    let bank = model(include_str!("../scenarios/retail-bank.ron"));
    let mut g = c.benchmark_group("retail_bank_day");
    g.sample_size(10);
    for threads in [1usize, 2] {
        let cfg = RunConfig {
            replications: 100,
            seed: 1,
            threads: Some(threads),
        };
        g.bench_function(format!("100_reps_{threads}_threads"), |b| {
            b.iter(|| black_box(experiment::run(&bank, &cfg, &|| {}).unwrap().events))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("replications_threads");
    g.sample_size(10);
    g.throughput(Throughput::Elements(20 * events));
    for threads in [1usize, 2] {
        let cfg = RunConfig {
            replications: 20,
            seed: 1,
            threads: Some(threads),
        };
        g.bench_function(format!("20_reps_{threads}_threads"), |b| {
            b.iter(|| black_box(experiment::run(&single, &cfg, &|| {}).unwrap().events))
        });
    }
    g.finish();
}

fn bench_sweep(c: &mut Criterion) {
    let base = scenario::parse(include_str!("../scenarios/single-queue.ron")).expect("valid");
    let factor = "agent_groups[team].count=10..30".parse().expect("factor");
    let sweep = Sweep::new(&base, &[factor]).expect("sweep");
    let mut g = c.benchmark_group("sweep_threads");
    g.sample_size(10);
    g.throughput(Throughput::Elements(21 * 50));
    for threads in [1usize, 2] {
        let cfg = SweepConfig {
            replications: 50,
            threads: Some(threads),
            ..SweepConfig::from_scenario(&base)
        };
        g.bench_function(format!("21x50_{threads}_threads"), |b| {
            b.iter(|| black_box(sweep::run(&sweep, &cfg, &|_| {}).unwrap().events()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_queue, bench_runs, bench_sweep);
criterion_main!(benches);
