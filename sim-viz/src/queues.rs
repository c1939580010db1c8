//! The queues plugin: the path of a call. The IVR (callers in each menu, as
//! dots), the dialer's lines of each outbound campaign (lines ringing and
//! answered, as dots; dials, connects, sales and the nuisance rate), then one
//! lane per queue with the waiting callers as icons (their
//! personality's letter, coloured by how long they have waited; faint when they
//! took a callback), and callers who hang up sliding out and fading.
//!
//! Each lane shows as many callers as fit (the front of the queue) and "+N" for
//! the rest, so the cost of a frame does not grow with the queue.

use bevy::prelude::*;
use bevy::sprite::Anchor;

use crate::VizSet;
use crate::engine::{SimHandle, View};
use crate::style::{self, CallerIcons};

/// One lane's place on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneGeometry {
    /// Left end of the title line.
    pub title: Vec2,
    /// Centre of slot 0 (the front of the queue).
    pub origin: Vec2,
    /// Slots per row.
    pub cols: usize,
    /// Rows of slots.
    pub rows: usize,
    /// The lane's background.
    pub rect: Rect,
}

impl LaneGeometry {
    /// Callers the lane can show.
    pub fn capacity(&self) -> usize {
        self.cols * self.rows
    }

    /// Centre of slot `i`.
    pub fn slot(&self, i: usize) -> Vec2 {
        let (r, c) = (i / self.cols.max(1), i % self.cols.max(1));
        self.origin + Vec2::new(c as f32 * SLOT.x, -(r as f32) * SLOT.y)
    }
}

/// The IVR and the lanes.
#[derive(Debug, Clone, PartialEq)]
pub struct PathGeometry {
    /// Per menu: left end of its label, and the first dot's centre.
    pub menus: Vec<(Vec2, Vec2)>,
    /// Per campaign: left end of its title (two lines: name and dialer, then
    /// the counts), left end of its rate line, and the first line dot's
    /// centre (the dots take the whole width).
    pub campaigns: Vec<(Vec2, Vec2, Vec2)>,
    /// Dots per menu row.
    pub dots: usize,
    /// Dots per campaign row.
    pub line_dots: usize,
    /// The lanes.
    pub lanes: Vec<LaneGeometry>,
}

/// Distance between slot centres.
const SLOT: Vec2 = Vec2::new(19.0, 24.0);
/// A caller icon's size (the 7×9 letter texture, scaled).
const ICON: Vec2 = Vec2::new(16.0, 20.5);
/// The priority marker's size.
const MARK: Vec2 = Vec2::new(5.0, 5.0);
const LINE_PX: f32 = 16.0;
const DOT_STEP: f32 = 7.0;
const MENU_LABEL_PX: f32 = 130.0;

/// Lay out the IVR (`menus` rows), the dialer lines (`campaigns`, two rows
/// each) and `queues` lanes in `area`.
pub fn path_layout(menus: usize, campaigns: usize, queues: usize, area: Rect) -> PathGeometry {
    let mut y = area.max.y;
    let mut menu_rows = Vec::with_capacity(menus);
    if menus > 0 {
        y -= LINE_PX; // "IVR" heading
        for _ in 0..menus {
            let cy = y - LINE_PX / 2.0;
            menu_rows.push((
                Vec2::new(area.min.x, cy),
                Vec2::new(area.min.x + MENU_LABEL_PX + DOT_STEP / 2.0, cy),
            ));
            y -= LINE_PX;
        }
        y -= 8.0;
    }
    let mut campaign_rows = Vec::with_capacity(campaigns);
    for _ in 0..campaigns {
        // Title and counts, the nuisance rate, then a row of line dots.
        let title = Vec2::new(area.min.x, y - LINE_PX);
        let rate = Vec2::new(area.min.x, y - 2.5 * LINE_PX);
        let dot0 = Vec2::new(area.min.x + DOT_STEP / 2.0, y - 3.5 * LINE_PX);
        campaign_rows.push((title, rate, dot0));
        y -= 4.0 * LINE_PX + 4.0;
    }
    let dots = ((area.width() - MENU_LABEL_PX) / DOT_STEP).floor().max(0.0) as usize;
    let line_dots = (area.width() / DOT_STEP).floor().max(0.0) as usize;
    let lane_h = if queues > 0 {
        (y - area.min.y) / queues as f32
    } else {
        0.0
    };
    let cols = (area.width() / SLOT.x).floor().max(1.0) as usize;
    let rows = (((lane_h - LINE_PX - 6.0) / SLOT.y).floor().max(1.0) as usize).min(10);
    let lanes = (0..queues)
        .map(|q| {
            let top = y - q as f32 * lane_h;
            LaneGeometry {
                title: Vec2::new(area.min.x, top - LINE_PX / 2.0),
                origin: Vec2::new(area.min.x + SLOT.x / 2.0, top - LINE_PX - SLOT.y / 2.0),
                cols,
                rows,
                rect: Rect::new(area.min.x - 3.0, top - lane_h + 3.0, area.max.x + 3.0, top),
            }
        })
        .collect();
    PathGeometry {
        menus: menu_rows,
        campaigns: campaign_rows,
        dots,
        line_dots,
        lanes,
    }
}

/// A slot of a lane: queue and position.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneSlot {
    /// The queue.
    pub queue: usize,
    /// Position from the front.
    pub slot: usize,
}

/// The priority marker of a lane slot.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotMark {
    /// The queue.
    pub queue: usize,
    /// Position from the front.
    pub slot: usize,
}

/// A text of the call path.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathLabel {
    /// A lane's title (its queue).
    Lane(usize),
    /// A lane's "+N" (callers not shown).
    More(usize),
    /// An IVR menu's name and count.
    Menu(usize),
    /// A campaign's title: dialer, window, dials, connects, sales.
    Campaign(usize),
    /// A campaign's nuisance rate, left of its line dots.
    CampaignRate(usize),
}

/// A dot of a campaign's lines: the `slot`-th line in use.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineDot {
    /// The campaign.
    pub campaign: usize,
    /// Position in the row.
    pub slot: usize,
}

/// A caller who hung up, sliding out.
#[derive(Component, Debug, Clone, Copy)]
pub struct Leaver {
    /// Seconds (real) since leaving.
    pub age_s: f32,
}

/// Marks everything this plugin spawned per scenario.
#[derive(Component, Debug)]
pub struct PathItem;

/// Fade-out length, real seconds.
const LEAVE_S: f32 = 1.2;
/// At most this many callers fade out at once.
const MAX_LEAVERS: usize = 60;

/// The spawned pools.
#[derive(Resource, Debug, Default)]
pub struct PathEntities {
    epoch: Option<u64>,
    /// The layout in use.
    pub geometry: Option<PathGeometry>,
    /// Per lane, its slot sprites.
    pub slots: Vec<Vec<Entity>>,
    /// Per lane, its slots' priority markers.
    pub marks: Vec<Vec<Entity>>,
    /// Per menu, its dots.
    pub dots: Vec<Vec<Entity>>,
    /// Per campaign, its line dots.
    pub line_dots: Vec<Vec<Entity>>,
}

/// Spawn the IVR rows and lanes when a scenario loads.
pub fn rebuild_path(
    mut commands: Commands,
    handle: Res<SimHandle>,
    mut path: ResMut<PathEntities>,
    items: Query<Entity, With<PathItem>>,
) {
    if path.epoch == Some(handle.epoch()) {
        return;
    }
    for e in &items {
        commands.entity(e).despawn();
    }
    let s = &handle.loaded().scenario;
    let geo = path_layout(
        s.ivr.len(),
        s.campaigns.len(),
        s.call_types.len(),
        style::path_area(),
    );
    let label = |text: String, pos: Vec2, color: Color| {
        (
            PathItem,
            Text2d::new(text),
            TextFont::from_font_size(12.0),
            TextColor(color),
            Anchor::CENTER_LEFT,
            Transform::from_translation(pos.extend(2.0)),
        )
    };
    if let Some((first, _)) = geo.menus.first() {
        commands.spawn(label(
            "IVR (callers in menus)".into(),
            *first + Vec2::new(0.0, LINE_PX),
            style::TEXT_DIM,
        ));
    }
    path.dots.clear();
    for (m, (lab, dot0)) in geo.menus.iter().enumerate() {
        commands.spawn((label(String::new(), *lab, style::TEXT), PathLabel::Menu(m)));
        let dots = (0..geo.dots)
            .map(|i| {
                commands
                    .spawn((
                        PathItem,
                        Sprite::from_color(Color::srgb(0.6, 0.75, 0.95), Vec2::splat(5.0)),
                        Transform::from_translation(
                            (*dot0 + Vec2::new(i as f32 * DOT_STEP, 0.0)).extend(1.0),
                        ),
                        Visibility::Hidden,
                    ))
                    .id()
            })
            .collect();
        path.dots.push(dots);
    }
    path.line_dots.clear();
    for (c, (title, lab, dot0)) in geo.campaigns.iter().enumerate() {
        commands.spawn((
            label(String::new(), *title, style::TEXT),
            PathLabel::Campaign(c),
        ));
        commands.spawn((
            label(String::new(), *lab, style::TEXT_DIM),
            PathLabel::CampaignRate(c),
        ));
        let dots = (0..geo.dots)
            .map(|i| {
                commands
                    .spawn((
                        PathItem,
                        LineDot {
                            campaign: c,
                            slot: i,
                        },
                        Sprite::from_color(style::LINE_RINGING, Vec2::splat(5.0)),
                        Transform::from_translation(
                            (*dot0 + Vec2::new(i as f32 * DOT_STEP, 0.0)).extend(1.0),
                        ),
                        Visibility::Hidden,
                    ))
                    .id()
            })
            .collect();
        path.line_dots.push(dots);
    }
    path.slots.clear();
    path.marks.clear();
    for (q, lane) in geo.lanes.iter().enumerate() {
        commands.spawn((
            PathItem,
            Sprite::from_color(Color::srgba(1.0, 1.0, 1.0, 0.025), lane.rect.size()),
            Transform::from_translation(lane.rect.center().extend(-1.0)),
        ));
        commands.spawn((
            label(String::new(), lane.title, style::TEXT),
            PathLabel::Lane(q),
        ));
        let slots = (0..lane.capacity())
            .map(|i| {
                commands
                    .spawn((
                        PathItem,
                        LaneSlot { queue: q, slot: i },
                        Sprite {
                            custom_size: Some(ICON),
                            ..default()
                        },
                        Transform::from_translation(lane.slot(i).extend(1.0)),
                        Visibility::Hidden,
                    ))
                    .id()
            })
            .collect();
        path.slots.push(slots);
        let marks = (0..lane.capacity())
            .map(|i| {
                let corner = lane.slot(i) + (ICON - MARK) / 2.0 * Vec2::new(1.0, 1.0);
                commands
                    .spawn((
                        PathItem,
                        SlotMark { queue: q, slot: i },
                        Sprite::from_color(Color::srgb(1.0, 0.8, 0.1), MARK),
                        Transform::from_translation(corner.extend(2.0)),
                        Visibility::Hidden,
                    ))
                    .id()
            })
            .collect();
        path.marks.push(marks);
        let last = lane.slot(lane.capacity().saturating_sub(1));
        commands.spawn((
            label(
                String::new(),
                last - Vec2::new(SLOT.x * 2.5, 0.0),
                style::TEXT,
            ),
            PathLabel::More(q),
        ));
    }
    path.geometry = Some(geo);
    path.epoch = Some(handle.epoch());
}

fn set_visible(vis: &mut Visibility, on: bool) {
    let want = if on {
        Visibility::Inherited
    } else {
        Visibility::Hidden
    };
    if *vis != want {
        *vis = want;
    }
}

/// A lane slot's icon and its priority marker.
type SlotParts<'w, 's> = (
    Query<
        'w,
        's,
        (&'static mut Sprite, &'static mut Visibility),
        (With<LaneSlot>, Without<SlotMark>),
    >,
    Query<'w, 's, &'static mut Visibility, (With<SlotMark>, Without<LaneSlot>)>,
);

/// Callers shown in each lane: all of them, or (when they do not fit) the front
/// ones and "+N" in the last three slots.
fn shown_per_lane(view: &View, geo: &PathGeometry) -> Vec<usize> {
    geo.lanes
        .iter()
        .enumerate()
        .map(|(q, lane)| {
            let n = if q < view.queue_count() {
                view.waiting(q)
            } else {
                0
            };
            if n > lane.capacity() {
                lane.capacity().saturating_sub(3)
            } else {
                n
            }
        })
        .collect()
}

/// Show the waiting callers in each lane: personality letter, colour by wait,
/// faint for callbacks, a gold corner for priority callers.
pub fn sync_lanes(
    view: Res<View>,
    path: Res<PathEntities>,
    icons: Res<CallerIcons>,
    (mut slots, mut marks): SlotParts,
) {
    let Some(geo) = &path.geometry else { return };
    let (now, sl) = (view.now_s, view.sl_s);
    let shown_per_lane = shown_per_lane(&view, geo);
    for (q, entities) in path.slots.iter().enumerate() {
        let shown = shown_per_lane[q];
        let mut lane = (q < view.queue_count()).then(|| view.lane(q));
        for (i, &e) in entities.iter().enumerate() {
            let Ok((mut sprite, mut vis)) = slots.get_mut(e) else {
                continue;
            };
            let w = if i < shown {
                lane.as_mut().and_then(Iterator::next)
            } else {
                None
            };
            if let Some(Ok(mut mark)) = path
                .marks
                .get(q)
                .and_then(|m| m.get(i))
                .map(|&m| marks.get_mut(m))
            {
                set_visible(&mut mark, w.is_some_and(|w| w.priority));
            }
            match w {
                Some(w) => {
                    let mut c = style::wait_color(now - w.since_s, sl);
                    if w.callback {
                        c.set_alpha(0.4);
                    }
                    sprite.color = c;
                    let img = icons.get(w.persona);
                    if sprite.image != img {
                        sprite.image = img;
                    }
                    set_visible(&mut vis, true);
                }
                None => set_visible(&mut vis, false),
            }
        }
    }
}

/// The texts of the call path: lane titles, "+N", IVR menu counts.
pub fn sync_path_labels(
    handle: Res<SimHandle>,
    view: Res<View>,
    path: Res<PathEntities>,
    mut labels: Query<(&mut Text2d, &PathLabel)>,
) {
    let Some(geo) = &path.geometry else { return };
    let now = view.now_s;
    let shown_per_lane = shown_per_lane(&view, geo);
    let scenario = &handle.loaded().scenario;
    for (mut text, label) in &mut labels {
        let s = match *label {
            PathLabel::Lane(q) if q < view.queue_count() => {
                let (mut prio, mut cb, mut oldest) = (0, 0, None);
                for w in view.lane(q) {
                    prio += usize::from(w.priority);
                    cb += usize::from(w.callback);
                    oldest = Some(oldest.map_or(w.since_s, |o: f64| o.min(w.since_s)));
                }
                let name = scenario.call_types.get(q).map_or("?", |c| c.name.as_str());
                let mut s = format!("{name}: {} waiting", view.waiting(q));
                if let Some(o) = oldest {
                    s.push_str(&format!(", longest {}", style::duration(now - o)));
                }
                if prio > 0 {
                    s.push_str(&format!(", {prio} prio"));
                }
                if cb > 0 {
                    s.push_str(&format!(", {cb} callback"));
                }
                s
            }
            PathLabel::More(q) if q < view.queue_count() => {
                let (n, shown) = (view.waiting(q), shown_per_lane.get(q).copied().unwrap_or(0));
                if n > shown {
                    format!("+{}", n - shown)
                } else {
                    String::new()
                }
            }
            PathLabel::Campaign(c) => match (scenario.campaigns.get(c), view.campaigns.get(c)) {
                (Some(sc), Some(v)) => format!(
                    "{} ({} dialer, window {})\n{} dials, {} connects, {} sales",
                    sc.name,
                    sc.dialer.name(),
                    if v.open { "open" } else { "closed" },
                    v.dials,
                    v.connects,
                    v.sales
                ),
                _ => String::new(),
            },
            PathLabel::CampaignRate(c) => {
                match (scenario.campaigns.get(c), view.campaigns.get(c)) {
                    (Some(sc), Some(v)) => {
                        let pct = |x: Option<f64>| {
                            x.map_or("-".to_string(), |r| format!("{:.1}%", r * 100.0))
                        };
                        format!(
                            "nuisance {} (last hour {}; cap {:.0}%)",
                            pct(v.nuisance_rate()),
                            pct(v.recent_nuisance_rate()),
                            sc.abandon_limit.max_rate * 100.0
                        )
                    }
                    _ => String::new(),
                }
            }
            PathLabel::Menu(m) => {
                let n = view.ivr.get(m).copied().unwrap_or(0);
                let name = scenario.ivr.get(m).map_or("?", |x| x.name.as_str());
                format!("{name}: {n}")
            }
            _ => String::new(),
        };
        if text.0 != s {
            text.0 = s;
        }
    }
}

/// Show one dot per caller in each IVR menu (as many as fit).
pub fn sync_ivr_dots(
    view: Res<View>,
    path: Res<PathEntities>,
    mut dots: Query<&mut Visibility, With<Sprite>>,
) {
    for (m, entities) in path.dots.iter().enumerate() {
        let n = view.ivr.get(m).copied().unwrap_or(0) as usize;
        for (i, &e) in entities.iter().enumerate() {
            if let Ok(mut vis) = dots.get_mut(e) {
                set_visible(&mut vis, i < n);
            }
        }
    }
}

/// Show a campaign's lines in use: answered ones (waiting for AMD or an agent)
/// first, in orange, then the ringing ones, in blue (as many as fit).
pub fn sync_line_dots(
    view: Res<View>,
    path: Res<PathEntities>,
    mut dots: Query<(&mut Sprite, &mut Visibility), With<LineDot>>,
) {
    for (c, entities) in path.line_dots.iter().enumerate() {
        let Some(v) = view.campaigns.get(c) else {
            continue;
        };
        let (answered, ringing) = (v.answered as usize, v.ringing as usize);
        for (i, &e) in entities.iter().enumerate() {
            if let Ok((mut sprite, mut vis)) = dots.get_mut(e) {
                let color = if i < answered {
                    style::LINE_ANSWERED
                } else {
                    style::LINE_RINGING
                };
                if sprite.color != color {
                    sprite.color = color;
                }
                set_visible(&mut vis, i < answered + ringing);
            }
        }
    }
}

/// Callers who hung up leave their slot, sliding left and fading.
pub fn spawn_leavers(
    mut commands: Commands,
    mut view: ResMut<View>,
    path: Res<PathEntities>,
    icons: Res<CallerIcons>,
    leavers: Query<(), With<Leaver>>,
) {
    let departures = std::mem::take(&mut view.departures);
    let Some(geo) = &path.geometry else { return };
    let mut live = leavers.iter().count();
    for d in departures {
        let Some(lane) = geo.lanes.get(d.queue) else {
            continue;
        };
        if d.rank >= lane.capacity() || live >= MAX_LEAVERS {
            continue;
        }
        live += 1;
        commands.spawn((
            PathItem,
            Leaver { age_s: 0.0 },
            Sprite {
                image: icons.get(d.persona),
                color: Color::srgb(0.95, 0.25, 0.25),
                custom_size: Some(ICON),
                ..default()
            },
            Transform::from_translation(lane.slot(d.rank).extend(3.0)),
        ));
    }
}

/// Move and fade the leavers; remove them when gone.
pub fn animate_leavers(
    mut commands: Commands,
    time: Res<Time<Real>>,
    mut leavers: Query<(Entity, &mut Leaver, &mut Transform, &mut Sprite)>,
) {
    let dt = time.delta_secs().min(0.1);
    for (e, mut l, mut tf, mut sprite) in &mut leavers {
        l.age_s += dt;
        if l.age_s >= LEAVE_S {
            commands.entity(e).despawn();
            continue;
        }
        tf.translation.x -= 90.0 * dt;
        tf.translation.y += 25.0 * dt;
        sprite.color.set_alpha(1.0 - l.age_s / LEAVE_S);
    }
}

/// The IVR and queue lanes: [`rebuild_path`], [`sync_lanes`], the leavers.
#[derive(Debug, Default)]
pub struct QueuesPlugin;

impl Plugin for QueuesPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<PathEntities>()
            .init_resource::<CallerIcons>()
            .add_systems(
                Update,
                (
                    rebuild_path,
                    sync_lanes,
                    sync_path_labels,
                    sync_ivr_dots,
                    sync_line_dots,
                    spawn_leavers,
                    animate_leavers,
                )
                    .chain()
                    .in_set(VizSet::Project),
            );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_stack_inside_the_area() {
        let area = Rect::new(-600.0, -200.0, -250.0, 300.0);
        for (menus, campaigns, queues) in [(0, 0, 1), (2, 0, 3), (0, 1, 5), (4, 2, 8)] {
            let geo = path_layout(menus, campaigns, queues, area);
            assert_eq!(geo.campaigns.len(), campaigns);
            for (title, _, dot0) in &geo.campaigns {
                assert!(area.contains(*title) && area.contains(*dot0));
            }
            assert_eq!(geo.lanes.len(), queues);
            assert_eq!(geo.menus.len(), menus);
            for lane in &geo.lanes {
                assert!(lane.capacity() >= lane.cols);
                let last = lane.slot(lane.capacity() - 1);
                assert!(
                    area.contains(lane.slot(0)) && area.contains(last),
                    "{last:?}"
                );
                assert!(last.y > lane.rect.min.y);
            }
            for w in geo.lanes.windows(2) {
                assert!(w[1].rect.max.y <= w[0].rect.min.y + 6.01);
            }
        }
    }
}
