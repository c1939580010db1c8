//! One training call as a state machine.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::rng::{self, Purpose};
use super::{
    CallerLine, Choice, Cue, Direction, Judgement, Language, PersonaKind, Phase, Script, Technique,
    TrainingError, TrainingKit,
};
use crate::engine::rng::Stream;

/// Who calls, why, and how the call is run. Together with the student's
/// choices it fixes the whole call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallSetup {
    /// The caller's personality (hidden from the student until the end).
    pub personality: PersonaKind,
    /// The call reason's id, e.g. `"blocked_card"`.
    pub reason: String,
    /// The language of the caller's lines and of the labels.
    pub language: Language,
    /// Seed of the call's random streams (lines, menus, outcomes).
    pub seed: u64,
    /// Time the student has for each decision, seconds (> 0); a later
    /// choice counts as a timeout. 30 from [`CallSetup::new`].
    pub time_limit_s: f64,
    /// How many techniques each decision offers (at least 2; fewer if the
    /// phase's menu is shorter). 4 from [`CallSetup::new`].
    pub options: usize,
    /// How long the caller waited in the queue before the student answered,
    /// seconds (lowers the starting satisfaction). 0 from [`CallSetup::new`].
    pub wait_s: f64,
}

impl CallSetup {
    /// A setup with the default time limit (30 s), 4 options per decision
    /// and no queue wait.
    pub fn new(
        personality: PersonaKind,
        reason: impl Into<String>,
        language: Language,
        seed: u64,
    ) -> Self {
        Self {
            personality,
            reason: reason.into(),
            language,
            seed,
            time_limit_s: 30.0,
            options: 4,
            wait_s: 0.0,
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Ending {
    /// All five phases were played.
    Completed,
    /// The caller hung up.
    HungUp,
    /// The caller escalated (demanded a supervisor, threatened a complaint).
    Escalated,
}

/// What happens after a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// The call goes on in this phase.
    Continue(Phase),
    /// The closing is done: the call ended normally.
    Completed,
    /// The caller hung up; the call is over.
    HungUp,
    /// The caller escalated; the call is over.
    Escalated,
}

/// The answer to one move: how it was judged, how the caller reacts, and
/// what happens next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// The phase the move was made in.
    pub phase: Phase,
    /// The choice as scored (a late choice becomes [`Choice::Timeout`]).
    pub choice: Choice,
    /// How the move suited this caller here.
    pub judgement: Judgement,
    /// What the caller says in reaction.
    pub reaction: String,
    /// What happens next.
    pub outcome: Outcome,
    /// How long the phase took, seconds.
    pub duration_s: f64,
}

/// One phase as it was played.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseRecord {
    /// The phase.
    pub phase: Phase,
    /// What the caller said.
    pub line: String,
    /// The sales cue in the line, if any.
    pub cue: Option<Cue>,
    /// The techniques that were on offer.
    pub options: Vec<Technique>,
    /// What the student did (a late choice is recorded as a timeout).
    pub choice: Choice,
    /// How long the student took to decide, seconds.
    pub decision_time_s: f64,
    /// How the move suited this caller here.
    pub judgement: Judgement,
    /// How long the phase took, seconds.
    pub duration_s: f64,
    /// What the caller said in reaction.
    pub reaction: String,
}

/// The result of a finished call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallResult {
    /// The caller's personality, revealed.
    pub personality: PersonaKind,
    /// The call reason's id.
    pub reason: String,
    /// The language the call was held in.
    pub language: Language,
    /// The phases played, in order (fewer than five if the caller hung up or
    /// escalated).
    pub phases: Vec<PhaseRecord>,
    /// How the call ended.
    pub ending: Ending,
    /// Conversation time: the phases' durations, plus the hand-over when the
    /// caller escalated, seconds.
    pub talk_time_s: f64,
    /// Handle time: talk time plus after-call work, seconds.
    pub handle_time_s: f64,
    /// Whether the call was resolved first time (FCR; for an outbound sale,
    /// whether the sale was made). Never true for a hang-up or an escalation.
    pub resolved: bool,
    /// The caller's satisfaction, 1 to 5.
    pub csat: u8,
    /// The student's score, 0 to 100: the mean over the five phases of 100
    /// for a good move, 50 for a neutral one, 0 for a poor one, a timeout or
    /// a phase the call never reached.
    pub score: f64,
}

impl CallResult {
    /// The record of a phase, if the call reached it.
    pub fn phase(&self, phase: Phase) -> Option<&PhaseRecord> {
        self.phases.iter().find(|r| r.phase == phase)
    }
}

/// Everything drawn at random for one phase, drawn when the call is set up:
/// the draws do not depend on the student's choices, so two students on the
/// same seed hear the same lines and see the same menus (common random
/// numbers).
#[derive(Debug, Clone)]
struct PhasePlan {
    line: usize,
    options: Vec<Technique>,
    jitter_u: f64,
    hang_up_u: f64,
    escalate_u: f64,
    reaction_u: f64,
}

/// One training call: the caller's line and the techniques on offer in the
/// current phase; [`TrainingCall::choose`] applies the student's move.
///
/// Deterministic: the same [`CallSetup`] and the same choices (with the same
/// decision times) give the same call.
#[derive(Debug, Clone)]
pub struct TrainingCall {
    kit: Arc<TrainingKit>,
    /// Index of the call's script in the kit (checked by `new`).
    script: usize,
    setup: CallSetup,
    plans: Vec<PhasePlan>,
    resolve_u: f64,
    phase: Option<Phase>,
    records: Vec<PhaseRecord>,
    satisfaction: f64,
    resolve: f64,
    talk_s: f64,
    result: Option<CallResult>,
}

fn check_number(what: &'static str, value: f64, positive: bool) -> Result<(), TrainingError> {
    if value.is_finite() && value >= 0.0 && (!positive || value > 0.0) {
        Ok(())
    } else {
        Err(TrainingError::BadNumber { what, value })
    }
}

/// The techniques offered in one decision: `k` of the menu, at least one of
/// them good and (when `k` ≥ 2) one poor, the rest drawn at random, in random
/// order.
fn draw_options(
    rng: &mut Stream,
    menu: &[Technique],
    k: usize,
    judge: impl Fn(Technique) -> Judgement,
) -> Vec<Technique> {
    let k = k.min(menu.len());
    let of = |j: Judgement| -> Vec<Technique> {
        menu.iter().copied().filter(|&t| judge(t) == j).collect()
    };
    let goods = of(Judgement::Good);
    let poors = of(Judgement::Poor);
    let mut picked = Vec::with_capacity(k);
    if k >= 1 && !goods.is_empty() {
        picked.push(goods[rng::index_below(rng, goods.len())]);
    }
    if k >= 2 && !poors.is_empty() {
        picked.push(poors[rng::index_below(rng, poors.len())]);
    }
    let mut rest: Vec<Technique> = menu
        .iter()
        .copied()
        .filter(|t| !picked.contains(t))
        .collect();
    rng::shuffle(rng, &mut rest);
    let room = k.saturating_sub(picked.len());
    picked.extend(rest.into_iter().take(room));
    rng::shuffle(rng, &mut picked);
    picked
}

impl TrainingCall {
    /// Sets up a call: checks the setup against the kit and draws the lines,
    /// menus and chances of every phase from the setup's seed.
    pub fn new(kit: Arc<TrainingKit>, setup: CallSetup) -> Result<TrainingCall, TrainingError> {
        check_number("time_limit_s", setup.time_limit_s, true)?;
        check_number("wait_s", setup.wait_s, false)?;
        if setup.options < 2 {
            return Err(TrainingError::BadNumber {
                what: "options",
                value: setup.options as f64,
            });
        }
        let script_index = kit
            .scripts()
            .iter()
            .position(|s| s.language == setup.language)
            .ok_or(TrainingError::UnknownLanguage(setup.language))?;
        let script = &kit.scripts()[script_index];
        if script.reason(&setup.reason).is_none() {
            return Err(TrainingError::UnknownReason(setup.reason.clone()));
        }
        let effects = kit.effects();
        let who = setup.personality;

        let mut lines_rng = rng::stream(setup.seed, Purpose::Lines, 0);
        let mut menu_rng = rng::stream(setup.seed, Purpose::Menu, 0);
        let mut outcome_rng = rng::stream(setup.seed, Purpose::Outcome, 0);
        let mut reaction_rng = rng::stream(setup.seed, Purpose::Reactions, 0);
        let mut plans = Vec::with_capacity(Phase::CONVERSATION.len());
        for phase in Phase::CONVERSATION {
            let lines = script.lines(&setup.reason, who, phase);
            let line = rng::index_below(&mut lines_rng, lines.len());
            let cue = lines.get(line).and_then(|l| l.cue);
            let options = draw_options(&mut menu_rng, effects.menu(phase), setup.options, |t| {
                effects.judge(who, phase, t, cue)
            });
            plans.push(PhasePlan {
                line,
                options,
                jitter_u: rng::unit(&mut outcome_rng),
                hang_up_u: rng::unit(&mut outcome_rng),
                escalate_u: rng::unit(&mut outcome_rng),
                reaction_u: rng::unit(&mut reaction_rng),
            });
        }
        let resolve_u = rng::unit(&mut outcome_rng);
        let start = effects.callers.get(&who).map_or(3.0, |c| c.start_csat);
        let satisfaction = start + effects.csat.per_min_waited * setup.wait_s / 60.0;
        let resolve = effects.reason(&setup.reason).resolve;
        Ok(TrainingCall {
            kit,
            script: script_index,
            setup,
            plans,
            resolve_u,
            phase: Some(Phase::Alertheid),
            records: Vec::new(),
            satisfaction,
            resolve,
            talk_s: 0.0,
            result: None,
        })
    }

    /// The setup this call was made from.
    pub fn setup(&self) -> &CallSetup {
        &self.setup
    }

    /// The kit the call draws on.
    pub fn kit(&self) -> &TrainingKit {
        &self.kit
    }

    /// The script of the call's language (for labels).
    pub fn script(&self) -> &Script {
        &self.kit.scripts()[self.script]
    }

    /// The title of the call reason, in the call's language.
    pub fn reason_title(&self) -> &str {
        self.script()
            .reason(&self.setup.reason)
            .map_or(self.setup.reason.as_str(), |r| r.title.as_str())
    }

    /// Whether the customer called (inbound) or was called (outbound).
    pub fn direction(&self) -> Direction {
        self.script()
            .reason(&self.setup.reason)
            .map_or(Direction::Inbound, |r| r.direction)
    }

    /// The current phase; `None` once the call has ended.
    pub fn phase(&self) -> Option<Phase> {
        self.phase
    }

    /// Whether the call has ended.
    pub fn is_finished(&self) -> bool {
        self.result.is_some()
    }

    /// What the caller says in the current phase; `None` once the call has
    /// ended.
    pub fn line(&self) -> Option<&CallerLine> {
        let phase = self.phase?;
        let plan = self.plans.get(phase.index())?;
        self.script()
            .lines(&self.setup.reason, self.setup.personality, phase)
            .get(plan.line)
    }

    /// The techniques on offer in the current phase, in the order to show
    /// them; empty once the call has ended.
    pub fn options(&self) -> &[Technique] {
        self.phase
            .and_then(|p| self.plans.get(p.index()))
            .map_or(&[], |plan| plan.options.as_slice())
    }

    /// The phases played so far.
    pub fn records(&self) -> &[PhaseRecord] {
        &self.records
    }

    /// Conversation time so far, seconds.
    pub fn elapsed_s(&self) -> f64 {
        self.talk_s
    }

    /// The result, once the call has ended.
    pub fn result(&self) -> Option<&CallResult> {
        self.result.as_ref()
    }

    /// Applies the student's move in the current phase, taken after
    /// `decision_time_s` seconds. A technique chosen after the time limit
    /// counts as a timeout, and a timeout as a poor move.
    ///
    /// Errors (the call is left unchanged): the call has ended, the technique
    /// is not on offer, or the decision time is negative or not finite.
    pub fn choose(
        &mut self,
        choice: impl Into<Choice>,
        decision_time_s: f64,
    ) -> Result<Turn, TrainingError> {
        let choice = choice.into();
        let Some(phase) = self.phase else {
            return Err(TrainingError::Finished);
        };
        check_number("decision_time_s", decision_time_s, false)?;
        let plan = self.plans[phase.index()].clone();
        if let Choice::Technique(t) = choice
            && !plan.options.contains(&t)
        {
            return Err(TrainingError::NotOffered {
                technique: t,
                phase,
            });
        }
        let choice = if decision_time_s > self.setup.time_limit_s {
            Choice::Timeout
        } else {
            choice
        };
        let who = self.setup.personality;
        let (line_text, cue) = self
            .line()
            .map_or((String::new(), None), |l| (l.text.clone(), l.cue));
        let effects = self.kit.effects();
        let (judgement, effect) = effects.judge_and_effect(who, phase, choice, cue);

        let spread = 1.0 + effects.jitter * (2.0 * plan.jitter_u - 1.0);
        let silence =
            (decision_time_s.min(self.setup.time_limit_s) - effects.think_grace_s).max(0.0);
        let duration_s =
            effects.phase_seconds(phase, &self.setup.reason, who) * effect.duration * spread
                + silence;
        self.talk_s += duration_s;
        self.satisfaction += effect.csat;
        self.resolve += effect.resolve;
        let hung_up = plan.hang_up_u < effect.hang_up;
        let escalated = !hung_up && plan.escalate_u < effect.escalate;

        let outcome = if hung_up {
            Outcome::HungUp
        } else if escalated {
            Outcome::Escalated
        } else {
            phase.next().map_or(Outcome::Completed, Outcome::Continue)
        };
        let list = self
            .script()
            .reactions
            .get(&who)
            .map_or(&[][..], |r| match outcome {
                Outcome::HungUp => r.hangs_up.as_slice(),
                Outcome::Escalated => r.escalates.as_slice(),
                _ if choice == Choice::Timeout => r.timeout.as_slice(),
                _ => r.for_judgement(judgement),
            });
        // The drawn reaction, or the next one in the list that the caller has
        // not said yet in this call.
        let first =
            ((plan.reaction_u * list.len() as f64) as usize).min(list.len().saturating_sub(1));
        let reaction = (0..list.len())
            .map(|k| &list[(first + k) % list.len()])
            .find(|text| !self.records.iter().any(|r| &r.reaction == *text))
            .or_else(|| list.get(first))
            .cloned()
            .unwrap_or_default();

        self.records.push(PhaseRecord {
            phase,
            line: line_text,
            cue,
            options: plan.options,
            choice,
            decision_time_s,
            judgement,
            duration_s,
            reaction: reaction.clone(),
        });
        match outcome {
            Outcome::Continue(next) => self.phase = Some(next),
            Outcome::Completed => self.finish(Ending::Completed),
            Outcome::HungUp => self.finish(Ending::HungUp),
            Outcome::Escalated => self.finish(Ending::Escalated),
        }
        Ok(Turn {
            phase,
            choice,
            judgement,
            reaction,
            outcome,
            duration_s,
        })
    }

    fn finish(&mut self, ending: Ending) {
        let effects = self.kit.effects();
        self.phase = None;
        let talk_time_s = self.talk_s
            + if ending == Ending::Escalated {
                effects.escalation_s
            } else {
                0.0
            };
        let resolved =
            ending == Ending::Completed && self.resolve_u < self.resolve.clamp(0.02, 0.98);
        let csat = match ending {
            Ending::HungUp => effects.csat.hung_up,
            Ending::Escalated => self.satisfaction + effects.csat.escalated,
            Ending::Completed if resolved => self.satisfaction + effects.csat.resolved,
            Ending::Completed => self.satisfaction + effects.csat.unresolved,
        };
        let score = self
            .records
            .iter()
            .map(|r| r.judgement.points())
            .sum::<f64>()
            / Phase::CONVERSATION.len() as f64;
        self.result = Some(CallResult {
            personality: self.setup.personality,
            reason: self.setup.reason.clone(),
            language: self.setup.language,
            phases: self.records.clone(),
            ending,
            talk_time_s,
            handle_time_s: talk_time_s + effects.wrap_up_s,
            resolved,
            // In [1, 5] after the clamp, so the cast is exact.
            csat: csat.round().clamp(1.0, 5.0) as u8,
            score,
        });
    }
}
