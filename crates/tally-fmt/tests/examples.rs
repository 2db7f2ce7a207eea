//! The bundled example is canonical, and every policy in the repository
//! formats idempotently without changing its meaning or losing a comment.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

use std::path::{Path, PathBuf};
use tally_diagnostics::FileId;
use tally_fmt::{format_source, same_ast, same_comments};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn tally_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            tally_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "tally") {
            out.push(path);
        }
    }
}

#[test]
fn acme_example_is_canonical() {
    let path = workspace_root().join("examples/acme/policy.tally");
    let src = std::fs::read_to_string(path).unwrap();
    let formatted = format_source(&src).unwrap();
    if formatted != src {
        let diff = similar_lines(&src, &formatted);
        panic!("the acme example is not canonical:\n{diff}");
    }
}

fn similar_lines(a: &str, b: &str) -> String {
    let mut out = String::new();
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            out.push_str(&format!("line {}:\n- {x}\n+ {y}\n", i + 1));
        }
    }
    if a.lines().count() != b.lines().count() {
        out.push_str(&format!(
            "{} lines became {}\n",
            a.lines().count(),
            b.lines().count()
        ));
    }
    out
}

#[test]
fn every_policy_in_the_repository_formats_idempotently() {
    let root = workspace_root();
    let mut files = Vec::new();
    tally_files(&root.join("examples"), &mut files);
    tally_files(&root.join("tests"), &mut files);
    assert!(
        !files.is_empty(),
        "no .tally files found under {}",
        root.display()
    );
    let mut checked = 0;
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let parsed = tally_syntax::parse(FileId(0), &src);
        if !parsed.diagnostics.is_empty() {
            continue;
        }
        let once = format_source(&src).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let twice = format_source(&once).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(once, twice, "{} is not idempotent", path.display());
        let reparsed = tally_syntax::parse(FileId(0), &once);
        assert!(
            same_ast(&parsed.module, &reparsed.module),
            "{}",
            path.display()
        );
        assert!(
            same_comments(&parsed.module, &reparsed.module),
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked > 0);
}
