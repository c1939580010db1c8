//! The per-replication collector: counters and time integrals fed by the engine.
//!
//! The engine calls these hooks as things happen; they only record. Time integrals
//! (queue length, busy agents) are clipped to the measurement window
//! `[warmup, horizon)`.

use super::{CallTypeCounts, GroupCounts, RepResult};

/// A piecewise-constant quantity and its integral over the window.
#[derive(Debug, Clone, Copy, Default)]
struct Integral {
    value: f64,
    last_s: f64,
    area: f64,
}

impl Integral {
    #[inline]
    fn advance(&mut self, now_s: f64, lo: f64, hi: f64) {
        let a = self.last_s.max(lo);
        let b = now_s.min(hi);
        if b > a {
            self.area += self.value * (b - a);
        }
        self.last_s = now_s;
    }
}

/// Collects one replication's counters.
#[derive(Debug, Clone)]
pub(crate) struct Collector {
    lo: f64,
    hi: f64,
    sl_s: f64,
    types: Vec<CallTypeCounts>,
    groups: Vec<GroupCounts>,
    queue_len: Vec<Integral>,
    busy_by_type: Vec<Integral>,
    busy_by_group: Vec<Integral>,
    staffed: Vec<Integral>,
}

impl Collector {
    pub(crate) fn new(
        warmup_s: f64,
        horizon_s: f64,
        sl_s: f64,
        types: usize,
        staffing: &[u32],
    ) -> Self {
        Collector {
            lo: warmup_s,
            hi: horizon_s,
            sl_s,
            types: vec![CallTypeCounts::default(); types],
            groups: vec![GroupCounts::default(); staffing.len()],
            queue_len: vec![Integral::default(); types],
            busy_by_type: vec![Integral::default(); types],
            busy_by_group: vec![Integral::default(); staffing.len()],
            staffed: staffing
                .iter()
                .map(|&n| Integral {
                    value: n as f64,
                    ..Integral::default()
                })
                .collect(),
        }
    }

    #[inline]
    pub(crate) fn arrival(&mut self, ct: usize) {
        self.types[ct].offered += 1;
    }

    #[inline]
    pub(crate) fn queue_delta(&mut self, now_s: f64, ct: usize, delta: f64) {
        let q = &mut self.queue_len[ct];
        q.advance(now_s, self.lo, self.hi);
        q.value += delta;
    }

    #[inline]
    pub(crate) fn busy_delta(&mut self, now_s: f64, ct: usize, group: usize, delta: f64) {
        let (lo, hi) = (self.lo, self.hi);
        let b = &mut self.busy_by_type[ct];
        b.advance(now_s, lo, hi);
        b.value += delta;
        let b = &mut self.busy_by_group[group];
        b.advance(now_s, lo, hi);
        b.value += delta;
    }

    /// A counted call was answered after `wait_s`; `waited` is whether it queued.
    #[inline]
    pub(crate) fn answered(
        &mut self,
        ct: usize,
        group: usize,
        wait_s: f64,
        waited: bool,
        handle_s: f64,
    ) {
        let c = &mut self.types[ct];
        c.answered += 1;
        c.answered_in_sl += u64::from(wait_s <= self.sl_s);
        c.waited += u64::from(waited);
        c.wait_sum_s += wait_s;
        c.handle_sum_s += handle_s;
        let g = &mut self.groups[group];
        g.answered += 1;
        g.handle_sum_s += handle_s;
    }

    /// A counted call abandoned (it had necessarily queued).
    #[inline]
    pub(crate) fn abandoned(&mut self, ct: usize) {
        let c = &mut self.types[ct];
        c.abandoned += 1;
        c.waited += 1;
    }

    pub(crate) fn finish(
        mut self,
        now_s: f64,
        replication: u64,
        events: u64,
        calls: u64,
    ) -> RepResult {
        let (lo, hi) = (self.lo, self.hi);
        for (ct, c) in self.types.iter_mut().enumerate() {
            self.queue_len[ct].advance(now_s, lo, hi);
            self.busy_by_type[ct].advance(now_s, lo, hi);
            c.queue_area = self.queue_len[ct].area;
            c.busy_area = self.busy_by_type[ct].area;
        }
        for (g, c) in self.groups.iter_mut().enumerate() {
            self.busy_by_group[g].advance(now_s, lo, hi);
            self.staffed[g].advance(now_s.max(hi), lo, hi);
            c.busy_area = self.busy_by_group[g].area;
            c.staffed_area = self.staffed[g].area;
        }
        RepResult {
            replication,
            events,
            calls,
            window_s: hi - lo,
            call_types: self.types,
            groups: self.groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrals_are_clipped_to_the_window() {
        let mut c = Collector::new(10.0, 20.0, 20.0, 1, &[2]);
        c.queue_delta(5.0, 0, 1.0); // 1 waiting from 5
        c.queue_delta(15.0, 0, 1.0); // 2 waiting from 15
        c.queue_delta(25.0, 0, -2.0); // 0 from 25
        c.busy_delta(0.0, 0, 0, 1.0);
        let r = c.finish(30.0, 0, 0, 0);
        // Window [10, 20): 1 × 5 + 2 × 5 = 15.
        assert_eq!(r.call_types[0].queue_area, 15.0);
        assert_eq!(r.call_types[0].busy_area, 10.0);
        assert_eq!(r.groups[0].staffed_area, 20.0);
        assert_eq!(r.window_s, 10.0);
    }
}
