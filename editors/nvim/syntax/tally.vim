" Vim syntax file
" Language: Tally (plain-text sales-ops policies)
" Simple regex highlighting; the language server adds diagnostics, hover, etc.
" Keywords are spec §12 (crates/tally-syntax/src/keywords.rs).

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match

" Operators first: comments, numbers and dates below win where they overlap.
syn match tallyOperator "==\|!=\|<=\|>=\|=>\|->\|??\|[<>=+*/-]"

syn keyword tallyDeclaration policy import settings table territories const fn assign credit plan report test golden
syn keyword tallyConditional if then else when otherwise
syn keyword tallyOperatorWord and or not in is within of as some
syn keyword tallyKeyword key from format effective first match all unique rule where on let gets rollup via for group by columns order desc asc limit totals given expect matches data tiered marginal retro up to above
syn keyword tallyBoolean true false
syn keyword tallyNone none
syn keyword tallyType Text Int Decimal Percent Money Date Bool Period Territory List Map

" After `.` or `?.` any word is a field or method name, keywords included
" (`.where(...)`, `.first(rep)`). Left unhighlighted on purpose.
syn match tallyMember "?\=\.\h\w*"

" Declaration names: `table NAME`, `plan NAME`, `report NAME`, `fn NAME`,
" `const NAME`, `credit TABLE`.
syn match tallyDeclName "\%(^\s*\%(table\|plan\|report\|fn\|const\|credit\)\s\+\)\@<=\h\w*"

syn match tallyNumber "\<\d[0-9_]*\>"
syn match tallyNumber "\<\d[0-9_]*\.\d[0-9_]*\>"
syn match tallyPercent "\<\d[0-9_]*\%(\.\d[0-9_]*\)\=%"
syn match tallyMoney "\<\d[0-9_]*\%(\.\d[0-9_]*\)\=[ \t]*\u\u\u\>"
syn match tallyDate "\<\d\{4}-\d\{2}-\d\{2}\>"
syn match tallyPeriod "\<FY\d\{4}\%(-\%(Q\d\|M\d\d\)\)\=\>"

syn match tallyBadEscape contained "\\."
syn match tallyEscape contained "\\[\"\\nt]"
" A string never spans lines: an unterminated one ends at the end of its line.
syn region tallyString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ contains=tallyEscape,tallyBadEscape,@Spell
" The label after `rule` (the audit reason shown by explain and coverage).
syn region tallyRuleLabel start=+\%(\<rule\s\+\)\@<="+ skip=+\\\\\|\\"+ end=+"+ end=+$+ contains=tallyEscape,tallyBadEscape,@Spell

syn keyword tallyTodo contained TODO FIXME XXX NOTE
syn match tallyComment "//.*$" contains=tallyTodo,@Spell
" `///` (not `////`) is a doc comment, attached to the next declaration.
syn match tallyDocComment "///\%(/\)\@!.*$" contains=tallyTodo,@Spell

hi def link tallyOperator Operator
hi def link tallyDeclaration Structure
hi def link tallyConditional Conditional
hi def link tallyOperatorWord Operator
hi def link tallyKeyword Keyword
hi def link tallyBoolean Boolean
hi def link tallyNone Constant
hi def link tallyType Type
hi def link tallyDeclName Function
hi def link tallyNumber Number
hi def link tallyPercent Number
hi def link tallyMoney Number
hi def link tallyDate Constant
hi def link tallyPeriod Constant
hi def link tallyEscape SpecialChar
hi def link tallyBadEscape Error
hi def link tallyString String
hi def link tallyRuleLabel Label
hi def link tallyTodo Todo
hi def link tallyComment Comment
hi def link tallyDocComment SpecialComment

let b:current_syntax = "tally"

let &cpo = s:cpo_save
unlet s:cpo_save
