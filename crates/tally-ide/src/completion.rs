//! Completion that knows where it is: columns inside `where(...)` and
//! after `.` on a row, methods after `.` on a table, territories where a
//! `Territory` is expected, functions with snippet arguments, keywords,
//! setting names and values, types.

use crate::analysis::Analysis;
use crate::context::{analyse, ColumnItem, Member, Place, Scope};
use tally_check::{Program, TableKind, AGGREGATES, TABLE_METHODS, TERRITORY_FIELDS};
use tally_diagnostics::Span;

/// What a completion item is (for its icon).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompletionKind {
    /// A keyword.
    Keyword,
    /// A declaration template.
    Snippet,
    /// A table, plan or report.
    Table,
    /// A column.
    Column,
    /// A function or aggregate.
    Function,
    /// A table or territory method.
    Method,
    /// A territory.
    Territory,
    /// A const.
    Const,
    /// A local name.
    Variable,
    /// A setting name.
    Setting,
    /// A setting value.
    Value,
    /// A type.
    Type,
}

/// One completion proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What is shown (and filtered on).
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// A short note shown next to the label (a type, a signature).
    pub detail: Option<String>,
    /// Markdown documentation.
    pub documentation: Option<String>,
    /// What is inserted (a snippet when `snippet`).
    pub insert_text: String,
    /// `insert_text` uses `${1:name}` placeholders.
    pub snippet: bool,
    /// Sorts items (ascending) before the label.
    pub sort_text: String,
    /// The text replaced: the word typed so far.
    pub replace: Span,
    /// Pre-select this item.
    pub preselect: bool,
}

/// Expression keywords offered in expressions.
const EXPR_KEYWORDS: &[&str] = &[
    "if", "then", "else", "and", "or", "not", "in", "is", "some", "none", "true", "false",
    "within", "as", "tiered",
];

/// Templates for the start of a declaration.
const DECLARATIONS: &[(&str, &str)] = &[
    ("policy", "policy \"${1:title}\""),
    ("import", "import \"${1:file.tally}\""),
    ("settings", "settings {\n  currency = ${1:USD}\n  fiscal_year_start = ${2:January}\n}"),
    ("table", "table ${1:name} {\n  ${2:id}: ${3:Text} key\n}"),
    ("territories", "territories {\n  ${1:Global}\n}"),
    ("const", "const ${1:name} = ${2:value}"),
    ("fn", "fn ${1:name}(${2:x}: ${3:Int}) -> ${4:Int} = ${5:x}"),
    ("assign", "assign ${1:table}.${2:field} (first match) {\n  rule \"${3:label}\" when ${4:condition} then ${5:value}\n  otherwise ${6:value}\n}"),
    ("credit", "credit ${1:table} on ${2:date} {\n  revenue (first match) {\n    otherwise ${3:owner} gets 100%\n  }\n}"),
    ("plan", "plan ${1:name} \"${2:title}\" {\n  for ${3:rep} in ${4:reps}\n  ${5:metric} = ${6:value}\n}"),
    ("report", "report ${1:name} \"${2:title}\" {\n  from ${3:table}\n  columns { ${4} }\n}"),
    ("test", "test \"${1:name}\" {\n  expect ${2:condition}\n}"),
    ("golden", "golden \"${1:name}\" {\n  report ${2:report}\n  matches \"${3:expected.csv}\"\n}"),
];

/// Completion proposals at `offset` of `current`'s text. `last_good` is
/// the last version of the document without syntax errors; names missing
/// from a broken text are taken from it.
pub fn completion(
    current: &Analysis,
    last_good: Option<&Analysis>,
    offset: usize,
) -> Vec<CompletionItem> {
    let ctx = analyse(current, last_good, offset);
    // The whole word under the cursor is replaced, so completing in the
    // middle of a name does not leave its tail behind.
    let cursor = crate::text::clamp(&current.text, offset).max(ctx.prefix_start);
    let tail = current
        .text
        .get(cursor..)
        .unwrap_or("")
        .chars()
        .take_while(|c| crate::text::is_ident_char(*c))
        .map(char::len_utf8)
        .sum::<usize>();
    let replace = Span::new(current.file(), ctx.prefix_start, cursor + tail);
    let program = ctx.patched.as_ref().unwrap_or(current).program();
    let mut out = Items {
        items: Vec::new(),
        replace,
    };
    match &ctx.place {
        Place::Nothing => {}
        Place::TopLevel => {
            for (kw, body) in DECLARATIONS {
                out.snippet(kw, CompletionKind::Snippet, "declaration", body, "0");
            }
        }
        Place::SettingName(present) => {
            for (name, doc) in [
                ("currency", "the policy's base currency (default USD)"),
                (
                    "fiscal_year_start",
                    "the first month of the fiscal year (default January)",
                ),
                (
                    "rounding",
                    "money rounding: `half_even` (default) or `half_up`",
                ),
            ] {
                if !present.iter().any(|p| p == name) {
                    out.push(
                        name,
                        CompletionKind::Setting,
                        Some(doc),
                        &format!("{name} = "),
                        "0",
                    );
                }
            }
        }
        Place::SettingValue(name) => {
            let values: &[&str] = match name.as_str() {
                "currency" => &["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD"],
                "fiscal_year_start" => &tally_check::MONTHS,
                "rounding" => &["half_even", "half_up"],
                _ => &[],
            };
            for (i, v) in values.iter().enumerate() {
                out.push(v, CompletionKind::Value, None, v, &format!("{i:02}"));
            }
        }
        Place::Type => {
            for t in tally_check::SCALAR_TYPE_NAMES {
                out.push(t, CompletionKind::Type, Some("type"), t, "0");
            }
            for t in &program.tables {
                if matches!(t.kind, TableKind::Declared(_)) {
                    out.push(
                        &t.name,
                        CompletionKind::Table,
                        Some("a row of this table"),
                        &t.name,
                        "1",
                    );
                }
            }
        }
        Place::Keywords(words) => {
            for w in words {
                out.push(w, CompletionKind::Keyword, None, w, "0");
            }
        }
        Place::ReportName => {
            for (_, t) in &program.reports {
                let name = program.table_name(*t);
                out.push(&name, CompletionKind::Table, Some("report"), &name, "0");
            }
        }
        Place::Member(member) => members(&mut out, member),
        Place::Expr(scope) => {
            expression(&mut out, program, current, last_good, scope);
            // Where a type is expected, pre-select the best fitting item.
            if scope.expected.is_some() {
                let best = out
                    .items
                    .iter_mut()
                    .filter(|i| i.sort_text.starts_with("0_"))
                    .min_by(|a, b| a.sort_text.cmp(&b.sort_text));
                if let Some(best) = best {
                    best.preselect = true;
                }
            }
        }
    }
    out.items
}

struct Items {
    items: Vec<CompletionItem>,
    replace: Span,
}

impl Items {
    fn push(
        &mut self,
        label: &str,
        kind: CompletionKind,
        detail: Option<&str>,
        insert: &str,
        sort: &str,
    ) -> bool {
        if self.items.iter().any(|i| i.label == label) {
            return false;
        }
        self.items.push(CompletionItem {
            label: label.to_string(),
            kind,
            detail: detail.map(str::to_string),
            documentation: None,
            insert_text: insert.to_string(),
            snippet: false,
            sort_text: format!("{sort}_{label}"),
            replace: self.replace,
            preselect: false,
        });
        true
    }

    fn snippet(
        &mut self,
        label: &str,
        kind: CompletionKind,
        detail: &str,
        body: &str,
        sort: &str,
    ) -> bool {
        let pushed = self.push(label, kind, Some(detail), body, sort);
        if pushed {
            if let Some(last) = self.items.last_mut() {
                last.snippet = true;
            }
        }
        pushed
    }

    /// Documents the item just pushed (when it was).
    fn document(&mut self, pushed: bool, doc: Option<&str>) {
        if let (true, Some(last)) = (pushed, self.items.last_mut()) {
            last.documentation = doc.map(str::to_string);
        }
    }
}

/// `name(${1:a}, ${2:b})`, or `name()` without parameters.
fn call_snippet<'a>(name: &str, params: impl Iterator<Item = &'a str>) -> String {
    let args: Vec<String> = params
        .enumerate()
        .map(|(i, p)| format!("${{{}:{p}}}", i + 1))
        .collect();
    format!("{name}({})", args.join(", "))
}

/// The parameter names of a native signature such as `where(predicate: Bool) -> table`.
fn signature_params(signature: &str) -> Vec<&str> {
    let inner = signature
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inside, _)| inside)
        .unwrap_or("");
    inner
        .split(',')
        .map(|p| p.split([':', ' ']).next().unwrap_or("").trim())
        .filter(|p| !p.is_empty())
        .collect()
}

fn members(out: &mut Items, member: &Member) {
    match member {
        Member::Row(columns) => {
            for c in columns {
                out.push(&c.name, CompletionKind::Column, Some(&c.ty), &c.name, "0");
            }
        }
        Member::Table { effective, keyed } => {
            for m in TABLE_METHODS {
                if (m.name == "at" && !effective) || (m.name == "get" && !keyed) {
                    continue;
                }
                let body = call_snippet(m.name, signature_params(m.signature).into_iter());
                let pushed = out.snippet(m.name, CompletionKind::Method, m.signature, &body, "0");
                out.document(pushed, Some(m.doc));
            }
        }
        Member::Territory => {
            for (name, doc) in TERRITORY_FIELDS {
                out.push(name, CompletionKind::Column, Some(doc), name, "0");
            }
            out.snippet(
                "ancestor",
                CompletionKind::Method,
                "ancestor(level: Int) -> Territory?",
                "ancestor(${1:level})",
                "1",
            );
        }
        Member::Unknown => {}
    }
}

fn same_type(a: &str, expected: Option<&String>) -> bool {
    expected.is_some_and(|e| a.trim_end_matches('?') == e)
}

fn expression(
    out: &mut Items,
    program: &Program,
    current: &Analysis,
    last_good: Option<&Analysis>,
    scope: &Scope,
) {
    let expected = scope.expected.as_ref();
    let rank = |ty: &str, base: u8| {
        if same_type(ty, expected) {
            "0".to_string()
        } else {
            base.to_string()
        }
    };
    let mut seen_columns: Vec<&ColumnItem> = Vec::new();
    for c in &scope.columns {
        if seen_columns.iter().any(|s| s.name == c.name) {
            continue;
        }
        seen_columns.push(c);
        let detail = format!("{} — column of {}", c.ty, c.table);
        out.push(
            &c.name,
            CompletionKind::Column,
            Some(&detail),
            &c.name,
            &rank(&c.ty, 1),
        );
    }
    for l in &scope.locals {
        let ty = l.ty.clone().unwrap_or_default();
        let detail = format!("{} {}", l.kind.describe(), ty).trim().to_string();
        out.push(
            &l.name,
            CompletionKind::Variable,
            Some(&detail),
            &l.name,
            &rank(&ty, 2),
        );
    }
    if scope.aggregates {
        for a in AGGREGATES {
            let body = if *a == "count" {
                "count()".to_string()
            } else {
                format!("{a}(${{1:value}})")
            };
            out.snippet(a, CompletionKind::Function, "aggregate", &body, "3");
        }
    }
    let territory_expected = expected.is_some_and(|e| e == "Territory");
    for t in &program.territories {
        let sort = if territory_expected { "0" } else { "5" };
        out.push(
            &t.name,
            CompletionKind::Territory,
            Some(&t.path),
            &t.name,
            sort,
        );
    }
    globals(out, program, expected, &rank);
    // Names a broken declaration hides: take them from the last good text.
    if let Some(good) = last_good {
        let broken = &current.program().broken_names;
        let hidden = |name: &str| broken.iter().any(|b| b == name);
        let gp = good.program();
        let before = out.items.len();
        globals(out, gp, expected, &rank);
        let mut i = before;
        while i < out.items.len() {
            if out.items.get(i).is_some_and(|it| hidden(&it.label)) {
                i += 1;
            } else {
                out.items.remove(i);
            }
        }
    }
    for kw in EXPR_KEYWORDS {
        out.push(kw, CompletionKind::Keyword, None, kw, "9");
    }
}

fn globals(
    out: &mut Items,
    program: &Program,
    expected: Option<&String>,
    rank: &dyn Fn(&str, u8) -> String,
) {
    for c in &program.consts {
        let ty = program.show(&c.ty);
        out.push(
            &c.name,
            CompletionKind::Const,
            Some(&ty),
            &c.name,
            &rank(&ty, 3),
        );
    }
    for t in &program.tables {
        let what = match t.kind {
            TableKind::Declared(_) => "table",
            TableKind::Credits => "built-in table",
            TableKind::Plan(_) => "plan",
            TableKind::Report(_) => "report",
        };
        let pushed = out.push(&t.name, CompletionKind::Table, Some(what), &t.name, "4");
        out.document(pushed, t.doc.as_deref());
    }
    let mut fns: Vec<usize> = (0..program.fns.len()).collect();
    fns.sort_by_key(|i| program.fns.get(*i).map(|f| (f.stdlib, f.name.clone())));
    for i in fns {
        let Some(f) = program.fns.get(i) else {
            continue;
        };
        let signature = crate::hover::fn_signature(program, i).unwrap_or_default();
        let body = call_snippet(&f.name, f.params.iter().map(|(n, _)| n.as_str()));
        let sort = if same_type(&program.show(&f.ret), expected) {
            "0"
        } else if f.stdlib {
            "6"
        } else {
            "4"
        };
        let pushed = out.snippet(&f.name, CompletionKind::Function, &signature, &body, sort);
        out.document(pushed, f.doc.as_deref());
    }
}
