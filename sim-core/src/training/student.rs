//! Scripted students: fixed strategies that play calls without a person, for
//! tests and for checking an effect model ("does the good student really
//! score better?").

use std::sync::Arc;

use crate::trace::record::Trace;

use super::{
    CallResult, Choice, Exercise, Judgement, Scoreboard, SessionConfig, SessionError,
    SessionResult, Technique, TrainingCall, TrainingError, TrainingKit, TrainingSession,
};

/// A fixed strategy for choosing techniques.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScriptedStudent {
    /// Peeks at the caller's personality and the line's cue, and picks the
    /// best technique on offer: a good one, the one with the best effect
    /// among equals.
    Good,
    /// Peeks likewise and picks the worst technique on offer: a poor one,
    /// the one with the worst effect among equals.
    Poor,
    /// Never chooses: every decision times out.
    Silent,
}

impl ScriptedStudent {
    /// This student's choice in the call's current phase
    /// ([`Choice::Timeout`] once the call has ended, or for [`Self::Silent`]).
    pub fn pick(self, call: &TrainingCall) -> Choice {
        let Some(phase) = call.phase() else {
            return Choice::Timeout;
        };
        let effects = call.kit().effects();
        let who = call.setup().personality;
        let cue = call.line().and_then(|l| l.cue);
        let rank = |t: Technique| {
            let (j, e) = effects.judge_and_effect(who, phase, Choice::Technique(t), cue);
            let tier = match j {
                Judgement::Good => 2.0,
                Judgement::Neutral => 1.0,
                Judgement::Poor => 0.0,
            };
            // The tier dominates; the effect's value breaks ties.
            tier * 1000.0 + e.value()
        };
        let options = call.options();
        let best = |better: fn(f64, f64) -> bool| {
            options
                .iter()
                .copied()
                .fold(None::<(Technique, f64)>, |acc, t| {
                    let r = rank(t);
                    match acc {
                        Some((_, ra)) if !better(r, ra) => acc,
                        _ => Some((t, r)),
                    }
                })
                .map_or(Choice::Timeout, |(t, _)| Choice::Technique(t))
        };
        match self {
            ScriptedStudent::Good => best(|r, ra| r > ra),
            ScriptedStudent::Poor => best(|r, ra| r < ra),
            ScriptedStudent::Silent => Choice::Timeout,
        }
    }

    /// Plays a whole call, taking `decision_time_s` for every decision (the
    /// silent student takes the call's time limit).
    pub fn play(
        self,
        call: &mut TrainingCall,
        decision_time_s: f64,
    ) -> Result<CallResult, TrainingError> {
        while !call.is_finished() {
            let choice = self.pick(call);
            let t = if choice == Choice::Timeout {
                call.setup().time_limit_s
            } else {
                decision_time_s
            };
            call.choose(choice, t)?;
        }
        call.result().cloned().ok_or(TrainingError::Finished)
    }
}

/// Plays every call of an exercise with a scripted student, taking
/// `decision_time_s` per decision; returns the results in order and the
/// scoreboard.
pub fn play_exercise(
    kit: &Arc<TrainingKit>,
    exercise: &Exercise,
    student: ScriptedStudent,
    decision_time_s: f64,
) -> Result<(Vec<CallResult>, Scoreboard), TrainingError> {
    let mut board = Scoreboard::new();
    let mut results = Vec::new();
    for setup in exercise.plan() {
        let mut call = TrainingCall::new(Arc::clone(kit), setup)?;
        let r = student.play(&mut call, decision_time_s)?;
        board.add(&r);
        results.push(r);
    }
    Ok((results, board))
}

/// Plays a whole exercise with a scripted student in a [`TrainingSession`]
/// on the exercise's floor (`floor_src`: the floor scenario's text), taking
/// `decision_time_s` per decision (the silent student takes the time limit);
/// returns the session's result and its recording.
pub fn play_session(
    kit: &Arc<TrainingKit>,
    exercise: &Exercise,
    floor_src: &str,
    student: ScriptedStudent,
    decision_time_s: f64,
    config: SessionConfig,
) -> Result<(SessionResult, Trace), SessionError> {
    let mut session = TrainingSession::new(Arc::clone(kit), exercise.clone(), floor_src, config)?;
    while let Some(call) = session.call() {
        let choice = student.pick(call);
        let t = if choice == Choice::Timeout {
            call.setup().time_limit_s
        } else {
            decision_time_s
        };
        session.choose(choice, t)?;
    }
    session.finish()
}
