//! Properties that hold for every scenario: calls are conserved, no agent serves
//! two calls at once, skills are respected, time never goes backwards, and a run
//! is a pure function of (scenario, seed, replication).

use std::collections::HashSet;
use std::sync::Arc;

use proptest::prelude::*;
use sim_core::engine::AgentStatus;
use sim_core::{Model, SimEvent, SimTime, Simulation, scenario};

fn dist(kind: u8, mean: f64) -> String {
    match kind % 6 {
        0 => format!("Exponential(mean_s: {mean:?})"),
        1 => format!("LogNormal(mean_s: {mean:?}, sd_s: {:?})", mean * 0.7),
        2 => format!("Gamma(mean_s: {mean:?}, sd_s: {:?})", mean * 1.3),
        3 => format!("Uniform(min_s: 0.0, max_s: {:?})", 2.0 * mean),
        4 => format!("Deterministic(value_s: {mean:?})"),
        _ => format!(
            "Empirical(values_s: [{:?}, {:?}, {:?}])",
            mean * 0.5,
            mean,
            mean * 1.5
        ),
    }
}

prop_compose! {
    fn scenario_src()(
        rates in prop::collection::vec(20.0f64..400.0, 1..4),
        handle in prop::collection::vec((0u8..6, 30.0f64..400.0), 3),
        patience in prop::collection::vec(prop::option::of((0u8..6, 10.0f64..600.0)), 3),
        groups in prop::collection::vec((0u32..8, 1u8..8), 1..4),
        warmup in 0.0f64..0.5,
    ) -> String {
        let n = rates.len();
        let types: Vec<String> = (0..n).map(|i| {
            let p = patience[i].map(|(k, m)| format!("patience: {},", dist(k, m))).unwrap_or_default();
            format!("CallType(name: \"t{i}\", arrivals: Poisson(per_hour: {:?}), handle_time: {}, {p})",
                rates[i], dist(handle[i].0, handle[i].1))
        }).collect();
        let mut gs: Vec<String> = groups.iter().enumerate().map(|(g, (count, mask))| {
            let skills: Vec<String> = (0..n).filter(|i| mask & (1 << i) != 0).map(|i| format!("\"t{i}\"")).collect();
            let skills = if skills.is_empty() { "\"t0\"".to_string() } else { skills.join(", ") };
            format!("AgentGroup(name: \"g{g}\", count: {count}, skills: [{skills}])")
        }).collect();
        // Guarantee every type is staffed, so calls without patience end.
        let all: Vec<String> = (0..n).map(|i| format!("\"t{i}\"")).collect();
        gs.push(format!("AgentGroup(name: \"backup\", count: 2, skills: [{}])", all.join(", ")));
        format!("Scenario(name: \"prop\", horizon_h: 1.5, warmup_h: {warmup:?}, replications: 1, seed: 9, \
                 call_types: [{}], agent_groups: [{}])", types.join(", "), gs.join(", "))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn runs_keep_their_invariants(src in scenario_src(), seed in 0u64..1000) {
        let s = scenario::parse(&src).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let model = Arc::new(Model::new(&s).unwrap());
        let (r, events) = Simulation::with_observer(Arc::clone(&model), seed, 0, Vec::new()).run();
        // Conservation per call type.
        for c in &r.call_types {
            prop_assert_eq!(c.offered, c.answered + c.abandoned);
        }
        // Group skill sets, from the scenario.
        let skills: Vec<HashSet<usize>> = s.agent_groups.iter()
            .map(|g| g.skills.iter().filter_map(|n| s.call_type_index(n)).collect())
            .collect();
        let mut group_of = Vec::new();
        for (g, grp) in s.agent_groups.iter().enumerate() {
            group_of.extend(std::iter::repeat_n(g, grp.max_agents() as usize));
        }
        let mut last = SimTime::ZERO;
        let mut busy = HashSet::new();
        let mut open = HashSet::new();
        for (t, e) in &events {
            prop_assert!(*t >= last, "time went backwards");
            last = *t;
            match *e {
                SimEvent::CallArrived { call, .. } => { prop_assert!(open.insert(call)); }
                SimEvent::CallAnswered { call, call_type, agent, wait_s } => {
                    prop_assert!(open.contains(&call));
                    prop_assert!(wait_s >= 0.0);
                    prop_assert!(busy.insert(agent), "agent answers while busy");
                    prop_assert!(skills[group_of[agent.0 as usize]].contains(&call_type), "skill violated");
                }
                SimEvent::CallCompleted { call, agent, .. } => {
                    // The caller has gone: the agent may take the next call.
                    prop_assert!(busy.remove(&agent));
                    prop_assert!(open.remove(&call));
                }
                SimEvent::AgentChanged { agent, status } if status != AgentStatus::Busy => {
                    busy.remove(&agent);
                }
                SimEvent::CallAbandoned { call, .. } => { prop_assert!(open.remove(&call)); }
                _ => {}
            }
        }
        // Same seed, same result.
        let (again, ()) = Simulation::new(model, seed, 0).run();
        prop_assert_eq!(r, again);
    }
}
