//! Outbound campaigns and blending inside the engine.
//!
//! Everything here exists only when the scenario has campaigns: a scenario
//! without them carries `None` and pays one pointer test per agent change.
//!
//! # Dialing
//!
//! Each campaign has a [`Dialer`] (a fresh one per replication) that the engine
//! asks how many lines to dial: on each dialer tick (every second of the
//! dialing window), when an agent of the campaign becomes free, and when a
//! line's outcome is known. The engine then takes records — retries that are
//! due first, then fresh records in list order — and dials them, reserving one
//! free agent per line for preview and progressive dialing.
//!
//! Every random quantity of an attempt (its outcome, ring or answer time, AMD
//! verdict and decision time, talk times, buying signal, objection, sale) comes
//! from a stream of its own, keyed by `(campaign, record, attempt)`; the
//! personality of a record's person by `(campaign, record)`. The same record
//! therefore meets the same fate under any dialer, which makes comparisons of
//! dialers on one list sharp (common random numbers).
//!
//! # Compliance
//!
//! The engine keeps, per campaign, the fates of the live answers of the last
//! `abandon_limit.window_h` hours (connected, or abandoned: no agent within
//! `connect_within_s`, or hung up on by AMD). Dialers see the window's counts in
//! their view. (A real dialer must estimate its AMD false positives; the
//! simulator knows them.)
//!
//! # Blending
//!
//! Agents of groups with both call types and campaigns among their skills are
//! blended. Inbound comes first: a freed agent takes a waiting inbound call,
//! then a waiting outbound answer, and only then is it free for dialers. With
//! `blending.reserve`, a dialer may use an idle blended agent only while more
//! than `reserve` agents who take inbound calls are idle. With
//! `blending.sl_band`, at most a quota of blended agents may do outbound work
//! (be reserved, talk or wrap up); every `review_min` the inbound service level
//! over the last `window_min` is compared with the band and the quota moved by
//! `step_agents`. Both rules limit what dialers may dial; a live answer takes
//! any free agent of its campaign rather than be abandoned.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;

use rand::RngExt;

use super::model::{CampaignModel, Model, pick};
use super::rng::{Purpose, Stream, attempt_index, stream};
use super::{
    AgentStatus, CallId, CallSlot, CallState, DIAL_WAIT, Event, HANDLE, NO_PERSONA, Observer,
    PREVIEW, SimEvent, SimTime, Simulation,
};
use crate::dialer::{Dialer, DialerView, dialer_for};
use crate::routing::{AgentId, CallRef};
use crate::scenario::{DialOutcome, PersonaKind, Phase};
use crate::stats::campaign::{CampaignCollector, CampaignSetup};

/// Seconds between a campaign's dialer ticks.
pub const DIALER_TICK_S: f64 = 1.0;

/// The window over which dialers see the rate of inbound calls taken by their
/// blended agents, seconds.
pub const INBOUND_RATE_WINDOW_S: f64 = 900.0;

const NONE: u32 = u32::MAX;

/// What an agent is doing for a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// No outbound work.
    None,
    /// Reserved for a line (previewing or waiting on it), or handling a call that
    /// needs no after-call work.
    Engaged,
    /// In a conversation.
    Talk,
    /// In after-call work.
    Wrap,
}

#[derive(Debug, Clone, Copy)]
struct AgentOut {
    campaign: u32,
    stage: Stage,
    blended: bool,
    /// When the agent last became free (for the wait before a connect).
    free_since_s: f64,
    /// Keep `free_since_s` at the next release (a reserved line failed).
    hold_since: bool,
    /// The record under preview.
    record: u32,
}

/// One outbound line's details, by call-slot index.
#[derive(Debug, Clone, Copy)]
struct Line {
    record: u32,
    attempt: u32,
    outcome: DialOutcome,
    agent: Option<AgentId>,
    dialed_s: f64,
    ready_s: f64,
    u_amd: f64,
    amd_s: f64,
    talk_s: f64,
    sale: bool,
    signal: bool,
    objection: bool,
}

const NO_LINE: Line = Line {
    record: 0,
    attempt: 0,
    outcome: DialOutcome::NoAnswer,
    agent: None,
    dialed_s: 0.0,
    ready_s: 0.0,
    u_amd: 0.0,
    amd_s: 0.0,
    talk_s: 0.0,
    sale: false,
    signal: false,
    objection: false,
};

#[derive(Debug)]
struct CampaignRun {
    dialer: Box<dyn Dialer>,
    open: bool,
    closed: bool,
    /// The next record never dialled.
    next_fresh: u32,
    /// Records whose retry is due, oldest first.
    due: VecDeque<u32>,
    /// Records to retry later: (time bits, record).
    later: BinaryHeap<Reverse<(u64, u32)>>,
    /// Attempts per record.
    attempts: Vec<u8>,
    /// Lines ringing or in AMD analysis.
    in_flight: u32,
    /// Answers waiting for an agent (entries that left are dropped lazily).
    waiting: VecDeque<CallRef>,
    live_waiting: u32,
    talking: u32,
    wrapping: u32,
    resolved: u64,
    connects: u64,
    delay_sum_s: f64,
    talk_sum_s: f64,
    talk_n: u64,
    wrap_sum_s: f64,
    wrap_n: u64,
    /// Live answers' fates in the compliance window: (time, abandoned).
    window: VecDeque<(f64, bool)>,
    window_abandoned: u64,
    live_total: u64,
    abandoned_total: u64,
    /// Preview times.
    preview_rng: Stream,
    /// When the campaign's blended agents answered inbound calls, lately.
    inbound_answers: VecDeque<f64>,
}

#[derive(Debug)]
struct BlendRun {
    reserve: u32,
    band: bool,
    /// The band's window, seconds.
    window_s: f64,
    quota: u32,
    /// Blended agents doing outbound work now.
    engaged: u32,
    /// Blended agent slots.
    blended_agents: u32,
    /// Inbound outcomes in the band's window: (time, within the threshold).
    log: VecDeque<(f64, bool)>,
    in_sl: u32,
}

/// The outbound state of one replication.
#[derive(Debug)]
pub(crate) struct Outbound {
    campaigns: Vec<CampaignRun>,
    lines: Vec<Line>,
    agents: Vec<AgentOut>,
    blend: Option<BlendRun>,
    /// Per call type: whether its service level steers blending.
    tracked_types: Vec<bool>,
    /// Groups that take inbound calls.
    inbound_groups: Vec<u32>,
    /// Per agent group, the campaigns it works.
    group_campaigns: Vec<Vec<u32>>,
    /// Outbound calls not yet ended.
    in_flight: u32,
    /// Campaigns whose dialing window has not closed.
    open: u32,
    seed: u64,
    replication: u64,
}

impl Outbound {
    /// The outbound state for `model`, or `None` without campaigns.
    pub(crate) fn new(model: &Model, seed: u64, replication: u64) -> Option<Box<Outbound>> {
        if model.campaigns.is_empty() {
            return None;
        }
        let campaigns = model
            .campaigns
            .iter()
            .enumerate()
            .map(|(c, m)| CampaignRun {
                dialer: dialer_for(&m.kind),
                open: false,
                closed: false,
                next_fresh: 0,
                due: VecDeque::new(),
                later: BinaryHeap::new(),
                attempts: vec![0; m.list_len as usize],
                in_flight: 0,
                waiting: VecDeque::new(),
                live_waiting: 0,
                talking: 0,
                wrapping: 0,
                resolved: 0,
                connects: 0,
                delay_sum_s: 0.0,
                talk_sum_s: 0.0,
                talk_n: 0,
                wrap_sum_s: 0.0,
                wrap_n: 0,
                window: VecDeque::new(),
                window_abandoned: 0,
                live_total: 0,
                abandoned_total: 0,
                preview_rng: stream(seed, replication, Purpose::Preview, c as u64),
                inbound_answers: VecDeque::new(),
            })
            .collect();
        let blended = |g: usize| {
            let gm = &model.groups[g];
            gm.inbound() && !gm.campaigns.is_empty()
        };
        let agents = model
            .agents
            .iter()
            .map(|a| agent_out(blended(a.group as usize)))
            .collect();
        let mut tracked_types = vec![false; model.call_types.len()];
        for (g, gm) in model.groups.iter().enumerate() {
            if blended(g) {
                for &ct in &gm.skills {
                    tracked_types[ct as usize] = true;
                }
            }
        }
        let blend = model.blending.as_ref().map(|b| BlendRun {
            reserve: b.reserve,
            band: b.band.is_some(),
            window_s: b.band.map_or(0.0, |band| band.window_s),
            quota: b.band.map_or(0, |band| band.start),
            engaged: 0,
            blended_agents: model
                .agents
                .iter()
                .filter(|a| blended(a.group as usize))
                .count() as u32,
            log: VecDeque::new(),
            in_sl: 0,
        });
        Some(Box::new(Outbound {
            campaigns,
            lines: Vec::new(),
            agents,
            blend,
            tracked_types,
            inbound_groups: model
                .groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.inbound())
                .map(|(i, _)| i as u32)
                .collect(),
            group_campaigns: model.groups.iter().map(|g| g.campaigns.clone()).collect(),
            in_flight: 0,
            open: model.campaigns.len() as u32,
            seed,
            replication,
        }))
    }

    /// Whether every campaign has closed and every outbound call has ended.
    pub(crate) fn is_done(&self) -> bool {
        self.open == 0 && self.in_flight == 0
    }

    /// An agent slot was added to `group` (an outside input hired it).
    pub(crate) fn add_agent(&mut self, model: &Model, group: usize) {
        let g = &model.groups[group];
        let blended = g.inbound() && !g.campaigns.is_empty();
        self.agents.push(agent_out(blended));
        if blended && let Some(b) = self.blend.as_mut() {
            b.blended_agents += 1;
        }
    }

    /// An inbound call of type `ct` was answered (`in_sl`: within the
    /// threshold) or abandoned (`in_sl` false) at `now_s`.
    #[inline]
    pub(crate) fn inbound_outcome(&mut self, ct: usize, now_s: f64, in_sl: bool) {
        if let Some(b) = self.blend.as_mut()
            && b.band
            && self.tracked_types[ct]
        {
            b.log.push_back((now_s, in_sl));
            b.in_sl += u32::from(in_sl);
            while let Some(&(t, ok)) = b.log.front() {
                if t > now_s - b.window_s {
                    break;
                }
                b.log.pop_front();
                b.in_sl -= u32::from(ok);
            }
        }
    }

    /// An agent of `group` answered an inbound call of type `ct` at `now_s`
    /// (`in_sl`: within the threshold).
    #[inline(never)]
    pub(crate) fn inbound_answered(&mut self, ct: usize, group: usize, now_s: f64, in_sl: bool) {
        self.inbound_outcome(ct, now_s, in_sl);
        if let Some(cs) = self.group_campaigns.get(group) {
            for &c in cs {
                let log = &mut self.campaigns[c as usize].inbound_answers;
                log.push_back(now_s);
                while log
                    .front()
                    .is_some_and(|t| *t <= now_s - INBOUND_RATE_WINDOW_S)
                {
                    log.pop_front();
                }
            }
        }
    }

    /// The agent became free at `now_s` (after work, a break, logging on).
    #[inline(never)]
    pub(crate) fn agent_free_since(&mut self, agent: AgentId, now_s: f64) {
        let a = &mut self.agents[agent.0 as usize];
        if a.hold_since {
            a.hold_since = false;
        } else {
            a.free_since_s = now_s;
        }
    }

    /// The agent finished all its work: close its outbound bookkeeping.
    #[inline(never)]
    pub(crate) fn agent_done(&mut self, agent: AgentId) {
        let a = &mut self.agents[agent.0 as usize];
        if a.campaign == NONE {
            return;
        }
        let run = &mut self.campaigns[a.campaign as usize];
        match a.stage {
            Stage::Talk => run.talking -= 1,
            Stage::Wrap => run.wrapping -= 1,
            Stage::Engaged | Stage::None => {}
        }
        if a.blended
            && let Some(b) = self.blend.as_mut()
        {
            b.engaged -= 1;
        }
        a.campaign = NONE;
        a.stage = Stage::None;
    }

    /// The agent starts outbound work for campaign `c` (if not already).
    fn engage(&mut self, agent: AgentId, c: usize) {
        let a = &mut self.agents[agent.0 as usize];
        if a.campaign != NONE {
            return;
        }
        a.campaign = c as u32;
        a.stage = Stage::Engaged;
        if a.blended
            && let Some(b) = self.blend.as_mut()
        {
            b.engaged += 1;
        }
    }

    fn set_stage(&mut self, agent: AgentId, stage: Stage) {
        let a = &mut self.agents[agent.0 as usize];
        let run = &mut self.campaigns[a.campaign as usize];
        match a.stage {
            Stage::Talk => run.talking -= 1,
            Stage::Wrap => run.wrapping -= 1,
            Stage::Engaged | Stage::None => {}
        }
        match stage {
            Stage::Talk => run.talking += 1,
            Stage::Wrap => run.wrapping += 1,
            Stage::Engaged | Stage::None => {}
        }
        a.stage = stage;
    }

    fn line(&self, call: CallRef) -> Line {
        self.lines
            .get(call.index as usize)
            .copied()
            .unwrap_or(NO_LINE)
    }

    fn line_mut(&mut self, call: CallRef) -> &mut Line {
        let i = call.index as usize;
        if self.lines.len() <= i {
            self.lines.resize(i + 1, NO_LINE);
        }
        &mut self.lines[i]
    }
}

fn agent_out(blended: bool) -> AgentOut {
    AgentOut {
        campaign: NONE,
        stage: Stage::None,
        blended,
        free_since_s: 0.0,
        hold_since: false,
        record: 0,
    }
}

/// The collector's outbound part for `model`.
pub(crate) fn campaign_collector(model: &Model) -> CampaignCollector {
    CampaignCollector::new(
        model
            .campaigns
            .iter()
            .map(|c| CampaignSetup {
                start_s: c.start_s,
                end_s: c.end_s,
                window_s: c.window_s,
                max_rate: c.max_abandon_rate,
            })
            .collect(),
        model.groups.iter().map(|g| g.campaigns.clone()).collect(),
        model.warmup_s,
        model.horizon_s,
        model.interval_s,
        model.intervals,
    )
}

/// Index of `o` in [`DialOutcome::ALL`].
fn outcome_index(o: DialOutcome) -> usize {
    match o {
        DialOutcome::NoAnswer => 0,
        DialOutcome::Busy => 1,
        DialOutcome::Invalid => 2,
        DialOutcome::Machine => 3,
        DialOutcome::RightParty => 4,
        DialOutcome::WrongParty => 5,
    }
}

impl<O: Observer> Simulation<O> {
    fn out(&mut self) -> &mut Outbound {
        self.out
            .as_deref_mut()
            .expect("outbound handlers run only with campaigns")
    }

    /// Put each campaign's first dialer tick and the first blending review on
    /// the event list.
    pub(super) fn schedule_outbound(&mut self) {
        let model = Arc::clone(&self.model);
        for (c, m) in model.campaigns.iter().enumerate() {
            if let Some(t) = SimTime::new(m.start_s) {
                self.fel.push(t, Event::DialerTick { campaign: c as u32 });
            }
        }
        if let Some(band) = model.blending.as_ref().and_then(|b| b.band)
            && let Some(t) = SimTime::new(band.review_s)
        {
            self.fel.push(t, Event::BlendReview);
        }
    }

    #[inline(never)]
    pub(super) fn on_dialer_tick(&mut self, c: usize) {
        let now_s = self.now.seconds();
        let end_s = self.model.campaigns[c].end_s;
        let run = &mut self.out().campaigns[c];
        if run.closed {
            return;
        }
        if now_s >= end_s {
            run.open = false;
            run.closed = true;
            self.out().open -= 1;
            self.observer.on_event(
                self.now,
                &SimEvent::CampaignWindow {
                    campaign: c,
                    open: false,
                },
            );
            return;
        }
        if !run.open {
            run.open = true;
            self.observer.on_event(
                self.now,
                &SimEvent::CampaignWindow {
                    campaign: c,
                    open: true,
                },
            );
        }
        self.consult(c);
        let next = (now_s + DIALER_TICK_S).min(end_s);
        if let Some(t) = SimTime::new(next) {
            self.fel.push(t, Event::DialerTick { campaign: c as u32 });
        }
    }

    /// Idle agents campaign `c` may use now: in groups that take no inbound
    /// calls, and in blended groups as far as blending allows.
    fn free_for(&self, c: usize) -> (u32, u32) {
        let m = &self.model.campaigns[c];
        let idle = |gs: &[u32]| -> u32 { gs.iter().map(|&g| self.floor.idle_in(g as usize)).sum() };
        let only = idle(&m.outbound_groups);
        let blended_idle = idle(&m.blended_groups);
        let Some(out) = self.out.as_deref() else {
            return (only, blended_idle);
        };
        let allowed = match &out.blend {
            None => blended_idle,
            Some(b) => {
                let idle_inbound = idle(&out.inbound_groups);
                let mut a = blended_idle.min(idle_inbound.saturating_sub(b.reserve));
                if b.band {
                    a = a.min(b.quota.saturating_sub(b.engaged));
                }
                a
            }
        };
        (only, allowed)
    }

    /// The longest-idle agent for campaign `c`: from the outbound-only groups
    /// first, then (when `blended` allows) the blended groups.
    fn pick_agent(&self, c: usize, blended: bool) -> Option<AgentId> {
        let m = &self.model.campaigns[c];
        let longest = |gs: &[u32]| {
            gs.iter()
                .filter_map(|&g| self.floor.longest_idle(g as usize))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(a, _)| a)
        };
        longest(&m.outbound_groups).or_else(|| {
            if blended {
                longest(&m.blended_groups)
            } else {
                None
            }
        })
    }

    fn dialer_view(&self, c: usize) -> DialerView {
        let m = &self.model.campaigns[c];
        let Some(out) = self.out.as_deref() else {
            return DialerView::default();
        };
        let run = &out.campaigns[c];
        let (only, blended) = self.free_for(c);
        let idle: u32 = m
            .outbound_groups
            .iter()
            .chain(&m.blended_groups)
            .map(|&g| self.floor.idle_in(g as usize))
            .sum();
        let now_s = self.now.seconds();
        let recent = run
            .inbound_answers
            .iter()
            .rev()
            .take_while(|t| **t > now_s - INBOUND_RATE_WINDOW_S)
            .count();
        let span = now_s.clamp(60.0, INBOUND_RATE_WINDOW_S);
        let mean = |sum: f64, n: u64| if n > 0 { sum / n as f64 } else { f64::NAN };
        DialerView {
            now_s,
            free_agents: only + blended,
            held_back: idle.saturating_sub(only + blended),
            inbound_per_s: recent as f64 / span,
            talking: run.talking,
            wrapping_up: run.wrapping,
            lines_in_flight: run.in_flight,
            live_waiting: run.live_waiting,
            records_ready: (run.due.len() as u32)
                .saturating_add(m.list_len.saturating_sub(run.next_fresh)),
            attempts_resolved: run.resolved,
            live_connects: run.connects,
            mean_connect_delay_s: mean(run.delay_sum_s, run.connects),
            mean_talk_s: mean(run.talk_sum_s, run.talk_n),
            mean_wrap_s: mean(run.wrap_sum_s, run.wrap_n),
            window_live: run.window.len() as u64,
            live_total: run.live_total,
            abandoned_total: run.abandoned_total,
            window_abandoned: run.window_abandoned,
            max_abandon_rate: m.max_abandon_rate,
        }
    }

    /// Ask campaign `c`'s dialer and dial what it says.
    fn consult(&mut self, c: usize) {
        let now_s = self.now.seconds();
        let model = Arc::clone(&self.model);
        let m = &model.campaigns[c];
        {
            let run = &mut self.out().campaigns[c];
            if !run.open {
                return;
            }
            while let Some(Reverse((t, record))) = run.later.peek().copied() {
                if f64::from_bits(t) > now_s {
                    break;
                }
                run.later.pop();
                run.due.push_back(record);
            }
            while let Some(&(t, abandoned)) = run.window.front() {
                if t > now_s - m.window_s {
                    break;
                }
                run.window.pop_front();
                run.window_abandoned -= u64::from(abandoned);
            }
        }
        let view = self.dialer_view(c);
        let lines = self.out().campaigns[c].dialer.lines_to_dial(&view);
        for _ in 0..lines.min(view.records_ready) {
            let agent = if m.reserves {
                let (_, allowed) = self.free_for(c);
                match self.pick_agent(c, allowed > 0) {
                    Some(a) => Some(a),
                    None => break,
                }
            } else {
                None
            };
            let Some(record) = self.next_record(c) else {
                break;
            };
            match agent {
                Some(agent) => self.reserve(c, agent, record),
                None => self.dial(c, record, None),
            }
        }
    }

    fn next_record(&mut self, c: usize) -> Option<u32> {
        let list_len = self.model.campaigns[c].list_len;
        let run = &mut self.out().campaigns[c];
        if let Some(r) = run.due.pop_front() {
            return Some(r);
        }
        (run.next_fresh < list_len).then(|| {
            run.next_fresh += 1;
            run.next_fresh - 1
        })
    }

    /// `agent` (idle) is reserved for `record`: it previews it, or dials at once.
    fn reserve(&mut self, c: usize, agent: AgentId, record: u32) {
        self.floor.take_agent(agent);
        let a = &mut self.agents[agent.0 as usize];
        a.busy = true;
        a.call = None;
        self.out().engage(agent, c);
        self.observer.on_event(
            self.now,
            &SimEvent::AgentChanged {
                agent,
                status: AgentStatus::Busy,
            },
        );
        let model = Arc::clone(&self.model);
        match &model.campaigns[c].preview {
            Some(preview) => {
                let out = self.out();
                out.agents[agent.0 as usize].record = record;
                let d = preview.sample(&mut out.campaigns[c].preview_rng);
                self.agents[agent.0 as usize].step = PREVIEW;
                self.fel.push(self.now.after(d), Event::WorkStep { agent });
                self.observer.on_event(
                    self.now,
                    &SimEvent::PreviewStarted {
                        agent,
                        campaign: c,
                        record,
                    },
                );
            }
            None => self.dial(c, record, Some(agent)),
        }
    }

    /// A preview ended: the agent dials its record (unless the window closed).
    #[inline(never)]
    pub(super) fn on_preview_done(&mut self, agent: AgentId) {
        let a = self.out().agents[agent.0 as usize];
        if a.campaign == NONE {
            self.work_done(agent);
            return;
        }
        let c = a.campaign as usize;
        if self.now.seconds() >= self.model.campaigns[c].end_s {
            self.out().campaigns[c].due.push_front(a.record);
            self.work_done(agent);
            return;
        }
        self.dial(c, a.record, Some(agent));
    }

    /// Dial `record` of campaign `c`, with `agent` reserved for the line.
    fn dial(&mut self, c: usize, record: u32, agent: Option<AgentId>) {
        let now_s = self.now.seconds();
        let model = Arc::clone(&self.model);
        let m: &CampaignModel = &model.campaigns[c];
        let (seed, rep) = {
            let out = self.out();
            (out.seed, out.replication)
        };
        let attempt = {
            let n = &mut self.out().campaigns[c].attempts[record as usize];
            *n = n.saturating_add(1);
            u32::from(*n)
        };
        let mut rng = stream(
            seed,
            rep,
            Purpose::DialAttempt,
            attempt_index(c, record, attempt),
        );
        let u: f64 = rng.random();
        let k = m.outcome_cdf.iter().position(|x| u < *x).unwrap_or(5);
        let outcome = DialOutcome::ALL[k];
        let delay = match outcome {
            DialOutcome::NoAnswer => m.ring.sample(&mut rng),
            DialOutcome::Busy | DialOutcome::Invalid => m.fail_s,
            _ => m.answer.sample(&mut rng),
        };
        let u_amd: f64 = rng.random();
        let amd_s = m.amd.as_ref().map_or(0.0, |a| a.decision.sample(&mut rng));
        let counted = now_s >= model.warmup_s;
        let serial = self.next_serial;
        self.next_serial += 1;
        let interval = self.collector.interval_of(now_s);
        let call = self.alloc_call(CallSlot {
            generation: 0,
            state: CallState::Dialing,
            call_type: c as u32,
            menu: 0,
            interval,
            persona: NO_PERSONA,
            priority: false,
            counted,
            waited: false,
            transfer: false,
            outbound: true,
            serial,
            arrived_s: now_s,
            patience_s: f64::INFINITY,
            work: [0.0; 6],
        });
        let out = self.out();
        *out.line_mut(call) = Line {
            record,
            attempt,
            outcome,
            agent,
            dialed_s: now_s,
            ready_s: now_s,
            u_amd,
            amd_s,
            ..NO_LINE
        };
        out.campaigns[c].in_flight += 1;
        out.in_flight += 1;
        if let Some(k) = self.collector.campaigns.as_deref_mut() {
            k.dial(c, now_s, counted);
        }
        if let Some(agent) = agent {
            let a = &mut self.agents[agent.0 as usize];
            a.call = Some(call);
            a.step = DIAL_WAIT;
        }
        self.observer.on_event(
            self.now,
            &SimEvent::Dialed {
                call: CallId(serial),
                campaign: c,
                record,
                attempt,
                agent,
            },
        );
        self.fel
            .push(self.now.after(delay), Event::DialDone { call });
    }

    fn live_slot(&self, call: CallRef, state: CallState) -> Option<CallSlot> {
        let s = *self.slot(call);
        (s.generation == call.generation && s.state == state && s.outbound).then_some(s)
    }

    #[inline(never)]
    pub(super) fn on_dial_done(&mut self, call: CallRef) {
        let Some(s) = self.live_slot(call, CallState::Dialing) else {
            return;
        };
        let c = s.call_type as usize;
        let line = self.out().line(call);
        self.observer.on_event(
            self.now,
            &SimEvent::DialResult {
                call: CallId(s.serial),
                campaign: c,
                outcome: line.outcome,
            },
        );
        if let Some(k) = self.collector.campaigns.as_deref_mut() {
            k.outcome(c, line.outcome, s.counted);
        }
        if !line.outcome.is_answered() {
            self.line_resolved(c);
            self.schedule_retry(c, line.record, line.outcome, false);
            self.release_line(call);
            self.consult(c);
            return;
        }
        if self.model.campaigns[c].amd.is_some() {
            self.calls[call.index as usize].state = CallState::Amd;
            self.fel
                .push(self.now.after(line.amd_s), Event::AmdDone { call });
        } else {
            self.ready_for_agent(call);
        }
    }

    #[inline(never)]
    pub(super) fn on_amd_done(&mut self, call: CallRef) {
        let Some(s) = self.live_slot(call, CallState::Amd) else {
            return;
        };
        let c = s.call_type as usize;
        let line = self.out().line(call);
        let model = Arc::clone(&self.model);
        let Some(amd) = model.campaigns[c].amd.as_ref() else {
            self.ready_for_agent(call);
            return;
        };
        let now_s = self.now.seconds();
        let machine = line.outcome == DialOutcome::Machine;
        let says_machine = if machine {
            line.u_amd < amd.detection
        } else {
            line.u_amd < amd.false_positive
        };
        self.observer.on_event(
            self.now,
            &SimEvent::AmdDecision {
                call: CallId(s.serial),
                campaign: c,
                machine: says_machine,
                correct: says_machine == machine,
            },
        );
        if says_machine != machine
            && let Some(k) = self.collector.campaigns.as_deref_mut()
        {
            k.amd_error(c, now_s, says_machine, s.counted);
        }
        if !says_machine {
            self.ready_for_agent(call);
            return;
        }
        self.line_resolved(c);
        if machine {
            self.schedule_retry(c, line.record, line.outcome, false);
        } else {
            // A person hung up on: a nuisance call.
            self.abandon_live(c, call, true);
        }
        self.release_line(call);
        self.consult(c);
    }

    /// The dialer learns that a line ended without reaching an agent.
    fn line_resolved(&mut self, c: usize) {
        let run = &mut self.out().campaigns[c];
        run.in_flight -= 1;
        run.resolved += 1;
    }

    /// A person was abandoned (no agent in time, or hung up on by AMD).
    fn abandon_live(&mut self, c: usize, call: CallRef, by_amd: bool) {
        let now_s = self.now.seconds();
        let s = *self.slot(call);
        let line = self.out().line(call);
        let run = &mut self.out().campaigns[c];
        run.window.push_back((now_s, true));
        run.window_abandoned += 1;
        run.live_total += 1;
        run.abandoned_total += 1;
        if let Some(k) = self.collector.campaigns.as_deref_mut() {
            k.fate(c, now_s, true, s.counted);
        }
        self.observer.on_event(
            self.now,
            &SimEvent::OutboundAbandoned {
                call: CallId(s.serial),
                campaign: c,
                live: true,
                by_amd,
            },
        );
        self.schedule_retry(c, line.record, line.outcome, true);
    }

    /// An answer taken for a person needs an agent: the reserved one, a free
    /// one, or it waits (at most `connect_within_s`).
    fn ready_for_agent(&mut self, call: CallRef) {
        let now_s = self.now.seconds();
        let c = self.slot(call).call_type as usize;
        let connect_within_s = self.model.campaigns[c].connect_within_s;
        let line = {
            let out = self.out();
            let l = out.line_mut(call);
            l.ready_s = now_s;
            let line = *l;
            let run = &mut out.campaigns[c];
            run.in_flight -= 1;
            run.resolved += 1;
            run.connects += 1;
            run.delay_sum_s += now_s - line.dialed_s;
            line
        };
        if let Some(agent) = line.agent {
            self.connect(agent, call);
        } else if let Some(agent) = self.pick_agent(c, true) {
            self.floor.take_agent(agent);
            self.connect(agent, call);
        } else {
            self.calls[call.index as usize].state = CallState::AwaitingAgent;
            let run = &mut self.out().campaigns[c];
            run.waiting.push_back(call);
            run.live_waiting += 1;
            self.fel.push(
                self.now.after(connect_within_s),
                Event::ConnectTimeout { call },
            );
        }
        self.consult(c);
    }

    #[inline(never)]
    pub(super) fn on_connect_timeout(&mut self, call: CallRef) {
        let Some(s) = self.live_slot(call, CallState::AwaitingAgent) else {
            return;
        };
        let c = s.call_type as usize;
        let line = self.out().line(call);
        self.calls[call.index as usize].state = CallState::InService;
        self.out().campaigns[c].live_waiting -= 1;
        if line.outcome.is_live() {
            self.abandon_live(c, call, false);
        } else {
            // A machine taken for a person, dropped: no nuisance to anybody.
            if let Some(k) = self.collector.campaigns.as_deref_mut() {
                k.machine_dropped(c, s.counted);
            }
            self.observer.on_event(
                self.now,
                &SimEvent::OutboundAbandoned {
                    call: CallId(s.serial),
                    campaign: c,
                    live: false,
                    by_amd: false,
                },
            );
            self.schedule_retry(c, line.record, line.outcome, false);
        }
        self.release_line(call);
        self.consult(c);
    }

    /// A freed agent (no inbound call waiting) takes an answer waiting for an
    /// agent of its campaigns, if any. Returns whether it did.
    #[inline(never)]
    pub(super) fn take_waiting_outbound(&mut self, agent: AgentId) -> bool {
        let g = self.floor.group_of(agent);
        let model = Arc::clone(&self.model);
        for &c in &model.groups[g].campaigns {
            let c = c as usize;
            while let Some(call) = self.out().campaigns[c].waiting.pop_front() {
                if self.live_slot(call, CallState::AwaitingAgent).is_some() {
                    self.out().campaigns[c].live_waiting -= 1;
                    self.connect(agent, call);
                    return true;
                }
            }
        }
        false
    }

    /// An agent became idle: the dialers of its campaigns may use it.
    #[inline(never)]
    pub(super) fn agent_idle_for_outbound(&mut self, agent: AgentId) {
        let g = self.floor.group_of(agent);
        let model = Arc::clone(&self.model);
        for &c in &model.groups[g].campaigns {
            self.consult(c as usize);
        }
    }

    /// `agent` (reserved for the line, or just taken off the idle list, or just
    /// freed) takes the answered line `call`.
    fn connect(&mut self, agent: AgentId, call: CallRef) {
        let now_s = self.now.seconds();
        let model = Arc::clone(&self.model);
        let s = *self.slot(call);
        let c = s.call_type as usize;
        let m = &model.campaigns[c];
        let group = self.floor.group_of(agent);
        let line = self.out().line(call);
        self.calls[call.index as usize].state = CallState::InService;
        let was_busy = self.agents[agent.0 as usize].busy;
        {
            let a = &mut self.agents[agent.0 as usize];
            a.busy = true;
            a.call = Some(call);
        }
        if !was_busy {
            self.observer.on_event(
                self.now,
                &SimEvent::AgentChanged {
                    agent,
                    status: AgentStatus::Busy,
                },
            );
        }
        let wait_s = {
            let out = self.out();
            out.engage(agent, c);
            out.set_stage(agent, Stage::Talk);
            now_s - out.agents[agent.0 as usize].free_since_s
        };
        let live = line.outcome.is_live();
        let right = line.outcome == DialOutcome::RightParty;
        if live {
            let run = &mut self.out().campaigns[c];
            run.window.push_back((now_s, false));
            run.live_total += 1;
        }
        if let Some(k) = self.collector.campaigns.as_deref_mut() {
            if live {
                k.fate(c, now_s, false, s.counted);
            }
            k.connect(c, now_s, live, right, wait_s, s.counted);
        }
        self.observer.on_event(
            self.now,
            &SimEvent::OutboundConnected {
                call: CallId(s.serial),
                campaign: c,
                agent,
                outcome: line.outcome,
                wait_s: now_s - line.ready_s,
            },
        );
        let (seed, rep) = {
            let out = self.out();
            (out.seed, out.replication)
        };
        let mut rng = stream(
            seed,
            rep,
            Purpose::Conversation,
            attempt_index(c, line.record, line.attempt),
        );
        let prof = model.groups[group].campaign_proficiency[c];
        let mut work = [0.0; 6];
        if right {
            let persona = match m.record_persona.get(line.record as usize) {
                Some(&p) if p != NO_PERSONA => p as usize,
                _ => {
                    let mut who =
                        stream(seed, rep, Purpose::Callee, attempt_index(c, line.record, 0));
                    let u: f64 = who.random();
                    pick(&m.personas, u).map_or(0, |k: PersonaKind| k.index())
                }
            };
            let factors = model.personas[persona].phase_factors;
            for (i, w) in work.iter_mut().enumerate() {
                *w = m.phases[i].sample(&mut rng) * factors[i] / prof;
            }
            let prospect = m.prospects[persona];
            let (u_signal, u_objection, u_sale): (f64, f64, f64) =
                (rng.random(), rng.random(), rng.random());
            let signal = u_signal < prospect.buying_signal;
            let objection = u_objection < prospect.objection;
            let mut chance = prospect.sale;
            if signal {
                chance *= m.signal_factor;
            }
            if objection {
                chance *= m.objection_factor;
            }
            chance *= m
                .record_sale_factor
                .get(line.record as usize)
                .copied()
                .unwrap_or(1.0);
            let sale = u_sale < chance.min(1.0);
            let talk_s: f64 = work[..Phase::Acw as usize].iter().sum();
            {
                let l = self.out().line_mut(call);
                l.talk_s = talk_s;
                l.sale = sale;
                l.signal = signal;
                l.objection = objection;
            }
            {
                let slot = &mut self.calls[call.index as usize];
                slot.work = work;
                slot.persona = persona as u8;
            }
            let total: f64 = work.iter().sum();
            self.collector.busy_span_group(group, now_s, now_s + total);
            self.start_phase(agent, call, 0);
        } else {
            let d = if live { &m.wrong_party } else { &m.machine };
            work[0] = d.sample(&mut rng) / prof;
            self.out().line_mut(call).talk_s = work[0];
            self.calls[call.index as usize].work = work;
            self.collector
                .busy_span_group(group, now_s, now_s + work[0]);
            self.agents[agent.0 as usize].step = HANDLE;
            self.fel
                .push(self.now.after(work[0]), Event::WorkStep { agent });
        }
    }

    /// The callee hung up after talking to `agent` (who may go on to after-call
    /// work): record the outcome and free the line.
    #[inline(never)]
    pub(super) fn outbound_call_ends(&mut self, agent: AgentId, call: CallRef) {
        let now_s = self.now.seconds();
        let s = *self.slot(call);
        let c = s.call_type as usize;
        let line = self.out().line(call);
        let right = line.outcome == DialOutcome::RightParty;
        {
            let out = self.out();
            out.set_stage(agent, if right { Stage::Wrap } else { Stage::Engaged });
            let run = &mut out.campaigns[c];
            run.talk_sum_s += line.talk_s;
            run.talk_n += 1;
            if right {
                run.wrap_sum_s += s.work[Phase::Acw as usize];
                run.wrap_n += 1;
            }
        }
        if let Some(k) = self.collector.campaigns.as_deref_mut() {
            k.conversation(
                c,
                now_s,
                line.talk_s,
                line.sale,
                line.signal,
                line.objection,
                s.counted,
            );
        }
        self.observer.on_event(
            self.now,
            &SimEvent::OutboundCompleted {
                call: CallId(s.serial),
                campaign: c,
                agent,
                outcome: line.outcome,
                persona: s.persona().map(|p| PersonaKind::ALL[p]),
                sale: line.sale,
            },
        );
        if !right {
            self.schedule_retry(c, line.record, line.outcome, false);
        }
        self.free_call(call);
        self.out().in_flight -= 1;
        self.consult(c);
    }

    /// The line is over before any conversation: free it, and its reserved
    /// agent (who keeps waiting from when it became free).
    fn release_line(&mut self, call: CallRef) {
        let line = self.out().line(call);
        self.free_call(call);
        self.out().in_flight -= 1;
        if let Some(agent) = line.agent {
            let a = self.agents[agent.0 as usize];
            if a.call == Some(call) {
                if !a.pending_off && a.pending_break_s <= 0.0 {
                    self.out().agents[agent.0 as usize].hold_since = true;
                }
                self.agents[agent.0 as usize].call = None;
                self.work_done(agent);
            }
        }
    }

    /// Put `record` back on the list per the retry rules after `outcome`
    /// (`abandoned`: the person was abandoned; the recall rest applies).
    fn schedule_retry(&mut self, c: usize, record: u32, outcome: DialOutcome, abandoned: bool) {
        let now_s = self.now.seconds();
        let model = Arc::clone(&self.model);
        let m = &model.campaigns[c];
        let (delay, cap) = if abandoned {
            (m.recall_after_abandon_s, m.max_attempts)
        } else {
            match m.retry[outcome_index(outcome)] {
                Some(r) => (r.after_s, r.max_attempts.min(m.max_attempts)),
                None => return,
            }
        };
        let run = &mut self.out().campaigns[c];
        if u32::from(run.attempts[record as usize]) >= cap {
            return;
        }
        let at = now_s + delay;
        if at < m.end_s {
            run.later.push(Reverse((at.to_bits(), record)));
        }
    }

    #[inline(never)]
    pub(super) fn on_blend_review(&mut self) {
        let now_s = self.now.seconds();
        let model = Arc::clone(&self.model);
        let Some(band) = model.blending.as_ref().and_then(|b| b.band) else {
            return;
        };
        let out = self.out();
        let Some(b) = out.blend.as_mut() else {
            return;
        };
        while let Some(&(t, ok)) = b.log.front() {
            if t > now_s - band.window_s {
                break;
            }
            b.log.pop_front();
            b.in_sl -= u32::from(ok);
        }
        let n = b.log.len();
        let sl = if n > 0 {
            f64::from(b.in_sl) / n as f64
        } else {
            f64::NAN
        };
        let before = b.quota;
        if n > 0 && sl < band.low {
            b.quota = b.quota.saturating_sub(band.step);
        } else if n == 0 || sl > band.high {
            b.quota = (b.quota + band.step).min(b.blended_agents);
        }
        let (after, open) = (b.quota, out.open);
        if after != before {
            self.observer.on_event(
                self.now,
                &SimEvent::BlendQuota {
                    outbound_agents: after,
                    service_level: sl,
                },
            );
        }
        if open > 0 {
            self.fel
                .push(self.now.after(band.review_s), Event::BlendReview);
        }
        if after > before {
            for c in 0..model.campaigns.len() {
                self.consult(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_indices_follow_the_declared_order() {
        for (i, o) in DialOutcome::ALL.iter().enumerate() {
            assert_eq!(outcome_index(*o), i);
        }
    }
}
