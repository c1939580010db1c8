//! The training plugin: a student takes an exercise's calls in a seat on the
//! floor, in a dialog panel, while the floor keeps running around the seat.
//!
//! * The session is sim-core's [`TrainingSession`]: it owns the exercise's
//!   floor, the caller in the seat, the scoring and the recording. This
//!   plugin only shows it and passes the student's choices on.
//! * The floor on screen is a *mirror*: the [`SimHandle`] runs the same floor
//!   scenario with the same seed, and the inputs the session makes (the seat
//!   leaving the floor and coming back) are scheduled on it at the same times,
//!   so it is the session's floor event for event (tested). The mirror never
//!   runs ahead of the session: while the student thinks, it follows the
//!   decision time in real time ([`Transport::hold_at`]); after a choice it
//!   catches up, at the chosen speed, with the time the phase took — a slow
//!   student visibly lets the queue grow.
//! * Seeking and changing the staffing are off while a session runs (they
//!   would take the mirror away from the session).
//! * When the last call is done the scoreboard shows, and the result (JSON, as
//!   `ccsim train --out` writes it) and the recording (a trace, for
//!   `ccsim replay` and this app's playback) are written under `recordings/`.
//!
//! Keys: `1`…`9` choose an option (instead of setting the speed).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bevy::platform::cell::SyncCell;
use bevy::prelude::*;
use sim_core::SimTime;
use sim_core::trace::record::{Entry, Input as TraceInput, write_trace};
use sim_core::training::{
    Choice, Feedback, Language, SessionConfig, SessionResult, TrainingKit, TrainingSession,
    floor_source, validate_exercise,
};

use crate::VizSet;
use crate::controls::{Control, RECORDINGS_DIR, first_lines, set_text};
use crate::engine::{LoadedScenario, SimHandle, StatusLine, Transport, View};
use crate::style;
use crate::view::DeskState;

/// Whether `src` is an exercise file (its first item is `Exercise(`), not a
/// scenario.
pub fn is_exercise(src: &str) -> bool {
    src.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"))
        .is_some_and(|l| l.starts_with("Exercise"))
}

/// Whether the file at `path` is an exercise (see [`is_exercise`]).
pub fn is_exercise_file(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "ron")
        && std::fs::read_to_string(path).is_ok_and(|s| is_exercise(&s))
}

/// A session in progress (or just finished) and what the panel shows.
pub struct TrainingRun {
    session: Option<SyncCell<TrainingSession>>,
    kit: Arc<TrainingKit>,
    language: Language,
    /// The exercise file.
    pub path: PathBuf,
    /// The student's name.
    pub student: String,
    /// Real seconds the student has been thinking about the current decision
    /// (not counting pauses; starts when the mirror has caught up).
    pub thinking_s: f64,
    /// Decisions made so far.
    pub decisions: u32,
    inputs_seen: usize,
    /// What the caller said in reaction to the last choice.
    pub reaction: Option<String>,
    /// The feedback on the last finished call.
    pub feedback: Option<String>,
    /// The session's result, once every call is done.
    pub result: Option<SessionResult>,
    /// Where the result and the recording were written.
    pub saved: Vec<PathBuf>,
}

impl std::fmt::Debug for TrainingRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainingRun")
            .field("path", &self.path)
            .field("student", &self.student)
            .field("decisions", &self.decisions)
            .field("finished", &self.result.is_some())
            .finish_non_exhaustive()
    }
}

impl TrainingRun {
    /// The session, while calls remain.
    pub fn session(&mut self) -> Option<&mut TrainingSession> {
        self.session.as_mut().map(SyncCell::get)
    }

    /// The floor time the session stands at (the mirror may be behind).
    fn session_now(&mut self) -> Option<SimTime> {
        self.session().and_then(|s| SimTime::new(s.now_s()))
    }
}

/// The training session, when one runs.
#[derive(Resource, Debug, Default)]
pub struct Training {
    /// The run, if any.
    pub run: Option<TrainingRun>,
    /// The student's name for the next session.
    pub student: String,
    /// Where results and recordings go (default [`RECORDINGS_DIR`]).
    pub out_dir: Option<PathBuf>,
}

impl Training {
    /// Whether a session runs (calls remain).
    pub fn active(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.result.is_none())
    }
}

/// The student's input.
#[derive(Message, Debug, Clone, Copy, PartialEq)]
pub enum TrainingControl {
    /// Choose option `k` (0-based) of the current decision.
    Choose(usize),
}

/// Load the exercise at `path` and its floor, start the session, and put its
/// floor on the mirror. The error says what is wrong (file:line:col for the
/// exercise).
pub fn start(path: &Path, student: &str, handle: &mut SimHandle) -> Result<TrainingRun, String> {
    let kit = TrainingKit::builtin().map_err(|e| e.render())?;
    let src = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let origin = path.display().to_string();
    let exercise = validate_exercise(&src, &kit).map_err(|e| e.render(&origin, &src))?;
    let floor_src = floor_source(path, &exercise)?;
    let floor = exercise
        .floor_scenario(&floor_src)
        .map_err(|e| e.render(&exercise.floor.scenario, &floor_src))?;
    let mut loaded = LoadedScenario::from_scenario(
        &format!("{} (training: {})", exercise.floor.scenario, exercise.name),
        floor,
    )?;
    loaded.seed = exercise.seed;
    loaded.replication = 0;
    loaded.path = Some(path.to_path_buf());
    let language = exercise.language;
    let kit = Arc::new(kit);
    let session = TrainingSession::new(
        Arc::clone(&kit),
        exercise,
        &floor_src,
        SessionConfig::new(student),
    )
    .map_err(|e| format!("{origin}: {e}"))?;
    handle.replace(loaded);
    let mut run = TrainingRun {
        session: Some(SyncCell::new(session)),
        kit,
        language,
        path: path.to_path_buf(),
        student: student.to_string(),
        thinking_s: 0.0,
        decisions: 0,
        inputs_seen: 0,
        reaction: None,
        feedback: None,
        result: None,
        saved: Vec::new(),
    };
    schedule_session_inputs(&mut run, handle);
    // The floor's warm-up passed before the student sat down.
    if let Some(t) = run.session_now() {
        handle.run_to(t);
    }
    Ok(run)
}

/// Put the session's new engine inputs on the mirror, at their times.
fn schedule_session_inputs(run: &mut TrainingRun, handle: &mut SimHandle) {
    let Some(session) = run.session() else { return };
    let entries = session.floor().observer().entries();
    let new: Vec<(SimTime, sim_core::Input)> = entries
        .iter()
        .filter_map(|(t, e)| match e {
            Entry::Input(TraceInput::Engine(i)) => Some((*t, *i)),
            _ => None,
        })
        .collect();
    for &(t, i) in &new[run.inputs_seen.min(new.len())..] {
        handle.schedule(t, i);
    }

    run.inputs_seen = new.len();
}

/// Start a session when an exercise file is opened; end it when anything else
/// is.
#[allow(clippy::too_many_arguments)]
pub fn open_exercises(
    mut controls: MessageReader<Control>,
    mut training: ResMut<Training>,
    mut handle: ResMut<SimHandle>,
    mut view: ResMut<View>,
    mut transport: ResMut<Transport>,
    mut status: ResMut<StatusLine>,
) {
    for c in controls.read() {
        let Control::Open(path) = c else {
            if matches!(c, Control::NextScenario) {
                training.run = None;
            }
            continue;
        };
        if !is_exercise_file(path) {
            training.run = None;
            continue;
        }
        let student = if training.student.is_empty() {
            "student".to_string()
        } else {
            training.student.clone()
        };
        match start(path, &student, &mut handle) {
            Ok(run) => {
                view.0 = handle.new_view();
                // The agent the session took off the floor is the student's desk.
                view.seat = handle.taken_off().first().copied();
                transport.paused = false;
                transport.pending_steps = 0;
                transport.speed = transport.speed.max(30.0);
                status.info(format!(
                    "training: {}: take the calls in the panel (keys 1-9 choose)",
                    path.display()
                ));
                training.run = Some(run);
            }
            Err(e) => status.error(first_lines(&e, 3)),
        }
    }
}

/// Keys `1`…`9` choose an option while a decision is open (and stop being
/// speed keys for that frame).
pub fn training_keys(
    training: Res<Training>,
    keys: Option<ResMut<ButtonInput<KeyCode>>>,
    mut out: MessageWriter<TrainingControl>,
) {
    let Some(mut keys) = keys else { return };
    if !training.active() {
        return;
    }
    for (k, key) in crate::controls::DIGIT_KEYS.iter().enumerate() {
        if keys.clear_just_pressed(*key) {
            out.write(TrainingControl::Choose(k));
        }
    }
}

/// Count the student's thinking time, take the choices (or the timeout), and
/// keep the mirror at the session's time.
#[allow(clippy::too_many_arguments)]
pub fn drive_session(
    time: Res<Time<Real>>,
    mut choices: MessageReader<TrainingControl>,
    mut training: ResMut<Training>,
    mut handle: ResMut<SimHandle>,
    mut transport: ResMut<Transport>,
    mut status: ResMut<StatusLine>,
    mut view: ResMut<View>,
) {
    let out_dir = training.out_dir.clone();
    let Some(run) = training.run.as_mut() else {
        choices.clear();
        transport.hold_at = None;
        view.set_seat_state(None);
        return;
    };
    let mirror_now = handle.sim().now();
    let Some(session_now) = run.session_now() else {
        choices.clear();
        transport.hold_at = None;
        view.set_seat_state(None);
        return;
    };
    let caught_up = mirror_now >= session_now;
    let limit = run.session().map_or(0.0, |s| s.exercise().time_limit_s);
    if caught_up && !transport.paused {
        run.thinking_s += time.delta_secs_f64();
    }
    let mut pick: Option<Choice> = None;
    for c in choices.read() {
        let TrainingControl::Choose(k) = *c;
        if !caught_up || pick.is_some() {
            continue;
        }
        let options = run
            .session()
            .and_then(|s| s.call())
            .map(|c| c.options().to_vec())
            .unwrap_or_default();
        match options.get(k) {
            Some(t) => pick = Some(Choice::Technique(*t)),
            None => status.error(format!("there is no option {}", k + 1)),
        }
    }
    if pick.is_none() && caught_up && run.thinking_s >= limit {
        pick = Some(Choice::Timeout);
    }
    if let Some(choice) = pick {
        let decided = run.thinking_s.min(limit);
        let done_before = run.session().map_or(0, |s| s.results().len());
        let turn = run.session().map(|s| s.choose(choice, decided));
        match turn {
            Some(Ok(turn)) => {
                run.decisions += 1;
                run.thinking_s = 0.0;
                run.reaction = Some(turn.reaction.clone());
                let (kit, language) = (Arc::clone(&run.kit), run.language);
                let finished_call = run
                    .session()
                    .and_then(|s| s.results().get(done_before).cloned());
                if let Some(result) = finished_call {
                    run.feedback = Feedback::new(&kit, &result, language)
                        .map(|f| f.render())
                        .ok();
                }
                schedule_session_inputs(run, &mut handle);
            }
            Some(Err(e)) => status.error(format!("training: {e}")),
            None => {}
        }
        if run.session().is_some_and(|s| s.is_finished()) {
            let dir = out_dir.unwrap_or_else(|| PathBuf::from(RECORDINGS_DIR));
            finish(run, &dir, &mut status);
        }
    }
    // The student's desk shows the student's phase (idle between calls).
    let seat_state = run.session().map(|s| {
        s.call()
            .and_then(|c| c.phase())
            .map_or(DeskState::Idle, DeskState::InPhase)
    });
    view.set_seat_state(seat_state);
    transport.hold_at = match run.session_now() {
        Some(t) if run.result.is_none() => Some(t.after(run.thinking_s.min(limit))),
        _ => None,
    };
}

/// End the session: the scoreboard, and the result and recording on disk.
fn finish(run: &mut TrainingRun, dir: &Path, status: &mut StatusLine) {
    let Some(cell) = run.session.take() else {
        return;
    };
    match SyncCell::to_inner(cell).finish() {
        Ok((result, trace)) => {
            let stem = run
                .path
                .file_stem()
                .map_or_else(|| "exercise".into(), |s| s.to_string_lossy().into_owned());
            let base = format!("{}-{stem}", sanitize(&run.student));
            let written = (|| -> std::io::Result<Vec<PathBuf>> {
                std::fs::create_dir_all(dir)?;
                let mut n = 1;
                while dir.join(format!("{base}-{n}.json")).exists() {
                    n += 1;
                }
                let json = dir.join(format!("{base}-{n}.json"));
                let text = serde_json::to_string_pretty(&result).map_err(std::io::Error::other)?;
                std::fs::write(&json, text)?;
                let tr = dir.join(format!("{base}-{n}.trace"));
                let mut out = std::io::BufWriter::new(std::fs::File::create(&tr)?);
                write_trace(&mut out, &trace).map_err(std::io::Error::other)?;
                std::io::Write::flush(&mut out)?;
                Ok(vec![json, tr])
            })();
            match written {
                Ok(paths) => {
                    status.info(format!(
                        "session done: score {:.0}; result and recording in {}",
                        result.overall.score,
                        dir.display()
                    ));
                    run.saved = paths;
                }
                Err(e) => status.error(format!("session done, but it could not be saved: {e}")),
            }
            run.result = Some(result);
        }
        Err(e) => status.error(format!("training: {e}")),
    }
}

fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "student".into() } else { s }
}

/// The dialog panel and its parts.
#[derive(Component, Debug)]
pub struct TrainingPanel;

/// A text of the panel.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingText {
    /// Exercise, call, phase, timer.
    Header,
    /// What the caller says.
    Caller,
    /// The caller's reaction to the last choice.
    Reaction,
    /// Feedback on the last call, or the scoreboard.
    Feedback,
}

/// An option button: choose option `k`.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionButton(pub usize);

/// The most options an exercise offers per decision.
pub const MAX_OPTIONS: usize = 9;

fn spawn_panel(mut commands: Commands) {
    let text = |kind: TrainingText, size: f32, color: Color| {
        (
            Text::new(""),
            TextFont::from_font_size(size),
            TextColor(color),
            kind,
        )
    };
    commands
        .spawn((
            TrainingPanel,
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(style::PATH_PX),
                right: Val::Px(style::PANEL_PX),
                bottom: Val::Px(style::TIMELINE_PX),
                height: Val::Px(style::CHARTS_PX + 150.0),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(Val::Px(8.0)),
                row_gap: Val::Px(4.0),
                ..default()
            },
            BackgroundColor(style::PANEL_BG),
            Visibility::Hidden,
        ))
        .with_children(|p| {
            p.spawn(text(TrainingText::Header, 14.0, style::TEXT_SELECTED));
            p.spawn(text(TrainingText::Caller, 14.0, style::TEXT));
            for k in 0..MAX_OPTIONS {
                p.spawn((
                    Button,
                    OptionButton(k),
                    Node {
                        padding: UiRect::axes(Val::Px(6.0), Val::Px(2.0)),
                        display: Display::None,
                        ..default()
                    },
                    BackgroundColor(style::BUTTON),
                    children![(
                        Text::new(""),
                        TextFont::from_font_size(13.0),
                        TextColor(style::TEXT),
                    )],
                ));
            }
            p.spawn(text(TrainingText::Reaction, 13.0, style::TEXT_DIM));
            p.spawn(text(TrainingText::Feedback, 11.0, style::TEXT));
        });
}

/// Option buttons pressed become choices.
pub fn option_clicks(
    buttons: Query<(&Interaction, &OptionButton), Changed<Interaction>>,
    mut out: MessageWriter<TrainingControl>,
) {
    for (interaction, b) in &buttons {
        if *interaction == Interaction::Pressed {
            out.write(TrainingControl::Choose(b.0));
        }
    }
}

/// What the panel shows now: header, caller line, options, reaction, feedback.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PanelContent {
    /// The header line.
    pub header: String,
    /// The caller's line.
    pub caller: String,
    /// The options, numbered (empty while the caller is still speaking).
    pub options: Vec<String>,
    /// The reaction to the last choice.
    pub reaction: String,
    /// Feedback or scoreboard.
    pub feedback: String,
}

/// The panel's content for `run`, with the mirror at `mirror_now`.
pub fn panel_content(run: &mut TrainingRun, mirror_now: SimTime) -> PanelContent {
    let thinking = run.thinking_s;
    let reaction = run
        .reaction
        .as_ref()
        .map_or_else(String::new, |r| format!("Caller: \"{r}\""));
    let feedback = match &run.result {
        Some(r) => {
            let mut s = r.summary();
            for p in &run.saved {
                s.push_str(&format!("written: {}\n", p.display()));
            }
            s
        }
        None => run.feedback.clone().unwrap_or_default(),
    };
    let (kit, language) = (Arc::clone(&run.kit), run.language);
    let Some(session) = run.session() else {
        return PanelContent {
            header: "Session done: the scoreboard".into(),
            reaction,
            feedback,
            ..PanelContent::default()
        };
    };
    let script = kit.script(language);
    let (i, n) = session.progress();
    let limit = session.exercise().time_limit_s;
    let name = session.exercise().name.clone();
    let caught_up = mirror_now.seconds() >= session.now_s();
    let Some(call) = session.call() else {
        return PanelContent::default();
    };
    let phase = call
        .phase()
        .map_or("-", |p| script.map_or(p.name(), |s| s.phase_name(p)));
    let header = format!(
        "{name} | call {}/{n}: {} | {phase} | {}",
        i + 1,
        call.reason_title(),
        if caught_up {
            format!("{:.0} s left to choose", (limit - thinking).max(0.0))
        } else {
            "the caller is speaking ...".to_string()
        }
    );
    let caller = call
        .line()
        .map_or_else(String::new, |l| format!("Caller: \"{}\"", l.text));
    let options = if caught_up {
        call.options()
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let label =
                    script.map_or_else(|| format!("{t:?}"), |s| s.technique_label(*t).to_string());
                format!("{}. {label}", k + 1)
            })
            .collect()
    } else {
        Vec::new()
    };
    PanelContent {
        header,
        caller,
        options,
        reaction,
        feedback,
    }
}

/// Bring the panel in line with the session.
pub fn update_panel(
    mut training: ResMut<Training>,
    mut handle: ResMut<SimHandle>,
    mut panel: Query<&mut Visibility, With<TrainingPanel>>,
    mut texts: Query<(&mut Text, &TrainingText), Without<OptionButton>>,
    mut buttons: Query<(&mut Node, &OptionButton, &Children)>,
    mut labels: Query<&mut Text, (Without<TrainingText>, Without<OptionButton>)>,
) {
    let now = handle.sim().now();
    let content = training.run.as_mut().map(|run| panel_content(run, now));
    for mut vis in &mut panel {
        let want = if content.is_some() {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        if *vis != want {
            *vis = want;
        }
    }
    let Some(content) = content else { return };
    for (mut text, kind) in &mut texts {
        let s = match kind {
            TrainingText::Header => &content.header,
            TrainingText::Caller => &content.caller,
            TrainingText::Reaction => &content.reaction,
            TrainingText::Feedback => &content.feedback,
        };
        set_text(&mut text, s.clone());
    }
    for (mut node, b, children) in &mut buttons {
        let label = content.options.get(b.0);
        let display = if label.is_some() {
            Display::Flex
        } else {
            Display::None
        };
        if node.display != display {
            node.display = display;
        }
        if let Some(label) = label {
            for child in children.iter() {
                if let Ok(mut t) = labels.get_mut(child) {
                    set_text(&mut t, label.clone());
                }
            }
        }
    }
}

/// The dialog panel and the session: [`open_exercises`], [`drive_session`],
/// the keys and the panel.
#[derive(Debug, Default)]
pub struct TrainingPlugin;

impl Plugin for TrainingPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Training>()
            .add_message::<TrainingControl>()
            .add_systems(Startup, spawn_panel)
            .add_systems(
                Update,
                (
                    training_keys.before(crate::controls::keyboard_controls),
                    option_clicks,
                )
                    .in_set(VizSet::Input),
            )
            .add_systems(
                Update,
                (open_exercises, drive_session)
                    .chain()
                    .in_set(VizSet::Controls)
                    .after(crate::controls::apply_controls),
            )
            .add_systems(Update, update_panel.in_set(VizSet::Project));
    }
}
