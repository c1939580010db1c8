//! The live tally behind the HUD: day-to-date KPIs and the chart series, kept
//! from the events the app observes. Plain Rust, no Bevy.
//!
//! These are *display* figures for one run watched as it happens: every call that
//! has ended so far counts (warm-up included), with the definitions of sim-core's
//! report (`sim_core::stats`): service level = answered within the threshold ÷
//! (answered + abandoned), ASA = mean wait of answered calls, abandonment =
//! abandoned ÷ (answered + abandoned), occupancy = agent time busy ÷ agent time
//! staffed (on duty, not on break). The planner's numbers, with warm-up and
//! confidence intervals, remain `ccsim run`'s.

use std::collections::VecDeque;

/// Day-to-date counters and time integrals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveKpis {
    /// Calls answered by an agent.
    pub answered: u64,
    /// Of those, answered within the service-level threshold.
    pub answered_in_sl: u64,
    /// Callers who hung up while waiting (or callbacks that did not reach them).
    pub abandoned: u64,
    /// Sum of the waits of answered calls, seconds.
    pub wait_sum_s: f64,
    /// Agent-seconds busy (dialling, talking, after-call work).
    pub busy_agent_s: f64,
    /// Agent-seconds staffed (idle or busy).
    pub staffed_agent_s: f64,
}

impl LiveKpis {
    /// Answered ÷ … within the threshold, over calls that ended; `None` before the
    /// first one.
    pub fn service_level(&self) -> Option<f64> {
        let n = self.answered + self.abandoned;
        (n > 0).then(|| self.answered_in_sl as f64 / n as f64)
    }

    /// Average speed of answer, seconds.
    pub fn asa_s(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.wait_sum_s / self.answered as f64)
    }

    /// Abandoned ÷ (answered + abandoned).
    pub fn abandon_rate(&self) -> Option<f64> {
        let n = self.answered + self.abandoned;
        (n > 0).then(|| self.abandoned as f64 / n as f64)
    }

    /// Busy time ÷ staffed time.
    pub fn occupancy(&self) -> Option<f64> {
        (self.staffed_agent_s > 0.0).then(|| self.busy_agent_s / self.staffed_agent_s)
    }
}

/// One point of the charts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Simulated time, seconds.
    pub t_s: f64,
    /// Day-to-date service level (`None` before the first call ended).
    pub sl: Option<f64>,
    /// Service level over the last [`Charts::window_s`] (`None` when no call
    /// ended in it).
    pub sl_recent: Option<f64>,
    /// Callers waiting, all queues together.
    pub waiting: u32,
}

/// The series drawn in the HUD's charts, sampled on a fixed simulated-time grid
/// (so they come out the same whatever the frame rate or speed).
#[derive(Debug, Clone, PartialEq)]
pub struct Charts {
    /// Sampling step, simulated seconds.
    pub step_s: f64,
    /// Window of the recent service level, simulated seconds.
    pub window_s: f64,
    /// The samples, in time order.
    pub samples: Vec<Sample>,
    /// Per queue, callers waiting at each sample (same length as `samples`).
    pub waiting_by_queue: Vec<Vec<u32>>,
    /// Calls that ended within the recent window: (time, within the threshold).
    recent: VecDeque<(f64, bool)>,
}

impl Charts {
    /// Empty series for `queues` queues, one sample every `step_s`.
    pub fn new(queues: usize, step_s: f64, window_s: f64) -> Charts {
        Charts {
            step_s,
            window_s,
            samples: Vec::new(),
            waiting_by_queue: vec![Vec::new(); queues],
            recent: VecDeque::new(),
        }
    }

    /// The time of the next sample to take.
    pub fn next_sample_s(&self) -> f64 {
        self.samples.len() as f64 * self.step_s
    }

    /// A call ended at `t_s`, within the threshold or not.
    pub fn call_ended(&mut self, t_s: f64, in_sl: bool) {
        self.recent.push_back((t_s, in_sl));
    }

    /// Take the sample due at [`Charts::next_sample_s`], given the state then.
    pub fn take_sample(&mut self, kpis: &LiveKpis, waiting: &[u32]) {
        let t_s = self.next_sample_s();
        while self
            .recent
            .front()
            .is_some_and(|(t, _)| *t < t_s - self.window_s)
        {
            self.recent.pop_front();
        }
        let n = self.recent.len();
        let sl_recent =
            (n > 0).then(|| self.recent.iter().filter(|(_, ok)| *ok).count() as f64 / n as f64);
        self.samples.push(Sample {
            t_s,
            sl: kpis.service_level(),
            sl_recent,
            waiting: waiting.iter().sum(),
        });
        for (series, w) in self.waiting_by_queue.iter_mut().zip(waiting) {
            series.push(*w);
        }
    }

    /// The largest total queue length sampled so far.
    pub fn max_waiting(&self) -> u32 {
        self.samples.iter().map(|s| s.waiting).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpis_follow_the_report_definitions() {
        let mut k = LiveKpis::default();
        assert_eq!(k.service_level(), None);
        assert_eq!(k.occupancy(), None);
        k.answered = 3;
        k.answered_in_sl = 2;
        k.abandoned = 1;
        k.wait_sum_s = 30.0;
        k.busy_agent_s = 45.0;
        k.staffed_agent_s = 60.0;
        assert_eq!(k.service_level(), Some(0.5));
        assert_eq!(k.abandon_rate(), Some(0.25));
        assert_eq!(k.asa_s(), Some(10.0));
        assert_eq!(k.occupancy(), Some(0.75));
    }

    #[test]
    fn recent_service_level_forgets_old_calls() {
        let mut c = Charts::new(2, 60.0, 120.0);
        let k = LiveKpis::default();
        c.take_sample(&k, &[0, 0]); // t = 0
        c.call_ended(10.0, false);
        c.take_sample(&k, &[1, 2]); // t = 60
        c.call_ended(100.0, true);
        c.take_sample(&k, &[0, 1]); // t = 120
        c.take_sample(&k, &[0, 0]); // t = 180: the call at 10 s has left the window
        c.take_sample(&k, &[0, 0]); // t = 240: none left in the window
        let recent: Vec<_> = c.samples.iter().map(|s| s.sl_recent).collect();
        assert_eq!(recent, vec![None, Some(0.0), Some(0.5), Some(1.0), None]);
        assert_eq!(c.samples[1].waiting, 3);
        assert_eq!(c.waiting_by_queue[1], vec![0, 2, 1, 0, 0]);
        assert_eq!(c.max_waiting(), 3);
        assert_eq!(c.next_sample_s(), 300.0);
    }
}
