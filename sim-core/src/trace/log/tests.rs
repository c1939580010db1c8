use super::*;

/// The February 1999 bank log beside the repository (`../shared/data`), if present.
pub(crate) fn bank_log() -> Option<Vec<u8>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/anonymous_bank_february_1999.tsv");
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            eprintln!(
                "skipping: the bank log {} is not available ({e})",
                path.display()
            );
            None
        }
    }
}

const BANK_HEADER: &str = "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver";

fn bank(rows: &[&str]) -> (Vec<CallRecord>, SkipReport) {
    let text = format!("{BANK_HEADER}\r\n{}\r\n", rows.join("\r\n"));
    parse_bank(text.as_bytes(), &LogOptions::default()).expect("header is fine")
}

#[test]
fn real_bank_log_reads_with_the_documented_quirks() {
    let Some(bytes) = bank_log() else { return };
    assert_eq!(LogFormat::detect(&bytes), LogFormat::Bank);
    let (records, report) = parse_bank(&bytes, &LogOptions::default()).unwrap();
    // The README: 33,344 calls. Every one is either kept or skipped with a reason.
    assert_eq!(report.rows, 33_344);
    assert_eq!(report.kept, records.len() as u64);
    assert_eq!(report.kept + report.total_skipped(), report.rows);
    // Reference counts computed independently of this parser (a short script).
    assert_eq!(report.count(SkipReason::Phantom), 278);
    assert_eq!(report.count(SkipReason::NoServer), 491);
    assert_eq!(report.count(SkipReason::ZeroServiceTime), 85);
    assert_eq!(report.count(SkipReason::NegativeDuration), 23);
    assert_eq!(report.count(SkipReason::PastMidnight), 18);
    assert_eq!(records.len(), 32_449);
    let served: Vec<&CallRecord> = records
        .iter()
        .filter(|r| r.outcome == Outcome::Served)
        .collect();
    let abandoned: Vec<&CallRecord> = records
        .iter()
        .filter(|r| r.outcome == Outcome::Abandoned)
        .collect();
    assert_eq!(served.len(), 26_549);
    assert_eq!(abandoned.len(), 3_959);
    assert_eq!(
        records
            .iter()
            .filter(|r| r.outcome == Outcome::IvrOnly)
            .count(),
        1_941
    );
    let handle: f64 = served.iter().filter_map(|r| r.handle_s).sum();
    assert_eq!(handle, 4_766_277.0);
    let abandon_wait: f64 = abandoned.iter().map(|r| r.wait_s).sum();
    assert_eq!(abandon_wait, 259_498.0);
    // Sanity of every record.
    for r in &records {
        assert!((0.0..86_400.0).contains(&r.arrival_s), "{r:?}");
        assert!(r.day.year() == 1999 && r.day.month() == 2);
        assert!(r.ivr_s >= 0.0 && r.wait_s >= 0.0);
        assert_eq!(r.handle_s.is_some(), r.outcome == Outcome::Served);
        assert_eq!(r.agent.is_some(), r.outcome == Outcome::Served);
        if !r.queued {
            assert_eq!(r.wait_s, 0.0);
        }
    }
    // The first row: 1999-02-01 7:02:47, PS, 9 s IVR, served by DORIT for 166 s.
    let first = &records[0];
    assert_eq!(first.day.to_string(), "1999-02-01");
    assert_eq!(first.arrival_s, 7.0 * 3600.0 + 2.0 * 60.0 + 47.0);
    assert_eq!(first.call_type, "PS");
    assert_eq!(first.ivr_s, 9.0);
    assert!(!first.queued);
    assert_eq!(first.handle_s, Some(166.0));
    assert_eq!(first.agent.as_deref(), Some("DORIT"));
    // Phantoms can be kept on request.
    let (with, report2) = parse_bank(&bytes, &LogOptions { keep_phantom: true }).unwrap();
    assert_eq!(report2.count(SkipReason::Phantom), 0);
    // Two PHANTOM rows also have a negative vru_time.
    let phantoms = with
        .iter()
        .filter(|r| r.outcome == Outcome::Phantom)
        .count();
    assert_eq!(phantoms, 276);
    assert_eq!(with.len(), records.len() + 276);
}

#[test]
fn bank_rows_map_to_outcomes() {
    let (r, rep) = bank(&[
        // served without queueing
        "AA0101\t1\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t7:05:41\t166\tDORIT",
        // queued, then served after 30 s
        "AA0101\t2\t5\t2\tNE\t990202\t8:00:00\t8:00:10\t10\t8:00:10\t8:00:40\t30\tAGENT\t8:00:40\t8:02:40\t120\tTOVA",
        // queued, abandoned after 5 s
        "AA0101\t3\t0\t2\tPS\t990201\t8:09:16\t8:09:22\t6\t8:09:22\t8:09:27\t5\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
        // hung up in the IVR
        "AA0101\t4\t0\t0\tPS\t990201\t17:16:03\t17:17:16\t73\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER",
    ]);
    assert_eq!(rep.rows, 4);
    assert_eq!(rep.kept, 4);
    assert_eq!(rep.total_skipped(), 0);
    assert_eq!(r[0].outcome, Outcome::Served);
    assert!(!r[0].queued);
    assert_eq!(r[1].outcome, Outcome::Served);
    assert!(r[1].queued);
    assert_eq!(r[1].wait_s, 30.0);
    assert_eq!(r[1].priority, 2);
    assert_eq!(r[1].day.to_string(), "1999-02-02");
    assert_eq!(r[1].service_start_s(), Some(8.0 * 3600.0 + 40.0));
    assert_eq!(r[2].outcome, Outcome::Abandoned);
    assert_eq!(r[2].wait_s, 5.0);
    assert_eq!(r[2].handle_s, None);
    assert_eq!(r[3].outcome, Outcome::IvrOnly);
    assert_eq!(r[3].ivr_s, 73.0);
    assert!(!r[3].queued);
}

#[test]
fn each_kind_of_bad_bank_row_is_skipped_and_counted() {
    let good = "AA0101\t1\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t7:05:41\t166\tDORIT";
    let rows = [
        good,                                   // line 2
        "AA0101\t1\t0\t0\tPS\t990201\t7:02:47", // 3: columns
        "AA0101\t1\t0\t0\tPS\t990231\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t7:05:41\t166\tDORIT", // 4: date
        "AA0101\t1\t0\t0\tPS\t990201\t7:2:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t7:05:41\t166\tDORIT", // 5: time
        "AA0101\t1\t0\t0\tPS\t990201\t7:02:47\t7:02:56\tnine\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t7:05:41\t166\tDORIT", // 6: number
        "AA0101\t1\t0\t0\t\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t7:05:41\t166\tDORIT", // 7: type
        "AA0101\t1\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tLOST\t7:02:55\t7:05:41\t166\tDORIT", // 8: outcome
        "AA0101\t1\t0\t2\tPS\t990202\t13:13:33\t13:13:42\t9\t13:13:42\t13:14:12\t30\tPHANTOM\t13:13:40\t13:14:18\t38\tNO_SERVER", // 9
        "AA0102\t1\t0\t0\tPS\t990220\t23:59:32\t23:59:44\t12\t0:00:00\t0:00:00\t0\tAGENT\t23:59:43\t0:01:28\t105\tDARMON", // 10: midnight
        "AA0102\t1\t0\t2\tPS\t990207\t9:48:14\t9:47:17\t-57\t9:47:17\t9:50:11\t174\tAGENT\t9:50:11\t9:51:28\t77\tKAZAV", // 11: negative
        "AA0101\t1\t0\t0\tPS\t990201\t7:31:45\t7:31:55\t10\t0:00:00\t0:00:00\t0\tAGENT\t7:31:54\t7:31:59\t5\tNO_SERVER", // 12: no server
        "AA0101\t1\t0\t0\tPS\t990201\t7:31:45\t7:31:55\t10\t0:00:00\t0:00:00\t0\tAGENT\t7:31:54\t7:31:54\t0\tDORIT", // 13: zero
        "AA0105\t1\t0\t0\tNW\t990210\t23:59:19\t23:59:19\t0\t23:59:29\t0:00:26\t57\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER", // 14: midnight in queue
        good, // 15
    ];
    let (records, rep) = bank(&rows);
    assert_eq!(rep.rows, 14);
    assert_eq!(records.len(), 2);
    assert_eq!(rep.kept, 2);
    let expect = [
        (SkipReason::WrongColumnCount, vec![3]),
        (SkipReason::BadDate, vec![4]),
        (SkipReason::BadTime, vec![5]),
        (SkipReason::BadNumber, vec![6]),
        (SkipReason::MissingCallType, vec![7]),
        (SkipReason::UnknownOutcome, vec![8]),
        (SkipReason::Phantom, vec![9]),
        (SkipReason::PastMidnight, vec![10, 14]),
        (SkipReason::NegativeDuration, vec![11]),
        (SkipReason::NoServer, vec![12]),
        (SkipReason::ZeroServiceTime, vec![13]),
    ];
    for (reason, lines) in &expect {
        let c = rep
            .skipped
            .get(reason)
            .unwrap_or_else(|| panic!("{reason:?}"));
        assert_eq!(&c.lines, lines, "{reason:?}");
        assert_eq!(c.count, lines.len() as u64);
    }
    assert_eq!(rep.skipped.len(), expect.len());
    let text = rep.to_string();
    assert!(
        text.starts_with("14 data rows read: 2 kept, 12 skipped"),
        "{text}"
    );
    assert!(text.contains("times run past midnight"), "{text}");
    assert!(text.contains("lines 10, 14"), "{text}");
}

#[test]
fn bank_header_without_a_needed_column_is_an_error() {
    let header = BANK_HEADER.replace("\tser_time", "");
    let err = parse_bank(format!("{header}\n").as_bytes(), &LogOptions::default()).unwrap_err();
    match &err {
        LogError::MissingColumn { column, line, .. } => {
            assert_eq!(column, "ser_time");
            assert_eq!(*line, 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("line 1: the header has no column `ser_time`")
    );
    assert_eq!(
        parse_bank(b"", &LogOptions::default()).unwrap_err(),
        LogError::Empty
    );
}

#[test]
fn invalid_utf8_rows_are_skipped_not_fatal() {
    let mut text = format!("{BANK_HEADER}\n").into_bytes();
    text.extend_from_slice(b"AA0101\t1\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t7:05:41\t166\tD\xffRIT\n");
    let (records, rep) = parse_bank(&text, &LogOptions::default()).unwrap();
    assert!(records.is_empty());
    assert_eq!(rep.count(SkipReason::Unreadable), 1);
}

#[test]
fn csv_rows_with_seconds_and_dates() {
    let text = "arrival_s,call_type,handle_s,outcome,wait_s,agent\n\
                10,A,120,served,0,ann\n\
                86410.5,B,,abandoned,33,\n\
                100,A,90,,12,bob\n";
    assert_eq!(LogFormat::detect(text.as_bytes()), LogFormat::Csv);
    let (r, rep) = parse_csv(text.as_bytes(), &LogOptions::default()).unwrap();
    assert_eq!(rep.kept, 3);
    assert_eq!(r[0].day, Date::EPOCH);
    assert_eq!(r[0].arrival_s, 10.0);
    assert_eq!(r[0].agent.as_deref(), Some("ann"));
    assert!(!r[0].queued);
    assert_eq!(r[1].day.to_string(), "1970-01-02");
    assert_eq!(r[1].arrival_s, 10.5);
    assert_eq!(r[1].outcome, Outcome::Abandoned);
    assert_eq!(r[1].wait_s, 33.0);
    assert!(r[1].queued);
    assert_eq!(r[2].outcome, Outcome::Served);
    assert!(r[2].queued);

    let text = "arrival,call_type,handle_s,patience_s,outcome\n\
                1999-02-01 07:02:47,PS,166,,served\n\
                1999-02-01T08:00:00,PS,,45,abandoned\n";
    let (r, rep) = parse_csv(text.as_bytes(), &LogOptions::default()).unwrap();
    assert_eq!(rep.kept, 2, "{rep}");
    assert_eq!(r[0].day.weekday(), crate::trace::Weekday::Monday);
    assert_eq!(r[0].arrival_s, 25_367.0);
    assert_eq!(r[1].wait_s, 45.0);
}

#[test]
fn each_kind_of_bad_csv_row_is_skipped_and_counted() {
    let text = "arrival,call_type,handle_s,outcome,wait_s\n\
                1999-02-01 07:00:00,PS,100,served,0\n\
                1999-02-01 07:00:00,PS,100\n\
                1999-02-30 07:00:00,PS,100,served,0\n\
                1999-02-01 7h,PS,100,served,0\n\
                1e300,PS,100,served,0\n\
                1999-02-01 07:00:00,PS,abc,served,0\n\
                1999-02-01 07:00:00,,100,served,0\n\
                1999-02-01 07:00:00,PS,100,transferred,0\n\
                1999-02-01 24:00:01,PS,100,served,0\n\
                1999-02-01 07:00:00,PS,100,served,-3\n\
                1999-02-01 07:00:00,PS,0,served,0\n\
                1999-02-01 07:00:00,PS,,served,0\n\
                1999-02-01 07:00:00,PS,,abandoned,\n\
                1999-02-01 07:00:00,PS,,phantom,\n";
    let (records, rep) = parse_csv(text.as_bytes(), &LogOptions::default()).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(rep.rows, 14);
    let expect = [
        (SkipReason::WrongColumnCount, vec![3]),
        (SkipReason::BadDate, vec![4]),
        (SkipReason::BadTime, vec![5, 6]),
        (SkipReason::BadNumber, vec![7]),
        (SkipReason::MissingCallType, vec![8]),
        (SkipReason::UnknownOutcome, vec![9]),
        (SkipReason::PastMidnight, vec![10]),
        (SkipReason::NegativeDuration, vec![11]),
        (SkipReason::ZeroServiceTime, vec![12]),
        (SkipReason::MissingHandleTime, vec![13]),
        (SkipReason::MissingWait, vec![14]),
        (SkipReason::Phantom, vec![15]),
    ];
    for (reason, lines) in &expect {
        let c = rep
            .skipped
            .get(reason)
            .unwrap_or_else(|| panic!("{reason:?}"));
        assert_eq!(&c.lines, lines, "{reason:?}");
    }
    assert_eq!(rep.total_skipped(), 13);
}

#[test]
fn csv_header_errors_name_the_column_and_line() {
    let err = parse_csv(b"arrival_s,handle_s\n1,2\n", &LogOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1: the header has no column `call_type` (found: arrival_s, handle_s)"
    );
    let err = parse_csv(b"\n\ncall_type,handle_s\n", &LogOptions::default()).unwrap_err();
    match err {
        LogError::MissingColumn { column, line, .. } => {
            assert_eq!(column, "arrival_s (or arrival)");
            assert_eq!(line, 3);
        }
        other => panic!("{other:?}"),
    }
}
