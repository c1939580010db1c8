//! Random streams of training, one per purpose, derived from a seed.
//!
//! Like the engine's streams (`engine::rng`), each is xoshiro256++ seeded by
//! a hash of `(seed, purpose, index)`, so adding a purpose shifts no other
//! stream. The purpose codes are salted so that no training stream equals an
//! engine stream for the same seed. Codes are never renumbered.

use rand::RngExt;
use rand::SeedableRng;

use crate::engine::rng::Stream;

/// What a training stream is used for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    /// The order and reasons of an exercise's calls.
    Plan,
    /// The caller's lines, one per phase.
    Lines,
    /// The techniques offered in each phase.
    Menu,
    /// Phase durations, hang-ups, escalations and the resolution.
    Outcome,
    /// The caller's reactions.
    Reactions,
}

impl Purpose {
    fn code(self) -> u64 {
        const SALT: u64 = 0x5452_4149_4E00_0000; // "TRAIN"
        SALT | match self {
            Purpose::Plan => 1,
            Purpose::Lines => 2,
            Purpose::Menu => 3,
            Purpose::Outcome => 4,
            Purpose::Reactions => 5,
        }
    }
}

/// SplitMix64's finaliser, as in `engine::rng`.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for `(seed, purpose, index)`.
pub(crate) fn stream(seed: u64, purpose: Purpose, index: u64) -> Stream {
    let h = mix(mix(mix(seed) ^ purpose.code()) ^ index);
    Stream::seed_from_u64(h)
}

/// The seed of call `index` of an exercise with seed `seed`.
pub(crate) fn call_seed(seed: u64, index: u64) -> u64 {
    mix(mix(seed ^ Purpose::Plan.code()) ^ index.wrapping_add(1))
}

/// A uniform index below `n` (0 when `n` is 0).
pub(crate) fn index_below(rng: &mut Stream, n: usize) -> usize {
    if n == 0 { 0 } else { rng.random_range(0..n) }
}

/// A uniform number in `[0, 1)`.
pub(crate) fn unit(rng: &mut Stream) -> f64 {
    rng.random::<f64>()
}

/// Shuffles `items` in place (Fisher–Yates).
pub(crate) fn shuffle<T>(rng: &mut Stream, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.random_range(0..=i);
        items.swap(i, j);
    }
}
