//! Statistics: per-replication counters, KPI definitions, and estimates with
//! confidence intervals over replications.
//!
//! Collectors *observe* the run and never steer it: nothing in this module is read
//! by the engine's decisions.
//!
//! # KPI definitions
//!
//! Over the calls *counted* in a replication (those arriving in `[warmup, horizon)`),
//! each of which ends either answered or abandoned:
//!
//! | KPI | definition |
//! |---|---|
//! | `offered` | counted calls |
//! | `answered` | counted calls that reached an agent |
//! | `abandoned` | counted calls whose caller hung up while waiting |
//! | `service_level` | calls answered within `service_level_s` ÷ (answered + abandoned) |
//! | `asa_s` | mean wait of answered calls, seconds (average speed of answer) |
//! | `abandon_rate` | abandoned ÷ (answered + abandoned) |
//! | `p_wait` | share of answered + abandoned calls that could not be answered on arrival |
//! | `occupancy` | agent time busy with calls ÷ agent time staffed, over `[warmup, horizon)` |
//! | `aht_s` | mean handle time of answered calls, seconds |
//! | `mean_queue_len` | time-average number of callers waiting, over `[warmup, horizon)` |
//!
//! A call answered the instant it arrives has waited 0 s and counts as answered
//! within the threshold. Each KPI is computed per replication; the report gives the
//! mean over replications and the half-width of its 95 % confidence interval
//! (Student t with n − 1 degrees of freedom). A KPI undefined in a replication (ASA
//! with no answered call) is left out of that KPI's estimate.
//!
//! # Campaign KPIs
//!
//! Outbound campaigns have their own KPIs ([`CAMPAIGN_KPI_NAMES`], defined on
//! [`RepResult::campaign_kpis`]). The compliance metric is the one regulators
//! cap: nuisance abandons ÷ live answers of the campaign over a rolling window
//! of `abandon_limit.window_h` hours. A live answer is a person who picked up
//! and was either connected to an agent or abandoned; a nuisance abandon is a
//! person hung up on without an agent — none free within `connect_within_s`,
//! or taken for a machine by AMD (a false positive). Answering machines count
//! in neither. A *compliance window* `(t − window_h, t]` is judged at each
//! interval end `t` during dialing that lies `window_h` or more after the
//! start of dialing, and once more at the end of dialing (with the last
//! answers); with a 24 h or 30-day window and a one-day run, that one window is
//! the day.

pub(crate) mod campaign;
pub(crate) mod collector;
pub mod tdist;

use serde::{Deserialize, Serialize};

/// Names of the KPIs, in report order.
pub const KPI_NAMES: [&str; 12] = [
    "offered",
    "answered",
    "abandoned",
    "service_level",
    "asa_s",
    "abandon_rate",
    "p_wait",
    "occupancy",
    "aht_s",
    "mean_queue_len",
    "fcr",
    "csat",
];

/// KPIs of one replication (or one call type, group, persona or interval in it).
/// `NaN` where undefined.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Kpis {
    /// Counted calls (queue legs).
    pub offered: f64,
    /// Counted calls answered by an agent.
    pub answered: f64,
    /// Counted calls abandoned in queue.
    pub abandoned: f64,
    /// Answered within the threshold ÷ (answered + abandoned).
    pub service_level: f64,
    /// Mean wait of answered calls, seconds.
    pub asa_s: f64,
    /// Abandoned ÷ (answered + abandoned).
    pub abandon_rate: f64,
    /// Share of answered + abandoned calls that had to wait.
    pub p_wait: f64,
    /// Busy agent time ÷ staffed agent time.
    pub occupancy: f64,
    /// Mean handle time of answered calls, seconds.
    pub aht_s: f64,
    /// Time-average number waiting.
    pub mean_queue_len: f64,
    /// First-contact resolution: resolved ÷ conversations ended (with personas).
    pub fcr: f64,
    /// Mean satisfaction score (1–5) of conversations ended (with personas).
    pub csat: f64,
}

impl Kpis {
    /// The KPIs as `(name, value)` pairs in [`KPI_NAMES`] order.
    pub fn values(&self) -> [(&'static str, f64); 12] {
        [
            ("offered", self.offered),
            ("answered", self.answered),
            ("abandoned", self.abandoned),
            ("service_level", self.service_level),
            ("asa_s", self.asa_s),
            ("abandon_rate", self.abandon_rate),
            ("p_wait", self.p_wait),
            ("occupancy", self.occupancy),
            ("aht_s", self.aht_s),
            ("mean_queue_len", self.mean_queue_len),
            ("fcr", self.fcr),
            ("csat", self.csat),
        ]
    }
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 { num / den } else { f64::NAN }
}

/// Counters of one call type over one replication (queue legs counted in the
/// measurement window; a transferred call is a leg in each queue it joins).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallTypeCounts {
    /// Counted legs that joined the queue.
    pub offered: u64,
    /// Counted legs answered.
    pub answered: u64,
    /// Counted legs abandoned (including unreached callbacks).
    pub abandoned: u64,
    /// Counted legs answered within the service-level threshold.
    pub answered_in_sl: u64,
    /// Counted legs that had to wait (answered or abandoned later).
    pub waited: u64,
    /// Sum of the waits of counted answered legs, seconds.
    pub wait_sum_s: f64,
    /// Sum of the handle times of counted answered legs, seconds.
    pub handle_sum_s: f64,
    /// ∫ number waiting dt over the measurement window, call·seconds.
    pub queue_area: f64,
    /// ∫ agents busy with this type dt over the window, agent·seconds.
    pub busy_area: f64,
    /// Legs escalated to a second-line type.
    pub transfers_out: u64,
    /// Callers who accepted a callback instead of waiting.
    pub callbacks: u64,
    /// Legs that were new contacts of a caller calling again.
    pub retrials: u64,
    /// Conversations that resolved the issue.
    pub resolved: u64,
    /// Conversations that did not.
    pub unresolved: u64,
    /// Sum of satisfaction scores.
    pub csat_sum: f64,
    /// Number of satisfaction scores.
    pub csat_n: u64,
    /// Sum of time per phase (alertheid … acw) of conversations with phases.
    pub phase_sum_s: [f64; 6],
    /// Number of conversations with phases.
    pub phase_calls: u64,
}

/// Counters of one call type in one reporting interval (legs by the interval in
/// which they joined the queue; warm-up included).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IntervalCounts {
    /// Legs that joined the queue.
    pub offered: u64,
    /// Of those, answered.
    pub answered: u64,
    /// Of those, abandoned.
    pub abandoned: u64,
    /// Of those, answered within the threshold.
    pub answered_in_sl: u64,
    /// Of those, had to wait.
    pub waited: u64,
    /// Sum of waits of the answered, seconds.
    pub wait_sum_s: f64,
    /// Sum of handle times of the answered, seconds.
    pub handle_sum_s: f64,
    /// ∫ number waiting dt within the interval.
    pub queue_area: f64,
    /// ∫ agents busy with this type dt within the interval.
    pub busy_area: f64,
}

/// Counters of one agent group over one replication.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupCounts {
    /// Counted legs this group answered.
    pub answered: u64,
    /// Sum of their handle times, seconds.
    pub handle_sum_s: f64,
    /// ∫ busy agents dt over the window, agent·seconds.
    pub busy_area: f64,
    /// ∫ available agents (on duty, not on break) dt over the window.
    pub staffed_area: f64,
    /// ∫ agents on duty (breaks included: paid time) dt over the window.
    pub paid_area: f64,
    /// ∫ agents on duty dt over `[0, horizon)`.
    pub paid_area_all: f64,
    /// ∫ available agents dt per interval.
    pub staffed_by_interval: Vec<f64>,
    /// ∫ busy agents dt per interval.
    pub busy_by_interval: Vec<f64>,
}

/// Counters of one caller personality over one replication (counted legs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonaCounts {
    /// Legs offered.
    pub offered: u64,
    /// Legs answered.
    pub answered: u64,
    /// Legs abandoned.
    pub abandoned: u64,
    /// Legs answered within the threshold.
    pub answered_in_sl: u64,
    /// Sum of waits of answered legs, seconds.
    pub wait_sum_s: f64,
    /// Sum of handle times of answered legs, seconds.
    pub handle_sum_s: f64,
    /// Conversations that resolved the issue.
    pub resolved: u64,
    /// Conversations that did not.
    pub unresolved: u64,
    /// Sum of satisfaction scores.
    pub csat_sum: f64,
    /// Number of satisfaction scores.
    pub csat_n: u64,
    /// New contacts of callers calling again.
    pub retrials: u64,
}

/// Counters of one IVR menu.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MenuCounts {
    /// Callers who heard the menu.
    pub visits: u64,
    /// Time spent in it, seconds.
    pub time_sum_s: f64,
    /// Callers who hung up in it.
    pub hangups: u64,
    /// Callers it served by self-service.
    pub self_service: u64,
    /// Callers it sent to a queue.
    pub routed: u64,
    /// Of those, sent to the wrong queue.
    pub misroutes: u64,
}

/// IVR outcomes over one replication (calls that arrived in the window).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IvrCounts {
    /// Calls that entered the IVR.
    pub arrivals: u64,
    /// Served by the IVR alone.
    pub self_service: u64,
    /// Hung up in a menu.
    pub hangups: u64,
    /// Sent to a queue.
    pub routed: u64,
    /// Sent to the wrong queue.
    pub misroutes: u64,
    /// Time spent in menus, seconds.
    pub time_sum_s: f64,
    /// Per menu, in scenario order.
    pub menus: Vec<MenuCounts>,
}

/// Everything one replication measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RepResult {
    /// Replication index.
    pub replication: u64,
    /// Events processed (popped from the event list), stale timers included.
    pub events: u64,
    /// Contacts simulated (arrivals, transfers' second legs excluded; retrials
    /// included), warm-up and drain included.
    pub calls: u64,
    /// Length of the measurement window `[warmup, horizon)`, seconds.
    pub window_s: f64,
    /// Length of a reporting interval, seconds.
    pub interval_s: f64,
    /// Per call type, in scenario order.
    pub call_types: Vec<CallTypeCounts>,
    /// Per call type, per interval.
    pub intervals: Vec<Vec<IntervalCounts>>,
    /// ∫ available agents dt per interval, all groups.
    pub staffed_by_interval: Vec<f64>,
    /// Per agent group, in scenario order.
    pub groups: Vec<GroupCounts>,
    /// Per personality, in [`crate::scenario::PersonaKind::ALL`] order.
    pub personas: Vec<PersonaCounts>,
    /// IVR outcomes.
    pub ivr: IvrCounts,
    /// Counted contacts that were retrials.
    pub retrials: u64,
    /// Counted calls still waiting when the run ended with nobody left to answer
    /// them (counted as abandoned).
    pub lost_at_close: u64,
    /// Per outbound campaign, in scenario order (empty without campaigns).
    #[serde(default)]
    pub campaigns: Vec<CampaignCounts>,
}

/// Names of the campaign KPIs, in report order (see [`RepResult::campaign_kpis`]
/// for their definitions).
pub const CAMPAIGN_KPI_NAMES: [&str; 17] = [
    "dials",
    "live_answers",
    "connects",
    "right_party_contacts",
    "sales",
    "conversion_rate",
    "nuisance_abandons",
    "abandon_rate",
    "rolling_abandon_rate",
    "abandon_rate_max",
    "windows_within_cap",
    "amd_false_positives",
    "amd_false_negatives",
    "agent_wait_s",
    "agent_hours",
    "contacts_per_agent_hour",
    "sales_per_agent_hour",
];

/// Counters of one outbound campaign over one replication. Attempts dialled in
/// `[warmup, horizon)` are counted, with everything that follows from them;
/// the compliance windows look at every live answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignCounts {
    /// Dial attempts.
    pub dials: u64,
    /// Attempts by outcome (the truth, whatever AMD decided), in
    /// [`crate::scenario::DialOutcome::ALL`] order.
    pub outcomes: [u64; 6],
    /// People who picked up and were either connected to an agent or abandoned.
    pub live_answers: u64,
    /// People connected to an agent (right or wrong party).
    pub connects: u64,
    /// Right-party contacts: the person on the record, connected to an agent.
    pub right_party_contacts: u64,
    /// Sales.
    pub sales: u64,
    /// Right-party conversations with a buying signal.
    pub buying_signals: u64,
    /// Right-party conversations with a real objection.
    pub objections: u64,
    /// People abandoned: no agent within `connect_within_s`, or hung up on by AMD.
    pub nuisance_abandons: u64,
    /// People AMD took for a machine (hung up on; part of `nuisance_abandons`).
    pub amd_false_positives: u64,
    /// Machines AMD took for a person (passed to an agent).
    pub amd_false_negatives: u64,
    /// Machines passed to agents that found no agent in time (dropped).
    pub machines_dropped: u64,
    /// Sum of the agents' waits before their outbound conversations (from the
    /// moment they became free), seconds.
    pub agent_wait_sum_s: f64,
    /// Number of those waits (one per connect).
    pub agent_waits: u64,
    /// Sum of agent talk time on connects (after-call work excluded), seconds.
    pub talk_sum_s: f64,
    /// ∫ available agents of the groups working the campaign dt over the
    /// dialing window ∩ the measurement window, agent·seconds.
    pub agent_time_s: f64,
    /// Compliance windows evaluated (see the stats module docs).
    pub windows: u64,
    /// Of those, windows whose abandon rate was at or under the cap.
    pub windows_within_cap: u64,
    /// The highest abandon rate over those windows (`None`: no live answers).
    pub abandon_rate_max: Option<f64>,
    /// The rolling abandon rate at the end of dialing.
    pub rolling_rate_end: Option<f64>,
    /// Per reporting interval (by the time things happened, warm-up included).
    pub intervals: Vec<CampaignIntervalCounts>,
}

/// Counters of one campaign in one reporting interval (by event time).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignIntervalCounts {
    /// Dial attempts.
    pub dials: u64,
    /// Live answers whose fate (connected or abandoned) was decided here.
    pub live_answers: u64,
    /// Connects.
    pub connects: u64,
    /// Right-party contacts.
    pub right_party_contacts: u64,
    /// Sales.
    pub sales: u64,
    /// Nuisance abandons.
    pub nuisance_abandons: u64,
    /// AMD false positives.
    pub amd_false_positives: u64,
    /// AMD false negatives.
    pub amd_false_negatives: u64,
    /// Sum of agent waits before connects, seconds.
    pub agent_wait_sum_s: f64,
    /// Number of those waits.
    pub agent_waits: u64,
    /// ∫ available agents of the campaign's groups dt within the dialing window.
    pub agent_time_s: f64,
    /// The rolling abandon rate at the end of the interval (`None` before dialing
    /// or without live answers in the window).
    pub rolling_rate: Option<f64>,
}

impl RepResult {
    fn staffed_area(&self) -> f64 {
        self.groups.iter().map(|g| g.staffed_area).sum()
    }

    fn kpis_from(&self, c: &CallTypeCounts) -> Kpis {
        let ended = (c.answered + c.abandoned) as f64;
        Kpis {
            offered: c.offered as f64,
            answered: c.answered as f64,
            abandoned: c.abandoned as f64,
            service_level: ratio(c.answered_in_sl as f64, ended),
            asa_s: ratio(c.wait_sum_s, c.answered as f64),
            abandon_rate: ratio(c.abandoned as f64, ended),
            p_wait: ratio(c.waited as f64, ended),
            occupancy: ratio(c.busy_area, self.staffed_area()),
            aht_s: ratio(c.handle_sum_s, c.answered as f64),
            mean_queue_len: ratio(c.queue_area, self.window_s),
            fcr: ratio(c.resolved as f64, (c.resolved + c.unresolved) as f64),
            csat: ratio(c.csat_sum, c.csat_n as f64),
        }
    }

    /// The counters of all call types added up.
    pub fn total(&self) -> CallTypeCounts {
        let mut t = CallTypeCounts::default();
        for c in &self.call_types {
            t.offered += c.offered;
            t.answered += c.answered;
            t.abandoned += c.abandoned;
            t.answered_in_sl += c.answered_in_sl;
            t.waited += c.waited;
            t.wait_sum_s += c.wait_sum_s;
            t.handle_sum_s += c.handle_sum_s;
            t.queue_area += c.queue_area;
            t.busy_area += c.busy_area;
            t.transfers_out += c.transfers_out;
            t.callbacks += c.callbacks;
            t.retrials += c.retrials;
            t.resolved += c.resolved;
            t.unresolved += c.unresolved;
            t.csat_sum += c.csat_sum;
            t.csat_n += c.csat_n;
            for (a, b) in t.phase_sum_s.iter_mut().zip(&c.phase_sum_s) {
                *a += b;
            }
            t.phase_calls += c.phase_calls;
        }
        t
    }

    /// KPIs over all call types.
    pub fn kpis(&self) -> Kpis {
        self.kpis_from(&self.total())
    }

    /// KPIs of call type `i`. Its `occupancy` is the share of all staffed agent time
    /// spent on this type, so the types' occupancies add up to the total.
    pub fn call_type_kpis(&self, i: usize) -> Kpis {
        self.kpis_from(&self.call_types[i])
    }

    /// KPIs of agent group `g`: `answered`, `aht_s` and `occupancy` are defined, the
    /// rest are `NaN`.
    pub fn group_kpis(&self, g: usize) -> Kpis {
        let c = &self.groups[g];
        Kpis {
            offered: f64::NAN,
            answered: c.answered as f64,
            abandoned: f64::NAN,
            service_level: f64::NAN,
            asa_s: f64::NAN,
            abandon_rate: f64::NAN,
            p_wait: f64::NAN,
            occupancy: ratio(c.busy_area, c.staffed_area),
            aht_s: ratio(c.handle_sum_s, c.answered as f64),
            mean_queue_len: f64::NAN,
            fcr: f64::NAN,
            csat: f64::NAN,
        }
    }

    /// KPIs of personality `p` (index in `PersonaKind::ALL`): no occupancy or
    /// queue length.
    pub fn persona_kpis(&self, p: usize) -> Kpis {
        let c = &self.personas[p];
        let ended = (c.answered + c.abandoned) as f64;
        Kpis {
            offered: c.offered as f64,
            answered: c.answered as f64,
            abandoned: c.abandoned as f64,
            service_level: ratio(c.answered_in_sl as f64, ended),
            asa_s: ratio(c.wait_sum_s, c.answered as f64),
            abandon_rate: ratio(c.abandoned as f64, ended),
            p_wait: f64::NAN,
            occupancy: f64::NAN,
            aht_s: ratio(c.handle_sum_s, c.answered as f64),
            mean_queue_len: f64::NAN,
            fcr: ratio(c.resolved as f64, (c.resolved + c.unresolved) as f64),
            csat: ratio(c.csat_sum, c.csat_n as f64),
        }
    }

    /// Number of reporting intervals.
    pub fn interval_count(&self) -> usize {
        self.staffed_by_interval.len()
    }

    /// KPIs of call type `ct` (or all types with `None`) in interval `i`: calls by
    /// the interval they joined the queue, time averages within the interval.
    pub fn interval_kpis(&self, ct: Option<usize>, i: usize) -> Kpis {
        let mut c = IntervalCounts::default();
        let types: Vec<usize> = match ct {
            Some(ct) => vec![ct],
            None => (0..self.intervals.len()).collect(),
        };
        for t in types {
            let s = &self.intervals[t][i];
            c.offered += s.offered;
            c.answered += s.answered;
            c.abandoned += s.abandoned;
            c.answered_in_sl += s.answered_in_sl;
            c.waited += s.waited;
            c.wait_sum_s += s.wait_sum_s;
            c.handle_sum_s += s.handle_sum_s;
            c.queue_area += s.queue_area;
            c.busy_area += s.busy_area;
        }
        let ended = (c.answered + c.abandoned) as f64;
        Kpis {
            offered: c.offered as f64,
            answered: c.answered as f64,
            abandoned: c.abandoned as f64,
            service_level: ratio(c.answered_in_sl as f64, ended),
            asa_s: ratio(c.wait_sum_s, c.answered as f64),
            abandon_rate: ratio(c.abandoned as f64, ended),
            p_wait: ratio(c.waited as f64, ended),
            occupancy: ratio(c.busy_area, self.staffed_by_interval[i]),
            aht_s: ratio(c.handle_sum_s, c.answered as f64),
            mean_queue_len: ratio(c.queue_area, self.interval_s),
            fcr: f64::NAN,
            csat: f64::NAN,
        }
    }
}

impl RepResult {
    /// KPIs of campaign `c`, as `(name, value)` in [`CAMPAIGN_KPI_NAMES`] order,
    /// `NaN` where undefined:
    ///
    /// | KPI | definition |
    /// |---|---|
    /// | `dials` | dial attempts |
    /// | `live_answers` | people who picked up (connected or abandoned) |
    /// | `connects` | people connected to an agent |
    /// | `right_party_contacts` | the record's own person connected to an agent |
    /// | `sales` | sales |
    /// | `conversion_rate` | sales ÷ right-party contacts |
    /// | `nuisance_abandons` | people abandoned (no agent in time, or AMD false positive) |
    /// | `abandon_rate` | nuisance abandons ÷ live answers |
    /// | `rolling_abandon_rate` | the compliance window's rate at the end of dialing |
    /// | `abandon_rate_max` | the highest rate over the compliance windows |
    /// | `windows_within_cap` | share of compliance windows at or under the cap |
    /// | `amd_false_positives` | people AMD hung up on |
    /// | `amd_false_negatives` | machines AMD passed to agents |
    /// | `agent_wait_s` | mean agent wait before a connect, seconds |
    /// | `agent_hours` | available agent-hours of the campaign's groups while dialing |
    /// | `contacts_per_agent_hour` | right-party contacts ÷ agent-hours |
    /// | `sales_per_agent_hour` | sales ÷ agent-hours |
    pub fn campaign_kpis(&self, c: usize) -> [(&'static str, f64); 17] {
        let k = &self.campaigns[c];
        let hours = k.agent_time_s / 3600.0;
        let within = if k.windows > 0 {
            k.windows_within_cap as f64 / k.windows as f64
        } else {
            f64::NAN
        };
        campaign_values([
            k.dials as f64,
            k.live_answers as f64,
            k.connects as f64,
            k.right_party_contacts as f64,
            k.sales as f64,
            ratio(k.sales as f64, k.right_party_contacts as f64),
            k.nuisance_abandons as f64,
            ratio(k.nuisance_abandons as f64, k.live_answers as f64),
            k.rolling_rate_end.unwrap_or(f64::NAN),
            k.abandon_rate_max.unwrap_or(f64::NAN),
            within,
            k.amd_false_positives as f64,
            k.amd_false_negatives as f64,
            ratio(k.agent_wait_sum_s, k.agent_waits as f64),
            hours,
            ratio(k.right_party_contacts as f64, hours),
            ratio(k.sales as f64, hours),
        ])
    }

    /// KPIs of campaign `c` in interval `i` (the same names; `rolling_abandon_rate`
    /// is the window's rate at the interval's end; `abandon_rate_max` and
    /// `windows_within_cap` are `NaN`).
    pub fn campaign_interval_kpis(&self, c: usize, i: usize) -> [(&'static str, f64); 17] {
        let Some(k) = self.campaigns[c].intervals.get(i) else {
            return campaign_values([f64::NAN; 17]);
        };
        let hours = k.agent_time_s / 3600.0;
        campaign_values([
            k.dials as f64,
            k.live_answers as f64,
            k.connects as f64,
            k.right_party_contacts as f64,
            k.sales as f64,
            ratio(k.sales as f64, k.right_party_contacts as f64),
            k.nuisance_abandons as f64,
            ratio(k.nuisance_abandons as f64, k.live_answers as f64),
            k.rolling_rate.unwrap_or(f64::NAN),
            f64::NAN,
            f64::NAN,
            k.amd_false_positives as f64,
            k.amd_false_negatives as f64,
            ratio(k.agent_wait_sum_s, k.agent_waits as f64),
            hours,
            ratio(k.right_party_contacts as f64, hours),
            ratio(k.sales as f64, hours),
        ])
    }
}

fn campaign_values(v: [f64; 17]) -> [(&'static str, f64); 17] {
    let mut out = [("", 0.0); 17];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (CAMPAIGN_KPI_NAMES[i], v[i]);
    }
    out
}

/// The estimate of one KPI over replications.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean over the replications where the KPI is defined.
    pub mean: f64,
    /// Half-width of the 95 % confidence interval; `None` with fewer than two values.
    pub ci95: Option<f64>,
    /// Sample standard deviation over replications.
    #[serde(skip)]
    pub sd: f64,
    /// Number of replications where the KPI is defined.
    #[serde(skip)]
    pub n: usize,
}

impl Estimate {
    /// Mean, standard deviation and 95 % half-width of the finite values in `xs`.
    pub fn from_samples(xs: impl IntoIterator<Item = f64>) -> Estimate {
        // Welford's update: stable for long, nearly constant series.
        let (mut n, mut mean, mut m2) = (0usize, 0.0f64, 0.0f64);
        for x in xs.into_iter().filter(|x| x.is_finite()) {
            n += 1;
            let d = x - mean;
            mean += d / n as f64;
            m2 += d * (x - mean);
        }
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                ci95: None,
                sd: f64::NAN,
                n,
            };
        }
        let sd = if n > 1 {
            (m2 / (n - 1) as f64).sqrt()
        } else {
            f64::NAN
        };
        let mut e = Estimate {
            mean,
            ci95: None,
            sd,
            n,
        };
        e.ci95 = e.half_width(0.95);
        e
    }

    /// Half-width of the two-sided confidence interval at `level` (e.g. 0.99), or
    /// `None` with fewer than two values.
    pub fn half_width(&self, level: f64) -> Option<f64> {
        (self.n > 1).then(|| {
            tdist::t_critical(level, (self.n - 1) as u32) * self.sd / (self.n as f64).sqrt()
        })
    }

    /// Whether `x` lies inside the confidence interval at `level`.
    pub fn covers(&self, x: f64, level: f64) -> bool {
        match self.half_width(level) {
            Some(h) => (self.mean - x).abs() <= h,
            None => false,
        }
    }
}

/// Estimates of every KPI.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiEstimates {
    /// `(name, estimate)` in [`KPI_NAMES`] order; KPIs undefined in every
    /// replication (a group's `asa_s`) are left out.
    pub entries: Vec<(&'static str, Estimate)>,
}

impl KpiEstimates {
    /// Estimate each KPI from per-replication values.
    pub fn from_reps(kpis: &[Kpis]) -> KpiEstimates {
        let entries = KPI_NAMES
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let e = Estimate::from_samples(kpis.iter().map(|k| k.values()[i].1));
                (e.n > 0).then_some((*name, e))
            })
            .collect();
        KpiEstimates { entries }
    }

    /// Estimate each named value from per-replication rows (every row lists the
    /// same names in the same order); values undefined in every replication are
    /// left out.
    pub fn from_rows<const N: usize>(rows: &[[(&'static str, f64); N]]) -> KpiEstimates {
        let entries = (0..N)
            .filter_map(|i| {
                let name = rows.first()?[i].0;
                let e = Estimate::from_samples(rows.iter().map(|r| r[i].1));
                (e.n > 0).then_some((name, e))
            })
            .collect();
        KpiEstimates { entries }
    }

    /// The estimate of the KPI called `name`.
    pub fn get(&self, name: &str) -> Option<&Estimate> {
        self.entries
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_of_known_sample() {
        let e = Estimate::from_samples([1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(e.mean, 3.0);
        assert!((e.sd - 2.5f64.sqrt()).abs() < 1e-12);
        // t(0.975, 4) = 2.7764451051977987
        let h = 2.776_445_105_197_798_7 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((e.ci95.unwrap() - h).abs() < 1e-9);
        assert!(e.covers(3.0 + 0.99 * h, 0.95));
        assert!(!e.covers(3.0 + 1.01 * h, 0.95));
    }

    #[test]
    fn undefined_values_are_skipped() {
        let e = Estimate::from_samples([f64::NAN, 2.0]);
        assert_eq!(e.n, 1);
        assert_eq!(e.ci95, None);
        let e = Estimate::from_samples([f64::NAN]);
        assert_eq!(e.n, 0);
    }

    #[test]
    fn kpis_follow_their_definitions() {
        let r = RepResult {
            replication: 0,
            events: 0,
            calls: 10,
            window_s: 100.0,
            interval_s: 100.0,
            call_types: vec![CallTypeCounts {
                offered: 10,
                answered: 8,
                abandoned: 2,
                answered_in_sl: 6,
                waited: 5,
                wait_sum_s: 40.0,
                handle_sum_s: 800.0,
                queue_area: 50.0,
                busy_area: 150.0,
                resolved: 6,
                unresolved: 2,
                csat_sum: 32.0,
                csat_n: 8,
                ..CallTypeCounts::default()
            }],
            groups: vec![GroupCounts {
                answered: 8,
                handle_sum_s: 800.0,
                busy_area: 150.0,
                staffed_area: 200.0,
                ..GroupCounts::default()
            }],
            ..RepResult::default()
        };
        let k = r.kpis();
        assert_eq!(k.service_level, 0.6);
        assert_eq!(k.asa_s, 5.0);
        assert_eq!(k.abandon_rate, 0.2);
        assert_eq!(k.p_wait, 0.5);
        assert_eq!(k.occupancy, 0.75);
        assert_eq!(k.aht_s, 100.0);
        assert_eq!(k.mean_queue_len, 0.5);
        assert_eq!(k.fcr, 0.75);
        assert_eq!(k.csat, 4.0);
        let g = r.group_kpis(0);
        assert_eq!(g.occupancy, 0.75);
        assert!(g.asa_s.is_nan());
    }
}
