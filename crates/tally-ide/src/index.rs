//! Every name occurrence of a program with what it refers to: the checker's
//! resolutions, plus the places it does not record (declarations, table
//! names in types, the columns named by `effective`).

use crate::walk::{decl_types, local_defs, LocalKind};
use std::collections::HashMap;
use tally_check::{Program, Resolution, TableId, TableKind};
use tally_diagnostics::{FileId, Span};
use tally_syntax::ast::DeclKind;

/// What a name refers to. Things declared in source are identified by the
/// span of their name where declared, so a plan's loop variable and the
/// plan column it becomes are one symbol.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// Declared in source, at this span.
    Decl(Span),
    /// A native function of the standard library.
    Native(String),
    /// A table method, a report aggregate or a territory method.
    Builtin(String),
    /// A table without a declaration (`credits`).
    Table(TableId),
    /// A column without a declaration (the columns of `credits`).
    Column(TableId, usize),
}

/// One place where a name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// Where the name is written.
    pub span: Span,
    /// What it refers to.
    pub symbol: Symbol,
    /// True where the symbol is declared.
    pub def: bool,
}

/// What a declaration span declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Def {
    /// A table, `credits`, plan or report.
    Table(TableId),
    /// A column of a table (declared, derived, plan or report column).
    Column(TableId, usize),
    /// A territory, by index.
    Territory(usize),
    /// A const, by index.
    Const(usize),
    /// A function, by index.
    Fn(usize),
    /// A local name.
    Local(LocalKind),
}

/// The occurrences of a program, sorted by position.
#[derive(Clone, Debug, Default)]
pub struct Index {
    occurrences: Vec<Occurrence>,
    defs: HashMap<Span, Def>,
    locals: HashMap<Span, LocalKind>,
}

impl Index {
    /// Builds the index of `program`.
    pub fn build(program: &Program) -> Index {
        let mut index = Index::default();
        index.collect_defs(program);
        let mut occ: Vec<Occurrence> = index
            .defs
            .keys()
            .map(|span| Occurrence {
                span: *span,
                symbol: Symbol::Decl(*span),
                def: true,
            })
            .collect();
        for (span, res) in &program.resolutions {
            let symbol = symbol_of(program, res);
            if symbol == Symbol::Decl(*span) {
                continue;
            }
            occ.push(Occurrence {
                span: *span,
                symbol,
                def: false,
            });
        }
        for module in &program.modules {
            for decl in &module.decls {
                for ty in decl_types(decl) {
                    if let Some(t) = program.table_named(&ty.name.name) {
                        occ.push(Occurrence {
                            span: ty.name.span,
                            symbol: table_symbol(program, t),
                            def: false,
                        });
                    }
                }
                if let DeclKind::Table(t) = &decl.kind {
                    let id = program.table_named(&t.name.name);
                    let info = id.and_then(|id| program.table(id).map(|i| (id, i)));
                    if let (Some((id, info)), Some((start, end))) = (info, &t.effective) {
                        for name in [start, end] {
                            if let Some(i) = info.column(&name.name) {
                                occ.push(Occurrence {
                                    span: name.span,
                                    symbol: column_symbol(program, id, i),
                                    def: false,
                                });
                            }
                        }
                    }
                }
            }
        }
        occ.sort_by_key(|o| (o.span.file, o.span.start, o.span.end, o.def));
        occ.dedup();
        index.occurrences = occ;
        index
    }

    fn collect_defs(&mut self, program: &Program) {
        for (i, t) in program.tables.iter().enumerate() {
            if let Some(span) = t.span {
                self.defs.entry(span).or_insert(Def::Table(table_id(i)));
            }
        }
        // Declared tables first: a report without `columns` copies the
        // spans of its input's columns, which stay the input's.
        let declared = |t: &&tally_check::TableInfo| matches!(t.kind, TableKind::Declared(_));
        let order = program
            .tables
            .iter()
            .enumerate()
            .filter(|(_, t)| declared(t))
            .chain(
                program
                    .tables
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| !declared(t)),
            );
        for (i, t) in order {
            for (c, col) in t.columns.iter().enumerate() {
                if let Some(span) = col.span {
                    self.defs.entry(span).or_insert(Def::Column(table_id(i), c));
                }
            }
        }
        for (i, t) in program.territories.iter().enumerate() {
            self.defs.entry(t.span).or_insert(Def::Territory(i));
        }
        for (i, c) in program.consts.iter().enumerate() {
            if let Some(DeclKind::Const(decl)) = program.decl(c.decl).map(|d| &d.kind) {
                self.defs.entry(decl.name.span).or_insert(Def::Const(i));
            }
        }
        for (i, f) in program.fns.iter().enumerate() {
            let decl = f.decl.and_then(|d| program.decl(d));
            if let Some(DeclKind::Fn(decl)) = decl.map(|d| &d.kind) {
                self.defs.entry(decl.name.span).or_insert(Def::Fn(i));
            }
        }
        for module in &program.modules {
            for decl in &module.decls {
                for (id, kind) in local_defs(decl) {
                    self.locals.insert(id.span, kind);
                    self.defs.entry(id.span).or_insert(Def::Local(kind));
                }
            }
        }
    }

    /// The occurrence at `offset` of `file`: the innermost one, a use
    /// before a declaration written at the same place.
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| o.span.file == file && o.span.contains(offset))
            .min_by_key(|o| (o.span.end.saturating_sub(o.span.start), o.def))
    }

    /// Every occurrence of `symbol`, in source order.
    pub fn occurrences_of<'a>(
        &'a self,
        symbol: &'a Symbol,
    ) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences.iter().filter(move |o| &o.symbol == symbol)
    }

    /// Every occurrence, in source order.
    pub fn iter(&self) -> impl Iterator<Item = &Occurrence> {
        self.occurrences.iter()
    }

    /// What is declared at `span`.
    pub fn def(&self, span: Span) -> Option<Def> {
        self.defs.get(&span).copied()
    }

    /// The kind of local name declared at `span`, if one is.
    pub fn local_kind(&self, span: Span) -> Option<LocalKind> {
        self.locals.get(&span).copied()
    }
}

fn table_id(i: usize) -> TableId {
    TableId(u32::try_from(i).unwrap_or(u32::MAX))
}

fn table_symbol(program: &Program, t: TableId) -> Symbol {
    match program.table(t).and_then(|i| i.span) {
        Some(span) => Symbol::Decl(span),
        None => Symbol::Table(t),
    }
}

fn column_symbol(program: &Program, t: TableId, i: usize) -> Symbol {
    match program
        .table(t)
        .and_then(|info| info.columns.get(i))
        .and_then(|c| c.span)
    {
        Some(span) => Symbol::Decl(span),
        None => Symbol::Column(t, i),
    }
}

/// The symbol a resolved name refers to.
pub(crate) fn symbol_of(program: &Program, res: &Resolution) -> Symbol {
    match res {
        Resolution::Table(t) => table_symbol(program, *t),
        Resolution::Column(t, i) => column_symbol(program, *t, *i),
        Resolution::Const(c) => {
            let decl = program.consts.get(*c).and_then(|c| program.decl(c.decl));
            match decl.map(|d| &d.kind) {
                Some(DeclKind::Const(k)) => Symbol::Decl(k.name.span),
                _ => Symbol::Builtin(format!("const#{c}")),
            }
        }
        Resolution::Fn(f) => {
            let info = program.fns.get(*f);
            let decl = info.and_then(|i| i.decl).and_then(|d| program.decl(d));
            match decl.map(|d| &d.kind) {
                Some(DeclKind::Fn(k)) => Symbol::Decl(k.name.span),
                _ => Symbol::Native(info.map(|i| i.name.clone()).unwrap_or_default()),
            }
        }
        Resolution::Territory(t) => match program.territories.get(*t) {
            Some(info) => Symbol::Decl(info.span),
            None => Symbol::Builtin(format!("territory#{t}")),
        },
        Resolution::Local(span) => Symbol::Decl(*span),
        Resolution::Builtin(name) => Symbol::Builtin(name.clone()),
    }
}
