//! End-to-end and statistical tests of ccsim (one integration binary, as
//! matklad recommends: one link step, shared helpers).

mod calib;
mod cli;
mod erlang;
mod floor;
mod invariants;
mod outbound;
mod staff;
mod sweep;
mod tidy;
mod trace;
mod train;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the `ccsim` binary with `args` from the repository root.
pub fn ccsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("ccsim runs")
}

/// Write `contents` to a fresh file named `name` in the test scratch folder.
pub fn scratch_file(name: &str, contents: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("it");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("scratch file");
    path
}

/// The reference Erlang cases, `tests/data/erlang_cases.json`.
pub fn reference_cases() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("tests/data/erlang_cases.json"))
        .expect("tests/data/erlang_cases.json");
    serde_json::from_str(&text).expect("valid JSON")
}
