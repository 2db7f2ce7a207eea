//! `tally repl`, driven through piped stdin and through a real terminal.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn piped(input: &str) -> (String, String, Option<i32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args([
            "repl",
            "examples/acme/policy.tally",
            "--data",
            "examples/acme/data",
        ])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
        out.status.code(),
    )
}

#[test]
fn piped_entries_print_results_without_prompts() {
    let (out, err, code) = piped(
        "credits.where(deal == \"O-003\").sum(amount)\n\
         let eve_q2 = credits.where(\n  payee == \"R-11\" and role == \"revenue\" and date in FY2026-Q2\n).sum(amount)\n\
         eve_q2\n\
         :explain deal O-003\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with("300,000.03 USD\neve_q2: Money\n60,000.01 USD\n"),
        "{out}"
    );
    assert!(
        out.contains("gets 60%") && out.contains("R-02 (Ben Ortiz) → R-01 (Ava Chen)"),
        "{out}"
    );
    assert!(!out.contains("tally>"));
}

#[test]
fn a_typo_shows_its_diagnostic_and_the_session_goes_on() {
    let (out, err, code) = piped(
        "credits.where(dael == \"O-003\").count()\ncredits.where(deal == \"O-003\").count()\n",
    );
    insta::assert_snapshot!("repl_typo", err);
    assert_eq!(out, "6\n");
    assert_eq!(code, Some(1), "piped sessions with errors exit 1");
}

#[test]
fn a_terminal_session() {
    let dir = std::env::temp_dir().join(format!("tally-repl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.tally");
    let original = std::fs::read_to_string(root().join("examples/acme/policy.tally")).unwrap();
    std::fs::write(&policy, &original).unwrap();
    let data = root().join("examples/acme/data");
    let cmd = format!(
        "env TERM=xterm-256color NO_COLOR=1 {} repl {} --data {}",
        env!("CARGO_BIN_EXE_tally"),
        policy.display(),
        data.display()
    );
    let mut p = rexpect::spawn(&cmd, Some(20_000)).unwrap();
    p.exp_string("tally> ").unwrap();

    // an expression
    p.send_line("credits.where(deal == \"O-003\").sum(amount)")
        .unwrap();
    p.exp_string("300,000.03 USD").unwrap();
    p.exp_string("tally> ").unwrap();

    // tab completion after a dot
    p.send("opportunities.cl").unwrap();
    p.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    p.send("\t").unwrap();
    p.flush().unwrap();
    p.exp_string("close_date").unwrap();
    p.send_control('u').unwrap();

    // a multi-line let: the entry continues while the bracket is open
    p.send_line("let big = opportunities.where(").unwrap();
    p.send_line("  amount > 100000 USD)").unwrap();
    p.exp_string("big: table opportunities").unwrap();
    p.send_line("big.count()").unwrap();
    p.exp_string("\r\n4\r\n").unwrap();

    // Ctrl-C cancels the current entry, the session goes on
    p.send("credits.where(").unwrap();
    p.flush().unwrap();
    p.send_control('c').unwrap();
    p.exp_string("tally> ").unwrap();

    // :reload after the policy changes, keeping the binding
    std::fs::write(&policy, original.replace("15_000 USD)", "17_500 USD)")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    p.send_line(":reload").unwrap();
    p.flush().unwrap();
    p.exp_string("kept `let big`").unwrap();
    p.send_line("ae_comp.max(payout)").unwrap();
    p.exp_string("17,500.00 USD").unwrap();

    // Ctrl-D quits
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
