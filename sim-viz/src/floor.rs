//! The floor plugin: one desk per agent, grouped by team, coloured by what the
//! agent does, with the caller's personality letter on the desk during a call.
//!
//! Desks are spawned from [`floor_layout`] when a scenario loads (or agents are
//! hired) and only recoloured afterwards, and only those the view marked as
//! changed.

use bevy::prelude::*;
use bevy::sprite::Anchor;

use crate::VizSet;
use crate::engine::{SimHandle, View};
use crate::style::{self, CallerIcons};
use crate::view::DeskState;

/// A desk: the agent it shows.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Desk(pub u32);

/// The caller icon on a desk.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeskCaller(pub u32);

/// A team's title above its desks.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeamTitle(pub usize);

/// Marks everything the floor spawned (despawned on a rebuild).
#[derive(Component, Debug)]
pub struct FloorItem;

/// Where the desks are.
#[derive(Debug, Clone, PartialEq)]
pub struct FloorGeometry {
    /// Side of a desk's cell, pixels.
    pub cell: f32,
    /// Centre of each agent's desk.
    pub desks: Vec<Vec2>,
    /// Left end of each team's title line.
    pub titles: Vec<Vec2>,
}

/// Height of a team title line.
const TITLE_PX: f32 = 16.0;
/// Space below a team's desks.
const TEAM_GAP_PX: f32 = 6.0;

/// Lay out desks for agents whose groups are `group_of_agent`, in `groups`
/// teams, stacked top-down in `area`: the largest square cells (up to 40 px)
/// with which every team fits.
pub fn floor_layout(group_of_agent: &[usize], groups: usize, area: Rect) -> FloorGeometry {
    let mut members = vec![Vec::new(); groups];
    for (a, &g) in group_of_agent.iter().enumerate() {
        if let Some(m) = members.get_mut(g) {
            m.push(a);
        }
    }
    let width = area.width().max(1.0);
    let fits = |cell: f32| {
        let cols = (width / cell).floor().max(1.0) as usize;
        let h: f32 = members
            .iter()
            .map(|m| TITLE_PX + m.len().div_ceil(cols).max(1) as f32 * cell + TEAM_GAP_PX)
            .sum();
        h <= area.height()
    };
    let mut cell = 40.0;
    while cell > 4.0 && !fits(cell) {
        cell -= 1.0;
    }
    let cols = (width / cell).floor().max(1.0) as usize;
    let mut desks = vec![Vec2::ZERO; group_of_agent.len()];
    let mut titles = Vec::with_capacity(groups);
    let mut y = area.max.y;
    for m in &members {
        titles.push(Vec2::new(area.min.x, y - TITLE_PX / 2.0));
        let top = y - TITLE_PX;
        for (i, &a) in m.iter().enumerate() {
            let (r, c) = (i / cols, i % cols);
            desks[a] = Vec2::new(
                area.min.x + (c as f32 + 0.5) * cell,
                top - (r as f32 + 0.5) * cell,
            );
        }
        y = top - m.len().div_ceil(cols).max(1) as f32 * cell - TEAM_GAP_PX;
    }
    FloorGeometry {
        cell,
        desks,
        titles,
    }
}

/// The desks currently spawned, by agent.
#[derive(Resource, Debug, Default)]
pub struct FloorEntities {
    epoch: Option<u64>,
    /// Desk entity per agent.
    pub desks: Vec<Entity>,
    /// Caller icon entity per agent.
    pub callers: Vec<Entity>,
    refresh_all: bool,
}

/// Spawn the desks anew when a scenario loads or the floor grows.
pub fn rebuild_floor(
    mut commands: Commands,
    handle: Res<SimHandle>,
    view: Res<View>,
    mut floor: ResMut<FloorEntities>,
    items: Query<Entity, With<FloorItem>>,
) {
    if floor.epoch == Some(handle.epoch()) && floor.desks.len() == view.agents.len() {
        return;
    }
    for e in &items {
        commands.entity(e).despawn();
    }
    let groups = handle.loaded().scenario.agent_groups.len();
    let group_of: Vec<usize> = view.agents.iter().map(|a| a.group).collect();
    let geo = floor_layout(&group_of, groups, style::floor_area());
    let desk = Vec2::splat((geo.cell * 0.86).max(2.0));
    let icon = Vec2::new(geo.cell * 0.42, geo.cell * 0.54);
    floor.desks.clear();
    floor.callers.clear();
    for (a, pos) in geo.desks.iter().enumerate() {
        let a = a as u32;
        floor.desks.push(
            commands
                .spawn((
                    Desk(a),
                    FloorItem,
                    Sprite::from_color(style::desk_color(DeskState::Off), desk),
                    Transform::from_translation(pos.extend(0.0)),
                ))
                .id(),
        );
        floor.callers.push(
            commands
                .spawn((
                    DeskCaller(a),
                    FloorItem,
                    Sprite {
                        custom_size: Some(icon),
                        ..default()
                    },
                    Transform::from_translation(pos.extend(1.0)),
                    Visibility::Hidden,
                ))
                .id(),
        );
    }
    for (g, pos) in geo.titles.iter().enumerate() {
        commands.spawn((
            TeamTitle(g),
            FloorItem,
            Text2d::new(""),
            TextFont::from_font_size(12.0),
            TextColor(style::TEXT_DIM),
            Anchor::CENTER_LEFT,
            Transform::from_translation(pos.extend(1.0)),
        ));
    }
    floor.epoch = Some(handle.epoch());
    floor.refresh_all = true;
}

/// Recolour the desks whose agent changed, and show their callers.
pub fn sync_desks(
    mut view: ResMut<View>,
    mut floor: ResMut<FloorEntities>,
    icons: Res<CallerIcons>,
    mut desks: Query<&mut Sprite, (With<Desk>, Without<DeskCaller>)>,
    mut callers: Query<(&mut Sprite, &mut Visibility), With<DeskCaller>>,
) {
    let dirty = view.take_dirty();
    let all: Vec<u32>;
    let agents: &[u32] = if floor.refresh_all {
        floor.refresh_all = false;
        all = (0..floor.desks.len() as u32).collect();
        &all
    } else {
        &dirty
    };
    for &a in agents {
        let (Some(v), Some(&desk), Some(&caller)) = (
            view.agents.get(a as usize),
            floor.desks.get(a as usize),
            floor.callers.get(a as usize),
        ) else {
            continue;
        };
        if let Ok(mut s) = desks.get_mut(desk) {
            s.color = style::desk_color(view.desk_state(a as usize).unwrap_or(v.state));
        }
        if let Ok((mut s, mut vis)) = callers.get_mut(caller) {
            match v.persona {
                Some(p) if v.call.is_some() => {
                    s.image = icons.get(Some(p));
                    *vis = Visibility::Inherited;
                }
                _ => *vis = Visibility::Hidden,
            }
        }
    }
}

/// The desks' places and sizes (for the seat's frame).
type DeskPlaces<'w, 's> =
    Query<'w, 's, (&'static Transform, &'static Sprite), (With<Desk>, Without<SeatMarker>)>;

/// The frame around a training student's desk.
#[derive(Component, Debug)]
pub struct SeatMarker;

/// Frame the student's desk while a training session shows it.
pub fn sync_seat_marker(
    mut commands: Commands,
    view: Res<View>,
    floor: Res<FloorEntities>,
    desks: DeskPlaces,
    mut marker: Query<(Entity, &mut Transform, &mut Sprite), With<SeatMarker>>,
) {
    let desk = view
        .seat
        .filter(|_| view.seat_state.is_some())
        .and_then(|a| floor.desks.get(a as usize))
        .and_then(|&d| desks.get(d).ok());
    match (desk, marker.single_mut()) {
        (Some((tf, sprite)), Ok((_, mut mt, mut ms))) => {
            let pos = tf.translation.truncate().extend(tf.translation.z - 0.5);
            if mt.translation != pos {
                mt.translation = pos;
            }
            let size = sprite.custom_size.map(|s| s + Vec2::splat(8.0));
            if ms.custom_size != size {
                ms.custom_size = size;
            }
        }
        (Some((tf, sprite)), Err(_)) => {
            commands.spawn((
                SeatMarker,
                FloorItem,
                Sprite::from_color(
                    style::TEXT_SELECTED,
                    sprite.custom_size.unwrap_or(Vec2::splat(20.0)) + Vec2::splat(8.0),
                ),
                Transform::from_translation(
                    tf.translation.truncate().extend(tf.translation.z - 0.5),
                ),
            ));
        }
        (None, Ok((e, _, _))) => commands.entity(e).despawn(),
        (None, Err(_)) => {}
    }
}

/// The team titles: name and how many agents do what.
pub fn update_team_titles(
    handle: Res<SimHandle>,
    view: Res<View>,
    mut titles: Query<(&mut Text2d, &TeamTitle)>,
) {
    let groups = &handle.loaded().scenario.agent_groups;
    let mut counts = vec![[0u32; 4]; groups.len()];
    for a in &view.agents {
        if let Some(c) = counts.get_mut(a.group) {
            let k = match a.state {
                DeskState::Off => continue,
                DeskState::Idle => 1,
                DeskState::Break => 2,
                _ => 0,
            };
            c[k] += 1;
            c[3] += 1;
        }
    }
    for (mut text, t) in &mut titles {
        let (Some(g), Some(c)) = (groups.get(t.0), counts.get(t.0)) else {
            continue;
        };
        let s = format!(
            "{}: {} present, {} busy, {} idle, {} on break",
            g.name, c[3], c[0], c[1], c[2]
        );
        if text.0 != s {
            text.0 = s;
        }
    }
}

/// Desks by team: [`rebuild_floor`], [`sync_desks`], [`update_team_titles`].
#[derive(Debug, Default)]
pub struct FloorPlugin;

impl Plugin for FloorPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<FloorEntities>()
            .init_resource::<CallerIcons>()
            .add_systems(
                Update,
                (
                    rebuild_floor,
                    sync_desks,
                    sync_seat_marker,
                    update_team_titles,
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
    fn desks_fit_the_area_and_do_not_overlap() {
        let area = Rect::new(0.0, 0.0, 600.0, 400.0);
        for (agents, groups) in [(5usize, 1usize), (70, 3), (500, 5), (1200, 8)] {
            let group_of: Vec<usize> = (0..agents).map(|a| a % groups).collect();
            let geo = floor_layout(&group_of, groups, area);
            assert_eq!(geo.desks.len(), agents);
            assert_eq!(geo.titles.len(), groups);
            for d in &geo.desks {
                assert!(area.contains(*d), "{agents}: {d:?} outside");
            }
            let mut seen = std::collections::HashSet::new();
            for d in &geo.desks {
                assert!(seen.insert(((d.x * 4.0) as i64, (d.y * 4.0) as i64)));
            }
            if agents == 500 {
                assert!(geo.cell >= 14.0, "cell {}", geo.cell);
            }
        }
    }
}
