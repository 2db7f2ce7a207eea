//! Declarations and the items of their blocks.

use crate::exprs::{first_char, sort_word};
use crate::printer::{Brackets, Printer, Region, MAX_WIDTH};
use tally_diagnostics::Span;
use tally_syntax::ast::*;
use tally_syntax::literal::escape;

/// Table columns' `from` clauses start at least this far into the line.
const FROM_COLUMN: usize = 22;

/// Report clauses inline: spaces, since a comma after `group by a` or
/// `order by a` would be read as the start of another key.
const REPORT: Brackets = Brackets {
    inline_sep: " ",
    ..Brackets::BLOCK
};

/// Territory children inline: `Americas { NA_East  NA_West }`.
const TERRITORY: Brackets = Brackets {
    inline_sep: "  ",
    ..Brackets::BLOCK
};

impl Printer<'_> {
    /// Prints the whole file: declarations in order with the comments and
    /// blank lines between them.
    pub(crate) fn module(&mut self, m: &Module) {
        let mut prev = 0;
        let mut first = true;
        let ranges: Vec<(usize, usize)> = m.decls.iter().map(|d| self.range(d.span)).collect();
        for (i, (d, &(lo, hi))) in m.decls.iter().zip(&ranges).enumerate() {
            if !self.comments.unused_within(prev, lo).is_empty() {
                prev = self.own_line_comments(prev, lo, 0, first);
                first = false;
            }
            if !self.out.is_empty() {
                let blank = !first && self.src.has_blank_line(prev, lo);
                self.newline(blank, 0);
            }
            first = false;
            self.guarded(lo, hi, |p| p.decl(d));
            let next = ranges.get(i + 1).map_or(self.src.text.len(), |r| r.0);
            prev = self.trailing_comment(hi, next).unwrap_or(hi);
        }
        self.own_line_comments(prev, self.src.text.len(), 0, first);
    }

    /// A node's source range: its start and the end of its code.
    fn range(&self, span: Span) -> (usize, usize) {
        (span.lo(), self.src.code_end(span.lo(), span.hi()))
    }

    /// The brace block that opens after `after` and closes at the end of
    /// `span`.
    fn region<'i>(&self, after: usize, span: Span, items: &'i [(usize, usize)]) -> Region<'i> {
        Region {
            open: self.src.find_code_char(after, '{'),
            close: self.src.closing(span.lo(), span.hi(), '}'),
            items,
        }
    }

    /// ` = value`, or `=` and the value on the next line, indented, when the
    /// author put it there.
    fn eq_value(&mut self, v: &Expr) {
        self.w(" =");
        if self.src.begins_line(v.span.lo()) {
            let indent = self.line_indent() + 2;
            self.newline(false, indent);
        } else {
            self.w(" ");
        }
        self.top_expr(v);
    }

    fn decl(&mut self, d: &Decl) {
        match &d.kind {
            DeclKind::Policy(s) => {
                self.w("policy ");
                self.w(&escape(&s.value));
            }
            DeclKind::Import(s) => {
                self.w("import ");
                self.w(&escape(&s.value));
            }
            DeclKind::Settings(list) => {
                self.w("settings ");
                let items: Vec<_> = list.iter().map(|s| self.range(s.span)).collect();
                let region = self.region(d.span.lo(), d.span, &items);
                self.brackets(&Brackets::BLOCK, &region, &|_| false, &mut |p, i, _| {
                    if let Some(s) = list.get(i) {
                        p.w(&s.name.name);
                        p.eq_value(&s.value);
                    }
                });
            }
            DeclKind::Table(t) => self.table(d, t),
            DeclKind::Territories(nodes) => {
                self.w("territories ");
                self.territories(d.span.lo(), d.span, nodes);
            }
            DeclKind::Const(c) => {
                self.w("const ");
                self.w(&c.name.name);
                if let Some(t) = &c.ty {
                    self.w(": ");
                    self.ty(t);
                }
                self.eq_value(&c.value);
            }
            DeclKind::Fn(f) => self.fn_decl(f),
            DeclKind::Assign(a) => {
                self.w("assign ");
                self.w(&a.table.name);
                self.w(".");
                self.w(&a.field.name);
                self.hit(a.hit);
                let items: Vec<_> = a.arms.iter().map(|x| self.range(x.span)).collect();
                let region = self.region(a.hit_span.hi(), d.span, &items);
                self.brackets(&Brackets::BLOCK, &region, &|_| false, &mut |p, i, _| {
                    if let Some(arm) = a.arms.get(i) {
                        p.arm(arm, &|p, e| p.top_expr(e));
                    }
                });
            }
            DeclKind::Credit(c) => self.credit(d, c),
            DeclKind::Plan(plan) => self.plan(d, plan),
            DeclKind::Report(r) => self.report(d, r),
            DeclKind::Test(t) => self.test(d, t),
            DeclKind::Golden(g) => self.golden(d, g),
            DeclKind::Error(text) => self.w(text.trim_end()),
        }
    }

    /// ` (first match) `
    fn hit(&mut self, hit: HitPolicy) {
        self.w(" (");
        self.w(hit.as_str());
        self.w(") ");
    }

    fn table(&mut self, d: &Decl, t: &Table) {
        self.w("table ");
        self.w(&t.name.name);
        let mut after = t.name.span.hi();
        if let Some((start, end)) = &t.effective {
            self.w(" effective(");
            self.w(&start.name);
            self.w(", ");
            self.w(&end.name);
            self.w(")");
            after = end.span.hi();
        }
        self.w(" ");
        let items: Vec<_> = t.columns.iter().map(|c| self.range(c.span)).collect();
        let region = self.region(after, d.span, &items);
        let tail_col = t
            .columns
            .iter()
            .filter(|c| c.from.is_some() || c.format.is_some())
            .map(|c| self.measure(|p| p.column_head(c)))
            .max()
            .map(|w| FROM_COLUMN.max(w + 2));
        self.brackets(&Brackets::BLOCK, &region, &|_| false, &mut |p, i, multi| {
            let Some(c) = t.columns.get(i) else {
                return;
            };
            let start = p.col();
            p.column_head(c);
            if c.from.is_none() && c.format.is_none() {
                return;
            }
            match tail_col {
                Some(col) if multi => p.pad_to(start + col),
                _ => p.w(" "),
            }
            let mut sep = "";
            if let Some(from) = &c.from {
                p.w("from ");
                p.w(&escape(&from.value));
                sep = " ";
            }
            if let Some(format) = &c.format {
                p.w(sep);
                p.w("format ");
                p.w(&escape(&format.value));
            }
        });
    }

    /// `name: Type key`
    fn column_head(&mut self, c: &Column) {
        self.w(&c.name.name);
        self.w(": ");
        self.ty(&c.ty);
        if c.key.is_some() {
            self.w(" key");
        }
    }

    /// A `{ ... }` of territory nodes opening after `after`.
    fn territories(&mut self, after: usize, span: Span, nodes: &[TerritoryNode]) {
        let items: Vec<_> = nodes.iter().map(|n| self.range(n.span)).collect();
        let region = self.region(after, span, &items);
        self.brackets(&TERRITORY, &region, &|_| false, &mut |p, i, _| {
            if let Some(n) = nodes.get(i) {
                p.w(&n.name.name);
                let (_, end) = p.range(n.span);
                let has_body =
                    !n.children.is_empty() || p.comments.any_within(n.name.span.hi(), end);
                if has_body {
                    p.w(" ");
                    p.territories(n.name.span.hi(), n.span, &n.children);
                }
            }
        });
    }

    fn fn_decl(&mut self, f: &FnDecl) {
        self.w("fn ");
        self.w(&f.name.name);
        let items: Vec<_> = f.params.iter().map(|x| self.range(x.span)).collect();
        let open = self.src.find_code_char(f.name.span.hi(), '(');
        let close = open.and_then(|o| {
            let from = items.last().map_or(o + 1, |it| it.1);
            self.src.find_code_char(from, ')')
        });
        let region = Region {
            open,
            close,
            items: &items,
        };
        self.brackets(&Brackets::PARENS, &region, &|_| false, &mut |p, i, _| {
            if let Some(param) = f.params.get(i) {
                p.w(&param.name.name);
                p.w(": ");
                p.ty(&param.ty);
            }
        });
        self.w(" -> ");
        self.ty(&f.ret);
        self.eq_value(&f.body);
    }

    /// A rule or an `otherwise` branch. The rule stays on one line unless
    /// the author started a line with `then` or the line would be too long;
    /// then `then ...` goes on the next line, indented one more level.
    fn arm<T>(&mut self, arm: &Arm<T>, then: &dyn Fn(&mut Self, &T)) {
        let (Some(label), Some(when)) = (&arm.label, &arm.when) else {
            self.w("otherwise ");
            then(self, &arm.then);
            return;
        };
        let indent = self.line_indent();
        let start = self.mark();
        self.w("rule ");
        self.w(&escape(&label.value));
        self.w(" when ");
        self.top_expr(when);
        let then_at = self.src.next_token(self.end_of(when));
        let broken = self.src.word_at(then_at, "then") && self.src.begins_line(then_at);
        if !broken {
            let head = self.mark();
            self.w(" then ");
            then(self, &arm.then);
            if self.widest_since(start.0) <= MAX_WIDTH {
                return;
            }
            self.rollback(head);
        }
        self.newline(false, indent + 2);
        self.w("then ");
        then(self, &arm.then);
    }

    fn credit(&mut self, d: &Decl, c: &Credit) {
        self.w("credit ");
        self.w(&c.table.name);
        if let Some(f) = &c.filter {
            self.w(" where ");
            self.top_expr(f);
        }
        self.w(" on ");
        self.top_expr(&c.on);
        self.w(" ");
        let items: Vec<_> = c
            .items
            .iter()
            .map(|it| match it {
                CreditItem::Let(l) => self.range(l.span),
                CreditItem::Setting(s) => self.range(s.span),
                CreditItem::Group(g) => self.range(g.span),
                CreditItem::Rollup(r) => self.range(r.span),
            })
            .collect();
        let region = self.region(self.end_of(&c.on), d.span, &items);
        self.brackets(
            &Brackets::BLOCK,
            &region,
            &|_| false,
            &mut |p, i, _| match c.items.get(i) {
                Some(CreditItem::Let(l)) => {
                    p.w("let ");
                    p.w(&l.name.name);
                    p.eq_value(&l.value);
                }
                Some(CreditItem::Setting(s)) => {
                    p.w(&s.name.name);
                    p.eq_value(&s.value);
                }
                Some(CreditItem::Group(g)) => p.role_group(g),
                Some(CreditItem::Rollup(r)) => {
                    p.w("rollup ");
                    p.w(&r.group.name);
                    p.w(" via ");
                    p.w(&r.via.name);
                    p.w(" as ");
                    p.w(&r.role.name);
                }
                None => {}
            },
        );
    }

    fn role_group(&mut self, g: &RoleGroup) {
        self.w(&g.name.name);
        self.hit(g.hit);
        let items: Vec<_> = g.arms.iter().map(|x| self.range(x.span)).collect();
        let region = self.region(g.hit_span.hi(), g.span, &items);
        self.brackets(&Brackets::BLOCK, &region, &|_| false, &mut |p, i, _| {
            if let Some(arm) = g.arms.get(i) {
                p.arm(arm, &|p, payees| p.payees(payees));
            }
        });
    }

    fn title(&mut self, name: &Ident, title: &Option<StrLit>) -> usize {
        self.w(&name.name);
        let mut after = name.span.hi();
        if let Some(t) = title {
            self.w(" ");
            self.w(&escape(&t.value));
            after = t.span.hi();
        }
        self.w(" ");
        after
    }

    fn plan(&mut self, d: &Decl, plan: &Plan) {
        self.w("plan ");
        let after = self.title(&plan.name, &plan.title);
        let items: Vec<_> = plan
            .items
            .iter()
            .map(|it| match it {
                PlanItem::For(f) => self.range(f.span),
                PlanItem::Metric(s) => self.range(s.span),
            })
            .collect();
        let region = self.region(after, d.span, &items);
        let name_width = plan
            .items
            .iter()
            .filter_map(|it| match it {
                PlanItem::Metric(s) => Some(s.name.name.chars().count()),
                PlanItem::For(_) => None,
            })
            .max()
            .unwrap_or(0);
        self.brackets(
            &Brackets::BLOCK,
            &region,
            &|_| false,
            &mut |p, i, multi| match plan.items.get(i) {
                Some(PlanItem::For(f)) => {
                    p.w("for ");
                    p.w(&f.var.name);
                    p.w(" in ");
                    p.top_expr(&f.source);
                    if let Some(w) = &f.filter {
                        p.w(" where ");
                        p.top_expr(w);
                    }
                }
                Some(PlanItem::Metric(s)) => {
                    let start = p.col();
                    p.w(&s.name.name);
                    if multi {
                        p.pad_to(start + name_width);
                    }
                    p.eq_value(&s.value);
                }
                None => {}
            },
        );
    }

    fn report(&mut self, d: &Decl, r: &Report) {
        self.w("report ");
        let after = self.title(&r.name, &r.title);
        let items: Vec<_> = r.items.iter().map(|x| self.range(x.span)).collect();
        let region = self.region(after, d.span, &items);
        // `from X` then `where P` would read back as `from X where P`.
        let comma_after = |i: usize| {
            matches!(
                (
                    r.items.get(i).map(|x| &x.kind),
                    r.items.get(i + 1).map(|x| &x.kind)
                ),
                (
                    Some(ReportItemKind::From { filter: None, .. }),
                    Some(ReportItemKind::Where(_))
                )
            )
        };
        self.brackets(&REPORT, &region, &comma_after, &mut |p, i, _| {
            if let Some(item) = r.items.get(i) {
                p.report_item(item);
            }
        });
    }

    fn report_item(&mut self, item: &ReportItem) {
        match &item.kind {
            ReportItemKind::From { source, filter } => {
                self.w("from ");
                self.top_expr(source);
                if let Some(f) = filter {
                    self.w(" where ");
                    self.top_expr(f);
                }
            }
            ReportItemKind::Where(e) => {
                self.w("where ");
                self.top_expr(e);
            }
            ReportItemKind::GroupBy(keys) => {
                self.w("group by ");
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.named(k, 0);
                }
            }
            ReportItemKind::Columns(cols) => self.columns(item, cols),
            ReportItemKind::OrderBy(keys) => {
                self.w("order by ");
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        self.w(", ");
                    }
                    self.top_expr(&k.value);
                    if let Some(dir) = k.dir {
                        self.w(" ");
                        self.w(sort_word(dir));
                    }
                }
            }
            ReportItemKind::Limit(e) => {
                self.w("limit ");
                self.top_expr(e);
            }
            ReportItemKind::Totals => self.w("totals"),
        }
    }

    /// `name = value` (the name padded to `width`) or a bare expression.
    fn named(&mut self, n: &NamedExpr, width: usize) {
        if let Some(name) = &n.name {
            let start = self.col();
            self.w(&name.name);
            self.pad_to(start + width);
            self.w(" = ");
        }
        self.top_expr(&n.value);
    }

    /// `columns { ... }`: one per line, `=` aligned when every column is
    /// named; a comma where the next column could continue this one.
    fn columns(&mut self, item: &ReportItem, cols: &[NamedExpr]) {
        self.w("columns ");
        let items: Vec<_> = cols.iter().map(|x| self.range(x.span)).collect();
        let region = self.region(item.span.lo() + "columns".len(), item.span, &items);
        let width = if cols.iter().all(|c| c.name.is_some()) {
            cols.iter()
                .filter_map(|c| c.name.as_ref().map(|n| n.name.chars().count()))
                .max()
                .unwrap_or(0)
        } else {
            0
        };
        let comma_after = |i: usize| {
            cols.get(i + 1).is_some_and(|next| {
                next.name.is_none() && matches!(first_char(&next.value), '-' | '(' | '[')
            })
        };
        self.brackets(
            &Brackets::BLOCK,
            &region,
            &comma_after,
            &mut |p, i, multi| {
                if let Some(c) = cols.get(i) {
                    p.named(c, if multi { width } else { 0 });
                }
            },
        );
    }

    fn test(&mut self, d: &Decl, t: &Test) {
        self.w("test ");
        self.w(&escape(&t.name.value));
        self.w(" ");
        let items: Vec<_> = t
            .items
            .iter()
            .map(|it| match it {
                TestItem::Given { span, .. } | TestItem::Expect { span, .. } => self.range(*span),
            })
            .collect();
        let region = self.region(t.name.span.hi(), d.span, &items);
        self.brackets(
            &Brackets::BLOCK,
            &region,
            &|_| false,
            &mut |p, i, _| match t.items.get(i) {
                Some(TestItem::Given { table, rows, .. }) => {
                    p.w("given ");
                    p.w(&table.name);
                    p.eq_value(rows);
                }
                Some(TestItem::Expect { value, .. }) => {
                    p.w("expect ");
                    p.top_expr(value);
                }
                None => {}
            },
        );
    }

    fn golden(&mut self, d: &Decl, g: &Golden) {
        self.w("golden ");
        self.w(&escape(&g.name.value));
        self.w(" ");
        let items: Vec<_> = g
            .items
            .iter()
            .map(|it| {
                let (span, word) = match it {
                    GoldenItem::Report(id) => (id.span, "report"),
                    GoldenItem::Data(s) => (s.span, "data"),
                    GoldenItem::Matches(s) => (s.span, "matches"),
                };
                let (lo, hi) = self.range(span);
                (self.src.word_before(lo, word).unwrap_or(lo), hi)
            })
            .collect();
        let region = self.region(g.name.span.hi(), d.span, &items);
        self.brackets(
            &Brackets::BLOCK,
            &region,
            &|_| false,
            &mut |p, i, _| match g.items.get(i) {
                Some(GoldenItem::Report(id)) => {
                    p.w("report ");
                    p.w(&id.name);
                }
                Some(GoldenItem::Data(s)) => {
                    p.w("data ");
                    p.w(&escape(&s.value));
                }
                Some(GoldenItem::Matches(s)) => {
                    p.w("matches ");
                    p.w(&escape(&s.value));
                }
                None => {}
            },
        );
    }
}
