//! Caller scripts: what simulated callers say, and every text the student
//! sees, in one language per file (`assets/scripts/nl.ron`, `en.ron`).
//!
//! A script holds, for each call reason, lines for every personality and
//! phase; the caller's reactions to good, neutral and poor moves; and the
//! labels of techniques, phases, personalities and feedback words. [`Script::
//! validate`] requires every (personality, reason, phase) to have lines, so a
//! call can never run out of words.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Cue, Direction, Judgement, Language, PersonaKind, Phase, Technique, doc};
use crate::scenario::{Path, Problem, ScenarioError};

/// The caller script of one language, as written in a `.ron` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// The language of every text in this file.
    pub language: Language,
    /// Words used to build feedback.
    pub terms: Terms,
    /// How each personality is named and explained once the call is over.
    pub personalities: BTreeMap<PersonaKind, PersonalityText>,
    /// The names of the phases.
    pub phases: BTreeMap<Phase, String>,
    /// The label of each technique, as offered to the student.
    pub techniques: BTreeMap<Technique, TechniqueText>,
    /// The names of the sales cues, for feedback.
    pub cues: BTreeMap<Cue, String>,
    /// The call reasons, each with the callers' lines.
    pub reasons: Vec<Reason>,
    /// How each personality reacts to the agent's moves.
    pub reactions: BTreeMap<PersonaKind, Reactions>,
}

/// How a personality is named and explained to the student after the call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalityText {
    /// The name, e.g. "drammer".
    pub name: String,
    /// What this caller is like, in a sentence.
    pub description: String,
    /// What works with this caller, in a sentence.
    pub tip: String,
}

/// How a technique is offered to the student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechniqueText {
    /// A short label for the menu, e.g. "Open question".
    pub label: String,
    /// A sample of what the agent would say.
    pub example: String,
}

/// One call reason and everything callers say in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// The id exercises and the effect model use, e.g. `"blocked_card"`; the
    /// same in every language.
    pub id: String,
    /// Inbound (the customer calls) or outbound (the center calls).
    pub direction: Direction,
    /// A title for the student, e.g. "Bank card blocked".
    pub title: String,
    /// The caller's lines, per personality and phase: one is drawn at random
    /// in each phase.
    pub lines: BTreeMap<PersonaKind, BTreeMap<Phase, Vec<CallerLine>>>,
}

/// One thing a caller says, possibly carrying a sales cue.
///
/// In RON, either a plain string or `(text: "…", cue: HiddenBuyingSignal)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerLine {
    /// What the caller says.
    pub text: String,
    /// The buying signal or objection in the line, if any.
    pub cue: Option<Cue>,
}

impl Serialize for CallerLine {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        match self.cue {
            None => s.serialize_str(&self.text),
            Some(cue) => {
                let mut st = s.serialize_struct("CallerLine", 2)?;
                st.serialize_field("text", &self.text)?;
                st.serialize_field("cue", &cue)?;
                st.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for CallerLine {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LineVisitor;
        const FIELDS: &[&str] = &["text", "cue"];
        impl<'de> Visitor<'de> for LineVisitor {
            type Value = CallerLine;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, or (text: \"...\", cue: ...)")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<CallerLine, E> {
                Ok(CallerLine {
                    text: s.to_owned(),
                    cue: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CallerLine, A::Error> {
                let mut text = None;
                let mut cue = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "text" if text.is_some() => return Err(de::Error::duplicate_field("text")),
                        "cue" if cue.is_some() => return Err(de::Error::duplicate_field("cue")),
                        "text" => text = Some(map.next_value::<String>()?),
                        "cue" => cue = Some(map.next_value::<Cue>()?),
                        other => return Err(de::Error::unknown_field(other, FIELDS)),
                    }
                }
                let text = text.ok_or_else(|| de::Error::missing_field("text"))?;
                Ok(CallerLine { text, cue })
            }
        }
        d.deserialize_any(LineVisitor)
    }
}

/// How one personality reacts to the agent's moves; one line is drawn at
/// random.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reactions {
    /// After a good move.
    pub good: Vec<String>,
    /// After a neutral move.
    pub neutral: Vec<String>,
    /// After a poor move.
    pub poor: Vec<String>,
    /// After the agent said nothing within the time limit.
    pub timeout: Vec<String>,
    /// When the caller escalates (asks for a supervisor, threatens to
    /// complain).
    pub escalates: Vec<String>,
    /// When the caller hangs up.
    pub hangs_up: Vec<String>,
}

impl Reactions {
    /// The lists by name, for validation and counting.
    fn lists(&self) -> [(&'static str, &Vec<String>); 6] {
        [
            ("good", &self.good),
            ("neutral", &self.neutral),
            ("poor", &self.poor),
            ("timeout", &self.timeout),
            ("escalates", &self.escalates),
            ("hangs_up", &self.hangs_up),
        ]
    }

    /// The reactions to a move judged `j`.
    pub fn for_judgement(&self, j: Judgement) -> &[String] {
        match j {
            Judgement::Good => &self.good,
            Judgement::Neutral => &self.neutral,
            Judgement::Poor => &self.poor,
        }
    }
}

/// Words used to build feedback and results in this language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    /// Introduces the personality: "This caller was a".
    pub caller_was: String,
    /// "Tip".
    pub tip: String,
    /// Heading of the phases where the move was good: "What worked".
    pub worked: String,
    /// Heading of the phases with a neutral move: "Could be better".
    pub could_be_better: String,
    /// Heading of the phases with a poor move: "What did not work".
    pub did_not_work: String,
    /// Heading of the phases the call never reached: "Not reached".
    pub not_reached: String,
    /// Introduces better choices: "better".
    pub better: String,
    /// Shown instead of a technique after a timeout: "no choice in time".
    pub no_choice: String,
    /// Introduces a sales cue in the caller's line: "note".
    pub cue_note: String,
    /// The judgement words: good, neutral, poor.
    pub judgements: BTreeMap<Judgement, String>,
    /// "call completed".
    pub completed: String,
    /// "the caller hung up".
    pub hung_up: String,
    /// "the caller escalated".
    pub escalated: String,
    /// "resolved".
    pub resolved: String,
    /// "not resolved".
    pub not_resolved: String,
    /// "handle time".
    pub handle_time: String,
    /// "satisfaction".
    pub csat: String,
    /// "score".
    pub score: String,
}

impl Terms {
    fn fields(&self) -> [(&'static str, &String); 17] {
        [
            ("caller_was", &self.caller_was),
            ("tip", &self.tip),
            ("worked", &self.worked),
            ("could_be_better", &self.could_be_better),
            ("did_not_work", &self.did_not_work),
            ("not_reached", &self.not_reached),
            ("better", &self.better),
            ("no_choice", &self.no_choice),
            ("cue_note", &self.cue_note),
            ("completed", &self.completed),
            ("hung_up", &self.hung_up),
            ("escalated", &self.escalated),
            ("resolved", &self.resolved),
            ("not_resolved", &self.not_resolved),
            ("handle_time", &self.handle_time),
            ("csat", &self.csat),
            ("score", &self.score),
        ]
    }

    /// The word for a judgement (its English name if the script lacks it).
    pub fn judgement(&self, j: Judgement) -> &str {
        self.judgements.get(&j).map_or(
            match j {
                Judgement::Good => "good",
                Judgement::Neutral => "neutral",
                Judgement::Poor => "poor",
            },
            String::as_str,
        )
    }
}

fn check_text(p: &mut Vec<Problem>, path: Path, what: &str, text: &str) {
    if text.trim().is_empty() {
        p.push(Problem::new(path, format!("{what} must not be empty")));
    }
}

fn check_list(p: &mut Vec<Problem>, path: &Path, what: &str, list: &[String]) {
    if list.is_empty() {
        p.push(Problem::new(
            path.clone(),
            format!("{what} needs at least one line"),
        ));
    }
    for (i, s) in list.iter().enumerate() {
        check_text(p, path.index(i), "a line", s);
    }
}

/// Checks that `map` has an entry for every key in `all`, reporting the
/// missing ones at `path`.
fn check_keys<K: Ord + Copy + fmt::Debug, V>(
    p: &mut Vec<Problem>,
    path: &Path,
    map: &BTreeMap<K, V>,
    all: &[K],
    what: &str,
) {
    let missing: Vec<String> = all
        .iter()
        .filter(|k| !map.contains_key(k))
        .map(|k| format!("{k:?}"))
        .collect();
    if !missing.is_empty() {
        p.push(Problem::new(
            path.clone(),
            format!("{what} missing for {}", missing.join(", ")),
        ));
    }
}

impl Script {
    /// Reads and validates a script from RON text. On failure, every problem
    /// found, each with its line and column.
    pub fn parse(src: &str) -> Result<Script, ScenarioError> {
        doc::parse(src, Script::validate)
    }

    /// Every problem of this script (empty when it is sound): each
    /// (personality, reason, phase) needs at least one line, each
    /// personality its reactions, each technique, phase, personality and cue
    /// its label; no text may be empty and reason ids must be unique.
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        let root = Path::root();

        let terms = root.field("terms");
        for (name, text) in self.terms.fields() {
            check_text(&mut p, terms.field(name), name, text);
        }
        check_keys(
            &mut p,
            &terms.field("judgements"),
            &self.terms.judgements,
            &[Judgement::Good, Judgement::Neutral, Judgement::Poor],
            "judgement word",
        );
        for (j, text) in &self.terms.judgements {
            check_text(
                &mut p,
                terms.field("judgements").field(j.ident()),
                "a judgement word",
                text,
            );
        }

        let pers = root.field("personalities");
        check_keys(
            &mut p,
            &pers,
            &self.personalities,
            &PersonaKind::ALL,
            "personality text",
        );
        for (k, t) in &self.personalities {
            let path = pers.field(k.ident());
            check_text(&mut p, path.field("name"), "name", &t.name);
            check_text(
                &mut p,
                path.field("description"),
                "description",
                &t.description,
            );
            check_text(&mut p, path.field("tip"), "tip", &t.tip);
        }

        let phases = root.field("phases");
        check_keys(
            &mut p,
            &phases,
            &self.phases,
            &Phase::CONVERSATION,
            "phase name",
        );
        for (k, name) in &self.phases {
            check_text(&mut p, phases.field(k.ident()), "a phase name", name);
        }

        let techs = root.field("techniques");
        check_keys(
            &mut p,
            &techs,
            &self.techniques,
            &Technique::ALL,
            "technique label",
        );
        for (k, t) in &self.techniques {
            let path = techs.field(k.ident());
            check_text(&mut p, path.field("label"), "label", &t.label);
            check_text(&mut p, path.field("example"), "example", &t.example);
        }

        let cues = root.field("cues");
        check_keys(&mut p, &cues, &self.cues, &Cue::ALL, "cue name");
        for (k, name) in &self.cues {
            check_text(&mut p, cues.field(k.ident()), "a cue name", name);
        }

        let reasons = root.field("reasons");
        if self.reasons.is_empty() {
            p.push(Problem::new(
                reasons.clone(),
                "a script needs at least one call reason",
            ));
        }
        for (i, r) in self.reasons.iter().enumerate() {
            let path = reasons.index(i);
            if r.id.trim().is_empty() || r.id.chars().any(char::is_whitespace) {
                p.push(Problem::new(
                    path.field("id"),
                    format!(
                        "a reason id must be a non-empty word without spaces, found \"{}\"",
                        r.id
                    ),
                ));
            } else if self.reasons[..i].iter().any(|o| o.id == r.id) {
                p.push(Problem::new(
                    path.field("id"),
                    format!("reason id \"{}\" is used twice", r.id),
                ));
            }
            check_text(&mut p, path.field("title"), "title", &r.title);
            let lines = path.field("lines");
            check_keys(&mut p, &lines, &r.lines, &PersonaKind::ALL, "lines");
            for (who, by_phase) in &r.lines {
                let lp = lines.field(who.ident());
                check_keys(&mut p, &lp, by_phase, &Phase::CONVERSATION, "lines");
                for (phase, list) in by_phase {
                    let pp = lp.field(phase.ident());
                    if list.is_empty() {
                        p.push(Problem::new(
                            pp.clone(),
                            format!(
                                "reason \"{}\", {who}, {phase} needs at least one line",
                                r.id
                            ),
                        ));
                    }
                    for (n, line) in list.iter().enumerate() {
                        check_text(&mut p, pp.index(n), "a line", &line.text);
                    }
                }
            }
        }

        let reactions = root.field("reactions");
        check_keys(
            &mut p,
            &reactions,
            &self.reactions,
            &PersonaKind::ALL,
            "reactions",
        );
        for (who, r) in &self.reactions {
            let path = reactions.field(who.ident());
            for (name, list) in r.lists() {
                check_list(&mut p, &path.field(name), name, list);
            }
        }
        p
    }

    /// The reason with this id.
    pub fn reason(&self, id: &str) -> Option<&Reason> {
        self.reasons.iter().find(|r| r.id == id)
    }

    /// The caller lines for a reason, personality and phase (empty if the
    /// reason is unknown; never empty for a validated script otherwise).
    pub fn lines(&self, reason: &str, who: PersonaKind, phase: Phase) -> &[CallerLine] {
        self.reason(reason)
            .and_then(|r| r.lines.get(&who))
            .and_then(|m| m.get(&phase))
            .map_or(&[], Vec::as_slice)
    }

    /// The menu label of a technique (its RON identifier if the script
    /// lacks one).
    pub fn technique_label(&self, t: Technique) -> &str {
        self.techniques
            .get(&t)
            .map_or(t.ident(), |x| x.label.as_str())
    }

    /// The name of a phase (its RON identifier if the script lacks one).
    pub fn phase_name(&self, phase: Phase) -> &str {
        self.phases
            .get(&phase)
            .map_or(phase.ident(), String::as_str)
    }

    /// The name of a personality (its RON identifier if the script lacks
    /// one).
    pub fn personality_name(&self, who: PersonaKind) -> &str {
        self.personalities
            .get(&who)
            .map_or(who.ident(), |t| t.name.as_str())
    }

    /// The name of a cue (its RON identifier if the script lacks one).
    pub fn cue_name(&self, cue: Cue) -> &str {
        self.cues.get(&cue).map_or(cue.ident(), String::as_str)
    }

    /// Number of caller lines (over every reason, personality and phase) and
    /// of reaction lines.
    pub fn line_counts(&self) -> (usize, usize) {
        let caller = self
            .reasons
            .iter()
            .flat_map(|r| r.lines.values())
            .flat_map(|m| m.values())
            .map(Vec::len)
            .sum();
        let reactions = self
            .reactions
            .values()
            .flat_map(|r| r.lists())
            .map(|(_, l)| l.len())
            .sum();
        (caller, reactions)
    }
}
