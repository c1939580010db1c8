use std::sync::Arc;

use rand::RngExt;
use rand_distr::Distribution;

use super::*;
use crate::calibrate::fit::tests::rng;
use crate::trace::log::parse_bank;
use crate::trace::{Date, LogOptions};

fn served(day: Date, t: f64, ty: &str, wait: f64, handle: f64, agent: &str) -> CallRecord {
    CallRecord {
        day,
        arrival_s: t,
        call_type: ty.into(),
        priority: 0,
        ivr_s: 0.0,
        queued: wait > 0.0,
        wait_s: wait,
        outcome: Outcome::Served,
        handle_s: Some(handle),
        agent: Some(agent.into()),
    }
}

/// 28 days from Monday 1999-02-01. Type "A": Poisson 60/h from 9:00 to 17:00 on
/// weekdays, 6/h then on weekends; LogNormal handle times (mean 200, sd 100);
/// exponential patience (mean 150) censored by exponential answer times (mean 40).
fn synthetic_log() -> Vec<CallRecord> {
    let mut r = rng(99);
    let first = Date::parse_iso("1999-02-01").unwrap();
    let handle =
        rand_distr::LogNormal::new(200f64.ln() - 0.5 * 1.25f64.ln(), 1.25f64.ln().sqrt()).unwrap();
    let patience = rand_distr::Exp::new(1.0 / 150.0).unwrap();
    let answer = rand_distr::Exp::new(1.0 / 40.0).unwrap();
    let mut out = Vec::new();
    for d in 0..28 {
        let day = Date::from_days_since_epoch(first.days_since_epoch() + d);
        let rate = if d % 7 < 5 { 60.0 } else { 6.0 };
        let gap = rand_distr::Exp::new(rate / 3600.0).unwrap();
        let mut t = 9.0 * 3600.0;
        loop {
            t += gap.sample(&mut r);
            if t >= 17.0 * 3600.0 {
                break;
            }
            let p: f64 = patience.sample(&mut r);
            let a: f64 = if r.random::<f64>() < 0.5 {
                0.0
            } else {
                answer.sample(&mut r)
            };
            let agent = format!("agent{}", r.random_range(0..8));
            if a <= p {
                out.push(served(day, t, "A", a, handle.sample(&mut r), &agent));
            } else {
                out.push(CallRecord {
                    queued: true,
                    wait_s: p,
                    outcome: Outcome::Abandoned,
                    handle_s: None,
                    agent: None,
                    ..served(day, t, "A", 0.0, 1.0, "")
                });
            }
        }
    }
    out
}

#[test]
fn synthetic_log_recovers_rates_distributions_and_window() {
    let log = synthetic_log();
    let report = calibrate(&log, &CalibrateOptions::default()).unwrap();
    let a = &report.arrivals;
    assert_eq!(a.days.per_weekday, [4; 7]);
    // Rate in one weekday interval: 4 days × 30 min × 60/h = 120 expected calls.
    let est = a.per_hour(0, Weekday::Tuesday, 20); // 10:00–10:30
    assert!((est - 60.0).abs() < 4.0 * (120f64).sqrt() / 2.0, "{est}");
    assert_eq!(a.per_hour(0, Weekday::Tuesday, 2), 0.0);
    // Busy window: Mon–Fri, 9:00–17:00, rate 60/h (± 4 SE of 40 days × 8 h).
    let w = &report.window;
    assert_eq!(
        w.weekdays,
        vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday
        ]
    );
    assert_eq!((w.start_s, w.end_s, w.days), (9 * 3600, 17 * 3600, 20));
    let se = (60.0f64 * 160.0).sqrt() / 160.0;
    assert!((w.per_hour[0] - 60.0).abs() < 4.0 * se, "{}", w.per_hour[0]);
    let ct = &report.call_types[0];
    let handle = ct.handle.as_ref().unwrap();
    assert_eq!(handle.chosen().family, Family::LogNormal);
    assert!((handle.chosen().dist.mean_s() - 200.0).abs() < 4.0 * 100.0 / (handle.n as f64).sqrt());
    let TimeDist::Exponential { mean_s } = ct.patience.exponential.as_ref().unwrap().dist else {
        panic!()
    };
    let se = ct.patience.exponential_se_s.unwrap();
    assert!((mean_s - 150.0).abs() < 4.0 * se, "{mean_s} ± {se}");
    assert!(ct.patience.naive_mean_s.unwrap() < 40.0);
    let staffing = report.staffing.as_ref().unwrap();
    assert_eq!(staffing.agents, 8);
    assert!(w.staffing_distinct.unwrap() > 7.0 && w.staffing_distinct.unwrap() <= 8.0);
    // Busy on average ≈ served rate × mean handle time = ~ 60 · 0.8 · 200 / 3600 ≈ 2.7.
    let b = w.staffing_busy.unwrap();
    assert!(b > 2.0 && b < 3.5, "{b}");

    let text = report.to_string();
    assert!(!report.patience_by_hour.is_empty());
    for needle in [
        "Busy window: Mon/Tue/Wed/Thu/Fri 09:00–17:00",
        "Patience by hour of day",
        "* LogNormal",
        "Kaplan–Meier",
        "naive mean wait of abandoners",
    ] {
        assert!(text.contains(needle), "{needle} in\n{text}");
    }

    let scenario = to_scenario(&report, &ScenarioOptions::default());
    assert!(scenario.validate().is_empty(), "{:?}", scenario.validate());
    assert_eq!(scenario.horizon_h, 8.0);
    assert_eq!(scenario.agent_groups[0].count, Some(8));
    assert!(matches!(
        scenario.call_types[0].handle_time,
        Some(TimeDist::LogNormal { .. })
    ));
    let ron_text = scenario_ron(&scenario, "fitted by a test\nsecond line").unwrap();
    assert!(ron_text.starts_with("// fitted by a test\n// second line\nScenario("));
    let back = crate::scenario::parse(&ron_text).expect("the written scenario reads back");
    assert_eq!(back, scenario);
    crate::Model::new(&back).unwrap();
}

#[test]
fn staffing_counts_distinct_and_mean_busy_agents() {
    let day = Date::parse_iso("2024-01-01").unwrap();
    let log = vec![
        // ann busy 0:10–0:40 (spans two 30-min intervals), bob 0:00–0:15.
        served(day, 600.0, "X", 0.0, 1800.0, "ann"),
        served(day, 0.0, "X", 0.0, 900.0, "bob"),
    ];
    let report = calibrate(&log, &CalibrateOptions::default()).unwrap();
    let s = report.staffing.unwrap();
    let w = Weekday::Monday.index();
    assert_eq!(s.distinct[w][0], 2.0);
    assert_eq!(s.distinct[w][1], 1.0);
    assert!((s.busy[w][0] - (1200.0 + 900.0) / 1800.0).abs() < 1e-12);
    assert!((s.busy[w][1] - 600.0 / 1800.0).abs() < 1e-12);
    assert_eq!(s.distinct[w][2], 0.0);
}

#[test]
fn bad_options_and_empty_logs_are_errors() {
    let log = synthetic_log();
    let opts = |interval_s, window_h| CalibrateOptions {
        interval_s,
        window_h,
        ..CalibrateOptions::default()
    };
    assert_eq!(
        calibrate(&log, &opts(7 * 60, 8.0)).unwrap_err(),
        CalibrateError::BadInterval(420)
    );
    assert_eq!(
        calibrate(&log, &opts(0, 8.0)).unwrap_err(),
        CalibrateError::BadInterval(0)
    );
    assert_eq!(
        calibrate(&log, &opts(1800, 0.0)).unwrap_err(),
        CalibrateError::BadWindow(0.0)
    );
    assert_eq!(
        calibrate(&[], &CalibrateOptions::default()).unwrap_err(),
        CalibrateError::NoCalls
    );
    let mut far = log.clone();
    far[0].day = Date::parse_iso("2030-01-01").unwrap();
    assert_eq!(
        calibrate(&far, &CalibrateOptions::default()).unwrap_err(),
        CalibrateError::TooManyDays(11_293)
    );
    // Hourly intervals work too.
    let r = calibrate(&log, &opts(3600, 4.0)).unwrap();
    assert_eq!(r.arrivals.intervals(), 24);
    assert_eq!(r.window.hours(), 4.0);
}

#[test]
fn the_bank_log_calibrates_to_a_runnable_scenario() {
    let Some(bytes) = crate::trace::log::tests::bank_log() else {
        return;
    };
    let (records, _) = parse_bank(&bytes, &LogOptions::default()).unwrap();
    let report = calibrate(&records, &CalibrateOptions::default()).unwrap();
    let names: Vec<&str> = report.call_types.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["PS", "NW", "NE", "TT", "IN", "PE"]);
    // Israel's working week: Sunday to Thursday.
    assert_eq!(
        report.window.weekdays,
        vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Sunday
        ]
    );
    // Two service outages: no call answered while the IVR kept every caller.
    let found: Vec<(String, u32, u32)> = report
        .outages
        .iter()
        .map(|o| (o.day.to_string(), o.excluded_from_s, o.excluded_to_s))
        .collect();
    assert_eq!(
        found,
        [
            ("1999-02-03".to_string(), 45_000, 50_400),
            ("1999-02-21".to_string(), 61_200, 72_000)
        ]
    );
    // In the busy hours one patience fits every hour (the callers of 13:00 looked
    // impatient only through the outage's redials).
    let busy_hours = |r: &FitReport| {
        r.patience_by_hour
            .iter()
            .find(|h| h.call_type.is_none() && (h.from_h, h.to_h) == (9, 16))
            .map(|h| h.test.p_value)
            .unwrap()
    };
    assert!(busy_hours(&report) > 0.3, "{}", busy_hours(&report));
    let kept = calibrate(
        &records,
        &CalibrateOptions {
            outages: false,
            ..CalibrateOptions::default()
        },
    )
    .unwrap();
    assert!(busy_hours(&kept) < 0.01, "{}", busy_hours(&kept));
    let ps = &report.call_types[0];
    assert!(ps.handle.as_ref().unwrap().chosen().dist.mean_s() > 100.0);
    assert!(ps.patience.chosen.is_some());
    // The effective (Erlang A) staffing is below the distinct-agent count.
    let m = report.window.erlang_a.as_ref().unwrap();
    assert!(f64::from(m.agents) < report.window.staffing_distinct.unwrap());
    assert!((m.abandon_rate - report.window.observed.abandon_rate).abs() < 0.05);
    let effective = to_scenario(
        &report,
        &ScenarioOptions {
            staffing: StaffingRule::ErlangA,
            ..ScenarioOptions::default()
        },
    );
    assert_eq!(effective.agent_groups[0].count, Some(m.agents));
    let scenario = to_scenario(&report, &ScenarioOptions::default());
    assert!(scenario.validate().is_empty(), "{:?}", scenario.validate());
    let model = Arc::new(crate::Model::new(&scenario).unwrap());
    let (result, ()) = crate::Simulation::new(model, 1, 0).run();
    assert!(result.calls > 100);
}

#[test]
fn day_spans_count_every_weekday() {
    // Wednesday 2024-01-03 to Friday 2024-01-12: 10 days, Wed–Fri twice.
    let d = |s| Date::parse_iso(s).unwrap();
    let log = vec![
        served(d("2024-01-12"), 10.0, "X", 0.0, 5.0, "a"),
        served(d("2024-01-03"), 10.0, "X", 0.0, 5.0, "a"),
    ];
    let span = DaySpan::of(&log).unwrap();
    assert_eq!(span.len(), 10);
    assert_eq!(span.per_weekday, [1, 1, 2, 2, 2, 1, 1]);
    assert_eq!(span.index(d("2024-01-05")), 2);
}

#[test]
fn outages_are_found_and_left_out_of_the_fit() {
    let mut log = synthetic_log();
    // Wednesday 1999-02-03: from 10:00 to 10:30 no call reaches an agent; 40 calls
    // end in the IVR instead. The night's few IVR-only calls are not an outage.
    let day = Date::parse_iso("1999-02-03").unwrap();
    let inside = |r: &CallRecord| r.day == day && (36_000.0..37_800.0).contains(&r.arrival_s);
    log.retain(|r| !inside(r));
    let ivr_only = |day: Date, t: f64| CallRecord {
        queued: false,
        wait_s: 0.0,
        outcome: Outcome::IvrOnly,
        handle_s: None,
        agent: None,
        ..served(day, t, "A", 0.0, 1.0, "")
    };
    for k in 0..40 {
        log.push(ivr_only(day, 36_000.0 + 45.0 * f64::from(k)));
    }
    for k in 0..12 {
        log.push(ivr_only(day, 600.0 + 1500.0 * f64::from(k)));
    }
    let report = calibrate(&log, &CalibrateOptions::default()).unwrap();
    assert_eq!(report.outages.len(), 1, "{:?}", report.outages);
    let o = &report.outages[0];
    assert_eq!(o.day, day);
    // The gap runs from the last service start before 10:00 (calls queued just
    // before it may be answered a little after) to the first after 10:30.
    assert!(o.from_s < 36_300.0 && o.to_s >= 37_800.0, "{o:?}");
    assert!(o.ivr_only >= 35 && o.ivr_only == o.arrivals, "{o:?}");
    // Left out: from the gap's interval to 30 minutes after service resumed,
    // widened to whole intervals.
    assert!(
        o.excluded_from_s == 34_200 || o.excluded_from_s == 36_000,
        "{o:?}"
    );
    assert!(
        o.excluded_to_s >= 39_600 && o.excluded_to_s <= 41_400,
        "{o:?}"
    );
    let a = &report.arrivals;
    let w = Weekday::Wednesday.index();
    assert_eq!(a.days_in[w][20], 3);
    assert_eq!(a.days_in[w][18], 4);
    // The rate of 10:00–10:30 on Wednesdays is the mean over the other three days.
    let est = a.per_hour(0, Weekday::Wednesday, 20);
    assert!((est - 60.0).abs() < 4.0 * (90f64).sqrt() / 1.5, "{est}");
    let text = report.to_string();
    assert!(text.contains("1999-02-03 Wed: no call answered"), "{text}");
    // Off: nothing is left out, and the interval's rate counts the empty half hour.
    let kept = calibrate(
        &log,
        &CalibrateOptions {
            outages: false,
            ..CalibrateOptions::default()
        },
    )
    .unwrap();
    assert!(kept.outages.is_empty());
    assert_eq!(kept.arrivals.days_in[w][20], 4);
    assert!(kept.arrivals.per_hour(0, Weekday::Wednesday, 20) < 0.8 * est);
}
