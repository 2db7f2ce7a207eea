//! Ctrl-C: the CLI's handler (installed first thing in `main`) exits with
//! 130 after removing the temporary files of writes in progress (the
//! registry itself is unit-tested in `src/output.rs`).

#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sigint_ends_a_repl_reading_from_a_pipe_with_130() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
        .args([
            "repl",
            "examples/acme/policy.tally",
            "--data",
            "examples/acme/data",
        ])
        .current_dir(root)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Whatever happens below, the child does not outlive a minute.
    let pid = child.id().to_string();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if finished.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Once an answer comes back, `main` has installed the handler.
    stdin.write_all(b"1 + 1\n").unwrap();
    stdin.flush().unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "2");
    // The REPL now waits for the next line; interrupt it.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the REPL did not stop on SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    let _ = done.send(());
    let _ = watchdog.join();
    assert_eq!(code, Some(130));
}
