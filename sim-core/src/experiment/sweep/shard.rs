//! Shards: one sweep split over several machines, merged back bit for bit.
//!
//! A sweep of `V` variants × `R` replications has `V·R` pairs, numbered in grid
//! order: pair `i` is variant `i / R`, replication `i % R`. Shard `K` of `N`
//! (1-based, as `K/N`) runs the pairs with `i % N == K − 1`: round-robin, so every
//! shard gets a share of every variant and the shards take about the same time
//! even when variants differ in cost (few agents, long queues).
//!
//! A shard writes a [`ShardFile`]: the raw per-pair results ([`RepResult`]) and
//! everything needed to check that shards belong together and to rebuild the
//! report: the scenario text and its SHA-256, the factors, seed, replications,
//! streams, baseline and `N`. [`merge`] checks that the files are consistent and
//! complete (naming the missing or duplicate shard, or the field that differs)
//! and returns the results in grid order, from which
//! [`SweepReport::new`](super::SweepReport::new) gives exactly the report of the
//! unsharded run: a replication is a pure function of `(model, seed, index)` and
//! the JSON encoding keeps every `f64` bit (serde_json's `float_roundtrip`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Factor, Progress, Streams, Sweep, SweepConfig, SweepError, run_pairs};
use crate::stats::RepResult;

/// The `format` field of every shard file.
pub const FORMAT: &str = "ccsim-sweep-shard";
/// The version of the shard file layout this build reads and writes.
pub const VERSION: u32 = 1;

/// Shard `index` of `count`, 1-based (`2/4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShardId {
    /// Which shard, from 1 to `count`.
    pub index: u32,
    /// How many shards the sweep is split into (at least 1).
    pub count: u32,
}

impl ShardId {
    /// Whether pair `i` (in grid order) belongs to this shard.
    pub fn holds(&self, pair: u64) -> bool {
        pair % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl fmt::Display for ShardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for ShardId {
    type Err = String;

    /// Parse `K/N` with `1 <= K <= N`.
    fn from_str(s: &str) -> Result<ShardId, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (e.g. 2/8), found `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(ShardId { index, count })
    }
}

/// One (variant, replication) result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairResult {
    /// Variant index, in grid order.
    pub variant: usize,
    /// What the replication measured (its index is `result.replication`).
    pub result: RepResult,
}

/// The partial result of one shard, as written to a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The layout version, [`VERSION`].
    pub version: u32,
    /// Which shard this is.
    pub shard: ShardId,
    /// SHA-256 of `scenario`, hex.
    pub scenario_sha256: String,
    /// The scenario file's text.
    pub scenario: String,
    /// The factors of the sweep.
    pub factors: Vec<Factor>,
    /// Number of variants (the size of the grid).
    pub variants: usize,
    /// Replications per variant.
    pub replications: u32,
    /// The seed.
    pub seed: u64,
    /// Common or independent random numbers.
    pub streams: Streams,
    /// The baseline variant.
    pub baseline: usize,
    /// This shard's results, in pair order.
    pub results: Vec<PairResult>,
}

/// SHA-256 of `text`, as 64 hex digits.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl ShardFile {
    /// The file's JSON text (one line).
    pub fn to_json(&self) -> Result<String, String> {
        let mut s = serde_json::to_string(self).map_err(|e| format!("cannot encode: {e}"))?;
        s.push('\n');
        Ok(s)
    }

    /// Read a shard file's JSON text, refusing other files and other versions.
    pub fn from_json(text: &str) -> Result<ShardFile, String> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err("not a ccsim sweep shard file (written by `ccsim sweep --shard`)".into());
        }
        let version = v.get("version").and_then(|f| f.as_u64());
        if version != Some(u64::from(VERSION)) {
            return Err(format!(
                "shard file version {} is not supported (this ccsim reads version {VERSION})",
                version.map_or("?".to_string(), |x| x.to_string())
            ));
        }
        // From the text, not the Value: serde_json's float_roundtrip applies to text.
        serde_json::from_str(text).map_err(|e| format!("malformed shard file: {e}"))
    }
}

/// Run shard `shard` of `sweep`. `scenario_text` is the scenario file's text
/// (`sweep`'s base scenario must have been parsed from it); it is stored with its
/// hash so that [`merge`] can check the shards and rebuild the report.
pub fn run_shard(
    sweep: &Sweep,
    scenario_text: &str,
    config: &SweepConfig,
    shard: ShardId,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<ShardFile, SweepError> {
    config.check(sweep.variants.len())?;
    if shard.index == 0 || shard.index > shard.count {
        return Err(SweepError::Results(format!("there is no shard {shard}")));
    }
    let r = u64::from(config.replications);
    let total = sweep.variants.len() as u64 * r;
    let pairs: Vec<(usize, u64)> = (u64::from(shard.index - 1)..total)
        .step_by(shard.count as usize)
        .map(|i| ((i / r) as usize, i % r))
        .collect();
    progress(Progress::Planned(pairs.len() as u64));
    let results = run_pairs(sweep, config, &pairs, progress)?
        .into_iter()
        .zip(&pairs)
        .map(|(result, &(variant, _))| PairResult { variant, result })
        .collect();
    Ok(ShardFile {
        format: FORMAT.to_string(),
        version: VERSION,
        shard,
        scenario_sha256: sha256_hex(scenario_text),
        scenario: scenario_text.to_string(),
        factors: sweep.factors.clone(),
        variants: sweep.variants.len(),
        replications: config.replications,
        seed: config.seed,
        streams: config.streams,
        baseline: config.baseline,
        results,
    })
}

/// Complete, checked results of a sharded sweep.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The scenario file's text.
    pub scenario: String,
    /// The factors.
    pub factors: Vec<Factor>,
    /// Replications, seed, streams and baseline (threads unset).
    pub config: SweepConfig,
    /// `results[v]`: replications `0..R` of variant `v`, in order.
    pub results: Vec<Vec<RepResult>>,
}

/// Why shard files cannot be merged. Fatal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// No file was given.
    #[error("no shard files to merge")]
    NoFiles,
    /// A file whose scenario text does not match its recorded hash.
    #[error("{origin}: the scenario text does not match its SHA-256 (the file was altered)")]
    Corrupt {
        /// The file.
        origin: String,
    },
    /// A file from another sweep.
    #[error("{origin} does not belong with {first}: {what} differs ({theirs} vs {ours})")]
    Mismatch {
        /// The file that differs.
        origin: String,
        /// The first file, which the others are compared with.
        first: String,
        /// The field that differs.
        what: &'static str,
        /// Its value in `origin`.
        theirs: String,
        /// Its value in `first`.
        ours: String,
    },
    /// The same shard twice.
    #[error("shard {shard} is given twice: {first} and {second}")]
    Duplicate {
        /// The shard.
        shard: ShardId,
        /// One file holding it.
        first: String,
        /// The other.
        second: String,
    },
    /// Shards that were not given.
    #[error("{} {} missing", list(missing, *count), if missing.len() == 1 { "is" } else { "are" })]
    Missing {
        /// Their indices (1-based).
        missing: Vec<u32>,
        /// The number of shards.
        count: u32,
    },
    /// A file whose results are not those of its shard.
    #[error("{origin}: {reason}")]
    Contents {
        /// The file.
        origin: String,
        /// What is wrong.
        reason: String,
    },
}

fn list(missing: &[u32], count: u32) -> String {
    let names: Vec<String> = missing.iter().map(|k| format!("{k}/{count}")).collect();
    format!(
        "shard{} {}",
        if missing.len() == 1 { "" } else { "s" },
        names.join(", ")
    )
}

/// Check that `files` (`(origin, shard)` pairs, origin being e.g. the file name)
/// are every shard of one sweep, each exactly once and each holding exactly its
/// pairs, and put the results in grid order.
pub fn merge(files: &[(String, ShardFile)]) -> Result<Merged, MergeError> {
    let Some((first_name, first)) = files.first() else {
        return Err(MergeError::NoFiles);
    };
    for (origin, f) in files {
        if sha256_hex(&f.scenario) != f.scenario_sha256 {
            return Err(MergeError::Corrupt {
                origin: origin.clone(),
            });
        }
        let mismatch = |what: &'static str, theirs: String, ours: String| MergeError::Mismatch {
            origin: origin.clone(),
            first: first_name.clone(),
            what,
            theirs,
            ours,
        };
        if f.shard.count != first.shard.count {
            return Err(mismatch(
                "the number of shards",
                f.shard.count.to_string(),
                first.shard.count.to_string(),
            ));
        }
        if f.scenario_sha256 != first.scenario_sha256 {
            return Err(mismatch(
                "the scenario (SHA-256)",
                f.scenario_sha256[..12].to_string(),
                first.scenario_sha256[..12].to_string(),
            ));
        }
        if f.factors != first.factors || f.variants != first.variants {
            let show = |fs: &[Factor]| {
                fs.iter()
                    .map(|x| format!("{}={:?}", x.path, x.values))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            return Err(mismatch(
                "the sweep (--vary)",
                show(&f.factors),
                show(&first.factors),
            ));
        }
        if f.replications != first.replications {
            return Err(mismatch(
                "replications",
                f.replications.to_string(),
                first.replications.to_string(),
            ));
        }
        if f.seed != first.seed {
            return Err(mismatch(
                "the seed",
                f.seed.to_string(),
                first.seed.to_string(),
            ));
        }
        if f.streams != first.streams {
            return Err(mismatch(
                "streams",
                f.streams.to_string(),
                first.streams.to_string(),
            ));
        }
        if f.baseline != first.baseline {
            return Err(mismatch(
                "the baseline",
                f.baseline.to_string(),
                first.baseline.to_string(),
            ));
        }
    }
    let count = first.shard.count;
    let mut owner: Vec<Option<&str>> = vec![None; count as usize];
    for (origin, f) in files {
        if f.shard.index == 0 || f.shard.index > count {
            return Err(MergeError::Contents {
                origin: origin.clone(),
                reason: format!("there is no shard {}", f.shard),
            });
        }
        let slot = &mut owner[(f.shard.index - 1) as usize];
        if let Some(prev) = slot {
            return Err(MergeError::Duplicate {
                shard: f.shard,
                first: (*prev).to_string(),
                second: origin.clone(),
            });
        }
        *slot = Some(origin);
    }
    let missing: Vec<u32> = (1..=count)
        .filter(|k| owner[(k - 1) as usize].is_none())
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, count });
    }

    let r = u64::from(first.replications);
    let total = first.variants as u64 * r;
    let mut slots: Vec<Option<RepResult>> = vec![None; total as usize];
    for (origin, f) in files {
        let contents = |reason: String| MergeError::Contents {
            origin: origin.clone(),
            reason,
        };
        let expected = (u64::from(f.shard.index - 1)..total)
            .step_by(count as usize)
            .count();
        if f.results.len() != expected {
            return Err(contents(format!(
                "shard {} should hold {expected} results, holds {}",
                f.shard,
                f.results.len()
            )));
        }
        for p in &f.results {
            let rep = p.result.replication;
            if p.variant >= first.variants || rep >= r {
                return Err(contents(format!(
                    "a result for variant {} replication {rep} is outside the sweep",
                    p.variant
                )));
            }
            let i = p.variant as u64 * r + rep;
            if !f.shard.holds(i) {
                return Err(contents(format!(
                    "the result for variant {} replication {rep} belongs to another shard",
                    p.variant
                )));
            }
            let slot = &mut slots[i as usize];
            if slot.is_some() {
                return Err(contents(format!(
                    "variant {} replication {rep} appears twice",
                    p.variant
                )));
            }
            *slot = Some(p.result.clone());
        }
    }
    // Every shard held its full count without duplicates, so every slot is filled.
    let mut flat = slots.into_iter().flatten();
    let results = (0..first.variants)
        .map(|_| flat.by_ref().take(r as usize).collect())
        .collect();
    Ok(Merged {
        scenario: first.scenario.clone(),
        factors: first.factors.clone(),
        config: SweepConfig {
            replications: first.replications,
            seed: first.seed,
            threads: None,
            streams: first.streams,
            baseline: first.baseline,
        },
        results,
    })
}
