use super::shard::{self, MergeError, ShardFile, ShardId};
use super::*;
use crate::scenario;

const SRC: &str = r#"Scenario(name: "q", horizon_h: 2.0, warmup_h: 0.25, replications: 4, seed: 5,
    call_types: [CallType(name: "general", arrivals: Poisson(per_hour: 360.0),
        handle_time: Exponential(mean_s: 180.0), patience: Exponential(mean_s: 300.0))],
    agent_groups: [AgentGroup(name: "team", count: 19, skills: ["general"])])"#;

fn base() -> Scenario {
    scenario::parse(SRC).unwrap()
}

fn factor(s: &str) -> Factor {
    s.parse().unwrap()
}

fn config(threads: usize) -> SweepConfig {
    SweepConfig {
        threads: Some(threads),
        ..SweepConfig::from_scenario(&base())
    }
}

#[test]
fn values_parse() {
    assert_eq!(parse_values("18,19,20").unwrap(), vec![18.0, 19.0, 20.0]);
    assert_eq!(parse_values(" 18 .. 20 ").unwrap(), vec![18.0, 19.0, 20.0]);
    assert_eq!(parse_values("5..5").unwrap(), vec![5.0]);
    assert_eq!(
        parse_values("0.9..1.2:0.1").unwrap(),
        vec![0.9, 1.0, 1.1, 1.2]
    );
    assert_eq!(parse_values("0..1:0.3").unwrap(), vec![0.0, 0.3, 0.6, 0.9]);
    assert_eq!(parse_values("-2..0").unwrap(), vec![-2.0, -1.0, 0.0]);
    assert_eq!(
        parse_values("1e2..3e2:1e2").unwrap(),
        vec![100.0, 200.0, 300.0]
    );
    assert_eq!(
        parse_values("10,20..30:10,5").unwrap(),
        vec![10.0, 20.0, 30.0, 5.0]
    );
    for (bad, why) in [
        ("", "no values"),
        ("18,,20", "missing"),
        ("a,b", "not a number"),
        ("20..18", "downwards"),
        ("1..5:0", "step"),
        ("1..5:-1", "step"),
        ("1..", "missing"),
        ("18,19,18", "twice"),
        ("0..1e9", "more than"),
        ("inf", "finite"),
    ] {
        let e = parse_values(bad).unwrap_err();
        assert!(e.contains(why), "{bad:?}: {e}");
    }
}

#[test]
fn factors_parse() {
    let f = factor("agent_groups[team].count=18..20");
    assert_eq!(f.path, "agent_groups[team].count");
    assert_eq!(f.values, vec![18.0, 19.0, 20.0]);
    for bad in ["agent_groups[team].count", "=18", "x=", "x=1,,2"] {
        assert!(
            matches!(bad.parse::<Factor>(), Err(SweepError::BadFactor { .. })),
            "{bad}"
        );
    }
}

#[test]
fn grid_is_row_major_and_sets_every_value() {
    let sweep = Sweep::new(
        &base(),
        &[
            factor("agent_groups[team].count=18,19"),
            factor("call_types[general].handle_time.mean_s=170,190"),
            factor("arrival_scale=1.1"),
        ],
    )
    .unwrap();
    let v = sweep.variants();
    assert_eq!(v.len(), 4);
    assert_eq!(v[1].values, vec![18.0, 190.0, 1.1]);
    assert_eq!(v[2].values, vec![19.0, 170.0, 1.1]);
    assert_eq!(
        v[1].label,
        "agent_groups[team].count=18, call_types[general].handle_time.mean_s=190, arrival_scale=1.1"
    );
    assert_eq!(v[2].scenario.agent_groups[0].count, Some(19));
    assert_eq!(v[1].scenario.mean_handle_s(0), 190.0);
    assert_eq!(v[3].scenario.arrival_scale, 1.1);
    // Everything else is untouched.
    assert_eq!(v[0].scenario.name, "q");
    assert_eq!(
        v[0].scenario.call_types[0].patience,
        base().call_types[0].patience
    );
    assert!(sweep.is_integer(0) && !sweep.is_integer(1));
    assert_eq!(sweep.canonical_path(0), Some("agent_groups[0].count"));
}

#[test]
fn a_bad_path_is_refused_with_the_valid_ones() {
    let e = Sweep::new(&base(), &[factor("agent_groups[team].cnt=18")]).unwrap_err();
    let SweepError::BadPath { valid, .. } = &e else {
        panic!("{e}")
    };
    assert!(valid.contains(&"agent_groups[team].count".to_string()));
    assert!(valid.contains(&"call_types[general].handle_time.mean_s".to_string()));
    let msg = e.to_string();
    assert!(msg.contains("no field `cnt`"), "{msg}");
    assert!(msg.contains("\n  arrival_scale"), "{msg}");
    assert!(!e.is_scenario_problem());
}

#[test]
fn counts_take_whole_numbers_only() {
    let e = Sweep::new(&base(), &[factor("agent_groups[team].count=18,2.5")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "agent_groups[team].count takes whole numbers; 2.5 is not one"
    );
    let e = Sweep::new(&base(), &[factor("agent_groups[team].count=-1")]).unwrap_err();
    assert!(matches!(e, SweepError::BadValues(_)), "{e}");
    assert!(
        e.to_string()
            .contains("variant 0 (agent_groups[team].count=-1)"),
        "{e}"
    );
}

#[test]
fn invalid_variants_are_reported_before_anything_runs() {
    let e = Sweep::new(
        &base(),
        &[factor("call_types[general].handle_time.mean_s=100,-5,0")],
    )
    .unwrap_err();
    assert!(e.is_scenario_problem());
    let msg = e.to_string();
    assert!(
        msg.contains("variant 1 (call_types[general].handle_time.mean_s=-5)"),
        "{msg}"
    );
    assert!(msg.contains("variant 2"), "{msg}");
    assert!(msg.contains("mean_s must be a finite number > 0"), "{msg}");
}

#[test]
fn the_same_parameter_twice_is_refused() {
    let e = Sweep::new(
        &base(),
        &[
            factor("agent_groups[team].count=18"),
            factor("agent_groups[0].count=19"),
        ],
    )
    .unwrap_err();
    assert!(matches!(e, SweepError::DuplicatePath { .. }), "{e}");
}

#[test]
fn reports_do_not_depend_on_threads_and_the_baseline_differs_by_zero() {
    let sweep = Sweep::new(&base(), &[factor("agent_groups[team].count=18..20")]).unwrap();
    let one = run(&sweep, &config(1), &|_| {}).unwrap();
    let two = run(&sweep, &config(2), &|_| {}).unwrap();
    for (a, b) in one.variants.iter().zip(&two.variants) {
        assert_eq!(a.report.reps, b.report.reps);
        assert_eq!(a.report.kpis, b.report.kpis);
        assert_eq!(a.diff, b.diff);
    }
    let d = one.variants[0].diff.kpis.get("service_level").unwrap();
    assert_eq!((d.mean, d.ci95), (0.0, Some(0.0)));
    // Common random numbers: the same calls arrive in every variant.
    let offered = |v: usize| one.variants[v].report.kpis.get("offered").unwrap().mean;
    assert_eq!(offered(0), offered(2));
    let up = one.variants[2].diff.kpis.get("service_level").unwrap();
    assert!(up.mean > 0.0 && up.ci95.unwrap() < up.mean, "{up:?}");
    // Each variant equals a plain run of its scenario.
    let plain = super::super::run(
        &sweep.variants()[1].model,
        &RunConfig {
            replications: 4,
            seed: 5,
            threads: Some(1),
        },
        &|| {},
    )
    .unwrap();
    assert_eq!(plain.reps, one.variants[1].report.reps);
}

#[test]
fn independent_streams_give_each_variant_its_own_seed() {
    let sweep = Sweep::new(&base(), &[factor("agent_groups[team].count=19,20")]).unwrap();
    let cfg = SweepConfig {
        streams: Streams::Independent,
        ..config(2)
    };
    assert_ne!(cfg.variant_seed(0), cfg.variant_seed(1));
    let r = run(&sweep, &cfg, &|_| {}).unwrap();
    let offered = |v: usize| r.variants[v].report.kpis.get("offered").unwrap().mean;
    assert_ne!(offered(0), offered(1));
}

#[test]
fn baseline_must_exist() {
    let sweep = Sweep::new(&base(), &[factor("agent_groups[team].count=19,20")]).unwrap();
    let cfg = SweepConfig {
        baseline: 2,
        ..config(1)
    };
    let e = run(&sweep, &cfg, &|_| {}).unwrap_err();
    assert_eq!(
        e.to_string(),
        "there is no variant 2 to use as baseline (variants are numbered 0 to 1)"
    );
}

#[test]
fn precision_sweep_equals_a_fixed_sweep() {
    let sweep = Sweep::new(&base(), &[factor("agent_groups[team].count=19,21")]).unwrap();
    let p = Precision {
        relative_half_width: 0.08,
        max_replications: 500,
    };
    let (r, outcome) = run_to_precision(&sweep, &config(2), &p, &|_| {}).unwrap();
    assert!(outcome.reached, "{outcome:?}");
    assert_eq!(r.replications, outcome.replications);
    let fixed = run(
        &sweep,
        &SweepConfig {
            replications: outcome.replications,
            ..config(1)
        },
        &|_| {},
    )
    .unwrap();
    for (a, b) in r.variants.iter().zip(&fixed.variants) {
        assert_eq!(a.report.reps, b.report.reps);
        assert_eq!(a.diff, b.diff);
    }
}

#[test]
fn shards_merge_into_the_unsharded_results() {
    let sweep = Sweep::new(&base(), &[factor("agent_groups[team].count=18..20")]).unwrap();
    let cfg = config(2);
    let whole = run(&sweep, &cfg, &|_| {}).unwrap();
    // 3 variants × 4 replications = 12 pairs over 5 shards (uneven on purpose).
    let files: Vec<(String, ShardFile)> = (1..=5)
        .map(|k| {
            let id = ShardId { index: k, count: 5 };
            let f = shard::run_shard(&sweep, SRC, &cfg, id, &|_| {}).unwrap();
            // Through the JSON text, as on disk.
            let back = ShardFile::from_json(&f.to_json().unwrap()).unwrap();
            assert_eq!(back, f);
            (format!("part-{k}.json"), back)
        })
        .collect();
    assert_eq!(files[0].1.results.len(), 3);
    assert_eq!(files[4].1.results.len(), 2);
    let merged = shard::merge(&files).unwrap();
    assert_eq!(merged.scenario, SRC);
    assert_eq!(
        merged.config,
        SweepConfig {
            threads: None,
            ..cfg
        }
    );
    let again = Sweep::new(&scenario::parse(&merged.scenario).unwrap(), &merged.factors).unwrap();
    let report = SweepReport::new(&again, &merged.config, merged.results).unwrap();
    for (a, b) in report.variants.iter().zip(&whole.variants) {
        assert_eq!(a.report.reps, b.report.reps);
        assert_eq!(a.report.kpis, b.report.kpis);
        assert_eq!(a.diff, b.diff);
    }

    // Missing, duplicate, foreign and tampered shards are named.
    let e = shard::merge(&files[..4]).unwrap_err();
    assert_eq!(e.to_string(), "shard 5/5 is missing");
    let e = shard::merge(&[files[0].clone(), files[2].clone()]).unwrap_err();
    assert_eq!(e.to_string(), "shards 2/5, 4/5, 5/5 are missing");
    let mut dup = files.clone();
    dup.push(("copy.json".into(), files[1].1.clone()));
    let e = shard::merge(&dup).unwrap_err();
    assert_eq!(
        e,
        MergeError::Duplicate {
            shard: ShardId { index: 2, count: 5 },
            first: "part-2.json".into(),
            second: "copy.json".into()
        }
    );
    let mut foreign = files.clone();
    foreign[3].1.seed = 99;
    let e = shard::merge(&foreign).unwrap_err();
    assert_eq!(
        e.to_string(),
        "part-4.json does not belong with part-1.json: the seed differs (99 vs 5)"
    );
    let mut tampered = files.clone();
    tampered[2].1.scenario.push(' ');
    assert!(matches!(
        shard::merge(&tampered),
        Err(MergeError::Corrupt { .. })
    ));
    let mut short = files.clone();
    short[1].1.results.pop();
    assert!(matches!(
        shard::merge(&short),
        Err(MergeError::Contents { .. })
    ));
    assert_eq!(shard::merge(&[]).unwrap_err(), MergeError::NoFiles);
}

#[test]
fn shard_ids_parse() {
    assert_eq!(
        "2/8".parse::<ShardId>().unwrap(),
        ShardId { index: 2, count: 8 }
    );
    for bad in ["0/4", "5/4", "1/0", "1", "a/b", "-1/4"] {
        assert!(bad.parse::<ShardId>().is_err(), "{bad}");
    }
    assert!(ShardFile::from_json("{\"format\": \"other\"}").is_err());
    assert!(ShardFile::from_json("not json").is_err());
}

#[test]
fn erlang_curve_only_for_a_single_exponential_queue_by_staffing() {
    let sweep = Sweep::new(&base(), &[factor("agent_groups[team].count=17,20")]).unwrap();
    let c = sweep.erlang_curve().unwrap();
    assert_eq!(c.model, "Erlang A");
    assert_eq!(
        c.points.iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![17, 18, 19, 20]
    );
    let exact = analytic::evaluate(&QueueParams {
        calls_per_hour: 360.0,
        aht_s: 180.0,
        agents: 19,
        patience_s: Some(300.0),
        sl_s: 20.0,
    })
    .unwrap();
    assert_eq!(c.points[2].1, exact);
    // Not the staffing: no curve.
    let other = Sweep::new(&base(), &[factor("arrival_scale=1,1.1")]).unwrap();
    assert!(other.erlang_curve().is_none());
    // Not exponential: no curve.
    let logn = scenario::parse(&SRC.replace(
        "handle_time: Exponential(mean_s: 180.0)",
        "handle_time: LogNormal(mean_s: 180.0, sd_s: 90.0)",
    ))
    .unwrap();
    let s = Sweep::new(&logn, &[factor("agent_groups[0].count=19,20")]).unwrap();
    assert!(s.erlang_curve().is_none());
    // Erlang C leaves out staffings at or below the load (18 Erlang).
    let c_src =
        scenario::parse(&SRC.replace(", patience: Exponential(mean_s: 300.0)", "")).unwrap();
    let s = Sweep::new(&c_src, &[factor("agent_groups[0].count=17..20")]).unwrap();
    let c = s.erlang_curve().unwrap();
    assert_eq!(c.model, "Erlang C");
    assert_eq!(
        c.points.iter().map(|p| p.0).collect::<Vec<_>>(),
        vec![19, 20]
    );
}

#[test]
fn erlang_curve_is_thinned_over_wide_spans() {
    let s = scenario::parse(&SRC.replace("per_hour: 360.0", "per_hour: 36000.0")).unwrap();
    let sweep = Sweep::new(&s, &[factor("agent_groups[team].count=1700,1703,9000")]).unwrap();
    let c = sweep.erlang_curve().unwrap();
    let agents: Vec<u32> = c.points.iter().map(|p| p.0).collect();
    assert!(agents.len() <= 1100, "{} points", agents.len());
    for v in [1700, 1703, 9000] {
        assert!(agents.contains(&v), "{v}");
    }
    assert!(agents.windows(2).all(|w| w[0] < w[1]));
}
