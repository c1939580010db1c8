//! Call-log import: real call logs into [`CallRecord`]s, the common form that
//! calibration ([`crate::calibrate`]) fits distributions to.
//!
//! Two formats are read (see [`LogFormat`]):
//!
//! * **`bank`**: the Technion SEE lab's "Anonymous Bank" log (Avishai Mandelbaum),
//!   tab-separated, one row per call with IVR (`vru_*`), queue (`q_*`) and service
//!   (`ser_*`) times of day, the outcome (`AGENT`, `HANG`, `PHANTOM`) and the agent
//!   (`server`). Columns are found by their header names, so their order does not
//!   matter.
//! * **`csv`**: a plain comma-separated log with a header row. Columns:
//!   `arrival_s` (seconds since midnight of the log's first day; day `k` of the log
//!   is dated 1970-01-01 + k) **or** `arrival` (`YYYY-MM-DD HH:MM:SS`, or seconds
//!   as in `arrival_s`); `call_type`; `handle_s` (the handle time of served calls,
//!   may be empty for the others); optional `outcome` (`served`, the default,
//!   `abandoned`, `ivr_only`, `phantom`); optional `wait_s` (time in queue; 0 if
//!   absent for served calls); optional `patience_s` (for abandoned calls, the
//!   wait before hanging up, used when `wait_s` is absent); optional `priority`,
//!   `ivr_s` and `agent`.
//!
//! Rows that cannot be used are never fatal: each is skipped and counted under one
//! [`SkipReason`] (the first that applies, in the order the reasons are listed)
//! with the line numbers of its first occurrences, in a [`SkipReport`]. Only a
//! header that lacks a needed column, or an input with no header, is an error
//! ([`LogError`]), naming the column and the line.
//!
//! The known quirks of the bank log (its README): `AGENT` rows with `ser_time` 0
//! ([`SkipReason::ZeroServiceTime`]) or server `NO_SERVER`
//! ([`SkipReason::NoServer`]); rows whose times run past midnight
//! ([`SkipReason::PastMidnight`]: the times of day wrap to 0:00 while the durations
//! go on); `PHANTOM` calls ([`SkipReason::Phantom`], kept as [`Outcome::Phantom`]
//! only with [`LogOptions::keep_phantom`]). Besides, a few rows have a negative
//! `vru_time` ([`SkipReason::NegativeDuration`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::date::Date;

/// How a logged call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// An agent served the call.
    Served,
    /// The caller hung up while waiting in queue (their wait is their patience).
    Abandoned,
    /// The call ended in the IVR without reaching the queue (served by the menu,
    /// or the caller hung up there).
    IvrOnly,
    /// The bank log's unexplained "ghost" calls (kept only on request).
    Phantom,
}

/// One call of a log, in the form calibration uses. Times are seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// The day the call arrived.
    pub day: Date,
    /// When the call arrived (entered the IVR, or the queue when there is no IVR),
    /// seconds since midnight of `day`, in `[0, 86400)`.
    pub arrival_s: f64,
    /// The call type (`PS`, `NW`, … in the bank log).
    pub call_type: String,
    /// Priority class (bank: 0 and 1 regular, 2 high; 0 when the log has none).
    pub priority: u8,
    /// Time spent in the IVR before queueing or ending, seconds (0 without an IVR).
    pub ivr_s: f64,
    /// Whether the call joined the queue (was not answered on leaving the IVR).
    pub queued: bool,
    /// Time in queue, seconds: the wait before being answered, or before hanging up
    /// for abandoned calls (0 when not queued).
    pub wait_s: f64,
    /// How the call ended.
    pub outcome: Outcome,
    /// Handle time of a served call, seconds (> 0); `None` for the others.
    pub handle_s: Option<f64>,
    /// The agent who served it, when the log names one.
    pub agent: Option<String>,
}

impl CallRecord {
    /// When the call left the IVR (joined the queue or reached an agent), seconds
    /// since midnight of `day`.
    pub fn queue_entry_s(&self) -> f64 {
        self.arrival_s + self.ivr_s
    }

    /// When an agent answered it (served calls only), seconds since midnight.
    pub fn service_start_s(&self) -> Option<f64> {
        (self.outcome == Outcome::Served).then(|| self.queue_entry_s() + self.wait_s)
    }

    /// Whether the call wanted an agent: it was served or abandoned in queue.
    pub fn reached_queue(&self) -> bool {
        matches!(self.outcome, Outcome::Served | Outcome::Abandoned)
    }
}

/// The formats [`parse_log`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// The Technion "Anonymous Bank" TSV log.
    Bank,
    /// The plain CSV log described in the [module docs](self).
    Csv,
}

impl LogFormat {
    /// Guess the format from the first line: a tab-separated header naming
    /// `vru_entry` is the bank log, anything else CSV.
    pub fn detect(input: &[u8]) -> LogFormat {
        let first = input.split(|&b| b == b'\n').next().unwrap_or_default();
        let first = String::from_utf8_lossy(first).to_ascii_lowercase();
        if first.contains('\t') && first.contains("vru_entry") {
            LogFormat::Bank
        } else {
            LogFormat::Csv
        }
    }
}

/// Options of the import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogOptions {
    /// Keep the bank log's `PHANTOM` calls as [`Outcome::Phantom`] records instead
    /// of skipping them. Calibration ignores them either way.
    pub keep_phantom: bool,
}

/// Why a row was skipped. Listed in the order they are checked: a row is counted
/// under the first that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[non_exhaustive]
pub enum SkipReason {
    /// The row could not be read (not UTF-8, or malformed quoting).
    Unreadable,
    /// The row has fewer (or more) fields than the header.
    WrongColumnCount,
    /// The date is not a valid `yymmdd` / `YYYY-MM-DD` date.
    BadDate,
    /// A time of day or timestamp could not be parsed.
    BadTime,
    /// A number (duration, priority) could not be parsed.
    BadNumber,
    /// The call type is empty.
    MissingCallType,
    /// The outcome is not one the format knows.
    UnknownOutcome,
    /// A bank `PHANTOM` call (unexplained ghost call).
    Phantom,
    /// The call's times run past midnight (the times of day wrap around).
    PastMidnight,
    /// A duration is negative, or an end comes before its start within the day.
    NegativeDuration,
    /// Served, but no agent is named (bank `NO_SERVER`).
    NoServer,
    /// Served with a service time of 0.
    ZeroServiceTime,
    /// Served, but the handle time is missing (CSV).
    MissingHandleTime,
    /// Abandoned, but neither `wait_s` nor `patience_s` is given (CSV).
    MissingWait,
}

impl SkipReason {
    /// A short description for reports.
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Unreadable => "unreadable row (not UTF-8 or bad quoting)",
            SkipReason::WrongColumnCount => "wrong number of columns",
            SkipReason::BadDate => "unparsable date",
            SkipReason::BadTime => "unparsable time",
            SkipReason::BadNumber => "unparsable number",
            SkipReason::MissingCallType => "empty call type",
            SkipReason::UnknownOutcome => "unknown outcome",
            SkipReason::Phantom => "PHANTOM call (unexplained ghost call)",
            SkipReason::PastMidnight => "times run past midnight",
            SkipReason::NegativeDuration => "negative duration (times out of order)",
            SkipReason::NoServer => "served but no agent (NO_SERVER)",
            SkipReason::ZeroServiceTime => "served with zero service time",
            SkipReason::MissingHandleTime => "served but no handle time",
            SkipReason::MissingWait => "abandoned but no wait_s or patience_s",
        }
    }
}

/// How many rows were skipped for one reason, and where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SkipCount {
    /// Rows skipped for this reason.
    pub count: u64,
    /// Line numbers (1 = the header) of the first few, up to
    /// [`SkipReport::EXAMPLE_LINES`].
    pub lines: Vec<u64>,
}

/// What the import kept and what it skipped, per reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SkipReport {
    /// Data rows read (the header excluded).
    pub rows: u64,
    /// Rows turned into records.
    pub kept: u64,
    /// Skipped rows per reason.
    pub skipped: BTreeMap<SkipReason, SkipCount>,
}

impl SkipReport {
    /// How many line numbers are kept per reason.
    pub const EXAMPLE_LINES: usize = 5;

    /// Rows skipped, all reasons together.
    pub fn total_skipped(&self) -> u64 {
        self.skipped.values().map(|c| c.count).sum()
    }

    /// Rows skipped for `reason`.
    pub fn count(&self, reason: SkipReason) -> u64 {
        self.skipped.get(&reason).map_or(0, |c| c.count)
    }

    fn skip(&mut self, reason: SkipReason, line: u64) {
        let c = self.skipped.entry(reason).or_default();
        c.count += 1;
        if c.lines.len() < Self::EXAMPLE_LINES {
            c.lines.push(line);
        }
    }
}

impl fmt::Display for SkipReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} data rows read: {} kept, {} skipped",
            self.rows,
            self.kept,
            self.total_skipped()
        )?;
        let mut reasons: Vec<_> = self.skipped.iter().collect();
        reasons.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
        let width = reasons
            .iter()
            .map(|(_, c)| c.count.to_string().len())
            .max()
            .unwrap_or(1);
        for (reason, c) in reasons {
            let lines: Vec<String> = c.lines.iter().map(u64::to_string).collect();
            let more = if c.count > c.lines.len() as u64 {
                ", …"
            } else {
                ""
            };
            writeln!(
                f,
                "  {:>width$}  {:<42} line{} {}{more}",
                c.count,
                reason.describe(),
                if c.count == 1 { "" } else { "s" },
                lines.join(", "),
            )?;
        }
        Ok(())
    }
}

/// Why a log could not be read at all. Fatal for the import.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The input has no header row.
    #[error("the log is empty (no header row)")]
    Empty,
    /// The header lacks a column the format needs.
    #[error("line {line}: the header has no column `{column}` (found: {})", found.join(", "))]
    MissingColumn {
        /// The column needed.
        column: String,
        /// The header's line number.
        line: u64,
        /// The columns the header has.
        found: Vec<String>,
    },
    /// The header row itself could not be read.
    #[error("line {line}: unreadable header: {message}")]
    BadHeader {
        /// Line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// Read a log in `format`. Returns the usable calls, in file order, and what was
/// skipped.
pub fn parse_log(
    format: LogFormat,
    input: &[u8],
    options: &LogOptions,
) -> Result<(Vec<CallRecord>, SkipReport), LogError> {
    match format {
        LogFormat::Bank => parse_bank(input, options),
        LogFormat::Csv => parse_csv(input, options),
    }
}

/// A table being read: the header's column indices and the row iterator.
struct Table<'a> {
    input: &'a [u8],
    header: Vec<String>,
    header_line: u64,
    rows: csv::StringRecordsIntoIter<&'a [u8]>,
    lines: LineCounter,
}

/// Line numbers from byte offsets. csv reports where it started looking for a
/// record, which can be the line terminator before it (CRLF input) or blank lines,
/// and its own line count drifts the same way; so skip those, then count the
/// newlines. Offsets only grow, so counting is linear overall.
#[derive(Default)]
struct LineCounter {
    byte: usize,
    newlines: u64,
}

impl LineCounter {
    fn line_at(&mut self, input: &[u8], byte: u64) -> u64 {
        let mut byte = (byte as usize).min(input.len());
        while byte < input.len() && matches!(input[byte], b'\r' | b'\n') {
            byte += 1;
        }
        if byte >= self.byte {
            self.newlines += input[self.byte..byte]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.byte = byte;
        }
        self.newlines + 1
    }
}

impl<'a> Table<'a> {
    fn open(input: &'a [u8], delimiter: u8) -> Result<Table<'a>, LogError> {
        let mut rows = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(input)
            .into_records();
        let mut lines = LineCounter::default();
        let first = rows.next().ok_or(LogError::Empty)?;
        let record = first.map_err(|e| LogError::BadHeader {
            line: e.position().map_or(1, |p| lines.line_at(input, p.byte())),
            message: e.to_string(),
        })?;
        let header_line = record
            .position()
            .map_or(1, |p| lines.line_at(input, p.byte()));
        let header = record
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
            .collect();
        Ok(Table {
            input,
            header,
            header_line,
            rows,
            lines,
        })
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn need(&self, name: &str) -> Result<usize, LogError> {
        self.find(name).ok_or_else(|| LogError::MissingColumn {
            column: name.to_string(),
            line: self.header_line,
            found: self.header.clone(),
        })
    }

    /// Each data row (with its line number), or the reason it is unreadable.
    fn for_each_row(
        mut self,
        report: &mut SkipReport,
        mut f: impl FnMut(&csv::StringRecord, u64) -> Result<(), SkipReason>,
    ) {
        let width = self.header.len();
        for row in self.rows {
            report.rows += 1;
            match row {
                Err(e) => {
                    let line = e
                        .position()
                        .map_or(0, |p| self.lines.line_at(self.input, p.byte()));
                    report.skip(SkipReason::Unreadable, line);
                }
                Ok(rec) => {
                    let line = rec
                        .position()
                        .map_or(0, |p| self.lines.line_at(self.input, p.byte()));
                    if rec.len() != width {
                        report.skip(SkipReason::WrongColumnCount, line);
                    } else if let Err(reason) = f(&rec, line) {
                        report.skip(reason, line);
                    } else {
                        report.kept += 1;
                    }
                }
            }
        }
    }
}

const DAY_S: f64 = 86_400.0;

/// `h:mm:ss` (or `hh:mm:ss.fff`) as seconds; hours may exceed 23.
fn parse_hms(s: &str) -> Option<f64> {
    let mut it = s.trim().split(':');
    let (h, m, sec) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() {
        return None;
    }
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let (sec_int, sec_frac) = sec.split_once('.').unwrap_or((sec, ""));
    if !(digits(h) && digits(m) && m.len() == 2 && digits(sec_int) && sec_int.len() == 2) {
        return None;
    }
    if !sec_frac.is_empty() && !digits(sec_frac) {
        return None;
    }
    let (h, m): (f64, f64) = (h.parse().ok()?, m.parse().ok()?);
    let s: f64 = sec.parse().ok()?;
    (m < 60.0 && s < 60.0).then_some(h * 3600.0 + m * 60.0 + s)
}

fn parse_num(s: &str) -> Result<f64, SkipReason> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or(SkipReason::BadNumber)
}

/// Check one `start → end` span with its logged duration.
fn check_span(start: f64, end: f64, dur: f64) -> Result<(), SkipReason> {
    if dur < 0.0 {
        return Err(SkipReason::NegativeDuration);
    }
    if end >= DAY_S || start >= DAY_S {
        return Err(SkipReason::PastMidnight);
    }
    if end < start {
        return Err(if start + dur >= DAY_S - 1.0 {
            SkipReason::PastMidnight
        } else {
            SkipReason::NegativeDuration
        });
    }
    Ok(())
}

/// Read the Technion "Anonymous Bank" tab-separated log.
pub fn parse_bank(
    input: &[u8],
    options: &LogOptions,
) -> Result<(Vec<CallRecord>, SkipReport), LogError> {
    let table = Table::open(input, b'\t')?;
    let col = |name| table.need(name);
    let c_date = col("date")?;
    let c_type = col("type")?;
    let c_prio = col("priority")?;
    let c_vru_entry = col("vru_entry")?;
    let c_vru_exit = col("vru_exit")?;
    let c_vru_time = col("vru_time")?;
    let c_q_start = col("q_start")?;
    let c_q_exit = col("q_exit")?;
    let c_q_time = col("q_time")?;
    let c_outcome = col("outcome")?;
    let c_ser_start = col("ser_start")?;
    let c_ser_exit = col("ser_exit")?;
    let c_ser_time = col("ser_time")?;
    let c_server = col("server")?;

    let mut records = Vec::new();
    let mut report = SkipReport::default();
    table.for_each_row(&mut report, |r, _line| {
        let day = Date::parse_yymmdd(&r[c_date]).ok_or(SkipReason::BadDate)?;
        let time = |c: usize| parse_hms(&r[c]).ok_or(SkipReason::BadTime);
        let (vru_entry, vru_exit) = (time(c_vru_entry)?, time(c_vru_exit)?);
        let (q_start, q_exit) = (time(c_q_start)?, time(c_q_exit)?);
        let (ser_start, ser_exit) = (time(c_ser_start)?, time(c_ser_exit)?);
        let vru_time = parse_num(&r[c_vru_time])?;
        let q_time = parse_num(&r[c_q_time])?;
        let ser_time = parse_num(&r[c_ser_time])?;
        let priority = r[c_prio]
            .trim()
            .parse::<u8>()
            .map_err(|_| SkipReason::BadNumber)?;
        let call_type = r[c_type].trim();
        if call_type.is_empty() {
            return Err(SkipReason::MissingCallType);
        }
        let outcome = match r[c_outcome].trim() {
            "AGENT" => Outcome::Served,
            "HANG" => Outcome::Abandoned, // or IvrOnly: decided below
            "PHANTOM" => Outcome::Phantom,
            _ => return Err(SkipReason::UnknownOutcome),
        };
        if outcome == Outcome::Phantom && !options.keep_phantom {
            return Err(SkipReason::Phantom);
        }
        // The sentinel 0:00:00 marks a stage the call never reached.
        let queued = q_start > 0.0;
        let reached_agent = ser_start > 0.0;
        check_span(vru_entry, vru_exit, vru_time)?;
        if queued {
            check_span(q_start, q_exit, q_time)?;
        }
        if reached_agent {
            check_span(ser_start, ser_exit, ser_time)?;
        }
        let server = r[c_server].trim();
        let (outcome, handle_s, agent) = match outcome {
            Outcome::Served => {
                if server.is_empty() || server == "NO_SERVER" {
                    return Err(SkipReason::NoServer);
                }
                if ser_time <= 0.0 {
                    return Err(SkipReason::ZeroServiceTime);
                }
                (Outcome::Served, Some(ser_time), Some(server.to_string()))
            }
            Outcome::Abandoned if !queued => (Outcome::IvrOnly, None, None),
            other => (other, None, None),
        };
        records.push(CallRecord {
            day,
            arrival_s: vru_entry,
            call_type: call_type.to_string(),
            priority,
            ivr_s: vru_time,
            queued,
            wait_s: if queued { q_time } else { 0.0 },
            outcome,
            handle_s,
            agent,
        });
        Ok(())
    });
    Ok((records, report))
}

/// An arrival field of the CSV format: `YYYY-MM-DD HH:MM:SS` (or `T` between),
/// or seconds since midnight of the log's first day.
fn parse_arrival(s: &str) -> Result<(Date, f64), SkipReason> {
    let s = s.trim();
    if let Some((date, time)) = s.split_once([' ', 'T']) {
        let day = Date::parse_iso(date).ok_or(SkipReason::BadDate)?;
        let t = parse_hms(time).ok_or(SkipReason::BadTime)?;
        if t >= DAY_S {
            return Err(SkipReason::PastMidnight);
        }
        return Ok((day, t));
    }
    // Seconds since the log's first midnight, up to about 3,000 years.
    let secs: f64 = s
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0 && *v < 1e11)
        .ok_or(SkipReason::BadTime)?;
    let day = (secs / DAY_S).floor();
    Ok((Date::from_days_since_epoch(day as i64), secs - day * DAY_S))
}

/// Read the plain CSV log described in the [module docs](self).
pub fn parse_csv(
    input: &[u8],
    options: &LogOptions,
) -> Result<(Vec<CallRecord>, SkipReport), LogError> {
    let table = Table::open(input, b',')?;
    let Some(c_arrival) = table.find("arrival_s").or_else(|| table.find("arrival")) else {
        return Err(LogError::MissingColumn {
            column: "arrival_s (or arrival)".into(),
            line: table.header_line,
            found: table.header.clone(),
        });
    };
    let c_type = table.need("call_type")?;
    let c_handle = table.need("handle_s")?;
    let c_patience = table.find("patience_s");
    let c_outcome = table.find("outcome");
    let c_wait = table.find("wait_s");
    let c_prio = table.find("priority");
    let c_ivr = table.find("ivr_s");
    let c_agent = table.find("agent");

    let mut records = Vec::new();
    let mut report = SkipReport::default();
    table.for_each_row(&mut report, |r, _line| {
        let (day, arrival_s) = parse_arrival(&r[c_arrival])?;
        let opt = |c: Option<usize>| c.map(|c| r[c].trim()).filter(|v| !v.is_empty());
        let opt_num = |c: Option<usize>| -> Result<Option<f64>, SkipReason> {
            match opt(c) {
                None => Ok(None),
                Some(v) => {
                    let x = parse_num(v)?;
                    if x < 0.0 {
                        Err(SkipReason::NegativeDuration)
                    } else {
                        Ok(Some(x))
                    }
                }
            }
        };
        let call_type = r[c_type].trim();
        if call_type.is_empty() {
            return Err(SkipReason::MissingCallType);
        }
        let priority = match opt(c_prio) {
            None => 0,
            Some(p) => p.parse::<u8>().map_err(|_| SkipReason::BadNumber)?,
        };
        let ivr_s = opt_num(c_ivr)?.unwrap_or(0.0);
        let wait = opt_num(c_wait)?;
        let patience = opt_num(c_patience)?;
        let handle = opt_num(Some(c_handle))?;
        let outcome = match opt(c_outcome).map(str::to_ascii_lowercase).as_deref() {
            None | Some("served") => Outcome::Served,
            Some("abandoned") => Outcome::Abandoned,
            Some("ivr_only") => Outcome::IvrOnly,
            Some("phantom") => Outcome::Phantom,
            Some(_) => return Err(SkipReason::UnknownOutcome),
        };
        if outcome == Outcome::Phantom && !options.keep_phantom {
            return Err(SkipReason::Phantom);
        }
        let (wait_s, handle_s) = match outcome {
            Outcome::Served => {
                let h = handle.ok_or(SkipReason::MissingHandleTime)?;
                if h <= 0.0 {
                    return Err(SkipReason::ZeroServiceTime);
                }
                (wait.unwrap_or(0.0), Some(h))
            }
            Outcome::Abandoned => (wait.or(patience).ok_or(SkipReason::MissingWait)?, None),
            Outcome::IvrOnly | Outcome::Phantom => (0.0, None),
        };
        records.push(CallRecord {
            day,
            arrival_s,
            call_type: call_type.to_string(),
            priority,
            ivr_s,
            queued: outcome == Outcome::Abandoned || wait_s > 0.0,
            wait_s,
            outcome,
            handle_s,
            agent: opt(c_agent).map(str::to_string),
        });
        Ok(())
    });
    Ok((records, report))
}

#[cfg(test)]
pub(crate) mod tests;
