//! Hover: the type and documentation of the name under the cursor, the hit
//! policy of a rule, or the type of the expression under the cursor.

use crate::analysis::Analysis;
use crate::index::Def;
use crate::walk::{decl_exprs, local_defs, visit_expr, LocalKind};
use tally_check::{
    ColumnOrigin, Program, Resolution, TableId, TableKind, Type, TABLE_METHODS, TERRITORY_FIELDS,
};
use tally_diagnostics::Span;
use tally_syntax::ast::*;

/// What hover shows: Markdown text about the thing at `span`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// The range the hover is about.
    pub span: Span,
    /// Markdown.
    pub markdown: String,
}

/// The hover for `offset` in the analysed document.
pub fn hover(analysis: &Analysis, offset: usize) -> Option<Hover> {
    let program = analysis.program();
    let file = analysis.file();
    if let Some(occ) = analysis.index.at(file, offset) {
        let text = match program.resolutions.get(&occ.span) {
            Some(res) if !occ.def => describe_resolution(analysis, res),
            _ => match &occ.symbol {
                crate::Symbol::Decl(span) => describe_decl(analysis, *span),
                _ => None,
            },
        };
        if let Some(markdown) = text {
            return Some(Hover {
                span: occ.span,
                markdown,
            });
        }
    }
    let module = analysis.module()?;
    let decl = module.decls.iter().find(|d| d.span.contains(offset))?;
    rule_hover(program, decl, offset)
        .or_else(|| territory_field_hover(program, decl, offset))
        .or_else(|| expression_hover(program, decl, offset))
}

fn code(line: &str) -> String {
    format!("```tally\n{line}\n```")
}

fn with_doc(mut out: String, doc: Option<&str>) -> String {
    if let Some(doc) = doc.filter(|d| !d.trim().is_empty()) {
        out.push_str("\n\n");
        out.push_str(doc.trim());
    }
    out
}

fn describe_resolution(analysis: &Analysis, res: &Resolution) -> Option<String> {
    let program = analysis.program();
    match res {
        Resolution::Table(t) => Some(describe_table(program, *t)),
        Resolution::Column(t, i) => describe_column(program, *t, *i),
        Resolution::Const(c) => describe_const(analysis, *c),
        Resolution::Fn(f) => describe_fn(program, *f),
        Resolution::Territory(t) => describe_territory(program, *t),
        Resolution::Local(span) => describe_local(analysis, *span),
        Resolution::Builtin(name) => describe_builtin(name),
    }
}

fn describe_decl(analysis: &Analysis, span: Span) -> Option<String> {
    let program = analysis.program();
    if analysis.index.local_kind(span).is_some() {
        return describe_local(analysis, span);
    }
    match analysis.index.def(span)? {
        Def::Table(t) => Some(describe_table(program, t)),
        Def::Column(t, i) => describe_column(program, t, i),
        Def::Territory(t) => describe_territory(program, t),
        Def::Const(c) => describe_const(analysis, c),
        Def::Fn(f) => describe_fn(program, f),
        Def::Local(_) => describe_local(analysis, span),
    }
}

fn title_of(program: &Program, kind: &TableKind) -> Option<String> {
    let r = match kind {
        TableKind::Plan(r) | TableKind::Report(r) => *r,
        _ => return None,
    };
    match &program.decl(r)?.kind {
        DeclKind::Plan(p) => p.title.as_ref().map(|t| t.value.clone()),
        DeclKind::Report(rep) => rep.title.as_ref().map(|t| t.value.clone()),
        _ => None,
    }
}

/// Hover text of a table, `credits`, plan or report.
pub(crate) fn describe_table(program: &Program, t: TableId) -> String {
    let Some(info) = program.table(t) else {
        return code("table ?");
    };
    let title = title_of(program, &info.kind)
        .map(|t| format!(" \"{t}\""))
        .unwrap_or_default();
    let head = match info.kind {
        TableKind::Declared(_) => {
            let eff = info
                .effective
                .and_then(|(s, e)| Some((info.columns.get(s)?, info.columns.get(e)?)))
                .map(|(s, e)| format!(" effective({}, {})", s.name, e.name))
                .unwrap_or_default();
            format!("table {}{eff}", info.name)
        }
        TableKind::Credits => "table credits".to_string(),
        TableKind::Plan(_) => format!("plan {}{title}", info.name),
        TableKind::Report(_) => format!("report {}{title}", info.name),
    };
    let mut out = with_doc(code(&head), info.doc.as_deref());
    let cols: Vec<String> = info
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| !matches!(c.origin, ColumnOrigin::RuleLabel(_)))
        .map(|(i, c)| {
            let key = if info.key == Some(i) { " key" } else { "" };
            let from = match &c.origin {
                ColumnOrigin::Loaded { header, .. } if header != &c.name => {
                    format!(" from \"{header}\"")
                }
                ColumnOrigin::Derived(_) => " (derived by `assign`)".to_string(),
                _ => String::new(),
            };
            format!("- `{}`: `{}`{key}{from}", c.name, program.show(&c.ty))
        })
        .collect();
    if !cols.is_empty() {
        out.push_str("\n\n");
        out.push_str(&cols.join("\n"));
    }
    out
}

fn credits_column_doc(name: &str) -> &'static str {
    match name {
        "deal" => "The credited row.",
        "payee" => "The rep who gets the credit.",
        "role" => "The role group (or rollup role) that gave the credit.",
        "rule" => "The label of the rule that gave the credit (`rollup of <group> via <field>` for rollups).",
        "share" => "The share of the deal's amount.",
        "amount" => "The credited amount, allocated exactly to the cent.",
        "date" => "The credit's date (the block's `on` expression).",
        _ => "",
    }
}

/// Hover text of a column.
pub(crate) fn describe_column(program: &Program, t: TableId, i: usize) -> Option<String> {
    let info = program.table(t)?;
    let col = info.columns.get(i)?;
    let mut out = code(&format!(
        "{}.{}: {}",
        info.name,
        col.name,
        program.show(&col.ty)
    ));
    let mut lines: Vec<String> = Vec::new();
    if info.key == Some(i) {
        lines.push(format!("The key of `{}`.", info.name));
    }
    if let Some((s, e)) = info.effective {
        if s == i {
            lines.push("The first day each row is in effect.".to_string());
        } else if e == i {
            lines.push("The last day each row is in effect (none: still in effect).".to_string());
        }
    }
    match &col.origin {
        ColumnOrigin::Loaded { header, format } => {
            let fmt = format
                .as_ref()
                .map(|f| format!(", dates in the format `{f}`"))
                .unwrap_or_default();
            lines.push(format!(
                "Loaded from the column `{header}` of the data file{fmt}."
            ));
        }
        ColumnOrigin::Derived(a) => lines.push(derived_text(program, *a)),
        ColumnOrigin::RuleLabel(a) => {
            let field = col.name.trim_end_matches("_rule");
            lines.push(format!(
                "The label of the rule that set `{field}` on each row ({}).",
                assign_title(program, *a).unwrap_or_default()
            ));
        }
        ColumnOrigin::Computed => match &info.kind {
            TableKind::Credits => lines.push(credits_column_doc(&col.name).to_string()),
            TableKind::Plan(_) => lines.push(format!("A column of plan `{}`.", info.name)),
            TableKind::Report(_) => lines.push(format!("A column of report `{}`.", info.name)),
            TableKind::Declared(_) => {}
        },
    }
    if !lines.is_empty() {
        out.push_str("\n\n");
        out.push_str(&lines.join("\n\n"));
    }
    Some(out)
}

fn assign_decl(program: &Program, a: usize) -> Option<&Assign> {
    let info = program.assigns.get(a)?;
    match &program.decl(info.decl)?.kind {
        DeclKind::Assign(assign) => Some(assign),
        _ => None,
    }
}

fn assign_title(program: &Program, a: usize) -> Option<String> {
    let assign = assign_decl(program, a)?;
    Some(format!(
        "`assign {}.{}` ({})",
        assign.table.name,
        assign.field.name,
        assign.hit.as_str()
    ))
}

fn derived_text(program: &Program, a: usize) -> String {
    let Some(assign) = assign_decl(program, a) else {
        return "Derived by an `assign`.".to_string();
    };
    let rules = assign.arms.iter().filter(|r| !r.is_otherwise()).count();
    let otherwise = if assign.arms.iter().any(|r| r.is_otherwise()) {
        "rows no rule matches get the `otherwise` value"
    } else {
        "no `otherwise`: rows no rule matches get none"
    };
    format!(
        "Derived by {}: {rules} rule{}, {otherwise}.",
        assign_title(program, a).unwrap_or_default(),
        if rules == 1 { "" } else { "s" }
    )
}

fn describe_const(analysis: &Analysis, c: usize) -> Option<String> {
    let program = analysis.program();
    let info = program.consts.get(c)?;
    let decl = program.decl(info.decl)?;
    let mut out = code(&format!("const {}: {}", info.name, program.show(&info.ty)));
    if let DeclKind::Const(k) = &decl.kind {
        let text = program.sources.text(k.value.span.file);
        let value = text.get(k.value.span.lo()..k.value.span.hi()).unwrap_or("");
        let value: String = if value.chars().count() > 120 {
            format!("{}…", value.chars().take(120).collect::<String>())
        } else {
            value.to_string()
        };
        out = with_doc(out, decl.doc.as_deref());
        out.push_str(&format!("\n\n`= {value}`"));
    }
    Some(out)
}

/// A function's signature as written for people.
pub(crate) fn fn_signature(program: &Program, f: usize) -> Option<String> {
    let info = program.fns.get(f)?;
    let params: Vec<String> = info
        .params
        .iter()
        .map(|(n, t)| format!("{n}: {}", program.show(t)))
        .collect();
    Some(format!(
        "fn {}({}) -> {}",
        info.name,
        params.join(", "),
        program.show(&info.ret)
    ))
}

fn describe_fn(program: &Program, f: usize) -> Option<String> {
    let info = program.fns.get(f)?;
    let out = with_doc(code(&fn_signature(program, f)?), info.doc.as_deref());
    let origin = match (info.stdlib, info.decl.is_some()) {
        (true, true) => "\n\n*Standard library.*",
        (true, false) => "\n\n*Built-in (native).*",
        _ => "",
    };
    Some(format!("{out}{origin}"))
}

fn describe_territory(program: &Program, t: usize) -> Option<String> {
    let info = program.territories.get(t)?;
    let mut out = code(&format!("territory {}", info.name));
    out.push_str(&format!("\n\nPath `{}`, level {}.", info.path, info.level));
    let children: Vec<String> = info
        .children
        .iter()
        .filter_map(|c| program.territories.get(*c))
        .map(|c| format!("`{}`", c.name))
        .collect();
    if !children.is_empty() {
        out.push_str(&format!("\n\nChildren: {}.", children.join(", ")));
    }
    Some(out)
}

fn describe_builtin(name: &str) -> Option<String> {
    if let Some(m) = TABLE_METHODS.iter().find(|m| m.name == name) {
        return Some(format!("{}\n\n{}", code(m.signature), m.doc));
    }
    let (sig, doc) = match name {
        "ancestor" => (
            "ancestor(level: Int) -> Territory?",
            "The ancestor at that level (0 is the root), or none when the territory is not that deep.",
        ),
        "count_distinct" => (
            "count_distinct(value) -> Int",
            "The number of distinct values in the group.",
        ),
        _ => return None,
    };
    Some(format!("{}\n\n{doc}", code(sig)))
}

/// The declaration holding `span` and the local definition there.
fn find_local(program: &Program, span: Span) -> Option<(&Decl, &Ident, LocalKind)> {
    let module = program.modules.iter().find(|m| m.file == span.file)?;
    let decl = module.decls.iter().find(|d| d.span.contains(span.lo()))?;
    let (id, kind) = local_defs(decl)
        .into_iter()
        .find(|(id, _)| id.span == span)?;
    Some((decl, id, kind))
}

/// The type of the local defined at `span`, when known.
pub(crate) fn local_type(program: &Program, span: Span) -> Option<Type> {
    let (decl, _, kind) = find_local(program, span)?;
    match (&decl.kind, kind) {
        (DeclKind::Credit(c), LocalKind::Let) => c.items.iter().find_map(|i| match i {
            CreditItem::Let(l) if l.name.span == span => program.type_at(l.value.span).cloned(),
            _ => None,
        }),
        (DeclKind::Fn(f), LocalKind::Param) => {
            let info = program.fns.get(program.fn_named(&f.name.name)?)?;
            let pos = f.params.iter().position(|p| p.name.span == span)?;
            info.params.get(pos).map(|(_, t)| t.clone())
        }
        (DeclKind::Plan(_) | DeclKind::Report(_), kind) if kind != LocalKind::RoleGroup => {
            let name = crate::walk::decl_name(decl)?;
            let t = program.table(program.table_named(&name.name)?)?;
            t.columns
                .iter()
                .find(|c| c.span == Some(span))
                .map(|c| c.ty.clone())
        }
        _ => None,
    }
}

fn describe_local(analysis: &Analysis, span: Span) -> Option<String> {
    let program = analysis.program();
    let Some((decl, id, kind)) = find_local(program, span) else {
        return match analysis.index.def(span)? {
            Def::Column(t, i) => describe_column(program, t, i),
            _ => None,
        };
    };
    if kind == LocalKind::RoleGroup {
        if let DeclKind::Credit(c) = &decl.kind {
            let group = c.items.iter().find_map(|i| match i {
                CreditItem::Group(g) if g.name.span == span => Some(g),
                _ => None,
            })?;
            let rules = group.arms.iter().filter(|a| !a.is_otherwise()).count();
            return Some(format!(
                "{}\n\nRole group of `credit {}` ({}): {rules} rule{}; its credits have role `{}`.\n\n{}",
                code(&format!("{} ({})", id.name, group.hit.as_str())),
                c.table.name,
                group.hit.as_str(),
                if rules == 1 { "" } else { "s" },
                id.name,
                hit_policy_text(group.hit)
            ));
        }
    }
    let ty = local_type(program, span)
        .map(|t| format!(": {}", program.show(&t)))
        .unwrap_or_default();
    let head = match kind {
        LocalKind::Let => format!("let {}{ty}", id.name),
        LocalKind::Param => format!("{}{ty}", id.name),
        LocalKind::LoopVar => format!("for {}{ty}", id.name),
        _ => format!("{}{ty}", id.name),
    };
    let owner = match &decl.kind {
        DeclKind::Fn(f) => format!("Parameter of `{}`.", f.name.name),
        DeclKind::Credit(c) => format!(
            "Local of `credit {}`, computed for each credited row.",
            c.table.name
        ),
        DeclKind::Plan(p) => match kind {
            LocalKind::LoopVar => format!(
                "Loop variable of plan `{}`: one of the plan's columns, setting its rows.",
                p.name.name
            ),
            _ => format!(
                "Metric of plan `{}`: one of the plan's columns.",
                p.name.name
            ),
        },
        DeclKind::Report(r) => format!(
            "{} of report `{}`.",
            capitalise(kind.describe()),
            r.name.name
        ),
        _ => capitalise(kind.describe()),
    };
    Some(format!("{}\n\n{owner}", code(&head)))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// What a hit policy means, in one sentence.
pub(crate) fn hit_policy_text(hit: HitPolicy) -> &'static str {
    match hit {
        HitPolicy::FirstMatch => {
            "`first match`: the first rule in order whose `when` holds decides."
        }
        HitPolicy::AllMatch => "`all match`: every rule whose `when` holds gives its credits.",
        HitPolicy::Unique => {
            "`unique`: at most one rule may hold; a row matching two is a runtime error."
        }
    }
}

fn rule_text<T>(
    arms: &[Arm<T>],
    offset: usize,
    block: &str,
    hit: HitPolicy,
    hit_span: Span,
) -> Option<Hover>
where
    Arm<T>: ThenStart,
{
    if hit_span.contains(offset) {
        return Some(Hover {
            span: hit_span,
            markdown: format!("{}\n\n{}", code(hit.as_str()), hit_policy_text(hit)),
        });
    }
    let total = arms.len();
    for (n, arm) in arms.iter().enumerate() {
        let head_end = arm
            .when
            .as_ref()
            .map(|w| w.span.lo())
            .unwrap_or(arm.span.hi());
        let in_head = arm.span.lo() <= offset && offset < head_end;
        let in_otherwise =
            arm.is_otherwise() && arm.span.contains(offset) && offset < arm.then_start();
        if !(in_head || in_otherwise) {
            continue;
        }
        let label = match &arm.label {
            Some(l) => format!("rule \"{}\"", l.value),
            None => "otherwise".to_string(),
        };
        let end = match &arm.label {
            Some(l) => l.span.hi(),
            None => arm.span.lo() + "otherwise".len(),
        };
        let span = Span::new(arm.span.file, arm.span.lo(), end.min(arm.span.hi()));
        return Some(Hover {
            span,
            markdown: format!(
                "{}\n\nRule {} of {total} in `{block}` ({}).\n\n{}",
                code(&label),
                n + 1,
                hit.as_str(),
                hit_policy_text(hit)
            ),
        });
    }
    None
}

/// The start of what an arm yields (for `otherwise`, after the keyword).
trait ThenStart {
    fn then_start(&self) -> usize;
}

impl ThenStart for Arm<Expr> {
    fn then_start(&self) -> usize {
        self.then.span.lo()
    }
}

impl ThenStart for Arm<Vec<Gets>> {
    fn then_start(&self) -> usize {
        self.then
            .first()
            .map(|g| g.span.lo())
            .unwrap_or(self.span.hi())
    }
}

fn rule_hover(_program: &Program, decl: &Decl, offset: usize) -> Option<Hover> {
    match &decl.kind {
        DeclKind::Assign(a) => {
            let block = format!("assign {}.{}", a.table.name, a.field.name);
            rule_text(&a.arms, offset, &block, a.hit, a.hit_span)
        }
        DeclKind::Credit(c) => c.items.iter().find_map(|item| match item {
            CreditItem::Group(g) if g.span.contains(offset) => {
                let block = format!("{} of credit {}", g.name.name, c.table.name);
                rule_text(&g.arms, offset, &block, g.hit, g.hit_span)
            }
            _ => None,
        }),
        _ => None,
    }
}

fn territory_field_hover(program: &Program, decl: &Decl, offset: usize) -> Option<Hover> {
    let mut found = None;
    for e in decl_exprs(decl) {
        visit_expr(e, &mut |x| {
            if let ExprKind::Field { base, name, .. } = &x.kind {
                let is_territory = program
                    .type_at(base.span)
                    .is_some_and(|t| matches!(t.strip_optional(), Type::Territory));
                if is_territory && name.span.contains(offset) {
                    if let Some((_, doc)) = TERRITORY_FIELDS.iter().find(|(n, _)| *n == name.name) {
                        found = Some(Hover {
                            span: name.span,
                            markdown: format!(
                                "{}\n\n{doc}",
                                code(&format!("Territory.{}", name.name))
                            ),
                        });
                    }
                }
            }
        });
    }
    found
}

fn expression_hover(program: &Program, decl: &Decl, offset: usize) -> Option<Hover> {
    let mut best: Option<(Span, Type)> = None;
    for e in decl_exprs(decl) {
        visit_expr(e, &mut |x| {
            if !x.span.contains(offset) {
                return;
            }
            if let Some(ty) = program.type_at(x.span) {
                let smaller = best
                    .as_ref()
                    .is_none_or(|(s, _)| x.span.hi() - x.span.lo() <= s.hi() - s.lo());
                if smaller && !ty.is_unknown() {
                    best = Some((x.span, ty.clone()));
                }
            }
        });
    }
    let (span, ty) = best?;
    Some(Hover {
        span,
        markdown: code(&program.show(&ty)),
    })
}
