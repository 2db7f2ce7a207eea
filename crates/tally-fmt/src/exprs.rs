//! Expressions, printed with canonical spacing and exactly the tokens the
//! author wrote (parentheses are AST nodes, so nothing is added or
//! dropped); only lists, maps, records, arguments and `tiered` bands can
//! span several lines, and only when the author wrote them that way.

use crate::printer::{Brackets, Printer, Region, ValueCtx};
use tally_syntax::ast::{
    Arg, Band, Expr, ExprKind, Gets, SortDir, TierMode, Tiered, TypeExpr, UnOp,
};
use tally_syntax::literal::escape;

impl Printer<'_> {
    /// Prints an item-level expression (a metric's value, a rule's
    /// condition, ...): `tiered` blocks inside it are laid out relative to
    /// where it starts.
    pub(crate) fn top_expr(&mut self, e: &Expr) {
        let saved = self.value;
        self.value = ValueCtx {
            col: self.col(),
            lo: e.span.lo(),
            hi: self.end_of(e),
        };
        self.expr(e);
        self.value = saved;
    }

    /// Where the code of `e` ends in the source.
    pub(crate) fn end_of(&self, e: &Expr) -> usize {
        self.src.code_end(e.span.lo(), e.span.hi())
    }

    /// Prints an expression.
    pub(crate) fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Int(n) | ExprKind::Decimal(n) => self.w(&n.text),
            ExprKind::Percent(n) => {
                self.w(&n.text);
                self.w("%");
            }
            ExprKind::Money { amount, currency } => {
                self.w(&amount.text);
                self.w(" ");
                self.w(currency);
            }
            ExprKind::Date(d) => self.w(&d.format("%Y-%m-%d").to_string()),
            ExprKind::Period(p) => self.w(&p.to_string()),
            ExprKind::Text(s) => self.w(&escape(s)),
            ExprKind::Bool(b) => self.w(if *b { "true" } else { "false" }),
            ExprKind::None => self.w("none"),
            ExprKind::List(items) => self.list(e, items),
            ExprKind::Map(entries) => self.map(e, entries),
            ExprKind::Record(fields) => self.record(e, fields),
            ExprKind::Name(id) => self.w(&id.name),
            ExprKind::Field {
                base,
                name,
                optional,
            } => {
                self.expr(base);
                self.dot(*optional);
                self.w(&name.name);
            }
            ExprKind::Method {
                receiver,
                method,
                args,
                optional,
            } => {
                self.expr(receiver);
                self.dot(*optional);
                self.w(&method.name);
                self.args(e, method.span.hi(), args);
            }
            ExprKind::Call { func, args } => {
                self.w(&func.name);
                self.args(e, func.span.hi(), args);
            }
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.w("[");
                self.expr(index);
                self.w("]");
            }
            ExprKind::Unary { op, expr } => {
                self.w(match op {
                    UnOp::Not => "not ",
                    UnOp::Neg => "-",
                });
                self.expr(expr);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.expr(lhs);
                self.w(" ");
                self.w(op.as_str());
                self.w(" ");
                self.expr(rhs);
            }
            ExprKind::Is { expr, some } => {
                self.expr(expr);
                self.w(if *some { " is some" } else { " is none" });
            }
            ExprKind::Cast { expr, ty } => {
                self.expr(expr);
                self.w(" as ");
                self.ty(ty);
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                self.w("if ");
                self.expr(cond);
                self.w(" then ");
                self.expr(then);
                self.w(" else ");
                self.expr(otherwise);
            }
            ExprKind::Tiered(t) => self.tiered(e, t),
            ExprKind::Paren(inner) => {
                self.w("(");
                self.expr(inner);
                self.w(")");
            }
        }
    }

    /// `.` or `?.`; after an optional type (`x as T?`) a space keeps the
    /// `?` from being read as part of `?.`.
    fn dot(&mut self, optional: bool) {
        if self.out.ends_with('?') {
            self.w(" ");
        }
        self.w(if optional { "?." } else { "." });
    }

    /// A type: `Text`, `reps?`, `Map<Text, Int>`.
    pub(crate) fn ty(&mut self, t: &TypeExpr) {
        self.w(&t.name.name);
        if !t.args.is_empty() {
            self.w("<");
            for (i, a) in t.args.iter().enumerate() {
                if i > 0 {
                    self.w(", ");
                }
                self.ty(a);
            }
            self.w(">");
        }
        if t.optional {
            self.w("?");
        }
    }

    /// Prints an element of a bracketed expression list: as an item-level
    /// expression when the list is one element per line.
    fn element(&mut self, e: &Expr, multi: bool) {
        if multi {
            self.top_expr(e);
        } else {
            self.expr(e);
        }
    }

    fn list(&mut self, e: &Expr, items: &[Expr]) {
        let ranges: Vec<(usize, usize)> = items
            .iter()
            .map(|x| (x.span.lo(), self.end_of(x)))
            .collect();
        let region = Region {
            open: Some(e.span.lo()),
            close: self.src.closing(e.span.lo(), e.span.hi(), ']'),
            items: &ranges,
        };
        self.brackets(&Brackets::LIST, &region, &|_| false, &mut |p, i, multi| {
            if let Some(x) = items.get(i) {
                p.element(x, multi);
            }
        });
    }

    fn map(&mut self, e: &Expr, entries: &[(Expr, Expr)]) {
        let ranges: Vec<(usize, usize)> = entries
            .iter()
            .map(|(k, v)| (k.span.lo(), self.end_of(v)))
            .collect();
        let region = Region {
            open: Some(e.span.lo()),
            close: self.src.closing(e.span.lo(), e.span.hi(), '}'),
            items: &ranges,
        };
        self.brackets(&Brackets::MAP, &region, &|_| false, &mut |p, i, multi| {
            if let Some((k, v)) = entries.get(i) {
                p.element(k, multi);
                p.w(": ");
                p.element(v, multi);
            }
        });
    }

    fn record(&mut self, e: &Expr, fields: &[(tally_syntax::ast::Ident, Expr)]) {
        let ranges: Vec<(usize, usize)> = fields
            .iter()
            .map(|(k, v)| (k.span.lo(), self.end_of(v)))
            .collect();
        let region = Region {
            open: Some(e.span.lo()),
            close: self.src.closing(e.span.lo(), e.span.hi(), '}'),
            items: &ranges,
        };
        self.brackets(
            &Brackets::RECORD,
            &region,
            &|_| false,
            &mut |p, i, multi| {
                if let Some((k, v)) = fields.get(i) {
                    p.w(&k.name);
                    p.w(": ");
                    p.element(v, multi);
                }
            },
        );
    }

    /// Call or method arguments; `after` is where the callee's name ends.
    fn args(&mut self, e: &Expr, after: usize, args: &[Arg]) {
        let ranges: Vec<(usize, usize)> = args
            .iter()
            .map(|a| {
                let end = self.end_of(&a.value);
                let hi = match a.dir {
                    Some(dir) => {
                        let word = sort_word(dir);
                        let at = self.src.next_token(end);
                        if self.src.word_at(at, word) {
                            at + word.len()
                        } else {
                            end
                        }
                    }
                    None => end,
                };
                (a.value.span.lo(), hi)
            })
            .collect();
        let region = Region {
            open: self.src.find_code_char(after, '('),
            close: self.src.closing(e.span.lo(), e.span.hi(), ')'),
            items: &ranges,
        };
        self.brackets(
            &Brackets::PARENS,
            &region,
            &|_| false,
            &mut |p, i, multi| {
                if let Some(a) = args.get(i) {
                    p.element(&a.value, multi);
                    if let Some(dir) = a.dir {
                        p.w(" ");
                        p.w(sort_word(dir));
                    }
                }
            },
        );
    }

    /// `tiered MODE (VALUE of BASE) { bands }`. When the tiered expression
    /// is a whole value its bands are indented one level from the line; when
    /// it is part of a larger value (`if ... then tiered ... { } else ...`)
    /// the bands go two columns right of where that value starts and the
    /// closing brace under its start.
    fn tiered(&mut self, e: &Expr, t: &Tiered) {
        let whole = self.value.lo == e.span.lo() && self.value.hi == self.end_of(e);
        let base_col = self.value.col;
        self.w("tiered ");
        self.w(match t.mode {
            TierMode::Marginal => "marginal",
            TierMode::Retro => "retro",
        });
        self.w(" (");
        self.expr(&t.value);
        let mut last = &t.value;
        if let Some(b) = &t.base {
            self.w(" of ");
            self.expr(b);
            last = b;
        }
        self.w(") ");
        let ranges: Vec<(usize, usize)> = t
            .bands
            .iter()
            .map(|b| (b.span.lo(), self.src.code_end(b.span.lo(), b.span.hi())))
            .collect();
        let region = Region {
            open: self.src.find_code_char(self.end_of(last), '{'),
            close: self.src.closing(e.span.lo(), e.span.hi(), '}'),
            items: &ranges,
        };
        let width = t
            .bands
            .iter()
            .map(|b| self.measure(|p| p.band_bound(b)))
            .max()
            .unwrap_or(0);
        let spec = Brackets {
            base: if whole { None } else { Some(base_col) },
            ..Brackets::BLOCK
        };
        self.brackets(&spec, &region, &|_| false, &mut |p, i, multi| {
            if let Some(b) = t.bands.get(i) {
                let start = p.col();
                p.band_bound(b);
                if multi {
                    p.pad_to(start + width);
                }
                p.w(" => ");
                p.top_expr(&b.rate);
            }
        });
    }

    fn band_bound(&mut self, b: &Band) {
        match &b.upper {
            Some(u) => {
                self.w("up to ");
                self.top_expr(u);
            }
            None => self.w("above"),
        }
    }

    /// `owner gets 60%, co_owner gets 40%`
    pub(crate) fn payees(&mut self, payees: &[Gets]) {
        for (i, g) in payees.iter().enumerate() {
            if i > 0 {
                self.w(", ");
            }
            self.top_expr(&g.payee);
            self.w(" gets ");
            self.top_expr(&g.share);
        }
    }
}

/// `desc` / `asc`.
pub(crate) fn sort_word(dir: SortDir) -> &'static str {
    match dir {
        SortDir::Asc => "asc",
        SortDir::Desc => "desc",
    }
}

/// The first character of `e` as printed, used to tell whether an item
/// that follows another on the next line could be read as continuing it.
pub(crate) fn first_char(e: &Expr) -> char {
    match &e.kind {
        ExprKind::Binary { lhs, .. } => first_char(lhs),
        ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => first_char(base),
        ExprKind::Method { receiver, .. } => first_char(receiver),
        ExprKind::Is { expr, .. } | ExprKind::Cast { expr, .. } => first_char(expr),
        ExprKind::Unary { op: UnOp::Neg, .. } => '-',
        ExprKind::Paren(_) => '(',
        ExprKind::List(_) => '[',
        ExprKind::Map(_) | ExprKind::Record(_) => '{',
        _ => 'a',
    }
}
