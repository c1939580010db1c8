//! The playback plugin: the run's modes ([`RunState`]), the timeline at the
//! bottom, and seeking.
//!
//! Seeking re-simulates from the start to the chosen time
//! ([`SimHandle::rewind_to`]): a run is a pure function of the scenario, the seed
//! and the inputs with their times, so the result is exact. The view is rebuilt
//! from the events of the re-run. Forward seeks simply run ahead.
//!
//! A recording (a trace file) plays back the same way: its scenario, seed and
//! inputs are re-simulated, and the re-simulation was checked against every
//! recorded event when the file was opened
//! ([`LoadedScenario::from_trace_bytes`](crate::engine::LoadedScenario::from_trace_bytes)).
//! The mode is [`RunState::Playback`] while the run follows the recording; the
//! first change the user makes (an agent added, say) turns it into a live
//! what-if from that point ([`RunState::Live`]), and going back before that
//! point returns to the recording.

use bevy::prelude::*;
use bevy::ui::RelativeCursorPosition;
use sim_core::SimTime;

use crate::VizSet;
use crate::controls::Control;
use crate::engine::{SimHandle, StatusLine, View};
use crate::style;

/// The app's mode.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RunState {
    /// The engine runs the scenario, with the user's changes (inputs).
    #[default]
    Live,
    /// A recorded run plays back, exactly as it was recorded.
    Playback,
}

/// The timeline bar.
#[derive(Component, Debug)]
pub struct Timeline;

/// The part of the timeline already simulated.
#[derive(Component, Debug)]
pub struct TimelineFill;

/// A mark on the timeline where an input was applied (the user's, the
/// recording's, or a student's choice in a recorded training session).
#[derive(Component, Debug)]
pub struct InputMark;

/// Playback while the run follows a recording, live otherwise.
pub fn sync_run_state(
    handle: Res<SimHandle>,
    state: Res<State<RunState>>,
    mut next: ResMut<NextState<RunState>>,
) {
    let want = if handle.follows_recording() {
        RunState::Playback
    } else {
        RunState::Live
    };
    if *state.get() != want {
        next.set(want);
    }
}

/// The length of the timeline: the arrival horizon, or now if later.
pub fn timeline_span_s(handle: &mut SimHandle) -> f64 {
    let horizon = handle.loaded().scenario.horizon_h * 3600.0;
    horizon.max(handle.sim().now().seconds()).max(1.0)
}

/// Carry out seeks: rewind (re-simulate) or run ahead, then rebuild the view.
pub fn seek(
    mut controls: MessageReader<Control>,
    mut handle: ResMut<SimHandle>,
    mut view: ResMut<View>,
    mut status: ResMut<StatusLine>,
    training: Option<Res<crate::training::Training>>,
) {
    for c in controls.read() {
        if training.as_ref().is_some_and(|t| t.active())
            && matches!(
                c,
                Control::SeekTo(_) | Control::SeekBy(_) | Control::Restart
            )
        {
            status.error("the floor follows the training session: no seeking until it is done");
            continue;
        }
        let now = handle.sim().now().seconds();
        let target = match c {
            Control::SeekTo(t) => *t,
            Control::SeekBy(d) => now + d,
            Control::Restart => 0.0,
            _ => continue,
        };
        let span = timeline_span_s(&mut handle);
        let Some(t) = SimTime::new(target.clamp(0.0, span)) else {
            continue;
        };
        if t.seconds() < now {
            handle.rewind_to(t);
            view.0 = handle.new_view();
        } else {
            handle.run_to(t);
        }
        let day_start_h = handle.loaded().scenario.day_start_h;
        status.info(format!(
            "jumped to {}",
            style::clock(day_start_h, t.seconds())
        ));
    }
}

fn spawn_timeline(mut commands: Commands) {
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(0.0),
                right: Val::Px(0.0),
                bottom: Val::Px(0.0),
                height: Val::Px(style::TIMELINE_PX),
                padding: UiRect::axes(Val::Px(10.0), Val::Px(8.0)),
                ..default()
            },
            BackgroundColor(style::PANEL_BG),
        ))
        .with_children(|p| {
            p.spawn((
                Timeline,
                Button,
                RelativeCursorPosition::default(),
                Node {
                    flex_grow: 1.0,
                    height: Val::Percent(100.0),
                    ..default()
                },
                BackgroundColor(Color::srgb(0.2, 0.22, 0.26)),
            ))
            .with_children(|bar| {
                bar.spawn((
                    TimelineFill,
                    Node {
                        position_type: PositionType::Absolute,
                        left: Val::Px(0.0),
                        top: Val::Px(0.0),
                        height: Val::Percent(100.0),
                        width: Val::Percent(0.0),
                        ..default()
                    },
                    BackgroundColor(Color::srgb(0.3, 0.45, 0.65)),
                ));
            });
        });
}

/// Pressing the timeline seeks there; dragging along it scrubs (a seek whenever
/// the pointer has moved by a few pixels' worth).
pub fn timeline_clicks(
    bars: Query<(&Interaction, &RelativeCursorPosition), With<Timeline>>,
    mut handle: ResMut<SimHandle>,
    mut last: Local<Option<f32>>,
    mut out: MessageWriter<Control>,
) {
    for (interaction, pos) in &bars {
        let frac = pos.normalized.map(|n| (n.x + 0.5).clamp(0.0, 1.0));
        match (interaction, frac) {
            (Interaction::Pressed, Some(f)) => {
                if last.is_none_or(|l| (l - f).abs() > 0.003) {
                    *last = Some(f);
                    out.write(Control::SeekTo(f64::from(f) * timeline_span_s(&mut handle)));
                }
            }
            _ => *last = None,
        }
    }
}

/// Show progress and the inputs on the timeline.
pub fn update_timeline(
    mut commands: Commands,
    mut handle: ResMut<SimHandle>,
    mut fill: Query<&mut Node, With<TimelineFill>>,
    bars: Query<Entity, With<Timeline>>,
    marks: Query<Entity, With<InputMark>>,
) {
    let span = timeline_span_s(&mut handle);
    let now = handle.sim().now().seconds();
    for mut node in &mut fill {
        let w = Val::Percent((100.0 * now / span) as f32);
        if node.width != w {
            node.width = w;
        }
    }
    let mut wanted: Vec<(f64, Color)> = handle
        .inputs()
        .iter()
        .map(|i| (i.at.seconds(), style::TEXT_SELECTED))
        .collect();
    wanted.extend(
        handle
            .recorded_inputs()
            .iter()
            .map(|i| (i.at.seconds(), style::MARK_RECORDED)),
    );
    if let Some(rec) = &handle.loaded().recording {
        wanted.extend(
            rec.choices
                .iter()
                .map(|t| (t.seconds(), style::MARK_CHOICE)),
        );
    }
    if marks.iter().count() != wanted.len() {
        for m in &marks {
            commands.entity(m).despawn();
        }
        for bar in &bars {
            for &(at_s, color) in &wanted {
                commands.entity(bar).with_child((
                    InputMark,
                    Node {
                        position_type: PositionType::Absolute,
                        left: Val::Percent((100.0 * at_s / span) as f32),
                        top: Val::Px(0.0),
                        width: Val::Px(2.0),
                        height: Val::Percent(100.0),
                        ..default()
                    },
                    BackgroundColor(color),
                ));
            }
        }
    }
}

/// Modes, the timeline, seeking.
#[derive(Debug, Default)]
pub struct PlaybackPlugin;

impl Plugin for PlaybackPlugin {
    fn build(&self, app: &mut App) {
        app.init_state::<RunState>()
            .add_systems(Startup, spawn_timeline)
            .add_systems(Update, timeline_clicks.in_set(VizSet::Input))
            .add_systems(
                Update,
                seek.in_set(VizSet::Controls)
                    .after(crate::controls::apply_controls),
            )
            .add_systems(Update, update_timeline.in_set(VizSet::Project))
            .add_systems(Update, sync_run_state.in_set(VizSet::Project));
    }
}
