//! Command-line arguments (a handful, parsed by hand to keep the build lean).

use std::path::PathBuf;

/// What the binary was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    /// The scenario file or recording (default: the bundled
    /// `scenarios/retail-bank.ron`).
    pub scenario: Option<PathBuf>,
    /// Save a screenshot here and exit.
    pub screenshot: Option<PathBuf>,
    /// Frames to render before the screenshot.
    pub after_frames: u32,
    /// Run this many frames headless and report frame times.
    pub bench_frames: Option<u32>,
    /// Start at this speed.
    pub speed: Option<f64>,
    /// Start this many simulated hours into the day (re-simulated at start-up).
    pub start_at_h: Option<f64>,
    /// Cap on events per frame.
    pub max_events_per_frame: Option<u32>,
    /// Start paused.
    pub paused: bool,
    /// Open the generated benchmark floor (500 agents, overloaded) instead of a file.
    pub overload: bool,
    /// The student's name, for a training exercise's result.
    pub student: Option<String>,
}

/// The usage text.
pub const USAGE: &str = "\
usage: sim-viz [SCENARIO.ron | RECORDING.trace | EXERCISE.ron] [options]

  SCENARIO.ron              scenario to open (default: scenarios/retail-bank.ron, bundled)
  RECORDING.trace           recorded run to play back (ccsim run --record, ccsim train,
                            or this app's Record button), checked event by event
  EXERCISE.ron              a classroom exercise: take its calls in the dialog panel
  --student NAME            the student's name (training result files)
  --speed X                 start at X simulated seconds per second (1..1000, default 60)
  --start-at H              start H simulated hours into the day
  --paused                  start paused
  --overload                open the generated benchmark floor (500 agents, overloaded)
  --max-events-per-frame N  cap on events per frame (default 20000)
  --screenshot PATH         save a PNG of the window after --after-frames frames, then exit
  --after-frames N          frames before the screenshot (default 90)
  --bench-frames N          headless: run N frames of a 500-agent overloaded floor at
                            1000x and print frame times (no window)
  -h, --help                this text";

impl Default for Args {
    fn default() -> Self {
        Args {
            scenario: None,
            screenshot: None,
            after_frames: 90,
            bench_frames: None,
            speed: None,
            start_at_h: None,
            max_events_per_frame: None,
            paused: false,
            overload: false,
            student: None,
        }
    }
}

/// Why the arguments were refused (the message says which).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    /// `--help` was asked for.
    Help,
    /// Something is wrong; the text says what.
    Bad(String),
}

fn value<T: std::str::FromStr>(
    it: &mut impl Iterator<Item = String>,
    flag: &str,
) -> Result<T, ArgsError> {
    let v = it
        .next()
        .ok_or_else(|| ArgsError::Bad(format!("{flag} needs a value")))?;
    v.parse()
        .map_err(|_| ArgsError::Bad(format!("{flag}: cannot read '{v}'")))
}

/// Parse the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Args, ArgsError> {
    let mut out = Args::default();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Err(ArgsError::Help),
            "--screenshot" => out.screenshot = Some(PathBuf::from(value::<String>(&mut it, &a)?)),
            "--after-frames" => out.after_frames = value(&mut it, &a)?,
            "--bench-frames" => out.bench_frames = Some(value(&mut it, &a)?),
            "--speed" => {
                let s: f64 = value(&mut it, &a)?;
                if !(1.0..=1000.0).contains(&s) {
                    return Err(ArgsError::Bad(format!(
                        "--speed must be in 1..1000, found {s}"
                    )));
                }
                out.speed = Some(s);
            }
            "--start-at" => {
                let h: f64 = value(&mut it, &a)?;
                if !(h.is_finite() && h >= 0.0) {
                    return Err(ArgsError::Bad(format!(
                        "--start-at must be >= 0, found {h}"
                    )));
                }
                out.start_at_h = Some(h);
            }
            "--max-events-per-frame" => {
                let n: u32 = value(&mut it, &a)?;
                if n == 0 {
                    return Err(ArgsError::Bad("--max-events-per-frame must be > 0".into()));
                }
                out.max_events_per_frame = Some(n);
            }
            "--student" => out.student = Some(value(&mut it, &a)?),
            "--paused" => out.paused = true,
            "--overload" => out.overload = true,
            s if s.starts_with('-') => return Err(ArgsError::Bad(format!("unknown option {s}"))),
            _ if out.scenario.is_none() => out.scenario = Some(PathBuf::from(a)),
            _ => return Err(ArgsError::Bad(format!("unexpected argument {a}"))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Args, ArgsError> {
        parse(s.split_whitespace().map(String::from))
    }

    #[test]
    fn reads_every_option() {
        let a = p(
            "x.ron --screenshot out/a.png --after-frames 30 --speed 300 --start-at 2.5 --paused --overload --student Anna",
        )
        .unwrap();
        assert_eq!(a.student.as_deref(), Some("Anna"));
        assert_eq!(a.scenario, Some(PathBuf::from("x.ron")));
        assert_eq!(a.screenshot, Some(PathBuf::from("out/a.png")));
        assert_eq!(a.after_frames, 30);
        assert_eq!(a.speed, Some(300.0));
        assert_eq!(a.start_at_h, Some(2.5));
        assert!(a.paused && a.overload);
        assert_eq!(p("--bench-frames 100").unwrap().bench_frames, Some(100));
        assert_eq!(p("").unwrap(), Args::default());
    }

    #[test]
    fn refuses_bad_input_with_a_message() {
        assert_eq!(p("--help"), Err(ArgsError::Help));
        for bad in [
            "--speed 0",
            "--speed fast",
            "--after-frames",
            "--frobnicate",
            "a.ron b.ron",
            "--start-at -1",
            "--max-events-per-frame 0",
        ] {
            assert!(matches!(p(bad), Err(ArgsError::Bad(_))), "{bad}");
        }
    }
}
