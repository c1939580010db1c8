//! Simulated time: seconds since the start of the run, as a non-negative finite `f64`.
//!
//! The newtype rules out NaN, infinities and negative times at construction, which
//! is what lets the event queue order times by their bit patterns.

use std::fmt;

/// A point in simulated time, in seconds since the start of the run. Always finite
/// and non-negative.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct SimTime(f64);

impl SimTime {
    /// The start of the run.
    pub const ZERO: SimTime = SimTime(0.0);

    /// A time of `seconds`, or `None` if it is negative, NaN or infinite.
    #[inline]
    pub fn new(seconds: f64) -> Option<SimTime> {
        (seconds.is_finite() && seconds >= 0.0).then_some(SimTime(seconds + 0.0))
    }

    /// Seconds since the start of the run.
    #[inline]
    pub fn seconds(self) -> f64 {
        self.0
    }

    /// This time plus a non-negative, finite delay. Panics in debug builds otherwise.
    #[inline]
    pub fn after(self, delay_s: f64) -> SimTime {
        debug_assert!(delay_s.is_finite() && delay_s >= 0.0, "bad delay {delay_s}");
        SimTime(self.0 + delay_s.max(0.0))
    }

    /// The bit pattern; monotone in the time for the values this type admits.
    #[inline]
    pub(crate) fn to_bits(self) -> u64 {
        self.0.to_bits()
    }

    #[inline]
    pub(crate) fn from_bits(bits: u64) -> SimTime {
        SimTime(f64::from_bits(bits))
    }
}

impl fmt::Display for SimTime {
    /// `h:mm:ss.s` of simulated time.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let h = (s / 3600.0).floor();
        let m = ((s - h * 3600.0) / 60.0).floor();
        let sec = s - h * 3600.0 - m * 60.0;
        write!(f, "{}:{:02}:{:04.1}", h as u64, m as u64, sec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_times() {
        assert!(SimTime::new(-1.0).is_none());
        assert!(SimTime::new(f64::NAN).is_none());
        assert!(SimTime::new(f64::INFINITY).is_none());
        // -0.0 is normalised to +0.0 so its bit pattern orders correctly.
        assert_eq!(SimTime::new(-0.0).unwrap().to_bits(), 0);
    }

    #[test]
    fn bits_are_monotone() {
        let xs = [0.0, 1e-300, 1e-3, 0.5, 1.0, 3600.0, 1e9];
        for w in xs.windows(2) {
            let (a, b) = (SimTime::new(w[0]).unwrap(), SimTime::new(w[1]).unwrap());
            assert!(a.to_bits() < b.to_bits());
        }
    }

    #[test]
    fn displays_clock() {
        assert_eq!(SimTime::new(3723.25).unwrap().to_string(), "1:02:03.2");
    }
}
