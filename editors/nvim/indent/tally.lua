-- Indentation for Tally: one level inside { [ (, one extra level for a line
-- that continues an expression (`then ...`, `and ...`, `.sum(...)`).
if vim.b.did_indent then
  return
end
vim.b.did_indent = 1

vim.bo.autoindent = true
vim.bo.indentexpr = "v:lua.require'tally.indent'.get(v:lnum)"
vim.bo.indentkeys = "0},0],0),!^F,o,O,0=then,0=else,0=when,0=gets"

vim.b.undo_indent = "setlocal autoindent< indentexpr< indentkeys<"
