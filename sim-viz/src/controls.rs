//! The controls plugin: keys and on-screen buttons become [`Control`] messages,
//! and [`apply_controls`] carries them out through sim-core's public API
//! (pause, single step, speed, agents on duty, opening scenarios). Seeking is the
//! playback plugin's.
//!
//! Keys: `Space` pause/resume · `N` or `.` one event · `+`/`-` faster/slower ·
//! `1`…`9` speed 1×…1000× · `↑`/`↓` select a team · `A`/`R` add/remove an agent
//! of the selected team · `O` next file in `scenarios/` · `P` type a scenario or
//! recording path (`Enter` opens, `Esc` cancels) · `W` write the run as a
//! recording · `←`/`→` back/forward 15 min · `Home` restart.

use std::path::{Path, PathBuf};

use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::prelude::*;
use sim_core::Input;

use crate::VizSet;
use crate::engine::{LoadedScenario, SPEEDS, SimHandle, StatusLine, Transport, View};
use crate::style;

/// Something the user asked for.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum Control {
    /// Pause or resume.
    TogglePause,
    /// Pause and process one event.
    Step,
    /// The next faster preset speed.
    Faster,
    /// The next slower preset speed.
    Slower,
    /// This speed, simulated seconds per real second (clamped to 1…1000).
    SetSpeed(f64),
    /// Select the next (`+1`) or previous (`-1`) team.
    SelectGroup(i32),
    /// Put one more agent of this group on duty.
    AddAgent(usize),
    /// Take one agent of this group off duty (after the call in hand).
    RemoveAgent(usize),
    /// Open the next scenario file of the scenario folder.
    NextScenario,
    /// Open this scenario file or recording (trace file).
    Open(PathBuf),
    /// Write the run so far (the whole day, with every input made) as a
    /// recording under `recordings/`.
    SaveRecording,
    /// Start typing a scenario path.
    EditPath,
    /// Re-simulate to this simulated time, seconds (playback plugin).
    SeekTo(f64),
    /// Jump by this many simulated seconds (playback plugin).
    SeekBy(f64),
    /// Back to the start of the day (playback plugin).
    Restart,
}

/// The team that `A`/`R` act on.
#[derive(Resource, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Selection {
    /// The group index.
    pub group: usize,
}

/// The scenario-path text field.
#[derive(Resource, Debug, Clone, Default, PartialEq, Eq)]
pub struct PathEntry {
    /// Whether keys go to the field.
    pub editing: bool,
    /// The text typed.
    pub text: String,
}

/// An on-screen button and what it asks for.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct ControlButton(pub Control);

/// Marks the controls panel's per-team part (rebuilt when a scenario loads).
#[derive(Component, Debug)]
pub struct TeamRows {
    epoch: u64,
}

/// A text of the panel that changes.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelText {
    /// The speed, between `-` and `+`.
    Speed,
    /// A team's name and agents on duty.
    Team(usize),
    /// The scenario-path field.
    Path,
}

/// The scenario files next to `current` (or in `scenarios/`), sorted
/// (exercises left out: they open a training session).
pub fn scenario_files(current: Option<&Path>) -> Vec<PathBuf> {
    let dir = current
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("scenarios"), Path::to_path_buf);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().is_some_and(|x| x == "ron")
                        && !crate::training::is_exercise_file(p)
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// The file after `current` in `files` (wrapping), or the first.
pub fn next_file(files: &[PathBuf], current: Option<&Path>) -> Option<PathBuf> {
    let i = current
        .and_then(|c| files.iter().position(|f| f == c))
        .map_or(0, |i| (i + 1) % files.len().max(1));
    files.get(i).cloned()
}

/// The keys `1` to `9`: speeds, or a training session's options.
pub const DIGIT_KEYS: [KeyCode; 9] = [
    KeyCode::Digit1,
    KeyCode::Digit2,
    KeyCode::Digit3,
    KeyCode::Digit4,
    KeyCode::Digit5,
    KeyCode::Digit6,
    KeyCode::Digit7,
    KeyCode::Digit8,
    KeyCode::Digit9,
];

/// Keys to [`Control`]s (ignored while the path field has the keyboard).
pub fn keyboard_controls(
    keys: Option<Res<ButtonInput<KeyCode>>>,
    entry: Res<PathEntry>,
    mut out: MessageWriter<Control>,
) {
    let Some(keys) = keys else { return };
    if entry.editing {
        return;
    }
    let map: &[(&[KeyCode], Control)] = &[
        (&[KeyCode::Space], Control::TogglePause),
        (&[KeyCode::KeyN, KeyCode::Period], Control::Step),
        (
            &[KeyCode::Equal, KeyCode::NumpadAdd, KeyCode::BracketRight],
            Control::Faster,
        ),
        (
            &[
                KeyCode::Minus,
                KeyCode::NumpadSubtract,
                KeyCode::BracketLeft,
            ],
            Control::Slower,
        ),
        (&[KeyCode::ArrowUp], Control::SelectGroup(-1)),
        (&[KeyCode::ArrowDown, KeyCode::Tab], Control::SelectGroup(1)),
        (&[KeyCode::KeyO], Control::NextScenario),
        (&[KeyCode::KeyP], Control::EditPath),
        (&[KeyCode::KeyW], Control::SaveRecording),
        (&[KeyCode::ArrowLeft], Control::SeekBy(-900.0)),
        (&[KeyCode::ArrowRight], Control::SeekBy(900.0)),
        (&[KeyCode::Home], Control::Restart),
    ];
    for (codes, control) in map {
        if keys.any_just_pressed(codes.iter().copied()) {
            out.write(control.clone());
        }
    }
    for (key, speed) in DIGIT_KEYS.iter().zip(SPEEDS) {
        if keys.just_pressed(*key) {
            out.write(Control::SetSpeed(speed));
        }
    }
    // `A`/`R` act on the selected team; the selection is resolved in
    // `apply_controls` (usize::MAX stands for "the selected one").
    if keys.just_pressed(KeyCode::KeyA) {
        out.write(Control::AddAgent(usize::MAX));
    }
    if keys.just_pressed(KeyCode::KeyR) {
        out.write(Control::RemoveAgent(usize::MAX));
    }
}

/// Typing into the path field: characters, `Backspace`, `Enter` (open), `Esc`.
pub fn path_entry(
    mut keys: MessageReader<KeyboardInput>,
    mut entry: ResMut<PathEntry>,
    mut out: MessageWriter<Control>,
) {
    if !entry.editing {
        keys.clear();
        return;
    }
    for k in keys.read() {
        if k.state != ButtonState::Pressed {
            continue;
        }
        match &k.logical_key {
            Key::Enter => {
                entry.editing = false;
                let path = entry.text.trim().to_string();
                if !path.is_empty() {
                    out.write(Control::Open(PathBuf::from(path)));
                }
            }
            Key::Escape => entry.editing = false,
            Key::Backspace => {
                entry.text.pop();
            }
            _ => {
                if let Some(t) = &k.text {
                    entry.text.extend(t.chars().filter(|c| !c.is_control()));
                }
            }
        }
    }
}

/// Pressed buttons to [`Control`]s, and their hover colours.
pub fn button_controls(
    mut buttons: Query<(&Interaction, &ControlButton, &mut BackgroundColor), Changed<Interaction>>,
    mut out: MessageWriter<Control>,
) {
    for (interaction, button, mut bg) in &mut buttons {
        *bg = match interaction {
            Interaction::Pressed => {
                out.write(button.0.clone());
                style::BUTTON_PRESSED
            }
            Interaction::Hovered => style::BUTTON_HOVER,
            Interaction::None => style::BUTTON,
        }
        .into();
    }
}

/// Carry out the controls, in order, through sim-core's public API. Seeking is
/// left to the playback plugin.
#[allow(clippy::too_many_arguments)]
pub fn apply_controls(
    mut controls: MessageReader<Control>,
    mut transport: ResMut<Transport>,
    mut handle: ResMut<SimHandle>,
    mut view: ResMut<View>,
    mut selection: ResMut<Selection>,
    mut entry: ResMut<PathEntry>,
    mut status: ResMut<StatusLine>,
    training: Res<crate::training::Training>,
) {
    for c in controls.read() {
        let groups = handle.loaded().scenario.agent_groups.len();
        match c {
            Control::TogglePause => {
                transport.paused = !transport.paused;
                transport.pending_steps = 0;
            }
            Control::Step => {
                transport.paused = true;
                transport.pending_steps += 1;
            }
            Control::Faster => transport.step_speed(true),
            Control::Slower => transport.step_speed(false),
            Control::SetSpeed(s) => {
                transport.speed = if s.is_finite() {
                    s.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1])
                } else {
                    SPEEDS[0]
                }
            }
            Control::SelectGroup(d) => {
                if groups > 0 {
                    let g = selection.group as i64 + i64::from(*d);
                    selection.group = g.rem_euclid(groups as i64) as usize;
                }
            }
            Control::AddAgent(_) | Control::RemoveAgent(_) if training.active() => {
                status.error("the staffing is the exercise's while a training session runs");
            }
            Control::AddAgent(g) | Control::RemoveAgent(g) => {
                let group = if *g == usize::MAX {
                    selection.group
                } else {
                    *g
                };
                let add = matches!(c, Control::AddAgent(_));
                change_on_duty(&mut handle, group, add, &mut status);
            }
            Control::NextScenario => {
                let current = handle.loaded().path.clone();
                let files = scenario_files(current.as_deref());
                match next_file(&files, current.as_deref()) {
                    Some(p) => {
                        if open(&p, &mut handle, &mut view, &mut transport, &mut status) {
                            selection.group = 0;
                        }
                    }
                    None => status.error("no .ron files found in the scenario folder"),
                }
            }
            // Exercises are the training plugin's.
            Control::Open(p) if crate::training::is_exercise_file(p) => {}
            Control::Open(p) => {
                if open(p, &mut handle, &mut view, &mut transport, &mut status) {
                    selection.group = 0;
                }
            }
            Control::SaveRecording => match save_recording(&handle, Path::new(RECORDINGS_DIR)) {
                Ok(path) => status.info(format!(
                    "recorded the day to {} (play it back: sim-viz {0}; check it: ccsim replay {0})",
                    path.display()
                )),
                Err(e) => status.error(format!("cannot write the recording: {e}")),
            },
            Control::EditPath => {
                entry.editing = true;
                entry.text = handle
                    .loaded()
                    .path
                    .as_ref()
                    .map_or_else(|| "scenarios/".to_string(), |p| p.display().to_string());
            }
            Control::SeekTo(_) | Control::SeekBy(_) | Control::Restart => {}
        }
    }
}

fn change_on_duty(handle: &mut SimHandle, group: usize, add: bool, status: &mut StatusLine) {
    let Some(name) = handle
        .loaded()
        .scenario
        .agent_groups
        .get(group)
        .map(|g| g.name.clone())
    else {
        status.error(format!("no team {group}"));
        return;
    };
    let now = handle.sim().on_duty(group);
    let count = if add {
        now.saturating_add(1)
    } else if now == 0 {
        status.info(format!("{name}: nobody on duty to remove"));
        return;
    } else {
        now - 1
    };
    let departs = handle.follows_recording();
    match handle.apply(Input::SetOnDuty { group, count }) {
        Ok(()) => status.info(format!(
            "{name}: {count} on duty (set at {}){}",
            style::clock(
                handle.loaded().scenario.day_start_h,
                handle.sim().now().seconds()
            ),
            if departs {
                "; a what-if: the run leaves the recording here"
            } else {
                ""
            }
        )),
        Err(e) => status.error(format!("{name}: {e}")),
    }
}

/// Load `path` and start it; on failure keep the current run and report.
fn open(
    path: &Path,
    handle: &mut SimHandle,
    view: &mut View,
    transport: &mut Transport,
    status: &mut StatusLine,
) -> bool {
    match LoadedScenario::from_file(path) {
        Ok(loaded) => {
            let name = loaded.scenario.name.clone();
            let recording = loaded.recording.clone();
            handle.replace(loaded);
            view.0 = handle.new_view();
            transport.pending_steps = 0;
            report_opened(path, &name, recording.as_deref(), status);
            true
        }
        Err(e) => {
            status.error(first_lines(&e, 3));
            false
        }
    }
}

/// Say what was opened: a scenario, or a recording and whether this engine
/// reproduces it.
pub fn report_opened(
    path: &Path,
    name: &str,
    recording: Option<&crate::engine::Recording>,
    status: &mut StatusLine,
) {
    match recording {
        None => status.info(format!("opened {} ({name})", path.display())),
        Some(r) => match &r.verified {
            Ok(()) => status.info(format!(
                "playing back {} ({name}): {} events, {} inputs; the re-simulation matches every recorded event",
                path.display(),
                r.events,
                r.inputs.len() + r.choices.len()
            )),
            Err(d) => status.error(format!(
                "{}: recorded by ccsim {}, and this engine does not reproduce it: {}",
                path.display(),
                r.recorded_version,
                first_lines(d, 3)
            )),
        },
    }
}

/// Where [`Control::SaveRecording`] writes, relative to the working directory.
pub const RECORDINGS_DIR: &str = "recordings";

/// Write the run as a recording in `dir` (created if needed), named after the
/// scenario file and seed, numbered so nothing is overwritten. Returns the path.
pub fn save_recording(handle: &SimHandle, dir: &Path) -> std::io::Result<PathBuf> {
    let loaded = handle.loaded();
    let stem = loaded
        .path
        .as_deref()
        .and_then(Path::file_stem)
        .map_or_else(|| "run".to_string(), |s| s.to_string_lossy().into_owned());
    std::fs::create_dir_all(dir)?;
    let mut n = 1;
    let path = loop {
        let p = dir.join(format!("{stem}-seed{}-{n}.trace", loaded.seed));
        if !p.exists() {
            break p;
        }
        n += 1;
    };
    let trace = handle.to_trace();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
    sim_core::trace::record::write_trace(&mut out, &trace).map_err(std::io::Error::other)?;
    std::io::Write::flush(&mut out)?;
    Ok(path)
}

/// The first `n` lines of `text`, joined (for the one-line status).
pub fn first_lines(text: &str, n: usize) -> String {
    text.lines().take(n).collect::<Vec<_>>().join(" | ")
}

/// A panel button labelled `label` that asks for `control`, with `pad_y`
/// pixels of vertical padding and `gap` pixels to its right.
fn control_button(label: &'static str, control: Control, pad_y: f32, gap: f32) -> impl Bundle {
    (
        Button,
        ControlButton(control),
        Node {
            padding: UiRect::axes(Val::Px(6.0), Val::Px(pad_y)),
            margin: UiRect::right(Val::Px(gap)),
            ..default()
        },
        BackgroundColor(style::BUTTON),
        children![(
            Text::new(label),
            TextFont::from_font_size(13.0),
            TextColor(style::TEXT),
        )],
    )
}

/// The right-hand panel: run buttons, a row per team, scenario buttons, legend.
fn spawn_panel(mut commands: Commands) {
    let button = |label: &'static str, control: Control| control_button(label, control, 2.0, 4.0);
    let row = || Node {
        flex_direction: FlexDirection::Row,
        align_items: AlignItems::Center,
        margin: UiRect::bottom(Val::Px(4.0)),
        ..default()
    };
    let heading = |t: &str| {
        (
            Text::new(t),
            TextFont::from_font_size(12.0),
            TextColor(style::TEXT_DIM),
        )
    };
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                right: Val::Px(0.0),
                top: Val::Px(style::TOP_BAR_PX),
                width: Val::Px(style::PANEL_PX),
                bottom: Val::Px(style::TIMELINE_PX),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(Val::Px(6.0)),
                ..default()
            },
            BackgroundColor(style::PANEL_BG),
        ))
        .with_children(|p| {
            p.spawn(heading("RUN"));
            p.spawn(row()).with_children(|r| {
                r.spawn(button("Pause", Control::TogglePause));
                r.spawn(button("Step", Control::Step));
                r.spawn(button("Restart", Control::Restart));
            });
            p.spawn(row()).with_children(|r| {
                r.spawn(button("-", Control::Slower));
                r.spawn((
                    Text::new("60x"),
                    TextFont::from_font_size(13.0),
                    TextColor(style::TEXT),
                    PanelText::Speed,
                    Node {
                        width: Val::Px(52.0),
                        ..default()
                    },
                ));
                r.spawn(button("+", Control::Faster));
                r.spawn(button("<<15m", Control::SeekBy(-900.0)));
                r.spawn(button(">>", Control::SeekBy(900.0)));
            });
            p.spawn(heading("TEAMS (on duty)"));
            p.spawn((
                Node {
                    flex_direction: FlexDirection::Column,
                    ..default()
                },
                TeamRows { epoch: u64::MAX },
            ));
            p.spawn(heading("SCENARIO / RECORDING"));
            p.spawn(row()).with_children(|r| {
                r.spawn(button("Next file", Control::NextScenario));
                r.spawn(button("Open path", Control::EditPath));
                r.spawn(button("Record", Control::SaveRecording));
            });
            p.spawn((
                Text::new(""),
                TextFont::from_font_size(12.0),
                TextColor(style::TEXT),
                PanelText::Path,
            ));
            p.spawn(heading("DESKS"));
            for (label, color) in style::legend() {
                p.spawn(row()).with_children(|r| {
                    r.spawn((
                        Node {
                            width: Val::Px(12.0),
                            height: Val::Px(12.0),
                            margin: UiRect::right(Val::Px(6.0)),
                            ..default()
                        },
                        BackgroundColor(color),
                    ));
                    r.spawn((
                        Text::new(label),
                        TextFont::from_font_size(11.0),
                        TextColor(style::TEXT),
                    ));
                });
            }
            p.spawn(heading("CALLERS"));
            p.spawn((
                Text::new(style::persona_legend()),
                TextFont::from_font_size(11.0),
                TextColor(style::TEXT),
            ));
        });
}

/// Rebuild the team rows when a scenario loads.
fn rebuild_team_rows(
    mut commands: Commands,
    mut rows: Query<(Entity, &mut TeamRows)>,
    handle: Res<SimHandle>,
) {
    for (entity, mut r) in &mut rows {
        if r.epoch == handle.epoch() {
            continue;
        }
        r.epoch = handle.epoch();
        commands.entity(entity).despawn_related::<Children>();
        let groups: Vec<String> = handle
            .loaded()
            .scenario
            .agent_groups
            .iter()
            .map(|g| g.name.clone())
            .collect();
        commands.entity(entity).with_children(|p| {
            for (g, name) in groups.iter().enumerate() {
                p.spawn(Node {
                    flex_direction: FlexDirection::Row,
                    align_items: AlignItems::Center,
                    margin: UiRect::bottom(Val::Px(3.0)),
                    ..default()
                })
                .with_children(|r| {
                    for (label, control) in
                        [("-", Control::RemoveAgent(g)), ("+", Control::AddAgent(g))]
                    {
                        r.spawn(control_button(label, control, 0.0, 3.0));
                    }
                    r.spawn((
                        Text::new(name.clone()),
                        TextFont::from_font_size(12.0),
                        TextColor(style::TEXT),
                        PanelText::Team(g),
                    ));
                });
            }
        });
    }
}

/// Keep the panel's texts current: speed, on-duty counts, the path field.
fn update_panel(
    transport: Res<Transport>,
    mut handle: ResMut<SimHandle>,
    selection: Res<Selection>,
    entry: Res<PathEntry>,
    mut texts: Query<(&mut Text, &mut TextColor, &PanelText)>,
) {
    for (mut t, mut color, which) in &mut texts {
        match *which {
            PanelText::Speed => set_text(&mut t, format!("{}x", transport.speed)),
            PanelText::Team(g) => {
                let on = handle.sim().on_duty(g);
                let groups = &handle.loaded().scenario.agent_groups;
                let name = groups.get(g).map_or("?", |x| x.name.as_str());
                let selected = selection.group == g;
                let mark = if selected { ">" } else { " " };
                set_text(&mut t, format!("{mark}{name}: {on}"));
                color.0 = if selected {
                    style::TEXT_SELECTED
                } else {
                    style::TEXT
                };
            }
            PanelText::Path => {
                let s = if entry.editing {
                    format!("path: {}_", entry.text)
                } else {
                    String::new()
                };
                set_text(&mut t, s);
            }
        }
    }
}

/// Replace a UI text only when it changed (a change re-lays out the text).
pub fn set_text(text: &mut Text, s: String) {
    if text.0 != s {
        text.0 = s;
    }
}

/// Keys and buttons, [`Control`], [`apply_controls`], the controls panel.
#[derive(Debug, Default)]
pub struct ControlsPlugin;

impl Plugin for ControlsPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<Control>()
            .add_message::<KeyboardInput>()
            .init_resource::<Selection>()
            .init_resource::<PathEntry>()
            .add_systems(Startup, spawn_panel)
            .add_systems(
                Update,
                (path_entry, keyboard_controls, button_controls)
                    .chain()
                    .in_set(VizSet::Input),
            )
            .add_systems(Update, apply_controls.in_set(VizSet::Controls))
            .add_systems(
                Update,
                (rebuild_team_rows, update_panel)
                    .chain()
                    .in_set(VizSet::Project),
            );
    }
}
