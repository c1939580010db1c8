//! Placeholder for ccsim's real-time Bevy front end (its own issue). It already
//! depends only on sim-core's public API: it loads a scenario and says what it
//! would show.

use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scenarios/single-queue.ron".to_string());
    let src = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sim-viz: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    match sim_core::scenario::parse(&src) {
        Ok(s) => {
            println!(
                "sim-viz: the real-time floor view is not built yet; scenario \"{}\" has {} call type(s) and {} agent group(s).",
                s.name,
                s.call_types.len(),
                s.agent_groups.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{}", e.render(&path, &src));
            ExitCode::from(2)
        }
    }
}
