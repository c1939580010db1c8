//! Headless tests of the ECS side: no window, no GPU (`MinimalPlugins`,
//! `app.update()`, assertions on the world).

use std::path::PathBuf;
use std::time::Duration;

use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use sim_core::{Input, SimTime};

use crate::controls::{Control, ControlButton, PathEntry, Selection};
use crate::engine::{LoadedScenario, SimHandle, StatusLine, Transport, View};
use crate::floor::{Desk, DeskCaller};
use crate::queues::LaneSlot;
use crate::view::DeskState;
use crate::{RunState, headless_app};

const FRAME: Duration = Duration::from_millis(100);

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(name)
}

fn app_with(loaded: LoadedScenario) -> App {
    let mut app = headless_app(loaded);
    app.insert_resource(TimeUpdateStrategy::ManualDuration(FRAME))
        .init_resource::<ButtonInput<KeyCode>>();
    app.update();
    app.update();
    app
}

fn app() -> App {
    app_with(LoadedScenario::bundled())
}

fn now(app: &mut App) -> f64 {
    app.world_mut()
        .resource_mut::<SimHandle>()
        .sim()
        .now()
        .seconds()
}

fn events(app: &mut App) -> u64 {
    app.world_mut().resource_mut::<SimHandle>().sim().events()
}

fn send(app: &mut App, c: Control) {
    app.world_mut().write_message(c);
    app.update();
}

fn press(app: &mut App, key: KeyCode) {
    app.world_mut()
        .resource_mut::<ButtonInput<KeyCode>>()
        .press(key);
    app.update();
    let mut keys = app.world_mut().resource_mut::<ButtonInput<KeyCode>>();
    keys.release(key);
    keys.clear();
}

fn transport(app: &App) -> Transport {
    app.world().resource::<Transport>().clone()
}

fn count<C: Component>(app: &mut App) -> usize {
    app.world_mut()
        .query_filtered::<(), With<C>>()
        .iter(app.world())
        .count()
}

#[test]
fn the_floor_has_a_desk_per_agent_and_lanes_per_queue() {
    let mut app = app();
    let agents = app.world().resource::<View>().agents.len();
    assert!(agents >= 60, "{agents} desks");
    assert_eq!(count::<Desk>(&mut app), agents);
    assert_eq!(count::<DeskCaller>(&mut app), agents);
    let lanes: std::collections::HashSet<usize> = app
        .world_mut()
        .query::<&LaneSlot>()
        .iter(app.world())
        .map(|s| s.queue)
        .collect();
    assert_eq!(lanes.len(), 3);
    assert_eq!(
        *app.world().resource::<State<RunState>>().get(),
        RunState::Live
    );
}

#[test]
fn desks_take_the_colour_of_their_agent() {
    let mut app = app();
    send(&mut app, Control::SeekTo(2.0 * 3600.0));
    app.update();
    let view = app.world().resource::<View>().0.clone();
    let mut busy_with_caller = 0;
    let mut q = app.world_mut().query::<(&Desk, &Sprite)>();
    for (desk, sprite) in q.iter(app.world()) {
        let state = view.agents[desk.0 as usize].state;
        assert_eq!(
            sprite.color,
            crate::style::desk_color(state),
            "desk {}",
            desk.0
        );
    }
    let mut q = app.world_mut().query::<(&DeskCaller, &Visibility)>();
    for (c, vis) in q.iter(app.world()) {
        let v = &view.agents[c.0 as usize];
        let shown = *vis != Visibility::Hidden;
        assert_eq!(
            shown,
            v.call.is_some() && v.persona.is_some(),
            "desk {}: {v:?}",
            c.0
        );
        busy_with_caller += usize::from(shown);
    }
    assert!(busy_with_caller > 10, "{busy_with_caller}");
    assert!(
        view.agents
            .iter()
            .any(|a| matches!(a.state, DeskState::InPhase(_)))
    );
}

#[test]
fn simulated_time_advances_by_speed_times_frame_time() {
    let mut app = app();
    send(&mut app, Control::SetSpeed(60.0));
    let t0 = now(&mut app);
    app.update();
    let t1 = now(&mut app);
    assert!((t1 - t0 - 6.0).abs() < 1e-6, "{t0} → {t1}");
    send(&mut app, Control::SetSpeed(1000.0));
    let t2 = now(&mut app);
    app.update();
    assert!((now(&mut app) - t2 - 100.0).abs() < 1e-6);
    send(&mut app, Control::SetSpeed(1e9));
    assert_eq!(transport(&app).speed, 1000.0);
    send(&mut app, Control::Slower);
    assert_eq!(transport(&app).speed, 300.0);
    send(&mut app, Control::Faster);
    send(&mut app, Control::Faster);
    assert_eq!(transport(&app).speed, 1000.0);
    send(&mut app, Control::SetSpeed(0.01));
    assert_eq!(transport(&app).speed, 1.0);
    send(&mut app, Control::Faster);
    assert_eq!(transport(&app).speed, 2.0);
}

#[test]
fn pause_stops_the_clock_and_step_processes_one_event() {
    let mut app = app();
    send(&mut app, Control::TogglePause);
    let (t, n) = (now(&mut app), events(&mut app));
    app.update();
    app.update();
    assert_eq!((now(&mut app), events(&mut app)), (t, n));
    send(&mut app, Control::Step);
    assert_eq!(events(&mut app), n + 1);
    assert!(transport(&app).paused);
    let last = app.world().resource::<View>().last_event;
    assert!(last.is_some());
    send(&mut app, Control::TogglePause);
    app.update();
    assert!(now(&mut app) > t);
}

#[test]
fn keys_drive_the_controls() {
    let mut app = app();
    press(&mut app, KeyCode::Space);
    assert!(transport(&app).paused);
    press(&mut app, KeyCode::Space);
    assert!(!transport(&app).paused);
    press(&mut app, KeyCode::Digit9);
    assert_eq!(transport(&app).speed, 1000.0);
    press(&mut app, KeyCode::Digit1);
    assert_eq!(transport(&app).speed, 1.0);
    press(&mut app, KeyCode::Equal);
    assert_eq!(transport(&app).speed, 2.0);
    press(&mut app, KeyCode::ArrowDown);
    press(&mut app, KeyCode::ArrowDown);
    assert_eq!(app.world().resource::<Selection>().group, 2);
    press(&mut app, KeyCode::ArrowDown);
    assert_eq!(app.world().resource::<Selection>().group, 0);
    press(&mut app, KeyCode::ArrowUp);
    assert_eq!(app.world().resource::<Selection>().group, 2);
    let before = app.world_mut().resource_mut::<SimHandle>().sim().on_duty(2);
    press(&mut app, KeyCode::KeyA);
    assert_eq!(
        app.world_mut().resource_mut::<SimHandle>().sim().on_duty(2),
        before + 1
    );
    let n = events(&mut app);
    press(&mut app, KeyCode::KeyN);
    assert!(transport(&app).paused);
    assert_eq!(events(&mut app), n + 1);
    press(&mut app, KeyCode::KeyP);
    assert!(app.world().resource::<PathEntry>().editing);
    // While typing, keys do not act.
    press(&mut app, KeyCode::Space);
    assert!(transport(&app).paused);
}

#[test]
fn buttons_send_their_control() {
    let mut app = app();
    let step = app
        .world_mut()
        .query::<(Entity, &ControlButton)>()
        .iter(app.world())
        .find(|(_, b)| b.0 == Control::Step)
        .map(|(e, _)| e)
        .expect("a Step button");
    let n = events(&mut app);
    app.world_mut()
        .entity_mut(step)
        .insert(Interaction::Pressed);
    app.update();
    assert!(transport(&app).paused);
    assert_eq!(events(&mut app), n + 1);
    // One button per team and direction.
    let team_buttons = app
        .world_mut()
        .query::<&ControlButton>()
        .iter(app.world())
        .filter(|b| matches!(b.0, Control::AddAgent(_) | Control::RemoveAgent(_)))
        .count();
    assert_eq!(team_buttons, 2 * 3);
}

#[test]
fn adding_and_removing_agents_is_applied_and_recorded() {
    let mut app = app();
    send(&mut app, Control::SeekTo(3600.0));
    let on = app.world_mut().resource_mut::<SimHandle>().sim().on_duty(0);
    send(&mut app, Control::AddAgent(0));
    send(&mut app, Control::AddAgent(0));
    send(&mut app, Control::RemoveAgent(1));
    let mut h = app.world_mut().resource_mut::<SimHandle>();
    assert_eq!(h.sim().on_duty(0), on + 2);
    let inputs = h.inputs().to_vec();
    assert_eq!(inputs.len(), 3);
    assert_eq!(
        inputs[0].input,
        Input::SetOnDuty {
            group: 0,
            count: on + 1
        }
    );
    assert!(inputs[0].at.seconds() >= 3600.0);
    assert!(inputs.windows(2).all(|w| w[0].at <= w[1].at));
    // Removing from an empty team is refused politely.
    send(&mut app, Control::SeekTo(0.0));
    let mut h = app.world_mut().resource_mut::<SimHandle>();
    assert!(
        h.inputs().is_empty(),
        "a rewind before the inputs forgets them"
    );
    let group = 1; // card specialists start at 0.5 h
    assert_eq!(h.sim().on_duty(group), 0);
    send(&mut app, Control::RemoveAgent(group));
    assert!(app.world().resource::<SimHandle>().inputs().is_empty());
    assert!(!app.world().resource::<StatusLine>().error);
    send(&mut app, Control::AddAgent(99));
    assert!(app.world().resource::<StatusLine>().error);
}

#[test]
fn the_event_cap_limits_a_frame_and_is_reported() {
    let mut app = app();
    app.world_mut()
        .resource_mut::<Transport>()
        .max_events_per_frame = 5;
    send(&mut app, Control::SetSpeed(1000.0));
    app.update();
    let t = transport(&app);
    assert!(t.last.capped);
    assert_eq!(t.last.events, 5);
    assert!(t.last.advanced_s < 100.0);
}

#[test]
fn opening_a_scenario_rebuilds_the_floor_and_bad_files_only_report() {
    let mut app = app();
    send(
        &mut app,
        Control::Open(scenario_path("helpdesk-two-lines.ron")),
    );
    app.update();
    let h = app.world().resource::<SimHandle>();
    assert_eq!(h.epoch(), 1);
    assert!(h.loaded().origin.contains("helpdesk"));
    let queues = h.loaded().scenario.call_types.len();
    let agents = app.world().resource::<View>().agents.len();
    assert_eq!(app.world().resource::<View>().queue_count(), queues);
    assert_eq!(count::<Desk>(&mut app), agents);
    assert!(
        now(&mut app) <= 12.0 + 1e-9,
        "restarted at the start of the day"
    );

    send(&mut app, Control::Open(PathBuf::from("/no/such/file.ron")));
    let status = app.world().resource::<StatusLine>().clone();
    assert!(
        status.error && status.text.contains("cannot read"),
        "{status:?}"
    );
    assert_eq!(app.world().resource::<SimHandle>().epoch(), 1);

    let dir = std::env::temp_dir().join(format!("sim-viz-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bad = dir.join("bad.ron");
    std::fs::write(
        &bad,
        "Scenario(name: \"x\", horizon_h: -1.0, call_types: [], agent_groups: [])",
    )
    .expect("write");
    send(&mut app, Control::Open(bad.clone()));
    let status = app.world().resource::<StatusLine>().clone();
    assert!(
        status.error && status.text.contains("bad.ron:1:"),
        "{status:?}"
    );
    assert_eq!(app.world().resource::<SimHandle>().epoch(), 1);
    let _ = std::fs::remove_dir_all(&dir);

    // The next file in the folder (alphabetical order) after the one open.
    let files = crate::controls::scenario_files(Some(&scenario_path("helpdesk-two-lines.ron")));
    let next = crate::controls::next_file(&files, Some(&scenario_path("helpdesk-two-lines.ron")))
        .expect("a next file");
    send(&mut app, Control::NextScenario);
    let h = app.world().resource::<SimHandle>();
    assert_eq!(h.epoch(), 2);
    assert_eq!(h.loaded().path.as_deref(), Some(next.as_path()));
}

#[test]
fn seeking_back_re_simulates_exactly_with_the_inputs() {
    let mut app = app();
    send(&mut app, Control::SetSpeed(300.0));
    // Single steps, then an input at an event's time with others still pending.
    send(&mut app, Control::SeekTo(1800.0));
    send(&mut app, Control::TogglePause);
    for _ in 0..3 {
        send(&mut app, Control::Step);
    }
    send(&mut app, Control::AddAgent(2));
    send(&mut app, Control::TogglePause);
    for _ in 0..40 {
        app.update();
    }
    send(&mut app, Control::AddAgent(0));
    for _ in 0..40 {
        app.update();
    }
    send(&mut app, Control::TogglePause);
    let end = now(&mut app);
    let (n_end, kpis_end, charts_end, agents_end) = {
        let n = events(&mut app);
        let v = &app.world().resource::<View>().0;
        (n, v.kpis.clone(), v.charts.clone(), v.agents.clone())
    };
    assert_eq!(app.world().resource::<SimHandle>().inputs().len(), 2);
    // Back to between the inputs, then forward to the same instant.
    send(&mut app, Control::SeekTo(end - 600.0));
    assert!(now(&mut app) < end);
    assert_eq!(app.world().resource::<SimHandle>().inputs().len(), 2);
    send(&mut app, Control::SeekTo(end));
    app.update();
    assert_eq!(events(&mut app), n_end);
    let v = &app.world().resource::<View>().0;
    assert_eq!(v.kpis.answered, kpis_end.answered);
    assert_eq!(v.kpis.abandoned, kpis_end.abandoned);
    assert_eq!(v.kpis.wait_sum_s, kpis_end.wait_sum_s);
    assert!((v.kpis.busy_agent_s - kpis_end.busy_agent_s).abs() < 1e-6 * kpis_end.busy_agent_s);
    assert_eq!(v.charts.samples.len(), charts_end.samples.len());
    assert_eq!(
        v.charts
            .samples
            .iter()
            .map(|s| s.waiting)
            .collect::<Vec<_>>(),
        charts_end
            .samples
            .iter()
            .map(|s| s.waiting)
            .collect::<Vec<_>>()
    );
    let states =
        |a: &[crate::view::AgentView]| a.iter().map(|x| (x.state, x.call)).collect::<Vec<_>>();
    assert_eq!(states(&v.agents), states(&agents_end));
    // Back before the first input: both are forgotten.
    send(&mut app, Control::Restart);
    assert_eq!(now(&mut app), 0.0);
    assert!(app.world().resource::<SimHandle>().inputs().is_empty());
}

#[test]
fn a_bad_scenario_path_falls_back_to_the_bundled_one() {
    let args = crate::args::Args {
        scenario: Some(PathBuf::from("/no/such.ron")),
        ..Default::default()
    };
    let (loaded, err) = crate::app::initial_scenario(&args);
    assert!(err.is_some_and(|e| e.contains("cannot read")));
    assert!(loaded.origin.contains("bundled"));
    let mut app = app_with(loaded);
    crate::app::apply_startup(&mut app, &args, Some("cannot read /no/such.ron".into()));
    assert!(app.world().resource::<StatusLine>().error);
}

#[test]
fn the_benchmark_floor_fills_up() {
    let mut app = crate::bench::bench_app(crate::bench::overload_scenario());
    let v = &app.world().resource::<View>().0;
    assert_eq!(v.agents.len(), crate::bench::BENCH_AGENTS as usize);
    let waiting: usize = (0..v.queue_count()).map(|q| v.waiting(q)).sum();
    assert!((1500..=2600).contains(&waiting), "{waiting} waiting");
    let t = now(&mut app);
    app.update();
    assert!(now(&mut app) > t + 16.0);
    let _ = SimTime::ZERO;
}

#[test]
fn lanes_show_the_front_of_each_queue() {
    let mut app = app_with(crate::bench::overload_scenario());
    send(&mut app, Control::TogglePause);
    send(&mut app, Control::SeekTo(2.0 * 3600.0));
    app.update();
    let view = app.world().resource::<View>().0.clone();
    let path = app.world().resource::<crate::queues::PathEntities>();
    let geo = path.geometry.clone().expect("laid out");
    let (slots, marks) = (path.slots.clone(), path.marks.clone());
    for q in 0..view.queue_count() {
        let n = view.waiting(q);
        let cap = geo.lanes[q].capacity();
        assert!(n > cap, "queue {q}: {n} waiting");
        let shown = cap - 3;
        let visible = |e: &Entity| app.world().get::<Visibility>(*e) != Some(&Visibility::Hidden);
        assert_eq!(slots[q].iter().filter(|e| visible(e)).count(), shown);
        let prio = view.lane(q).take(shown).filter(|w| w.priority).count();
        assert_eq!(marks[q].iter().filter(|e| visible(e)).count(), prio);
    }
}

#[test]
fn the_charts_are_labelled_with_clock_times() {
    let mut app = app();
    let labels: Vec<(f32, String)> = app
        .world_mut()
        .query::<(&crate::hud::TimeLabel, &Text2d)>()
        .iter(app.world())
        .map(|(l, t)| (l.0, t.0.clone()))
        .collect();
    assert_eq!(labels.len(), 10);
    for (frac, text) in labels {
        let want = ["08:00", "10:30", "13:00", "15:30", "18:00"][(frac * 4.0) as usize];
        assert_eq!(text, want);
    }
}

#[test]
fn pressing_and_dragging_on_the_timeline_seeks() {
    use bevy::ui::RelativeCursorPosition;
    let mut app = app();
    send(&mut app, Control::TogglePause);
    let bar = app
        .world_mut()
        .query_filtered::<Entity, With<crate::playback::Timeline>>()
        .single(app.world())
        .expect("one timeline");
    let horizon = 10.0 * 3600.0;
    let press_at = |app: &mut App, x: f32| {
        app.world_mut().entity_mut(bar).insert((
            Interaction::Pressed,
            RelativeCursorPosition {
                cursor_over: true,
                normalized: Some(Vec2::new(x - 0.5, 0.0)),
            },
        ));
        app.update();
        app.update();
    };
    press_at(&mut app, 0.5);
    assert!(
        (now(&mut app) - 0.5 * horizon).abs() < 1.0,
        "{}",
        now(&mut app)
    );
    press_at(&mut app, 0.25);
    assert!((now(&mut app) - 0.25 * horizon).abs() < 1.0);
    app.world_mut().entity_mut(bar).insert(Interaction::None);
    app.update();
    assert!((now(&mut app) - 0.25 * horizon).abs() < 1.0);
}

#[test]
fn typing_a_path_opens_it_or_reports_why_not() {
    use bevy::input::ButtonState;
    use bevy::input::keyboard::{Key, KeyboardInput};
    let mut app = app();
    send(&mut app, Control::EditPath);
    let type_key = |app: &mut App, key: Key, text: Option<&str>| {
        app.world_mut().write_message(KeyboardInput {
            key_code: KeyCode::KeyX,
            logical_key: key,
            state: ButtonState::Pressed,
            text: text.map(Into::into),
            repeat: false,
            window: Entity::PLACEHOLDER,
        });
        app.update();
    };
    // The field starts with the current path; clear it and type another.
    let len = app.world().resource::<PathEntry>().text.len();
    for _ in 0..len {
        type_key(&mut app, Key::Backspace, None);
    }
    for c in "nope.ron".chars() {
        let s = c.to_string();
        type_key(&mut app, Key::Character(s.as_str().into()), Some(&s));
    }
    assert_eq!(app.world().resource::<PathEntry>().text, "nope.ron");
    type_key(&mut app, Key::Enter, None);
    app.update();
    assert!(!app.world().resource::<PathEntry>().editing);
    let status = app.world().resource::<StatusLine>().clone();
    assert!(
        status.error && status.text.contains("nope.ron"),
        "{status:?}"
    );
    assert_eq!(app.world().resource::<SimHandle>().epoch(), 0);
}

#[test]
fn an_outbound_day_shows_the_dialer_lines_and_the_nuisance_rate() {
    use crate::queues::{LineDot, PathLabel};
    let loaded = LoadedScenario::from_file(&scenario_path("outbound-sales.ron")).expect("loads");
    let campaigns = loaded.scenario.campaigns.len();
    let mut app = app_with(loaded);
    assert!(
        count::<LineDot>(&mut app) > 0,
        "a row of line dots per campaign"
    );
    send(&mut app, Control::SetSpeed(1000.0));
    let mut lines_seen = 0;
    for _ in 0..60 {
        app.update();
        let shown = app
            .world_mut()
            .query_filtered::<&Visibility, With<LineDot>>()
            .iter(app.world())
            .filter(|v| **v != Visibility::Hidden)
            .count();
        lines_seen = lines_seen.max(shown);
    }
    assert!(lines_seen > 0, "no dialer line was ever shown");
    let texts: Vec<(PathLabel, String)> = app
        .world_mut()
        .query::<(&PathLabel, &Text2d)>()
        .iter(app.world())
        .map(|(l, t)| (*l, t.0.clone()))
        .collect();
    let titles = texts
        .iter()
        .filter(|(l, t)| matches!(l, PathLabel::Campaign(_)) && t.contains("dials"))
        .count();
    let rates = texts
        .iter()
        .filter(|(l, t)| matches!(l, PathLabel::CampaignRate(_)) && t.contains("nuisance"))
        .count();
    assert_eq!((titles, rates), (campaigns, campaigns), "{texts:?}");
    let v = &app.world().resource::<View>().campaigns[0];
    assert!(v.dials > 0 && v.connects > 0, "{v:?}");
}

/// A recording of the bundled retail bank with one operator input at 10:00
/// (two more agents in group 0), made with sim-core's recorder as
/// `ccsim run --record` does; returns the file and the trace.
fn write_recording(dir: &std::path::Path) -> (PathBuf, sim_core::trace::record::Trace) {
    use sim_core::trace::record::{Recorder, TraceHeader, apply_recorded, write_trace};
    let loaded = LoadedScenario::bundled();
    let mut sim = sim_core::Simulation::with_observer(
        std::sync::Arc::clone(&loaded.model),
        77,
        3,
        Recorder::new(),
    );
    sim.run_until(SimTime::new(2.0 * 3600.0).expect("valid"));
    let on = sim.on_duty(0);
    apply_recorded(
        &mut sim,
        Input::SetOnDuty {
            group: 0,
            count: on + 2,
        },
    )
    .expect("group 0");
    while sim.step() {}
    let trace = sim
        .into_observer()
        .into_trace(TraceHeader::new(loaded.ron.clone(), 77, 3));
    std::fs::create_dir_all(dir).expect("dir");
    let path = dir.join("day.trace");
    let mut f = std::fs::File::create(&path).expect("file");
    write_trace(&mut f, &trace).expect("written");
    (path, trace)
}

fn run_state(app: &App) -> RunState {
    *app.world().resource::<State<RunState>>().get()
}

fn answered_in(trace: &sim_core::trace::record::Trace, until_s: f64) -> u64 {
    trace
        .events()
        .filter(|(t, e)| {
            t.seconds() < until_s && matches!(e, sim_core::SimEvent::CallAnswered { .. })
        })
        .count() as u64
}

#[test]
fn a_recording_plays_back_exactly_and_scrubs() {
    let dir = std::env::temp_dir().join(format!("sim-viz-rec-{}", std::process::id()));
    let (path, trace) = write_recording(&dir);
    let mut app = app();
    send(&mut app, Control::Open(path.clone()));
    app.update();
    assert_eq!(run_state(&app), RunState::Playback);
    let status = app.world().resource::<StatusLine>().clone();
    assert!(
        !status.error && status.text.contains("matches every recorded event"),
        "{status:?}"
    );
    {
        let h = app.world().resource::<SimHandle>();
        assert_eq!((h.loaded().seed, h.loaded().replication), (77, 3));
        assert_eq!(h.recorded_inputs().len(), 1);
    }
    // Play to 11:00 (3 h into the day): the recorded input was applied at 2 h.
    send(&mut app, Control::SeekTo(3.0 * 3600.0));
    app.update();
    let on0 = |app: &mut App| app.world_mut().resource_mut::<SimHandle>().sim().on_duty(0);
    let after_input = on0(&mut app);
    let t = now(&mut app);
    let view_answered = app.world().resource::<View>().kpis.answered;
    assert_eq!(
        view_answered,
        answered_in(&trace, t),
        "the view shows the recorded calls"
    );
    // Scrub back before the input and forward again: same run.
    send(&mut app, Control::SeekTo(1.0 * 3600.0));
    app.update();
    assert!(on0(&mut app) < after_input, "before the input");
    send(&mut app, Control::SeekTo(3.0 * 3600.0));
    app.update();
    assert_eq!(on0(&mut app), after_input);
    let t = now(&mut app);
    assert_eq!(
        app.world().resource::<View>().kpis.answered,
        answered_in(&trace, t)
    );
    assert_eq!(run_state(&app), RunState::Playback);

    // A what-if leaves the recording; going back before it returns to it.
    send(&mut app, Control::AddAgent(1));
    app.update();
    assert_eq!(run_state(&app), RunState::Live);
    // Record the what-if: the file replays with zero divergence in sim-core and
    // holds both inputs.
    let saved =
        crate::controls::save_recording(app.world().resource::<SimHandle>(), &dir).expect("saved");
    let bytes = std::fs::read(&saved).expect("read back");
    let t2 = sim_core::trace::record::read_trace(&bytes[..]).expect("a trace");
    assert_eq!(t2.inputs().count(), 2);
    assert!(sim_core::trace::record::replay(&t2).is_ok());
    send(&mut app, Control::SeekTo(1800.0));
    app.update();
    assert_eq!(run_state(&app), RunState::Playback);

    // A damaged file is reported; the run goes on.
    let bad = dir.join("bad.trace");
    std::fs::write(&bad, &bytes[..bytes.len() / 2]).expect("write");
    send(&mut app, Control::Open(bad));
    let status = app.world().resource::<StatusLine>().clone();
    assert!(status.error, "{status:?}");
    assert_eq!(run_state(&app), RunState::Playback);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Drive a training session to its end through the panel's messages: choose
/// option `pick` whenever the options show (or let the clock run out when
/// `pick` is `None`). Returns the app.
fn train(pick: Option<usize>, dir: &std::path::Path) -> App {
    use crate::training::{Training, TrainingControl, panel_content};
    let mut app = app();
    app.world_mut().resource_mut::<Training>().out_dir = Some(dir.to_path_buf());
    app.world_mut().resource_mut::<Training>().student = "Anna".into();
    send(
        &mut app,
        Control::Open(scenario_path("classroom-intro.ron")),
    );
    assert!(
        app.world().resource::<Training>().active(),
        "{:?}",
        app.world().resource::<StatusLine>()
    );
    // Bigger frames: the test need not wait for real seconds.
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs(2)));
    for _ in 0..20_000 {
        app.update();
        let now = app.world_mut().resource_mut::<SimHandle>().sim().now();
        let mut training = app.world_mut().resource_mut::<Training>();
        let Some(run) = training.run.as_mut() else {
            break;
        };
        if run.result.is_some() {
            break;
        }
        // The mirror never runs ahead of the session.
        if let Some(s) = run.session() {
            assert!(now.seconds() <= s.now_s() + 45.0 + 1e-9);
        }
        let content = panel_content(run, now);
        if let (Some(k), false) = (pick, content.options.is_empty()) {
            assert!(content.caller.starts_with("Caller:"), "{content:?}");
            app.world_mut().write_message(TrainingControl::Choose(k));
        }
    }
    app
}

#[test]
fn a_student_takes_the_calls_in_the_panel_on_a_running_floor() {
    use crate::training::Training;
    let dir = std::env::temp_dir().join(format!("sim-viz-train-{}", std::process::id()));
    let mut app = train(Some(0), &dir);
    let (score, saved, decisions) = {
        let t = app.world().resource::<Training>();
        let run = t.run.as_ref().expect("a run");
        let r = run.result.as_ref().expect("the session finished");
        assert_eq!(r.student, "Anna");
        assert!(r.overall.calls >= 1);
        (r.overall.score, run.saved.clone(), run.decisions)
    };
    assert!(decisions >= 5, "{decisions} decisions");
    // The result and the recording are on disk; the recording replays.
    assert_eq!(saved.len(), 2, "{saved:?}");
    let bytes = std::fs::read(&saved[1]).expect("recording");
    let trace = sim_core::trace::record::read_trace(&bytes[..]).expect("a trace");
    assert!(sim_core::trace::record::replay(&trace).is_ok());
    let json = std::fs::read_to_string(&saved[0]).expect("result");
    let back: sim_core::training::SessionResult = serde_json::from_str(&json).expect("JSON");
    assert_eq!(back.overall.score, score);
    // The floor on screen is the session's floor: same calls answered up to
    // the mirror's time.
    let t = now(&mut app);
    assert_eq!(
        app.world().resource::<View>().kpis.answered,
        answered_in(&trace, t)
    );
    // The panel is shown; a scenario closes the session and hides it.
    send(&mut app, Control::Open(scenario_path("single-queue.ron")));
    assert!(app.world().resource::<Training>().run.is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_silent_student_times_out_and_scores_worse() {
    let dir = std::env::temp_dir().join(format!("sim-viz-train-timeout-{}", std::process::id()));
    let app = train(None, &dir);
    let t = app.world().resource::<crate::training::Training>();
    let r = t
        .run
        .as_ref()
        .and_then(|r| r.result.as_ref())
        .expect("finished by timeouts");
    let timeouts: u32 = r.by_phase.values().map(|p| p.timeouts).sum();
    assert!(timeouts >= 5, "{timeouts}");
    assert!(r.overall.score < 50.0, "score {}", r.overall.score);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn exercise_files_are_told_from_scenarios() {
    use crate::training::is_exercise_file;
    assert!(is_exercise_file(&scenario_path("classroom-busy.ron")));
    assert!(!is_exercise_file(&scenario_path("retail-bank.ron")));
    let files = crate::controls::scenario_files(Some(&scenario_path("retail-bank.ron")));
    assert!(!files.is_empty() && files.iter().all(|f| !is_exercise_file(f)));
}

#[test]
fn the_students_desk_is_highlighted_and_shows_the_phase() {
    use crate::floor::SeatMarker;
    use crate::training::Training;
    let mut app = app();
    send(&mut app, Control::Open(scenario_path("classroom-busy.ron")));
    assert!(app.world().resource::<Training>().active());
    for _ in 0..5 {
        app.update();
    }
    let view = app.world().resource::<View>();
    let seat = view.seat.expect("the seat was found") as usize;
    assert_eq!(view.agents[seat].group, 0);
    // The engine has the agent leaving the floor (after the call in hand, on
    // a busy floor); the desk shows the student.
    let engine_state = view.agents[seat].state;
    assert!(
        engine_state == DeskState::Off || engine_state.is_busy(),
        "{engine_state:?}"
    );
    assert!(matches!(view.desk_state(seat), Some(DeskState::InPhase(_))));
    assert_eq!(count::<SeatMarker>(&mut app), 1);
    // Another scenario: no seat, no frame.
    send(&mut app, Control::Open(scenario_path("single-queue.ron")));
    app.update();
    assert_eq!(count::<SeatMarker>(&mut app), 0);
}
