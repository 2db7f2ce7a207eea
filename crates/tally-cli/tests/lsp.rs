//! `tally lsp`, driven over its stdio by a small JSON-RPC client, as an
//! editor would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Messages read while waiting for something else.
    pending: VecDeque<Value>,
    next_id: i64,
}

fn acme_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/acme/policy.tally")
        .canonicalize()
        .unwrap()
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Reads one `Content-Length` framed message.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length:") {
            length = n.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0u8; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tally"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            stdin,
            messages: rx,
            pending: VecDeque::new(),
            next_id: 1,
        }
    }

    fn write(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.write(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its id without waiting.
    fn send(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.write(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The next message from the server (answering its requests).
    fn next(&mut self, deadline: Instant) -> Value {
        if let Some(m) = self.pending.pop_front() {
            return m;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(m) => {
                if m.get("method").is_some() && m.get("id").is_some() {
                    let id = m["id"].clone();
                    self.write(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                }
                m
            }
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in time"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server exited"),
        }
    }

    /// Waits for the response to request `id`, keeping other messages.
    fn response(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + WAIT;
        let mut kept = VecDeque::new();
        loop {
            let m = self.next(deadline);
            if m.get("id").and_then(Value::as_i64) == Some(id) && m.get("method").is_none() {
                kept.extend(self.pending.drain(..));
                self.pending = kept;
                return m;
            }
            kept.push_back(m);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params);
        let r = self.response(id);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// Waits for a notification `method` whose params satisfy `pred`.
    fn notification(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        let mut kept = VecDeque::new();
        loop {
            let m = self.next(deadline);
            if m.get("method").and_then(Value::as_str) == Some(method) && pred(&m["params"]) {
                kept.extend(self.pending.drain(..));
                self.pending = kept;
                return m["params"].clone();
            }
            kept.push_back(m);
        }
    }

    fn initialize(&mut self) -> Value {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "tally", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                return;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The 0-based line and UTF-16 column of the `nth` `needle` in `text`.
fn pos(text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).unwrap().0 + delta;
    let before = &text[..at];
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().unwrap().encode_utf16().count();
    json!({"line": line, "character": col})
}

fn at(uri: &str, position: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position})
}

#[test]
fn an_editor_session_on_the_acme_policy() {
    let path = acme_path();
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = uri_of(&path);
    let mut s = Server::start();
    let init = s.initialize();
    let caps = &init["capabilities"];
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "completionProvider",
        "signatureHelpProvider",
        "semanticTokensProvider",
        "documentFormattingProvider",
        "foldingRangeProvider",
        "codeActionProvider",
        "inlayHintProvider",
        "codeLensProvider",
    ] {
        assert!(!caps[cap].is_null(), "{cap} missing: {caps}");
    }
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!([".", "("])
    );

    // Open: diagnostics, and none for this policy.
    s.open(&uri, &text);
    let d = s.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri.as_str()
    });
    assert_eq!(d["diagnostics"], json!([]), "{d}");

    // A typo: one diagnostic at its range, with code and help.
    let typo = text.replacen(
        "when country == \"US\" and state in [\"NY\"",
        "when contry == \"US\" and state in [\"NY\"",
        1,
    );
    s.change(&uri, 2, &typo);
    let d = s.notification("textDocument/publishDiagnostics", |p| p["version"] == 2);
    let diags = d["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{d}");
    let start = pos(&typo, "contry", 0, 0);
    assert_eq!(diags[0]["range"]["start"], start);
    assert_eq!(
        diags[0]["range"]["end"]["character"],
        start["character"].as_i64().unwrap() + 6
    );
    assert_eq!(diags[0]["code"], "E0102");
    assert_eq!(diags[0]["severity"], 1);
    let message = diags[0]["message"].as_str().unwrap();
    assert!(message.contains("did you mean `country`?"), "{message}");

    // Its quick fix.
    let actions = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": start, "end": start}, "context": {"diagnostics": []}}),
    );
    let fix = &actions[0];
    assert_eq!(fix["title"], "replace `contry` with `country`");
    assert_eq!(
        fix["edit"]["changes"][uri.as_str()][0]["newText"],
        "country"
    );

    // Back to the policy.
    s.change(&uri, 3, &text);
    let d = s.notification("textDocument/publishDiagnostics", |p| p["version"] == 3);
    assert_eq!(d["diagnostics"], json!([]));

    // Hover on a column.
    let h = s.request(
        "textDocument/hover",
        at(&uri, pos(&text, "close_date {", 0, 3)),
    );
    let value = h["contents"]["value"].as_str().unwrap();
    assert!(value.contains("opportunities.close_date: Date"), "{value}");

    // Definition of a function.
    let def = s.request(
        "textDocument/definition",
        at(&uri, pos(&text, "territory_rep(account", 0, 3)),
    );
    assert_eq!(def[0]["uri"], uri.as_str());
    assert_eq!(
        def[0]["range"]["start"],
        pos(&text, "territory_rep(t:", 0, 0)
    );

    // References of a territory.
    let mut params = at(&uri, pos(&text, "then NA_East", 0, 6));
    params["context"] = json!({"includeDeclaration": true});
    let refs = s.request("textDocument/references", params);
    assert_eq!(refs.as_array().unwrap().len(), 4, "{refs}");

    // Rename of a table.
    let prep = s.request(
        "textDocument/prepareRename",
        at(&uri, pos(&text, "table accounts", 0, 8)),
    );
    assert_eq!(prep["placeholder"], "accounts");
    let mut params = at(&uri, pos(&text, "table accounts", 0, 8));
    params["newName"] = json!("customers");
    let edit = s.request("textDocument/rename", params);
    let edits = edit["changes"][uri.as_str()].as_array().unwrap();
    assert_eq!(edits.len(), 8, "{edit}");
    assert!(edits.iter().all(|e| e["newText"] == "customers"));
    // A refusal comes back as an error with the reason.
    let mut params = at(&uri, pos(&text, "table accounts", 0, 8));
    params["newName"] = json!("reps");
    let id = s.send("textDocument/rename", params);
    let refused = s.response(id);
    let why = refused["error"]["message"].as_str().unwrap();
    assert!(why.contains("already declared"), "{refused}");

    // Completion inside `where(`.
    let items = s.request(
        "textDocument/completion",
        at(&uri, pos(&text, "quotas.where(", 0, 13)),
    );
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    for col in ["rep", "period", "amount"] {
        assert!(labels.contains(&col), "{col} missing from {labels:?}");
    }

    // Signature help, symbols, tokens, folding.
    let sig = s.request(
        "textDocument/signatureHelp",
        at(&uri, pos(&text, "\"AE\", close_date)", 0, 6)),
    );
    assert_eq!(sig["activeParameter"], 2);
    let symbols = s.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(symbols.as_array().unwrap().len() > 20);
    let found = s.request("workspace/symbol", json!({"query": "ae_comp"}));
    assert!(found
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "ae_comp"));
    let tokens = s.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(tokens["data"].as_array().unwrap().len() > 5 * 400);
    let folds = s.request(
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(folds.as_array().unwrap().len() > 20);

    // Formatting: the policy is formatted already; a messy file is not;
    // a file with syntax errors gets no edits.
    let fmt =
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}});
    assert_eq!(s.request("textDocument/formatting", fmt), json!([]));
    let messy = "file:///tmp/tally-lsp-test-messy.tally";
    s.open(messy, "const   rate=5%\nconst x = rate*2\n");
    let fmt =
        json!({"textDocument": {"uri": messy}, "options": {"tabSize": 2, "insertSpaces": true}});
    let edits = s.request("textDocument/formatting", fmt.clone());
    assert_eq!(edits[0]["newText"], "const rate = 5%\nconst x = rate * 2\n");
    s.change(messy, 2, "const rate = (\n");
    assert_eq!(s.request("textDocument/formatting", fmt), Value::Null);

    s.shutdown();
}

#[test]
fn inlay_hints_and_code_lenses_come_from_tally_toml() {
    let root = std::env::temp_dir().join(format!("tally-lsp-data-{}", std::process::id()));
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let acme = acme_path();
    for entry in std::fs::read_dir(acme.parent().unwrap().join("data")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
    let text = std::fs::read_to_string(&acme).unwrap();
    let policy = root.join("policy.tally");
    std::fs::write(&policy, &text).unwrap();
    std::fs::write(root.join("tally.toml"), "data = \"data\"\n").unwrap();
    let uri = uri_of(&policy);
    let mut s = Server::start();
    s.initialize();
    s.open(&uri, &text);
    s.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri.as_str()
    });
    // The run on data follows the diagnostics; ask until it is there.
    let deadline = Instant::now() + WAIT;
    let hints = loop {
        let r = s.request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 300, "character": 0}}}),
        );
        if r.as_array().is_some_and(|a| !a.is_empty()) {
            break r;
        }
        assert!(Instant::now() < deadline, "no inlay hints");
        std::thread::sleep(Duration::from_millis(50));
    };
    let labels: Vec<&str> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), 12, "{labels:?}");
    assert_eq!(labels[0], "2 rows");
    let lenses = s.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": uri}}),
    );
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.first(), Some(&"28 rows"), "{titles:?}");
    s.shutdown();
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn typing_the_policy_character_by_character() {
    let text = std::fs::read_to_string(acme_path()).unwrap();
    let uri = "file:///tmp/tally-lsp-typing/policy.tally";
    let mut s = Server::start();
    s.initialize();
    s.open(uri, "");
    let started = Instant::now();
    let mut ids = Vec::new();
    let mut completed = 0;
    let mut version = 1;
    let ends: Vec<usize> = (0..=text.len())
        .step_by(3)
        .chain([text.len()])
        .filter(|e| text.is_char_boundary(*e))
        .collect();
    for (n, end) in ends.iter().enumerate() {
        version += 1;
        let prefix = &text[..*end];
        s.change(uri, version, prefix);
        let here = || pos(prefix, "", 0, prefix.len());
        if n % 16 == 0 {
            // Completion as an editor asks for it: typing waits for it, so
            // it is answered for this very text.
            let items = s.request("textDocument/completion", at(uri, here()));
            assert!(items.is_array(), "no completion at {end}: {items}");
            completed += 1;
        } else if n % 8 == 0 {
            ids.push(s.send("textDocument/hover", at(uri, here())));
        }
        if n % 64 == 0 {
            // Also a cancelled request now and then.
            let id = s.send(
                "textDocument/semanticTokens/full",
                json!({"textDocument": {"uri": uri}}),
            );
            s.notify("$/cancelRequest", json!({"id": id}));
            ids.push(id);
        }
    }
    let mut answered = 0;
    for id in ids {
        let r = s.response(id);
        let ok = r.get("result").is_some()
            || r["error"]["code"] == -32800
            || r["error"]["code"] == -32801;
        assert!(ok, "{r}");
        if !r["result"].is_null() {
            answered += 1;
        }
    }
    eprintln!("{completed} completions, {answered} other requests answered with content");
    assert!(completed > 100);
    // The last version is the whole policy: no diagnostics.
    let last = version;
    let d = s.notification("textDocument/publishDiagnostics", |p| p["version"] == last);
    assert_eq!(d["diagnostics"], json!([]), "{d}");
    assert!(s.child.try_wait().unwrap().is_none(), "the server exited");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    s.shutdown();
}

/// Go to definition reaches into the standard library: its file is
/// written, read-only, where the editor can open it.
#[test]
fn definition_of_a_standard_library_function() {
    let dir = std::env::temp_dir().join(format!("tally-lsp-stdlib-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.tally");
    let text = "const capped = clamp(5, 0, 3)\n";
    std::fs::write(&policy, text).unwrap();
    let uri = uri_of(&policy);
    let mut s = Server::start();
    s.initialize();
    s.open(&uri, text);
    s.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri.as_str()
    });
    let def = s.request(
        "textDocument/definition",
        at(&uri, pos(text, "clamp", 0, 2)),
    );
    let target = def[0]["uri"].as_str().unwrap_or_default().to_string();
    assert!(target.ends_with("/numbers.tally"), "{def}");
    let path = target.strip_prefix("file://").unwrap();
    let stdlib = std::fs::read_to_string(path).unwrap();
    let line = def[0]["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(
        stdlib.lines().nth(line).unwrap().starts_with("fn clamp("),
        "{def}"
    );
    assert!(std::fs::metadata(path).unwrap().permissions().readonly());
    s.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}
