//! The HUD plugin: the top bar (scenario, simulated clock and day, speed, live
//! KPIs, queue lengths, the status line) and the charts of service level and
//! queue length over the day.
//!
//! The charts' frames and labels are sprites and text; their lines are drawn
//! with gizmos by [`draw_charts`], which only windowed apps add (it needs the
//! renderer's gizmo storage).

use bevy::prelude::*;
use bevy::sprite::Anchor;

use crate::VizSet;
use crate::controls::set_text;
use crate::engine::{SimHandle, StatusLine, Transport, View};
use crate::style;

/// The HUD's text lines.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HudLine {
    /// Scenario, clock, speed, state.
    Clock,
    /// The KPIs.
    Kpis,
    /// Status, errors, the last event while paused.
    Status,
}

/// The charts' labels that change (the queue chart's scale).
#[derive(Component, Debug, Clone, Copy)]
pub struct QueueScaleLabel;

/// A time label under a chart, at this fraction of the day.
#[derive(Component, Debug, Clone, Copy)]
pub struct TimeLabel(pub f32);

/// Where the two charts are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartRects {
    /// Service level, 0–100 %.
    pub sl: Rect,
    /// Callers waiting.
    pub queue: Rect,
}

/// The charts' plot rectangles inside [`style::charts_area`].
pub fn chart_rects() -> ChartRects {
    let a = style::charts_area();
    let w = (a.width() - 60.0) / 2.0;
    let plot = |x0: f32| Rect::new(x0, a.min.y + 16.0, x0 + w - 20.0, a.max.y - 18.0);
    ChartRects {
        sl: plot(a.min.x + 34.0),
        queue: plot(a.min.x + 34.0 + w + 30.0),
    }
}

/// Colours of the per-queue lines.
pub const QUEUE_COLORS: [Color; 6] = [
    Color::srgb(0.4, 0.7, 1.0),
    Color::srgb(1.0, 0.6, 0.3),
    Color::srgb(0.7, 0.5, 1.0),
    Color::srgb(0.4, 0.9, 0.6),
    Color::srgb(1.0, 0.4, 0.6),
    Color::srgb(0.9, 0.9, 0.4),
];

/// A round number at or above `x` (1, 2, 5 × 10ⁿ), at least 10.
pub fn nice_ceiling(x: f64) -> f64 {
    let x = x.max(10.0);
    let p = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|v| *v >= x)
        .unwrap_or(10.0 * p)
}

fn spawn_hud(mut commands: Commands) {
    let line = |kind: HudLine, size: f32| {
        (
            Text::new(""),
            TextFont::from_font_size(size),
            TextColor(style::TEXT),
            kind,
        )
    };
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(0.0),
                top: Val::Px(0.0),
                width: Val::Percent(100.0),
                height: Val::Px(style::TOP_BAR_PX),
                flex_direction: FlexDirection::Column,
                padding: UiRect::axes(Val::Px(10.0), Val::Px(5.0)),
                row_gap: Val::Px(3.0),
                ..default()
            },
            BackgroundColor(style::PANEL_BG),
        ))
        .with_children(|p| {
            p.spawn(line(HudLine::Clock, 18.0));
            p.spawn(line(HudLine::Kpis, 14.0));
            p.spawn(line(HudLine::Status, 13.0));
        });
    let rects = chart_rects();
    let label = |text: &str, pos: Vec2, anchor: Anchor| {
        (
            Text2d::new(text),
            TextFont::from_font_size(11.0),
            TextColor(style::TEXT_DIM),
            anchor,
            Transform::from_translation(pos.extend(2.0)),
        )
    };
    for (rect, title) in [
        (
            rects.sl,
            "Service level: day so far (white), last 15 min (blue); 80 % line",
        ),
        (
            rects.queue,
            "Callers waiting: all queues (white), per queue (colours)",
        ),
    ] {
        commands.spawn((
            Sprite::from_color(Color::srgba(1.0, 1.0, 1.0, 0.04), rect.size()),
            Transform::from_translation(rect.center().extend(-1.0)),
        ));
        commands.spawn(label(
            title,
            Vec2::new(rect.min.x, rect.max.y + 9.0),
            Anchor::CENTER_LEFT,
        ));
    }
    let r = rects.sl;
    commands.spawn(label(
        "100%",
        Vec2::new(r.min.x - 4.0, r.max.y),
        Anchor::CENTER_RIGHT,
    ));
    commands.spawn(label(
        "0",
        Vec2::new(r.min.x - 4.0, r.min.y),
        Anchor::CENTER_RIGHT,
    ));
    let q = rects.queue;
    commands.spawn((
        label("", Vec2::new(q.min.x - 4.0, q.max.y), Anchor::CENTER_RIGHT),
        QueueScaleLabel,
    ));
    commands.spawn(label(
        "0",
        Vec2::new(q.min.x - 4.0, q.min.y),
        Anchor::CENTER_RIGHT,
    ));
    for r in [rects.sl, rects.queue] {
        for (frac, anchor) in [
            (0.0, Anchor::CENTER_LEFT),
            (0.25, Anchor::CENTER),
            (0.5, Anchor::CENTER),
            (0.75, Anchor::CENTER),
            (1.0, Anchor::CENTER_RIGHT),
        ] {
            let x = r.min.x + frac * r.width();
            commands.spawn((
                label("", Vec2::new(x, r.min.y - 8.0), anchor),
                TimeLabel(frac),
            ));
        }
    }
}

/// Fill in the top bar.
#[allow(clippy::too_many_arguments)]
pub fn update_hud(
    mut handle: ResMut<SimHandle>,
    view: Res<View>,
    transport: Res<Transport>,
    status: Res<StatusLine>,
    state: Res<State<crate::RunState>>,
    mut lines: Query<(&mut Text, &mut TextColor, &HudLine)>,
    mut scale: Query<&mut Text2d, (With<QueueScaleLabel>, Without<TimeLabel>)>,
    mut times: Query<(&mut Text2d, &TimeLabel), Without<QueueScaleLabel>>,
) {
    let s = &handle.loaded().scenario;
    let (name, day_start_h, sl_s, horizon_h) = (
        s.name.clone(),
        s.day_start_h,
        s.service_level_s,
        s.horizon_h,
    );
    let queue_names: Vec<String> = s.call_types.iter().map(|c| c.name.clone()).collect();
    let origin = handle.loaded().origin.clone();
    let finished = handle.sim().is_finished();
    let now = handle.sim().now().seconds();
    let k = &view.kpis;
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
    let run = if finished {
        "day finished".to_string()
    } else if transport.paused {
        "PAUSED".to_string()
    } else {
        format!("{}x", transport.speed)
    };
    let mode = match state.get() {
        crate::RunState::Live => "live",
        crate::RunState::Playback => "playback",
    };
    let mut clock = format!(
        "{name}  |  {}  |  {run}  ({mode}, {origin})",
        style::clock(day_start_h, now)
    );
    if transport.last.capped {
        clock.push_str(&format!(
            "  |  EVENT CAP HIT ({}/frame): running at {:.0}x",
            transport.max_events_per_frame, transport.last.achieved_speed
        ));
    }
    let waiting: Vec<String> = queue_names
        .iter()
        .enumerate()
        .map(|(q, n)| format!("{n} {}", view.waiting(q)))
        .collect();
    let in_ivr: u32 = view.ivr.iter().sum();
    let kpis = format!(
        "SL {} (<= {sl_s:.0} s)   ASA {}   abandoned {}   occupancy {}   answered {}   in IVR {in_ivr}   waiting: {}",
        pct(k.service_level()),
        k.asa_s().map_or("-".to_string(), style::duration),
        pct(k.abandon_rate()),
        pct(k.occupancy()),
        k.answered,
        waiting.join(", "),
    );
    let (status_text, status_color) = if let Some(text) = status.current() {
        (
            text.to_string(),
            if status.error {
                style::TEXT_ERROR
            } else {
                style::TEXT_SELECTED
            },
        )
    } else if transport.paused {
        (
            view.last_event
                .map_or("no event yet".to_string(), |(t, e)| {
                    format!(
                        "last event at {}: {}",
                        style::clock(day_start_h, t.seconds()),
                        describe(&e)
                    )
                }),
            style::TEXT_DIM,
        )
    } else {
        (
            format!(
                "{} events this frame, {} in all",
                transport.last.events, view.events
            ),
            style::TEXT_DIM,
        )
    };
    for (mut text, mut color, line) in &mut lines {
        match line {
            HudLine::Clock => set_text(&mut text, clock.clone()),
            HudLine::Kpis => set_text(&mut text, kpis.clone()),
            HudLine::Status => {
                set_text(&mut text, status_text.clone());
                color.0 = status_color;
            }
        }
    }
    let span = (horizon_h * 3600.0).max(now).max(1.0);
    for (mut t, label) in &mut times {
        let s = style::clock(day_start_h, f64::from(label.0) * span);
        let hhmm = s.get(s.len() - 8..s.len() - 3).unwrap_or("").to_string();
        if t.0 != hhmm {
            t.0 = hhmm;
        }
    }
    let top = nice_ceiling(f64::from(view.charts.max_waiting()));
    for mut t in &mut scale {
        let s = format!("{top}");
        if t.0 != s {
            t.0 = s;
        }
    }
}

/// One line about an event, for the status line when stepping.
pub fn describe(e: &sim_core::SimEvent) -> String {
    use sim_core::SimEvent as E;
    match e {
        E::CallArrived { call, retrial, .. } => {
            format!(
                "call {} arrived{}",
                call.0,
                if *retrial { " (retrial)" } else { "" }
            )
        }
        E::IvrMenu { call, menu } => format!("call {} hears IVR menu {menu}", call.0),
        E::IvrLeft { call, outcome } => format!("call {} left the IVR: {outcome:?}", call.0),
        E::CallQueued {
            call,
            call_type,
            persona,
            ..
        } => format!(
            "call {} queued at {call_type} ({})",
            call.0,
            persona.map_or("no persona", |p| p.name())
        ),
        E::CallAnswered {
            call,
            agent,
            wait_s,
            ..
        } => format!(
            "call {} answered by agent {} after {}",
            call.0,
            agent.0,
            style::duration(*wait_s)
        ),
        E::PhaseStarted { call, agent, phase } => {
            format!("agent {} in {} (call {})", agent.0, phase.name(), call.0)
        }
        E::CallTransferred { call, from, to } => {
            format!("call {} transferred from queue {from} to {to}", call.0)
        }
        E::CallAbandoned { call, wait_s, .. } => format!(
            "call {} abandoned after {}",
            call.0,
            style::duration(*wait_s)
        ),
        E::CallCompleted { call, agent, .. } => {
            format!("call {} completed by agent {}", call.0, agent.0)
        }
        E::AgentChanged { agent, status } => format!("agent {} now {status:?}", agent.0),
        other => format!("{other:?}"),
    }
}

/// Draw the chart lines (windowed apps only).
pub fn draw_charts(mut gizmos: Gizmos, mut handle: ResMut<SimHandle>, view: Res<View>) {
    let rects = chart_rects();
    let horizon = handle.loaded().scenario.horizon_h * 3600.0;
    let day_start_h = handle.loaded().scenario.day_start_h;
    let now = handle.sim().now().seconds();
    let span = horizon.max(now).max(1.0);
    let samples = &view.charts.samples;
    let x_of = |r: Rect, t: f64| r.min.x + (t / span) as f32 * r.width();
    // Hour ticks.
    for r in [rects.sl, rects.queue] {
        let first = (day_start_h.ceil() - day_start_h) * 3600.0;
        let mut t = first;
        while t <= span {
            let x = x_of(r, t);
            gizmos.line_2d(
                Vec2::new(x, r.min.y),
                Vec2::new(x, r.min.y + 4.0),
                style::TEXT_DIM,
            );
            t += 3600.0;
        }
        let x = x_of(r, now);
        gizmos.line_2d(
            Vec2::new(x, r.min.y),
            Vec2::new(x, r.max.y),
            Color::srgba(1.0, 1.0, 1.0, 0.25),
        );
    }
    let r = rects.sl;
    let y80 = r.min.y + 0.8 * r.height();
    gizmos.line_2d(
        Vec2::new(r.min.x, y80),
        Vec2::new(r.max.x, y80),
        Color::srgba(1.0, 0.85, 0.3, 0.5),
    );
    let sl_y = |v: f64| r.min.y + v as f32 * r.height();
    gizmos.linestrip_2d(
        samples
            .iter()
            .filter_map(|s| s.sl_recent.map(|v| Vec2::new(x_of(r, s.t_s), sl_y(v)))),
        Color::srgb(0.35, 0.75, 1.0),
    );
    gizmos.linestrip_2d(
        samples
            .iter()
            .filter_map(|s| s.sl.map(|v| Vec2::new(x_of(r, s.t_s), sl_y(v)))),
        Color::WHITE,
    );
    let q = rects.queue;
    let top = nice_ceiling(f64::from(view.charts.max_waiting()));
    let q_y = |n: u32| q.min.y + (f64::from(n) / top) as f32 * q.height();
    for (i, series) in view.charts.waiting_by_queue.iter().enumerate() {
        gizmos.linestrip_2d(
            series
                .iter()
                .zip(samples)
                .map(|(n, s)| Vec2::new(x_of(q, s.t_s), q_y(*n))),
            QUEUE_COLORS[i % QUEUE_COLORS.len()],
        );
    }
    gizmos.linestrip_2d(
        samples
            .iter()
            .map(|s| Vec2::new(x_of(q, s.t_s), q_y(s.waiting))),
        Color::WHITE,
    );
}

/// The top bar and the charts.
#[derive(Debug, Default)]
pub struct HudPlugin {
    /// Whether to draw the chart lines (needs the renderer's gizmos).
    pub draw_lines: bool,
}

impl Plugin for HudPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Startup, spawn_hud)
            .add_systems(Update, update_hud.in_set(VizSet::Project));
        if self.draw_lines {
            app.add_systems(Update, draw_charts.in_set(VizSet::Project));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0.0), 10.0);
        assert_eq!(nice_ceiling(11.0), 20.0);
        assert_eq!(nice_ceiling(20.0), 20.0);
        assert_eq!(nice_ceiling(1999.0), 2000.0);
        assert_eq!(nice_ceiling(2001.0), 5000.0);
    }
}
