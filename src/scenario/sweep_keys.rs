//! The keys allowed directly under `[sweep]`, and a did-you-mean for the rest.

use super::sweep::{FORBIDDEN, POLICY_AXES};
use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Sweep keys that are not scenario keys.
const SWEEP_KEYS: [&str; 4] = ["replications", "load", "node_scale", "starvation_threshold"];

/// The top-level keys of a scenario file, read from the scenario type itself (so a key added to it is
/// sweepable at once): a deserializer that records the field list serde hands to `deserialize_struct`.
pub fn scenario_keys() -> &'static [&'static str] {
    struct Fields<'a>(&'a mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Fields<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("fields recorded"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = crate::scenario::Scenario::deserialize(Fields(&mut fields));
    fields
}

/// Every key that may start a `[sweep]` entry (scenario keys that cannot be swept are left out: they get
/// their own reason).
fn valid_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = SWEEP_KEYS.to_vec();
    keys.extend(POLICY_AXES);
    for k in scenario_keys() {
        if !keys.contains(k) && !FORBIDDEN.iter().any(|(f, _)| f == k) {
            keys.push(k);
        }
    }
    keys
}

/// `Err` naming `sweep.KEY` as unknown (with a did-you-mean and the valid keys) when the first part of
/// `key` (before any `.` or `[`) is neither a sweep key nor a scenario key.
pub fn check_key(key: &str) -> Result<(), String> {
    let first = key.split(['.', '[']).next().unwrap_or(key);
    let valid = valid_keys();
    if valid.contains(&first) || FORBIDDEN.iter().any(|(f, _)| *f == first) {
        return Ok(());
    }
    let hint = closest(first, &valid).map(|k| format!(" (did you mean `{k}`?)")).unwrap_or_default();
    Err(format!(
        "`sweep.{key}`: unknown key{hint}; valid keys: {}, or a dotted scenario key under one of them (e.g. `workload.load`)",
        valid.join(", ")
    ))
}

/// The candidate nearest to `word` by edit distance, if it is near enough to be a typo.
fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates.iter().map(|c| (edit_distance(word, c), *c)).filter(|(d, _)| *d <= limit).min().map(|(_, c)| c)
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_keys_come_from_the_scenario_type() {
        let keys = scenario_keys();
        for k in ["name", "seed", "cluster", "workload", "policy", "metrics", "faults", "horizon"] {
            assert!(keys.contains(&k), "{k} missing from {keys:?}");
        }
    }

    #[test]
    fn unknown_keys_get_a_did_you_mean() {
        assert_eq!(edit_distance("replicatons", "replications"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert!(check_key("workload.load").is_ok() && check_key("cluster.pools[0].cpu").is_ok());
        assert!(check_key("queue").is_ok() && check_key("load").is_ok() && check_key("seed").is_ok());
        assert!(!valid_keys().contains(&"seed") && valid_keys().contains(&"faults"));
        let e = check_key("replicatons").unwrap_err();
        assert!(
            e.starts_with(
                "`sweep.replicatons`: unknown key (did you mean `replications`?); valid keys: replications, load,"
            ),
            "{e}"
        );
        assert_eq!(closest("workloda", &valid_keys()), Some("workload"));
        assert_eq!(closest("zzz", &valid_keys()), None);
    }
}
