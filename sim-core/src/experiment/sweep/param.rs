//! Parameter paths: naming any number in a scenario, generically.
//!
//! A scenario is serialized to a `serde_json::Value`; a path such as
//! `call_types[general].handle_time.mean_s` is resolved against that value, the
//! number is replaced and the value deserialized back into a [`Scenario`]. Nothing
//! here knows the scenario's fields, so new fields become sweepable as the schema
//! grows.
//!
//! Syntax: a field name, then any of `.field`, `[index]` (0-based) and `[name]`
//! (the list element whose `name` field is `name`; quotes are optional:
//! `["peak hours"]`). Enums serialize externally tagged in JSON
//! (`{"Exponential": {"mean_s": 180.0}}`): a path looks through the variant tag,
//! so `handle_time.mean_s` works whatever the distribution (the tag may also be
//! written: `handle_time.Exponential.mean_s`).

use serde_json::{Number, Value};

use crate::scenario::Scenario;

/// Root fields that are experiment settings, not model parameters.
const RESERVED: [&str; 2] = ["seed", "replications"];

/// One segment of a path as written.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Field(String),
    Index(usize),
    Name(String),
}

/// A step in the JSON value: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// A resolved path: where the number sits and what kind of number it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Target {
    steps: Vec<Step>,
    /// The number is an integer in the scenario (a count): only whole values fit.
    pub(crate) integer: bool,
    /// The path in canonical form (indices, no variant tags), e.g.
    /// `agent_groups[0].count`.
    pub(crate) canonical: String,
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn parse(path: &str) -> Result<Vec<Seg>, String> {
    let mut segs = Vec::new();
    let mut rest = path.trim();
    if rest.is_empty() {
        return Err("the path is empty".into());
    }
    let mut first = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            if first {
                return Err("a path starts with a field name".into());
            }
            let end = r
                .find(']')
                .ok_or_else(|| format!("`[` without a matching `]` in `{path}`"))?;
            let inner = r[..end].trim();
            let key = inner
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(inner);
            if key.is_empty() {
                return Err(format!("empty `[]` in `{path}`"));
            }
            if !inner.starts_with('"') && key.bytes().all(|b| b.is_ascii_digit()) {
                let i = key
                    .parse()
                    .map_err(|_| format!("index {key} is too large"))?;
                segs.push(Seg::Index(i));
            } else {
                segs.push(Seg::Name(key.to_string()));
            }
            rest = &r[end + 1..];
        } else {
            let r = if first {
                rest
            } else {
                rest.strip_prefix('.').ok_or_else(|| {
                    format!(
                        "expected `.` or `[` after `{}`",
                        &path[..path.len() - rest.len()]
                    )
                })?
            };
            let end = r.find(|c: char| !is_ident_char(c)).unwrap_or(r.len());
            if end == 0 {
                return Err(format!("expected a field name in `{path}`"));
            }
            segs.push(Seg::Field(r[..end].to_string()));
            rest = &r[end..];
        }
        first = false;
    }
    Ok(segs)
}

/// An externally tagged enum variant: an object with one key that starts with an
/// upper-case letter (`{"Exponential": {...}}`). Returns the tag and the content.
fn variant(v: &Value) -> Option<(&String, &Value)> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    let (k, inner) = o.iter().next()?;
    k.starts_with(|c: char| c.is_ascii_uppercase())
        .then_some((k, inner))
}

/// The `name` of a list element (looking through a variant tag).
fn element_name(v: &Value) -> Option<&str> {
    match v.get("name").and_then(Value::as_str) {
        Some(n) => Some(n),
        None => variant(v).and_then(|(_, inner)| inner.get("name")?.as_str()),
    }
}

fn write_name(out: &mut String, name: &str) {
    if !name.is_empty() && name.chars().all(|c| is_ident_char(c) || c == '-') {
        out.push_str(&format!("[{name}]"));
    } else {
        out.push_str(&format!("[{name:?}]"));
    }
}

/// Resolve `path` against the serialized scenario `root`.
pub(crate) fn resolve(root: &Value, path: &str) -> Result<Target, String> {
    let segs = parse(path)?;
    if let Some(Seg::Field(f)) = segs.first()
        && RESERVED.contains(&f.as_str())
        && segs.len() == 1
    {
        return Err(format!(
            "`{f}` is not a model parameter: every variant runs with the sweep's own seed and \
             replications"
        ));
    }
    let mut steps = Vec::new();
    let mut canonical = String::new();
    let mut cur = root;
    let mut shown = String::new(); // the path as written so far, for messages
    for seg in &segs {
        match seg {
            Seg::Field(name) => {
                let is_tag;
                loop {
                    match cur {
                        Value::Object(o) if o.contains_key(name) => {
                            // A variant tag written out (`handle_time.Exponential`).
                            is_tag = variant(cur).is_some();
                            steps.push(Step::Key(name.clone()));
                            cur = &o[name];
                            break;
                        }
                        Value::Null => {
                            return Err(format!("`{shown}` is not set in this scenario"));
                        }
                        _ => match variant(cur) {
                            Some((tag, inner)) if inner.is_object() => {
                                steps.push(Step::Key(tag.clone()));
                                cur = inner;
                            }
                            _ => {
                                let here = if shown.is_empty() {
                                    "the scenario".to_string()
                                } else {
                                    format!("`{shown}`")
                                };
                                return Err(format!("{here} has no field `{name}`"));
                            }
                        },
                    }
                }
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(name);
                // Variant tags are left out of the canonical form.
                if !is_tag {
                    if !canonical.is_empty() {
                        canonical.push('.');
                    }
                    canonical.push_str(name);
                }
            }
            Seg::Index(_) | Seg::Name(_) if !cur.is_array() => {
                return Err(format!("`{shown}` is not a list"));
            }
            Seg::Index(i) => {
                let len = cur.as_array().map_or(0, Vec::len);
                if *i >= len {
                    return Err(format!(
                        "`{shown}` has {len} element{}; index {i} is past the end",
                        if len == 1 { "" } else { "s" }
                    ));
                }
                steps.push(Step::Index(*i));
                cur = &cur[*i];
                shown.push_str(&format!("[{i}]"));
                canonical.push_str(&format!("[{i}]"));
            }
            Seg::Name(n) => {
                let list = cur.as_array().map(Vec::as_slice).unwrap_or_default();
                let Some(i) = list.iter().position(|e| element_name(e) == Some(n)) else {
                    let names: Vec<String> = list
                        .iter()
                        .filter_map(element_name)
                        .map(|s| format!("\"{s}\""))
                        .collect();
                    return Err(if names.is_empty() {
                        format!("the elements of `{shown}` have no names; use an index")
                    } else {
                        format!(
                            "`{shown}` has no element named \"{n}\" (names: {})",
                            names.join(", ")
                        )
                    });
                };
                steps.push(Step::Index(i));
                cur = &list[i];
                write_name(&mut shown, n);
                canonical.push_str(&format!("[{i}]"));
            }
        }
    }
    // A newtype variant holding a number (`{"Fixed": 3.0}`) is looked through too.
    if let Some((tag, inner)) = variant(cur)
        && inner.is_number()
    {
        steps.push(Step::Key(tag.clone()));
        cur = inner;
    }
    match cur {
        Value::Number(n) => Ok(Target {
            steps,
            integer: !n.is_f64(),
            canonical,
        }),
        Value::Null => Err(format!("`{shown}` is not set in this scenario")),
        other => Err(format!(
            "`{shown}` is {}, not a number",
            match other {
                Value::Bool(_) => "true or false",
                Value::String(_) => "text",
                Value::Array(_) => "a list",
                _ => "a group of fields",
            }
        )),
    }
}

/// Put `value` at `target` in `root`. Integers must be whole.
pub(crate) fn set(root: &mut Value, target: &Target, value: f64) -> Result<(), String> {
    let number = if target.integer {
        if value.fract() != 0.0 || !value.is_finite() {
            return Err(format!("takes whole numbers; {value} is not one"));
        }
        if value.abs() >= 9.2e18 {
            return Err(format!("{value} is out of range"));
        }
        if value < 0.0 {
            Number::from(value as i64)
        } else {
            Number::from(value as u64)
        }
    } else {
        Number::from_f64(value).ok_or_else(|| format!("{value} is not a finite number"))?
    };
    let mut cur = root;
    for step in &target.steps {
        cur = match step {
            Step::Key(k) => cur
                .get_mut(k.as_str())
                .ok_or_else(|| format!("internal: no key {k}"))?,
            Step::Index(i) => cur
                .get_mut(*i)
                .ok_or_else(|| format!("internal: no index {i}"))?,
        };
    }
    *cur = Value::Number(number);
    Ok(())
}

/// Every numeric path of `root`, in document order, lists named by their
/// elements' `name` where they have one. A long list of plain numbers is shown
/// once, as `path[i] (i = 0..n-1)`.
pub(crate) fn numeric_paths(root: &Value) -> Vec<String> {
    fn walk(v: &Value, path: &mut String, out: &mut Vec<String>) {
        if let Some((_, inner)) = variant(v) {
            // Through the tag of an enum variant (struct or newtype).
            return walk(inner, path, out);
        }
        match v {
            Value::Number(_) => out.push(path.clone()),
            Value::Object(o) => {
                for (k, child) in o {
                    if path.is_empty() && RESERVED.contains(&k.as_str()) {
                        continue;
                    }
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                    walk(child, path, out);
                    path.truncate(len);
                }
            }
            Value::Array(a) => {
                if a.len() > 3 && a.iter().all(Value::is_number) {
                    out.push(format!("{path}[i] (i = 0..{})", a.len() - 1));
                    return;
                }
                for (i, child) in a.iter().enumerate() {
                    let len = path.len();
                    match element_name(child) {
                        Some(n) => write_name(path, n),
                        None => path.push_str(&format!("[{i}]")),
                    }
                    walk(child, path, out);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(root, &mut String::new(), &mut out);
    out
}

/// The scenario as a JSON value.
pub(crate) fn to_value(s: &Scenario) -> Result<Value, String> {
    serde_json::to_value(s).map_err(|e| format!("cannot represent the scenario: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;

    fn value() -> Value {
        let s = scenario::parse(
            r#"Scenario(name: "t", horizon_h: 2.0, seed: 4,
            call_types: [CallType(name: "general", arrivals: Poisson(per_hour: 360.0),
                handle_time: Exponential(mean_s: 180.0)),
                CallType(name: "vip", arrivals: Poisson(per_hour: 10.0),
                handle_time: Empirical(values_s: [1.0, 2.0, 3.0, 4.0]),
                patience: Uniform(min_s: 1.0, max_s: 9.0))],
            agent_groups: [AgentGroup(name: "team", count: 20, skills: ["general", "vip"])])"#,
        )
        .unwrap();
        to_value(&s).unwrap()
    }

    #[test]
    fn paths_parse() {
        assert_eq!(
            parse("agent_groups[team].count").unwrap(),
            vec![
                Seg::Field("agent_groups".into()),
                Seg::Name("team".into()),
                Seg::Field("count".into())
            ]
        );
        assert_eq!(
            parse(r#"a[0]["x y"].b"#).unwrap(),
            vec![
                Seg::Field("a".into()),
                Seg::Index(0),
                Seg::Name("x y".into()),
                Seg::Field("b".into())
            ]
        );
        for bad in ["", "[0]", "a..b", "a[", "a[]", "a.", "a b", "a]"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn resolves_by_name_index_and_through_variant_tags() {
        let v = value();
        let t = resolve(&v, "agent_groups[team].count").unwrap();
        assert!(t.integer);
        assert_eq!(t.canonical, "agent_groups[0].count");
        assert_eq!(resolve(&v, "agent_groups[0].count").unwrap().steps, t.steps);
        let t = resolve(&v, "call_types[general].handle_time.mean_s").unwrap();
        assert!(!t.integer);
        assert_eq!(t.canonical, "call_types[0].handle_time.mean_s");
        let tagged = resolve(&v, "call_types[general].handle_time.Exponential.mean_s").unwrap();
        assert_eq!(tagged.steps, t.steps);
        assert!(resolve(&v, "call_types[vip].arrivals.per_hour").is_ok());
        assert!(resolve(&v, "call_types[1].patience.max_s").is_ok());
        assert!(resolve(&v, "call_types[vip].handle_time.values_s[2]").is_ok());
        assert!(resolve(&v, "arrival_scale").is_ok());
        assert!(resolve(&v, "service_level_s").is_ok());
    }

    #[test]
    fn bad_paths_say_why() {
        let v = value();
        let err = |p: &str| resolve(&v, p).unwrap_err();
        assert!(err("agent_groups[tem].count").contains("names: \"team\""));
        assert!(err("agent_groups[3].count").contains("past the end"));
        assert!(err("agent_groups[team].cnt").contains("no field `cnt`"));
        assert!(err("call_types[general].patience.mean_s").contains("not set"));
        assert!(err("name").contains("not a number"));
        assert!(err("agent_groups[team]").contains("not a number"));
        assert!(err("seed").contains("not a model parameter"));
        assert!(err("replications").contains("not a model parameter"));
        assert!(err("horizon_h[0]").contains("not a list"));
    }

    #[test]
    fn set_writes_the_number_and_refuses_fractions_for_counts() {
        let mut v = value();
        let t = resolve(&v, "agent_groups[team].count").unwrap();
        set(&mut v, &t, 19.0).unwrap();
        assert_eq!(v["agent_groups"][0]["count"], 19);
        assert!(set(&mut v, &t, 2.5).unwrap_err().contains("whole numbers"));
        let t = resolve(&v, "call_types[general].handle_time.mean_s").unwrap();
        set(&mut v, &t, 200.5).unwrap();
        let s: Scenario = serde_json::from_value(v).unwrap();
        assert_eq!(s.agent_groups[0].count, Some(19));
        assert_eq!(s.mean_handle_s(0), 200.5);
    }

    #[test]
    fn lists_every_numeric_path() {
        let paths = numeric_paths(&value());
        for p in [
            "horizon_h",
            "warmup_h",
            "service_level_s",
            "arrival_scale",
            "call_types[general].arrivals.per_hour",
            "call_types[general].handle_time.mean_s",
            "call_types[vip].handle_time.values_s[i] (i = 0..3)",
            "call_types[vip].patience.min_s",
            "agent_groups[team].count",
        ] {
            assert!(paths.iter().any(|x| x == p), "{p} missing from {paths:?}");
        }
        assert!(!paths.iter().any(|x| x == "seed" || x == "replications"));
    }
}
