//! Checks of the architecture invariants that a compiler cannot see.

use crate::root;

/// sim-core knows nothing of Bevy (or any UI): only sim-viz depends on it.
#[test]
fn only_sim_viz_depends_on_bevy() {
    for manifest in ["sim-core/Cargo.toml", "Cargo.toml"] {
        let text = std::fs::read_to_string(root().join(manifest)).expect("manifest");
        let deps = text.split("[dependencies]").nth(1).unwrap_or("");
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with("bevy")),
            "{manifest} depends on bevy"
        );
    }
    let viz = std::fs::read_to_string(root().join("sim-viz/Cargo.toml")).expect("manifest");
    assert!(
        viz.contains("default-features = false"),
        "bevy's default features pull in audio, gamepads and Wayland"
    );
}
