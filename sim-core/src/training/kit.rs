//! The training kit: the caller scripts of every language and the effect
//! model, read and checked together.

use std::collections::BTreeSet;
use std::fmt;

use super::{Effects, Language, Script, doc};
use crate::scenario::{Diagnostic, Path, Problem, ScenarioError};

/// Everything a training call needs: the caller scripts (one per language)
/// and the effect model, checked against each other.
///
/// Build it with [`TrainingKit::from_sources`] from the text of the files; it
/// is immutable afterwards and is shared by the calls (`Arc<TrainingKit>`).
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingKit {
    scripts: Vec<Script>,
    effects: Effects,
}

/// The problems found in one file of a kit (or an exercise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The name the file was given (usually its path).
    pub origin: String,
    /// Every problem in it, located.
    pub error: ScenarioError,
    src: String,
}

impl FileError {
    /// The problems with their source lines, as compilers print them
    /// (see [`ScenarioError::render`]).
    pub fn render(&self) -> String {
        self.error.render(&self.origin, &self.src)
    }
}

/// Why a training kit was refused: the problems of every file concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct KitError {
    /// One entry per file with problems, in the order the files were given.
    pub files: Vec<FileError>,
}

impl KitError {
    /// Every problem with its source line, file after file.
    pub fn render(&self) -> String {
        self.files.iter().map(FileError::render).collect()
    }
}

impl fmt::Display for KitError {
    /// One line per problem: `origin:line:col: path: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for file in &self.files {
            for d in &file.error.diagnostics {
                if !first {
                    writeln!(f)?;
                }
                first = false;
                write!(f, "{}:{d}", file.origin)?;
            }
        }
        Ok(())
    }
}

/// The kit's files as shipped in `assets/`, compiled in so that front ends
/// work outside the repository: (origin, text) of the Dutch and English
/// scripts and of the effect model.
pub const BUILTIN_SOURCES: [(&str, &str); 3] = [
    (
        "(built-in) assets/scripts/nl.ron",
        include_str!("../../../assets/scripts/nl.ron"),
    ),
    (
        "(built-in) assets/scripts/en.ron",
        include_str!("../../../assets/scripts/en.ron"),
    ),
    (
        "(built-in) assets/training/effects.ron",
        include_str!("../../../assets/training/effects.ron"),
    ),
];

impl TrainingKit {
    /// The kit shipped with ccsim ([`BUILTIN_SOURCES`]; checked by the tests).
    pub fn builtin() -> Result<TrainingKit, KitError> {
        let [nl, en, effects] = BUILTIN_SOURCES;
        TrainingKit::from_sources(&[nl, en], effects)
    }

    /// Reads the scripts and the effect model from their text, each given
    /// with its origin (e.g. its path) for the messages. Each file is
    /// validated on its own, then against the others: one script per
    /// language, the same call reasons (with the same direction) in every
    /// language, and no effect model for a reason no script has.
    ///
    /// On failure, every problem of every file, located.
    pub fn from_sources(
        scripts: &[(&str, &str)],
        effects: (&str, &str),
    ) -> Result<TrainingKit, KitError> {
        let mut files = Vec::new();
        let fail = |origin: &str, src: &str, error: ScenarioError| FileError {
            origin: origin.to_owned(),
            error,
            src: src.to_owned(),
        };
        let mut parsed = Vec::new();
        for &(origin, src) in scripts {
            match Script::parse(src) {
                Ok(s) => parsed.push((origin, src, s)),
                Err(e) => files.push(fail(origin, src, e)),
            }
        }
        let (effects_origin, effects_src) = effects;
        let effects = match Effects::parse(effects_src) {
            Ok(e) => Some(e),
            Err(e) => {
                files.push(fail(effects_origin, effects_src, e));
                None
            }
        };
        if scripts.is_empty() {
            files.push(fail(
                effects_origin,
                effects_src,
                ScenarioError {
                    diagnostics: vec![Diagnostic {
                        position: None,
                        path: None,
                        message: "a training kit needs at least one caller script".into(),
                    }],
                },
            ));
        }
        if !files.is_empty() {
            return Err(KitError { files });
        }

        // Cross-file checks.
        let all_ids: BTreeSet<&str> = parsed
            .iter()
            .flat_map(|(_, _, s)| s.reasons.iter().map(|r| r.id.as_str()))
            .collect();
        for (n, (origin, src, s)) in parsed.iter().enumerate() {
            let mut p = Vec::new();
            if parsed[..n].iter().any(|(_, _, o)| o.language == s.language) {
                p.push(Problem::new(
                    Path::root().field("language"),
                    format!("a second script for language {}", s.language),
                ));
            }
            for id in &all_ids {
                if s.reason(id).is_none() {
                    p.push(Problem::new(
                        Path::root().field("reasons"),
                        format!(
                            "reason \"{id}\" has lines in another language but not in {}",
                            s.language
                        ),
                    ));
                }
            }
            for (i, r) in s.reasons.iter().enumerate() {
                let other = parsed
                    .iter()
                    .filter_map(|(_, _, o)| o.reason(&r.id))
                    .find(|o| o.direction != r.direction);
                if let Some(o) = other {
                    p.push(Problem::new(
                        Path::root().field("reasons").index(i).field("direction"),
                        format!(
                            "reason \"{}\" is {:?} here but {:?} in another language",
                            r.id, r.direction, o.direction
                        ),
                    ));
                }
            }
            if !p.is_empty() {
                files.push(fail(origin, src, doc::located(src, p)));
            }
        }
        let Some(effects) = effects else {
            return Err(KitError { files });
        };
        let p: Vec<Problem> = effects
            .reasons
            .keys()
            .filter(|id| !all_ids.contains(id.as_str()))
            .map(|id| {
                Problem::new(
                    Path::root().field("reasons").field(id.as_str()),
                    format!("no caller script has a reason \"{id}\""),
                )
            })
            .collect();
        if !p.is_empty() {
            files.push(fail(
                effects_origin,
                effects_src,
                doc::located(effects_src, p),
            ));
        }
        if !files.is_empty() {
            return Err(KitError { files });
        }
        Ok(TrainingKit {
            scripts: parsed.into_iter().map(|(_, _, s)| s).collect(),
            effects,
        })
    }

    /// The script of a language, if the kit has one.
    pub fn script(&self, language: Language) -> Option<&Script> {
        self.scripts.iter().find(|s| s.language == language)
    }

    /// Every script, in the order given.
    pub fn scripts(&self) -> &[Script] {
        &self.scripts
    }

    /// The languages the kit has scripts for.
    pub fn languages(&self) -> Vec<Language> {
        self.scripts.iter().map(|s| s.language).collect()
    }

    /// The ids of the call reasons (the same in every language).
    pub fn reason_ids(&self) -> Vec<&str> {
        self.scripts
            .first()
            .map(|s| s.reasons.iter().map(|r| r.id.as_str()).collect())
            .unwrap_or_default()
    }

    /// The effect model.
    pub fn effects(&self) -> &Effects {
        &self.effects
    }
}
