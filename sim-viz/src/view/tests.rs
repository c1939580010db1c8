use std::sync::Arc;

use sim_core::routing::AgentId;
use sim_core::{Model, SimTime, Simulation};

use super::*;
use crate::engine::{LiveSim, drain_into};

fn retail_bank() -> Arc<Model> {
    let src = include_str!("../../../scenarios/retail-bank.ron");
    let s = sim_core::scenario::parse(src).expect("valid");
    Arc::new(Model::new(&s).expect("compiles"))
}

fn sim(m: &Arc<Model>) -> LiveSim {
    Simulation::with_observer(Arc::clone(m), 1999, 0, Vec::new())
}

fn empty_view(sim: &LiveSim) -> ViewState {
    let m = sim.model();
    let s = m.scenario();
    ViewState::new(
        (0..m.agent_count()).map(|a| m.agent_group(a)),
        s.call_types.len(),
        s.ivr.len(),
        s.campaigns.len(),
        s.service_level_s,
        60.0,
    )
}

/// The view agrees with the engine's own state at the instant both stand at.
fn assert_matches_engine(view: &ViewState, sim: &LiveSim) {
    let floor = sim.floor();
    for q in 0..view.queue_count() {
        assert_eq!(view.waiting(q), floor.waiting(q) as usize, "queue {q}");
    }
    assert_eq!(view.agents.len(), floor.agent_count());
    for (a, v) in view.agents.iter().enumerate() {
        let id = AgentId(a as u32);
        assert_eq!(v.group, floor.group_of(id));
        assert_eq!(
            v.state == DeskState::Idle,
            floor.is_idle(id),
            "agent {a}: {v:?}"
        );
        match sim.agent_call(id) {
            Some(c) => {
                assert_eq!(v.call, Some(c.call), "agent {a}");
                assert_eq!(v.persona, c.persona, "agent {a}");
                assert!(v.state.is_busy());
            }
            None => assert!(
                v.call.is_none() || v.state == DeskState::Dialing,
                "agent {a}: {v:?}"
            ),
        }
    }
    let (busy, staffed) = view.busy_and_staffed();
    let count = |f: fn(DeskState) -> bool| view.agents.iter().filter(|v| f(v.state)).count() as u32;
    assert_eq!(busy, count(DeskState::is_busy));
    assert_eq!(staffed, count(DeskState::is_staffed));
}

#[test]
fn the_view_follows_the_engine_frame_by_frame() {
    let m = retail_bank();
    let mut sim = sim(&m);
    let mut view = empty_view(&sim);
    let mut waited = false;
    // Uneven "frames" over the busiest hours.
    let mut t = 0.0;
    let mut k = 0;
    while t < 5.0 * 3600.0 {
        t += [17.0, 250.0, 3.5, 61.0][k % 4];
        k += 1;
        sim.run_until(SimTime::new(t).expect("valid"));
        drain_into(&mut sim, &mut view);
        assert_matches_engine(&view, &sim);
        waited |= (0..3).any(|q| view.waiting(q) > 0);
    }
    assert!(waited, "the day never had a queue");
    assert!(view.kpis.answered > 1000);
    assert!(view.kpis.abandoned > 0);
    assert!(view.arrived > view.kpis.answered);
    let sl = view.kpis.service_level().expect("calls ended");
    assert!((0.0..=1.0).contains(&sl));
    let occ = view.kpis.occupancy().expect("staffed");
    assert!((0.3..=1.0).contains(&occ), "occupancy {occ}");
    // Every desk state the scenario can produce was seen at some point.
    assert_eq!(view.charts.samples.len(), (t / 60.0).ceil() as usize);
}

#[test]
fn one_batch_or_many_frames_give_the_same_view() {
    let m = retail_bank();
    let end = SimTime::new(3.0 * 3600.0 + 7.0).expect("valid");
    let mut a_sim = sim(&m);
    let mut a = empty_view(&a_sim);
    let mut t = 0.0;
    while t < end.seconds() {
        t = (t + 45.0).min(end.seconds());
        a_sim.run_until(SimTime::new(t).expect("valid"));
        drain_into(&mut a_sim, &mut a);
    }
    let mut b_sim = sim(&m);
    let mut b = empty_view(&b_sim);
    b_sim.run_until(end);
    drain_into(&mut b_sim, &mut b);
    // Counts agree exactly; time integrals up to rounding (summed in other pieces).
    let (ka, kb) = (&a.kpis, &b.kpis);
    assert_eq!(
        (ka.answered, ka.answered_in_sl, ka.abandoned, ka.wait_sum_s),
        (kb.answered, kb.answered_in_sl, kb.abandoned, kb.wait_sum_s)
    );
    assert!((ka.busy_agent_s - kb.busy_agent_s).abs() < 1e-9 * kb.busy_agent_s);
    assert!((ka.staffed_agent_s - kb.staffed_agent_s).abs() < 1e-9 * kb.staffed_agent_s);
    assert_eq!(a.charts, b.charts);
    assert_eq!(a.agents, b.agents);
    for q in 0..3 {
        assert_eq!(a.lane(q).collect::<Vec<_>>(), b.lane(q).collect::<Vec<_>>());
    }
    assert_eq!(a.ivr, b.ivr);
}

#[test]
fn abandonments_leave_the_lane_with_their_position() {
    let m = retail_bank();
    let mut sim = sim(&m);
    let mut view = empty_view(&sim);
    let mut departures = 0;
    let mut t = 0.0;
    while t < 6.0 * 3600.0 {
        t += 30.0;
        sim.run_until(SimTime::new(t).expect("valid"));
        drain_into(&mut sim, &mut view);
        for d in view.departures.drain(..) {
            assert!(d.queue < 3);
            departures += 1;
        }
        assert!(view.departures.len() <= MAX_DEPARTURES);
    }
    assert!(departures > 0 && departures as u64 <= view.kpis.abandoned);
}

#[test]
fn hired_agents_get_desks() {
    let m = retail_bank();
    let mut sim = sim(&m);
    let mut view = empty_view(&sim);
    sim.run_until(SimTime::new(3600.0).expect("valid"));
    drain_into(&mut sim, &mut view);
    let before = view.agents.len();
    let on = sim.on_duty(2);
    sim.apply(sim_core::Input::SetOnDuty {
        group: 2,
        count: on + 30,
    })
    .expect("group exists");
    drain_into(&mut sim, &mut view);
    assert!(view.agents.len() > before);
    assert!(view.agents[before..].iter().all(|a| a.group == 2));
    assert_eq!(
        view.agents
            .iter()
            .filter(|a| a.group == 2 && a.state != DeskState::Off)
            .count() as u32,
        on + 30
    );
    assert_matches_engine(&view, &sim);
    let dirty = view.take_dirty();
    assert!(dirty.contains(&(before as u32)));
    assert!(view.take_dirty().is_empty());
}

/// The outbound scenarios: the dialer's lines and counts agree with the
/// engine's own tallies at the end of the day (warm-up removed so both count
/// the same attempts), and the desks with the engine all along.
#[test]
fn the_dialer_lines_and_counts_follow_the_engine() {
    const PREDICTIVE: &str = "dialer: Predictive(margin: 0.2, max_lines_per_agent: 3.0)";
    const PREVIEW: &str = "dialer: Preview(preview_time: Uniform(min_s: 10.0, max_s: 30.0))";
    for (file, dialer) in [
        ("outbound-sales.ron", PREDICTIVE),
        ("outbound-sales.ron", PREVIEW),
        ("outbound-sales.ron", "dialer: Progressive"),
        ("blended.ron", PREDICTIVE),
    ] {
        let path = format!("{}/../scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
        let src = std::fs::read_to_string(&path).expect("scenario");
        assert!(src.contains(PREDICTIVE), "{file} changed its dialer");
        let src = src.replace(PREDICTIVE, dialer);
        let mut s = sim_core::scenario::parse(&src).expect("valid");
        s.warmup_h = 0.0;
        let m = Arc::new(Model::new(&s).expect("compiles"));
        let mut sim = sim(&m);
        let mut view = empty_view(&sim);
        assert_eq!(view.campaigns.len(), s.campaigns.len(), "{file}");
        let (mut saw_lines, mut saw_dialing) = (false, false);
        let mut t = 0.0;
        while t < s.horizon_h * 3600.0 {
            t += 97.0;
            sim.run_until(SimTime::new(t).expect("valid"));
            drain_into(&mut sim, &mut view);
            assert_matches_engine(&view, &sim);
            saw_lines |= view.campaigns.iter().any(|c| c.ringing > 0);
            saw_dialing |= view.agents.iter().any(|a| a.state == DeskState::Dialing);
        }
        while sim.step() {}
        drain_into(&mut sim, &mut view);
        assert!(saw_lines, "{file} {dialer}");
        // Agents wait on the lines reserved for them, except with a predictive dialer.
        assert_eq!(saw_dialing, dialer != PREDICTIVE, "{file} {dialer}");
        let (result, _) = sim.run();
        for (c, (v, k)) in view.campaigns.iter().zip(&result.campaigns).enumerate() {
            assert_eq!(
                (v.dials, v.connects, v.sales, v.nuisance),
                (k.dials, k.connects, k.sales, k.nuisance_abandons),
                "{file} {dialer} campaign {c}"
            );
            assert_eq!((v.ringing, v.answered), (0, 0), "{file}: lines left open");
            if let Some(r) = v.nuisance_rate() {
                assert!((0.0..=1.0).contains(&r));
            }
        }
    }
}
