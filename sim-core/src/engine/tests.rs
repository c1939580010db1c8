use std::sync::Arc;

use super::*;
use crate::scenario;

const MMC: &str = r#"
Scenario(
    name: "t",
    horizon_h: 4.0,
    warmup_h: 0.5,
    replications: 1,
    seed: 3,
    call_types: [CallType(name: "a", arrivals: Poisson(per_hour: 360.0),
                          handle_time: Exponential(mean_s: 180.0),
                          patience: Exponential(mean_s: 300.0))],
    agent_groups: [AgentGroup(name: "g", count: 18, skills: ["a"])],
)"#;

fn model(src: &str) -> Arc<Model> {
    Arc::new(Model::new(&scenario::parse(src).expect("valid")).expect("compiles"))
}

#[test]
fn conservation_and_monotone_time() {
    let m = model(MMC);
    let (r, events) = Simulation::with_observer(m, 3, 0, Vec::new()).run();
    let c = &r.call_types[0];
    assert!(c.offered > 1000);
    assert_eq!(c.offered, c.answered + c.abandoned);
    assert!(c.abandoned > 0);
    let mut last = SimTime::ZERO;
    let mut busy = std::collections::HashSet::new();
    for (t, e) in &events {
        assert!(*t >= last);
        last = *t;
        match e {
            SimEvent::CallAnswered { agent, .. } => {
                assert!(busy.insert(*agent), "agent serves twice")
            }
            SimEvent::CallCompleted { agent, .. } => assert!(busy.remove(agent)),
            _ => {}
        }
    }
}

#[test]
fn same_seed_same_result_and_other_seed_differs() {
    let m = model(MMC);
    let a = Simulation::new(Arc::clone(&m), 3, 0).run().0;
    let b = Simulation::new(Arc::clone(&m), 3, 0).run().0;
    let c = Simulation::new(Arc::clone(&m), 3, 1).run().0;
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn staffing_does_not_change_the_arrival_stream() {
    // Common random numbers: the same calls arrive (same times, same handle times)
    // whatever the number of agents.
    let arrivals = |count: u32| {
        let src = MMC.replace("count: 18", &format!("count: {count}"));
        let (_, ev) = Simulation::with_observer(model(&src), 3, 0, Vec::new()).run();
        ev.into_iter()
            .filter_map(|(t, e)| matches!(e, SimEvent::CallArrived { .. }).then_some(t))
            .collect::<Vec<_>>()
    };
    let a = arrivals(15);
    let b = arrivals(25);
    assert!(a.len() > 1000);
    assert_eq!(a, b);
}

#[test]
fn run_until_stops_before_the_given_time() {
    let m = model(MMC);
    let mut sim = Simulation::new(m, 3, 0);
    let t = SimTime::new(600.0).unwrap();
    sim.run_until(t);
    assert_eq!(sim.now(), t);
    assert!(sim.next_event_time().unwrap() >= t);
    let e = sim.events();
    assert!(e > 0);
    sim.run_until(SimTime::new(1e9).unwrap());
    assert!(sim.is_finished());
    assert!(sim.events() > e);
}

#[test]
fn nobody_abandons_without_patience_and_every_call_is_answered() {
    let src = MMC.replace("patience: Exponential(mean_s: 300.0)", "");
    let (r, ()) = Simulation::new(model(&src), 3, 0).run();
    let c = &r.call_types[0];
    assert_eq!(c.abandoned, 0);
    assert_eq!(c.offered, c.answered);
}

#[test]
fn zero_agents_with_patience_all_abandon() {
    let src = MMC.replace("count: 18", "count: 0");
    let (r, ()) = Simulation::new(model(&src), 3, 0).run();
    let c = &r.call_types[0];
    assert_eq!(c.answered, 0);
    assert_eq!(c.abandoned, c.offered);
    assert_eq!(r.groups[0].staffed_area, 0.0);
}

#[test]
fn multiskill_routing_respects_skills() {
    let src = r#"
Scenario(
    name: "two types", horizon_h: 3.0, warmup_h: 0.0, replications: 1, seed: 5,
    call_types: [
        CallType(name: "a", arrivals: Poisson(per_hour: 200.0), handle_time: Exponential(mean_s: 120.0)),
        CallType(name: "b", arrivals: Poisson(per_hour: 100.0), handle_time: Exponential(mean_s: 120.0)),
    ],
    agent_groups: [
        AgentGroup(name: "only-a", count: 4, skills: ["a"]),
        AgentGroup(name: "both", count: 6, skills: ["a", "b"]),
    ],
)"#;
    let m = model(src);
    let (r, ev) = Simulation::with_observer(Arc::clone(&m), 5, 0, Vec::new()).run();
    for (_, e) in ev {
        if let SimEvent::CallAnswered {
            call_type, agent, ..
        } = e
            && call_type == 1
        {
            assert!(
                agent.0 >= 4,
                "type b answered by an agent without the skill"
            );
        }
    }
    assert_eq!(r.call_types[1].offered, r.call_types[1].answered);
    assert!(r.groups[0].answered > 0 && r.groups[1].answered > 0);
}

#[test]
fn operator_can_add_and_remove_agents_mid_run() {
    let m = model(MMC);
    let mut sim = Simulation::with_observer(Arc::clone(&m), 3, 0, Vec::new());
    assert_eq!(sim.on_duty(0), 18);
    sim.run_until(SimTime::new(3600.0).unwrap());
    sim.apply(Input::SetOnDuty {
        group: 0,
        count: 25,
    })
    .unwrap();
    assert_eq!(sim.on_duty(0), 25);
    assert_eq!(sim.floor().agent_count(), 25);
    sim.run_until(SimTime::new(7200.0).unwrap());
    sim.apply(Input::SetOnDuty {
        group: 0,
        count: 10,
    })
    .unwrap();
    assert_eq!(sim.on_duty(0), 10);
    assert_eq!(
        sim.apply(Input::SetOnDuty { group: 3, count: 1 }),
        Err(InputError::NoSuchGroup(3))
    );
    let mut busy = std::collections::HashSet::new();
    while sim.step() {}
    for (_, e) in &sim.observer().clone() {
        if let SimEvent::CallAnswered { agent, .. } = e {
            busy.insert(*agent);
        }
    }
    // The hired agents took calls.
    assert!(busy.iter().any(|a| a.0 >= 18));
    let (r, _) = sim.run();
    let c = &r.call_types[0];
    assert_eq!(c.offered, c.answered + c.abandoned);
}

#[test]
fn a_planned_log_on_keeps_an_agent_still_finishing_a_call() {
    // One slot, planned off from 60 s to 120 s; calls arrive every second or so and
    // take 150 s. The first call (answered within seconds of 0) runs past both
    // steps: the log-off at 60 s waits for its end, and the log-on at 120 s, which
    // finds the agent still on it, cancels the pending log-off. The agent stays and
    // answers the next call when the first ends.
    let src = r#"
Scenario(
    name: "plan", horizon_h: 0.25, warmup_h: 0.0, replications: 1, seed: 1,
    call_types: [CallType(name: "a", arrivals: Poisson(per_hour: 3600.0),
                          handle_time: Deterministic(value_s: 150.0))],
    agent_groups: [AgentGroup(name: "g", skills: ["a"],
                              staffing: Staffing(interval_min: 1.0, counts: [1, 0, 1]))],
)"#;
    let (_, events) = Simulation::with_observer(model(src), 1, 0, Vec::new()).run();
    let answered: Vec<f64> = events
        .iter()
        .filter_map(|(t, e)| matches!(e, SimEvent::CallAnswered { .. }).then_some(t.seconds()))
        .collect();
    assert!(answered[0] < 10.0, "{:?}", &answered[..3]);
    assert_eq!(answered[1], answered[0] + 150.0, "{:?}", &answered[..3]);
    // Served back to back to the horizon (the backlog drains after it).
    assert_eq!(answered.iter().filter(|t| **t < 900.0).count(), 6);
}

#[test]
fn the_same_inputs_at_the_same_times_reproduce_the_run() {
    let m = model(MMC);
    let run = || {
        let mut sim = Simulation::with_observer(Arc::clone(&m), 3, 0, Vec::new());
        sim.run_until(SimTime::new(5000.0).unwrap());
        sim.apply(Input::SetOnDuty {
            group: 0,
            count: 12,
        })
        .unwrap();
        sim.run().1
    };
    assert_eq!(run(), run());
}

#[test]
fn agent_call_reports_the_call_in_hand_with_its_persona() {
    let src = MMC.replace(
        "patience: Exponential(mean_s: 300.0))",
        r#"patience: Exponential(mean_s: 300.0),
                          persona_mix: { "neutral": 0.5, "drammer": 0.5 })"#,
    );
    let m = model(&src);
    let mut sim = Simulation::with_observer(m, 3, 0, Vec::new());
    // Agents logged on at construction: they are idle, with no call.
    let start: Vec<_> = sim.observer_mut().drain(..).collect();
    for (_, e) in start {
        if let SimEvent::AgentChanged { agent, .. } = e {
            assert_eq!(sim.agent_call(agent), None);
        }
    }
    let mut queued = std::collections::HashMap::new();
    let (mut checked, mut immediate) = (0, 0);
    while sim.now().seconds() < 7200.0 && sim.step() {
        let events: Vec<_> = sim.observer_mut().drain(..).collect();
        for (_, e) in &events {
            match *e {
                SimEvent::CallQueued { call, persona, .. } => {
                    queued.insert(call, persona);
                }
                SimEvent::CallAnswered { call, agent, .. } => {
                    let c = sim.agent_call(agent).expect("the agent has the call");
                    assert_eq!(c.call, call);
                    assert_eq!(c.call_type, 0);
                    assert!(c.persona.is_some());
                    match queued.remove(&call) {
                        Some(p) => assert_eq!(c.persona, p),
                        None => immediate += 1,
                    }
                    checked += 1;
                }
                SimEvent::PhaseStarted {
                    agent,
                    phase: Phase::Acw,
                    ..
                } => assert_eq!(sim.agent_call(agent), None),
                SimEvent::AgentChanged { agent, status } if status != AgentStatus::Busy => {
                    assert_eq!(sim.agent_call(agent), None)
                }
                _ => {}
            }
        }
    }
    assert!(checked > 500 && immediate > 50, "{checked} {immediate}");
    assert_eq!(sim.agent_call(AgentId(10_000)), None);
}
