// Smoke tests for extension.js and the manifest, without VS Code: the
// `vscode` module and the language client are replaced by stubs that record
// how the client is created. Run with `node --test tests/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const os = require("os");
const path = require("path");
const Module = require("module");

const root = path.join(__dirname, "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));

/** Loads extension.js against stubs; `settings` maps "section.key" to values. */
function loadExtension(settings = {}, { folders, failStart = false } = {}) {
  const record = { clients: [], errors: [], commands: {} };
  const disposable = { dispose() {} };
  const vscode = {
    workspace: {
      getConfiguration: (section) => ({
        get: (key, fallback) => {
          const value = settings[`${section}.${key}`];
          return value === undefined ? fallback : value;
        },
      }),
      workspaceFolders: folders && folders.map((fsPath) => ({ uri: { fsPath } })),
      createFileSystemWatcher: (glob) => ({ glob, ...disposable }),
      onDidChangeConfiguration: () => disposable,
    },
    window: {
      createOutputChannel: (name) => ({ name, show() {}, ...disposable }),
      showErrorMessage: async (message) => {
        record.errors.push(message);
        return undefined;
      },
    },
    commands: {
      registerCommand: (id, fn) => {
        record.commands[id] = fn;
        return disposable;
      },
      executeCommand: async () => undefined,
    },
  };
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, stopped: false });
      record.clients.push(this);
    }
    async start() {
      if (failStart) {
        throw new Error("spawn tally ENOENT");
      }
    }
    async stop() {
      this.stopped = true;
    }
  }
  const stubs = {
    vscode,
    "vscode-languageclient/node": { LanguageClient, TransportKind: { stdio: 0, ipc: 1 } },
  };
  const originalLoad = Module._load;
  Module._load = function (request, ...rest) {
    return Object.prototype.hasOwnProperty.call(stubs, request)
      ? stubs[request]
      : originalLoad.call(this, request, ...rest);
  };
  try {
    const file = require.resolve(path.join(root, manifest.main));
    delete require.cache[file];
    return { extension: require(file), record };
  } finally {
    Module._load = originalLoad;
  }
}

const context = () => ({ subscriptions: [] });

test("starts `tally lsp` over stdio for tally documents", async () => {
  const { extension, record } = loadExtension();
  await extension.activate(context());
  assert.equal(record.clients.length, 1);
  const client = record.clients[0];
  // The id makes vscode-languageclient read the `tally.trace.server` setting.
  assert.equal(client.id, "tally");
  assert.equal(client.serverOptions.command, "tally");
  assert.deepEqual(client.serverOptions.args, ["lsp"]);
  // Exactly `tally lsp`: with a `transport` of stdio the client would add `--stdio`.
  assert.equal(client.serverOptions.transport, undefined);
  assert.ok(client.clientOptions.documentSelector.every((s) => s.language === "tally"));
  assert.ok(record.commands["tally.restartServer"]);
  await extension.deactivate();
  assert.ok(client.stopped);
});

test("tally.serverPath: absolute, workspace-relative and ~ paths", async () => {
  const cases = [
    ["/opt/tally/bin/tally", "/opt/tally/bin/tally"],
    ["./target/release/tally", path.join("/work/repo", "target/release/tally")],
    ["~/.cargo/bin/tally", path.join(os.homedir(), ".cargo/bin/tally")],
    ["tally-dev", "tally-dev"],
  ];
  for (const [setting, expected] of cases) {
    const { extension, record } = loadExtension(
      { "tally.serverPath": setting },
      { folders: ["/work/repo"] }
    );
    await extension.activate(context());
    assert.equal(record.clients[0].serverOptions.command, expected, setting);
    assert.deepEqual(record.clients[0].serverOptions.args, ["lsp"]);
    await extension.deactivate();
  }
});

test("a server that cannot start is reported, not thrown", async () => {
  const { extension, record } = loadExtension({}, { failStart: true });
  await extension.activate(context());
  assert.equal(record.errors.length, 1);
  assert.match(record.errors[0], /tally\.serverPath/);
  await extension.deactivate();
});

test("restart command replaces the client", async () => {
  const { extension, record } = loadExtension();
  await extension.activate(context());
  await record.commands["tally.restartServer"]();
  assert.equal(record.clients.length, 2);
  assert.ok(record.clients[0].stopped);
  await extension.deactivate();
});

test("manifest: contributed files exist and agree", () => {
  assert.equal(manifest.name, "tally");
  assert.equal(manifest.publisher, "tally");
  assert.deepEqual(manifest.activationEvents, ["onLanguage:tally"]);
  const [language] = manifest.contributes.languages;
  assert.equal(language.id, "tally");
  assert.deepEqual(language.extensions, [".tally"]);
  JSON.parse(fs.readFileSync(path.join(root, language.configuration), "utf8"));
  const [grammar] = manifest.contributes.grammars;
  const tm = JSON.parse(fs.readFileSync(path.join(root, grammar.path), "utf8"));
  assert.equal(grammar.scopeName, "source.tally");
  assert.equal(tm.scopeName, grammar.scopeName);
  const snippets = JSON.parse(
    fs.readFileSync(path.join(root, manifest.contributes.snippets[0].path), "utf8")
  );
  for (const name of ["assign", "credit", "plan", "report", "test", "golden", "table"]) {
    assert.ok(snippets[name], `snippet ${name}`);
    assert.equal(snippets[name].prefix, name);
  }
  const props = manifest.contributes.configuration.properties;
  assert.equal(props["tally.serverPath"].default, "tally");
  assert.deepEqual(props["tally.trace.server"].enum, ["off", "messages", "verbose"]);
  assert.ok(fs.existsSync(path.join(root, manifest.main)));
});
