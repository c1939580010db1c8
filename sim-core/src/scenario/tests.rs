use super::*;

const GOOD: &str = include_str!("../../../scenarios/single-queue.ron");

fn errors(src: &str) -> Vec<Diagnostic> {
    match parse(src) {
        Ok(_) => panic!("expected problems in:\n{src}"),
        Err(e) => e.diagnostics,
    }
}

#[test]
fn the_reference_scenario_is_accepted_as_written() {
    let s = parse(GOOD).expect("single-queue.ron must parse");
    assert_eq!(s.name, "Single queue");
    assert_eq!(s.replications, 20);
    assert_eq!(
        s.call_types[0].patience,
        Some(TimeDist::Exponential { mean_s: 300.0 })
    );
    assert_eq!(s.agent_groups[0].count, Some(20));
}

#[test]
fn defaults_apply_and_some_is_optional() {
    let src = r#"Scenario(name: "x", horizon_h: 1,
        call_types: [CallType(name: "a", arrivals: Poisson(per_hour: 10),
                              handle_time: Deterministic(value_s: 60),
                              patience: Some(Uniform(min_s: 1, max_s: 2)))],
        agent_groups: [AgentGroup(name: "g", count: 1, skills: ["a"])])"#;
    let s = parse(src).expect("integers where floats are expected, explicit Some");
    assert_eq!(s.warmup_h, 0.0);
    assert_eq!(s.seed, 1);
    assert_eq!(s.service_level_s, 20.0);
    assert_eq!(s.replications, 10);
}

#[test]
fn unknown_field_is_located() {
    let src = GOOD.replace("seed: 1,", "seed: 1,\n    sead: 2,");
    let d = errors(&src);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].position.map(|p| p.line), Some(8));
    assert!(d[0].message.contains("sead"), "{}", d[0].message);
}

#[test]
fn every_semantic_problem_is_reported_with_its_place() {
    let src = GOOD
        .replace("per_hour: 360.0", "per_hour: -5.0")
        .replace("mean_s: 180.0", "mean_s: 0.0")
        .replace(r#"skills: ["general"]"#, r#"skills: ["general", "sales"]"#);
    let d = errors(&src);
    let found: Vec<(usize, &str)> = d
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
            (12, "call_types[0].arrivals.per_hour"),
            (13, "call_types[0].handle_time.mean_s"),
            (18, "agent_groups[0].skills[1]"),
        ]
    );
    assert!(d[2].message.contains("\"sales\""));
    // Columns point at the value.
    assert_eq!(d[0].position.map(|p| p.col), Some(41));
}

#[test]
fn zero_rate_and_bad_horizon() {
    let src = GOOD
        .replace("per_hour: 360.0", "per_hour: 0.0")
        .replace("warmup_h: 0.5", "warmup_h: 9.0");
    let d = errors(&src);
    let paths: Vec<&str> = d.iter().filter_map(|d| d.path.as_deref()).collect();
    assert_eq!(paths, vec!["warmup_h", "call_types[0].arrivals.per_hour"]);
}

#[test]
fn empty_and_non_ron_files_are_errors_not_panics() {
    for src in [
        "",
        "   \n",
        "{\"name\": \"json\"}",
        "\u{0}\u{1}binary",
        "Scenario(",
        "Scenario(name: 3)",
    ] {
        let d = errors(src);
        assert_eq!(d.len(), 1, "{src:?}");
        assert!(d[0].position.is_some());
        assert!(!d[0].message.is_empty());
    }
}

#[test]
fn duplicate_names_and_unstaffed_types() {
    let src = r#"Scenario(name: "x", horizon_h: 1,
        call_types: [
            CallType(name: "a", arrivals: Poisson(per_hour: 10), handle_time: Exponential(mean_s: 60)),
            CallType(name: "a", arrivals: Poisson(per_hour: 10), handle_time: Exponential(mean_s: 60)),
        ],
        agent_groups: [AgentGroup(name: "g", count: 0, skills: ["a", "a"])])"#;
    let d = errors(src);
    let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("used twice")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.contains("listed twice")), "{msgs:?}");
    assert!(
        msgs.iter().any(|m| m.contains("no agent can take")),
        "{msgs:?}"
    );
}

#[test]
fn render_shows_file_line_col_and_a_caret() {
    let src = GOOD.replace("per_hour: 360.0", "per_hour: -5.0");
    let e = parse(&src).unwrap_err();
    let text = e.render("scenarios/x.ron", &src);
    assert!(
        text.starts_with(
            "scenarios/x.ron:12:41: error: call_types[0].arrivals.per_hour: per_hour must be"
        ),
        "{text}"
    );
    assert!(
        text.contains("12 |             arrivals: Poisson(per_hour: -5.0),"),
        "{text}"
    );
    assert!(
        text.contains("|                                         ^"),
        "{text}"
    );
}

const FLOOR: &str = r#"Scenario(
    name: "floor",
    horizon_h: 2.0,
    personas: { "drammer": (fcr: 1.5), "grumbler": (fcr: 0.5) },
    entry_points: [EntryPoint(name: "main", menu: "top", arrivals: Poisson(per_hour: 100.0))],
    ivr: [
        IvrMenu(name: "top", duration: Deterministic(value_s: 10.0), hangup: 1.2,
            options: [IvrOption(share: 1.0, to: Menu("nowhere")), IvrOption(share: 1.0, to: Queue("b"))]),
        IvrMenu(name: "loop", duration: Deterministic(value_s: 10.0),
            options: [IvrOption(share: 1.0, to: Menu("loop"))]),
    ],
    call_types: [
        CallType(name: "a", arrivals: Profile(interval_min: 30.0, per_hour: [10, 20]),
            handle_time: Exponential(mean_s: 60.0),
            persona_mix: { "drammer": 1.0, "moaner": 1.0 },
            transfer: Transfer(to: "b", share: 0.2)),
        CallType(name: "b", handle_time: Exponential(mean_s: 60.0), transfer: Transfer(to: "a", share: 0.1)),
        CallType(name: "c", arrivals: Poisson(per_hour: 10.0)),
    ],
    agent_groups: [
        AgentGroup(name: "g", count: 3, skills: ["a", "b", "c"],
            shifts: [Shift(start_h: 0.0, end_h: 1.0, count: 2)]),
        AgentGroup(name: "h", skills: ["a"], proficiency: { "b": 0.5 },
            shifts: [Shift(start_h: 0.0, end_h: 1.0, count: 2,
                breaks: [Break(start_h: 0.9, duration_min: 15.0)])]),
    ],
)"#;

#[test]
fn floor_features_are_validated_with_their_places() {
    let d = errors(FLOOR);
    let found: Vec<(String, usize)> = d
        .iter()
        .map(|d| {
            (
                d.path.clone().unwrap_or_default(),
                d.position.map_or(0, |p| p.line),
            )
        })
        .collect();
    let expect = [
        ("personas.drammer.fcr", 4),
        ("personas.grumbler", 4),
        ("ivr[0].hangup", 7),
        ("ivr[0].options[0].to", 8),
        ("ivr[1]", 9),
        ("call_types[0].arrivals.per_hour", 13),
        ("call_types[0].persona_mix.moaner", 15),
        ("call_types[0].transfer", 16),
        ("call_types[2]", 18),
        ("agent_groups[0]", 21),
        ("agent_groups[1].shifts[0].breaks[0].start_h", 25),
        ("agent_groups[1].proficiency.b", 23),
    ];
    for (path, line) in expect {
        assert!(
            found.iter().any(|(p, l)| p == path && *l == line),
            "expected {path} at line {line} among {found:#?}"
        );
    }
    // Messages say what is wrong.
    let all: String = d.iter().map(|d| d.message.clone() + "\n").collect();
    for needle in [
        "probability",
        "unknown personality \"grumbler\"",
        "menu \"nowhere\" is not defined",
        "can lead back to itself",
        "covers 1 h",
        "transfers form a loop",
        "needs a handle_time or phases",
        "exactly one of `count`, `shifts` or `staffing`",
        "must lie within its shift",
        "not one of this group's skills",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in:\n{all}");
    }
}

#[test]
fn the_bundled_scenarios_are_valid() {
    for src in [
        include_str!("../../../scenarios/retail-bank.ron"),
        include_str!("../../../scenarios/helpdesk-two-lines.ron"),
    ] {
        if let Err(e) = parse(src) {
            panic!("{}", e.render("bundled", src));
        }
    }
}

const CAMPAIGN: &str = r#"Scenario(name: "x", horizon_h: 8,
    campaigns: [Campaign(
        name: "leads", list_size: 100, dialer: DIALER,
        window: DialWindow(start_h: 1, end_h: 7),
        outcomes: Outcomes(no_answer: 4, busy: 1, invalid: 1, machine: 2, right_party: 1.5, wrong_party: 0.5),
        phases: Phases(alertheid: Deterministic(value_s: 2), aanvang: Exponential(mean_s: 20),
            analyse: Exponential(mean_s: 40), aanbod: Exponential(mean_s: 90),
            afsluiting: Exponential(mean_s: 20), acw: Exponential(mean_s: 30)),
    )],
    agent_groups: [AgentGroup(name: "g", count: 3, skills: ["leads"])])"#;

#[test]
fn a_campaign_needs_only_its_essentials() {
    for (dialer, name) in [
        ("Progressive", "progressive"),
        ("Predictive()", "predictive"),
        ("Predictive(margin: 0.1)", "predictive"),
        (
            "Preview(preview_time: Uniform(min_s: 5, max_s: 20))",
            "preview",
        ),
    ] {
        let s =
            parse(&CAMPAIGN.replace("DIALER", dialer)).unwrap_or_else(|e| panic!("{dialer}: {e}"));
        assert!(s.call_types.is_empty());
        let c = &s.campaigns[0];
        assert_eq!(c.dialer.name(), name);
        assert_eq!(c.list_len(), 100);
        assert_eq!(c.connect_within_s, 2.0);
        assert_eq!(c.recall_after_abandon_h, 72.0);
        assert_eq!(c.abandon_limit, AbandonLimit::default());
        assert_eq!(c.abandon_limit.max_rate, 0.03);
        assert_eq!(c.abandon_limit.window_h, 24.0);
        assert_eq!(c.max_attempts, 6);
        assert!(c.amd.is_none());
        assert_eq!(c.retry, Retries::default());
    }
    let s = parse(&CAMPAIGN.replace("DIALER", "Predictive()")).unwrap();
    assert_eq!(
        s.campaigns[0].dialer,
        DialerKind::Predictive {
            margin: 0.2,
            max_lines_per_agent: 3.0
        }
    );
}

#[test]
fn campaign_problems_are_all_reported_with_their_paths() {
    let src = CAMPAIGN
        .replace("DIALER", "Predictive(max_lines_per_agent: 0.5)")
        .replace(
            "list_size: 100,",
            "list_size: 100, records: [ListRecord(id: \"a\", persona: \"boss\")],",
        )
        .replace("end_h: 7", "end_h: 9")
        .replace("busy: 1,", "busy: -1,")
        .replace(r#"skills: ["leads"]"#, r#"skills: ["leads", "lead"]"#);
    let d = errors(&src);
    let paths: Vec<&str> = d.iter().filter_map(|d| d.path.as_deref()).collect();
    for want in [
        "campaigns[0].records",
        "campaigns[0].records[0].persona",
        "campaigns[0].dialer.max_lines_per_agent",
        "campaigns[0].window.end_h",
        "campaigns[0].outcomes.busy",
        "agent_groups[0].skills[1]",
    ] {
        assert!(paths.contains(&want), "{want} not in {paths:?}");
    }
    assert!(d.iter().all(|d| d.position.is_some()));
    // A campaign's name must not be a call type's.
    let src = CAMPAIGN.replace("DIALER", "Progressive").replace(
        "campaigns: [",
        r#"call_types: [CallType(name: "leads", arrivals: Poisson(per_hour: 1), handle_time: Exponential(mean_s: 60))],
    campaigns: ["#,
    );
    let d = errors(&src);
    assert!(
        d.iter()
            .any(|d| d.path.as_deref() == Some("campaigns[0].name")),
        "{d:?}"
    );
    // Blending without campaigns means nothing.
    let src = GOOD.replace(
        "agent_groups: [",
        "blending: Blending(reserve: 2, sl_band: SlBand(low: 0.9, high: 0.8)),\n    agent_groups: [",
    );
    let d = errors(&src);
    let paths: Vec<&str> = d.iter().filter_map(|d| d.path.as_deref()).collect();
    assert!(paths.contains(&"blending"), "{paths:?}");
    assert!(paths.contains(&"blending.sl_band.high"), "{paths:?}");
}
