use super::*;
use crate::engine::Input as EngineInput;
use crate::routing::AgentId;

const SCENARIO: &str = r#"
Scenario(
    name: "trace test",
    horizon_h: 1.0,
    warmup_h: 0.1,
    seed: 5,
    call_types: [
        CallType(name: "sales", arrivals: Poisson(per_hour: 120.0),
                 handle_time: Exponential(mean_s: 150.0),
                 patience: Exponential(mean_s: 90.0)),
        CallType(name: "support", arrivals: Poisson(per_hour: 60.0),
                 handle_time: LogNormal(mean_s: 200.0, sd_s: 100.0)),
    ],
    agent_groups: [AgentGroup(name: "team", count: 6, skills: ["sales", "support"])],
)"#;

fn record(src: &str, seed: u64, replication: u64) -> (Trace, RepResult) {
    let scenario = scenario::parse(src).expect("valid");
    let model = Arc::new(Model::new(&scenario).expect("compiles"));
    let (result, recorder) =
        Simulation::with_observer(model, seed, replication, Recorder::new()).run();
    (
        recorder.into_trace(TraceHeader::new(src, seed, replication)),
        result,
    )
}

fn encoded(trace: &Trace) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_trace(&mut bytes, trace).expect("writes");
    bytes
}

#[test]
fn a_recorded_run_round_trips_and_replays_without_divergence() {
    let (trace, result) = record(SCENARIO, 11, 3);
    assert!(trace.entries.len() > 500, "{}", trace.entries.len());
    let bytes = encoded(&trace);
    // Compact: well under 16 bytes per event.
    assert!(
        bytes.len() < 16 * trace.entries.len() + 600,
        "{} bytes for {} events",
        bytes.len(),
        trace.entries.len()
    );
    let back = read_trace(bytes.as_slice()).expect("reads");
    assert_eq!(back, trace);
    let summary = replay(&back).expect("no divergence");
    assert_eq!(summary.events, trace.entries.len());
    assert_eq!(summary.result, result);
    assert_eq!(summary.seed, 11);
    assert_eq!(summary.recorded_version, ENGINE_VERSION);
}

#[test]
fn an_altered_scenario_reports_the_first_divergence() {
    let (mut trace, _) = record(SCENARIO, 11, 0);
    // A longer support call: the run is the same until the first support call ends.
    trace.header.scenario_ron = SCENARIO.replace("mean_s: 200.0", "mean_s: 210.0");
    let err = replay(&trace).expect_err("diverges");
    let ReplayError::Diverged(d) = &err else {
        panic!("{err}")
    };
    let (te, e) = d.expected.expect("recorded event");
    let (ta, a) = d.actual.expect("re-simulated event");
    assert!(te != ta || e != a);
    assert!(
        d.index > 0,
        "the runs agree up to the first support call's end"
    );
    // Everything before the index agrees with an independent re-run.
    let (rerun, _) = record(&trace.header.scenario_ron, 11, 0);
    let recorded: Vec<_> = trace.events().collect();
    let fresh: Vec<_> = rerun.events().collect();
    assert_eq!(recorded[..d.index], fresh[..d.index]);
    assert_eq!(recorded[d.index], (te, &e));
    assert_eq!(fresh[d.index], (ta, &a));
    let text = err.to_string();
    assert!(text.contains(&format!("event #{}", d.index)), "{text}");
    assert!(
        text.contains("recorded:") && text.contains("re-simulated:"),
        "{text}"
    );

    // A different seed diverges at the first random event (after the agents log
    // on at time 0); a shortened recording at its end.
    let (mut trace, _) = record(SCENARIO, 11, 0);
    trace.header.seed = 12;
    let Err(ReplayError::Diverged(d)) = replay(&trace) else {
        panic!("diverges")
    };
    let first_random = trace
        .events()
        .position(|(_, e)| !matches!(e, SimEvent::AgentChanged { .. }))
        .unwrap();
    assert_eq!(d.index, first_random);
    let (mut trace, _) = record(SCENARIO, 11, 0);
    let n = trace.entries.len();
    trace.entries.truncate(n - 1);
    let Err(ReplayError::Diverged(d)) = replay(&trace) else {
        panic!("diverges")
    };
    assert_eq!(d.index, n - 1);
    assert!(d.expected.is_none() && d.actual.is_some());
    let (mut trace, _) = record(SCENARIO, 11, 0);
    let last = trace.entries[n - 1].clone();
    trace.entries.push(last);
    let Err(ReplayError::Diverged(d)) = replay(&trace) else {
        panic!("diverges")
    };
    assert_eq!(d.index, n);
    assert!(d.expected.is_some() && d.actual.is_none());
}

#[test]
fn truncated_files_are_clear_errors() {
    let (trace, _) = record(SCENARIO, 1, 0);
    let bytes = encoded(&trace);
    let mut cuts: Vec<usize> = vec![1, 7, 8, 9, 10, 11, 30, bytes.len() / 2];
    cuts.extend(bytes.len() - 20..bytes.len());
    for cut in cuts {
        match read_trace(&bytes[..cut]) {
            Err(TraceError::Truncated { offset, .. }) => assert_eq!(offset, cut as u64),
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let msg = read_trace(&bytes[..bytes.len() / 2])
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("the trace is truncated at byte"), "{msg}");
    assert!(matches!(read_trace(&[][..]), Err(TraceError::NotATrace)));
}

#[test]
fn corrupt_files_are_clear_errors_never_panics() {
    let (trace, _) = record(SCENARIO, 2, 0);
    let bytes = encoded(&trace);
    assert!(matches!(
        read_trace(&b"Scenario(name: \"x\")"[..]),
        Err(TraceError::NotATrace)
    ));
    // Flip one byte anywhere after the magic: never Ok, never a panic.
    let step = (bytes.len() / 400).max(1);
    for i in (10..bytes.len()).step_by(step).chain([bytes.len() - 1]) {
        let mut b = bytes.clone();
        b[i] ^= 0x5a;
        let r = read_trace(b.as_slice());
        assert!(
            matches!(
                r,
                Err(TraceError::Corrupt { .. } | TraceError::Truncated { .. })
            ),
            "flip at {i}: {r:?}"
        );
    }
    let mut b = bytes.clone();
    b.push(0);
    let e = read_trace(b.as_slice()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "the trace is corrupt at byte {}: 1 bytes after the end marker",
            bytes.len()
        )
    );
}

#[test]
fn another_format_version_is_refused_clearly() {
    let (trace, _) = record(SCENARIO, 2, 0);
    let mut bytes = encoded(&trace);
    bytes[8..10].copy_from_slice(&7u16.to_le_bytes());
    let e = read_trace(bytes.as_slice()).unwrap_err();
    assert!(matches!(
        e,
        TraceError::UnsupportedVersion {
            found: 7,
            supported: FORMAT_VERSION
        }
    ));
    assert!(
        e.to_string()
            .starts_with("trace format version 7 is not supported"),
        "{e}"
    );
}

#[test]
fn inputs_round_trip_and_replay_refuses_them() {
    let (mut trace, _) = record(SCENARIO, 3, 0);
    let t = trace.entries[10].0;
    trace.entries.insert(
        11,
        (
            t,
            Entry::Input(Input::StudentChoice {
                agent: 2,
                payload: "Empathy(phrase: 3)".into(),
            }),
        ),
    );
    trace.entries.insert(
        12,
        (
            t,
            Entry::Input(Input::Engine(EngineInput::SetOnDuty { group: 0, count: 9 })),
        ),
    );
    let back = read_trace(encoded(&trace).as_slice()).unwrap();
    assert_eq!(back, trace);
    assert_eq!(back.inputs().count(), 2);
    // The input was slipped into a recording made without it: the run changes.
    assert!(matches!(replay(&back), Err(ReplayError::Diverged(_))));
}

#[test]
fn a_run_with_an_operator_input_replays_exactly() {
    let src = include_str!("../../../../scenarios/single-queue.ron");
    let scenario = crate::scenario::parse(src).unwrap();
    let model = Arc::new(Model::new(&scenario).unwrap());
    let mut sim = Simulation::with_observer(Arc::clone(&model), 1, 0, Recorder::new());
    sim.run_until(SimTime::new(7200.0).unwrap());
    apply_recorded(
        &mut sim,
        EngineInput::SetOnDuty {
            group: 0,
            count: 24,
        },
    )
    .unwrap();
    sim.run_until(SimTime::new(14400.0).unwrap());
    apply_recorded(
        &mut sim,
        EngineInput::SetOnDuty {
            group: 0,
            count: 15,
        },
    )
    .unwrap();
    let (_, rec) = sim.run();
    let trace = rec.into_trace(TraceHeader::new(src, 1, 0));
    let back = read_trace(encoded(&trace).as_slice()).unwrap();
    assert_eq!(back.inputs().count(), 2);
    let summary = replay(&back).expect("zero divergence");
    assert_eq!(summary.events, back.events().count());
    // Without the inputs, the same seed gives another run.
    let mut bare = back.clone();
    bare.entries.retain(|(_, e)| matches!(e, Entry::Event(_)));
    assert!(matches!(replay(&bare), Err(ReplayError::Diverged(_))));
}

#[test]
fn time_going_backwards_cannot_be_written() {
    let mut rec = Recorder::new();
    let ev = SimEvent::CallArrived {
        call: CallId(0),
        call_type: Some(0),
        retrial: false,
    };
    rec.on_event(SimTime::new(5.0).unwrap(), &ev);
    rec.input(
        SimTime::new(4.0).unwrap(),
        Input::Engine(EngineInput::SetOnDuty { group: 0, count: 1 }),
    );
    let trace = rec.into_trace(TraceHeader::new("", 1, 0));
    assert!(matches!(
        write_trace(Vec::new(), &trace),
        Err(TraceError::NotMonotone { index: 1 })
    ));
}

/// The exact bytes of a tiny trace. If this fails, the format changed: bump
/// `FORMAT_VERSION` (and update the bytes) unless the change was a mistake.
#[test]
fn format_version_1_bytes() {
    let t = |s| SimTime::new(s).unwrap();
    let trace = Trace {
        header: TraceHeader {
            ccsim_version: "v".into(),
            scenario_ron: "S".into(),
            seed: 300,
            replication: 1,
        },
        entries: vec![
            (
                t(1.0),
                Entry::Event(SimEvent::CallArrived {
                    call: CallId(0),
                    call_type: Some(1),
                    retrial: false,
                }),
            ),
            (
                t(1.0),
                Entry::Event(SimEvent::CallAnswered {
                    call: CallId(0),
                    call_type: 1,
                    agent: AgentId(2),
                    wait_s: 0.5,
                }),
            ),
            (
                t(2.0),
                Entry::Input(Input::Engine(EngineInput::SetOnDuty { group: 0, count: 4 })),
            ),
        ],
    };
    let bytes = encoded(&trace);
    let hex = |b: &[u8]| -> String { b.iter().map(|b| format!("{b:02x}")).collect() };
    let expected = concat!(
        "434353494d545243",
        "0100", // magic, version 1
        "0176",
        "0153",
        "ac02",
        "01", // header: "v", "S", seed 300, rep 1
        "00",
        "80808080808080f83f",
        "00",
        "00",
        "01",
        "01",
        "00", // Event, dt = bits(1.0), Arrived{0, Some(1), retrial: false}
        "00",
        "00",
        "04",
        "00",
        "01",
        "02",
        "000000000000e03f", // Event, dt 0, Answered{0, 1, 2, 0.5}
        "01",
        "8080808080808008",
        "00",
        "00",
        "00",
        "04", // Input, dt = bits(2.0) − bits(1.0), Engine(SetOnDuty{0, 4})
        "02",
        "03", // End: 3 entries, then the checksum
    );
    let body = expected.len() / 2 - 2;
    let mut checksum = fnv1a(FNV_OFFSET, &bytes[..body]);
    let mut varint = Vec::new();
    loop {
        let low = (checksum & 0x7f) as u8;
        checksum >>= 7;
        if checksum == 0 {
            varint.push(low);
            break;
        }
        varint.push(low | 0x80);
    }
    assert_eq!(hex(&bytes), format!("{expected}{}", hex(&varint)));
    assert_eq!(read_trace(bytes.as_slice()).unwrap(), trace);
}

#[test]
fn timeline_and_tidy_rows() {
    let t = |s| SimTime::new(s).unwrap();
    let events = [
        (
            t(10.0),
            SimEvent::CallArrived {
                call: CallId(0),
                call_type: Some(0),
                retrial: false,
            },
        ),
        (
            t(10.0),
            SimEvent::CallQueued {
                call: CallId(0),
                call_type: 0,
                persona: None,
                priority: false,
                callback: false,
            },
        ),
        (
            t(20.0),
            SimEvent::CallArrived {
                call: CallId(1),
                call_type: Some(1),
                retrial: false,
            },
        ),
        (
            t(20.0),
            SimEvent::CallQueued {
                call: CallId(1),
                call_type: 1,
                persona: None,
                priority: false,
                callback: false,
            },
        ),
        (
            t(30.0),
            SimEvent::CallAbandoned {
                call: CallId(0),
                call_type: 0,
                wait_s: 20.0,
            },
        ),
        (
            t(3700.0),
            SimEvent::CallArrived {
                call: CallId(2),
                call_type: Some(0),
                retrial: false,
            },
        ),
        (
            t(3700.0),
            SimEvent::CallAnswered {
                call: CallId(2),
                call_type: 0,
                agent: AgentId(0),
                wait_s: 0.0,
            },
        ),
        (
            t(3701.0),
            SimEvent::CallAnswered {
                call: CallId(1),
                call_type: 1,
                agent: AgentId(1),
                wait_s: 3681.0,
            },
        ),
    ];
    let tl = Timeline::from_events(events.iter().map(|(t, e)| (*t, e)));
    assert_eq!(tl.calls_per_hour, vec![2, 1]);
    assert_eq!(tl.peak_queue, 2);
    assert_eq!(tl.peak_queue_at, t(20.0));
    assert_eq!((tl.answered, tl.abandoned), (2, 1));
    let text = tl.to_string();
    assert!(text.contains("calls per hour: 0h 2, 1h 1"), "{text}");

    let scenario = scenario::parse(SCENARIO).unwrap();
    let row = TidyRow::new(events[7].0, &events[7].1, &scenario);
    assert_eq!(
        row,
        TidyRow {
            t_s: 3701.0,
            kind: "answered",
            call: Some(1),
            call_type: Some("support".into()),
            agent: Some(1),
            wait_s: Some(3681.0),
            detail: String::new(),
        }
    );
    let row = TidyRow::new(events[0].0, &events[0].1, &scenario);
    assert_eq!((row.kind, row.agent, row.wait_s), ("arrived", None, None));
}
