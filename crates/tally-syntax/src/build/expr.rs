//! Expressions: pairs → AST, with operator precedence by pest's Pratt parser.

use super::decl::sort_dir;
use super::{significant, Builder};
use crate::ast::*;
use crate::literal::{parse_number, Period};
use crate::Rule;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use std::sync::OnceLock;
use tally_diagnostics::Span;

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left)
                | Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left)
                | Op::infix(Rule::op_in, Assoc::Left)
                | Op::infix(Rule::op_within, Assoc::Left)
                | Op::postfix(Rule::is_some)
                | Op::postfix(Rule::is_none))
            .op(Op::infix(Rule::op_default, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
            .op(Op::prefix(Rule::op_neg))
            .op(Op::postfix(Rule::method_call)
                | Op::postfix(Rule::opt_method_call)
                | Op::postfix(Rule::field)
                | Op::postfix(Rule::opt_field)
                | Op::postfix(Rule::index)
                | Op::postfix(Rule::cast))
    })
}

fn bin_op(rule: Rule) -> BinOp {
    match rule {
        Rule::op_or => BinOp::Or,
        Rule::op_and => BinOp::And,
        Rule::op_eq => BinOp::Eq,
        Rule::op_ne => BinOp::Ne,
        Rule::op_lt => BinOp::Lt,
        Rule::op_le => BinOp::Le,
        Rule::op_gt => BinOp::Gt,
        Rule::op_ge => BinOp::Ge,
        Rule::op_in => BinOp::In,
        Rule::op_within => BinOp::Within,
        Rule::op_default => BinOp::Default,
        Rule::op_add => BinOp::Add,
        Rule::op_sub => BinOp::Sub,
        Rule::op_mul => BinOp::Mul,
        _ => BinOp::Div,
    }
}

impl Builder {
    /// Builds an `expr` pair (or any expression-level pair).
    pub(crate) fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        match pair.as_rule() {
            Rule::expr => match pair.into_inner().next() {
                Some(inner) => self.expr(inner),
                None => self.placeholder(Span::default()),
            },
            Rule::if_expr => {
                let span = self.span(&pair);
                let mut parts = significant(pair);
                let cond = self.expr_of(parts.next(), span);
                let then = self.expr_of(parts.next(), span);
                let otherwise = self.expr_of(parts.next(), span);
                Expr {
                    kind: ExprKind::If {
                        cond: Box::new(cond),
                        then: Box::new(then),
                        otherwise: Box::new(otherwise),
                    },
                    span,
                }
            }
            Rule::binary => self.binary(pair.into_inner()),
            _ => self.operand(pair),
        }
    }

    fn placeholder(&self, span: Span) -> Expr {
        Expr {
            kind: ExprKind::None,
            span,
        }
    }

    fn binary(&mut self, pairs: Pairs<'_, Rule>) -> Expr {
        // The Pratt parser's closures each need the builder; they run one at
        // a time, so a RefCell lends it to whichever is running.
        let cell = std::cell::RefCell::new(self);
        let expr = pratt()
            .map_primary(|p| cell.borrow_mut().operand(p))
            .map_prefix(|op, rhs| {
                let b = cell.borrow();
                let span = b.span(&op).to(rhs.span);
                let op = if op.as_rule() == Rule::op_not {
                    UnOp::Not
                } else {
                    UnOp::Neg
                };
                Expr {
                    kind: ExprKind::Unary {
                        op,
                        expr: Box::new(rhs),
                    },
                    span,
                }
            })
            .map_infix(|lhs, op, rhs| {
                let span = lhs.span.to(rhs.span);
                Expr {
                    kind: ExprKind::Binary {
                        op: bin_op(op.as_rule()),
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    span,
                }
            })
            .map_postfix(|lhs, op| cell.borrow_mut().postfix(lhs, op))
            .parse(pairs);
        expr
    }

    fn postfix(&mut self, lhs: Expr, op: Pair<'_, Rule>) -> Expr {
        let span = lhs.span.to(self.span(&op));
        let rule = op.as_rule();
        let kind = match rule {
            Rule::is_some | Rule::is_none => ExprKind::Is {
                expr: Box::new(lhs),
                some: rule == Rule::is_some,
            },
            Rule::field | Rule::opt_field => {
                let name = self.ident_of(op.into_inner().next(), span);
                ExprKind::Field {
                    base: Box::new(lhs),
                    name,
                    optional: rule == Rule::opt_field,
                }
            }
            Rule::method_call | Rule::opt_method_call => {
                let mut parts = op.into_inner();
                let method = self.ident_of(parts.next(), span);
                let args = self.args(parts.next());
                ExprKind::Method {
                    receiver: Box::new(lhs),
                    method,
                    args,
                    optional: rule == Rule::opt_method_call,
                }
            }
            Rule::index => {
                let index = self.expr_of(op.into_inner().next(), span);
                ExprKind::Index {
                    base: Box::new(lhs),
                    index: Box::new(index),
                }
            }
            _ => {
                let ty = match significant(op).next() {
                    Some(t) => self.type_expr(t),
                    None => TypeExpr {
                        name: Ident {
                            name: String::new(),
                            span,
                        },
                        args: Vec::new(),
                        optional: false,
                        span,
                    },
                };
                ExprKind::Cast {
                    expr: Box::new(lhs),
                    ty,
                }
            }
        };
        Expr { kind, span }
    }

    fn args(&mut self, pair: Option<Pair<'_, Rule>>) -> Vec<Arg> {
        let Some(pair) = pair else {
            return Vec::new();
        };
        pair.into_inner()
            .map(|a| {
                let span = self.span(&a);
                let mut parts = a.into_inner();
                let value = self.expr_of(parts.next(), span);
                let dir = parts.next().map(|d| sort_dir(&d));
                Arg { value, dir }
            })
            .collect()
    }

    fn number(&mut self, pair: &Pair<'_, Rule>) -> Number {
        let text = pair.as_str().trim().to_string();
        let span = self.span(pair);
        let value = match parse_number(&text) {
            Some(v) => v,
            None => {
                self.error(
                    "E0003",
                    span,
                    format!("the number `{text}` does not fit in 28 significant digits"),
                );
                rust_decimal::Decimal::ZERO
            }
        };
        Number { text, value }
    }

    fn operand(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::expr | Rule::if_expr | Rule::binary => return self.expr(pair),
            Rule::paren => {
                let inner = self.expr_of(pair.into_inner().next(), span);
                ExprKind::Paren(Box::new(inner))
            }
            Rule::number => {
                let n = self.number(&pair);
                if n.text.contains('.') {
                    ExprKind::Decimal(n)
                } else {
                    if i64::try_from(n.value.mantissa()).is_err() || n.value.scale() != 0 {
                        self.error(
                            "E0003",
                            span,
                            format!(
                                "the whole number `{}` is too large (the limit is {})",
                                n.text,
                                i64::MAX
                            ),
                        );
                    }
                    ExprKind::Int(n)
                }
            }
            Rule::percent => {
                let number_pair = pair.clone().into_inner().next();
                let mut n = match number_pair {
                    Some(p) => self.number(&p),
                    None => self.number(&pair),
                };
                n.value /= rust_decimal::Decimal::ONE_HUNDRED;
                ExprKind::Percent(n)
            }
            Rule::money => {
                let mut parts = pair.into_inner();
                let amount = match parts.next() {
                    Some(p) => self.number(&p),
                    None => Number {
                        text: "0".into(),
                        value: rust_decimal::Decimal::ZERO,
                    },
                };
                let currency = parts
                    .next()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default();
                ExprKind::Money { amount, currency }
            }
            Rule::date => match chrono::NaiveDate::parse_from_str(pair.as_str(), "%Y-%m-%d") {
                Ok(d) => ExprKind::Date(d),
                Err(_) => {
                    self.error(
                        "E0002",
                        span,
                        format!("`{}` is not a valid date", pair.as_str()),
                    );
                    ExprKind::None
                }
            },
            Rule::period => match Period::parse(pair.as_str()) {
                Some(p) => ExprKind::Period(p),
                None => {
                    self.error(
                        "E0002",
                        span,
                        format!(
                            "`{}` is not a fiscal period; write `FY2026`, `FY2026-Q1`..`Q4` or `FY2026-M01`..`M12`",
                            pair.as_str()
                        ),
                    );
                    ExprKind::None
                }
            },
            Rule::string => ExprKind::Text(self.string(pair).value),
            Rule::boolean => ExprKind::Bool(pair.as_str().trim() == "true"),
            Rule::none_lit => ExprKind::None,
            Rule::name => {
                let id = self.ident_of(pair.into_inner().next(), span);
                ExprKind::Name(id)
            }
            Rule::call => {
                let mut parts = pair.into_inner();
                let func = self.ident_of(parts.next(), span);
                let args = self.args(parts.next());
                ExprKind::Call { func, args }
            }
            Rule::list => ExprKind::List(pair.into_inner().map(|e| self.expr(e)).collect()),
            Rule::record => ExprKind::Record(
                pair.into_inner()
                    .map(|f| {
                        let fspan = self.span(&f);
                        let mut parts = f.into_inner();
                        let name = self.ident_of(parts.next(), fspan);
                        let value = self.expr_of(parts.next(), fspan);
                        (name, value)
                    })
                    .collect(),
            ),
            Rule::map => ExprKind::Map(
                pair.into_inner()
                    .map(|e| {
                        let espan = self.span(&e);
                        let mut parts = e.into_inner();
                        let k = self.expr_of(parts.next(), espan);
                        let v = self.expr_of(parts.next(), espan);
                        (k, v)
                    })
                    .collect(),
            ),
            Rule::tiered => ExprKind::Tiered(Box::new(self.tiered(pair))),
            _ => ExprKind::None,
        };
        Expr { kind, span }
    }

    fn tiered(&mut self, pair: Pair<'_, Rule>) -> Tiered {
        let span = self.span(&pair);
        let mut mode = TierMode::Marginal;
        let mut exprs = Vec::new();
        let mut bands = Vec::new();
        for p in significant(pair) {
            match p.as_rule() {
                Rule::tier_mode => {
                    if p.as_str().trim() == "retro" {
                        mode = TierMode::Retro;
                    }
                }
                Rule::tier_band => {
                    let bspan = self.span(&p);
                    let mut parts = p.into_inner();
                    let bound = parts.next();
                    let upper = match bound {
                        Some(b) if b.as_rule() == Rule::tier_up_to => {
                            let bs = self.span(&b);
                            Some(self.expr_of(significant(b).next(), bs))
                        }
                        _ => None,
                    };
                    let rate = self.expr_of(parts.next(), bspan);
                    bands.push(Band {
                        upper,
                        rate,
                        span: bspan,
                    });
                }
                _ => exprs.push(self.expr(p)),
            }
        }
        let mut exprs = exprs.into_iter();
        let value = self.expr_of(None, span);
        let value = exprs.next().unwrap_or(value);
        let base = exprs.next();
        Tiered {
            mode,
            value,
            base,
            bands,
        }
    }
}
