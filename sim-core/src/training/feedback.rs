//! Feedback after a call, and the scoreboard over calls.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::{
    CallResult, Choice, Ending, Judgement, Language, PersonaKind, Phase, Terms, TrainingError,
    TrainingKit,
};

/// What the student is told about one phase of a call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseFeedback {
    /// The phase.
    pub phase: Phase,
    /// Its name in the feedback's language.
    pub phase_name: String,
    /// What the student did; `None` if the call never reached the phase.
    pub choice: Option<Choice>,
    /// The label of what the student did ("no choice in time" after a
    /// timeout; empty if the phase was not reached).
    pub chosen: String,
    /// How the move was judged; `None` if the phase was not reached.
    pub judgement: Option<Judgement>,
    /// The judgement's word ("good", "neutral", "poor"); empty if not reached.
    pub judgement_word: String,
    /// Unless the move was good: the labels of the good techniques that were
    /// on offer.
    pub better: Vec<String>,
    /// The name of the sales cue in the caller's line, if any.
    pub cue: Option<String>,
}

/// What the student is told after a call: who the caller was, what worked
/// and what did not, phase by phase, and the outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    /// The language of every text here.
    pub language: Language,
    /// The caller's personality, revealed.
    pub personality: PersonaKind,
    /// Its name, e.g. "drammer".
    pub personality_name: String,
    /// What this kind of caller is like.
    pub description: String,
    /// What works with this kind of caller.
    pub tip: String,
    /// Every phase, in order, reached or not.
    pub phases: Vec<PhaseFeedback>,
    /// How the call ended.
    pub ending: Ending,
    /// Whether the call was resolved first time.
    pub resolved: bool,
    /// Handle time, seconds.
    pub handle_time_s: f64,
    /// Satisfaction, 1 to 5.
    pub csat: u8,
    /// Score, 0 to 100.
    pub score: f64,
    /// The words [`Feedback::render`] uses, from the script of `language`.
    pub terms: Terms,
}

impl Feedback {
    /// The feedback on a finished call, in `language` (which may differ from
    /// the call's).
    pub fn new(
        kit: &TrainingKit,
        result: &CallResult,
        language: Language,
    ) -> Result<Feedback, TrainingError> {
        let script = kit
            .script(language)
            .ok_or(TrainingError::UnknownLanguage(language))?;
        let effects = kit.effects();
        let who = result.personality;
        let text = script.personalities.get(&who);
        let phases = Phase::CONVERSATION
            .iter()
            .map(|&phase| {
                let phase_name = script.phase_name(phase).to_owned();
                match result.phase(phase) {
                    None => PhaseFeedback {
                        phase,
                        phase_name,
                        choice: None,
                        chosen: String::new(),
                        judgement: None,
                        judgement_word: String::new(),
                        better: Vec::new(),
                        cue: None,
                    },
                    Some(r) => {
                        let better = if r.judgement == Judgement::Good {
                            Vec::new()
                        } else {
                            r.options
                                .iter()
                                .filter(|&&t| {
                                    effects.judge(who, phase, t, r.cue) == Judgement::Good
                                })
                                .map(|&t| script.technique_label(t).to_owned())
                                .collect()
                        };
                        PhaseFeedback {
                            phase,
                            phase_name,
                            choice: Some(r.choice),
                            chosen: match r.choice {
                                Choice::Technique(t) => script.technique_label(t).to_owned(),
                                Choice::Timeout => script.terms.no_choice.clone(),
                            },
                            judgement: Some(r.judgement),
                            judgement_word: script.terms.judgement(r.judgement).to_owned(),
                            better,
                            cue: r.cue.map(|c| script.cue_name(c).to_owned()),
                        }
                    }
                }
            })
            .collect();
        Ok(Feedback {
            language,
            personality: who,
            personality_name: script.personality_name(who).to_owned(),
            description: text.map(|t| t.description.clone()).unwrap_or_default(),
            tip: text.map(|t| t.tip.clone()).unwrap_or_default(),
            phases,
            ending: result.ending,
            resolved: result.resolved,
            handle_time_s: result.handle_time_s,
            csat: result.csat,
            score: result.score,
            terms: script.terms.clone(),
        })
    }

    /// The phases whose move was judged `j`.
    pub fn judged(&self, j: Judgement) -> impl Iterator<Item = &PhaseFeedback> {
        self.phases.iter().filter(move |p| p.judgement == Some(j))
    }

    /// The phases where the move worked (judged good).
    pub fn worked(&self) -> impl Iterator<Item = &PhaseFeedback> {
        self.judged(Judgement::Good)
    }

    /// The phases where the move did not work (judged poor, timeouts
    /// included).
    pub fn did_not_work(&self) -> impl Iterator<Item = &PhaseFeedback> {
        self.judged(Judgement::Poor)
    }

    /// The feedback as plain text, several lines, in its language.
    pub fn render(&self) -> String {
        let t = &self.terms;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} {}: {}",
            t.caller_was, self.personality_name, self.description
        );
        let _ = writeln!(out, "{}: {}", t.tip, self.tip);
        for (j, heading) in [
            (Judgement::Good, &t.worked),
            (Judgement::Neutral, &t.could_be_better),
            (Judgement::Poor, &t.did_not_work),
        ] {
            let phases: Vec<&PhaseFeedback> = self.judged(j).collect();
            if phases.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{heading}:");
            for p in phases {
                let _ = write!(
                    out,
                    "  - {}: {} ({})",
                    p.phase_name, p.chosen, p.judgement_word
                );
                if !p.better.is_empty() {
                    let _ = write!(out, "; {}: {}", t.better, p.better.join(", "));
                }
                if let Some(cue) = &p.cue {
                    let _ = write!(out, " [{}: {cue}]", t.cue_note);
                }
                out.push('\n');
            }
        }
        let missed: Vec<&str> = self
            .phases
            .iter()
            .filter(|p| p.judgement.is_none())
            .map(|p| p.phase_name.as_str())
            .collect();
        if !missed.is_empty() {
            let _ = writeln!(out, "{}: {}", t.not_reached, missed.join(", "));
        }
        let ending = match self.ending {
            Ending::Completed => &t.completed,
            Ending::HungUp => &t.hung_up,
            Ending::Escalated => &t.escalated,
        };
        let resolved = if self.resolved {
            &t.resolved
        } else {
            &t.not_resolved
        };
        let secs = self.handle_time_s.max(0.0).round() as u64;
        let _ = writeln!(
            out,
            "{ending}, {resolved}; {} {}:{:02}; {} {}/5; {} {:.0}/100",
            t.handle_time,
            secs / 60,
            secs % 60,
            t.csat,
            self.csat,
            t.score,
            self.score
        );
        out
    }
}

/// Totals over calls, for one personality or for all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Calls counted.
    pub calls: u32,
    /// Mean score, 0 to 100.
    pub score: f64,
    /// Mean handle time, seconds.
    pub mean_handle_time_s: f64,
    /// First-contact resolution: share of calls resolved, 0 to 1.
    pub fcr: f64,
    /// Mean CSAT, 1 to 5.
    pub csat: f64,
    /// Calls where the caller hung up.
    pub hung_up: u32,
    /// Calls where the caller escalated.
    pub escalated: u32,
}

/// Totals over the decisions made in one phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseTally {
    /// Decisions made in this phase (calls that reached it).
    pub decisions: u32,
    /// Mean points of those decisions, 0 to 100.
    pub score: f64,
    /// Mean duration of the phase, seconds.
    pub mean_duration_s: f64,
    /// Moves judged good.
    pub good: u32,
    /// Moves judged neutral.
    pub neutral: u32,
    /// Moves judged poor (timeouts included).
    pub poor: u32,
    /// Of the poor moves, the timeouts.
    pub timeouts: u32,
    /// Calls that ended before reaching this phase.
    pub missed: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct CallSums {
    calls: u32,
    score: f64,
    handle_time_s: f64,
    resolved: u32,
    csat: f64,
    hung_up: u32,
    escalated: u32,
}

impl CallSums {
    fn add(&mut self, r: &CallResult) {
        self.calls += 1;
        self.score += r.score;
        self.handle_time_s += r.handle_time_s;
        self.resolved += u32::from(r.resolved);
        self.csat += f64::from(r.csat);
        self.hung_up += u32::from(r.ending == Ending::HungUp);
        self.escalated += u32::from(r.ending == Ending::Escalated);
    }

    fn tally(&self) -> Tally {
        let n = f64::from(self.calls.max(1));
        Tally {
            calls: self.calls,
            score: self.score / n,
            mean_handle_time_s: self.handle_time_s / n,
            fcr: f64::from(self.resolved) / n,
            csat: self.csat / n,
            hung_up: self.hung_up,
            escalated: self.escalated,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
struct PhaseSums {
    decisions: u32,
    points: f64,
    duration_s: f64,
    good: u32,
    neutral: u32,
    poor: u32,
    timeouts: u32,
    missed: u32,
}

/// Totals of a student's calls: overall, per personality and per phase.
///
/// Means over no calls are 0.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scoreboard {
    all: CallSums,
    personalities: BTreeMap<PersonaKind, CallSums>,
    phases: BTreeMap<Phase, PhaseSums>,
}

impl Scoreboard {
    /// An empty scoreboard.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a finished call.
    pub fn add(&mut self, r: &CallResult) {
        self.all.add(r);
        self.personalities.entry(r.personality).or_default().add(r);
        for phase in Phase::CONVERSATION {
            let s = self.phases.entry(phase).or_default();
            match r.phase(phase) {
                None => s.missed += 1,
                Some(p) => {
                    s.decisions += 1;
                    s.points += p.judgement.points();
                    s.duration_s += p.duration_s;
                    match p.judgement {
                        Judgement::Good => s.good += 1,
                        Judgement::Neutral => s.neutral += 1,
                        Judgement::Poor => s.poor += 1,
                    }
                    s.timeouts += u32::from(p.choice == Choice::Timeout);
                }
            }
        }
    }

    /// Totals over every call.
    pub fn overall(&self) -> Tally {
        self.all.tally()
    }

    /// Totals per personality (only those with calls).
    pub fn by_personality(&self) -> BTreeMap<PersonaKind, Tally> {
        self.personalities
            .iter()
            .map(|(&p, s)| (p, s.tally()))
            .collect()
    }

    /// Totals per phase (every phase once a call was added).
    pub fn by_phase(&self) -> BTreeMap<Phase, PhaseTally> {
        self.phases
            .iter()
            .map(|(&phase, s)| {
                let n = f64::from(s.decisions.max(1));
                (
                    phase,
                    PhaseTally {
                        decisions: s.decisions,
                        score: s.points / n,
                        mean_duration_s: s.duration_s / n,
                        good: s.good,
                        neutral: s.neutral,
                        poor: s.poor,
                        timeouts: s.timeouts,
                        missed: s.missed,
                    },
                )
            })
            .collect()
    }
}
