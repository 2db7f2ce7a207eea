//! The abstract syntax tree. Every node carries a byte [`Span`]; sugar is
//! kept (parentheses, bare report columns) so the formatter can print the
//! program back as written. Layout choices (inline braces, line breaks) are
//! read by the formatter from the source text, not stored here.

use crate::literal::Period;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use tally_diagnostics::{FileId, Span};

/// A name as written, with its place.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// A string literal (escapes already resolved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrLit {
    /// The text value.
    pub value: String,
    /// Where the literal (with its quotes) is written.
    pub span: Span,
}

/// One comment, kept for the formatter and for hover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The comment text including the leading `//` or `///`, trailing
    /// spaces removed.
    pub text: String,
    /// Where it is written.
    pub span: Span,
    /// True for `///` doc comments.
    pub doc: bool,
}

/// A parsed source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// The file this module was parsed from.
    pub file: FileId,
    /// Top-level declarations in source order (broken ones as [`DeclKind::Error`]).
    pub decls: Vec<Decl>,
    /// Every comment of the file, in order.
    pub comments: Vec<Comment>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct Decl {
    /// What it declares.
    pub kind: DeclKind,
    /// From its first keyword to its last character.
    pub span: Span,
    /// The `///` doc comment right above it, without the slashes.
    pub doc: Option<String>,
}

/// The kinds of top-level declarations (spec §2).
#[derive(Clone, Debug, PartialEq)]
pub enum DeclKind {
    /// `policy "Title"`
    Policy(StrLit),
    /// `import "path.tally"`
    Import(StrLit),
    /// `settings { ... }`
    Settings(Vec<Setting>),
    /// `table NAME { ... }`
    Table(Table),
    /// `territories { ... }`
    Territories(Vec<TerritoryNode>),
    /// `const NAME = expr`
    Const(Const),
    /// `fn NAME(params) -> Type = expr`
    Fn(FnDecl),
    /// `assign TABLE.FIELD (policy) { rules }`
    Assign(Assign),
    /// `credit TABLE ... { ... }`
    Credit(Credit),
    /// `plan NAME "Title" { ... }`
    Plan(Plan),
    /// `report NAME "Title" { ... }`
    Report(Report),
    /// `test "name" { ... }`
    Test(Test),
    /// `golden "name" { ... }`
    Golden(Golden),
    /// A declaration that did not parse; its text is kept verbatim.
    Error(String),
}

/// `name = value` inside `settings`, or `amount = expr` inside `credit`.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The setting's name.
    pub name: Ident,
    /// Its value.
    pub value: Expr,
    /// The whole item.
    pub span: Span,
}

/// A type as written: `Text`, `reps?`, `List<Text>`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    /// The base name.
    pub name: Ident,
    /// Type arguments (`List<T>`, `Map<K, V>`).
    pub args: Vec<TypeExpr>,
    /// `?` suffix.
    pub optional: bool,
    /// The whole type.
    pub span: Span,
}

/// `table NAME [effective(start, end)] { columns }`
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The table's name.
    pub name: Ident,
    /// Start and end columns of an effective-dated table.
    pub effective: Option<(Ident, Ident)>,
    /// Columns in order.
    pub columns: Vec<Column>,
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Column name.
    pub name: Ident,
    /// Declared type.
    pub ty: TypeExpr,
    /// `key` marker.
    pub key: Option<Span>,
    /// `from "Header"`.
    pub from: Option<StrLit>,
    /// `format "%m/%d/%Y"`.
    pub format: Option<StrLit>,
    /// The whole column declaration.
    pub span: Span,
}

/// A territory and its children.
#[derive(Clone, Debug, PartialEq)]
pub struct TerritoryNode {
    /// The territory's name.
    pub name: Ident,
    /// Child territories in order.
    pub children: Vec<TerritoryNode>,
    /// The whole node including children.
    pub span: Span,
}

/// `const NAME [: Type] = expr`
#[derive(Clone, Debug, PartialEq)]
pub struct Const {
    /// Name.
    pub name: Ident,
    /// Optional type annotation.
    pub ty: Option<TypeExpr>,
    /// Value.
    pub value: Expr,
}

/// `fn NAME(params) -> Type = body`
#[derive(Clone, Debug, PartialEq)]
pub struct FnDecl {
    /// Name.
    pub name: Ident,
    /// Parameters.
    pub params: Vec<Param>,
    /// Declared result type.
    pub ret: TypeExpr,
    /// Body expression.
    pub body: Expr,
}

/// One function parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Name.
    pub name: Ident,
    /// Type.
    pub ty: TypeExpr,
    /// The whole parameter.
    pub span: Span,
}

/// A hit policy: `first match`, `all match` or `unique`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HitPolicy {
    /// The first rule that holds.
    FirstMatch,
    /// Every rule that holds.
    AllMatch,
    /// Exactly one rule may hold.
    Unique,
}

impl HitPolicy {
    /// The policy as written.
    pub fn as_str(self) -> &'static str {
        match self {
            HitPolicy::FirstMatch => "first match",
            HitPolicy::AllMatch => "all match",
            HitPolicy::Unique => "unique",
        }
    }
}

/// A rule (`rule "label" when cond then X`) or an `otherwise X` branch.
#[derive(Clone, Debug, PartialEq)]
pub struct Arm<T> {
    /// The rule's label; `None` for `otherwise`.
    pub label: Option<StrLit>,
    /// The condition; `None` for `otherwise`.
    pub when: Option<Expr>,
    /// What the rule yields.
    pub then: T,
    /// The whole rule.
    pub span: Span,
}

impl<T> Arm<T> {
    /// True for the `otherwise` branch.
    pub fn is_otherwise(&self) -> bool {
        self.label.is_none()
    }

    /// The label used in audit output: the rule's label, or `otherwise`.
    pub fn label_text(&self) -> &str {
        self.label
            .as_ref()
            .map(|l| l.value.as_str())
            .unwrap_or("otherwise")
    }
}

/// `assign TABLE.FIELD (policy) { rules }`
#[derive(Clone, Debug, PartialEq)]
pub struct Assign {
    /// The table that gets the derived column.
    pub table: Ident,
    /// The derived column's name.
    pub field: Ident,
    /// Hit policy.
    pub hit: HitPolicy,
    /// Where the hit policy is written.
    pub hit_span: Span,
    /// Rules and `otherwise`, in order.
    pub arms: Vec<Arm<Expr>>,
}

/// `PAYEE gets SHARE`
#[derive(Clone, Debug, PartialEq)]
pub struct Gets {
    /// Who is credited.
    pub payee: Expr,
    /// The share (a Percent).
    pub share: Expr,
    /// The whole clause.
    pub span: Span,
}

/// `credit TABLE [where P] on DATE { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Credit {
    /// The credited table.
    pub table: Ident,
    /// Optional row filter.
    pub filter: Option<Expr>,
    /// The credit date expression.
    pub on: Expr,
    /// Body items in order.
    pub items: Vec<CreditItem>,
}

/// An item of a `credit` block.
#[derive(Clone, Debug, PartialEq)]
pub enum CreditItem {
    /// `let NAME = expr`
    Let(Let),
    /// `amount = expr` (the only setting a credit block knows)
    Setting(Setting),
    /// `NAME (policy) { rules }`
    Group(RoleGroup),
    /// `rollup GROUP via FIELD as ROLE`
    Rollup(Rollup),
}

/// `let NAME = expr`
#[derive(Clone, Debug, PartialEq)]
pub struct Let {
    /// Name.
    pub name: Ident,
    /// Value.
    pub value: Expr,
    /// The whole statement.
    pub span: Span,
}

/// A role group of a credit block.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleGroup {
    /// The role name (`revenue`, `overlay`, ...).
    pub name: Ident,
    /// Hit policy.
    pub hit: HitPolicy,
    /// Where the hit policy is written.
    pub hit_span: Span,
    /// Rules and `otherwise`.
    pub arms: Vec<Arm<Vec<Gets>>>,
    /// The whole group.
    pub span: Span,
}

/// `rollup GROUP via FIELD as ROLE`
#[derive(Clone, Debug, PartialEq)]
pub struct Rollup {
    /// The role group whose credits are rolled up.
    pub group: Ident,
    /// The reps column that points at the next level.
    pub via: Ident,
    /// The role of the rolled-up credits.
    pub role: Ident,
    /// The whole statement.
    pub span: Span,
}

/// `plan NAME "Title" { for ...; metrics }`
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Name (also the name of the result table).
    pub name: Ident,
    /// Title.
    pub title: Option<StrLit>,
    /// `for` lines and metrics, in order.
    pub items: Vec<PlanItem>,
}

/// An item of a plan.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanItem {
    /// `for VAR in SOURCE [where P]`
    For(PlanFor),
    /// `NAME = expr`
    Metric(Setting),
}

/// `for VAR in SOURCE [where P]`
#[derive(Clone, Debug, PartialEq)]
pub struct PlanFor {
    /// Loop variable.
    pub var: Ident,
    /// A table or a list.
    pub source: Expr,
    /// Optional filter.
    pub filter: Option<Expr>,
    /// The whole line.
    pub span: Span,
}

/// `report NAME "Title" { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Name.
    pub name: Ident,
    /// Title.
    pub title: Option<StrLit>,
    /// Clauses in source order.
    pub items: Vec<ReportItem>,
}

/// A report's clauses sorted out: the first of each kind that a report
/// has once, and every filter (a `from`'s own `where` first, then the
/// `where` clauses in order).
#[derive(Clone, Debug, Default)]
pub struct ReportClauses<'a> {
    /// The table or list read (`from`).
    pub from: Option<&'a Expr>,
    /// Every filter, in order.
    pub wheres: Vec<&'a Expr>,
    /// `group by` keys.
    pub group: Option<&'a [NamedExpr]>,
    /// `columns`.
    pub columns: Option<&'a [NamedExpr]>,
    /// `order by` keys.
    pub order: Option<&'a [OrderKey]>,
    /// `limit`.
    pub limit: Option<&'a Expr>,
    /// The `totals` clause.
    pub totals: Option<Span>,
    /// Clauses a report has once, written again: (clause, where it is
    /// again, where it was written before).
    pub repeated: Vec<(&'static str, Span, Span)>,
}

impl Report {
    /// The report's clauses, sorted out (see [`ReportClauses`]).
    pub fn clauses(&self) -> ReportClauses<'_> {
        let mut c = ReportClauses::default();
        // (where each clause was written last)
        let mut last: Vec<(&'static str, Span)> = Vec::new();
        for item in &self.items {
            let clause = match &item.kind {
                ReportItemKind::From { source, filter } => {
                    if c.from.is_none() {
                        c.from = Some(source);
                        c.wheres.extend(filter.iter());
                    }
                    "from"
                }
                ReportItemKind::Where(w) => {
                    c.wheres.push(w);
                    continue;
                }
                ReportItemKind::GroupBy(keys) => {
                    c.group.get_or_insert(keys);
                    "group by"
                }
                ReportItemKind::Columns(cols) => {
                    c.columns.get_or_insert(cols);
                    "columns"
                }
                ReportItemKind::OrderBy(keys) => {
                    c.order.get_or_insert(keys);
                    "order by"
                }
                ReportItemKind::Limit(l) => {
                    c.limit.get_or_insert(l);
                    "limit"
                }
                ReportItemKind::Totals => {
                    c.totals.get_or_insert(item.span);
                    "totals"
                }
            };
            match last.iter_mut().find(|(k, _)| *k == clause) {
                Some((_, at)) => {
                    c.repeated.push((clause, item.span, *at));
                    *at = item.span;
                }
                None => last.push((clause, item.span)),
            }
        }
        c
    }
}

/// A clause of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportItem {
    /// Which clause.
    pub kind: ReportItemKind,
    /// The whole clause.
    pub span: Span,
}

/// The clauses a report can have.
#[derive(Clone, Debug, PartialEq)]
pub enum ReportItemKind {
    /// `from EXPR [where P]`
    From {
        /// The table expression read.
        source: Expr,
        /// Optional filter.
        filter: Option<Expr>,
    },
    /// `where P`
    Where(Expr),
    /// `group by k = e, ...`
    GroupBy(Vec<NamedExpr>),
    /// `columns { ... }`
    Columns(Vec<NamedExpr>),
    /// `order by e [desc], ...`
    OrderBy(Vec<OrderKey>),
    /// `limit N`
    Limit(Expr),
    /// `totals`
    Totals,
}

/// `name = expr`, or a bare expression (short for `name = name`).
#[derive(Clone, Debug, PartialEq)]
pub struct NamedExpr {
    /// Explicit name, if written.
    pub name: Option<Ident>,
    /// The expression.
    pub value: Expr,
    /// The whole item.
    pub span: Span,
}

/// A sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortDir {
    /// Ascending (the default).
    Asc,
    /// Descending.
    Desc,
}

/// A key of `order by`.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderKey {
    /// The key expression.
    pub value: Expr,
    /// Written direction, if any.
    pub dir: Option<SortDir>,
    /// The whole key.
    pub span: Span,
}

/// `test "name" { given ...; expect ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// The test's name.
    pub name: StrLit,
    /// `given` and `expect` items.
    pub items: Vec<TestItem>,
}

/// An item of a test.
#[derive(Clone, Debug, PartialEq)]
pub enum TestItem {
    /// `given TABLE = [rows]`
    Given {
        /// The replaced table.
        table: Ident,
        /// The rows (a list of records).
        rows: Expr,
        /// The whole item.
        span: Span,
    },
    /// `expect BOOL_EXPR`
    Expect {
        /// The expectation.
        value: Expr,
        /// The whole item.
        span: Span,
    },
}

/// `golden "name" { report R; [data "dir"]; matches "file.csv" }`
#[derive(Clone, Debug, PartialEq)]
pub struct Golden {
    /// The golden test's name.
    pub name: StrLit,
    /// Its items.
    pub items: Vec<GoldenItem>,
}

/// An item of a golden block.
#[derive(Clone, Debug, PartialEq)]
pub enum GoldenItem {
    /// `report NAME`
    Report(Ident),
    /// `data "dir"`
    Data(StrLit),
    /// `matches "file.csv"`
    Matches(StrLit),
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// The whole expression.
    pub span: Span,
}

/// A number literal: its text as written and its exact value.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    /// As written (`1_000`, `0.075`).
    pub text: String,
    /// Exact value.
    pub value: Decimal,
}

/// The expression forms of spec §3.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal.
    Int(Number),
    /// A decimal literal.
    Decimal(Number),
    /// A percent literal; `value` is the fraction (12.5% → 0.125).
    Percent(Number),
    /// A money literal.
    Money {
        /// The amount as written.
        amount: Number,
        /// ISO-4217 code.
        currency: String,
    },
    /// A date literal.
    Date(NaiveDate),
    /// A fiscal period literal.
    Period(Period),
    /// A text literal.
    Text(String),
    /// `true` / `false`.
    Bool(bool),
    /// `none`.
    None,
    /// `[a, b]`
    List(Vec<Expr>),
    /// `{k: v}` with expression keys.
    Map(Vec<(Expr, Expr)>),
    /// `{ name: value }` with name keys (rows in `given`).
    Record(Vec<(Ident, Expr)>),
    /// A name.
    Name(Ident),
    /// `base.name` or `base?.name`.
    Field {
        /// The navigated value.
        base: Box<Expr>,
        /// The field.
        name: Ident,
        /// `?.`
        optional: bool,
    },
    /// `receiver.method(args)` or `receiver?.method(args)`.
    Method {
        /// The receiver.
        receiver: Box<Expr>,
        /// Method name.
        method: Ident,
        /// Arguments.
        args: Vec<Arg>,
        /// `?.`
        optional: bool,
    },
    /// `f(args)`.
    Call {
        /// Function name.
        func: Ident,
        /// Arguments.
        args: Vec<Arg>,
    },
    /// `base[index]`.
    Index {
        /// Map or keyed table.
        base: Box<Expr>,
        /// Key.
        index: Box<Expr>,
    },
    /// `not x`, `-x`.
    Unary {
        /// Operator.
        op: UnOp,
        /// Operand.
        expr: Box<Expr>,
    },
    /// `a op b`.
    Binary {
        /// Operator.
        op: BinOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// `x is some` (`some == true`) or `x is none`.
    Is {
        /// Tested value.
        expr: Box<Expr>,
        /// True for `is some`.
        some: bool,
    },
    /// `x as Type`.
    Cast {
        /// Value.
        expr: Box<Expr>,
        /// Target type.
        ty: TypeExpr,
    },
    /// `if c then a else b`.
    If {
        /// Condition.
        cond: Box<Expr>,
        /// Value when true.
        then: Box<Expr>,
        /// Value when false.
        otherwise: Box<Expr>,
    },
    /// `tiered marginal|retro (VALUE [of BASE]) { bands }`.
    Tiered(Box<Tiered>),
    /// `(x)`.
    Paren(Box<Expr>),
}

/// A call argument, with an optional sort direction (`sort(e desc)`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// The argument.
    pub value: Expr,
    /// `desc` / `asc` after it.
    pub dir: Option<SortDir>,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    /// `not`
    Not,
    /// `-`
    Neg,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `within`
    Within,
    /// `??`
    Default,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::Within => "within",
            BinOp::Default => "??",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Binding strength: higher binds tighter (spec §3).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::In
            | BinOp::Within => 4,
            BinOp::Default => 5,
            BinOp::Add | BinOp::Sub => 6,
            BinOp::Mul | BinOp::Div => 7,
        }
    }

    /// True for `== != < <= > >= in within`.
    pub fn is_comparison(self) -> bool {
        self.precedence() == 4
    }
}

/// Marginal or retro tiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TierMode {
    /// Each band's rate applies to the part of the value inside the band.
    Marginal,
    /// The whole value is paid at the rate of the band it reaches.
    Retro,
}

/// `tiered MODE (VALUE [of BASE]) { bands }`
#[derive(Clone, Debug, PartialEq)]
pub struct Tiered {
    /// Marginal or retro.
    pub mode: TierMode,
    /// The measured value.
    pub value: Expr,
    /// The base bands are relative to (`of quota`).
    pub base: Option<Expr>,
    /// Bands in order.
    pub bands: Vec<Band>,
}

/// `up to X => RATE` or `above => RATE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// Upper bound; `None` for `above`.
    pub upper: Option<Expr>,
    /// Rate paid in the band.
    pub rate: Expr,
    /// The whole band.
    pub span: Span,
}
