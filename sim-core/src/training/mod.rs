//! Classroom training: a student in an agent's seat takes simulated calls.
//!
//! A caller with a hidden personality (see [`PersonaKind`]) calls for a reason
//! (a blocked bank card, an internet outage, or is called for an outbound sale).
//! The call runs through the five conversation phases ([`Phase`]). In each
//! phase the caller says a line, the student picks a [`Technique`] from a
//! short menu within a time limit, and the caller reacts. Good choices for
//! this caller make the phase shorter and raise the chance of a first-contact
//! resolution (FCR) and the caller's satisfaction (CSAT); poor ones do the
//! opposite and may make the caller escalate or hang up. After the call the
//! student gets [`Feedback`] that names the personality, and a [`Scoreboard`]
//! adds the calls up.
//!
//! Everything here is data driven and deterministic:
//!
//! * [`Script`]s (one RON file per language, `assets/scripts/*.ron`) hold what
//!   callers say, per personality, call reason and phase, their reactions, and
//!   every label shown to the student;
//! * [`Effects`] (`assets/training/effects.ron`) holds the effect model: which
//!   techniques are offered in which phase, which are good or poor for whom,
//!   and what a good, neutral or poor move does to the call;
//! * an [`Exercise`] (`scenarios/classroom-*.ron`) says which calls a student
//!   gets, in which language, with how much time per decision, on which floor;
//! * a [`TrainingCall`] is one call as a state machine, driven by
//!   [`TrainingCall::choose`]; its randomness comes from streams seeded by
//!   [`CallSetup::seed`], so a call is a pure function of its setup and the
//!   student's choices.
//!
//! Like the rest of sim-core this module does no I/O: front ends read the
//! files and pass their text in, and show the texts that come out.
//!
//! ```
//! # use std::sync::Arc;
//! use sim_core::training::{
//!     CallSetup, Choice, Language, PersonaKind, ScriptedStudent, TrainingCall, TrainingKit,
//! };
//! # let nl = include_str!("../../../assets/scripts/nl.ron");
//! # let en = include_str!("../../../assets/scripts/en.ron");
//! # let effects = include_str!("../../../assets/training/effects.ron");
//! // The front end reads these three files and passes their text.
//! let kit = Arc::new(TrainingKit::from_sources(
//!     &[("nl.ron", nl), ("en.ron", en)],
//!     ("effects.ron", effects),
//! )?);
//! let setup = CallSetup::new(PersonaKind::Drammer, "blocked_card", Language::Nl, 42);
//! let mut call = TrainingCall::new(Arc::clone(&kit), setup)?;
//! while !call.is_finished() {
//!     let _caller_says = call.line();
//!     let pick = ScriptedStudent::Good.pick(&call);
//!     let turn = call.choose(pick, 4.0)?;
//!     let _caller_reacts = turn.reaction;
//! }
//! let result = call.result().expect("a finished call has a result");
//! assert_eq!(result.score, 100.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod call;
mod doc;
mod effects;
mod exercise;
mod feedback;
mod kit;
mod rng;
mod script;
mod session;
mod student;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use call::{CallResult, CallSetup, Ending, Outcome, PhaseRecord, TrainingCall, Turn};
pub use effects::{
    CallerModel, CsatModel, Effect, Effects, Override, PhaseModel, Ratings, ReasonModel,
};
pub use exercise::{
    BUILTIN_FLOORS, CallList, CallSpec, Exercise, Floor, FloorLoad, floor_source, parse_exercise,
    validate_exercise,
};
pub use feedback::{Feedback, PhaseFeedback, PhaseTally, Scoreboard, Tally};
pub use kit::{BUILTIN_SOURCES, FileError, KitError, TrainingKit};
pub use script::{CallerLine, PersonalityText, Reactions, Reason, Script, TechniqueText, Terms};
pub use session::{
    FloorKpis, RecordedChoice, SessionConfig, SessionError, SessionResult, TrainingSession,
    recorded_choices, replay_session,
};
pub use student::{ScriptedStudent, play_exercise, play_session};

/// The personality (klanttype) of a simulated caller: the engine's
/// [`PersonaKind`], so the floor and the classroom share one vocabulary. Never
/// shown to the student before the call ends.
pub use crate::scenario::PersonaKind;
/// The conversation phases: the engine's [`Phase`]. A training call runs
/// through [`Phase::CONVERSATION`] (the engine's after-call work,
/// [`Phase::Acw`], is not a conversation phase and never comes up in training).
pub use crate::scenario::Phase;

/// The language of the caller's lines and of every label; Dutch by default.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Language {
    /// Dutch (the default).
    #[default]
    Nl,
    /// English.
    En,
}

impl Language {
    /// The identifier used in RON files, e.g. `Nl`.
    pub fn ident(self) -> &'static str {
        match self {
            Language::Nl => "Nl",
            Language::En => "En",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ident())
    }
}

/// Who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// The customer calls the center (service, helpdesk, complaints).
    Inbound,
    /// The center calls the customer (sales, surveys). For an outbound sale,
    /// "resolved" means the sale (or the agreed next step) was made.
    Outbound,
}

/// A move the student can make in a phase.
///
/// Which techniques are offered in which phase, and which are good or poor for
/// which caller, is data: see [`Effects`] and `assets/training/effects.ron`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Technique {
    /// Be ready before speaking: mouth empty, headset on, the customer's
    /// record on screen; then greet with name and company.
    Prepare,
    /// An open question ("What happened exactly?").
    OpenQuestion,
    /// A closed question, answered with yes or no ("Is the card still in
    /// your wallet?").
    ClosedQuestion,
    /// A control (check) question that confirms what was understood ("So the
    /// light has been orange since this morning?").
    ControlQuestion,
    /// A suggestive (leading) question ("Surely you agree that …?").
    SuggestiveQuestion,
    /// A multiple-choice question ("Shall I call back at ten or at two?").
    MultipleChoiceQuestion,
    /// Listen actively and let the caller talk (the L of LSD).
    Listen,
    /// Summarise what the caller said (the S of LSD).
    Summarise,
    /// Repeat the caller's words to confirm them.
    Repeat,
    /// Ask further on what was said (the D of LSD, doorvragen).
    AskFurther,
    /// Show that you understand the caller's situation.
    Empathy,
    /// Stay with the facts, objective and calm.
    StayWithFacts,
    /// Show enthusiasm and act quickly.
    ActQuickly,
    /// Politely interrupt and steer back to the point.
    InterruptAndSteer,
    /// Stress what the product or solution does for this caller.
    StressBenefit,
    /// Offer the solution (or, in a sale, make the offer).
    OfferSolution,
    /// Transfer to the second line or another department.
    Transfer,
    /// Promise to call back.
    PromiseCallback,
    /// Close: ask for further questions, thank, greet.
    Close,
}

impl Technique {
    /// Every technique, in declaration order.
    pub const ALL: [Technique; 19] = [
        Technique::Prepare,
        Technique::OpenQuestion,
        Technique::ClosedQuestion,
        Technique::ControlQuestion,
        Technique::SuggestiveQuestion,
        Technique::MultipleChoiceQuestion,
        Technique::Listen,
        Technique::Summarise,
        Technique::Repeat,
        Technique::AskFurther,
        Technique::Empathy,
        Technique::StayWithFacts,
        Technique::ActQuickly,
        Technique::InterruptAndSteer,
        Technique::StressBenefit,
        Technique::OfferSolution,
        Technique::Transfer,
        Technique::PromiseCallback,
        Technique::Close,
    ];

    /// The identifier used in RON files, e.g. `OpenQuestion`.
    pub fn ident(self) -> &'static str {
        match self {
            Technique::Prepare => "Prepare",
            Technique::OpenQuestion => "OpenQuestion",
            Technique::ClosedQuestion => "ClosedQuestion",
            Technique::ControlQuestion => "ControlQuestion",
            Technique::SuggestiveQuestion => "SuggestiveQuestion",
            Technique::MultipleChoiceQuestion => "MultipleChoiceQuestion",
            Technique::Listen => "Listen",
            Technique::Summarise => "Summarise",
            Technique::Repeat => "Repeat",
            Technique::AskFurther => "AskFurther",
            Technique::Empathy => "Empathy",
            Technique::StayWithFacts => "StayWithFacts",
            Technique::ActQuickly => "ActQuickly",
            Technique::InterruptAndSteer => "InterruptAndSteer",
            Technique::StressBenefit => "StressBenefit",
            Technique::OfferSolution => "OfferSolution",
            Technique::Transfer => "Transfer",
            Technique::PromiseCallback => "PromiseCallback",
            Technique::Close => "Close",
        }
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ident())
    }
}

/// What the student did in a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Choice {
    /// A technique from the menu on offer.
    Technique(Technique),
    /// No choice within the time limit; scored as a poor move.
    Timeout,
}

impl Choice {
    /// The technique chosen, if any.
    pub fn technique(self) -> Option<Technique> {
        match self {
            Choice::Technique(t) => Some(t),
            Choice::Timeout => None,
        }
    }
}

impl From<Technique> for Choice {
    fn from(t: Technique) -> Self {
        Choice::Technique(t)
    }
}

/// How a move suited this caller in this phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Judgement {
    /// The right move for this caller here.
    Good,
    /// Neither helps nor hurts much.
    Neutral,
    /// The wrong move for this caller here (a timeout counts as one).
    Poor,
}

impl Judgement {
    /// The identifier used in RON files, e.g. `Good`.
    pub fn ident(self) -> &'static str {
        match self {
            Judgement::Good => "Good",
            Judgement::Neutral => "Neutral",
            Judgement::Poor => "Poor",
        }
    }

    /// Points towards the 0–100 score: good 100, neutral 50, poor 0.
    pub fn points(self) -> f64 {
        match self {
            Judgement::Good => 100.0,
            Judgement::Neutral => 50.0,
            Judgement::Poor => 0.0,
        }
    }
}

/// A sales cue in a caller's line (outbound sales): buying signals and
/// objections. A cue can change which techniques work (see
/// [`Effects::cues`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Cue {
    /// An open buying signal: the caller shows interest plainly ("What would
    /// that cost a month?").
    OpenBuyingSignal,
    /// A hidden buying signal: it sounds like no interest, but the caller
    /// needs reassurance.
    HiddenBuyingSignal,
    /// A real objection: a genuine reason not to buy, to be met with facts.
    RealObjection,
    /// A false objection: no time or no wish to talk; the right questions
    /// remove it.
    FalseObjection,
}

impl Cue {
    /// Every cue, in declaration order.
    pub const ALL: [Cue; 4] = [
        Cue::OpenBuyingSignal,
        Cue::HiddenBuyingSignal,
        Cue::RealObjection,
        Cue::FalseObjection,
    ];

    /// The identifier used in RON files, e.g. `HiddenBuyingSignal`.
    pub fn ident(self) -> &'static str {
        match self {
            Cue::OpenBuyingSignal => "OpenBuyingSignal",
            Cue::HiddenBuyingSignal => "HiddenBuyingSignal",
            Cue::RealObjection => "RealObjection",
            Cue::FalseObjection => "FalseObjection",
        }
    }
}

/// Why a training call could not be set up or driven.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TrainingError {
    /// The kit has no script in this language.
    #[error("no caller script in language {0}")]
    UnknownLanguage(Language),
    /// The kit's scripts define no call reason with this id.
    #[error("no call reason \"{0}\" in the caller scripts")]
    UnknownReason(String),
    /// `choose` was called on a call that has ended.
    #[error("the call has ended")]
    Finished,
    /// The technique chosen is not on the menu of this phase.
    #[error("{technique} is not on offer in phase {phase}")]
    NotOffered {
        /// The technique chosen.
        technique: Technique,
        /// The phase the call is in.
        phase: Phase,
    },
    /// A decision time or a setup number that is negative or not finite.
    #[error("{what} must be a finite number >= 0, found {value}")]
    BadNumber {
        /// Which number.
        what: &'static str,
        /// The value given.
        value: f64,
    },
}

#[cfg(test)]
mod tests;
