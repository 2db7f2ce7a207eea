//! Short functions compiled in place of their calls, and how each
//! argument is passed to the body compiled in place.

use super::{Compiler, Scope};
use crate::error::EvalError;
use crate::runtime::{Eval, Frame, Runtime};
use crate::value::Value;
use std::sync::Arc;
use tally_check::{Resolution, Type};
use tally_diagnostics::Span;
use tally_syntax::ast::*;

/// How an argument is passed to a call whose body is compiled in place
/// of it.
pub(crate) enum Passed {
    /// A literal: the body reads it as a literal.
    Literal(Value),
    /// A read of a cell (see [`Compiler::reads_in_place`]): the body
    /// reads the cell where it reads the parameter (and lookups in the
    /// body may follow the way to it themselves).
    InPlace(Option<super::CellPath>),
    /// Computed before the body runs, into the parameter's slot.
    Value,
}

/// Longest body (in bytes of source) of a function compiled in place of
/// its calls.
const INLINE_BYTES: usize = 400;
/// Most functions compiled in place inside one another.
const INLINE_DEPTH: usize = 4;

impl Compiler<'_> {
    /// How the argument `e` of a call whose body is compiled in place of
    /// it is passed: as a literal, read in place, or as a value computed
    /// before the body runs.
    pub(super) fn passed(&self, e: &Expr) -> Passed {
        match self.literal_of(e) {
            Some(v) => Passed::Literal(v),
            None if self.reads_in_place(e) => Passed::InPlace(self.cell_path(e)),
            None => Passed::Value,
        }
    }

    /// True when `e` reads a cell of a row in scope, directly or through
    /// references (`close_date`, `account.territory`): reading it cannot
    /// fail and gives the same value wherever in the call it is read, so
    /// the body of a call may read it where it reads the parameter.
    fn reads_in_place(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Name(id) => matches!(
                self.program.resolutions.get(&id.span),
                Some(Resolution::Column(t, _)) if self.find_row(*t).is_some()
            ),
            ExprKind::Field {
                base,
                name,
                optional,
            } => {
                matches!(
                    self.program.resolutions.get(&name.span),
                    Some(Resolution::Column(..))
                ) && (*optional || matches!(self.type_of(base.span), Type::Row(_)))
                    && self.reads_in_place(base)
            }
            _ => false,
        }
    }

    /// The body of function `index` compiled in place of a call with
    /// `args`, when the body is short: the arguments go into slots of the
    /// caller's frame, and no frame of its own is taken for the call.
    /// Nothing of the caller is in scope in the body. `None`: call it.
    /// (Functions cannot call themselves, E0301; the depth limit bounds
    /// what one call can bring in.)
    ///
    /// A parameter given a literal is read as that literal in the body,
    /// and one given a cell reads the cell where the body reads the
    /// parameter (see [`Passed`]): neither takes a slot at run time.
    pub(crate) fn inline(
        &mut self,
        index: usize,
        args: Vec<Eval>,
        passed: Vec<Passed>,
        span: Span,
    ) -> Result<Option<Eval>, EvalError> {
        if self.inlining.len() >= INLINE_DEPTH || self.inlining.contains(&index) {
            return Ok(None);
        }
        let decl = match self
            .program
            .fns
            .get(index)
            .and_then(|f| f.decl)
            .and_then(|r| self.program.decl(r))
            .map(|d| &d.kind)
        {
            Some(DeclKind::Fn(decl)) => decl,
            _ => return Ok(None),
        };
        let body_span = decl.body.span;
        if body_span.hi().saturating_sub(body_span.lo()) > INLINE_BYTES {
            return Ok(None);
        }
        let (scopes, rows_depth) = (self.scopes.len(), self.rows_depth);
        self.scopes.push(Scope::Inlined);
        self.push_locals();
        let mut slots = Vec::new();
        for (p, (arg, passed)) in decl.params.iter().zip(args.into_iter().zip(passed)) {
            let slot = self.bind(p.name.span);
            match passed {
                Passed::Literal(v) => {
                    self.known.insert(slot, v);
                }
                Passed::InPlace(path) => {
                    self.read_in_place.insert(slot, arg);
                    if let Some(path) = path {
                        self.cell_paths.insert(slot, path);
                    }
                }
                Passed::Value => slots.push((slot, arg)),
            }
        }
        self.inlining.push(index);
        let body = self.expr(&decl.body);
        self.inlining.pop();
        self.scopes.truncate(scopes);
        self.rows_depth = rows_depth;
        let body = body?;
        Ok(Some(Arc::new(move |rt: &Runtime, f: &mut Frame| {
            rt.step(1, span)?;
            for (slot, a) in &slots {
                let v = a(rt, f)?;
                f.set(*slot, v);
            }
            body(rt, f)
        })))
    }
}
