//! The outline of a document and the symbols of the whole program.

use crate::analysis::Analysis;
use crate::text::trim_span;
use tally_diagnostics::Span;
use tally_syntax::ast::*;

/// What a symbol is (for the outline's icons).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    /// `policy "..."`
    Policy,
    /// `import "..."`
    Import,
    /// `settings { ... }`
    Settings,
    /// One setting.
    Setting,
    /// A table.
    Table,
    /// A column of a table, plan or report.
    Column,
    /// `territories { ... }` and each territory.
    Territory,
    /// A const.
    Const,
    /// A function.
    Function,
    /// A function parameter.
    Parameter,
    /// An `assign` block.
    Assign,
    /// A rule or `otherwise` branch.
    Rule,
    /// A `credit` block.
    Credit,
    /// A `let` of a credit block.
    Let,
    /// A role group.
    RoleGroup,
    /// A `rollup`.
    Rollup,
    /// A plan.
    Plan,
    /// A plan's `for` line.
    LoopVar,
    /// A plan metric.
    Metric,
    /// A report.
    Report,
    /// A `test` block.
    Test,
    /// A `golden` block.
    Golden,
    /// A declaration that does not parse.
    Broken,
}

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    /// What is shown.
    pub name: String,
    /// Shown after the name (a type, a title, a hit policy).
    pub detail: Option<String>,
    /// What it is.
    pub kind: SymbolKind,
    /// The whole declaration or item.
    pub span: Span,
    /// The name inside it (selected when the entry is picked).
    pub selection: Span,
    /// Nested entries.
    pub children: Vec<DocumentSymbol>,
}

/// A symbol found by a workspace search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// Where it is (any file of the program but the standard library).
    pub span: Span,
    /// The declaration it belongs to.
    pub container: Option<String>,
}

fn sym(name: impl Into<String>, kind: SymbolKind, span: Span, selection: Span) -> DocumentSymbol {
    DocumentSymbol {
        name: name.into(),
        detail: None,
        kind,
        span,
        selection,
        children: Vec::new(),
    }
}

impl DocumentSymbol {
    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    fn children(mut self, children: Vec<DocumentSymbol>) -> Self {
        self.children = children;
        self
    }
}

/// The outline of the analysed document.
pub fn document_symbols(analysis: &Analysis) -> Vec<DocumentSymbol> {
    analysis
        .module()
        .map(|m| module_symbols(m, &analysis.text))
        .unwrap_or_default()
}

fn module_symbols(module: &Module, text: &str) -> Vec<DocumentSymbol> {
    module
        .decls
        .iter()
        .filter_map(|d| decl_symbol(d, text))
        .map(|s| trimmed(s, text))
        .collect()
}

/// The symbol with its ranges ending at their last non-blank character.
fn trimmed(mut s: DocumentSymbol, text: &str) -> DocumentSymbol {
    s.span = trim_span(text, s.span);
    s.selection = trim_span(text, s.selection);
    if s.selection.hi() > s.span.hi() || s.selection.lo() < s.span.lo() {
        s.selection = s.span;
    }
    s.children = s.children.into_iter().map(|c| trimmed(c, text)).collect();
    s
}

fn slice(text: &str, span: Span) -> &str {
    text.get(span.lo()..span.hi()).unwrap_or("").trim_end()
}

fn decl_symbol(decl: &Decl, text: &str) -> Option<DocumentSymbol> {
    let span = decl.span;
    Some(match &decl.kind {
        DeclKind::Policy(t) => {
            sym(t.value.clone(), SymbolKind::Policy, span, t.span).detail("policy")
        }
        DeclKind::Import(p) => {
            sym(p.value.clone(), SymbolKind::Import, span, p.span).detail("import")
        }
        DeclKind::Settings(items) => sym("settings", SymbolKind::Settings, span, span).children(
            items
                .iter()
                .map(|s| {
                    sym(
                        s.name.name.clone(),
                        SymbolKind::Setting,
                        s.span,
                        s.name.span,
                    )
                    .detail(slice(text, s.value.span))
                })
                .collect(),
        ),
        DeclKind::Table(t) => sym(t.name.name.clone(), SymbolKind::Table, span, t.name.span)
            .detail("table")
            .children(
                t.columns
                    .iter()
                    .map(|c| {
                        sym(c.name.name.clone(), SymbolKind::Column, c.span, c.name.span)
                            .detail(slice(text, c.ty.span))
                    })
                    .collect(),
            ),
        DeclKind::Territories(nodes) => sym("territories", SymbolKind::Territory, span, span)
            .children(nodes.iter().map(territory_symbol).collect()),
        DeclKind::Const(c) => {
            sym(c.name.name.clone(), SymbolKind::Const, span, c.name.span).detail("const")
        }
        DeclKind::Fn(f) => {
            let params: Vec<&str> = f.params.iter().map(|p| slice(text, p.span)).collect();
            sym(f.name.name.clone(), SymbolKind::Function, span, f.name.span)
                .detail(format!(
                    "({}) -> {}",
                    params.join(", "),
                    slice(text, f.ret.span)
                ))
                .children(
                    f.params
                        .iter()
                        .map(|p| {
                            sym(
                                p.name.name.clone(),
                                SymbolKind::Parameter,
                                p.span,
                                p.name.span,
                            )
                        })
                        .collect(),
                )
        }
        DeclKind::Assign(a) => sym(
            format!("assign {}.{}", a.table.name, a.field.name),
            SymbolKind::Assign,
            span,
            a.field.span,
        )
        .detail(a.hit.as_str())
        .children(a.arms.iter().map(rule_symbol).collect()),
        DeclKind::Credit(c) => sym(
            format!("credit {}", c.table.name),
            SymbolKind::Credit,
            span,
            c.table.span,
        )
        .children(c.items.iter().map(credit_item_symbol).collect()),
        DeclKind::Plan(p) => {
            let mut s = sym(p.name.name.clone(), SymbolKind::Plan, span, p.name.span);
            if let Some(t) = &p.title {
                s = s.detail(t.value.clone());
            }
            s.children(
                p.items
                    .iter()
                    .map(|i| match i {
                        PlanItem::For(f) => {
                            sym(f.var.name.clone(), SymbolKind::LoopVar, f.span, f.var.span)
                                .detail(format!("for {}", slice(text, f.source.span)))
                        }
                        PlanItem::Metric(m) => {
                            sym(m.name.name.clone(), SymbolKind::Metric, m.span, m.name.span)
                        }
                    })
                    .collect(),
            )
        }
        DeclKind::Report(r) => {
            let mut s = sym(r.name.name.clone(), SymbolKind::Report, span, r.name.span);
            if let Some(t) = &r.title {
                s = s.detail(t.value.clone());
            }
            let mut children = Vec::new();
            for item in &r.items {
                if let ReportItemKind::GroupBy(items) | ReportItemKind::Columns(items) = &item.kind
                {
                    for n in items {
                        let (name, sel) = match (&n.name, &n.value.kind) {
                            (Some(id), _) | (None, ExprKind::Name(id)) => {
                                (id.name.clone(), id.span)
                            }
                            _ => (slice(text, n.value.span).to_string(), n.value.span),
                        };
                        children.push(sym(name, SymbolKind::Column, n.span, sel));
                    }
                }
            }
            s.children(children)
        }
        DeclKind::Test(t) => {
            sym(t.name.value.clone(), SymbolKind::Test, span, t.name.span).detail("test")
        }
        DeclKind::Golden(g) => {
            sym(g.name.value.clone(), SymbolKind::Golden, span, g.name.span).detail("golden")
        }
        DeclKind::Error(text) => {
            let head: String = text.lines().next().unwrap_or("").chars().take(60).collect();
            let head = head.trim_end_matches(['{', ' ']).to_string();
            if head.is_empty() {
                return None;
            }
            sym(head, SymbolKind::Broken, span, span).detail("does not parse")
        }
    })
}

fn territory_symbol(node: &TerritoryNode) -> DocumentSymbol {
    sym(
        node.name.name.clone(),
        SymbolKind::Territory,
        node.span,
        node.name.span,
    )
    .children(node.children.iter().map(territory_symbol).collect())
}

fn rule_symbol<T>(arm: &Arm<T>) -> DocumentSymbol {
    let (name, sel) = match &arm.label {
        Some(l) => (l.value.clone(), l.span),
        None => ("otherwise".to_string(), arm.span),
    };
    sym(name, SymbolKind::Rule, arm.span, sel).detail(if arm.is_otherwise() {
        "otherwise"
    } else {
        "rule"
    })
}

fn credit_item_symbol(item: &CreditItem) -> DocumentSymbol {
    match item {
        CreditItem::Let(l) => {
            sym(l.name.name.clone(), SymbolKind::Let, l.span, l.name.span).detail("let")
        }
        CreditItem::Setting(s) => sym(
            s.name.name.clone(),
            SymbolKind::Setting,
            s.span,
            s.name.span,
        ),
        CreditItem::Group(g) => sym(
            g.name.name.clone(),
            SymbolKind::RoleGroup,
            g.span,
            g.name.span,
        )
        .detail(g.hit.as_str())
        .children(g.arms.iter().map(rule_symbol).collect()),
        CreditItem::Rollup(r) => sym(
            format!(
                "rollup {} via {} as {}",
                r.group.name, r.via.name, r.role.name
            ),
            SymbolKind::Rollup,
            r.span,
            r.group.span,
        ),
    }
}

/// True when every character of `query` appears in `name` in order
/// (ignoring case).
fn matches(name: &str, query: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .all(|q| chars.any(|c| c == q))
}

/// Every symbol of the program's files (not the standard library) whose
/// name matches `query` (its characters in order, any case).
pub fn workspace_symbols(analysis: &Analysis, query: &str) -> Vec<WorkspaceSymbol> {
    let program = analysis.program();
    let mut out = Vec::new();
    for module in &program.modules {
        if program.is_stdlib(module.file) {
            continue;
        }
        let text = program.sources.text(module.file);
        let mut stack: Vec<(DocumentSymbol, Option<String>)> = module_symbols(module, text)
            .into_iter()
            .rev()
            .map(|s| (s, None))
            .collect();
        while let Some((s, container)) = stack.pop() {
            for child in s.children.iter().rev() {
                stack.push((child.clone(), Some(s.name.clone())));
            }
            let skip = matches!(s.kind, SymbolKind::Settings | SymbolKind::Broken)
                || (s.kind == SymbolKind::Territory && s.name == "territories");
            if !skip && matches(&s.name, query) {
                out.push(WorkspaceSymbol {
                    name: s.name,
                    kind: s.kind,
                    span: s.selection,
                    container,
                });
            }
        }
    }
    out
}
