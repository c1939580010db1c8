//! The windowed app: Bevy's default plugins (with the features the workspace
//! enables: no audio, no gamepads, X11 only), the camera, the start-up options,
//! and the screenshot mode (`--screenshot PATH --after-frames N`).

use std::path::PathBuf;

use bevy::camera::ScalingMode;
use bevy::prelude::*;
use bevy::render::view::window::screenshot::{Screenshot, save_to_disk};
use bevy::window::WindowResolution;
use sim_core::SimTime;

use crate::VizPlugin;
use crate::args::Args;
use crate::engine::{LoadedScenario, SimHandle, StatusLine, Transport};
use crate::style;

/// The scenario named on the command line (or the generated benchmark floor with
/// `--overload`), or the bundled one; a file that cannot be opened falls back to
/// the bundled scenario with the error to show.
pub fn initial_scenario(args: &Args) -> (LoadedScenario, Option<String>) {
    if args.overload {
        return (crate::bench::overload_scenario(), None);
    }
    match &args.scenario {
        None => (LoadedScenario::bundled(), None),
        // An exercise starts once the app is built (see `apply_startup`).
        Some(p) if crate::training::is_exercise_file(p) => (LoadedScenario::bundled(), None),
        Some(p) => match LoadedScenario::from_file(p) {
            Ok(l) => (l, None),
            Err(e) => (LoadedScenario::bundled(), Some(e)),
        },
    }
}

/// Apply the start-up options to a built app: speed, pause, event cap, start time,
/// and an error to show.
pub fn apply_startup(app: &mut App, args: &Args, error: Option<String>) {
    let world = app.world_mut();
    {
        let mut t = world.resource_mut::<Transport>();
        if let Some(s) = args.speed {
            t.speed = s;
        }
        t.paused = args.paused;
        if let Some(n) = args.max_events_per_frame {
            t.max_events_per_frame = n;
        }
    }
    if let Some(h) = args.start_at_h
        && let Some(t) = SimTime::new(h * 3600.0)
    {
        world.resource_mut::<SimHandle>().run_to(t);
    }
    if let Some(name) = &args.student {
        world.resource_mut::<crate::training::Training>().student = name.clone();
    }
    if let Some(p) = &args.scenario
        && crate::training::is_exercise_file(p)
    {
        world.write_message(crate::controls::Control::Open(p.clone()));
    }
    let opened = world.resource::<SimHandle>().loaded().clone();
    if let (Some(path), Some(rec)) = (&opened.path, &opened.recording) {
        crate::controls::report_opened(
            path,
            &opened.scenario.name,
            Some(rec),
            &mut world.resource_mut::<StatusLine>(),
        );
    }
    if let Some(e) = error {
        let first = crate::controls::first_lines(&e, 3);
        world
            .resource_mut::<StatusLine>()
            .error(format!("{first} (showing the bundled scenario)"));
    }
}

fn spawn_camera(mut commands: Commands) {
    commands.spawn((
        Camera2d,
        Projection::Orthographic(OrthographicProjection {
            scaling_mode: ScalingMode::AutoMin {
                min_width: style::WINDOW.x,
                min_height: style::WINDOW.y,
            },
            ..OrthographicProjection::default_2d()
        }),
    ));
}

/// Where and when to take the screenshot.
#[derive(Resource, Debug, Clone)]
pub struct ScreenshotPlan {
    /// The PNG to write.
    pub path: PathBuf,
    /// Frames to render first.
    pub after_frames: u32,
    frames: u32,
    requested_at: Option<u32>,
}

fn take_screenshot(
    mut commands: Commands,
    mut plan: ResMut<ScreenshotPlan>,
    mut exit: MessageWriter<AppExit>,
) {
    plan.frames += 1;
    match plan.requested_at {
        None if plan.frames >= plan.after_frames => {
            if let Some(dir) = plan.path.parent()
                && !dir.as_os_str().is_empty()
                && let Err(e) = std::fs::create_dir_all(dir)
            {
                eprintln!("sim-viz: cannot create {}: {e}", dir.display());
                exit.write(AppExit::error());
                return;
            }
            let _ = std::fs::remove_file(&plan.path);
            commands
                .spawn(Screenshot::primary_window())
                .observe(save_to_disk(plan.path.clone()));
            plan.requested_at = Some(plan.frames);
        }
        Some(at) => {
            // The capture is read back a few frames later and written by a task.
            let waited = plan.frames - at;
            if (plan.path.exists() && waited > 10) || waited > 600 {
                if plan.path.exists() {
                    println!("sim-viz: saved {}", plan.path.display());
                    exit.write(AppExit::Success);
                } else {
                    eprintln!("sim-viz: the screenshot was not written");
                    exit.write(AppExit::error());
                }
            }
        }
        None => {}
    }
}

/// The windowed app for `args`.
pub fn windowed_app(args: &Args) -> App {
    let (loaded, error) = initial_scenario(args);
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: "ccsim — contact-center floor".into(),
            resolution: WindowResolution::new(style::WINDOW.x as u32, style::WINDOW.y as u32),
            ..default()
        }),
        ..default()
    }))
    .insert_resource(ClearColor(style::BACKGROUND))
    .add_plugins(VizPlugin {
        loaded,
        render: true,
    })
    .add_systems(Startup, spawn_camera);
    if let Some(path) = &args.screenshot {
        app.insert_resource(ScreenshotPlan {
            path: path.clone(),
            after_frames: args.after_frames.max(1),
            frames: 0,
            requested_at: None,
        })
        .add_systems(Last, take_screenshot);
    }
    apply_startup(&mut app, args, error);
    app
}
