//! The outbound part of the collector: per-campaign counters, the live answers'
//! fates for the compliance windows, and the agent time of each campaign.
//!
//! Like the rest of the collector it only records: the engine keeps its own
//! rolling window for the dialers.

use super::{CampaignCounts, CampaignIntervalCounts};
use crate::scenario::DialOutcome;

/// What the collector needs to know of a campaign.
#[derive(Debug, Clone)]
pub(crate) struct CampaignSetup {
    pub(crate) start_s: f64,
    pub(crate) end_s: f64,
    pub(crate) window_s: f64,
    pub(crate) max_rate: f64,
}

#[derive(Debug, Clone)]
struct CampaignStats {
    counts: CampaignCounts,
    /// Every live answer's fate: (time decided, abandoned), in time order.
    fates: Vec<(f64, bool)>,
    /// Available agents of the campaign's groups, and since when.
    staffed: f64,
    last_s: f64,
    setup: CampaignSetup,
}

/// Counters of every campaign of a replication.
#[derive(Debug, Clone)]
pub(crate) struct CampaignCollector {
    per: Vec<CampaignStats>,
    /// Per agent group, the campaigns it works.
    group_campaigns: Vec<Vec<u32>>,
    warmup_s: f64,
    horizon_s: f64,
    step_s: f64,
    intervals: usize,
}

impl CampaignCollector {
    pub(crate) fn new(
        setups: Vec<CampaignSetup>,
        group_campaigns: Vec<Vec<u32>>,
        warmup_s: f64,
        horizon_s: f64,
        step_s: f64,
        intervals: usize,
    ) -> Self {
        let per = setups
            .into_iter()
            .map(|setup| CampaignStats {
                counts: CampaignCounts {
                    intervals: vec![CampaignIntervalCounts::default(); intervals],
                    ..CampaignCounts::default()
                },
                fates: Vec::new(),
                staffed: 0.0,
                last_s: 0.0,
                setup,
            })
            .collect();
        CampaignCollector {
            per,
            group_campaigns,
            warmup_s,
            horizon_s,
            step_s,
            intervals,
        }
    }

    fn interval(&self, t_s: f64) -> usize {
        ((t_s / self.step_s) as usize).min(self.intervals.saturating_sub(1))
    }

    fn at(&mut self, c: usize, t_s: f64) -> (&mut CampaignCounts, usize) {
        let i = self.interval(t_s);
        (&mut self.per[c].counts, i)
    }

    pub(crate) fn dial(&mut self, c: usize, now_s: f64, counted: bool) {
        let (k, i) = self.at(c, now_s);
        if let Some(iv) = k.intervals.get_mut(i) {
            iv.dials += 1;
        }
        if counted {
            k.dials += 1;
        }
    }

    pub(crate) fn outcome(&mut self, c: usize, o: DialOutcome, counted: bool) {
        if counted {
            let idx = DialOutcome::ALL.iter().position(|x| *x == o).unwrap_or(0);
            self.per[c].counts.outcomes[idx] += 1;
        }
    }

    /// A person who picked up was connected (`abandoned` false) or abandoned.
    pub(crate) fn fate(&mut self, c: usize, now_s: f64, abandoned: bool, counted: bool) {
        self.per[c].fates.push((now_s, abandoned));
        let (k, i) = self.at(c, now_s);
        if let Some(iv) = k.intervals.get_mut(i) {
            iv.live_answers += 1;
            iv.nuisance_abandons += u64::from(abandoned);
        }
        if counted {
            k.live_answers += 1;
            k.nuisance_abandons += u64::from(abandoned);
        }
    }

    pub(crate) fn amd_error(&mut self, c: usize, now_s: f64, false_positive: bool, counted: bool) {
        let (k, i) = self.at(c, now_s);
        if let Some(iv) = k.intervals.get_mut(i) {
            if false_positive {
                iv.amd_false_positives += 1;
            } else {
                iv.amd_false_negatives += 1;
            }
        }
        if counted {
            if false_positive {
                k.amd_false_positives += 1;
            } else {
                k.amd_false_negatives += 1;
            }
        }
    }

    pub(crate) fn machine_dropped(&mut self, c: usize, counted: bool) {
        if counted {
            self.per[c].counts.machines_dropped += 1;
        }
    }

    /// An agent took an answered call (a person, or a machine taken for one)
    /// after waiting `wait_s` since it became free.
    pub(crate) fn connect(
        &mut self,
        c: usize,
        now_s: f64,
        live: bool,
        right_party: bool,
        wait_s: f64,
        counted: bool,
    ) {
        let (k, i) = self.at(c, now_s);
        if let Some(iv) = k.intervals.get_mut(i) {
            iv.connects += u64::from(live);
            iv.right_party_contacts += u64::from(right_party);
            iv.agent_wait_sum_s += wait_s;
            iv.agent_waits += 1;
        }
        if counted {
            k.connects += u64::from(live);
            k.right_party_contacts += u64::from(right_party);
            k.agent_wait_sum_s += wait_s;
            k.agent_waits += 1;
        }
    }

    /// A connected call ended after `talk_s` of talk.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn conversation(
        &mut self,
        c: usize,
        now_s: f64,
        talk_s: f64,
        sale: bool,
        signal: bool,
        objection: bool,
        counted: bool,
    ) {
        let (k, i) = self.at(c, now_s);
        if let Some(iv) = k.intervals.get_mut(i) {
            iv.sales += u64::from(sale);
        }
        if counted {
            k.sales += u64::from(sale);
            k.buying_signals += u64::from(signal);
            k.objections += u64::from(objection);
            k.talk_sum_s += talk_s;
        }
    }

    /// Agents available in `group` changed by `delta` at `now_s`.
    pub(crate) fn staffed_delta(&mut self, now_s: f64, group: usize, delta: f64) {
        let n = self.group_campaigns.get(group).map_or(0, Vec::len);
        for k in 0..n {
            let c = self.group_campaigns[group][k] as usize;
            self.advance(c, now_s);
            self.per[c].staffed += delta;
        }
    }

    fn advance(&mut self, c: usize, now_s: f64) {
        let (warmup, horizon, step) = (self.warmup_s, self.horizon_s, self.step_s);
        let st = &mut self.per[c];
        let last = st.last_s;
        if now_s <= last {
            return;
        }
        st.last_s = now_s;
        let v = st.staffed;
        if v == 0.0 {
            return;
        }
        let (start, end) = (st.setup.start_s, st.setup.end_s);
        let a = last.max(start).max(warmup);
        let b = now_s.min(end).min(horizon);
        if b > a {
            st.counts.agent_time_s += v * (b - a);
        }
        // By interval, within the dialing window (warm-up included).
        let (a, b) = (last.max(start), now_s.min(end));
        let mut t = a;
        let mut i = (t / step) as usize;
        while t < b && i < st.counts.intervals.len() {
            let seg_end = ((i + 1) as f64 * step).min(b);
            st.counts.intervals[i].agent_time_s += v * (seg_end - t);
            t = seg_end;
            i += 1;
        }
    }

    pub(crate) fn finish(mut self, end_s: f64) -> Vec<CampaignCounts> {
        for c in 0..self.per.len() {
            self.advance(c, end_s);
        }
        let step = self.step_s;
        self.per
            .into_iter()
            .map(|st| {
                let mut k = st.counts;
                let s = &st.setup;
                let w = Windows::new(&st.fates);
                for (i, iv) in k.intervals.iter_mut().enumerate() {
                    let t = (i + 1) as f64 * step;
                    if t > s.start_s {
                        iv.rolling_rate = w.rate(t - s.window_s, t);
                    }
                }
                let mut max: Option<f64> = None;
                let (mut windows, mut within) = (0u64, 0u64);
                let mut judge = |rate: Option<f64>| {
                    windows += 1;
                    match rate {
                        Some(r) => {
                            within += u64::from(r <= s.max_rate + 1e-12);
                            max = Some(max.map_or(r, |m: f64| m.max(r)));
                        }
                        None => within += 1,
                    }
                };
                // Complete windows ending at interval ends while dialing…
                let mut i = 1;
                loop {
                    let t = i as f64 * step;
                    if t >= s.end_s {
                        break;
                    }
                    if t - s.start_s >= s.window_s - 1e-9 {
                        judge(w.rate(t - s.window_s, t));
                    }
                    i += 1;
                }
                // …and the one ending with the dialing (the last answers included).
                let last = w.rate(s.end_s - s.window_s, f64::INFINITY);
                judge(last);
                k.windows = windows;
                k.windows_within_cap = within;
                k.abandon_rate_max = max;
                k.rolling_rate_end = last;
                k
            })
            .collect()
    }
}

/// Prefix counts of live answers and abandons, for rates over time ranges.
struct Windows<'a> {
    fates: &'a [(f64, bool)],
    abandoned_before: Vec<u64>,
}

impl<'a> Windows<'a> {
    fn new(fates: &'a [(f64, bool)]) -> Self {
        let mut abandoned_before = Vec::with_capacity(fates.len() + 1);
        let mut acc = 0;
        abandoned_before.push(0);
        for (_, a) in fates {
            acc += u64::from(*a);
            abandoned_before.push(acc);
        }
        Windows {
            fates,
            abandoned_before,
        }
    }

    /// Abandoned ÷ live answers decided in `(from, to]`; `None` without any.
    fn rate(&self, from: f64, to: f64) -> Option<f64> {
        let lo = self.fates.partition_point(|(t, _)| *t <= from);
        let hi = self.fates.partition_point(|(t, _)| *t <= to);
        (hi > lo).then(|| {
            (self.abandoned_before[hi] - self.abandoned_before[lo]) as f64 / (hi - lo) as f64
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(window_s: f64) -> CampaignSetup {
        CampaignSetup {
            start_s: 0.0,
            end_s: 100.0,
            window_s,
            max_rate: 0.25,
        }
    }

    #[test]
    fn rolling_windows_and_compliance() {
        // Window 40 s, intervals of 20 s over [0, 100).
        let mut c = CampaignCollector::new(vec![setup(40.0)], vec![vec![0]], 0.0, 100.0, 20.0, 5);
        // Live answers: 4 in [0, 40) with 2 abandoned; 4 in [40, 100) with none.
        for (t, a) in [
            (5.0, true),
            (15.0, false),
            (25.0, true),
            (35.0, false),
            (45.0, false),
            (65.0, false),
            (85.0, false),
            (99.0, false),
        ] {
            c.fate(0, t, a, true);
        }
        c.staffed_delta(0.0, 0, 2.0);
        c.staffed_delta(50.0, 0, -1.0);
        let k = &c.finish(120.0)[0];
        assert_eq!(k.live_answers, 8);
        assert_eq!(k.nuisance_abandons, 2);
        // Rolling rate at the end of each interval (window 40 s).
        let rolling: Vec<Option<f64>> = k.intervals.iter().map(|i| i.rolling_rate).collect();
        assert_eq!(
            rolling,
            vec![Some(0.5), Some(0.5), Some(1.0 / 3.0), Some(0.0), Some(0.0)]
        );
        // Complete windows end at 40, 60, 80 and at the end of dialing (100).
        assert_eq!(k.windows, 4);
        assert_eq!(k.windows_within_cap, 2);
        assert_eq!(k.abandon_rate_max, Some(0.5));
        assert_eq!(k.rolling_rate_end, Some(0.0));
        // Agent time: 2 agents for 50 s, then 1 for 50 s.
        assert_eq!(k.agent_time_s, 150.0);
        assert_eq!(k.intervals[2].agent_time_s, 30.0);
    }

    #[test]
    fn a_window_longer_than_the_day_is_judged_once() {
        let mut c = CampaignCollector::new(vec![setup(86_400.0)], vec![], 0.0, 100.0, 20.0, 5);
        c.fate(0, 10.0, true, true);
        for t in 0..9 {
            c.fate(0, 20.0 + f64::from(t), false, true);
        }
        let k = &c.finish(100.0)[0];
        assert_eq!(k.windows, 1);
        assert_eq!(k.windows_within_cap, 1);
        assert_eq!(k.abandon_rate_max, Some(0.1));
    }
}
