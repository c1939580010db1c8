//! Colours, sizes, the screen layout, text formats, and the small caller icons
//! (a letter per personality), shared by the plugins.

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use sim_core::scenario::{PersonaKind, Phase};

use crate::view::DeskState;

/// The window the layout is drawn for, logical pixels.
pub const WINDOW: Vec2 = Vec2::new(1280.0, 800.0);
/// Height of the HUD's top bar.
pub const TOP_BAR_PX: f32 = 78.0;
/// Width of the controls panel on the right.
pub const PANEL_PX: f32 = 230.0;
/// Height of the timeline strip at the bottom.
pub const TIMELINE_PX: f32 = 30.0;
/// Height of the charts above the timeline.
pub const CHARTS_PX: f32 = 150.0;
/// Width of the call-path column (IVR and queues) on the left.
pub const PATH_PX: f32 = 370.0;

/// World rectangle (y up, origin at the window's centre) of a region given in
/// window pixels from the top-left.
pub fn world_rect(left: f32, top: f32, width: f32, height: f32) -> Rect {
    let x0 = left - WINDOW.x / 2.0;
    let y0 = WINDOW.y / 2.0 - top;
    Rect::new(x0, y0 - height, x0 + width, y0)
}

/// The call path: IVR and queue lanes.
pub fn path_area() -> Rect {
    world_rect(
        8.0,
        TOP_BAR_PX + 6.0,
        PATH_PX - 16.0,
        WINDOW.y - TOP_BAR_PX - CHARTS_PX - TIMELINE_PX - 12.0,
    )
}

/// The floor: desks by team.
pub fn floor_area() -> Rect {
    world_rect(
        PATH_PX,
        TOP_BAR_PX + 6.0,
        WINDOW.x - PATH_PX - PANEL_PX - 8.0,
        WINDOW.y - TOP_BAR_PX - CHARTS_PX - TIMELINE_PX - 12.0,
    )
}

/// The charts strip.
pub fn charts_area() -> Rect {
    world_rect(
        8.0,
        WINDOW.y - CHARTS_PX - TIMELINE_PX,
        WINDOW.x - PANEL_PX - 16.0,
        CHARTS_PX - 6.0,
    )
}

/// Window background.
pub const BACKGROUND: Color = Color::srgb(0.085, 0.095, 0.11);
/// Panels and bars.
pub const PANEL_BG: Color = Color::srgba(0.13, 0.145, 0.17, 0.97);
/// Plain text.
pub const TEXT: Color = Color::srgb(0.88, 0.9, 0.92);
/// Headings and labels.
pub const TEXT_DIM: Color = Color::srgb(0.55, 0.6, 0.66);
/// The selected team.
pub const TEXT_SELECTED: Color = Color::srgb(1.0, 0.85, 0.3);
/// Errors.
pub const TEXT_ERROR: Color = Color::srgb(1.0, 0.45, 0.4);
/// A dialer line ringing.
pub const LINE_RINGING: Color = Color::srgb(0.35, 0.6, 1.0);
/// A dialer line answered, waiting for AMD or an agent.
pub const LINE_ANSWERED: Color = Color::srgb(1.0, 0.6, 0.2);
/// Timeline marks of a recording's inputs.
pub const MARK_RECORDED: Color = Color::srgb(0.75, 0.45, 1.0);
/// Timeline marks of a student's choices (recorded training sessions).
pub const MARK_CHOICE: Color = Color::srgb(0.3, 0.9, 0.6);
/// Buttons.
pub const BUTTON: Color = Color::srgb(0.22, 0.25, 0.3);
/// Buttons under the pointer.
pub const BUTTON_HOVER: Color = Color::srgb(0.3, 0.35, 0.42);
/// Buttons being pressed.
pub const BUTTON_PRESSED: Color = Color::srgb(0.45, 0.5, 0.3);

/// The colour of a desk in `state`.
pub fn desk_color(state: DeskState) -> Color {
    match state {
        DeskState::Off => Color::srgb(0.2, 0.215, 0.235),
        DeskState::Idle => Color::srgb(0.3, 0.69, 0.31),
        DeskState::Break => Color::srgb(0.45, 0.4, 0.78),
        DeskState::Dialing => Color::srgb(0.15, 0.78, 0.85),
        DeskState::Talking => Color::srgb(0.35, 0.55, 0.95),
        DeskState::InPhase(p) => match p {
            Phase::Alertheid => Color::srgb(1.0, 0.93, 0.35),
            Phase::Aanvang => Color::srgb(1.0, 0.76, 0.03),
            Phase::Analyse => Color::srgb(1.0, 0.6, 0.0),
            Phase::Aanbod => Color::srgb(1.0, 0.34, 0.13),
            Phase::Afsluiting => Color::srgb(0.91, 0.12, 0.39),
            Phase::Acw => Color::srgb(0.55, 0.43, 0.39),
        },
    }
}

/// The desk colours with their labels, for the legend.
pub fn legend() -> Vec<(&'static str, Color)> {
    let mut v = vec![
        ("off shift", DeskState::Off),
        ("idle", DeskState::Idle),
        ("on break", DeskState::Break),
        ("dialing / dialer", DeskState::Dialing),
        ("talking (no phases)", DeskState::Talking),
    ];
    let phases = [
        ("1 alertheid", Phase::Alertheid),
        ("2 aanvang", Phase::Aanvang),
        ("3 analyse", Phase::Analyse),
        ("4 aanbod", Phase::Aanbod),
        ("5 afsluiting", Phase::Afsluiting),
        ("after-call work", Phase::Acw),
    ];
    v.extend(phases.map(|(l, p)| (l, DeskState::InPhase(p))));
    v.into_iter().map(|(l, s)| (l, desk_color(s))).collect()
}

/// The letter shown for a personality.
pub fn persona_letter(p: Option<PersonaKind>) -> char {
    match p {
        Some(PersonaKind::Drammer) => 'D',
        Some(PersonaKind::Twijfelaar) => 'T',
        Some(PersonaKind::Zwijger) => 'Z',
        Some(PersonaKind::Babbelaar) => 'B',
        Some(PersonaKind::Neutral) => 'N',
        None => '?',
    }
}

/// The caller legend text.
pub fn persona_legend() -> String {
    "D drammer  T twijfelaar\nZ zwijger  B babbelaar\nN neutral   ? none\nin queue, colour = wait:\ngreen within the SL time,\nthen yellow, orange, red;\nfaint: took a callback;\ngold corner: priority"
        .to_string()
}

/// The colour of a waiting caller who has waited `wait_s` with a service-level
/// threshold of `sl_s`: green within it, then yellow, orange and red at six
/// times it.
pub fn wait_color(wait_s: f64, sl_s: f64) -> Color {
    let sl = sl_s.max(1.0);
    let x = (wait_s / sl) as f32;
    let green = Vec3::new(0.35, 0.85, 0.4);
    let yellow = Vec3::new(1.0, 0.9, 0.25);
    let red = Vec3::new(0.95, 0.2, 0.2);
    let c = if x <= 1.0 {
        green.lerp(yellow, x * 0.3)
    } else {
        let y = ((x - 1.0) / 5.0).min(1.0);
        if y < 0.5 {
            yellow.lerp(Vec3::new(1.0, 0.55, 0.15), y * 2.0)
        } else {
            Vec3::new(1.0, 0.55, 0.15).lerp(red, (y - 0.5) * 2.0)
        }
    };
    Color::srgb(c.x, c.y, c.z)
}

/// `day_start_h` plus `t_s` as "Day 1 · 09:41:07".
pub fn clock(day_start_h: f64, t_s: f64) -> String {
    let total = (day_start_h * 3600.0 + t_s).max(0.0).floor() as u64;
    let day = total / 86_400 + 1;
    let s = total % 86_400;
    format!(
        "Day {day} {:02}:{:02}:{:02}",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// A duration as "m:ss" (or "h:mm:ss").
pub fn duration(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// 5×7 bitmaps of the icon letters, one row per byte (bit 4 = left).
fn glyph(c: char) -> [u8; 7] {
    match c {
        'D' => [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'N' => [0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x11],
        _ => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04],
    }
}

/// Width and height of a caller icon texture, pixels.
pub const ICON_SIZE: UVec2 = UVec2::new(7, 9);

/// RGBA pixels of the icon for `c`: a dark letter on white (tinted by the
/// sprite's colour), with a transparent corner cut for a rounded look.
pub fn icon_pixels(c: char) -> Vec<u8> {
    let (w, h) = (ICON_SIZE.x as usize, ICON_SIZE.y as usize);
    let g = glyph(c);
    let mut px = vec![0u8; w * h * 4];
    for y in 0..h {
        for x in 0..w {
            let corner = (x == 0 || x == w - 1) && (y == 0 || y == h - 1);
            let letter =
                (1..=7).contains(&y) && (1..=5).contains(&x) && g[y - 1] & (0x10 >> (x - 1)) != 0;
            let rgba = if corner {
                [0, 0, 0, 0]
            } else if letter {
                [20, 22, 26, 255]
            } else {
                [255, 255, 255, 255]
            };
            px[(y * w + x) * 4..][..4].copy_from_slice(&rgba);
        }
    }
    px
}

/// The caller icons: one per personality and one for "unknown".
#[derive(Resource, Debug, Clone, Default)]
pub struct CallerIcons {
    /// Indexed by [`PersonaKind::index`]; the last is "unknown".
    pub handles: [Handle<Image>; 6],
}

impl CallerIcons {
    /// The icon for `p`.
    pub fn get(&self, p: Option<PersonaKind>) -> Handle<Image> {
        self.handles[p.map_or(5, PersonaKind::index)].clone()
    }
}

/// Make the icon textures (when the app has image assets; headless apps keep
/// default handles).
pub fn make_icons(images: Option<ResMut<Assets<Image>>>, mut icons: ResMut<CallerIcons>) {
    let Some(mut images) = images else { return };
    let letters = PersonaKind::ALL.map(|p| persona_letter(Some(p)));
    for (i, c) in letters.into_iter().chain(['?']).enumerate() {
        let mut image = Image::new(
            Extent3d {
                width: ICON_SIZE.x,
                height: ICON_SIZE.y,
                depth_or_array_layers: 1,
            },
            TextureDimension::D2,
            icon_pixels(c),
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::default(),
        );
        image.sampler = ImageSampler::nearest();
        icons.handles[i] = images.add(image);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_counts_from_the_day_start() {
        assert_eq!(clock(8.0, 0.0), "Day 1 08:00:00");
        assert_eq!(clock(8.0, 3661.9), "Day 1 09:01:01");
        assert_eq!(clock(20.0, 5.0 * 3600.0), "Day 2 01:00:00");
        assert_eq!(duration(75.0), "1:15");
        assert_eq!(duration(3725.0), "1:02:05");
    }

    #[test]
    fn icons_have_a_letter_in_the_middle() {
        let px = icon_pixels('T');
        assert_eq!(px.len(), 7 * 9 * 4);
        let at = |x: usize, y: usize| px[(y * 7 + x) * 4];
        assert_eq!(at(3, 1), 20); // the T's bar
        assert_eq!(at(3, 5), 20); // its stem
        assert_eq!(at(1, 5), 255); // background
        assert_eq!(px[3], 0); // transparent corner
    }

    #[test]
    fn regions_tile_the_window() {
        let (p, f, c) = (path_area(), floor_area(), charts_area());
        assert!(p.max.x <= f.min.x);
        assert!(f.min.y >= c.max.y && p.min.y >= c.max.y);
        assert!(f.max.x <= WINDOW.x / 2.0 - PANEL_PX);
        assert!(c.min.y >= -WINDOW.y / 2.0 + TIMELINE_PX - 1.0);
    }

    #[test]
    fn waiting_turns_red() {
        let g = wait_color(0.0, 20.0).to_srgba();
        let r = wait_color(1000.0, 20.0).to_srgba();
        assert!(g.green > g.red && r.red > r.green);
    }
}
