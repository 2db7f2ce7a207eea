// VS Code extension for Tally: starts `tally lsp` (stdio) for Tally documents.
// Plain CommonJS, no build step. Syntax highlighting, snippets and the
// language configuration are contributed declaratively by package.json.
"use strict";

const os = require("os");
const path = require("path");
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.OutputChannel | undefined} */
let outputChannel;

/** The `tally` executable from `tally.serverPath`. */
function serverCommand() {
  const configured = vscode.workspace.getConfiguration("tally").get("serverPath", "tally");
  let command = (configured || "tally").trim();
  if (command === "~" || command.startsWith("~/")) {
    command = path.join(os.homedir(), command.slice(1));
  }
  // A bare name is looked up on PATH; a relative path is relative to the workspace.
  const isBareName = !command.includes("/") && !command.includes("\\");
  const folders = vscode.workspace.workspaceFolders;
  if (!isBareName && !path.isAbsolute(command) && folders && folders.length > 0) {
    command = path.join(folders[0].uri.fsPath, command);
  }
  return command;
}

async function startClient() {
  const command = serverCommand();
  /** @type {import("vscode-languageclient/node").ServerOptions} */
  // No `transport`: the client then talks over the process's stdin/stdout
  // without adding arguments (TransportKind.stdio would append `--stdio`).
  const serverOptions = {
    command,
    args: ["lsp"],
  };
  /** @type {import("vscode-languageclient/node").LanguageClientOptions} */
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "tally" },
      { scheme: "untitled", language: "tally" },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/*.tally"),
    },
    outputChannel,
  };
  try {
    // The id "tally" makes the client read the `tally.trace.server` setting.
    client = new LanguageClient("tally", "Tally Language Server", serverOptions, clientOptions);
    await client.start();
  } catch (err) {
    const message = err && err.message ? err.message : String(err);
    const choice = await vscode.window.showErrorMessage(
      `Could not start the Tally language server (\`${command} lsp\`): ${message}. ` +
        "Install tally (`cargo install --path crates/tally-cli`) or set `tally.serverPath`.",
      "Open Settings",
      "Show Output"
    );
    if (choice === "Open Settings") {
      vscode.commands.executeCommand("workbench.action.openSettings", "tally.serverPath");
    } else if (choice === "Show Output" && outputChannel) {
      outputChannel.show(true);
    }
  }
}

async function stopClient() {
  if (!client) {
    return;
  }
  const running = client;
  client = undefined;
  try {
    await running.stop();
  } catch {
    // The server may never have started; nothing left to stop.
  }
}

async function restartClient() {
  await stopClient();
  await startClient();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  outputChannel = vscode.window.createOutputChannel("Tally Language Server");
  context.subscriptions.push(outputChannel);
  context.subscriptions.push(
    vscode.commands.registerCommand("tally.restartServer", restartClient),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("tally.serverPath")) {
        restartClient();
      }
    })
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate };
