//! # sim-viz — ccsim's real-time floor view
//!
//! A thin Bevy app over sim-core's public API: it runs one replication of a
//! scenario in real time (1× to 1000×) and shows the floor (a desk per agent,
//! coloured by state, with the caller's personality), the path of a call (IVR,
//! one lane per queue, callers abandoning), live KPIs and charts, and controls
//! (pause, single step, speed, agents on duty, open a scenario, seek).
//!
//! ## Structure
//!
//! One plugin per concern, all added by [`VizPlugin`]:
//!
//! * [`engine::EnginePlugin`] — the [`engine::SimHandle`] resource owns the
//!   simulation; [`engine::advance_sim`] is the only system that steps it;
//!   [`engine::drain_events`] moves the observed events into the
//!   [`view::ViewState`];
//! * [`controls::ControlsPlugin`] — keys and buttons to [`controls::Control`]
//!   messages, carried out through sim-core's API;
//! * [`playback::PlaybackPlugin`] — [`RunState`], the timeline, seeking;
//! * [`floor::FloorPlugin`], [`queues::QueuesPlugin`], [`hud::HudPlugin`] —
//!   project the view onto sprites and text;
//! * [`training::TrainingPlugin`] — a student takes an exercise's calls in a
//!   dialog panel while the floor (a mirror of the session's) keeps running.
//!
//! Each frame runs the sets of [`VizSet`] in order: input, controls, engine,
//! projection. Nothing but the engine plugin and the controls touch the engine,
//! and the projections read only the view (and the scenario's names).
//!
//! Everything here runs without a window or GPU: [`headless_app`] builds the app
//! on `MinimalPlugins` for tests and the frame-time benchmark ([`mod@bench`]); the
//! binary adds the window, the renderer and screenshots ([`app`]).

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

pub mod app;
pub mod args;
pub mod bench;
pub mod controls;
pub mod engine;
pub mod floor;
pub mod hud;
pub mod kpi;
pub mod playback;
pub mod queues;
pub mod style;
pub mod training;
pub mod view;

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;

pub use engine::LoadedScenario;
pub use playback::RunState;

/// The stages of a frame, run in this order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VizSet {
    /// Keys, buttons and clicks become [`controls::Control`] messages.
    Input,
    /// The controls are carried out (engine inputs, loading, seeking).
    Controls,
    /// The engine advances and its events reach the view.
    Engine,
    /// Sprites and text are brought in line with the view.
    Project,
}

/// Every sim-viz plugin, rendering or not.
#[derive(Debug)]
pub struct VizPlugin {
    /// The scenario to start with.
    pub loaded: LoadedScenario,
    /// Whether the renderer is there (adds what needs it: chart lines, icons).
    pub render: bool,
}

impl Plugin for VizPlugin {
    fn build(&self, app: &mut App) {
        if !app.is_plugin_added::<StatesPlugin>() {
            app.add_plugins(StatesPlugin);
        }
        app.configure_sets(
            Update,
            (
                VizSet::Input,
                VizSet::Controls,
                VizSet::Engine,
                VizSet::Project,
            )
                .chain(),
        )
        .add_plugins((
            engine::EnginePlugin {
                loaded: self.loaded.clone(),
            },
            playback::PlaybackPlugin,
            controls::ControlsPlugin,
            floor::FloorPlugin,
            queues::QueuesPlugin,
            hud::HudPlugin {
                draw_lines: self.render,
            },
            training::TrainingPlugin,
        ))
        .add_systems(Startup, style::make_icons);
    }
}

/// An app with no window and no renderer (`MinimalPlugins`, no run loop of its
/// own: call `app.update()`), running `loaded`.
pub fn headless_app(loaded: LoadedScenario) -> App {
    let mut app = App::new();
    app.add_plugins(MinimalPlugins).add_plugins(VizPlugin {
        loaded,
        render: false,
    });
    app
}

#[cfg(test)]
mod tests;
