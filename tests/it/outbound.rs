//! Outbound campaigns and blending: the dialers compared on one call list, the
//! abandon cap kept, blending holding inbound in its band, the rules every dial
//! follows, and the reports.

use std::collections::HashMap;
use std::sync::Arc;

use sim_core::engine::AgentStatus;
use sim_core::scenario::{DialOutcome, PersonaKind};
use sim_core::stats::Estimate;
use sim_core::{Model, Report, RunConfig, SimEvent, SimTime, Simulation, experiment, scenario};

use crate::{ccsim, root, scratch_file};

fn model(src: &str) -> Arc<Model> {
    let s = scenario::parse(src).unwrap_or_else(|e| panic!("{}", e.render("test", src)));
    Arc::new(Model::new(&s).expect("compiles"))
}

fn report(src: &str) -> Report {
    let m = model(src);
    experiment::run(&m, &RunConfig::from_model(&m), &|| {}).expect("runs")
}

/// KPI `k` of the first campaign.
fn campaign(r: &Report, k: &str) -> Estimate {
    *r.by_campaign[0]
        .kpis
        .get(k)
        .unwrap_or_else(|| panic!("campaign KPI {k}"))
}

/// `a` is larger than `b` beyond both confidence intervals.
fn clearly_above(a: &Estimate, b: &Estimate) -> bool {
    a.mean - a.ci95.unwrap_or(0.0) > b.mean + b.ci95.unwrap_or(0.0)
}

fn sales_scenario() -> String {
    std::fs::read_to_string(root().join("scenarios/outbound-sales.ron")).expect("bundled scenario")
}

const PREDICTIVE: &str = "dialer: Predictive(margin: 0.2, max_lines_per_agent: 3.0)";

fn with_dialer(src: &str, dialer: &str) -> String {
    assert!(src.contains(PREDICTIVE));
    src.replace(PREDICTIVE, dialer)
}

/// Share of the compliance windows of every replication that were at or under
/// the cap.
fn windows_within_cap(r: &Report) -> (f64, u64) {
    let (within, all) = r.reps.iter().fold((0, 0), |(w, a), rep| {
        let c = &rep.campaigns[0];
        (w + c.windows_within_cap, a + c.windows)
    });
    (within as f64 / all as f64, all)
}

#[test]
fn predictive_keeps_the_cap_and_beats_progressive_and_preview() {
    let src = sales_scenario().replace("replications: 40", "replications: 60");
    let predictive = report(&src);
    let progressive = report(&with_dialer(&src, "dialer: Progressive"));
    let preview = report(&with_dialer(
        &src,
        "dialer: Preview(preview_time: Uniform(min_s: 10.0, max_s: 30.0))",
    ));
    // The UK rule: 3 % over a rolling 24 h, so one window per simulated day.
    let (share, windows) = windows_within_cap(&predictive);
    let per_hour = |r: &Report| campaign(r, "contacts_per_agent_hour");
    let (pd, pg, pv) = (
        per_hour(&predictive),
        per_hour(&progressive),
        per_hour(&preview),
    );
    eprintln!(
        "contacts per agent-hour: predictive {:.2} ± {:.2}, progressive {:.2} ± {:.2}, preview {:.2} ± {:.2}",
        pd.mean,
        pd.ci95.unwrap_or(0.0),
        pg.mean,
        pg.ci95.unwrap_or(0.0),
        pv.mean,
        pv.ci95.unwrap_or(0.0)
    );
    let rate = campaign(&predictive, "abandon_rate");
    let max = campaign(&predictive, "abandon_rate_max");
    eprintln!(
        "predictive abandon rate {:.2}% ± {:.2}% (max over windows {:.2}%); windows within the 3% cap: {:.1}% of {windows}",
        100.0 * rate.mean,
        100.0 * rate.ci95.unwrap_or(0.0),
        100.0 * max.mean,
        100.0 * share
    );
    assert!(share >= 0.95, "{share} of {windows} windows within the cap");
    assert!(rate.mean <= 0.03, "{rate:?}");
    assert!(
        clearly_above(&pd, &pg),
        "predictive {pd:?} vs progressive {pg:?}"
    );
    assert!(
        clearly_above(&pg, &pv),
        "progressive {pg:?} vs preview {pv:?}"
    );
    // Agents wait less between calls with more lines in flight.
    assert!(clearly_above(
        &campaign(&progressive, "agent_wait_s"),
        &campaign(&predictive, "agent_wait_s")
    ));
    // Reserving dialers abandon nobody for want of an agent: their only
    // nuisance calls are AMD's false positives.
    for r in [&progressive, &preview] {
        for rep in &r.reps {
            let c = &rep.campaigns[0];
            assert_eq!(c.nuisance_abandons, c.amd_false_positives);
        }
    }
    // The same list is worked: every dial has one outcome, every live answer
    // is connected or abandoned.
    for r in [&predictive, &progressive, &preview] {
        for rep in &r.reps {
            let c = &rep.campaigns[0];
            assert_eq!(c.dials, c.outcomes.iter().sum::<u64>());
            assert_eq!(c.live_answers, c.connects + c.nuisance_abandons);
            assert!(c.sales <= c.right_party_contacts);
        }
    }
}

#[test]
fn predictive_keeps_a_short_rolling_window_under_the_cap_too() {
    // Two-hour windows judged every half hour: seven per day.
    let src = sales_scenario()
        .replace("window_h: 24.0", "window_h: 2.0")
        .replace("interval_min: 60.0", "interval_min: 30.0")
        .replace("replications: 40", "replications: 60");
    let r = report(&src);
    let (share, windows) = windows_within_cap(&r);
    eprintln!(
        "2 h windows within the 3% cap: {:.1}% of {windows}",
        100.0 * share
    );
    assert!(windows >= 60 * 7);
    assert!(share >= 0.95, "{share}");
}

fn no_agents(skills: &str, count: u32, dialer: &str) -> String {
    format!(
        r#"Scenario(
    name: "nobody dials", horizon_h: 3.0, replications: 3, seed: 5,
    call_types: [CallType(name: "service", arrivals: Poisson(per_hour: 60.0),
        handle_time: Exponential(mean_s: 180.0), patience: Exponential(mean_s: 300.0))],
    campaigns: [Campaign(
        name: "leads", list_size: 1000, dialer: {dialer},
        window: DialWindow(start_h: 0.0, end_h: 3.0),
        outcomes: Outcomes(no_answer: 0.4, busy: 0.05, invalid: 0.05, machine: 0.2, right_party: 0.25, wrong_party: 0.05),
        amd: Amd(decision_time: Deterministic(value_s: 2.0), detection: 0.9, false_positive: 0.02),
        phases: Phases(alertheid: Deterministic(value_s: 2.0), aanvang: Exponential(mean_s: 20.0),
            analyse: Exponential(mean_s: 40.0), aanbod: Exponential(mean_s: 90.0),
            afsluiting: Exponential(mean_s: 20.0), acw: Exponential(mean_s: 30.0)),
    )],
    agent_groups: [
        AgentGroup(name: "inbound", count: 5, skills: ["service"]),
        AgentGroup(name: "outbound", count: {count}, skills: {skills}),
    ],
)"#
    )
}

#[test]
fn a_campaign_without_agents_connects_nobody() {
    for dialer in [
        "Predictive()",
        "Progressive",
        "Preview(preview_time: Deterministic(value_s: 15.0))",
    ] {
        for (skills, count) in [(r#"["leads"]"#, 0), (r#"["service"]"#, 2)] {
            let r = report(&no_agents(skills, count, dialer));
            for rep in &r.reps {
                let c = &rep.campaigns[0];
                assert_eq!(c.connects, 0, "{dialer}, {skills} × {count}");
                assert_eq!(c.nuisance_abandons, 0, "{dialer}");
                assert_eq!(c.agent_time_s, 0.0, "nobody works {skills} × {count}");
            }
            // Inbound goes on as usual.
            assert!(r.kpis.get("answered").unwrap().mean > 100.0);
            assert!(campaign(&r, "connects").mean == 0.0);
        }
    }
}

const BLEND: &str = r#"
Scenario(
    name: "blend", horizon_h: 6.0, warmup_h: 0.5, replications: 30, seed: 21,
    call_types: [CallType(name: "service", arrivals: Poisson(per_hour: 110.0),
        handle_time: Exponential(mean_s: 240.0), patience: Exponential(mean_s: 300.0))],
    campaigns: [Campaign(
        name: "renewals", list_size: 20000, dialer: Progressive,
        window: DialWindow(start_h: 0.0, end_h: 6.0),
        outcomes: Outcomes(no_answer: 0.4, busy: 0.05, invalid: 0.05, machine: 0.2, right_party: 0.25, wrong_party: 0.05),
        phases: Phases(alertheid: Deterministic(value_s: 2.0), aanvang: Exponential(mean_s: 20.0),
            analyse: Exponential(mean_s: 40.0), aanbod: Exponential(mean_s: 90.0),
            afsluiting: Exponential(mean_s: 20.0), acw: Exponential(mean_s: 30.0)),
    )],
    agent_groups: [AgentGroup(name: "blended", count: 13, skills: ["service", "renewals"])],
    BLENDING
)"#;

#[test]
fn blending_keeps_inbound_service_level_in_its_band() {
    let (low, high) = (0.80, 0.90);
    let greedy = report(&BLEND.replace("BLENDING", ""));
    let banded = report(&BLEND.replace(
        "BLENDING",
        "blending: Blending(sl_band: SlBand(low: 0.80, high: 0.90, window_min: 15.0)),",
    ));
    let reserve = report(&BLEND.replace("BLENDING", "blending: Blending(reserve: 2),"));
    let inbound_only = report(&BLEND.replace("BLENDING", "").replace(
        r#"skills: ["service", "renewals"]"#,
        r#"skills: ["service"]"#,
    ));
    let sl = |r: &Report| *r.kpis.get("service_level").unwrap();
    let (g, b, res, alone) = (sl(&greedy), sl(&banded), sl(&reserve), sl(&inbound_only));
    eprintln!(
        "inbound service level: alone {:.1}%, with outbound unchecked {:.1}%, with the band {:.1}% ± {:.1}%, with a reserve of 2 {:.1}%",
        100.0 * alone.mean,
        100.0 * g.mean,
        100.0 * b.mean,
        100.0 * b.ci95.unwrap_or(0.0),
        100.0 * res.mean
    );
    // Without blending rules the dialer takes too many agents…
    assert!(g.mean + g.ci95.unwrap_or(0.0) < low, "{g:?}");
    // …with the band the service level stays inside it, while outbound runs.
    let ci = b.ci95.unwrap_or(0.0);
    assert!(b.mean - ci >= low && b.mean + ci <= high, "{b:?}");
    assert!(campaign(&banded, "right_party_contacts").mean > 100.0);
    // Every half hour after the first hour, on average over the days.
    for iv in banded.by_interval.iter().skip(3) {
        let s = iv.all.get("service_level").unwrap();
        assert!(s.mean >= low - 0.05, "interval {}: {:.3}", iv.index, s.mean);
    }
    // A reserve of idle agents protects inbound as well.
    assert!(clearly_above(&res, &g));
    assert!(campaign(&reserve, "right_party_contacts").mean > 100.0);
}

const RULES: &str = r#"
Scenario(
    name: "rules", horizon_h: 4.0, replications: 1, seed: 3, interval_min: 30.0,
    campaigns: [Campaign(
        name: "list", records: [RECORDS], dialer: DIALER,
        window: DialWindow(start_h: 0.5, end_h: 3.5),
        outcomes: Outcomes(no_answer: 0.35, busy: 0.1, invalid: 0.05, machine: 0.2, right_party: 0.2, wrong_party: 0.1),
        amd: Amd(decision_time: Uniform(min_s: 1.0, max_s: 3.0), detection: 0.8, false_positive: 0.05),
        phases: Phases(alertheid: Deterministic(value_s: 2.0), aanvang: Exponential(mean_s: 20.0),
            analyse: Exponential(mean_s: 40.0), aanbod: Exponential(mean_s: 90.0),
            afsluiting: Exponential(mean_s: 20.0), acw: Exponential(mean_s: 30.0)),
        retry: Retries(
            no_answer: Retry(after_min: 20.0, max_attempts: 4),
            busy: Retry(after_min: 10.0, max_attempts: 5),
            machine: Retry(after_min: 30.0, max_attempts: 3),
            wrong_party: Retry(after_min: 40.0, max_attempts: 2),
        ),
        max_attempts: 4,
        recall_after_abandon_h: RECALL,
    )],
    agent_groups: [AgentGroup(name: "callers", count: 6, skills: ["list"])],
)"#;

/// What became of one dial, from the events.
#[derive(Debug, Default, Clone)]
struct Fate {
    record: u32,
    at_s: f64,
    outcome: Option<DialOutcome>,
    amd_machine: Option<bool>,
    connected: bool,
    abandoned_live: bool,
    dropped_machine: bool,
    completed: bool,
    persona: Option<PersonaKind>,
}

#[test]
fn every_dial_follows_the_campaign_rules() {
    let personas = ["drammer", "twijfelaar", "zwijger", "babbelaar"];
    let records: Vec<String> = (0..300)
        .map(|i| {
            format!(
                r#"ListRecord(id: "C{i}", persona: "{}")"#,
                personas[i % personas.len()]
            )
        })
        .collect();
    let mut recalled = 0;
    for dialer in [
        "Progressive",
        "Predictive(margin: 0.0)",
        "Preview(preview_time: Uniform(min_s: 5.0, max_s: 15.0))",
    ] {
        // The UK's 72 h, and a rest short enough to see records dialled again.
        for recall_h in [72.0, 0.5] {
            let src = RULES
                .replace("RECORDS", &records.join(", "))
                .replace("DIALER", dialer)
                .replace("RECALL", &format!("{recall_h:?}"));
            let m = model(&src);
            for seed in 0..3 {
                let (r, events) =
                    Simulation::with_observer(Arc::clone(&m), seed, 0, Vec::new()).run();
                recalled += check_rules(dialer, recall_h * 60.0, &r, &events, &personas);
            }
        }
    }
    assert!(
        recalled > 0,
        "no abandoned record was dialled again after its rest"
    );
}

/// Checks one run; returns how many abandoned records were dialled again.
fn check_rules(
    dialer: &str,
    recall_min: f64,
    r: &sim_core::stats::RepResult,
    events: &[(SimTime, SimEvent)],
    personas: &[&str],
) -> usize {
    let mut recalled = 0;
    let mut fates: HashMap<u64, Fate> = HashMap::new();
    let mut order: Vec<u64> = Vec::new();
    let mut in_hand: HashMap<u32, u64> = HashMap::new();
    let mut status: HashMap<u32, AgentStatus> = HashMap::new();
    for (t, e) in events {
        let t = t.seconds();
        match *e {
            SimEvent::Dialed { call, record, .. } => {
                assert!((1800.0..12_600.0).contains(&t), "{dialer}: dial at {t}");
                assert!(
                    fates
                        .insert(
                            call.0,
                            Fate {
                                record,
                                at_s: t,
                                ..Fate::default()
                            }
                        )
                        .is_none()
                );
                order.push(call.0);
            }
            SimEvent::DialResult { call, outcome, .. } => {
                let f = fates.get_mut(&call.0).expect("dialled");
                assert!(f.outcome.is_none(), "one outcome per dial");
                f.outcome = Some(outcome);
            }
            SimEvent::AmdDecision { call, machine, .. } => {
                fates.get_mut(&call.0).expect("dialled").amd_machine = Some(machine);
            }
            SimEvent::OutboundConnected { call, agent, .. } => {
                assert_eq!(status.get(&agent.0), Some(&AgentStatus::Busy));
                assert!(
                    in_hand.insert(agent.0, call.0).is_none(),
                    "{dialer}: two calls in hand"
                );
                let f = fates.get_mut(&call.0).expect("dialled");
                assert!(f.outcome.is_some_and(|o| o.is_answered()));
                f.connected = true;
            }
            SimEvent::OutboundAbandoned {
                call, live, by_amd, ..
            } => {
                let f = fates.get_mut(&call.0).expect("dialled");
                assert!(!f.connected);
                if live {
                    f.abandoned_live = true;
                } else {
                    f.dropped_machine = true;
                }
                if dialer != "Predictive(margin: 0.0)" {
                    assert!(by_amd, "{dialer}: abandoned with an agent reserved");
                }
            }
            SimEvent::OutboundCompleted {
                call,
                agent,
                persona,
                outcome,
                ..
            } => {
                assert_eq!(in_hand.remove(&agent.0), Some(call.0));
                let f = fates.get_mut(&call.0).expect("dialled");
                assert_eq!(Some(outcome), f.outcome);
                f.completed = true;
                f.persona = persona;
            }
            SimEvent::AgentChanged { agent, status: s } => {
                if s != AgentStatus::Busy {
                    assert!(!in_hand.contains_key(&agent.0), "left with a callee");
                }
                status.insert(agent.0, s);
            }
            _ => {}
        }
    }
    assert!(order.len() > 200, "{dialer}: {} dials", order.len());
    let c = &r.campaigns[0];
    assert_eq!(c.dials, order.len() as u64);
    assert_eq!(c.live_answers, c.connects + c.nuisance_abandons);
    // Per record, in dial order: what may follow what.
    let mut by_record: HashMap<u32, Vec<&Fate>> = HashMap::new();
    for id in &order {
        let f = &fates[id];
        assert!(f.outcome.is_some(), "{dialer}: a dial without an outcome");
        assert_eq!(f.connected, f.completed, "{dialer}: connected calls end");
        by_record.entry(f.record).or_default().push(f);
    }
    for (record, dials) in &by_record {
        assert!(
            dials.len() <= 4,
            "record {record}: {} attempts",
            dials.len()
        );
        for pair in dials.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let gap_min = (b.at_s - a.at_s) / 60.0;
            let outcome = a.outcome.expect("outcome");
            if a.abandoned_live {
                assert!(
                    gap_min >= recall_min,
                    "record {record} abandoned, then dialled {gap_min} min later"
                );
                recalled += 1;
                continue;
            }
            assert!(
                !(outcome == DialOutcome::RightParty && a.connected),
                "record {record} reached, then dialled"
            );
            let (after, most) = match outcome {
                DialOutcome::NoAnswer => (20.0, 4),
                DialOutcome::Busy => (10.0, 5),
                DialOutcome::Machine => (30.0, 3),
                DialOutcome::WrongParty => (40.0, 2),
                DialOutcome::Invalid | DialOutcome::RightParty => {
                    panic!("record {record} dialled again after {outcome:?}")
                }
            };
            assert!(
                gap_min >= after - 1e-9,
                "record {record}: {gap_min} min after {outcome:?}"
            );
            let attempts_before = dials.iter().position(|d| std::ptr::eq(*d, b)).unwrap_or(0);
            assert!(
                attempts_before < most,
                "record {record}: beyond {most} after {outcome:?}"
            );
        }
        // The person on a record has the record's personality.
        for f in dials {
            if f.completed && f.outcome == Some(DialOutcome::RightParty) {
                let want = personas[*record as usize % personas.len()];
                assert_eq!(f.persona.map(|p| p.name()), Some(want));
            }
        }
        let _ = (dials[0].amd_machine, dials[0].dropped_machine);
    }
    recalled
}

#[test]
fn sales_follow_the_prospects_signals_and_objections() {
    // In outbound-sales.ron the chance of a sale is
    // sale × (1 + signal·(2 − 1)) × (1 + objection·(0.4 − 1)) per personality.
    let prospects = [
        ("neutral", 0.10, 0.30, 0.30),
        ("drammer", 0.14, 0.40, 0.25),
        ("twijfelaar", 0.08, 0.25, 0.55),
        ("zwijger", 0.09, 0.15, 0.20),
        ("babbelaar", 0.10, 0.50, 0.30),
    ];
    let m = model(&sales_scenario());
    let mut counts: HashMap<&str, (f64, f64)> = HashMap::new();
    for rep in 0..6 {
        let (_, events) = Simulation::with_observer(Arc::clone(&m), 77, rep, Vec::new()).run();
        for (_, e) in &events {
            if let SimEvent::OutboundCompleted {
                outcome: DialOutcome::RightParty,
                persona: Some(p),
                sale,
                ..
            } = *e
            {
                let c = counts.entry(p.name()).or_default();
                c.0 += 1.0;
                c.1 += f64::from(u8::from(sale));
            }
        }
    }
    let mut conversion = HashMap::new();
    for (name, sale, signal, objection) in prospects {
        let want = sale * (1.0 + signal) * (1.0 - 0.6 * objection);
        let (n, sales) = counts[name];
        let got = sales / n;
        let se = (want * (1.0 - want) / n).sqrt();
        assert!(
            (got - want).abs() < 4.0 * se,
            "{name}: {got:.4} vs {want:.4} (n = {n})"
        );
        conversion.insert(name, got);
    }
    // The doubter's objections cost sales; the pusher buys most.
    assert!(conversion["twijfelaar"] < conversion["neutral"]);
    assert!(conversion["drammer"] > conversion["neutral"]);
}

#[test]
fn bad_campaign_fields_are_refused_with_file_line_col() {
    let good = sales_scenario();
    let cases: Vec<(&str, &str, &str, &str, &str)> = vec![
        // (file, replace, with, value to point at, path)
        (
            "negative-share.ron",
            "right_party: 0.15",
            "right_party: -0.15",
            "-0.15",
            "campaigns[0].outcomes.right_party",
        ),
        (
            "late-window.ron",
            "end_h: 8.0)",
            "end_h: 9.5)",
            "9.5",
            "campaigns[0].window.end_h",
        ),
        (
            "amd-detection.ron",
            "detection: 0.88",
            "detection: 1.5",
            "1.5",
            "campaigns[0].amd.detection",
        ),
        (
            "no-attempts.ron",
            "busy: Retry(after_min: 15.0, max_attempts: 4)",
            "busy: Retry(after_min: 15.0, max_attempts: 0)",
            "0)",
            "campaigns[0].retry.busy.max_attempts",
        ),
        (
            "persona-typo.ron",
            r#""zwijger": Prospect("#,
            r#""zwyger": Prospect("#,
            "Prospect(",
            "campaigns[0].prospects.zwyger",
        ),
        (
            "zero-cap.ron",
            "max_rate: 0.03",
            "max_rate: 0.0",
            "0.0",
            "campaigns[0].abandon_limit.max_rate",
        ),
        (
            "bad-margin.ron",
            "margin: 0.2",
            "margin: 1.2",
            "1.2",
            "campaigns[0].dialer.margin",
        ),
        (
            "skill-typo.ron",
            r#"skills: ["insurance leads"]"#,
            r#"skills: ["insurance lead"]"#,
            r#""insurance lead""#,
            "agent_groups[0].skills[0]",
        ),
    ];
    for (name, from, to, value, path) in cases {
        assert!(good.contains(from), "{from}");
        let text = good.replacen(from, to, 1);
        let (line, col) = text
            .lines()
            .enumerate()
            .find_map(|(i, l)| {
                l.find(to).map(|c| {
                    (
                        i + 1,
                        l[..c + to.find(value).unwrap_or(0)].chars().count() + 1,
                    )
                })
            })
            .expect("changed line");
        let file = scratch_file(name, &text);
        let o = ccsim(&["check", file.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        let want = format!("{name}:{line}:{col}: error: {path}: ");
        assert!(err.contains(&want), "{name}: expected {want:?} in\n{err}");
        // The library reports the same place.
        let e = scenario::parse(&text).unwrap_err();
        assert!(e.diagnostics.iter().any(|d| d.path.as_deref() == Some(path)
            && d.position.map(|p| (p.line, p.col)) == Some((line, col))));
    }
    // An unknown campaign field is a syntax error at its place.
    let text = good.replacen(
        "connect_within_s: 2.0,",
        "connect_within_s: 2.0,\n            colour: 3,",
        1,
    );
    let file = scratch_file("unknown-campaign-field.ron", &text);
    let o = ccsim(&["check", file.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("colour"), "{err}");
    assert!(err.contains("unknown-campaign-field.ron:"), "{err}");
}

#[test]
fn campaigns_are_reported_in_every_format() {
    let o = ccsim(&[
        "run",
        "scenarios/outbound-sales.ron",
        "-r",
        "2",
        "-f",
        "json",
        "-q",
    ]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let c = &v["by_campaign"]["insurance leads"];
    assert_eq!(c["dialer"], "predictive");
    assert_eq!(c["max_abandon_rate"], 0.03);
    assert!(
        c["kpis"]["contacts_per_agent_hour"]["mean"]
            .as_f64()
            .unwrap()
            > 5.0
    );
    assert!(c["kpis"]["abandon_rate"]["ci95"].as_f64().is_some());
    assert_eq!(c["by_interval"].as_array().unwrap().len(), 8);
    assert!(
        c["by_interval"][0]["kpis"]["dials"]["mean"]
            .as_f64()
            .unwrap()
            > 0.0
    );

    let o = ccsim(&[
        "run",
        "scenarios/outbound-sales.ron",
        "-r",
        "2",
        "-f",
        "csv",
        "-q",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let col = |k: &str| header.iter().position(|h| *h == k).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .filter(|r: &Vec<&str>| r[0] == "campaign")
        .collect();
    assert_eq!(rows.len(), 1 + 8, "the run and each interval");
    assert_eq!(rows[0][1], "insurance leads");
    assert!(
        rows[0][col("contacts_per_agent_hour")]
            .parse::<f64>()
            .unwrap()
            > 5.0
    );
    assert!(rows[0][col("abandon_rate")].parse::<f64>().unwrap() < 0.03);

    let o = ccsim(&["run", "scenarios/blended.ron", "-r", "2", "-q"]);
    let text = String::from_utf8_lossy(&o.stdout);
    for want in [
        "service level",
        "right-party contacts",
        "renewals (predictive",
        "windows within the cap",
    ] {
        assert!(text.contains(want), "{want} in\n{text}");
    }
    // Inbound-only scenarios print no campaign section.
    let o = ccsim(&[
        "run",
        "scenarios/single-queue.ron",
        "-r",
        "2",
        "-f",
        "json",
        "-q",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.get("by_campaign").is_none());
}

#[test]
fn outbound_runs_are_reproducible_whatever_the_threads() {
    let src = std::fs::read_to_string(root().join("scenarios/blended.ron")).unwrap();
    let m = model(&src);
    let run = |threads| {
        experiment::run_replications(
            &m,
            &RunConfig {
                replications: 4,
                seed: 9,
                threads: Some(threads),
            },
            &|| {},
        )
        .unwrap()
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one, two);
    assert!(one[0].campaigns[0].dials > 0);
    assert_ne!(one[0], one[1]);
}
