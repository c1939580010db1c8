//! The inbound floor: personalities, multiskill pooling, retrials, shifts, IVR,
//! priorities, overflow, callbacks, transfers and time-varying load, each checked
//! against the direction or the value theory gives.

use std::collections::HashMap;
use std::sync::Arc;

use sim_core::engine::{AgentStatus, IvrOutcome};
use sim_core::stats::Estimate;
use sim_core::{Model, Report, RunConfig, SimEvent, SimTime, Simulation, experiment, scenario};

fn model(src: &str) -> Arc<Model> {
    let s = scenario::parse(src).unwrap_or_else(|e| panic!("{}", e.render("test", src)));
    Arc::new(Model::new(&s).expect("compiles"))
}

fn report(src: &str) -> Report {
    let m = model(src);
    experiment::run(&m, &RunConfig::from_model(&m), &|| {}).expect("runs")
}

fn kpi<'a>(r: &'a [(String, sim_core::stats::KpiEstimates)], name: &str, k: &str) -> &'a Estimate {
    r.iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, e)| e.get(k))
        .unwrap_or_else(|| panic!("{name}.{k}"))
}

/// `a` is larger than `b` beyond both confidence intervals.
fn clearly_above(a: &Estimate, b: &Estimate) -> bool {
    a.mean - a.ci95.unwrap_or(0.0) > b.mean + b.ci95.unwrap_or(0.0)
}

const PERSONA_FLOOR: &str = r#"
Scenario(
    name: "personas", horizon_h: 8.0, warmup_h: 0.5, replications: 20, seed: 11,
    call_types: [CallType(
        name: "service",
        arrivals: Poisson(per_hour: 300.0),
        phases: Phases(
            alertheid: Deterministic(value_s: 3.0),
            aanvang: Exponential(mean_s: 20.0),
            analyse: Exponential(mean_s: 60.0),
            aanbod: Exponential(mean_s: 80.0),
            afsluiting: Exponential(mean_s: 20.0),
            acw: Exponential(mean_s: 30.0),
        ),
        patience: Exponential(mean_s: 120.0),
        persona_mix: { "neutral": 0.2, "drammer": 0.2, "twijfelaar": 0.2, "zwijger": 0.2, "babbelaar": 0.2 },
    )],
    agent_groups: [AgentGroup(name: "team", count: 20, skills: ["service"])],
)"#;

#[test]
fn personas_shift_kpis_in_the_documented_direction() {
    let r = report(PERSONA_FLOOR);
    let p = &r.by_persona;
    assert_eq!(p.len(), 5);
    let neutral_aht = kpi(p, "neutral", "aht_s");
    // The chatterbox and the doubter take longer than a neutral caller.
    assert!(clearly_above(kpi(p, "babbelaar", "aht_s"), neutral_aht));
    assert!(clearly_above(kpi(p, "twijfelaar", "aht_s"), neutral_aht));
    // The pusher hangs up sooner, the silent one waits longer.
    let neutral_ab = kpi(p, "neutral", "abandon_rate");
    assert!(clearly_above(kpi(p, "drammer", "abandon_rate"), neutral_ab));
    assert!(clearly_above(neutral_ab, kpi(p, "zwijger", "abandon_rate")));
    // The pusher is the least satisfied; the chatterbox's issue is resolved most often.
    assert!(clearly_above(
        kpi(p, "neutral", "csat"),
        kpi(p, "drammer", "csat")
    ));
    assert!(clearly_above(
        kpi(p, "babbelaar", "fcr"),
        kpi(p, "twijfelaar", "fcr")
    ));
}

#[test]
fn phase_times_follow_the_persona_factors() {
    // Only twijfelaars: their offer phase is 1.5 × the call type's mean (80 s).
    let src = PERSONA_FLOOR.replace(
        r#"{ "neutral": 0.2, "drammer": 0.2, "twijfelaar": 0.2, "zwijger": 0.2, "babbelaar": 0.2 }"#,
        r#"{ "twijfelaar": 1.0 }"#,
    );
    let r = report(&src);
    let (_, phases) = &r.flow.phase_means_s[0];
    let aanbod = &phases[3];
    assert!(
        (aanbod.mean - 120.0).abs() < 3.0 * aanbod.ci95.unwrap() + 1.0,
        "{aanbod:?}"
    );
    let analyse = &phases[2];
    assert!(
        (analyse.mean - 72.0).abs() < 3.0 * analyse.ci95.unwrap() + 1.0,
        "{analyse:?}"
    );
}

fn two_types(skills_a: &str, skills_b: &str) -> String {
    format!(
        r#"Scenario(
    name: "pooling", horizon_h: 8.0, warmup_h: 0.5, replications: 20, seed: 5,
    call_types: [
        CallType(name: "a", arrivals: Poisson(per_hour: 150.0), handle_time: Exponential(mean_s: 240.0)),
        CallType(name: "b", arrivals: Poisson(per_hour: 150.0), handle_time: Exponential(mean_s: 240.0)),
    ],
    agent_groups: [
        AgentGroup(name: "A", count: 11, skills: {skills_a}),
        AgentGroup(name: "B", count: 11, skills: {skills_b}),
    ],
)"#
    )
}

#[test]
fn multiskill_pooling_beats_split_queues() {
    let split = report(&two_types(r#"["a"]"#, r#"["b"]"#));
    let pooled = report(&two_types(r#"["a", "b"]"#, r#"["b", "a"]"#));
    let (s, p) = (
        split.kpis.get("asa_s").unwrap(),
        pooled.kpis.get("asa_s").unwrap(),
    );
    assert!(clearly_above(s, p), "split ASA {s:?} vs pooled {p:?}");
    let (s, p) = (
        split.kpis.get("service_level").unwrap(),
        pooled.kpis.get("service_level").unwrap(),
    );
    assert!(clearly_above(p, s));
}

#[test]
fn retrials_raise_offered_load_as_theory_says() {
    // Callers never abandon for good with probability 1: each abandons with
    // probability a and then calls again with probability r, so contacts per fresh
    // caller are 1 / (1 - r·a) (a geometric number of attempts).
    let src = r#"
Scenario(
    name: "retrials", horizon_h: 30.0, warmup_h: 3.0, replications: 20, seed: 8,
    personas: { "neutral": (fcr: 1.0, retry_after_abandon: 0.6, retry_delay: Exponential(mean_s: 600.0)) },
    call_types: [CallType(name: "q", arrivals: Poisson(per_hour: 360.0),
        handle_time: Exponential(mean_s: 180.0), patience: Exponential(mean_s: 120.0),
        persona_mix: { "neutral": 1.0 })],
    agent_groups: [AgentGroup(name: "g", count: 18, skills: ["q"])],
)"#;
    let r = report(src);
    let ratio = |rep: &sim_core::stats::RepResult| {
        let t = rep.total();
        t.offered as f64 / (t.offered - t.retrials) as f64
    };
    let theory = |rep: &sim_core::stats::RepResult| {
        let t = rep.total();
        let a = t.abandoned as f64 / (t.answered + t.abandoned) as f64;
        1.0 / (1.0 - 0.6 * a)
    };
    let diff = Estimate::from_samples(r.reps.iter().map(|rep| ratio(rep) - theory(rep)));
    let measured = Estimate::from_samples(r.reps.iter().map(ratio));
    assert!(measured.mean > 1.05, "retrials add load: {measured:?}");
    assert!(
        diff.covers(0.0, 0.99),
        "contacts per caller {measured:?}, theory minus it {diff:?}"
    );
}

const SHIFTS: &str = r#"
Scenario(
    name: "shifts", horizon_h: 6.0, replications: 1, seed: 3, interval_min: 15.0,
    call_types: [CallType(name: "q", arrivals: Poisson(per_hour: 200.0),
        phases: Phases(alertheid: Deterministic(value_s: 2.0), aanvang: Exponential(mean_s: 15.0),
            analyse: Exponential(mean_s: 60.0), aanbod: Exponential(mean_s: 60.0),
            afsluiting: Exponential(mean_s: 15.0), acw: Exponential(mean_s: 40.0)),
        patience: Exponential(mean_s: 300.0),
        persona_mix: { "neutral": 0.5, "babbelaar": 0.5 })],
    agent_groups: [
        AgentGroup(name: "early", skills: ["q"], shifts: [
            Shift(start_h: 0.0, end_h: 3.0, count: 8, breaks: [Break(start_h: 1.0, duration_min: 15.0, stagger_min: 30.0)]),
            Shift(start_h: 2.5, end_h: 6.0, count: 8, breaks: [Break(start_h: 4.0, duration_min: 10.0)]),
        ], shrinkage: 0.1),
        AgentGroup(name: "planned", skills: ["q"],
            staffing: Staffing(interval_min: 30.0, counts: [2, 4, 6, 3, 0, 5, 2, 1, 0, 4, 2, 2])),
    ],
)"#;

#[test]
fn shift_changes_never_drop_a_call_in_service() {
    for seed in 0..10 {
        let m = model(SHIFTS);
        let (r, events) = Simulation::with_observer(Arc::clone(&m), seed, 0, Vec::new()).run();
        let mut in_hand: HashMap<u32, u64> = HashMap::new();
        let mut status: HashMap<u32, AgentStatus> = HashMap::new();
        let mut answered = 0;
        let mut finished = 0;
        for (_, e) in &events {
            match *e {
                SimEvent::CallAnswered { call, agent, .. } => {
                    assert_eq!(
                        status.get(&agent.0),
                        Some(&AgentStatus::Busy),
                        "answers while not busy"
                    );
                    assert!(
                        in_hand.insert(agent.0, call.0).is_none(),
                        "two calls in hand"
                    );
                    answered += 1;
                }
                SimEvent::CallCompleted { call, agent, .. } => {
                    assert_eq!(
                        in_hand.remove(&agent.0),
                        Some(call.0),
                        "completed by another agent"
                    );
                    finished += 1;
                }
                SimEvent::CallTransferred { .. } => unreachable!("no transfers here"),
                SimEvent::AgentChanged { agent, status: s } => {
                    if matches!(s, AgentStatus::Off | AgentStatus::Break) {
                        assert!(
                            !in_hand.contains_key(&agent.0),
                            "agent left with a caller on the line"
                        );
                    }
                    status.insert(agent.0, s);
                }
                _ => {}
            }
        }
        assert!(answered > 500);
        assert_eq!(answered, finished, "every answered call is completed");
        let c = &r.call_types[0];
        assert_eq!(c.offered, c.answered + c.abandoned);
        // Paid time follows the plan (67.5 agent-hours scheduled): less the absent
        // agents, plus the overtime of agents finishing their last call.
        let paid_h: f64 = r.groups.iter().map(|g| g.paid_area_all).sum::<f64>() / 3600.0;
        assert!(paid_h > 45.0 && paid_h <= 67.5 + 8.0, "paid {paid_h} h");
    }
}

const IVR: &str = r#"
Scenario(
    name: "ivr", horizon_h: 8.0, replications: 20, seed: 17,
    entry_points: [EntryPoint(name: "main", menu: "top", arrivals: Poisson(per_hour: 400.0))],
    ivr: [
        IvrMenu(name: "top", duration: Deterministic(value_s: 20.0), hangup: 0.05, misroute: 0.1,
            options: [
                IvrOption(share: 0.5, to: Queue("sales")),
                IvrOption(share: 0.3, to: Queue("service")),
                IvrOption(share: 0.2, to: Menu("info")),
            ]),
        IvrMenu(name: "info", duration: Deterministic(value_s: 30.0),
            options: [IvrOption(share: 1.0, to: SelfService)]),
    ],
    call_types: [
        CallType(name: "sales", handle_time: Exponential(mean_s: 150.0), patience: Exponential(mean_s: 200.0)),
        CallType(name: "service", handle_time: Exponential(mean_s: 150.0), patience: Exponential(mean_s: 200.0)),
    ],
    agent_groups: [AgentGroup(name: "all", count: 16, skills: ["sales", "service"])],
)"#;

#[test]
fn ivr_outcomes_match_the_menu_tree() {
    let r = report(IVR);
    let ivr = r.ivr.as_ref().expect("ivr report");
    let check = |e: &Estimate, x: f64, what: &str| {
        assert!(e.covers(x, 0.99), "{what}: {e:?} vs {x}");
    };
    check(&ivr.hangup_rate, 0.05, "hang-ups");
    check(&ivr.self_service_rate, 0.95 * 0.2, "self-service");
    check(&ivr.routed_rate, 0.95 * 0.8, "routed");
    check(&ivr.misroute_rate, 0.1, "misroutes");
    // Mean time: everyone hears the top menu (20 s), a fifth of those who stay also "info" (30 s).
    check(&ivr.mean_time_s, 20.0 + 0.95 * 0.2 * 30.0, "time in IVR");
    // Misroutes swap sales and service: sales gets 0.5·0.9 + 0.3·0.1 of the routed calls.
    let routed: f64 = r.reps.iter().map(|x| x.ivr.routed as f64).sum();
    let sales: f64 = r.reps.iter().map(|x| x.call_types[0].offered as f64).sum();
    let expect = (0.5 * 0.9 + 0.3 * 0.1) / 0.8;
    assert!(
        (sales / routed - expect).abs() < 0.01,
        "{} vs {expect}",
        sales / routed
    );
}

#[test]
fn priority_callers_wait_less() {
    let src = r#"
Scenario(name: "prio", horizon_h: 8.0, warmup_h: 0.5, replications: 1, seed: 2,
    call_types: [CallType(name: "q", arrivals: Poisson(per_hour: 380.0),
        handle_time: Exponential(mean_s: 180.0), priority_share: 0.2)],
    agent_groups: [AgentGroup(name: "g", count: 20, skills: ["q"])])"#;
    let (_, events) = Simulation::with_observer(model(src), 2, 0, Vec::new()).run();
    let mut prio = HashMap::new();
    for (_, e) in &events {
        if let SimEvent::CallQueued { call, priority, .. } = *e {
            prio.insert(call, priority);
        }
    }
    let (mut w, mut n) = ([0.0; 2], [0.0; 2]);
    for (_, e) in &events {
        if let SimEvent::CallAnswered { call, wait_s, .. } = *e
            && let Some(&p) = prio.get(&call)
        {
            w[usize::from(p)] += wait_s;
            n[usize::from(p)] += 1.0;
        }
    }
    let (normal, priority) = (w[0] / n[0], w[1] / n[1]);
    assert!(n[1] > 100.0);
    assert!(
        priority < 0.3 * normal,
        "priority {priority} s vs normal {normal} s"
    );
}

#[test]
fn overflow_groups_take_only_calls_that_waited_long_enough() {
    let src = r#"
Scenario(name: "overflow", horizon_h: 8.0, replications: 1, seed: 4,
    call_types: [
        CallType(name: "front", arrivals: Poisson(per_hour: 300.0), handle_time: Exponential(mean_s: 180.0),
            patience: Exponential(mean_s: 400.0), overflow: Overflow(after_s: 45.0, groups: ["back"])),
        CallType(name: "backoffice", arrivals: Poisson(per_hour: 30.0), handle_time: Exponential(mean_s: 300.0)),
    ],
    agent_groups: [
        AgentGroup(name: "front", count: 14, skills: ["front"]),
        AgentGroup(name: "back", count: 6, skills: ["backoffice"]),
    ])"#;
    let m = model(src);
    let (r, events) = Simulation::with_observer(Arc::clone(&m), 4, 0, Vec::new()).run();
    let mut overflowed = 0;
    for (_, e) in &events {
        if let SimEvent::CallAnswered {
            call_type: 0,
            agent,
            wait_s,
            ..
        } = *e
            && m.agent_group(agent.0 as usize) == 1
        {
            assert!(wait_s >= 45.0 - 1e-9, "overflow after {wait_s} s");
            overflowed += 1;
        }
    }
    assert!(overflowed > 20, "the back office helped {overflowed} times");
    assert!(r.groups[1].answered > r.call_types[1].answered);
}

#[test]
fn callbacks_replace_waiting_when_the_queue_is_long() {
    let src = r#"
Scenario(name: "callback", horizon_h: 8.0, replications: 30, seed: 6,
    call_types: [CallType(name: "q", arrivals: Poisson(per_hour: 115.0), handle_time: Exponential(mean_s: 300.0),
        patience: Exponential(mean_s: 240.0),
        callback: CallbackOffer(when_expected_wait_s: 60.0, accept: 0.7, ring_s: 20.0, reached: 1.0))],
    agent_groups: [AgentGroup(name: "g", count: 10, skills: ["q"])])"#;
    let with = report(src);
    let without = report(&src.replace("callback: CallbackOffer(when_expected_wait_s: 60.0, accept: 0.7, ring_s: 20.0, reached: 1.0)", ""));
    assert!(with.flow.callbacks.mean > 20.0);
    // Callers who take a callback do not hang up in the queue.
    assert!(clearly_above(
        without.kpis.get("abandon_rate").unwrap(),
        with.kpis.get("abandon_rate").unwrap()
    ));
    // Conservation still holds with callbacks.
    for rep in &with.reps {
        let t = rep.total();
        assert_eq!(t.offered, t.answered + t.abandoned);
    }
}

#[test]
fn transfers_queue_again_at_the_second_line() {
    let r = report(
        &std::fs::read_to_string(crate::root().join("scenarios/helpdesk-two-lines.ron")).unwrap(),
    );
    let first = kpi(&r.by_call_type, "first line", "answered").mean;
    let transfers = r.flow.transfers.mean;
    // One in five answered first-line calls is escalated.
    assert!(
        (transfers / first - 0.2).abs() < 0.02,
        "{transfers} of {first}"
    );
    let second_offered = kpi(&r.by_call_type, "second line", "offered").mean;
    assert!(second_offered >= transfers * 0.95);
    for rep in &r.reps {
        for c in &rep.call_types {
            assert_eq!(c.offered, c.answered + c.abandoned);
        }
    }
}

#[test]
fn interval_arrivals_follow_the_day_profile() {
    let src = r#"
Scenario(name: "profile", horizon_h: 4.0, replications: 40, seed: 9, interval_min: 60.0,
    call_types: [CallType(name: "q", arrivals: Profile(interval_min: 60.0, per_hour: [100, 400, 200, 50]),
        handle_time: Exponential(mean_s: 120.0))],
    agent_groups: [AgentGroup(name: "g", staffing: Staffing(interval_min: 60.0, counts: [4, 16, 9, 3]), skills: ["q"])])"#;
    let r = report(src);
    for (iv, rate) in r.by_interval.iter().zip([100.0, 400.0, 200.0, 50.0]) {
        let offered = iv.all.get("offered").unwrap();
        assert!(
            offered.covers(rate, 0.99),
            "interval {}: {offered:?} vs {rate}",
            iv.index
        );
        // Agents finish the call in hand before logging off: a little more than planned.
        let extra = iv.agents.mean - [4.0, 16.0, 9.0, 3.0][iv.index];
        assert!(
            (0.0..0.5).contains(&extra),
            "interval {}: {extra}",
            iv.index
        );
    }
}

#[test]
fn busyness_makes_days_differ_more_than_poisson() {
    let base = r#"
Scenario(name: "busy", horizon_h: 8.0, replications: 60, seed: 12, busyness_cv: CV,
    call_types: [CallType(name: "q", arrivals: Poisson(per_hour: 200.0), handle_time: Exponential(mean_s: 60.0))],
    agent_groups: [AgentGroup(name: "g", count: 10, skills: ["q"])])"#;
    let sd = |cv: &str| {
        report(&base.replace("CV", cv))
            .kpis
            .get("offered")
            .unwrap()
            .sd
    };
    let (poisson, gamma) = (sd("0.0"), sd("0.15"));
    // Poisson: sd = √1600 = 40; with a 15 % day factor: √(1600 + (0.15·1600)²) ≈ 243.
    assert!(poisson < 60.0 && gamma > 150.0, "{poisson} vs {gamma}");
}

#[test]
fn the_bundled_floor_scenarios_run_and_conserve_calls() {
    for name in ["retail-bank.ron", "helpdesk-two-lines.ron"] {
        let src = std::fs::read_to_string(crate::root().join("scenarios").join(name)).unwrap();
        let m = model(&src);
        let cfg = RunConfig {
            replications: 4,
            seed: 1,
            threads: Some(1),
        };
        let r = experiment::run(&m, &cfg, &|| {}).unwrap();
        for rep in &r.reps {
            for c in &rep.call_types {
                assert_eq!(c.offered, c.answered + c.abandoned, "{name}");
            }
        }
        assert!(r.kpis.get("service_level").unwrap().mean > 0.5, "{name}");
        assert!(r.by_persona.len() >= 4, "{name}");
    }
    let _ = (SimTime::ZERO, IvrOutcome::HungUp);
}
