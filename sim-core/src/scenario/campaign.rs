//! Outbound campaigns and blending: the scenario fields of the dialer side of the
//! floor, and their validation.
//!
//! A [`Campaign`] is a call list dialled by a dialer ([`DialerKind`]) during a
//! dialing window. Agents work a campaign when their group lists the campaign's
//! name among its `skills` (next to inbound call types: such agents are
//! *blended*). Each dial attempt ends in one of the [`Outcomes`]; live answers are
//! connected to an agent, who talks through the campaign's conversation phases
//! (scaled by the callee's personality) and may make a sale. [`Blending`] says how
//! blended agents share their time between inbound and outbound.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::locate::Path;
use super::{PersonaKind, Phases, Problem, TimeDist, check_finite, check_prob};

/// An outbound campaign: a call list, a dialer, a dialing window, what happens on
/// each attempt, and what a conversation with the right person yields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Unique name (distinct from every call type's); agent groups that work this
    /// campaign list it among their `skills`.
    pub name: String,
    /// Number of records in the call list, when the records themselves do not
    /// matter. Give either this or `records`.
    #[serde(default)]
    pub list_size: Option<u32>,
    /// The records of the call list, in dialing order (the command line may fill
    /// this from a CSV file before validation). Give either this or `list_size`.
    #[serde(default)]
    pub records: Vec<ListRecord>,
    /// How lines are dialled: `Preview(…)`, `Progressive` or `Predictive(…)`.
    pub dialer: DialerKind,
    /// When the dialer may dial, hours from the start of the run.
    pub window: DialWindow,
    /// What one dial attempt ends in (shares, normalised).
    pub outcomes: Outcomes,
    /// How long an unanswered call rings before the dialer gives up.
    #[serde(default = "default_ring_time")]
    pub ring_time: TimeDist,
    /// How long a callee (person or answering machine) takes to pick up.
    #[serde(default = "default_answer_time")]
    pub answer_time: TimeDist,
    /// Seconds until a busy tone or an invalid number is known.
    #[serde(default = "default_fail_s")]
    pub fail_s: f64,
    /// Answering-machine detection; absent: every answered call is passed to an
    /// agent (machines included).
    #[serde(default)]
    pub amd: Option<Amd>,
    /// A live answer that finds no agent within this many seconds is abandoned
    /// (a nuisance call: the callee hears a recorded message). Default 2 s (the
    /// UK rule).
    #[serde(default = "default_connect_within")]
    pub connect_within_s: f64,
    /// The conversation with the right party: five phases and after-call work,
    /// each scaled by the callee's personality (`phase_factors`).
    pub phases: Phases,
    /// Agent time on a live answer by the wrong person (no after-call work).
    #[serde(default = "default_wrong_party_time")]
    pub wrong_party_time: TimeDist,
    /// Agent time on an answering machine passed through to the agent (no AMD, or
    /// AMD took it for a person).
    #[serde(default = "default_machine_time")]
    pub machine_time: TimeDist,
    /// The personalities of the people reached, as shares by name (normalised).
    /// Empty: everybody is `neutral`. A record's own `persona` takes precedence.
    #[serde(default)]
    pub persona_mix: BTreeMap<String, f64>,
    /// Per personality, the chances that decide a sale; a personality not listed
    /// gets the defaults of [`Prospect`].
    #[serde(default)]
    pub prospects: BTreeMap<String, Prospect>,
    /// A buying signal multiplies the chance of a sale by this (> 0). Default 2.
    #[serde(default = "default_signal_factor")]
    pub signal_factor: f64,
    /// A real objection multiplies the chance of a sale by this (> 0). Default 0.4.
    #[serde(default = "default_objection_factor")]
    pub objection_factor: f64,
    /// When an attempt's outcome calls for another attempt, and how often.
    #[serde(default)]
    pub retry: Retries,
    /// No record is dialled more often than this. Default 6.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// A record whose callee was reached and abandoned (a nuisance call, or a
    /// person hung up on by AMD) is not dialled again for this many hours.
    /// Default 72 (the UK rule).
    #[serde(default = "default_recall_after_abandon")]
    pub recall_after_abandon_h: f64,
    /// The regulator's cap on abandoned calls, and its rolling window.
    #[serde(default)]
    pub abandon_limit: AbandonLimit,
}

fn default_ring_time() -> TimeDist {
    TimeDist::Uniform {
        min_s: 20.0,
        max_s: 30.0,
    }
}
fn default_answer_time() -> TimeDist {
    TimeDist::Uniform {
        min_s: 4.0,
        max_s: 16.0,
    }
}
fn default_fail_s() -> f64 {
    4.0
}
fn default_connect_within() -> f64 {
    2.0
}
fn default_wrong_party_time() -> TimeDist {
    TimeDist::Exponential { mean_s: 30.0 }
}
fn default_machine_time() -> TimeDist {
    TimeDist::Deterministic { value_s: 12.0 }
}
fn default_signal_factor() -> f64 {
    2.0
}
fn default_objection_factor() -> f64 {
    0.4
}
fn default_max_attempts() -> u32 {
    6
}
fn default_recall_after_abandon() -> f64 {
    72.0
}

/// The most attempts a campaign may allow per record.
pub const MAX_ATTEMPTS_LIMIT: u32 = 100;

/// The most records a call list may hold (the engine keeps a byte per record
/// per replication).
pub const MAX_LIST_LEN: usize = 10_000_000;

/// One record of a call list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListRecord {
    /// The record's key (customer number, phone number), shown in traces.
    pub id: String,
    /// The personality of the person on this record, when known; otherwise
    /// drawn from the campaign's `persona_mix`.
    #[serde(default)]
    pub persona: Option<String>,
    /// Multiplies the chance of a sale (a lead score). Default 1.
    #[serde(default = "one")]
    pub sale_factor: f64,
}

fn one() -> f64 {
    1.0
}

/// How a campaign dials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum DialerKind {
    /// An agent is reserved, reads the record for a preview time, then dials it;
    /// a live answer always finds its agent.
    Preview {
        /// How long the agent reads the record before dialing.
        preview_time: TimeDist,
    },
    /// One line per free agent (power dialing); the agent is reserved while the
    /// line rings, so a live answer always finds its agent.
    Progressive,
    /// More lines than free agents, paced so that the rolling abandon rate stays
    /// under the campaign's `abandon_limit` (see [`crate::dialer::Predictive`]).
    Predictive {
        /// The share of the cap kept in reserve: the pacing aims at
        /// `max_rate × (1 − margin)`. Default 0.2.
        #[serde(default = "default_margin")]
        margin: f64,
        /// Never more lines in flight than this many per agent working the
        /// campaign. Default 3.
        #[serde(default = "default_max_lines")]
        max_lines_per_agent: f64,
    },
}

fn default_margin() -> f64 {
    0.2
}
fn default_max_lines() -> f64 {
    3.0
}

impl DialerKind {
    /// The name used in reports: `preview`, `progressive`, `predictive`.
    pub fn name(&self) -> &'static str {
        match self {
            DialerKind::Preview { .. } => "preview",
            DialerKind::Progressive => "progressive",
            DialerKind::Predictive { .. } => "predictive",
        }
    }
}

/// The hours during which a campaign dials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialWindow {
    /// First dial, hours from the start of the run.
    pub start_h: f64,
    /// No dial at or after this, hours from the start of the run (at most the
    /// horizon). Calls in progress are finished.
    pub end_h: f64,
}

/// What one dial attempt ends in, as shares (normalised to add up to 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcomes {
    /// Nobody picks up: the line rings for `ring_time`.
    pub no_answer: f64,
    /// Busy tone.
    pub busy: f64,
    /// The number does not exist (the record is closed).
    pub invalid: f64,
    /// An answering machine picks up.
    pub machine: f64,
    /// The person the record is about picks up.
    pub right_party: f64,
    /// Somebody else picks up.
    pub wrong_party: f64,
}

impl Outcomes {
    /// The shares in [`DialOutcome::ALL`] order.
    pub fn as_array(&self) -> [f64; 6] {
        [
            self.no_answer,
            self.busy,
            self.invalid,
            self.machine,
            self.right_party,
            self.wrong_party,
        ]
    }
}

/// What a dial attempt ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DialOutcome {
    /// Nobody picked up.
    NoAnswer,
    /// Busy tone.
    Busy,
    /// The number does not exist.
    Invalid,
    /// An answering machine picked up.
    Machine,
    /// The right person picked up.
    RightParty,
    /// Somebody else picked up.
    WrongParty,
}

impl DialOutcome {
    /// Every outcome, in the order of [`Outcomes`]' fields.
    pub const ALL: [DialOutcome; 6] = [
        DialOutcome::NoAnswer,
        DialOutcome::Busy,
        DialOutcome::Invalid,
        DialOutcome::Machine,
        DialOutcome::RightParty,
        DialOutcome::WrongParty,
    ];

    /// Whether a person picked up.
    pub fn is_live(self) -> bool {
        matches!(self, DialOutcome::RightParty | DialOutcome::WrongParty)
    }

    /// Whether the call was answered (by a person or a machine).
    pub fn is_answered(self) -> bool {
        self.is_live() || self == DialOutcome::Machine
    }
}

/// Answering-machine detection: after the callee picks up, the dialer listens
/// for `decision_time` and decides between a person (connect to an agent) and a
/// machine (hang up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amd {
    /// How long the decision takes (the callee hears silence meanwhile).
    pub decision_time: TimeDist,
    /// Chance that a machine is recognised as one (else it is passed to an agent).
    pub detection: f64,
    /// Chance that a person is taken for a machine and hung up on (a nuisance
    /// call, counted as abandoned).
    pub false_positive: f64,
}

/// Per personality of the person reached: the chances that decide a sale.
///
/// The chance of a sale is `sale`, multiplied by the campaign's `signal_factor`
/// when the person shows a buying signal (probability `buying_signal`) and by
/// its `objection_factor` when they raise a real objection (probability
/// `objection`; false objections — brush-offs — are part of the base rate), and
/// by the record's `sale_factor`; at most 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Prospect {
    /// Base chance of a sale in a right-party conversation. Default 0.1.
    #[serde(default = "default_sale")]
    pub sale: f64,
    /// Chance of a buying signal (open or hidden). Default 0.3.
    #[serde(default = "default_signal")]
    pub buying_signal: f64,
    /// Chance of a real objection. Default 0.3.
    #[serde(default = "default_objection")]
    pub objection: f64,
}

fn default_sale() -> f64 {
    0.1
}
fn default_signal() -> f64 {
    0.3
}
fn default_objection() -> f64 {
    0.3
}

impl Default for Prospect {
    fn default() -> Self {
        Prospect {
            sale: default_sale(),
            buying_signal: default_signal(),
            objection: default_objection(),
        }
    }
}

/// Retry rules per outcome. An invalid number is never dialled again; a
/// right-party contact closes the record; an abandoned record waits
/// `recall_after_abandon_h`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retries {
    /// After no answer. Default: after 120 min, at most 4 attempts.
    #[serde(default = "retry_no_answer")]
    pub no_answer: Retry,
    /// After a busy tone. Default: after 15 min, at most 4 attempts.
    #[serde(default = "retry_busy")]
    pub busy: Retry,
    /// After an answering machine. Default: after 240 min, at most 3 attempts.
    #[serde(default = "retry_machine")]
    pub machine: Retry,
    /// After the wrong person answered. Default: after 240 min, at most 3 attempts.
    #[serde(default = "retry_wrong_party")]
    pub wrong_party: Retry,
}

fn retry_no_answer() -> Retry {
    Retry {
        after_min: 120.0,
        max_attempts: 4,
    }
}
fn retry_busy() -> Retry {
    Retry {
        after_min: 15.0,
        max_attempts: 4,
    }
}
fn retry_machine() -> Retry {
    Retry {
        after_min: 240.0,
        max_attempts: 3,
    }
}
fn retry_wrong_party() -> Retry {
    Retry {
        after_min: 240.0,
        max_attempts: 3,
    }
}

impl Default for Retries {
    fn default() -> Self {
        Retries {
            no_answer: retry_no_answer(),
            busy: retry_busy(),
            machine: retry_machine(),
            wrong_party: retry_wrong_party(),
        }
    }
}

/// One retry rule: dial the record again after a delay, unless it has had
/// `max_attempts` attempts already.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Delay before the next attempt, minutes.
    pub after_min: f64,
    /// The record is closed once it has had this many attempts.
    pub max_attempts: u32,
}

/// The cap on abandoned calls: abandoned ÷ live answers of the campaign over a
/// rolling window must stay at or below `max_rate`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbandonLimit {
    /// The cap, e.g. 0.03 (UK, US) or 0.05 (Canada). Default 0.03.
    #[serde(default = "default_max_rate")]
    pub max_rate: f64,
    /// The rolling window, hours: 24 in the UK, 720 (30 days) in the US.
    /// Default 24.
    #[serde(default = "default_window_h")]
    pub window_h: f64,
}

fn default_max_rate() -> f64 {
    0.03
}
fn default_window_h() -> f64 {
    24.0
}

impl Default for AbandonLimit {
    fn default() -> Self {
        AbandonLimit {
            max_rate: default_max_rate(),
            window_h: default_window_h(),
        }
    }
}

/// How blended agents (whose group has both inbound call types and campaigns
/// among its skills) share their time. Inbound always comes first: an agent who
/// becomes free while inbound callers wait takes an inbound call. Beyond that:
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blending {
    /// Idle agents kept for inbound: a dialer may use an idle blended agent only
    /// while more than this many agents who take inbound calls are idle.
    #[serde(default)]
    pub reserve: u32,
    /// Move blended agents between inbound and outbound as the rolling inbound
    /// service level leaves a band.
    #[serde(default)]
    pub sl_band: Option<SlBand>,
}

/// A service-level band for blending: every `review_min` the rolling inbound
/// service level over the last `window_min` is compared with the band; below
/// `low`, `step_agents` blended agents are moved back to inbound (fewer may do
/// outbound work), above `high`, `step_agents` more may do outbound work.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlBand {
    /// Lower edge of the band (a service level, 0–1).
    pub low: f64,
    /// Upper edge of the band.
    pub high: f64,
    /// The rolling window of the inbound service level, minutes. Default 15.
    #[serde(default = "default_sl_window")]
    pub window_min: f64,
    /// How often the band is checked, minutes. Default 1.
    #[serde(default = "default_review")]
    pub review_min: f64,
    /// Agents moved per check. Default 1.
    #[serde(default = "default_step")]
    pub step_agents: u32,
    /// Blended agents allowed on outbound work at the start. Default 0.
    #[serde(default)]
    pub start_agents: u32,
}

fn default_sl_window() -> f64 {
    15.0
}
fn default_review() -> f64 {
    1.0
}
fn default_step() -> u32 {
    1
}

const PERSONAS_KNOWN: &str = "known: neutral, drammer, twijfelaar, zwijger, babbelaar";

impl Campaign {
    /// Number of records in the call list.
    pub fn list_len(&self) -> usize {
        if self.records.is_empty() {
            self.list_size.unwrap_or(0) as usize
        } else {
            self.records.len()
        }
    }

    /// Check the campaign's fields; `path` is where it sits in the file.
    pub(crate) fn validate(&self, path: &Path, horizon_h: f64, p: &mut Vec<Problem>) {
        match (self.list_size, self.records.is_empty()) {
            (Some(_), false) => p.push(Problem::new(
                path.field("records"),
                "give either list_size or records, not both",
            )),
            (None, true) => p.push(Problem::new(
                path.clone(),
                format!(
                    "campaign \"{}\" needs a call list: give list_size or records",
                    self.name
                ),
            )),
            (Some(0), true) => p.push(Problem::new(
                path.field("list_size"),
                "list_size must be at least 1",
            )),
            _ => {}
        }
        if self.list_len() > MAX_LIST_LEN {
            p.push(Problem::new(
                if self.records.is_empty() {
                    path.field("list_size")
                } else {
                    path.field("records")
                },
                format!(
                    "the call list is too long: at most {MAX_LIST_LEN} records, found {}",
                    self.list_len()
                ),
            ));
        }
        for (i, r) in self.records.iter().enumerate() {
            let rp = path.field("records").index(i);
            if let Some(name) = &r.persona
                && PersonaKind::from_name(name).is_none()
            {
                p.push(Problem::new(
                    rp.field("persona"),
                    format!("unknown personality \"{name}\" ({PERSONAS_KNOWN})"),
                ));
            }
            check_finite(
                p,
                rp.field("sale_factor"),
                "sale_factor",
                r.sale_factor,
                false,
            );
        }
        match &self.dialer {
            DialerKind::Preview { preview_time } => {
                preview_time.validate(&path.field("dialer").field("preview_time"), p)
            }
            DialerKind::Progressive => {}
            DialerKind::Predictive {
                margin,
                max_lines_per_agent,
            } => {
                let dp = path.field("dialer");
                if !(0.0..1.0).contains(margin) {
                    p.push(Problem::new(
                        dp.field("margin"),
                        format!("margin must lie in [0, 1), found {margin}"),
                    ));
                }
                if !(max_lines_per_agent.is_finite() && *max_lines_per_agent >= 1.0) {
                    p.push(Problem::new(
                        dp.field("max_lines_per_agent"),
                        format!(
                            "max_lines_per_agent must be a finite number >= 1, found {max_lines_per_agent}"
                        ),
                    ));
                }
            }
        }
        let wp = path.field("window");
        let w = self.window;
        check_finite(p, wp.field("start_h"), "start_h", w.start_h, false);
        if !(w.end_h.is_finite() && w.end_h > w.start_h) {
            p.push(Problem::new(
                wp.field("end_h"),
                format!(
                    "end_h must be after start_h ({}), found {}",
                    w.start_h, w.end_h
                ),
            ));
        } else if w.end_h > horizon_h + 1e-9 {
            p.push(Problem::new(
                wp.field("end_h"),
                format!(
                    "the dialing window must end by the horizon ({horizon_h} h), found {}",
                    w.end_h
                ),
            ));
        }
        let op = path.field("outcomes");
        let names = [
            "no_answer",
            "busy",
            "invalid",
            "machine",
            "right_party",
            "wrong_party",
        ];
        let shares = self.outcomes.as_array();
        for (name, v) in names.iter().zip(shares) {
            check_finite(p, op.field(*name), name, v, false);
        }
        if shares.iter().all(|v| *v == 0.0) {
            p.push(Problem::new(op, "every outcome share is 0"));
        }
        self.ring_time.validate(&path.field("ring_time"), p);
        self.answer_time.validate(&path.field("answer_time"), p);
        check_finite(p, path.field("fail_s"), "fail_s", self.fail_s, false);
        if let Some(a) = &self.amd {
            let ap = path.field("amd");
            a.decision_time.validate(&ap.field("decision_time"), p);
            check_prob(p, ap.field("detection"), "detection", a.detection);
            check_prob(
                p,
                ap.field("false_positive"),
                "false_positive",
                a.false_positive,
            );
        }
        check_finite(
            p,
            path.field("connect_within_s"),
            "connect_within_s",
            self.connect_within_s,
            false,
        );
        for (phase, d) in super::Phase::ALL.iter().zip(self.phases.as_array()) {
            d.validate(&path.field("phases").field(phase.name()), p);
        }
        self.wrong_party_time
            .validate(&path.field("wrong_party_time"), p);
        self.machine_time.validate(&path.field("machine_time"), p);
        for (name, share) in &self.persona_mix {
            let sp = path.field("persona_mix").field(name);
            if PersonaKind::from_name(name).is_none() {
                p.push(Problem::new(
                    sp,
                    format!("unknown personality \"{name}\" ({PERSONAS_KNOWN})"),
                ));
            } else {
                check_finite(p, sp, "a persona share", *share, false);
            }
        }
        if !self.persona_mix.is_empty() && self.persona_mix.values().all(|s| *s == 0.0) {
            p.push(Problem::new(
                path.field("persona_mix"),
                "every persona share is 0",
            ));
        }
        for (name, pr) in &self.prospects {
            let pp = path.field("prospects").field(name);
            if PersonaKind::from_name(name).is_none() {
                p.push(Problem::new(
                    pp,
                    format!("unknown personality \"{name}\" ({PERSONAS_KNOWN})"),
                ));
                continue;
            }
            check_prob(p, pp.field("sale"), "sale", pr.sale);
            check_prob(
                p,
                pp.field("buying_signal"),
                "buying_signal",
                pr.buying_signal,
            );
            check_prob(p, pp.field("objection"), "objection", pr.objection);
        }
        check_finite(
            p,
            path.field("signal_factor"),
            "signal_factor",
            self.signal_factor,
            true,
        );
        check_finite(
            p,
            path.field("objection_factor"),
            "objection_factor",
            self.objection_factor,
            true,
        );
        let rp = path.field("retry");
        for (name, r) in [
            ("no_answer", self.retry.no_answer),
            ("busy", self.retry.busy),
            ("machine", self.retry.machine),
            ("wrong_party", self.retry.wrong_party),
        ] {
            let one = rp.field(name);
            check_finite(p, one.field("after_min"), "after_min", r.after_min, false);
            if r.max_attempts == 0 || r.max_attempts > MAX_ATTEMPTS_LIMIT {
                p.push(Problem::new(
                    one.field("max_attempts"),
                    format!(
                        "max_attempts must lie in 1..={MAX_ATTEMPTS_LIMIT}, found {}",
                        r.max_attempts
                    ),
                ));
            }
        }
        if self.max_attempts == 0 || self.max_attempts > MAX_ATTEMPTS_LIMIT {
            p.push(Problem::new(
                path.field("max_attempts"),
                format!(
                    "max_attempts must lie in 1..={MAX_ATTEMPTS_LIMIT}, found {}",
                    self.max_attempts
                ),
            ));
        }
        check_finite(
            p,
            path.field("recall_after_abandon_h"),
            "recall_after_abandon_h",
            self.recall_after_abandon_h,
            false,
        );
        let lp = path.field("abandon_limit");
        let l = self.abandon_limit;
        if !(l.max_rate > 0.0 && l.max_rate <= 1.0) {
            p.push(Problem::new(
                lp.field("max_rate"),
                format!("max_rate must lie in (0, 1], found {}", l.max_rate),
            ));
        }
        check_finite(p, lp.field("window_h"), "window_h", l.window_h, true);
    }
}

impl Blending {
    pub(crate) fn validate(&self, path: &Path, p: &mut Vec<Problem>) {
        if let Some(b) = &self.sl_band {
            let bp = path.field("sl_band");
            check_prob(p, bp.field("low"), "low", b.low);
            check_prob(p, bp.field("high"), "high", b.high);
            if b.low > b.high {
                p.push(Problem::new(
                    bp.field("high"),
                    format!("high must be at least low ({}), found {}", b.low, b.high),
                ));
            }
            check_finite(p, bp.field("window_min"), "window_min", b.window_min, true);
            check_finite(p, bp.field("review_min"), "review_min", b.review_min, true);
            if b.step_agents == 0 {
                p.push(Problem::new(
                    bp.field("step_agents"),
                    "step_agents must be at least 1",
                ));
            }
        }
    }
}
