//! `sim-viz [SCENARIO.ron] [options]`: the real-time floor view (see the
//! README's "Floor view" section). All logic is in the library.

use std::process::ExitCode;

use sim_viz::args::{self, ArgsError, USAGE};

fn main() -> ExitCode {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(ArgsError::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(ArgsError::Bad(msg)) => {
            eprintln!("sim-viz: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(frames) = args.bench_frames {
        println!("{}", sim_viz::bench::run(frames));
        return ExitCode::SUCCESS;
    }
    match sim_viz::app::windowed_app(&args).run() {
        bevy::app::AppExit::Success => ExitCode::SUCCESS,
        bevy::app::AppExit::Error(_) => ExitCode::FAILURE,
    }
}
