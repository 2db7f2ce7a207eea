// The Vim syntax file (editors/nvim/syntax/tally.vim) lists every keyword of
// the keyword table (crates/tally-syntax/src/keywords.rs, spec §12). The
// TextMate grammar is checked by `cargo test -p tally-syntax`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const path = require("path");

const repo = path.join(__dirname, "..", "..", "..");

function keywordTable() {
  const source = fs.readFileSync(path.join(repo, "crates/tally-syntax/src/keywords.rs"), "utf8");
  const table = /pub const KEYWORDS: &\[&str\] = &\[([^\]]*)\]/.exec(source);
  assert.ok(table, "KEYWORDS not found in keywords.rs");
  return [...table[1].matchAll(/"([a-z]+)"/g)].map((m) => m[1]);
}

test("the keyword table is read", () => {
  const keywords = keywordTable();
  assert.ok(keywords.length >= 60, `only ${keywords.length} keywords`);
  assert.ok(keywords.includes("policy") && keywords.includes("of"));
});

test("nvim/syntax/tally.vim highlights every keyword", () => {
  const vim = fs.readFileSync(path.join(repo, "editors/nvim/syntax/tally.vim"), "utf8");
  const words = new Set();
  for (const line of vim.split("\n")) {
    const m = /^syn keyword \w+ (.*)$/.exec(line);
    if (m) {
      m[1].split(/\s+/).forEach((w) => words.add(w));
    }
  }
  const missing = keywordTable().filter((k) => !words.has(k));
  assert.deepEqual(missing, [], `missing from syntax/tally.vim: ${missing.join(" ")}`);
});
