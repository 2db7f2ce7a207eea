//! Golden files: comparing a report's CSV with the file, a row-level diff
//! a reviewer can read in a CI log, and `--bless`.

use std::path::Path;

/// What `--bless` did to a golden file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlessOutcome {
    /// The file did not exist and was written.
    Created,
    /// The file existed with other contents and was rewritten.
    Updated,
    /// The file already had these contents.
    Unchanged,
}

/// A way of writing a whole file at once.
pub type WriteFile = fn(&Path, &[u8]) -> std::io::Result<()>;

/// Writes `contents` to `path` (atomically, with `write` if given) unless
/// it already holds them.
pub fn bless(
    path: &Path,
    contents: &str,
    write: Option<WriteFile>,
) -> std::io::Result<BlessOutcome> {
    let outcome = match std::fs::read_to_string(path) {
        Ok(old) if old == contents => return Ok(BlessOutcome::Unchanged),
        Ok(_) => BlessOutcome::Updated,
        Err(_) => BlessOutcome::Created,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    if let Some(write) = write {
        write(path, contents.as_bytes())?;
        return Ok(outcome);
    }
    let tmp = path.with_extension(format!("tally-tmp-{}", std::process::id()));
    std::fs::write(&tmp, contents)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(outcome)
}

fn records(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .collect()
}

/// Longest common subsequence alignment of two row lists: pairs of
/// (expected index, actual index) that are equal, in order.
fn lcs(a: &[Vec<String>], b: &[Vec<String>]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut table = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let v = if a.get(i) == b.get(j) {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
            table[i][j] = v;
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if a.get(i) == b.get(j) {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// A cell for the diff: empty cells read `(empty)`.
fn shown(cell: &str) -> String {
    if cell.is_empty() {
        "(empty)".to_string()
    } else {
        cell.to_string()
    }
}

/// How alike two rows are: rows that agree on their first cells (the
/// report's keys, usually) are the same row changed.
fn likeness(a: &[String], b: &[String]) -> usize {
    let leading = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let equal = a.iter().zip(b).filter(|(x, y)| x == y).count();
    leading * 1000 + equal
}

/// A row-level diff of two CSV texts: rows changed (`~`, each changed cell
/// as `column: old → new`), removed (`-`) and added (`+`).
pub fn csv_diff(expected: &str, actual: &str) -> String {
    let a = records(expected);
    let b = records(actual);
    let header: Vec<String> = b.first().or(a.first()).cloned().unwrap_or_default();
    let mut out = String::new();
    if a.first() != b.first() {
        out.push_str(&format!(
            "  columns differ:\n    expected: {}\n    actual:   {}\n",
            a.first().map(|h| h.join(",")).unwrap_or_default(),
            b.first().map(|h| h.join(",")).unwrap_or_default()
        ));
    }
    let (a_rows, b_rows) = (a.get(1..).unwrap_or(&[]), b.get(1..).unwrap_or(&[]));
    let common = lcs(a_rows, b_rows);
    let mut removed: Vec<usize> = (0..a_rows.len())
        .filter(|i| !common.iter().any(|(x, _)| x == i))
        .collect();
    let mut added: Vec<usize> = (0..b_rows.len())
        .filter(|j| !common.iter().any(|(_, y)| y == j))
        .collect();
    // Pair removed and added rows that share their leading (key) cells.
    let mut changed: Vec<(usize, usize)> = Vec::new();
    loop {
        let mut best: Option<(usize, usize, usize)> = None;
        for (ri, &r) in removed.iter().enumerate() {
            for (ai, &x) in added.iter().enumerate() {
                let (Some(rr), Some(xr)) = (a_rows.get(r), b_rows.get(x)) else {
                    continue;
                };
                let score = likeness(rr, xr);
                if score >= 1000 && best.is_none_or(|(s, _, _)| score > s) {
                    best = Some((score, ri, ai));
                }
            }
        }
        let Some((_, ri, ai)) = best else { break };
        changed.push((removed.remove(ri), added.remove(ai)));
    }
    changed.sort();
    let cell = |row: Option<&Vec<String>>, c: usize| {
        row.and_then(|r| r.get(c))
            .map(String::as_str)
            .unwrap_or("")
            .to_string()
    };
    for (r, x) in &changed {
        let (old, new) = (a_rows.get(*r), b_rows.get(*x));
        let key_len = old
            .zip(new)
            .map(|(o, n)| o.iter().zip(n).take_while(|(p, q)| p == q).count())
            .unwrap_or(0)
            .clamp(1, 2);
        let key: Vec<String> = (0..key_len).map(|c| cell(old, c)).collect();
        let cells: Vec<String> = header
            .iter()
            .enumerate()
            .filter(|(c, _)| cell(old, *c) != cell(new, *c))
            .map(|(c, name)| {
                format!(
                    "{name}: {} → {}",
                    shown(&cell(old, c)),
                    shown(&cell(new, c))
                )
            })
            .collect();
        out.push_str(&format!("  ~ {}: {}\n", key.join(", "), cells.join("; ")));
    }
    for r in &removed {
        out.push_str(&format!(
            "  - removed: {}\n",
            a_rows.get(*r).map(|x| x.join(",")).unwrap_or_default()
        ));
    }
    for x in &added {
        out.push_str(&format!(
            "  + added:   {}\n",
            b_rows.get(*x).map(|x| x.join(",")).unwrap_or_default()
        ));
    }
    out.push_str(&format!(
        "  ({} changed, {} removed, {} added)\n",
        changed.len(),
        removed.len(),
        added.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The host's writer gets the file (the CLI's registers its temporary
    /// file for Ctrl-C); without one, nothing is left beside the file.
    #[test]
    fn bless_writes_with_the_hosts_writer() {
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        fn counting(path: &Path, contents: &[u8]) -> std::io::Result<()> {
            CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            std::fs::write(path, contents)
        }
        let dir = std::env::temp_dir().join(format!("tally-bless-{}", std::process::id()));
        let path = dir.join("golden/report.csv");
        assert_eq!(
            bless(&path, "a\n", Some(counting)).unwrap(),
            BlessOutcome::Created
        );
        assert_eq!(CALLS.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(
            bless(&path, "a\n", Some(counting)).unwrap(),
            BlessOutcome::Unchanged
        );
        assert_eq!(CALLS.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(bless(&path, "b\n", None).unwrap(), BlessOutcome::Updated);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b\n");
        let left: Vec<_> = std::fs::read_dir(dir.join("golden")).unwrap().collect();
        assert_eq!(left.len(), 1, "only the golden file is left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn diff_shows_changed_cells() {
        let expected = "rep,q,payout\nAnn,Q1,10.00\nBob,Q1,5.00\nCid,Q1,1.00\n";
        let actual = "rep,q,payout\nAnn,Q1,10.00\nBob,Q1,7.50\nDan,Q1,2.00\n";
        insta::assert_snapshot!(csv_diff(expected, actual), @r"
          ~ Bob, Q1: payout: 5.00 → 7.50
          - removed: Cid,Q1,1.00
          + added:   Dan,Q1,2.00
          (1 changed, 1 removed, 1 added)
        ");
    }
}
