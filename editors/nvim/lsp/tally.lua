-- Neovim 0.11+: the `tally` language server config, found by vim.lsp.config
-- on 'runtimepath'. Enable it with `vim.lsp.enable("tally")`.
return {
  cmd = { "tally", "lsp" },
  filetypes = { "tally" },
  root_markers = { ".git" },
}
