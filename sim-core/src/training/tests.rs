use std::sync::Arc;

use super::*;
use crate::scenario::Diagnostic;

const NL: &str = include_str!("../../../assets/scripts/nl.ron");
const EN: &str = include_str!("../../../assets/scripts/en.ron");
const EFFECTS: &str = include_str!("../../../assets/training/effects.ron");
const INTRO: &str = include_str!("../../../scenarios/classroom-intro.ron");
const BUSY: &str = include_str!("../../../scenarios/classroom-busy.ron");
const FLOOR: &str = include_str!("../../../scenarios/single-queue.ron");

fn kit() -> Arc<TrainingKit> {
    match TrainingKit::from_sources(&[("nl.ron", NL), ("en.ron", EN)], ("effects.ron", EFFECTS)) {
        Ok(k) => Arc::new(k),
        Err(e) => panic!("bundled kit refused:\n{}", e.render()),
    }
}

fn script_errors(src: &str) -> Vec<Diagnostic> {
    match Script::parse(src) {
        Ok(_) => panic!("expected problems"),
        Err(e) => e.diagnostics,
    }
}

/// Line number (1-based) of the first line of `src` containing `needle`.
fn line_of(src: &str, needle: &str) -> usize {
    src.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in source"))
}

fn play(setup: CallSetup, student: ScriptedStudent) -> CallResult {
    let mut call = TrainingCall::new(kit(), setup).expect("setup");
    student.play(&mut call, 4.0).expect("plays")
}

// ---------------------------------------------------------------- content

#[test]
fn every_script_file_validates() {
    for (name, src) in [("nl.ron", NL), ("en.ron", EN)] {
        if let Err(e) = Script::parse(src) {
            panic!("{}", e.render(name, src));
        }
    }
    if let Err(e) = Effects::parse(EFFECTS) {
        panic!("{}", e.render("effects.ron", EFFECTS));
    }
    let kit = kit();
    assert_eq!(kit.languages(), vec![Language::Nl, Language::En]);
    assert_eq!(
        kit.reason_ids(),
        vec!["blocked_card", "internet_outage", "outbound_sale"]
    );
}

#[test]
fn bundled_scripts_have_three_lines_everywhere_and_sales_cues() {
    let kit = kit();
    for script in kit.scripts() {
        for reason in &script.reasons {
            for who in PersonaKind::ALL {
                for phase in Phase::CONVERSATION {
                    let n = script.lines(&reason.id, who, phase).len();
                    assert!(
                        n >= 3,
                        "{}: {} {who} {phase} has {n} lines",
                        script.language,
                        reason.id
                    );
                }
            }
            let cues: Vec<Cue> = reason
                .lines
                .values()
                .flat_map(|m| m.values())
                .flatten()
                .filter_map(|l| l.cue)
                .collect();
            match reason.direction {
                Direction::Inbound => assert!(cues.is_empty(), "{} has cues", reason.id),
                Direction::Outbound => {
                    for cue in Cue::ALL {
                        assert!(
                            cues.contains(&cue),
                            "{}: {} lacks {cue:?}",
                            script.language,
                            reason.id
                        );
                    }
                }
            }
        }
        for who in PersonaKind::ALL {
            let r = &script.reactions[&who];
            for list in [
                &r.good,
                &r.neutral,
                &r.poor,
                &r.timeout,
                &r.escalates,
                &r.hangs_up,
            ] {
                assert!(list.len() >= 3, "{} {who}", script.language);
            }
        }
    }
    // The two languages mirror each other line for line.
    let (nl, en) = (
        kit.script(Language::Nl).unwrap(),
        kit.script(Language::En).unwrap(),
    );
    assert_eq!(nl.line_counts(), en.line_counts());
    for (a, b) in nl.reasons.iter().zip(&en.reasons) {
        for who in PersonaKind::ALL {
            for phase in Phase::CONVERSATION {
                let cues = |s: &Script, r: &Reason| -> Vec<Option<Cue>> {
                    s.lines(&r.id, who, phase).iter().map(|l| l.cue).collect()
                };
                assert_eq!(cues(nl, a), cues(en, b), "{} {who} {phase}", a.id);
            }
        }
    }
}

#[test]
fn a_missing_phase_is_reported_at_its_personality() {
    // Drop the drammer's analysis lines of the first reason.
    let start = NL.find("Drammer: {").expect("drammer");
    let from = start + NL[start..].find("Analyse: [").expect("analyse");
    let to = from + NL[from..].find("],").expect("end") + 2;
    let src = format!("{}{}", &NL[..from], &NL[to..]);
    let d = script_errors(&src);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        d[0].path.as_deref(),
        Some("reasons[0].lines.Drammer"),
        "{d:?}"
    );
    assert!(d[0].message.contains("Analyse"), "{}", d[0].message);
    let line = d[0].position.expect("located").line;
    assert_eq!(line, line_of(&src, "Drammer: {"));
}

#[test]
fn empty_lines_and_bad_ids_are_located() {
    let src = NL.replacen("\"Goedemiddag.\",", "\"  \",", 1).replacen(
        "id: \"internet_outage\"",
        "id: \"blocked_card\"",
        1,
    );
    let d = script_errors(&src);
    let paths: Vec<&str> = d.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(
        paths,
        vec!["reasons[0].lines.Neutral.Alertheid[0]", "reasons[1].id"],
        "{d:?}"
    );
    assert_eq!(
        d[0].position.map(|p| p.line),
        Some(line_of(&src, "\"  \","))
    );
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let src = NL.replacen("Twijfelaar: {", "Twijfelaarr: {", 1);
    let d = script_errors(&src);
    assert_eq!(d.len(), 1);
    let p = d[0].position.expect("located");
    assert_eq!(p.line, line_of(&src, "Twijfelaarr"));
    assert!(d[0].message.contains("Twijfelaarr"), "{}", d[0].message);

    let src = NL.replacen("cue: FalseObjection", "cue: FakeObjection", 1);
    let d = script_errors(&src);
    assert_eq!(
        d[0].position.map(|p| p.line),
        Some(line_of(&src, "FakeObjection"))
    );
}

#[test]
fn kit_checks_files_against_each_other() {
    // English without the outbound sale; a second Dutch script.
    let start = EN
        .find("        // ------------------------------------------------ outbound")
        .unwrap();
    let end = EN.find("    reactions: {").unwrap();
    let en = format!("{}    ],\n\n{}", &EN[..start], &EN[end..]);
    let err = TrainingKit::from_sources(
        &[("nl.ron", NL), ("en.ron", &en), ("nl2.ron", NL)],
        ("effects.ron", EFFECTS),
    )
    .expect_err("mismatched kit");
    let origins: Vec<&str> = err.files.iter().map(|f| f.origin.as_str()).collect();
    assert_eq!(origins, vec!["en.ron", "nl2.ron"]);
    let msg = err.to_string();
    assert!(
        msg.contains("en.ron:") && msg.contains("\"outbound_sale\""),
        "{msg}"
    );
    assert!(
        msg.contains("nl2.ron:") && msg.contains("second script"),
        "{msg}"
    );
    assert!(err.render().contains("^"), "{}", err.render());

    // An effect model for a reason no script has.
    let fx = EFFECTS.replace("\"outbound_sale\":", "\"outbound_sales\":");
    let err = TrainingKit::from_sources(&[("nl.ron", NL)], ("effects.ron", &fx))
        .expect_err("unknown reason");
    let d = &err.files[0].error.diagnostics[0];
    assert_eq!(d.path.as_deref(), Some("reasons.outbound_sales"));
    assert_eq!(
        d.position.map(|p| p.line),
        Some(line_of(&fx, "\"outbound_sales\":"))
    );
}

#[test]
fn effect_model_problems_are_located() {
    let fx = EFFECTS
        .replacen("jitter: 0.15,", "jitter: 1.5,", 1)
        .replacen(
            "Alertheid:  (good: [Prepare, ActQuickly], poor: [Listen, Transfer]),",
            "Alertheid:  (good: [Prepare, ActQuickly, Close], poor: [Listen, Transfer, Prepare]),",
            1,
        );
    let e = Effects::parse(&fx).expect_err("problems");
    let paths: Vec<&str> = e
        .diagnostics
        .iter()
        .filter_map(|d| d.path.as_deref())
        .collect();
    assert_eq!(
        paths,
        vec![
            "jitter",
            "callers.Drammer.ratings.Alertheid.good[2]",
            "callers.Drammer.ratings.Alertheid.poor[2]",
        ],
        "{e}"
    );
    assert!(
        e.diagnostics[1]
            .message
            .contains("not on the Alertheid menu")
    );
    assert!(e.diagnostics[2].message.contains("both good and poor"));
}

#[test]
fn every_decision_must_have_a_good_and_a_poor_option() {
    // Without Prepare on the alertness menu, nothing there is good for anyone.
    let fx = EFFECTS
        .replacen(
            "menu: [Prepare, ActQuickly, Listen, OpenQuestion, Transfer],\n            good: [Prepare],",
            "menu: [ActQuickly, Listen, OpenQuestion, Transfer],\n            good: [],",
            1,
        )
        .replace("Alertheid:  (good: [Prepare, ActQuickly], ", "Alertheid:  (good: [ActQuickly], ")
        .replace("Alertheid:  (good: [Prepare], ", "Alertheid:  (good: [], ");
    let e = Effects::parse(&fx).expect_err("no good option");
    assert!(
        e.diagnostics
            .iter()
            .any(|d| d.message == "Neutral has no good technique on the Alertheid menu"),
        "{e}"
    );
    assert!(
        !e.diagnostics
            .iter()
            .any(|d| d.message == "Drammer has no good technique on the Alertheid menu"),
        "{e}"
    );
}

// ---------------------------------------------------------------- effect model

#[test]
fn the_model_follows_the_domain() {
    let kit = kit();
    let fx = kit.effects();
    use Judgement::{Good, Poor};
    use PersonaKind::*;
    use Technique::*;
    let j = |who, phase, t| fx.judge(who, phase, t, None);
    // Pusher: act quickly; a long analysis irritates.
    assert_eq!(j(Drammer, Phase::Aanbod, ActQuickly), Good);
    assert_eq!(j(Drammer, Phase::Analyse, ActQuickly), Good);
    assert_eq!(j(Drammer, Phase::Analyse, Listen), Poor);
    assert_eq!(j(Drammer, Phase::Analyse, OpenQuestion), Poor);
    // Doubter: control questions and the benefit.
    assert_eq!(j(Twijfelaar, Phase::Analyse, ControlQuestion), Good);
    assert_eq!(j(Twijfelaar, Phase::Aanbod, StressBenefit), Good);
    assert_eq!(j(Twijfelaar, Phase::Aanbod, SuggestiveQuestion), Poor);
    // Silent one: facts and open questions; closed questions get one word.
    assert_eq!(j(Zwijger, Phase::Analyse, OpenQuestion), Good);
    assert_eq!(j(Zwijger, Phase::Analyse, StayWithFacts), Good);
    assert_eq!(j(Zwijger, Phase::Analyse, ClosedQuestion), Poor);
    let (_, closed) = fx.judge_and_effect(
        Zwijger,
        Phase::Analyse,
        Choice::Technique(ClosedQuestion),
        None,
    );
    assert!(closed.duration < 1.0 && closed.resolve < 0.0);
    // Chatterbox: interrupt and steer, yet take time at the end.
    assert_eq!(j(Babbelaar, Phase::Analyse, InterruptAndSteer), Good);
    assert_eq!(j(Babbelaar, Phase::Analyse, OpenQuestion), Poor);
    assert_eq!(j(Babbelaar, Phase::Afsluiting, Empathy), Good);
    // The textbook for the neutral caller.
    assert_eq!(j(PersonaKind::Neutral, Phase::Analyse, Summarise), Good);
    assert_eq!(j(PersonaKind::Neutral, Phase::Afsluiting, Close), Good);
    // Cues win over the personality.
    assert_eq!(
        fx.judge(Drammer, Phase::Aanbod, ActQuickly, Some(Cue::RealObjection)),
        Poor
    );
    assert_eq!(
        fx.judge(
            Zwijger,
            Phase::Aanbod,
            OfferSolution,
            Some(Cue::OpenBuyingSignal)
        ),
        Good
    );
    // A timeout is poor, with the poor effect.
    for who in PersonaKind::ALL {
        for phase in Phase::CONVERSATION {
            let (jt, e) = fx.judge_and_effect(who, phase, Choice::Timeout, None);
            assert_eq!(jt, Poor);
            assert_eq!(e, fx.callers[&who].poor);
        }
    }
    // Transferring is never a first-contact resolution.
    for who in PersonaKind::ALL {
        let (_, e) = fx.judge_and_effect(who, Phase::Aanbod, Choice::Technique(Transfer), None);
        assert!(e.resolve <= -0.3, "{who}");
    }
}

#[test]
fn good_effects_beat_poor_ones_for_every_caller() {
    let kit = kit();
    for (who, c) in &kit.effects().callers {
        assert!(c.good.duration < c.neutral.duration && c.neutral.duration < c.poor.duration);
        assert!(
            c.good.csat > c.neutral.csat && c.neutral.csat > c.poor.csat,
            "{who}"
        );
        assert!(c.good.resolve > c.poor.resolve);
        assert!(c.good.value() > c.neutral.value() && c.neutral.value() > c.poor.value());
    }
}

// ---------------------------------------------------------------- calls

#[test]
fn a_call_walks_the_five_phases() {
    let kit = kit();
    let setup = CallSetup::new(PersonaKind::Zwijger, "internet_outage", Language::Nl, 5);
    let mut call = TrainingCall::new(Arc::clone(&kit), setup).expect("setup");
    assert_eq!(call.direction(), Direction::Inbound);
    assert_eq!(call.reason_title(), "Storing: geen internet");
    let mut phases = Vec::new();
    while let Some(phase) = call.phase() {
        phases.push(phase);
        let line = call.line().expect("a line").text.clone();
        assert!(
            kit.script(Language::Nl)
                .unwrap()
                .lines("internet_outage", PersonaKind::Zwijger, phase)
                .iter()
                .any(|l| l.text == line)
        );
        assert_eq!(call.options().len(), 4);
        let pick = ScriptedStudent::Good.pick(&call);
        let turn = call.choose(pick, 2.0).expect("offered");
        assert_eq!(turn.judgement, Judgement::Good);
        assert!(!turn.reaction.is_empty());
        assert!(turn.duration_s > 0.0);
    }
    assert_eq!(phases, Phase::CONVERSATION.to_vec());
    let r = call.result().expect("finished");
    // Three good reactions per caller: the first three differ.
    let said: Vec<&str> = r.phases[..3].iter().map(|p| p.reaction.as_str()).collect();
    assert!(
        said[0] != said[1] && said[1] != said[2] && said[0] != said[2],
        "{said:?}"
    );
    assert_eq!(r.ending, Ending::Completed);
    assert_eq!(r.personality, PersonaKind::Zwijger);
    assert_eq!(r.score, 100.0);
    assert_eq!(r.phases.len(), 5);
    let talk: f64 = r.phases.iter().map(|p| p.duration_s).sum();
    assert!((r.talk_time_s - talk).abs() < 1e-9);
    assert!((r.handle_time_s - talk - kit.effects().wrap_up_s).abs() < 1e-9);
    assert!(matches!(
        call.choose(Choice::Timeout, 1.0),
        Err(TrainingError::Finished)
    ));
    assert!(call.line().is_none() && call.options().is_empty());
}

#[test]
fn every_menu_offers_a_good_and_a_poor_option() {
    let kit = kit();
    let fx = kit.effects();
    for seed in 0..40 {
        for who in PersonaKind::ALL {
            for reason in kit.reason_ids() {
                let mut setup = CallSetup::new(who, reason, Language::En, seed);
                setup.options = 2 + (seed as usize % 4);
                let mut call = TrainingCall::new(Arc::clone(&kit), setup).expect("setup");
                while let Some(phase) = call.phase() {
                    let cue = call.line().and_then(|l| l.cue);
                    let opts = call.options().to_vec();
                    let mut dedup = opts.clone();
                    dedup.sort();
                    dedup.dedup();
                    assert_eq!(dedup.len(), opts.len(), "duplicates in {opts:?}");
                    assert!(opts.iter().all(|t| fx.menu(phase).contains(t)));
                    let js: Vec<Judgement> =
                        opts.iter().map(|&t| fx.judge(who, phase, t, cue)).collect();
                    assert!(js.contains(&Judgement::Good), "{who} {phase} {opts:?}");
                    assert!(js.contains(&Judgement::Poor), "{who} {phase} {opts:?}");
                    call.choose(opts[0], 1.0).expect("offered");
                }
            }
        }
    }
}

#[test]
fn a_call_is_deterministic_for_its_seed() {
    for student in [ScriptedStudent::Good, ScriptedStudent::Poor] {
        let setup = CallSetup::new(PersonaKind::Babbelaar, "outbound_sale", Language::En, 99);
        assert_eq!(play(setup.clone(), student), play(setup, student));
    }
    let lines = |seed: u64| {
        (0..5)
            .map(|i| {
                let mut setup =
                    CallSetup::new(PersonaKind::Drammer, "blocked_card", Language::Nl, seed + i);
                setup.options = 19;
                TrainingCall::new(kit(), setup)
                    .expect("setup")
                    .line()
                    .cloned()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(10), lines(10));
    assert_ne!(lines(10), lines(20));
}

#[test]
fn students_on_the_same_seed_hear_the_same_caller() {
    // Common random numbers: what the caller says in a phase does not depend
    // on the student's earlier choices.
    let kit = kit();
    for seed in 0..20 {
        let setup = CallSetup::new(PersonaKind::Twijfelaar, "outbound_sale", Language::Nl, seed);
        let good = play(setup.clone(), ScriptedStudent::Good);
        let poor = play(setup, ScriptedStudent::Poor);
        for p in &poor.phases {
            let g = good.phase(p.phase).expect("the good student completes");
            assert_eq!(g.line, p.line);
            assert_eq!(g.options, p.options);
        }
    }
    drop(kit);
}

#[test]
fn a_timeout_is_scored_as_poor() {
    let kit = kit();
    let setup = CallSetup::new(PersonaKind::Neutral, "blocked_card", Language::Nl, 3);
    let mut call = TrainingCall::new(Arc::clone(&kit), setup.clone()).expect("setup");
    let turn = call
        .choose(Choice::Timeout, 30.0)
        .expect("a timeout is a choice");
    assert_eq!(turn.judgement, Judgement::Poor);
    assert_eq!(turn.choice, Choice::Timeout);
    let timeouts = &kit.script(Language::Nl).unwrap().reactions[&PersonaKind::Neutral].timeout;
    if turn.outcome == Outcome::Continue(Phase::Aanvang) {
        assert!(timeouts.contains(&turn.reaction), "{}", turn.reaction);
    }

    // A good technique chosen too late is a timeout too.
    let mut call = TrainingCall::new(Arc::clone(&kit), setup.clone()).expect("setup");
    let good = ScriptedStudent::Good.pick(&call);
    assert_ne!(good, Choice::Timeout);
    let turn = call.choose(good, 30.5).expect("late");
    assert_eq!(turn.choice, Choice::Timeout);
    assert_eq!(turn.judgement, Judgement::Poor);
    assert_eq!(call.records()[0].choice, Choice::Timeout);

    // A silent student scores 0 and the call takes longer than a good one's.
    let silent = play(setup.clone(), ScriptedStudent::Silent);
    assert_eq!(silent.score, 0.0);
    assert!(silent.phases.iter().all(|p| p.judgement == Judgement::Poor));
    let good = play(setup, ScriptedStudent::Good);
    assert!(silent.phases[0].duration_s > good.phases[0].duration_s);
}

#[test]
fn bad_moves_are_refused_without_changing_the_call() {
    let kit = kit();
    let mut call = TrainingCall::new(
        Arc::clone(&kit),
        CallSetup::new(PersonaKind::Drammer, "blocked_card", Language::Nl, 1),
    )
    .expect("setup");
    let not_offered = Technique::ALL
        .into_iter()
        .find(|t| !call.options().contains(t))
        .expect("menus are short");
    let before = call.line().cloned();
    assert!(matches!(
        call.choose(not_offered, 1.0),
        Err(TrainingError::NotOffered { .. })
    ));
    assert!(matches!(
        call.choose(call.options()[0], f64::NAN),
        Err(TrainingError::BadNumber { .. })
    ));
    assert!(matches!(
        call.choose(call.options()[0], -1.0),
        Err(TrainingError::BadNumber { .. })
    ));
    assert_eq!(call.phase(), Some(Phase::Alertheid));
    assert_eq!(call.line().cloned(), before);
    assert!(call.records().is_empty());

    let bad = |f: fn(&mut CallSetup)| {
        let mut s = CallSetup::new(PersonaKind::Neutral, "blocked_card", Language::Nl, 1);
        f(&mut s);
        TrainingCall::new(Arc::clone(&kit), s).map(|_| ())
    };
    assert!(matches!(
        bad(|s| s.reason = "lost_dog".into()),
        Err(TrainingError::UnknownReason(_))
    ));
    assert!(matches!(
        bad(|s| s.time_limit_s = 0.0),
        Err(TrainingError::BadNumber { .. })
    ));
    assert!(matches!(
        bad(|s| s.wait_s = f64::INFINITY),
        Err(TrainingError::BadNumber { .. })
    ));
    assert!(matches!(
        bad(|s| s.options = 1),
        Err(TrainingError::BadNumber { .. })
    ));
    let nl_only = TrainingKit::from_sources(&[("nl.ron", NL)], ("effects.ron", EFFECTS))
        .expect("one language is enough");
    assert!(matches!(
        TrainingCall::new(
            Arc::new(nl_only),
            CallSetup::new(PersonaKind::Neutral, "blocked_card", Language::En, 1)
        ),
        Err(TrainingError::UnknownLanguage(Language::En))
    ));
}

#[test]
fn waiting_in_the_queue_lowers_satisfaction() {
    let mut patient = CallSetup::new(PersonaKind::Neutral, "blocked_card", Language::Nl, 8);
    patient.options = 2;
    let mut waited = patient.clone();
    waited.wait_s = 20.0 * 60.0;
    // A neutral student (the first option, whatever it is) sees the difference.
    let run = |s: CallSetup| {
        let mut call = TrainingCall::new(kit(), s).expect("setup");
        while !call.is_finished() {
            let t = call.options()[0];
            call.choose(t, 1.0).expect("offered");
        }
        call.result().cloned().expect("done")
    };
    let (a, b) = (run(patient), run(waited));
    assert_eq!(a.phases.len(), b.phases.len());
    if a.ending == Ending::Completed && a.resolved == b.resolved {
        assert!(b.csat < a.csat, "{} vs {}", b.csat, a.csat);
    }
}

// ---------------------------------------------------------------- students

fn board(exercise: &Exercise, student: ScriptedStudent) -> (Vec<CallResult>, Scoreboard) {
    play_exercise(&kit(), exercise, student, 4.0).expect("plays")
}

#[test]
fn the_good_student_clearly_beats_the_poor_one() {
    let mut exercise = parse_exercise(BUSY).expect("busy exercise");
    exercise.calls = CallList::Mix {
        personalities: PersonaKind::ALL.iter().map(|&p| (p, 40)).collect(),
        reasons: vec![
            "blocked_card".into(),
            "internet_outage".into(),
            "outbound_sale".into(),
        ],
    };
    let (good_calls, good) = board(&exercise, ScriptedStudent::Good);
    let (_, poor) = board(&exercise, ScriptedStudent::Poor);
    let (g, p) = (good.overall(), poor.overall());
    assert_eq!(g.calls, 200);
    assert_eq!(g.score, 100.0);
    assert_eq!(p.score, 0.0);
    assert!(
        g.mean_handle_time_s < 0.8 * p.mean_handle_time_s,
        "AHT {} vs {}",
        g.mean_handle_time_s,
        p.mean_handle_time_s
    );
    assert!(g.csat >= p.csat + 2.0, "CSAT {} vs {}", g.csat, p.csat);
    assert!(g.fcr >= p.fcr + 0.4, "FCR {} vs {}", g.fcr, p.fcr);
    assert_eq!(g.hung_up + g.escalated, 0);
    assert!(p.hung_up + p.escalated > 10);
    assert!(good_calls.iter().all(|c| c.ending == Ending::Completed));

    // Per personality too.
    let (gp, pp) = (good.by_personality(), poor.by_personality());
    for who in PersonaKind::ALL {
        let (g, p) = (gp[&who], pp[&who]);
        assert!(g.mean_handle_time_s < p.mean_handle_time_s, "{who}");
        assert!(g.csat > p.csat, "{who}");
        assert!(g.fcr > p.fcr, "{who}");
    }
    // The drammer punishes a poor student hardest; the chatterbox makes the
    // calls longest.
    assert!(pp[&PersonaKind::Drammer].escalated >= pp[&PersonaKind::Babbelaar].escalated);
    assert!(
        gp[&PersonaKind::Babbelaar].mean_handle_time_s
            > gp[&PersonaKind::Zwijger].mean_handle_time_s
    );
}

#[test]
fn a_middling_student_lands_in_between() {
    // Picks the first option shown, whatever it is.
    let exercise = parse_exercise(INTRO).expect("intro");
    let mut board = Scoreboard::new();
    for setup in exercise.plan() {
        let mut call = TrainingCall::new(kit(), setup).expect("setup");
        while !call.is_finished() {
            let t = call.options()[0];
            call.choose(t, 5.0).expect("offered");
        }
        board.add(call.result().expect("done"));
    }
    let s = board.overall().score;
    assert!(s > 0.0 && s < 100.0, "{s}");
}

// ---------------------------------------------------------------- feedback

#[test]
fn feedback_names_the_personality_and_what_worked() {
    let kit = kit();
    let setup = CallSetup::new(PersonaKind::Drammer, "internet_outage", Language::Nl, 11);
    let poor = play(setup.clone(), ScriptedStudent::Poor);
    let fb = Feedback::new(&kit, &poor, Language::Nl).expect("nl");
    assert_eq!(fb.personality_name, "drammer");
    let text = fb.render();
    assert!(text.starts_with("Deze beller was een drammer:"), "{text}");
    assert!(text.contains("Wat niet werkte:"), "{text}");
    assert!(!text.contains("Wat werkte:"), "{text}");
    assert_eq!(fb.did_not_work().count(), poor.phases.len());
    for p in fb.did_not_work() {
        assert!(
            !p.better.is_empty(),
            "a better option was on offer in {}",
            p.phase
        );
    }
    if poor.phases.len() < 5 {
        assert!(text.contains("Niet meer aan toe gekomen:"), "{text}");
    }

    let good = play(setup, ScriptedStudent::Good);
    let fb = Feedback::new(&kit, &good, Language::En).expect("en");
    let text = fb.render();
    assert!(
        text.starts_with("This caller was a drammer (pusher):"),
        "{text}"
    );
    assert!(text.contains("What worked:"), "{text}");
    assert!(!text.contains("What did not work"), "{text}");
    assert!(text.contains("Call completed"), "{text}");
    assert!(text.contains("score 100/100"), "{text}");
    assert_eq!(fb.worked().count(), 5);
    assert!(fb.phases.iter().all(|p| p.better.is_empty()));
}

#[test]
fn feedback_points_out_sales_cues() {
    let kit = kit();
    let with_cue = (0..50).find_map(|seed| {
        let r = play(
            CallSetup::new(PersonaKind::Zwijger, "outbound_sale", Language::Nl, seed),
            ScriptedStudent::Poor,
        );
        r.phases.iter().any(|p| p.cue.is_some()).then_some(r)
    });
    let r = with_cue.expect("some call has a cue in a phase it reached");
    let text = Feedback::new(&kit, &r, Language::Nl).expect("nl").render();
    assert!(text.contains("[let op: "), "{text}");
}

#[test]
fn scoreboard_adds_up() {
    let kit = kit();
    let mut board = Scoreboard::new();
    assert_eq!(board.overall(), Tally::default());
    let a = play(
        CallSetup::new(PersonaKind::Zwijger, "blocked_card", Language::Nl, 1),
        ScriptedStudent::Good,
    );
    let b = play(
        CallSetup::new(PersonaKind::Zwijger, "blocked_card", Language::Nl, 2),
        ScriptedStudent::Silent,
    );
    board.add(&a);
    board.add(&b);
    let t = board.overall();
    assert_eq!(t.calls, 2);
    assert_eq!(t.score, (a.score + b.score) / 2.0);
    assert!((t.mean_handle_time_s - (a.handle_time_s + b.handle_time_s) / 2.0).abs() < 1e-9);
    assert_eq!(t.csat, f64::from(a.csat + b.csat) / 2.0);
    assert_eq!(
        t.fcr,
        f64::from(u8::from(a.resolved) + u8::from(b.resolved)) / 2.0
    );
    assert_eq!(board.by_personality().len(), 1);
    let phases = board.by_phase();
    let alert = phases[&Phase::Alertheid];
    assert_eq!(
        (alert.decisions, alert.good, alert.poor, alert.timeouts),
        (2, 1, 1, 1)
    );
    assert_eq!(alert.score, 50.0);
    let close = phases[&Phase::Afsluiting];
    assert_eq!(close.decisions + close.missed, 2);
    drop(kit);
}

// ---------------------------------------------------------------- exercises

#[test]
fn bundled_exercises_validate() {
    let kit = kit();
    for (name, src) in [("classroom-intro.ron", INTRO), ("classroom-busy.ron", BUSY)] {
        let ex = match validate_exercise(src, &kit) {
            Ok(e) => e,
            Err(e) => panic!("{}", e.render(name, src)),
        };
        assert_eq!(ex.floor.scenario, "single-queue.ron", "{name}");
        let floor = ex.floor_scenario(FLOOR).expect("the floor parses");
        assert_eq!(floor.arrival_scale, ex.floor.load.arrival_scale());
        let plan = ex.plan();
        assert_eq!(plan.len() as u64, ex.call_count());
        assert_eq!(ex.plan(), plan, "deterministic");
        for s in &plan {
            TrainingCall::new(Arc::clone(&kit), s.clone()).expect("every planned call runs");
        }
    }
    let intro = parse_exercise(INTRO).expect("intro");
    assert_eq!(intro.floor.load, FloorLoad::Quiet);
    assert_eq!(intro.call_count(), 6);
    assert!(intro.time_limit_s >= 30.0);
    let plan = intro.plan();
    assert!(plan.iter().all(|s| matches!(
        s.personality,
        PersonaKind::Neutral | PersonaKind::Zwijger | PersonaKind::Twijfelaar
    )));
    assert!(
        plan.iter()
            .all(|s| s.wait_s == FloorLoad::Quiet.typical_wait_s())
    );

    let busy = parse_exercise(BUSY).expect("busy");
    assert_eq!(busy.floor.load, FloorLoad::Busy);
    assert!(busy.time_limit_s <= 15.0);
    let plan = busy.plan();
    for who in PersonaKind::ALL {
        assert!(plan.iter().any(|s| s.personality == who), "{who}");
    }
    assert!(plan.iter().any(|s| s.reason == "outbound_sale"));
    assert_eq!(plan[5].wait_s, 300.0);
    assert_eq!(plan[0].wait_s, 150.0);
    // Calls differ in seed.
    assert_ne!(plan[0].seed, plan[1].seed);
}

#[test]
fn exercise_problems_are_located() {
    let kit = kit();
    let src = BUSY
        .replacen(
            "reason: \"internet_outage\"",
            "reason: \"internet_down\"",
            1,
        )
        .replace("time_limit_s: 12.0", "time_limit_s: -1.0")
        .replace("language: Nl", "language: En");
    let nl_only =
        TrainingKit::from_sources(&[("nl.ron", NL)], ("effects.ron", EFFECTS)).expect("kit");
    let e = validate_exercise(&src, &nl_only).expect_err("problems");
    let found: Vec<(usize, &str)> = e
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.position.map_or(0, |p| p.line),
                d.path.as_deref().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (line_of(&src, "language: En"), "language"),
            (line_of(&src, "time_limit_s"), "time_limit_s"),
            (line_of(&src, "internet_down"), "calls[1].reason"),
        ],
        "{e}"
    );
    assert!(e.diagnostics[2].message.contains("\"blocked_card\""));
    // On its own, the exercise only has the time limit wrong.
    assert_eq!(parse_exercise(&src).expect_err("time").diagnostics.len(), 1);
    // With both languages, the language is fine.
    assert_eq!(
        validate_exercise(&src, &kit)
            .expect_err("two")
            .diagnostics
            .len(),
        2
    );

    let src = INTRO.replace("Zwijger: 2", "Zwijgr: 2");
    let e = parse_exercise(&src).expect_err("syntax");
    assert_eq!(
        e.diagnostics[0].position.map(|p| p.line),
        Some(line_of(&src, "Zwijgr"))
    );

    let src = INTRO.replace(
        "personalities: { Neutral: 3, Zwijger: 2, Twijfelaar: 1 }",
        "personalities: { Neutral: 0 }",
    );
    let e = parse_exercise(&src).expect_err("no calls");
    assert_eq!(
        e.diagnostics[0].path.as_deref(),
        Some("calls.personalities")
    );
}

#[test]
fn a_mix_shuffles_by_seed() {
    let mut ex = parse_exercise(INTRO).expect("intro");
    let order = |ex: &Exercise| ex.plan().iter().map(|s| s.personality).collect::<Vec<_>>();
    let first = order(&ex);
    let mut counts = std::collections::BTreeMap::new();
    for p in &first {
        *counts.entry(*p).or_insert(0u32) += 1;
    }
    assert_eq!(counts[&PersonaKind::Neutral], 3);
    assert_eq!(counts[&PersonaKind::Zwijger], 2);
    assert_eq!(counts[&PersonaKind::Twijfelaar], 1);
    let differs = (1..20).any(|s| {
        ex.seed = s;
        order(&ex) != first
    });
    assert!(differs);
}

#[test]
fn the_builtin_kit_and_floors_load() {
    let kit = TrainingKit::builtin().expect("the shipped kit is valid");
    assert!(kit.script(Language::Nl).is_some() && kit.script(Language::En).is_some());
    for (name, src) in BUILTIN_FLOORS {
        crate::scenario::parse(src).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    // An exercise whose floor file is missing next to it finds the built-in copy.
    let exercise = parse_exercise(INTRO).expect("valid");
    let far_away = std::path::Path::new("/nonexistent/dir/classroom-intro.ron");
    assert_eq!(
        floor_source(far_away, &exercise).expect("built-in floor"),
        FLOOR
    );
    let mut odd = exercise.clone();
    odd.floor.scenario = "no-such-floor.ron".into();
    let e = floor_source(far_away, &odd).unwrap_err();
    assert!(e.contains("no-such-floor.ron"), "{e}");
}
