//! The playback plugin: the run's modes ([`RunState`]), the timeline at the
//! bottom, and seeking.
//!
//! Seeking in a live run re-simulates from the start to the chosen time
//! ([`SimHandle::rewind_to`]): a run is a pure function of the scenario, the seed
//! and the inputs with their times, so the result is exact. The view is rebuilt
//! from the events of the re-run. Forward seeks simply run ahead.
//!
//! [`RunState::Playback`] is where a recorded run will play: the engine plugin's
//! [`advance_sim`](crate::engine::advance_sim) only runs in [`RunState::Live`];
//! in playback a system of this plugin will feed the recording's events into the
//! same [`View`] (the floor, queues and HUD do not know the difference), and the
//! timeline will seek in the recording instead of re-simulating.

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
    /// The engine runs the scenario; the user may change it (inputs).
    #[default]
    Live,
    /// A recorded run plays back (the recording feature; not yet available).
    Playback,
}

/// The timeline bar.
#[derive(Component, Debug)]
pub struct Timeline;

/// The part of the timeline already simulated.
#[derive(Component, Debug)]
pub struct TimelineFill;

/// A mark on the timeline where an input was applied.
#[derive(Component, Debug)]
pub struct InputMark;

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
) {
    for c in controls.read() {
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
            handle.sim().run_until(t);
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
    let inputs = handle.inputs();
    if marks.iter().count() != inputs.len() {
        for m in &marks {
            commands.entity(m).despawn();
        }
        for bar in &bars {
            for i in inputs {
                commands.entity(bar).with_child((
                    InputMark,
                    Node {
                        position_type: PositionType::Absolute,
                        left: Val::Percent((100.0 * i.at.seconds() / span) as f32),
                        top: Val::Px(0.0),
                        width: Val::Px(2.0),
                        height: Val::Percent(100.0),
                        ..default()
                    },
                    BackgroundColor(style::TEXT_SELECTED),
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
            .add_systems(Update, update_timeline.in_set(VizSet::Project));
    }
}
