//! Caller personalities (klanttypes): the four types of the training material plus a
//! neutral caller, their parameters, and the built-in defaults.
//!
//! The defaults live in `assets/personas.ron` (documented there) and are compiled
//! into the library; a scenario overrides single fields with its `personas` map.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::locate::Path;
use super::{Problem, TimeDist};

/// The five caller personalities, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonaKind {
    /// A caller with no marked personality.
    #[serde(alias = "Neutral")]
    Neutral,
    /// The pusher: wants action now, impatient.
    #[serde(alias = "Drammer")]
    Drammer,
    /// The doubter: hesitates, asks again.
    #[serde(alias = "Twijfelaar")]
    Twijfelaar,
    /// The silent one: says little, short answers.
    #[serde(alias = "Zwijger")]
    Zwijger,
    /// The chatterbox: talks a lot, drifts off topic.
    #[serde(alias = "Babbelaar")]
    Babbelaar,
}

impl PersonaKind {
    /// All personalities, in report order.
    pub const ALL: [PersonaKind; 5] = [
        PersonaKind::Neutral,
        PersonaKind::Drammer,
        PersonaKind::Twijfelaar,
        PersonaKind::Zwijger,
        PersonaKind::Babbelaar,
    ];

    /// The name used in scenario files and reports.
    pub fn name(self) -> &'static str {
        match self {
            PersonaKind::Neutral => "neutral",
            PersonaKind::Drammer => "drammer",
            PersonaKind::Twijfelaar => "twijfelaar",
            PersonaKind::Zwijger => "zwijger",
            PersonaKind::Babbelaar => "babbelaar",
        }
    }

    /// The personality called `name`.
    pub fn from_name(name: &str) -> Option<PersonaKind> {
        PersonaKind::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Index in [`PersonaKind::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The capitalised identifier used in the training RON files (caller
    /// scripts, effect model, exercises), e.g. `Drammer`. Both spellings
    /// deserialize; serialization writes [`PersonaKind::name`].
    pub fn ident(self) -> &'static str {
        match self {
            PersonaKind::Neutral => "Neutral",
            PersonaKind::Drammer => "Drammer",
            PersonaKind::Twijfelaar => "Twijfelaar",
            PersonaKind::Zwijger => "Zwijger",
            PersonaKind::Babbelaar => "Babbelaar",
        }
    }
}

impl std::fmt::Display for PersonaKind {
    /// The capitalised identifier ([`PersonaKind::ident`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.ident())
    }
}

/// The five conversation phases and the after-call work that follows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Alertness: the agent gets ready and picks up.
    #[serde(alias = "Alertheid")]
    Alertheid,
    /// Opening: greeting, name, "how can I help".
    #[serde(alias = "Aanvang")]
    Aanvang,
    /// Analysis: finding the real question (listen, summarise, ask further).
    #[serde(alias = "Analyse")]
    Analyse,
    /// Offer: the solution, a transfer or a callback promise.
    #[serde(alias = "Aanbod")]
    Aanbod,
    /// Closing: further questions, thanks, greeting.
    #[serde(alias = "Afsluiting")]
    Afsluiting,
    /// After-call work (wrap-up): the caller has gone, the agent is still busy.
    #[serde(alias = "Acw")]
    Acw,
}

impl Phase {
    /// All phases in conversation order.
    pub const ALL: [Phase; 6] = [
        Phase::Alertheid,
        Phase::Aanvang,
        Phase::Analyse,
        Phase::Aanbod,
        Phase::Afsluiting,
        Phase::Acw,
    ];

    /// The name used in scenario files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Alertheid => "alertheid",
            Phase::Aanvang => "aanvang",
            Phase::Analyse => "analyse",
            Phase::Aanbod => "aanbod",
            Phase::Afsluiting => "afsluiting",
            Phase::Acw => "acw",
        }
    }

    /// The five conversation phases (without [`Phase::Acw`]), in order: the
    /// phases a training call runs through.
    pub const CONVERSATION: [Phase; 5] = [
        Phase::Alertheid,
        Phase::Aanvang,
        Phase::Analyse,
        Phase::Aanbod,
        Phase::Afsluiting,
    ];

    /// The conversation phase after this one; `None` after the closing (and
    /// for after-call work, which is not a conversation phase).
    pub fn next(self) -> Option<Phase> {
        match self {
            Phase::Alertheid => Some(Phase::Aanvang),
            Phase::Aanvang => Some(Phase::Analyse),
            Phase::Analyse => Some(Phase::Aanbod),
            Phase::Aanbod => Some(Phase::Afsluiting),
            Phase::Afsluiting | Phase::Acw => None,
        }
    }

    /// Position in [`Phase::ALL`]: 0 to 4 for the conversation, 5 for
    /// after-call work.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The capitalised identifier used in the training RON files, e.g.
    /// `Analyse`. Both spellings deserialize; serialization writes
    /// [`Phase::name`].
    pub fn ident(self) -> &'static str {
        match self {
            Phase::Alertheid => "Alertheid",
            Phase::Aanvang => "Aanvang",
            Phase::Analyse => "Analyse",
            Phase::Aanbod => "Aanbod",
            Phase::Afsluiting => "Afsluiting",
            Phase::Acw => "Acw",
        }
    }
}

impl std::fmt::Display for Phase {
    /// The capitalised identifier ([`Phase::ident`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.ident())
    }
}

/// A multiplier per conversation phase.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseFactors {
    /// Alertness.
    pub alertheid: f64,
    /// Opening.
    pub aanvang: f64,
    /// Analysis.
    pub analyse: f64,
    /// Offer.
    pub aanbod: f64,
    /// Closing.
    pub afsluiting: f64,
    /// After-call work.
    pub acw: f64,
}

impl PhaseFactors {
    /// The factors in [`Phase::ALL`] order.
    pub fn as_array(&self) -> [f64; 6] {
        [
            self.alertheid,
            self.aanvang,
            self.analyse,
            self.aanbod,
            self.afsluiting,
            self.acw,
        ]
    }
}

/// The parameters of one personality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Multiplies the call type's patience draws.
    pub patience_factor: f64,
    /// Replaces the call type's patience distribution when set.
    #[serde(default)]
    pub patience: Option<TimeDist>,
    /// Multiplies each conversation phase's duration.
    pub phase_factors: PhaseFactors,
    /// Multiplies the handle time of call types described without phases.
    pub handle_factor: f64,
    /// Probability that the contact resolves the issue (first-contact resolution).
    pub fcr: f64,
    /// Shares of satisfaction scores 1 to 5 after a resolved call (five values).
    pub csat: Vec<f64>,
    /// Chance to call again after abandoning in the queue.
    pub retry_after_abandon: f64,
    /// Chance to call again after an unresolved call.
    pub retry_after_unresolved: f64,
    /// Delay before that new call.
    pub retry_delay: TimeDist,
}

/// A scenario's changes to one built-in personality: every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaOverride {
    /// See [`Persona::patience_factor`].
    #[serde(default)]
    pub patience_factor: Option<f64>,
    /// See [`Persona::patience`].
    #[serde(default)]
    pub patience: Option<TimeDist>,
    /// See [`Persona::phase_factors`].
    #[serde(default)]
    pub phase_factors: Option<PhaseFactors>,
    /// See [`Persona::handle_factor`].
    #[serde(default)]
    pub handle_factor: Option<f64>,
    /// See [`Persona::fcr`].
    #[serde(default)]
    pub fcr: Option<f64>,
    /// See [`Persona::csat`].
    #[serde(default)]
    pub csat: Option<Vec<f64>>,
    /// See [`Persona::retry_after_abandon`].
    #[serde(default)]
    pub retry_after_abandon: Option<f64>,
    /// See [`Persona::retry_after_unresolved`].
    #[serde(default)]
    pub retry_after_unresolved: Option<f64>,
    /// See [`Persona::retry_delay`].
    #[serde(default)]
    pub retry_delay: Option<TimeDist>,
}

/// The text of the built-in persona file (`assets/personas.ron`).
pub const DEFAULT_PERSONAS_RON: &str = include_str!("../../../assets/personas.ron");

/// The built-in personas, indexed by [`PersonaKind::index`].
///
/// The file is part of the library and tested; should it ever fail to parse, every
/// persona falls back to a neutral caller rather than panicking.
pub fn default_personas() -> [Persona; 5] {
    let neutral = Persona {
        patience_factor: 1.0,
        patience: None,
        phase_factors: PhaseFactors {
            alertheid: 1.0,
            aanvang: 1.0,
            analyse: 1.0,
            aanbod: 1.0,
            afsluiting: 1.0,
            acw: 1.0,
        },
        handle_factor: 1.0,
        fcr: 0.75,
        csat: vec![0.03, 0.07, 0.2, 0.4, 0.3],
        retry_after_abandon: 0.5,
        retry_after_unresolved: 0.6,
        retry_delay: TimeDist::Exponential { mean_s: 1800.0 },
    };
    let parsed: BTreeMap<String, Persona> = super::ron_options()
        .from_str(DEFAULT_PERSONAS_RON)
        .unwrap_or_default();
    PersonaKind::ALL.map(|k| {
        parsed
            .get(k.name())
            .cloned()
            .unwrap_or_else(|| neutral.clone())
    })
}

impl Persona {
    /// This persona with `o`'s fields applied.
    pub fn with_override(&self, o: &PersonaOverride) -> Persona {
        Persona {
            patience_factor: o.patience_factor.unwrap_or(self.patience_factor),
            patience: o.patience.clone().or_else(|| self.patience.clone()),
            phase_factors: o.phase_factors.unwrap_or(self.phase_factors),
            handle_factor: o.handle_factor.unwrap_or(self.handle_factor),
            fcr: o.fcr.unwrap_or(self.fcr),
            csat: o.csat.clone().unwrap_or_else(|| self.csat.clone()),
            retry_after_abandon: o.retry_after_abandon.unwrap_or(self.retry_after_abandon),
            retry_after_unresolved: o
                .retry_after_unresolved
                .unwrap_or(self.retry_after_unresolved),
            retry_delay: o
                .retry_delay
                .clone()
                .unwrap_or_else(|| self.retry_delay.clone()),
        }
    }

    /// Mean CSAT score of a resolved call.
    pub fn mean_csat(&self) -> f64 {
        let total: f64 = self.csat.iter().sum();
        self.csat
            .iter()
            .enumerate()
            .map(|(i, p)| (i + 1) as f64 * p)
            .sum::<f64>()
            / total
    }

    pub(crate) fn validate(&self, path: &Path, p: &mut Vec<Problem>) {
        let positive = |name: &str, v: f64, p: &mut Vec<Problem>| {
            if !(v.is_finite() && v > 0.0) {
                p.push(Problem::new(
                    path.field(name),
                    format!("{name} must be a finite number > 0, found {v}"),
                ));
            }
        };
        let prob = |name: &str, v: f64, p: &mut Vec<Problem>| {
            if !(0.0..=1.0).contains(&v) {
                p.push(Problem::new(
                    path.field(name),
                    format!("{name} is a probability: it must lie in [0, 1], found {v}"),
                ));
            }
        };
        positive("patience_factor", self.patience_factor, p);
        positive("handle_factor", self.handle_factor, p);
        for (phase, f) in Phase::ALL.iter().zip(self.phase_factors.as_array()) {
            if !(f.is_finite() && f > 0.0) {
                p.push(Problem::new(
                    path.field("phase_factors").field(phase.name()),
                    format!("phase factors must be finite numbers > 0, found {f}"),
                ));
            }
        }
        if let Some(d) = &self.patience {
            d.validate(&path.field("patience"), p);
        }
        prob("fcr", self.fcr, p);
        prob("retry_after_abandon", self.retry_after_abandon, p);
        prob("retry_after_unresolved", self.retry_after_unresolved, p);
        self.retry_delay.validate(&path.field("retry_delay"), p);
        let total: f64 = self.csat.iter().sum();
        if self.csat.len() != 5
            || self.csat.iter().any(|x| !(x.is_finite() && *x >= 0.0))
            || total <= 0.0
            || total.is_nan()
        {
            p.push(Problem::new(
                path.field("csat"),
                "csat holds five shares (scores 1 to 5), each >= 0, not all 0",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_file_parses_and_is_valid() {
        let parsed: BTreeMap<String, Persona> = crate::scenario::ron_options()
            .from_str(DEFAULT_PERSONAS_RON)
            .expect("assets/personas.ron parses");
        assert_eq!(parsed.len(), 5);
        for k in PersonaKind::ALL {
            let p = &parsed[k.name()];
            let mut problems = Vec::new();
            p.validate(&Path::root(), &mut problems);
            assert!(problems.is_empty(), "{}: {problems:?}", k.name());
        }
    }

    #[test]
    fn defaults_point_the_documented_way() {
        let d = default_personas();
        let n = &d[PersonaKind::Neutral.index()];
        let drammer = &d[PersonaKind::Drammer.index()];
        let babbelaar = &d[PersonaKind::Babbelaar.index()];
        let zwijger = &d[PersonaKind::Zwijger.index()];
        let twijfelaar = &d[PersonaKind::Twijfelaar.index()];
        assert!(drammer.patience_factor < n.patience_factor);
        assert!(babbelaar.handle_factor > n.handle_factor);
        assert!(babbelaar.phase_factors.aanvang > n.phase_factors.aanvang);
        assert!(zwijger.phase_factors.analyse > n.phase_factors.analyse);
        assert!(twijfelaar.phase_factors.aanbod > n.phase_factors.aanbod);
        assert!(drammer.mean_csat() < n.mean_csat());
    }

    #[test]
    fn overrides_change_only_what_they_name() {
        let d = default_personas();
        let base = &d[PersonaKind::Drammer.index()];
        let o = PersonaOverride {
            fcr: Some(0.5),
            ..PersonaOverride::default()
        };
        let p = base.with_override(&o);
        assert_eq!(p.fcr, 0.5);
        assert_eq!(p.patience_factor, base.patience_factor);
        assert_eq!(p.csat, base.csat);
    }
}
