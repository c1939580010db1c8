//! The effect model: what the student's moves do to a call.
//!
//! The model is data (`assets/training/effects.ron`, whose comments document
//! every default). It answers two questions for a caller personality, a phase
//! and a technique (and the sales cue of the caller's line, if any):
//!
//! 1. **How good was the move?** A [`Judgement`], found by the first rule that
//!    names the technique:
//!    1. an [`Override`] for this personality, phase and technique, then one
//!       for every personality (`personality` left out);
//!    2. the cue's [`Ratings`] in [`Effects::cues`], when the line carries a
//!       cue (an objection is met the same way whoever raises it);
//!    3. the personality's [`Ratings`] for the phase
//!       ([`CallerModel::ratings`]);
//!    4. the phase's own ratings ([`PhaseModel::good`], [`PhaseModel::poor`]:
//!       what is right or wrong in this phase for any caller);
//!    5. otherwise neutral.
//! 2. **What does it do?** The personality's [`Effect`] for that judgement
//!    ([`CallerModel::good`], `neutral`, `poor`), unless an override gives
//!    the numbers itself. An effect multiplies the phase's duration, adds to
//!    the chance of a first-contact resolution and to the caller's
//!    satisfaction, and gives the chances that the caller escalates or hangs
//!    up right after the move.
//!
//! A timeout (no choice within the time limit) is judged poor and has the
//! personality's poor effect.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Choice, Cue, Judgement, PersonaKind, Phase, Technique, doc};
use crate::scenario::{Path, Problem, ScenarioError};

/// The whole effect model, as written in `effects.ron`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effects {
    /// Per phase: its neutral duration, the techniques on offer, and what is
    /// right or wrong in it for any caller. Every phase must be present.
    pub phases: BTreeMap<Phase, PhaseModel>,
    /// Per personality: how the caller starts, how fast they talk, what good,
    /// neutral and poor moves do to them, and which moves are which. Every
    /// personality must be present.
    pub callers: BTreeMap<PersonaKind, CallerModel>,
    /// Ratings that hold whenever the caller's line carries this sales cue,
    /// whoever the caller is. Default: none.
    #[serde(default)]
    pub cues: BTreeMap<Cue, Ratings>,
    /// Per call reason (by id): its base resolution chance and how it
    /// stretches the phases. Reasons not listed use `default_reason`.
    #[serde(default)]
    pub reasons: BTreeMap<String, ReasonModel>,
    /// The model of reasons not listed in `reasons`. Default: resolution
    /// chance 0.72 (the industry's FCR of 70–75 %), phases unscaled.
    #[serde(default)]
    pub default_reason: ReasonModel,
    /// Cells that do not follow the rules above. Default: none.
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Random spread of phase durations: each is multiplied by a uniform
    /// factor in `[1 − jitter, 1 + jitter]`. Default 0.15.
    #[serde(default = "default_jitter")]
    pub jitter: f64,
    /// Thinking time that costs nothing, seconds: decision time beyond it is
    /// silence on the line and adds to the phase's duration. Default 3.
    #[serde(default = "default_grace")]
    pub think_grace_s: f64,
    /// After-call work (the ticket in the CRM), seconds, added to the handle
    /// time of every call. Default 45.
    #[serde(default = "default_wrap_up")]
    pub wrap_up_s: f64,
    /// Extra handle time when the caller escalates (handing over to a
    /// supervisor), seconds. Default 90.
    #[serde(default = "default_escalation")]
    pub escalation_s: f64,
    /// How the final satisfaction score is made. Default: see [`CsatModel`].
    #[serde(default)]
    pub csat: CsatModel,
}

fn default_jitter() -> f64 {
    0.15
}
fn default_grace() -> f64 {
    3.0
}
fn default_wrap_up() -> f64 {
    45.0
}
fn default_escalation() -> f64 {
    90.0
}

/// One phase of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseModel {
    /// Duration of the phase with a neutral move and a neutral caller,
    /// seconds (> 0).
    pub seconds: f64,
    /// The techniques on offer in this phase (at least two, no repeats). A
    /// decision shows a few of them (see [`super::CallSetup::options`]).
    pub menu: Vec<Technique>,
    /// Techniques right in this phase for any caller. Default: none.
    #[serde(default)]
    pub good: Vec<Technique>,
    /// Techniques wrong in this phase for any caller. Default: none.
    #[serde(default)]
    pub poor: Vec<Technique>,
}

/// Good and poor techniques; any other is neutral.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ratings {
    /// Techniques judged good. Default: none.
    #[serde(default)]
    pub good: Vec<Technique>,
    /// Techniques judged poor. Default: none.
    #[serde(default)]
    pub poor: Vec<Technique>,
}

impl Ratings {
    /// The judgement of `t`, if this rating names it.
    pub fn judge(&self, t: Technique) -> Option<Judgement> {
        judge_in(&self.good, &self.poor, t)
    }
}

fn judge_in(good: &[Technique], poor: &[Technique], t: Technique) -> Option<Judgement> {
    if good.contains(&t) {
        Some(Judgement::Good)
    } else if poor.contains(&t) {
        Some(Judgement::Poor)
    } else {
        None
    }
}

/// One caller personality in the effect model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallerModel {
    /// Satisfaction at the start of the call, on the 1–5 CSAT scale, before
    /// the queue wait is taken off.
    pub start_csat: f64,
    /// How this caller stretches every phase (1 = neutral; a chatterbox
    /// talks longer, a silent caller shorter). Default 1.
    #[serde(default = "one")]
    pub tempo: f64,
    /// What a good move does.
    pub good: Effect,
    /// What a neutral move does.
    pub neutral: Effect,
    /// What a poor move (or a timeout) does.
    pub poor: Effect,
    /// Per phase, the techniques that are good or poor for this caller. A
    /// technique named here overrides the phase's own rating. Default: none.
    #[serde(default)]
    pub ratings: BTreeMap<Phase, Ratings>,
}

fn one() -> f64 {
    1.0
}

impl CallerModel {
    /// The effect of a move judged `j`.
    pub fn effect(&self, j: Judgement) -> Effect {
        match j {
            Judgement::Good => self.good,
            Judgement::Neutral => self.neutral,
            Judgement::Poor => self.poor,
        }
    }
}

/// What one move does to the call.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effect {
    /// Multiplies the phase's duration (1 = unchanged; in (0, 10]).
    pub duration: f64,
    /// Added to the chance that the call is resolved first time (in [−1, 1]).
    /// Default 0.
    #[serde(default)]
    pub resolve: f64,
    /// Added to the caller's satisfaction on the 1–5 scale (in [−4, 4]).
    /// Default 0.
    #[serde(default)]
    pub csat: f64,
    /// Chance that the caller escalates right after this move. Default 0.
    #[serde(default)]
    pub escalate: f64,
    /// Chance that the caller hangs up right after this move (drawn before
    /// the escalation). Default 0.
    #[serde(default)]
    pub hang_up: f64,
}

impl Effect {
    /// A rough value of the effect, used to rank moves of equal judgement
    /// (higher is better): satisfaction, resolution, time and risk together.
    pub fn value(&self) -> f64 {
        self.csat + 2.0 * self.resolve
            - (self.duration - 1.0)
            - 5.0 * (self.escalate + self.hang_up)
    }

    fn validate(&self, path: &Path, p: &mut Vec<Problem>) {
        if !(self.duration.is_finite() && self.duration > 0.0 && self.duration <= 10.0) {
            p.push(Problem::new(
                path.field("duration"),
                format!(
                    "duration must be a finite number in (0, 10], found {}",
                    self.duration
                ),
            ));
        }
        doc::check_range(p, path.field("resolve"), "resolve", self.resolve, -1.0, 1.0);
        doc::check_range(p, path.field("csat"), "csat", self.csat, -4.0, 4.0);
        doc::check_range(
            p,
            path.field("escalate"),
            "escalate",
            self.escalate,
            0.0,
            1.0,
        );
        doc::check_range(p, path.field("hang_up"), "hang_up", self.hang_up, 0.0, 1.0);
        if self.escalate + self.hang_up > 1.0 {
            p.push(Problem::new(
                path.field("hang_up"),
                format!(
                    "escalate + hang_up must be at most 1, found {}",
                    self.escalate + self.hang_up
                ),
            ));
        }
    }
}

/// One call reason in the effect model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonModel {
    /// Chance that a call handled with neutral moves throughout is resolved
    /// first time (for an outbound sale: that the sale is made), in [0, 1].
    pub resolve: f64,
    /// Multiplies the duration of a phase for this reason (a helpdesk
    /// analysis takes longer than a blocked card). Phases not listed: 1.
    #[serde(default)]
    pub phase_scale: BTreeMap<Phase, f64>,
}

impl Default for ReasonModel {
    fn default() -> Self {
        Self {
            resolve: 0.72,
            phase_scale: BTreeMap::new(),
        }
    }
}

impl ReasonModel {
    fn validate(&self, path: &Path, p: &mut Vec<Problem>) {
        doc::check_range(p, path.field("resolve"), "resolve", self.resolve, 0.0, 1.0);
        for (phase, s) in &self.phase_scale {
            if !(s.is_finite() && *s > 0.0 && *s <= 10.0) {
                p.push(Problem::new(
                    path.field("phase_scale").field(phase.ident()),
                    format!("a phase scale must be a finite number in (0, 10], found {s}"),
                ));
            }
        }
    }
}

/// How the final CSAT (1–5) is made from the caller's satisfaction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsatModel {
    /// Added when the call is resolved. Default 0.6.
    #[serde(default = "csat_resolved")]
    pub resolved: f64,
    /// Added when a completed call is not resolved. Default −0.6.
    #[serde(default = "csat_unresolved")]
    pub unresolved: f64,
    /// Added when the caller escalated (instead of `unresolved`). Default −1.
    #[serde(default = "csat_escalated")]
    pub escalated: f64,
    /// The CSAT of a caller who hung up. Default 1.
    #[serde(default = "one")]
    pub hung_up: f64,
    /// Added per minute the caller waited in the queue before the student
    /// answered (negative: waiting annoys). Default −0.15.
    #[serde(default = "csat_per_min")]
    pub per_min_waited: f64,
}

fn csat_resolved() -> f64 {
    0.6
}
fn csat_unresolved() -> f64 {
    -0.6
}
fn csat_escalated() -> f64 {
    -1.0
}
fn csat_per_min() -> f64 {
    -0.15
}

impl Default for CsatModel {
    fn default() -> Self {
        Self {
            resolved: csat_resolved(),
            unresolved: csat_unresolved(),
            escalated: csat_escalated(),
            hung_up: 1.0,
            per_min_waited: csat_per_min(),
        }
    }
}

/// A cell of the model that does not follow the rules: a judgement, an
/// effect, or both, for one phase and technique (and personality).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The personality it applies to; left out: every personality (a
    /// personality-specific override wins over one for everybody).
    #[serde(default)]
    pub personality: Option<PersonaKind>,
    /// The phase.
    pub phase: Phase,
    /// The technique (must be on the phase's menu).
    pub technique: Technique,
    /// The judgement; left out: found by the usual rules.
    #[serde(default)]
    pub rating: Option<Judgement>,
    /// The effect; left out: the personality's effect for the judgement.
    #[serde(default)]
    pub effect: Option<Effect>,
}

fn check_list(
    p: &mut Vec<Problem>,
    path: &Path,
    list: &[Technique],
    menu: Option<&[Technique]>,
    what: &str,
) {
    for (i, t) in list.iter().enumerate() {
        if list[..i].contains(t) {
            p.push(Problem::new(path.index(i), format!("{t} is listed twice")));
        } else if let Some(menu) = menu
            && !menu.contains(t)
        {
            p.push(Problem::new(
                path.index(i),
                format!("{t} is not on the {what} menu, so it can never be chosen there"),
            ));
        }
    }
}

fn check_ratings(
    p: &mut Vec<Problem>,
    path: &Path,
    r: &Ratings,
    menu: Option<&[Technique]>,
    what: &str,
) {
    check_list(p, &path.field("good"), &r.good, menu, what);
    check_list(p, &path.field("poor"), &r.poor, menu, what);
    for (i, t) in r.poor.iter().enumerate() {
        if r.good.contains(t) {
            p.push(Problem::new(
                path.field("poor").index(i),
                format!("{t} is listed as both good and poor"),
            ));
        }
    }
}

impl Effects {
    /// Reads and validates an effect model from RON text. On failure, every
    /// problem found, each with its line and column.
    pub fn parse(src: &str) -> Result<Effects, ScenarioError> {
        doc::parse(src, Effects::validate)
    }

    /// The techniques on offer in a phase.
    pub fn menu(&self, phase: Phase) -> &[Technique] {
        self.phases.get(&phase).map_or(&[], |m| m.menu.as_slice())
    }

    /// The model of a call reason (the default one if not listed).
    pub fn reason(&self, id: &str) -> &ReasonModel {
        self.reasons.get(id).unwrap_or(&self.default_reason)
    }

    /// Duration of a phase with a neutral move, for this reason and caller,
    /// seconds (before the move's effect and the random spread).
    pub fn phase_seconds(&self, phase: Phase, reason: &str, who: PersonaKind) -> f64 {
        let base = self.phases.get(&phase).map_or(0.0, |m| m.seconds);
        let scale = self
            .reason(reason)
            .phase_scale
            .get(&phase)
            .copied()
            .unwrap_or(1.0);
        let tempo = self.callers.get(&who).map_or(1.0, |c| c.tempo);
        base * scale * tempo
    }

    fn override_for(
        &self,
        who: PersonaKind,
        phase: Phase,
        t: Technique,
    ) -> (Option<&Override>, Option<&Override>) {
        let mine = self
            .overrides
            .iter()
            .find(|o| o.personality == Some(who) && o.phase == phase && o.technique == t);
        let all = self
            .overrides
            .iter()
            .find(|o| o.personality.is_none() && o.phase == phase && o.technique == t);
        (mine, all)
    }

    /// The judgement of technique `t` for this caller in this phase, when the
    /// caller's line carries `cue` (see the module docs for the rules).
    pub fn judge(
        &self,
        who: PersonaKind,
        phase: Phase,
        t: Technique,
        cue: Option<Cue>,
    ) -> Judgement {
        self.judge_and_effect(who, phase, Choice::Technique(t), cue)
            .0
    }

    /// The judgement and the effect of a choice (a timeout is poor, with the
    /// caller's poor effect).
    pub fn judge_and_effect(
        &self,
        who: PersonaKind,
        phase: Phase,
        choice: Choice,
        cue: Option<Cue>,
    ) -> (Judgement, Effect) {
        let neutral_effect = Effect {
            duration: 1.0,
            resolve: 0.0,
            csat: 0.0,
            escalate: 0.0,
            hang_up: 0.0,
        };
        let caller = self.callers.get(&who);
        let effect_for = |j: Judgement| caller.map_or(neutral_effect, |c| c.effect(j));
        let Choice::Technique(t) = choice else {
            return (Judgement::Poor, effect_for(Judgement::Poor));
        };
        let (mine, all) = self.override_for(who, phase, t);
        let rating = mine
            .and_then(|o| o.rating)
            .or_else(|| all.and_then(|o| o.rating))
            .or_else(|| cue.and_then(|c| self.cues.get(&c)).and_then(|r| r.judge(t)))
            .or_else(|| {
                caller
                    .and_then(|c| c.ratings.get(&phase))
                    .and_then(|r| r.judge(t))
            })
            .or_else(|| {
                self.phases
                    .get(&phase)
                    .and_then(|m| judge_in(&m.good, &m.poor, t))
            })
            .unwrap_or(Judgement::Neutral);
        let effect = mine
            .and_then(|o| o.effect)
            .or_else(|| all.and_then(|o| o.effect))
            .unwrap_or_else(|| effect_for(rating));
        (rating, effect)
    }

    /// Every problem of this model (empty when it is sound). Besides ranges
    /// and references, it requires that for every personality, phase and cue
    /// (or none) the phase's menu holds at least one good and one poor
    /// technique, so every decision is a real one.
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        let root = Path::root();

        let phases = root.field("phases");
        let missing: Vec<&str> = Phase::CONVERSATION
            .iter()
            .filter(|ph| !self.phases.contains_key(ph))
            .map(|ph| ph.ident())
            .collect();
        if !missing.is_empty() {
            p.push(Problem::new(
                phases.clone(),
                format!("phases missing: {}", missing.join(", ")),
            ));
        }
        for (phase, m) in &self.phases {
            let path = phases.field(phase.ident());
            if !(m.seconds.is_finite() && m.seconds > 0.0 && m.seconds <= 3600.0) {
                p.push(Problem::new(
                    path.field("seconds"),
                    format!(
                        "seconds must be a finite number in (0, 3600], found {}",
                        m.seconds
                    ),
                ));
            }
            if m.menu.len() < 2 {
                p.push(Problem::new(
                    path.field("menu"),
                    "a menu needs at least two techniques",
                ));
            }
            check_list(&mut p, &path.field("menu"), &m.menu, None, phase.ident());
            check_ratings(
                &mut p,
                &path,
                &Ratings {
                    good: m.good.clone(),
                    poor: m.poor.clone(),
                },
                Some(&m.menu),
                phase.ident(),
            );
        }

        let callers = root.field("callers");
        let missing: Vec<&str> = PersonaKind::ALL
            .iter()
            .filter(|w| !self.callers.contains_key(w))
            .map(|w| w.ident())
            .collect();
        if !missing.is_empty() {
            p.push(Problem::new(
                callers.clone(),
                format!("callers missing: {}", missing.join(", ")),
            ));
        }
        for (who, c) in &self.callers {
            let path = callers.field(who.ident());
            doc::check_range(
                &mut p,
                path.field("start_csat"),
                "start_csat",
                c.start_csat,
                1.0,
                5.0,
            );
            if !(c.tempo.is_finite() && c.tempo > 0.0 && c.tempo <= 10.0) {
                p.push(Problem::new(
                    path.field("tempo"),
                    format!(
                        "tempo must be a finite number in (0, 10], found {}",
                        c.tempo
                    ),
                ));
            }
            c.good.validate(&path.field("good"), &mut p);
            c.neutral.validate(&path.field("neutral"), &mut p);
            c.poor.validate(&path.field("poor"), &mut p);
            for (phase, r) in &c.ratings {
                check_ratings(
                    &mut p,
                    &path.field("ratings").field(phase.ident()),
                    r,
                    Some(self.menu(*phase)),
                    phase.ident(),
                );
            }
        }

        for (cue, r) in &self.cues {
            let path = root.field("cues").field(cue.ident());
            check_ratings(&mut p, &path, r, None, "");
            for (list, name) in [(&r.good, "good"), (&r.poor, "poor")] {
                for (i, t) in list.iter().enumerate() {
                    if !self.phases.values().any(|m| m.menu.contains(t)) {
                        p.push(Problem::new(
                            path.field(name).index(i),
                            format!("{t} is on no phase's menu, so it can never be chosen"),
                        ));
                    }
                }
            }
        }

        for (id, r) in &self.reasons {
            r.validate(&root.field("reasons").field(id.as_str()), &mut p);
        }
        self.default_reason
            .validate(&root.field("default_reason"), &mut p);

        for (i, o) in self.overrides.iter().enumerate() {
            let path = root.field("overrides").index(i);
            if !self.menu(o.phase).contains(&o.technique) {
                p.push(Problem::new(
                    path.field("technique"),
                    format!(
                        "{} is not on the {} menu, so it can never be chosen there",
                        o.technique, o.phase
                    ),
                ));
            }
            if o.rating.is_none() && o.effect.is_none() {
                p.push(Problem::new(
                    path.clone(),
                    "an override needs a rating, an effect, or both",
                ));
            }
            if let Some(e) = &o.effect {
                e.validate(&path.field("effect"), &mut p);
            }
            if self.overrides[..i].iter().any(|x| {
                x.personality == o.personality && x.phase == o.phase && x.technique == o.technique
            }) {
                p.push(Problem::new(
                    path.clone(),
                    "this personality, phase and technique are overridden twice",
                ));
            }
        }

        doc::check_range(
            &mut p,
            root.field("jitter"),
            "jitter",
            self.jitter,
            0.0,
            0.9,
        );
        doc::check_range(
            &mut p,
            root.field("think_grace_s"),
            "think_grace_s",
            self.think_grace_s,
            0.0,
            3600.0,
        );
        doc::check_range(
            &mut p,
            root.field("wrap_up_s"),
            "wrap_up_s",
            self.wrap_up_s,
            0.0,
            3600.0,
        );
        doc::check_range(
            &mut p,
            root.field("escalation_s"),
            "escalation_s",
            self.escalation_s,
            0.0,
            3600.0,
        );
        let cs = root.field("csat");
        doc::check_range(
            &mut p,
            cs.field("resolved"),
            "resolved",
            self.csat.resolved,
            -4.0,
            4.0,
        );
        doc::check_range(
            &mut p,
            cs.field("unresolved"),
            "unresolved",
            self.csat.unresolved,
            -4.0,
            4.0,
        );
        doc::check_range(
            &mut p,
            cs.field("escalated"),
            "escalated",
            self.csat.escalated,
            -4.0,
            4.0,
        );
        doc::check_range(
            &mut p,
            cs.field("hung_up"),
            "hung_up",
            self.csat.hung_up,
            1.0,
            5.0,
        );
        doc::check_range(
            &mut p,
            cs.field("per_min_waited"),
            "per_min_waited",
            self.csat.per_min_waited,
            -4.0,
            4.0,
        );

        // Checked once the rest is sound: the judgements rely on it.
        if p.is_empty() {
            p.extend(self.undecidable());
        }
        p
    }

    /// Every decision must be a real one: for every caller, phase and cue (or
    /// none), the menu needs something good and something poor.
    fn undecidable(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        let cues = std::iter::once(None).chain(Cue::ALL.map(Some));
        for who in PersonaKind::ALL {
            for phase in Phase::CONVERSATION {
                for cue in cues.clone() {
                    let has = |j: Judgement| {
                        self.menu(phase)
                            .iter()
                            .any(|&t| self.judge(who, phase, t, cue) == j)
                    };
                    let lacks: Vec<&str> = [(Judgement::Good, "good"), (Judgement::Poor, "poor")]
                        .into_iter()
                        .filter(|&(j, _)| !has(j))
                        .map(|(_, name)| name)
                        .collect();
                    if lacks.is_empty() {
                        continue;
                    }
                    let with = cue.map_or(String::new(), |c| {
                        format!(" when the line carries {}", c.ident())
                    });
                    let mut path = Path::root().field("callers").field(who.ident());
                    if self
                        .callers
                        .get(&who)
                        .is_some_and(|c| c.ratings.contains_key(&phase))
                    {
                        path = path.field("ratings").field(phase.ident());
                    }
                    p.push(Problem::new(
                        path,
                        format!(
                            "{who} has no {} technique on the {phase} menu{with}",
                            lacks.join(" and no ")
                        ),
                    ));
                }
            }
        }
        p
    }
}
