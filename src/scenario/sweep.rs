//! The `[sweep]` section of a scenario: which keys vary over which values, and how many replications.

use crate::policies::PolicySpec;
use serde::{Deserialize, Deserializer};

/// The policy axes, in the order of their `summary.csv` columns.
pub const POLICY_AXES: [&str; 4] = ["selection", "allocation", "queue", "recovery"];

/// Keys a sweep may not vary, with the reason given to the user.
pub const FORBIDDEN: [(&str, &str); 4] = [
    ("seed", "seeds come from `replications` (replication k of every configuration uses the same seed)"),
    ("name", "a study has one name"),
    ("output", "the study's output directory is fixed (runs go to <out>/runs/<run_id>/)"),
    ("sweep", "sweeps do not nest"),
];

/// `[sweep]`: the run matrix is the cartesian product of every dimension's values, times `replications`.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// Runs per configuration; replication k runs with the k-th seed derived from the scenario seed.
    pub replications: u32,
    /// The varied keys: policy axes first (selection, allocation, queue, recovery), then the others by key name.
    pub dimensions: Vec<Dimension>,
}

/// One varied key and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    /// Column name in `summary.csv` and `comparison.csv` (the key as written, aliases resolved).
    pub key: String,
    pub target: Target,
    pub values: Vec<toml::Value>,
}

/// What a dimension changes in a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// A policy axis (`selection`, `allocation`, `queue`, `recovery`): the value is a policy spec.
    Policy(&'static str),
    /// Offered load: inter-arrival times are divided by the factor (2 = twice as many arrivals per hour).
    Load,
    /// Every pool's node count is multiplied by the factor (rounded, at least 1 node).
    NodeScale,
    /// Any key of the scenario, by dotted path (`faults.pools[0].mtbf`, `cluster.pools[0].cpu`), set in the TOML
    /// before it is read, so every scenario key is sweepable.
    Override(Vec<PathPart>),
}

/// One step of a dotted path: a table key or an array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathPart {
    Key(String),
    Index(usize),
}

impl Dimension {
    /// The `summary.csv` cell of value `i`.
    pub fn label(&self, i: usize) -> String {
        value_label(&self.values[i])
    }
}

/// A value as a table cell: strings bare, numbers as written, policy tables as `name(k=v)`, other tables inline.
pub fn value_label(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(x) => format!("{x}"),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Table(_) => match PolicySpec::deserialize(v.clone()) {
            Ok(p) => p.to_string(),
            Err(_) => v.to_string(),
        },
        other => other.to_string(),
    }
}

/// Parses `faults.heartbeat_interval`, `cluster.pools[0].count`; every key non-empty.
pub fn parse_path(path: &str) -> Result<Vec<PathPart>, String> {
    let bad = || {
        format!("`{path}` is not a key path (expected e.g. `faults.heartbeat_interval` or `cluster.pools[0].count`)")
    };
    let mut parts = Vec::new();
    for segment in path.split('.') {
        let (key, mut rest) = match segment.find('[') {
            Some(i) => segment.split_at(i),
            None => (segment, ""),
        };
        if key.is_empty() {
            return Err(bad());
        }
        parts.push(PathPart::Key(key.to_string()));
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(bad)?;
            let index: usize = rest[1..close].parse().map_err(|_| bad())?;
            parts.push(PathPart::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(bad());
            }
        }
    }
    Ok(parts)
}

/// Sets `path` in `table` to `value`, creating missing tables; array indices must exist.
pub fn set_path(table: &mut toml::Table, path: &[PathPart], value: toml::Value) -> Result<(), String> {
    fn walk(node: &mut toml::Value, path: &[PathPart], value: toml::Value, done: &str) -> Result<(), String> {
        let Some((first, rest)) = path.split_first() else {
            *node = value;
            return Ok(());
        };
        let here = match first {
            PathPart::Key(k) if done.is_empty() => k.clone(),
            PathPart::Key(k) => format!("{done}.{k}"),
            PathPart::Index(i) => format!("{done}[{i}]"),
        };
        let child = match (first, node) {
            (PathPart::Key(k), toml::Value::Table(t)) => {
                let empty = if matches!(rest.first(), Some(PathPart::Index(_))) {
                    toml::Value::Array(Vec::new())
                } else {
                    toml::Value::Table(toml::Table::new())
                };
                t.entry(k.clone()).or_insert(empty)
            }
            (PathPart::Index(i), toml::Value::Array(a)) => {
                let len = a.len();
                a.get_mut(*i).ok_or_else(|| format!("`{here}`: index out of range (`{done}` has {len} entries)"))?
            }
            (PathPart::Key(_), _) => return Err(format!("`{here}`: `{done}` is not a table")),
            (PathPart::Index(_), _) => return Err(format!("`{here}`: `{done}` is not an array")),
        };
        if rest.is_empty() {
            *child = value;
            Ok(())
        } else {
            walk(child, rest, value, &here)
        }
    }
    let mut root = toml::Value::Table(std::mem::take(table));
    let result = walk(&mut root, path, value, "");
    if let toml::Value::Table(t) = root {
        *table = t;
    }
    result
}

impl SweepSpec {
    /// Reads `[sweep]` from its table; every message names the `sweep.` key at fault.
    pub fn from_table(table: &toml::Table) -> Result<SweepSpec, String> {
        let mut replications = 1;
        let mut flat: Vec<(String, toml::Value)> = Vec::new();
        for (k, v) in table {
            if k == "replications" {
                let max = crate::limits::MAX_REPLICATIONS;
                replications = match v {
                    toml::Value::Integer(n) if (1..=max as i64).contains(n) => *n as u32,
                    other => {
                        let other = crate::error::echo(&other.to_string());
                        return Err(format!(
                            "`sweep.replications`: expected an integer from 1 to {max}, found `{other}`"
                        ));
                    }
                };
            } else {
                super::sweep_keys::check_key(k)?;
                flatten(k, v, &mut flat);
            }
        }
        let mut dimensions = Vec::new();
        for (key, value) in flat {
            let dim = dimension(&key, value)?;
            if dimensions.iter().any(|d: &Dimension| d.key == dim.key) {
                return Err(format!("`sweep.{key}`: `{}` is swept twice", dim.key));
            }
            dimensions.push(dim);
        }
        let rank = |d: &Dimension| match d.target {
            Target::Policy(axis) => POLICY_AXES.iter().position(|a| *a == axis).unwrap_or(0),
            _ => POLICY_AXES.len(),
        };
        dimensions.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.key.cmp(&b.key)));
        let spec = SweepSpec { replications, dimensions };
        let runs = spec.dimensions.iter().fold(replications as u64, |n, d| n.saturating_mul(d.values.len() as u64));
        if runs > crate::limits::MAX_RUNS {
            return Err(format!(
                "`sweep`: {runs} runs (configurations × replications), more than {}",
                crate::limits::group(crate::limits::MAX_RUNS)
            ));
        }
        Ok(spec)
    }

    /// Number of configurations (the product of the dimensions' sizes; 1 with no dimension).
    pub fn configurations(&self) -> usize {
        self.dimensions.iter().map(|d| d.values.len()).product()
    }

    /// Total runs: configurations × replications.
    pub fn runs(&self) -> usize {
        self.configurations() * self.replications as usize
    }

    /// The value index of every dimension in configuration `c` (the last dimension varies fastest).
    pub fn coordinates(&self, mut c: usize) -> Vec<usize> {
        let mut coords = vec![0; self.dimensions.len()];
        for (i, d) in self.dimensions.iter().enumerate().rev() {
            coords[i] = c % d.values.len();
            c /= d.values.len();
        }
        coords
    }

    /// The swept keys that are not policy axes: the extra columns of `summary.csv`, in order.
    pub fn parameter_keys(&self) -> Vec<&str> {
        self.dimensions.iter().filter(|d| !matches!(d.target, Target::Policy(_))).map(|d| d.key.as_str()).collect()
    }
}

/// `[sweep.workload] users = [...]` is `"workload.users" = [...]`: nested tables become dotted keys.
fn flatten(prefix: &str, v: &toml::Value, out: &mut Vec<(String, toml::Value)>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                flatten(&format!("{prefix}.{k}"), v, out);
            }
        }
        other => out.push((prefix.to_string(), other.clone())),
    }
}

/// One `sweep.KEY = [values]` entry, checked and resolved to its target.
fn dimension(key: &str, value: toml::Value) -> Result<Dimension, String> {
    let at = |m: String| format!("`sweep.{key}`: {m}");
    let toml::Value::Array(values) = value else {
        return Err(at(format!("expected a list of values, found `{value}`")));
    };
    if values.is_empty() {
        return Err(at("expected at least one value".into()));
    }
    if let Some((_, why)) = FORBIDDEN.iter().find(|(k, _)| *k == key) {
        return Err(at(format!("cannot be swept: {why}")));
    }
    let axis = POLICY_AXES.iter().find(|a| key == **a || key.strip_prefix("policy.") == Some(**a));
    let (column, target) = if let Some(axis) = axis {
        for v in &values {
            PolicySpec::deserialize(v.clone()).map_err(|e| at(e.to_string().trim_end().to_string()))?;
        }
        (axis.to_string(), Target::Policy(axis))
    } else if key == "load" || key == "node_scale" {
        for v in &values {
            let x = match v {
                toml::Value::Float(x) => *x,
                toml::Value::Integer(i) => *i as f64,
                other => {
                    return Err(at(format!("expected factors, found `{}`", crate::error::echo(&other.to_string()))));
                }
            };
            crate::limits::factor(x).map_err(at)?;
        }
        let target = if key == "load" { Target::Load } else { Target::NodeScale };
        (key.to_string(), target)
    } else if key == "starvation_threshold" || key == "metrics.starvation_threshold" {
        let path = parse_path("metrics.starvation_threshold").map_err(at)?;
        ("starvation_threshold".to_string(), Target::Override(path))
    } else {
        (key.to_string(), Target::Override(parse_path(key).map_err(at)?))
    };
    let dim = Dimension { key: column, target, values };
    for i in 0..dim.values.len() {
        if (0..i).any(|j| dim.label(j) == dim.label(i)) {
            return Err(at(format!("value `{}` is listed twice", dim.label(i))));
        }
    }
    Ok(dim)
}

/// A factor (`load`, `node_scale`) as a number.
pub fn factor(v: &toml::Value) -> f64 {
    match v {
        toml::Value::Float(x) => *x,
        toml::Value::Integer(i) => *i as f64,
        _ => 1.0,
    }
}

impl<'de> Deserialize<'de> for SweepSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let table = toml::Table::deserialize(d)?;
        SweepSpec::from_table(&table).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Result<SweepSpec, String> {
        SweepSpec::from_table(&toml::from_str(text).unwrap())
    }

    #[test]
    fn axes_come_first_then_parameters_by_key() {
        let s = spec(
            r#"
            replications = 3
            load = [0.5, 1.0]
            queue = ["fifo", { name = "fifo", depth = 2 }]
            "faults.mtbf" = ["1d", "7d"]
            selection = ["round_robin"]
            "#,
        )
        .unwrap();
        let keys: Vec<&str> = s.dimensions.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["selection", "queue", "faults.mtbf", "load"]);
        assert_eq!(s.parameter_keys(), ["faults.mtbf", "load"]);
        assert_eq!(s.configurations(), 8);
        assert_eq!(s.runs(), 24);
        assert_eq!(s.dimensions[1].label(1), "fifo(depth=2)");
        // The last dimension varies fastest.
        assert_eq!(s.coordinates(0), [0, 0, 0, 0]);
        assert_eq!(s.coordinates(1), [0, 0, 0, 1]);
        assert_eq!(s.coordinates(2), [0, 0, 1, 0]);
        assert_eq!(s.coordinates(7), [0, 1, 1, 1]);
    }

    #[test]
    fn nested_tables_and_aliases_resolve() {
        let s = spec("[faults]\nmtbf = [1, 2]\n[policy]\nqueue = [\"fifo\"]\n").unwrap();
        assert_eq!(s.dimensions[0].target, Target::Policy("queue"));
        assert_eq!(s.dimensions[1].key, "faults.mtbf");
        let s = spec("starvation_threshold = [\"30m\", \"1h\"]").unwrap();
        assert_eq!(s.dimensions[0].key, "starvation_threshold");
        assert_eq!(
            s.dimensions[0].target,
            Target::Override(vec![PathPart::Key("metrics".into()), PathPart::Key("starvation_threshold".into())])
        );
    }

    #[test]
    fn bad_entries_name_the_key() {
        let cases = [
            ("load = 0.5", "`sweep.load`: expected a list"),
            ("load = [0.5, -1]", "`sweep.load`: expected a factor from 0.001 to 1000, found -1"),
            ("node_scale = [1e9]", "`sweep.node_scale`: expected a factor from 0.001 to 1000, found 1000000000"),
            ("replications = 100000", "`sweep.replications`: expected an integer from 1 to 10000"),
            ("queue = [3]", "`sweep.queue`"),
            ("seed = [1, 2]", "`sweep.seed`: cannot be swept"),
            ("replications = 0", "`sweep.replications`: expected an integer from 1 to 10000"),
            ("\"workload..b\" = [1]", "`sweep.workload..b`: `workload..b` is not a key path"),
            ("lod = [1]", "`sweep.lod`: unknown key (did you mean `load`?)"),
            ("queue = [\"fifo\", \"fifo\"]", "value `fifo` is listed twice"),
            ("node_scale = []", "at least one value"),
        ];
        for (text, needle) in cases {
            let err = spec(text).unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn a_study_has_at_most_a_million_runs() {
        let loads: Vec<String> = (1..=101).map(|x| x.to_string()).collect();
        let err = spec(&format!("replications = 10000\nload = [{}]", loads.join(", "))).unwrap_err();
        assert!(err.contains("1010000 runs (configurations × replications), more than 1,000,000"), "{err}");
    }

    #[test]
    fn paths_set_nested_keys_and_indices() {
        let mut t: toml::Table = toml::from_str("[[cluster.pools]]\ncount = 2\n").unwrap();
        set_path(&mut t, &parse_path("cluster.pools[0].count").unwrap(), toml::Value::Integer(5)).unwrap();
        set_path(&mut t, &parse_path("faults.mtbf").unwrap(), toml::Value::String("1d".into())).unwrap();
        assert_eq!(t["cluster"]["pools"][0]["count"].as_integer(), Some(5));
        assert_eq!(t["faults"]["mtbf"].as_str(), Some("1d"));
        let err = set_path(&mut t, &parse_path("cluster.pools[3].count").unwrap(), toml::Value::Integer(1));
        assert_eq!(err.unwrap_err(), "`cluster.pools[3]`: index out of range (`cluster.pools` has 1 entries)");
        let err = set_path(&mut t, &parse_path("faults.mtbf.x").unwrap(), toml::Value::Integer(1));
        assert_eq!(err.unwrap_err(), "`faults.mtbf.x`: `faults.mtbf` is not a table");
    }
}
