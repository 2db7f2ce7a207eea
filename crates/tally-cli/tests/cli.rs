//! The `tally` binary, run as a user would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tally(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the tally binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

const POLICY: &str = "examples/acme/policy.tally";
const DATA: &str = "examples/acme/data";

#[test]
fn check_and_fmt_accept_the_example() {
    let o = tally(&["check", POLICY]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let o = tally(&["fmt", "--check", POLICY]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn every_report_prints_its_expected_csv() {
    for name in [
        "assignments",
        "credit_detail",
        "bookings_by_territory",
        "attainment",
        "forecast",
        "manager_rollup",
    ] {
        let o = tally(&[
            "run", POLICY, "--data", DATA, "--report", name, "--format", "csv",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let expected =
            std::fs::read_to_string(root().join(format!("examples/acme/expected/{name}.csv")))
                .unwrap();
        assert_eq!(stdout(&o), expected, "report {name}");
    }
}

#[test]
fn other_formats() {
    for format in ["table", "md", "json"] {
        let o = tally(&[
            "run",
            POLICY,
            "--data",
            DATA,
            "--report",
            "bookings_by_territory",
            "--report",
            "attainment",
            "--format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        insta::assert_snapshot!(format!("acme_{format}"), stdout(&o));
    }
}

#[test]
fn csv_reports_go_to_a_directory_and_xlsx_to_a_file() {
    let dir = std::env::temp_dir().join(format!("tally-cli-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("reports");
    let o = tally(&[
        "run",
        POLICY,
        "--data",
        DATA,
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written = std::fs::read_to_string(out.join("forecast.csv")).unwrap();
    let expected =
        std::fs::read_to_string(root().join("examples/acme/expected/forecast.csv")).unwrap();
    assert_eq!(written, expected);
    let book = dir.join("acme.xlsx");
    let o = tally(&[
        "run",
        POLICY,
        "--data",
        DATA,
        "--format",
        "xlsx",
        "--out",
        book.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let bytes = std::fs::read(&book).unwrap();
    assert_eq!(&bytes[..2], b"PK", "an xlsx file is a zip archive");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_run_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("tally-cli-fail-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in [
        "reps",
        "accounts",
        "opportunities",
        "territory_owners",
        "quotas",
    ] {
        std::fs::copy(
            root().join(format!("{DATA}/{f}.csv")),
            dir.join(format!("{f}.csv")),
        )
        .unwrap();
    }
    let bad = std::fs::read_to_string(dir.join("accounts.csv"))
        .unwrap()
        .replace("120000", "lots");
    std::fs::write(dir.join("accounts.csv"), bad).unwrap();
    let out = dir.join("out.csv");
    let o = tally(&[
        "run",
        POLICY,
        "--data",
        dir.to_str().unwrap(),
        "--format",
        "csv",
        "--report",
        "forecast",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("lots"), "{}", stderr(&o));
    assert!(!out.exists());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
        .collect();
    assert!(leftovers.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn query_prints_values_and_tables() {
    let o = tally(&[
        "query",
        POLICY,
        "--data",
        DATA,
        "credits.where(deal == \"O-003\" and role == \"revenue\").sum(amount)",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "100,000.01 USD\n");
    let o = tally(&[
        "query",
        POLICY,
        "--data",
        DATA,
        "credits.where(deal == \"O-003\" and role == \"revenue\")",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!("query_table", stdout(&o));
    let o = tally(&[
        "query",
        POLICY,
        "--data",
        DATA,
        "credits.where(dael == \"O-003\")",
    ]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("query_error", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(tally(&["run", POLICY]).status.code(), Some(2));
    assert_eq!(
        tally(&["run", POLICY, "--data", DATA, "--report", "nope"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        tally(&["check", "no/such/policy.tally"]).status.code(),
        Some(2)
    );
    assert_eq!(tally(&["frobnicate"]).status.code(), Some(2));
}

/// A policy file that cannot be read says why, the same way in every
/// command: no such file, a folder, not UTF-8 text.
#[test]
fn unreadable_policies_say_why() {
    let dir = std::env::temp_dir().join(format!("tally-unreadable-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let binary = dir.join("latin1.tally");
    std::fs::write(&binary, b"report r \"Caf\xe9\" {}\n").unwrap();
    let missing = dir.join("missing.tally");
    let cases = [
        (
            binary.clone(),
            "it is not UTF-8 text; save it with the UTF-8 encoding",
        ),
        (missing.clone(), "there is no such file"),
        (dir.clone(), "it is a folder, not a file"),
    ];
    for (path, reason) in &cases {
        let path = path.to_str().unwrap();
        for args in [
            vec!["check", path],
            vec!["run", path, "--data", DATA],
            vec!["test", path],
            vec!["fmt", path],
        ] {
            let o = tally(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
            assert_eq!(
                stderr(&o),
                format!("error: cannot read `{path}`: {reason}\n"),
                "{args:?}"
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_reports_errors_with_exit_1() {
    let o = tally(&["check", "tests/ui/names/unknown_column_in_rule.tally"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[E0102]"), "{}", stderr(&o));
    let o = tally(&[
        "check",
        "tests/ui/names/unknown_column_in_rule.tally",
        "--format",
        "json",
    ]);
    let parsed: serde_json::Value = serde_json::from_slice(&o.stdout)
        .or_else(|_| serde_json::from_slice(&o.stderr))
        .unwrap();
    assert_eq!(parsed[0]["code"], "E0102");
}

#[test]
fn explain_a_deal_and_an_account() {
    let o = tally(&["explain", POLICY, "--data", DATA, "--deal", "O-003"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("gets 60%") && text.contains("+ 1 cent"),
        "{text}"
    );
    insta::assert_snapshot!("explain_deal", text);
    let o = tally(&["explain", POLICY, "--data", DATA, "--account", "A-006"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("no rule matched"), "{text}");
    insta::assert_snapshot!("explain_account", text);
    let o = tally(&[
        "explain", POLICY, "--data", DATA, "--deal", "O-003", "--format", "json",
    ]);
    let parsed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(parsed["key"], "O-003");
    let o = tally(&["explain", POLICY, "--data", DATA, "--deal", "O-999"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn test_command_passes_on_the_example_and_writes_junit() {
    let junit = std::env::temp_dir().join(format!("tally-junit-{}.xml", std::process::id()));
    let o = tally(&[
        "test",
        POLICY,
        "--data",
        DATA,
        "--junit",
        junit.to_str().unwrap(),
        "--coverage",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).ends_with("9 passed, 0 failed\n"),
        "{}",
        stdout(&o)
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testsuites name=\"tally\" tests=\"9\" failures=\"0\">"),
        "{xml}"
    );
    let _ = std::fs::remove_file(&junit);
}

#[test]
fn diff_reports_changes_and_fails_only_on_broken_policies() {
    let dir = std::env::temp_dir().join(format!("tally-diff-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let original = std::fs::read_to_string(root().join(POLICY)).unwrap();
    let new = dir.join("new.tally");
    std::fs::write(
        &new,
        original.replace("above      => 12%", "above      => 15%"),
    )
    .unwrap();
    let o = tally(&[
        "diff",
        POLICY,
        new.to_str().unwrap(),
        "--data",
        DATA,
        "--format",
        "md",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = stdout(&o);
    assert!(
        md.contains("18,000.00 USD") && md.contains("19,500.00 USD"),
        "{md}"
    );
    let o = tally(&["diff", POLICY, POLICY, "--data", DATA]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("No changes"), "{}", stdout(&o));
    std::fs::write(&new, "table broken {").unwrap();
    let o = tally(&["diff", POLICY, new.to_str().unwrap(), "--data", DATA]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        tally(&["diff", POLICY, new.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `tally ARGS` with `input` on stdin.
fn tally_with_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the tally binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn fmt_formats_stdin_to_stdout() {
    let messy = "table t {\nid: Text key\n}\n";
    let tidy = "table t {\n  id: Text key\n}\n";
    let o = tally_with_stdin(&["fmt", "-"], messy);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), tidy);
    let o = tally_with_stdin(&["fmt", "--check", "-"], messy);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), "<stdin>:2: not formatted\n");
    let o = tally_with_stdin(&["fmt", "--check", "-"], tidy);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Text that does not parse: nothing on stdout, the error on stderr.
    let o = tally_with_stdin(&["fmt", "-"], "table t {\n");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("<stdin>:1:9"), "{}", stderr(&o));
}

/// A policy without reports says so instead of printing nothing.
#[test]
fn a_policy_without_reports_says_so() {
    let dir = std::env::temp_dir().join(format!("tally-no-reports-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let policy = dir.join("policy.tally");
    std::fs::write(&policy, "table t {\n  id: Text key\n}\n").unwrap();
    std::fs::write(dir.join("data/t.csv"), "id\na\n").unwrap();
    let (policy, data) = (policy.to_str().unwrap(), dir.join("data"));
    let data = data.to_str().unwrap();
    let o = tally(&["run", policy, "--data", data]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("declares no reports"), "{}", stderr(&o));
    let o = tally(&["run", policy, "--data", data, "--report", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).ends_with("the policy has no report `x`; it declares none\n"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
