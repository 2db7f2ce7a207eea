-- Tally policy files (*.tally).
if vim.filetype and vim.filetype.add then
  -- Neovim 0.8+: also known to vim.filetype.match().
  vim.filetype.add({ extension = { tally = "tally" } })
end
vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
  pattern = "*.tally",
  command = "setfiletype tally",
})
