//! The checked program: every declaration with its resolved names and
//! types, ready for the evaluator, the language server and the formatter.

use crate::types::{TableId, Type};
use std::collections::HashMap;
use tally_diagnostics::{FileId, SourceMap, Span};
use tally_syntax::ast::{Decl, Module};

/// Points at one top-level declaration: `modules[module].decls[decl]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeclRef {
    /// Index into [`Program::modules`].
    pub module: usize,
    /// Index into that module's declarations.
    pub decl: usize,
}

/// Money rounding mode (`settings { rounding = ... }`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Rounding {
    /// Banker's rounding (the default).
    #[default]
    HalfEven,
    /// Half away from zero.
    HalfUp,
}

/// The policy's settings (spec §2.1), with defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Base currency code.
    pub currency: String,
    /// First month of the fiscal year, 1..=12.
    pub fiscal_year_start: u32,
    /// Money rounding mode.
    pub rounding: Rounding,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            currency: "USD".to_string(),
            fiscal_year_start: 1,
            rounding: Rounding::HalfEven,
        }
    }
}

/// What a table-shaped thing is.
#[derive(Clone, Debug, PartialEq)]
pub enum TableKind {
    /// A `table` declaration (data loaded from a file).
    Declared(DeclRef),
    /// The built-in `credits` table.
    Credits,
    /// A plan's result.
    Plan(DeclRef),
    /// A report's result.
    Report(DeclRef),
}

/// Where a column's values come from.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnOrigin {
    /// Loaded from data (declared in the table).
    Loaded {
        /// The header it is read from (`from "..."`, or the column name).
        header: String,
        /// A date `format`, if given.
        format: Option<String>,
    },
    /// Derived by the `assign` at this index of [`Program::assigns`].
    Derived(usize),
    /// The audit label of a derived column (`territory_rule`).
    RuleLabel(usize),
    /// Computed (credits, plan and report columns).
    Computed,
}

/// One column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// Column type.
    pub ty: Type,
    /// Where it is declared, if in source.
    pub span: Option<Span>,
    /// Where its values come from.
    pub origin: ColumnOrigin,
}

/// A declared table, `credits`, a plan or a report.
#[derive(Clone, Debug, PartialEq)]
pub struct TableInfo {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: TableKind,
    /// Columns in order.
    pub columns: Vec<ColumnInfo>,
    /// Index of the key column.
    pub key: Option<usize>,
    /// Start and end columns of an effective-dated table.
    pub effective: Option<(usize, usize)>,
    /// The name's place in source.
    pub span: Option<Span>,
    /// Doc comment.
    pub doc: Option<String>,
}

impl TableInfo {
    /// The index of the column called `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// One territory of the hierarchy.
#[derive(Clone, Debug, PartialEq)]
pub struct TerritoryInfo {
    /// Name.
    pub name: String,
    /// Parent territory index.
    pub parent: Option<usize>,
    /// Child indices in declaration order.
    pub children: Vec<usize>,
    /// 0 for a root.
    pub level: usize,
    /// `Global/Americas/NA_East`.
    pub path: String,
    /// Where it is declared.
    pub span: Span,
}

/// A `const`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstInfo {
    /// Name.
    pub name: String,
    /// Its declaration.
    pub decl: DeclRef,
    /// Its type.
    pub ty: Type,
}

/// A function: user `fn`, stdlib `fn`, or a native built-in.
#[derive(Clone, Debug, PartialEq)]
pub struct FnInfo {
    /// Name.
    pub name: String,
    /// Parameter names and types.
    pub params: Vec<(String, Type)>,
    /// Result type.
    pub ret: Type,
    /// The declaration, for functions written in Tally.
    pub decl: Option<DeclRef>,
    /// True for the standard library (Tally or native).
    pub stdlib: bool,
    /// Doc comment.
    pub doc: Option<String>,
}

/// An `assign` declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct AssignInfo {
    /// Its declaration.
    pub decl: DeclRef,
    /// The table that gets the derived column.
    pub table: TableId,
    /// The derived column's index in that table.
    pub column: usize,
    /// The `<field>_rule` column's index.
    pub rule_column: usize,
}

/// The crediting policy (all `credit` blocks).
#[derive(Clone, Debug, PartialEq)]
pub struct CreditInfo {
    /// The credited table (`deal` column of `credits`).
    pub credited: TableId,
    /// The table payees are rows of (`payee` column of `credits`).
    pub payees: Option<TableId>,
    /// The credit blocks in source order.
    pub blocks: Vec<DeclRef>,
    /// The `credits` table.
    pub table: TableId,
}

/// What a name in source refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A table (declared, `credits`, plan or report).
    Table(TableId),
    /// A column of a table.
    Column(TableId, usize),
    /// A const, by index.
    Const(usize),
    /// A function, by index.
    Fn(usize),
    /// A territory, by index.
    Territory(usize),
    /// A local (`let`, parameter, loop variable, metric) defined at this span.
    Local(Span),
    /// A table method or built-in aggregate (no declaration).
    Builtin(String),
}

/// A map keyed by source spans (the type and the meaning of every name
/// and expression), with a fast hasher: the checker fills one entry per
/// expression, and the evaluator and the language server read them often.
pub type SpanMap<V> = HashMap<Span, V, foldhash::fast::RandomState>;

/// A checked program.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// Every source file (the policy, its imports, the stdlib).
    pub sources: SourceMap,
    /// Parsed modules: the standard library, the root policy, its imports.
    pub modules: Vec<Module>,
    /// The root policy's file.
    pub root: FileId,
    /// Files that belong to the standard library.
    pub stdlib_files: Vec<FileId>,
    /// Settings with defaults.
    pub settings: Settings,
    /// `policy "Title"`, if given.
    pub title: Option<String>,
    /// Declared tables, `credits`, plans and reports.
    pub tables: Vec<TableInfo>,
    /// The territory hierarchy in declaration order (parents before children).
    pub territories: Vec<TerritoryInfo>,
    /// Consts.
    pub consts: Vec<ConstInfo>,
    /// Functions (stdlib first, then user functions).
    pub fns: Vec<FnInfo>,
    /// `assign` declarations in source order.
    pub assigns: Vec<AssignInfo>,
    /// Indices into `assigns` in evaluation order (a field after the
    /// fields it uses).
    pub assign_order: Vec<usize>,
    /// `credits`, plans and reports in evaluation order (a table after the
    /// tables it reads).
    pub table_order: Vec<TableId>,
    /// The crediting policy, if any `credit` block exists.
    pub credit: Option<CreditInfo>,
    /// Plans in source order (declaration, result table).
    pub plans: Vec<(DeclRef, TableId)>,
    /// Reports in source order (declaration, result table).
    pub reports: Vec<(DeclRef, TableId)>,
    /// `test` declarations.
    pub tests: Vec<DeclRef>,
    /// `golden` declarations.
    pub goldens: Vec<DeclRef>,
    /// The type of every checked expression, by its span.
    pub types: SpanMap<Type>,
    /// What every name refers to, by the name's span.
    pub resolutions: SpanMap<Resolution>,
    /// Names declared by declarations that failed to parse (their uses are
    /// not reported as unknown).
    pub broken_names: Vec<String>,
    pub(crate) names: HashMap<String, Global>,
}

/// A global name.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Global {
    Table(TableId),
    Const(usize),
    Fn(usize),
    Territory(usize),
}

impl Program {
    /// The declaration `r` points at.
    pub fn decl(&self, r: DeclRef) -> Option<&Decl> {
        self.modules.get(r.module)?.decls.get(r.decl)
    }

    /// The table with `id`.
    pub fn table(&self, id: TableId) -> Option<&TableInfo> {
        self.tables.get(id.0 as usize)
    }

    /// The table called `name`.
    pub fn table_named(&self, name: &str) -> Option<TableId> {
        match self.names.get(name) {
            Some(Global::Table(t)) => Some(*t),
            _ => None,
        }
    }

    /// The territory called `name`.
    pub fn territory_named(&self, name: &str) -> Option<usize> {
        match self.names.get(name) {
            Some(Global::Territory(t)) => Some(*t),
            _ => None,
        }
    }

    /// The function called `name`.
    pub fn fn_named(&self, name: &str) -> Option<usize> {
        match self.names.get(name) {
            Some(Global::Fn(f)) => Some(*f),
            _ => None,
        }
    }

    /// The const called `name`.
    pub fn const_named(&self, name: &str) -> Option<usize> {
        match self.names.get(name) {
            Some(Global::Const(c)) => Some(*c),
            _ => None,
        }
    }

    /// The name of table `id` (for messages).
    pub fn table_name(&self, id: TableId) -> String {
        self.table(id)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| "?".to_string())
    }

    /// A type written for people (`reps?`, `List<Text>`).
    pub fn show(&self, ty: &Type) -> String {
        let name_of = |t: TableId| self.table_name(t);
        crate::types::TypeDisplay::new(ty, &name_of).to_string()
    }

    /// The type recorded for the expression at `span`.
    pub fn type_at(&self, span: Span) -> Option<&Type> {
        self.types.get(&span)
    }

    /// True when `file` belongs to the standard library.
    pub fn is_stdlib(&self, file: FileId) -> bool {
        self.stdlib_files.contains(&file)
    }

    /// Every global name (tables, consts, functions, territories), sorted.
    pub fn global_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.names.keys().map(String::as_str).collect();
        v.sort();
        v
    }
}
