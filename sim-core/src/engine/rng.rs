//! Random streams, one per purpose, derived from `(seed, replication, purpose, index)`.
//!
//! Every random quantity in a run is drawn from a stream dedicated to its purpose
//! (arrivals of call type 2, handle times of call type 0, …). A stream's seed is a
//! hash of the scenario seed, the replication index, the purpose and an index, so:
//!
//! * a replication is a pure function of `(scenario, seed, replication)`: it does not
//!   matter which thread runs it or in which order;
//! * adding a stream (a new purpose, a new call type) shifts no other stream;
//! * changing the staffing changes no arrival, handle time or patience: call
//!   attributes are drawn at arrival, in arrival order, from their own streams
//!   (common random numbers for what-if comparisons).
//!
//! The generator is xoshiro256++ from `rand_xoshiro`, whose output is fixed by its
//! specification (portable across platforms and crate versions).

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every stream.
pub type Stream = Xoshiro256PlusPlus;

/// What a stream is used for. The numeric codes are part of the reproducibility
/// contract: never renumber, only add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Purpose {
    /// Inter-arrival times of one call type.
    Arrivals,
    /// Handle (service) times of one call type.
    HandleTime,
    /// Patience of the callers of one call type.
    Patience,
    /// Routing decisions that need chance (ties broken at random, etc.).
    Routing,
    /// IVR: time in a menu and the caller's choice, per menu.
    Ivr,
    /// The personality of each caller, per call type.
    Persona,
    /// Whether a caller is a priority customer, per call type.
    Priority,
    /// Whether an answered call is escalated, per call type.
    Transfer,
    /// Resolution, satisfaction and calling again, per call type.
    Outcome,
    /// Callback offers and reaching the customer, per call type.
    Callback,
    /// Which agents are absent for the day, per group.
    Shrinkage,
    /// The day's busyness factor.
    Busyness,
    /// Delays before callers call again, per call type.
    RetryDelay,
    /// One outbound dial attempt: its outcome, timing and AMD verdict, per
    /// `(campaign, record, attempt)` (see [`attempt_index`]).
    DialAttempt,
    /// One outbound conversation: talk times, buying signal, objection and sale,
    /// per `(campaign, record, attempt)`.
    Conversation,
    /// The personality of the person on a call-list record, per
    /// `(campaign, record)`.
    Callee,
    /// Preview times of a campaign's agents, per campaign.
    Preview,
}

impl Purpose {
    fn code(self) -> u64 {
        match self {
            Purpose::Arrivals => 1,
            Purpose::HandleTime => 2,
            Purpose::Patience => 3,
            Purpose::Routing => 4,
            Purpose::Ivr => 5,
            Purpose::Persona => 6,
            Purpose::Priority => 7,
            Purpose::Transfer => 8,
            Purpose::Outcome => 9,
            Purpose::Callback => 10,
            Purpose::Shrinkage => 11,
            Purpose::Busyness => 12,
            Purpose::RetryDelay => 13,
            Purpose::DialAttempt => 14,
            Purpose::Conversation => 15,
            Purpose::Callee => 16,
            Purpose::Preview => 17,
        }
    }
}

/// The stream index of attempt `attempt` on record `record` of campaign
/// `campaign`: streams per attempt make a record's fate the same whatever the
/// dialer (common random numbers when comparing dialers on one list).
pub fn attempt_index(campaign: usize, record: u32, attempt: u32) -> u64 {
    ((campaign as u64) << 48) | (u64::from(record) << 8) | u64::from(attempt & 0xff)
}

/// SplitMix64's finaliser: a bijective avalanche mix of 64 bits.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The 64-bit seed of the stream for `(seed, replication, purpose, index)`.
pub fn stream_seed(seed: u64, replication: u64, purpose: Purpose, index: u64) -> u64 {
    let mut h = mix(seed);
    h = mix(h ^ replication);
    h = mix(h ^ purpose.code());
    mix(h ^ index)
}

/// A fresh stream for `(seed, replication, purpose, index)`.
pub fn stream(seed: u64, replication: u64, purpose: Purpose, index: u64) -> Stream {
    Stream::seed_from_u64(stream_seed(seed, replication, purpose, index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn same_inputs_same_stream() {
        let mut a = stream(7, 3, Purpose::Arrivals, 0);
        let mut b = stream(7, 3, Purpose::Arrivals, 0);
        for _ in 0..100 {
            assert_eq!(a.random::<u64>(), b.random::<u64>());
        }
    }

    #[test]
    fn streams_differ_by_every_coordinate() {
        let base = stream_seed(7, 3, Purpose::Arrivals, 0);
        assert_ne!(base, stream_seed(8, 3, Purpose::Arrivals, 0));
        assert_ne!(base, stream_seed(7, 4, Purpose::Arrivals, 0));
        assert_ne!(base, stream_seed(7, 3, Purpose::Patience, 0));
        assert_ne!(base, stream_seed(7, 3, Purpose::Arrivals, 1));
        // Swapping coordinates must not collide either.
        assert_ne!(stream_seed(3, 7, Purpose::Arrivals, 0), base);
    }
}
