//! The per-replication collector: counters and time integrals fed by the engine.
//!
//! The engine calls these hooks as things happen; they only record. Time integrals
//! (queue length, busy and staffed agents) are kept twice: clipped to the
//! measurement window `[warmup, horizon)` for the run's KPIs, and sliced by
//! reporting interval over `[0, horizon)` for the interval KPIs.

use super::campaign::CampaignCollector;
use super::{
    CallTypeCounts, GroupCounts, IntervalCounts, IvrCounts, MenuCounts, PersonaCounts, RepResult,
};

/// A piecewise-constant quantity and its integrals.
#[derive(Debug, Clone, Default)]
struct Track {
    value: f64,
    last_s: f64,
    window_area: f64,
    interval_area: Vec<f64>,
    /// The interval holding `last_s`, and its end (time only moves forward).
    cur: usize,
    cur_end: f64,
}

#[derive(Debug, Clone, Copy)]
struct Clock {
    lo: f64,
    hi: f64,
    step: f64,
}

impl Track {
    fn new(intervals: usize, value: f64) -> Track {
        Track {
            value,
            last_s: 0.0,
            window_area: 0.0,
            interval_area: vec![0.0; intervals],
            cur: 0,
            cur_end: 0.0,
        }
    }

    #[inline(always)]
    fn advance(&mut self, now_s: f64, c: Clock) {
        let last = self.last_s;
        if now_s <= last {
            return;
        }
        self.last_s = now_s;
        if self.value == 0.0 {
            return;
        }
        let a = last.max(c.lo);
        let b = now_s.min(c.hi);
        if b > a {
            self.window_area += self.value * (b - a);
        }
        if last >= c.hi {
            return;
        }
        // Slice [last, min(now, horizon)) by interval; usually one interval.
        let end = now_s.min(c.hi);
        if end <= self.cur_end {
            if let Some(x) = self.interval_area.get_mut(self.cur) {
                *x += self.value * (end - last);
            }
            return;
        }
        let mut t = last;
        let mut i = (t / c.step) as usize;
        while t < end && i < self.interval_area.len() {
            let seg_end = ((i + 1) as f64 * c.step).min(end);
            self.interval_area[i] += self.value * (seg_end - t);
            self.cur = i;
            self.cur_end = ((i + 1) as f64 * c.step).min(c.hi);
            t = seg_end;
            i += 1;
        }
    }

    #[inline(always)]
    fn add(&mut self, now_s: f64, c: Clock, delta: f64) {
        self.advance(now_s, c);
        self.value += delta;
    }
}

/// Busy time, added a whole span at a time.
#[derive(Debug, Clone, Default)]
struct Spans {
    window_area: f64,
    interval_area: Vec<f64>,
}

impl Spans {
    fn new(intervals: usize) -> Spans {
        Spans {
            window_area: 0.0,
            interval_area: vec![0.0; intervals],
        }
    }
}

/// Collects one replication's counters.
#[derive(Debug, Clone)]
pub(crate) struct Collector {
    clock: Clock,
    sl_s: f64,
    types: Vec<CallTypeCounts>,
    intervals: Vec<Vec<IntervalCounts>>,
    groups: Vec<GroupCounts>,
    personas: Vec<PersonaCounts>,
    ivr: IvrCounts,
    queue_len: Vec<Track>,
    busy_by_type: Vec<Spans>,
    busy_by_group: Vec<Spans>,
    staffed: Vec<Track>,
    paid: Vec<Track>,
    retrials: u64,
    lost_at_close: u64,
    /// Number of reporting intervals.
    n_intervals: usize,
    /// Outbound campaigns' counters (`None` without campaigns).
    pub(crate) campaigns: Option<Box<CampaignCollector>>,
    /// The interval holding the latest time asked about, and its bounds (the
    /// engine's clock only moves forward, so this is almost always a hit).
    cur: usize,
    cur_start: f64,
    cur_end: f64,
}

impl Collector {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        warmup_s: f64,
        horizon_s: f64,
        interval_s: f64,
        intervals: usize,
        sl_s: f64,
        types: usize,
        groups: usize,
        menus: usize,
    ) -> Self {
        let tracks = |n: usize| {
            (0..n)
                .map(|_| Track::new(intervals, 0.0))
                .collect::<Vec<_>>()
        };
        Collector {
            clock: Clock {
                lo: warmup_s,
                hi: horizon_s,
                step: interval_s,
            },
            sl_s,
            types: vec![CallTypeCounts::default(); types],
            intervals: vec![vec![IntervalCounts::default(); intervals]; types],
            groups: vec![GroupCounts::default(); groups],
            personas: vec![PersonaCounts::default(); 5],
            ivr: IvrCounts {
                menus: vec![MenuCounts::default(); menus],
                ..IvrCounts::default()
            },
            queue_len: tracks(types),
            busy_by_type: vec![Spans::new(intervals); types],
            busy_by_group: vec![Spans::new(intervals); groups],
            staffed: tracks(groups),
            paid: tracks(groups),
            retrials: 0,
            lost_at_close: 0,
            n_intervals: intervals,
            campaigns: None,
            cur: 0,
            cur_start: 0.0,
            cur_end: interval_s,
        }
    }

    /// The interval holding `t_s` (clamped to the last one).
    #[inline(always)]
    fn locate(&mut self, t_s: f64) -> usize {
        if t_s >= self.cur_start && t_s < self.cur_end {
            return self.cur;
        }
        let step = self.clock.step;
        let i = (t_s / step) as usize;
        self.cur = i;
        self.cur_start = i as f64 * step;
        self.cur_end = (i + 1) as f64 * step;
        i
    }

    /// Interval index of a time (clamped to the last interval).
    #[inline(always)]
    pub(crate) fn interval_of(&mut self, t_s: f64) -> u32 {
        let n = self.n_intervals;
        self.locate(t_s).min(n.saturating_sub(1)) as u32
    }

    #[inline]
    fn slot(&mut self, ct: usize, interval: u32) -> Option<&mut IntervalCounts> {
        self.intervals[ct].get_mut(interval as usize)
    }

    /// A leg joined the queue of `ct` (a new call, a transfer or a retrial).
    #[inline(always)]
    pub(crate) fn offered(
        &mut self,
        ct: usize,
        interval: u32,
        persona: Option<usize>,
        counted: bool,
    ) {
        if let Some(s) = self.slot(ct, interval) {
            s.offered += 1;
        }
        if counted {
            self.types[ct].offered += 1;
            if let Some(p) = persona {
                self.personas[p].offered += 1;
            }
        }
    }

    #[inline(always)]
    pub(crate) fn queue_delta(&mut self, now_s: f64, ct: usize, delta: f64) {
        let c = self.clock;
        self.queue_len[ct].add(now_s, c, delta);
    }

    /// An agent of `group` is busy with a call of `ct` over `[start_s, end_s)`
    /// (known in advance: work is never interrupted).
    #[inline(always)]
    pub(crate) fn busy_span(&mut self, ct: usize, group: usize, start_s: f64, end_s: f64) {
        let c = self.clock;
        let window = (end_s.min(c.hi) - start_s.max(c.lo)).max(0.0);
        self.busy_by_type[ct].window_area += window;
        self.busy_by_group[group].window_area += window;
        // Slice by interval (usually one).
        let end = end_s.min(c.hi);
        if start_s >= end {
            return;
        }
        let i = self.locate(start_s);
        if end <= self.cur_end {
            if let (Some(a), Some(b)) = (
                self.busy_by_type[ct].interval_area.get_mut(i),
                self.busy_by_group[group].interval_area.get_mut(i),
            ) {
                *a += end - start_s;
                *b += end - start_s;
            }
            return;
        }
        let mut t = start_s;
        let mut i = i;
        while t < end && i < self.busy_by_type[ct].interval_area.len() {
            let seg_end = ((i + 1) as f64 * c.step).min(end);
            self.busy_by_type[ct].interval_area[i] += seg_end - t;
            self.busy_by_group[group].interval_area[i] += seg_end - t;
            t = seg_end;
            i += 1;
        }
    }

    /// An agent of `group` is busy with outbound work over `[start_s, end_s)`.
    pub(crate) fn busy_span_group(&mut self, group: usize, start_s: f64, end_s: f64) {
        let c = self.clock;
        let window = (end_s.min(c.hi) - start_s.max(c.lo)).max(0.0);
        self.busy_by_group[group].window_area += window;
        let end = end_s.min(c.hi);
        let mut t = start_s;
        let mut i = (t / c.step) as usize;
        while t < end && i < self.busy_by_group[group].interval_area.len() {
            let seg_end = ((i + 1) as f64 * c.step).min(end);
            self.busy_by_group[group].interval_area[i] += seg_end - t;
            t = seg_end;
            i += 1;
        }
    }

    /// Agents of `group` available for calls (on duty, not on break) changed.
    #[inline]
    pub(crate) fn staffed_delta(&mut self, now_s: f64, group: usize, delta: f64) {
        let c = self.clock;
        self.staffed[group].add(now_s, c, delta);
        if let Some(out) = self.campaigns.as_deref_mut() {
            out.staffed_delta(now_s, group, delta);
        }
    }

    /// Agents of `group` on duty (paid, breaks included) changed.
    #[inline]
    pub(crate) fn paid_delta(&mut self, now_s: f64, group: usize, delta: f64) {
        let c = self.clock;
        self.paid[group].add(now_s, c, delta);
    }

    /// A leg was answered after `wait_s`; `waited` is whether it queued.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub(crate) fn answered(
        &mut self,
        ct: usize,
        interval: u32,
        group: usize,
        persona: Option<usize>,
        wait_s: f64,
        waited: bool,
        handle_s: f64,
        counted: bool,
    ) {
        let in_sl = wait_s <= self.sl_s;
        if let Some(s) = self.slot(ct, interval) {
            s.answered += 1;
            s.answered_in_sl += u64::from(in_sl);
            s.waited += u64::from(waited);
            s.wait_sum_s += wait_s;
            s.handle_sum_s += handle_s;
        }
        if !counted {
            return;
        }
        let c = &mut self.types[ct];
        c.answered += 1;
        c.answered_in_sl += u64::from(in_sl);
        c.waited += u64::from(waited);
        c.wait_sum_s += wait_s;
        c.handle_sum_s += handle_s;
        let g = &mut self.groups[group];
        g.answered += 1;
        g.handle_sum_s += handle_s;
        if let Some(p) = persona {
            let p = &mut self.personas[p];
            p.answered += 1;
            p.answered_in_sl += u64::from(in_sl);
            p.wait_sum_s += wait_s;
            p.handle_sum_s += handle_s;
        }
    }

    /// A leg abandoned (it had necessarily queued), or a callback was not reached.
    #[inline]
    pub(crate) fn abandoned(
        &mut self,
        ct: usize,
        interval: u32,
        persona: Option<usize>,
        counted: bool,
    ) {
        if let Some(s) = self.slot(ct, interval) {
            s.abandoned += 1;
            s.waited += 1;
        }
        if counted {
            let c = &mut self.types[ct];
            c.abandoned += 1;
            c.waited += 1;
            if let Some(p) = persona {
                self.personas[p].abandoned += 1;
            }
        }
    }

    /// The conversation of a counted leg ended (the caller hung up after it).
    pub(crate) fn conversation_ended(
        &mut self,
        ct: usize,
        persona: Option<usize>,
        outcome: Option<(bool, u8)>,
        phases: Option<&[f64; 6]>,
    ) {
        let c = &mut self.types[ct];
        if let Some(ph) = phases {
            c.phase_calls += 1;
            for (sum, d) in c.phase_sum_s.iter_mut().zip(ph) {
                *sum += d;
            }
        }
        if let Some((resolved, csat)) = outcome {
            c.resolved += u64::from(resolved);
            c.unresolved += u64::from(!resolved);
            c.csat_sum += f64::from(csat);
            c.csat_n += 1;
            if let Some(p) = persona {
                let p = &mut self.personas[p];
                p.resolved += u64::from(resolved);
                p.unresolved += u64::from(!resolved);
                p.csat_sum += f64::from(csat);
                p.csat_n += 1;
            }
        }
    }

    pub(crate) fn transferred(&mut self, from: usize, counted: bool) {
        if counted {
            self.types[from].transfers_out += 1;
        }
    }

    pub(crate) fn callback_accepted(&mut self, ct: usize, counted: bool) {
        if counted {
            self.types[ct].callbacks += 1;
        }
    }

    pub(crate) fn retrial(&mut self, ct: usize, persona: Option<usize>, counted: bool) {
        if counted {
            self.retrials += 1;
            self.types[ct].retrials += 1;
            if let Some(p) = persona {
                self.personas[p].retrials += 1;
            }
        }
    }

    pub(crate) fn ivr_arrival(&mut self, counted: bool) {
        if counted {
            self.ivr.arrivals += 1;
        }
    }

    pub(crate) fn ivr_menu(&mut self, menu: usize, time_s: f64, counted: bool) {
        if counted {
            let m = &mut self.ivr.menus[menu];
            m.visits += 1;
            m.time_sum_s += time_s;
            self.ivr.time_sum_s += time_s;
        }
    }

    pub(crate) fn ivr_hangup(&mut self, menu: usize, counted: bool) {
        if counted {
            self.ivr.hangups += 1;
            self.ivr.menus[menu].hangups += 1;
        }
    }

    pub(crate) fn ivr_self_service(&mut self, menu: usize, counted: bool) {
        if counted {
            self.ivr.self_service += 1;
            self.ivr.menus[menu].self_service += 1;
        }
    }

    pub(crate) fn ivr_routed(&mut self, menu: usize, misrouted: bool, counted: bool) {
        if counted {
            self.ivr.routed += 1;
            self.ivr.menus[menu].routed += 1;
            self.ivr.misroutes += u64::from(misrouted);
            self.ivr.menus[menu].misroutes += u64::from(misrouted);
        }
    }

    pub(crate) fn lost_at_close(&mut self, n: u64) {
        self.lost_at_close += n;
    }

    pub(crate) fn finish(
        mut self,
        now_s: f64,
        replication: u64,
        events: u64,
        calls: u64,
    ) -> RepResult {
        let c = self.clock;
        let end = now_s.max(c.hi);
        for (ct, counts) in self.types.iter_mut().enumerate() {
            self.queue_len[ct].advance(now_s, c);
            counts.queue_area = self.queue_len[ct].window_area;
            counts.busy_area = self.busy_by_type[ct].window_area;
            for (i, s) in self.intervals[ct].iter_mut().enumerate() {
                s.queue_area = self.queue_len[ct].interval_area[i];
                s.busy_area = self.busy_by_type[ct].interval_area[i];
            }
        }
        let mut staffed_by_interval = vec![0.0; self.n_intervals];
        for (g, counts) in self.groups.iter_mut().enumerate() {
            self.staffed[g].advance(end, c);
            self.paid[g].advance(end, c);
            counts.busy_area = self.busy_by_group[g].window_area;
            counts.staffed_area = self.staffed[g].window_area;
            counts.paid_area = self.paid[g].window_area;
            counts.paid_area_all = self.paid[g].interval_area.iter().sum();
            counts.staffed_by_interval = self.staffed[g].interval_area.clone();
            counts.busy_by_interval = self.busy_by_group[g].interval_area.clone();
            for (i, a) in self.staffed[g].interval_area.iter().enumerate() {
                staffed_by_interval[i] += a;
            }
        }
        RepResult {
            replication,
            events,
            calls,
            window_s: c.hi - c.lo,
            interval_s: c.step,
            call_types: self.types,
            intervals: self.intervals,
            staffed_by_interval,
            groups: self.groups,
            personas: self.personas,
            ivr: self.ivr,
            retrials: self.retrials,
            lost_at_close: self.lost_at_close,
            campaigns: self.campaigns.map(|c| c.finish(end)).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrals_are_clipped_to_the_window_and_sliced_by_interval() {
        // Window [10, 20), intervals of 10 s over [0, 30).
        let mut c = Collector::new(10.0, 30.0, 10.0, 3, 20.0, 1, 1, 0);
        c.clock.hi = 20.0;
        c.queue_delta(5.0, 0, 1.0); // 1 waiting from 5
        c.queue_delta(15.0, 0, 1.0); // 2 waiting from 15
        c.queue_delta(25.0, 0, -2.0); // 0 from 25
        c.busy_span(0, 0, 0.0, 30.0);
        c.staffed_delta(0.0, 0, 2.0);
        let r = c.finish(30.0, 0, 0, 0);
        // Window [10, 20): 1 × 5 + 2 × 5 = 15.
        assert_eq!(r.call_types[0].queue_area, 15.0);
        assert_eq!(r.call_types[0].busy_area, 10.0);
        assert_eq!(r.groups[0].staffed_area, 20.0);
        assert_eq!(r.window_s, 10.0);
        // Slices of [0, 20): [0,10) has 1 × 5, [10,20) has 15.
        assert_eq!(r.intervals[0][0].queue_area, 5.0);
        assert_eq!(r.intervals[0][1].queue_area, 15.0);
    }
}
