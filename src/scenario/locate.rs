//! Finding the line of a scenario file that sets a key, so that an error names it: `name`,
//! `policy.queue`, `cluster.pools[1].count` (the second `[[cluster.pools]]` table) or
//! `workload.jobs[3].submit` (the fourth entry of an inline array).

/// The line (1-based, with its text) that sets `key`, or that starts the array entry it lies in.
pub fn find_line<'t>(text: &'t str, key: &str) -> Option<(usize, &'t str)> {
    let parts: Vec<&str> = key.split('.').collect();
    // The first part with an index decides: an array of tables, or an inline array.
    if let Some(n) = parts.iter().position(|p| p.ends_with(']')) {
        let (name, index) = split_index(parts[n])?;
        let table = join(&parts[..n], name);
        let headers = headers_of(text, &format!("[[{table}]]"));
        if !headers.is_empty() {
            let header = *headers.get(index)?;
            let under = parts.get(n + 1).map(|p| split_index(p).map_or(*p, |(k, _)| k));
            let found = under.and_then(|k| key_in_block(text, header + 1, k));
            let line = found.unwrap_or(header);
            return Some((line + 1, text.lines().nth(line)?));
        }
        let (at, _) = key_line(text, &parts[..n].join("."), name)?;
        let line = element_line(text, at - 1, index)?;
        return Some((line + 1, text.lines().nth(line)?));
    }
    // A plain key: the longest table prefix that has a header in the file, then the key under it;
    // else a table's own header.
    (0..parts.len()).rev().find_map(|n| key_line(text, &parts[..n].join("."), parts[n])).or_else(|| {
        let header = *headers_of(text, &format!("[{key}]")).first()?;
        Some((header + 1, text.lines().nth(header)?))
    })
}

/// `message` with the line after every array entry it names (`by cluster.pools[0] and
/// cluster.pools[2]` becomes `by cluster.pools[0] (line 3) and cluster.pools[2] (line 12)`).
pub fn mentions_with_lines(text: &str, message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for (i, word) in message.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
        let key = word.trim_end_matches([',', ';', ':', ')']);
        let is_key = key.ends_with(']') && key.chars().all(|c| c.is_ascii_alphanumeric() || "_.[]".contains(c));
        if let Some((n, _)) = find_line(text, key).filter(|_| is_key) {
            out.truncate(out.len() - (word.len() - key.len()));
            out.push_str(&format!(" (line {n}){}", &word[key.len()..]));
        }
    }
    out
}

/// `pools[3]` as (`pools`, 3).
fn split_index(part: &str) -> Option<(&str, usize)> {
    let (name, rest) = part.split_once('[')?;
    Some((name, rest.strip_suffix(']')?.parse().ok()?))
}

fn join(prefix: &[&str], last: &str) -> String {
    prefix.iter().copied().chain([last]).collect::<Vec<_>>().join(".")
}

/// The 0-based lines whose text is the header `header` (a comment may follow).
fn headers_of(text: &str, header: &str) -> Vec<usize> {
    let is_header = |l: &str| {
        l.trim().strip_prefix(header).is_some_and(|rest| rest.trim().is_empty() || rest.trim().starts_with('#'))
    };
    text.lines().enumerate().filter(|(_, l)| is_header(l)).map(|(i, _)| i).collect()
}

/// The 0-based line at or after `from` that sets `key`, before the next header.
fn key_in_block(text: &str, from: usize, key: &str) -> Option<usize> {
    for (i, line) in text.lines().enumerate().skip(from) {
        let t = line.trim_start();
        if t.starts_with('[') {
            return None;
        }
        if sets(t, key) {
            return Some(i);
        }
    }
    None
}

/// True when the (left-trimmed) line `t` sets `key` (`key = ...` or `key.sub = ...`).
fn sets(t: &str, key: &str) -> bool {
    let quoted = t.strip_prefix('"').and_then(|r| r.strip_prefix(key)).and_then(|r| r.strip_prefix('"'));
    let rest = quoted.or_else(|| t.strip_prefix(key));
    rest.is_some_and(|r| r.trim_start().starts_with(['=', '.']))
}

/// The first line (1-based, with its text) that sets `key` directly in table `[table]` (`""`: the
/// top level, before any header).
pub fn key_line<'t>(text: &'t str, table: &str, key: &str) -> Option<(usize, &'t str)> {
    let header = format!("[{table}]");
    let mut inside = table.is_empty();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with('[') {
            inside = !table.is_empty() && t.starts_with(&header);
            continue;
        }
        if inside && sets(t, key) {
            return Some((i + 1, line));
        }
    }
    None
}

/// The 0-based line where entry `index` of the inline array set on line `from` begins.
fn element_line(text: &str, from: usize, index: usize) -> Option<usize> {
    let start: usize = text.split_inclusive('\n').take(from).map(str::len).sum();
    let rest = &text[start..];
    let rest = &rest[rest.find('=')? + 1..];
    let (mut line, mut depth, mut count) = (from, 0usize, 0usize);
    let (mut quote, mut escaped, mut comment, mut expecting) = (None::<char>, false, false, false);
    for c in rest.chars() {
        if c == '\n' {
            line += 1;
            comment = false;
            continue;
        }
        if comment {
            continue;
        }
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if q == '"' && c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        if c == '#' {
            comment = true;
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if depth == 1 && expecting && c != ']' {
            if count == index {
                return Some(line);
            }
            expecting = false;
        }
        match c {
            '[' | '{' => {
                depth += 1;
                expecting = depth == 1;
            }
            ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return None;
                }
            }
            ',' if depth == 1 => {
                count += 1;
                expecting = true;
            }
            '"' | '\'' => quote = Some(c),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n[[cluster.pools]]\nname = \"a\"\ncount = 1\n\n[[cluster.pools]] # second\nname = \"b\"\n\
        count = 2\n[workload]\ntype = \"list\"\njobs = [\n  { submit = 0, runtime = \"1,]\" }, # one, [two]\n\n  \
        { submit = 1, runtime = 2 }, { submit = 3, runtime = 4 },\n]\n[policy]\nqueue = \"fifo\"\n";

    #[test]
    fn keys_of_tables_arrays_and_entries_have_lines() {
        let line = |key: &str| find_line(TEXT, key).map(|(n, _)| n);
        assert_eq!(line("name"), Some(1));
        assert_eq!(line("policy.queue"), Some(17));
        assert_eq!(line("cluster.pools[0].count"), Some(4));
        assert_eq!(line("cluster.pools[1].name"), Some(7));
        assert_eq!(line("cluster.pools[1].racks"), Some(6), "an unset key: the entry's header");
        assert_eq!(line("cluster.pools[2].name"), None);
        assert_eq!(line("workload.jobs[0].submit"), Some(12));
        assert_eq!(line("workload.jobs[1].tasks"), Some(14));
        assert_eq!(line("workload.jobs[2]"), Some(14));
        assert_eq!(line("workload.jobs[3]"), None);
        assert_eq!(line("workload.type"), Some(10));
        assert_eq!(line("workload"), Some(9), "a table: its header");
        assert_eq!(
            mentions_with_lines(TEXT, "given by cluster.pools[0] and cluster.pools[1]; no cluster.pools[5]."),
            "given by cluster.pools[0] (line 2) and cluster.pools[1] (line 6); no cluster.pools[5]."
        );
    }
}
