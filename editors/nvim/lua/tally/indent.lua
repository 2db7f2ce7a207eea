-- The indent expression of indent/tally.lua.
local M = {}

-- Words that, first on a line, continue the expression of the line before
-- (as in crates/tally-syntax/src/scan.rs).
local CONTINUING = {
  ["and"] = true, ["or"] = true, ["in"] = true, ["within"] = true, ["then"] = true,
  ["else"] = true, ["as"] = true, ["is"] = true, ["of"] = true, ["gets"] = true,
  ["when"] = true,
}
local OPENERS = { ["{"] = true, ["["] = true, ["("] = true }

-- The code of line `lnum`: strings emptied, comment dropped, trimmed.
local function code(lnum)
  local line = vim.fn.getline(lnum)
  local out, i, n = {}, 1, #line
  while i <= n do
    local c = line:sub(i, i)
    if c == '"' then
      i = i + 1
      while i <= n and line:sub(i, i) ~= '"' do
        if line:sub(i, i) == "\\" then
          i = i + 1
        end
        i = i + 1
      end
      out[#out + 1] = '""'
    elseif c == "/" and line:sub(i + 1, i + 1) == "/" then
      break
    else
      out[#out + 1] = c
    end
    i = i + 1
  end
  return vim.trim(table.concat(out))
end

-- Unmatched openers and unmatched closers of a line's code.
local function unmatched(text)
  local open, close = 0, 0
  for c in text:gmatch("[%[%]{}()]") do
    if OPENERS[c] then
      open = open + 1
    elseif open > 0 then
      open = open - 1
    else
      close = close + 1
    end
  end
  return open, close
end

-- The nearest line above `lnum` with code (0 if none).
local function prev_code(lnum)
  local l = lnum - 1
  while l > 0 and code(l) == "" do
    l = l - 1
  end
  return l
end

-- The line holding the opener of `count` unmatched closers on line `lnum`.
local function opener(lnum, count)
  local need = count
  local l = prev_code(lnum)
  while l > 0 do
    local open, close = unmatched(code(l))
    if open >= need then
      return l
    end
    need = need - open + close
    l = prev_code(l)
  end
  return 0
end

-- Does `text` (a line's code) continue the expression of the line before?
local function continues(text)
  local c = text:sub(1, 1)
  if c ~= "" and ("+-*/<>=!?."):find(c, 1, true) then
    return true
  end
  return CONTINUING[text:match("^[%a_][%w_]*") or ""] == true
end

-- Does `text` end in the middle of an expression (`=`, an operator, `then`)?
-- Not a trailing `?` (`Text?`) or `>` (`List<Text>`), which end a type.
local function dangling(text)
  if text:match("[=+%-*/]$") or text:match("[-=]>$") or text:match("%?%?$") then
    return true
  end
  return CONTINUING[text:match("[%a_][%w_]*$") or ""] == true
end

-- The first line of the statement that line `lnum` belongs to.
local function statement_start(lnum)
  local l = lnum
  while true do
    local p = prev_code(l)
    if p == 0 or not (continues(code(l)) or dangling(code(p))) then
      return l
    end
    l = p
    local _, close = unmatched(code(l))
    if close > 0 then
      local o = opener(l, close)
      if o > 0 then
        l = o
      end
    end
  end
end

function M.get(lnum)
  local p = prev_code(lnum)
  if p == 0 then
    return 0
  end
  local sw = vim.fn.shiftwidth()
  local cur = code(lnum)
  local leading = #(cur:match("^[%]})]+") or "")
  if leading > 0 then
    local o = opener(lnum, leading)
    return o > 0 and vim.fn.indent(statement_start(o)) or 0
  end
  local prev = code(p)
  local open, close = unmatched(prev)
  if open > 0 then
    return vim.fn.indent(p) + sw
  end
  local anchor = p
  if close > 0 then
    local o = opener(p, close)
    if o > 0 then
      anchor = o
    end
  end
  local ind = vim.fn.indent(statement_start(anchor))
  if continues(cur) or dangling(prev) then
    ind = ind + sw
  end
  return ind
end

return M
