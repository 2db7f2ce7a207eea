//! Walking expressions (for dependency graphs and lints).

use tally_syntax::ast::*;

/// Every bare name used in `e`.
pub(crate) fn names(e: &Expr) -> Vec<&Ident> {
    let mut refs = Vec::new();
    collect_names(e, &mut refs);
    refs
}

fn collect_names<'a>(e: &'a Expr, out: &mut Vec<&'a Ident>) {
    match &e.kind {
        ExprKind::Name(id) => out.push(id),
        ExprKind::List(items) => items.iter().for_each(|i| collect_names(i, out)),
        ExprKind::Map(entries) => entries.iter().for_each(|(k, v)| {
            collect_names(k, out);
            collect_names(v, out);
        }),
        ExprKind::Record(fields) => fields.iter().for_each(|(_, v)| collect_names(v, out)),
        ExprKind::Field { base, .. } => collect_names(base, out),
        ExprKind::Method { receiver, args, .. } => {
            collect_names(receiver, out);
            args.iter().for_each(|a| collect_names(&a.value, out));
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| collect_names(&a.value, out)),
        ExprKind::Index { base, index } => {
            collect_names(base, out);
            collect_names(index, out);
        }
        ExprKind::Unary { expr, .. } | ExprKind::Is { expr, .. } | ExprKind::Cast { expr, .. } => {
            collect_names(expr, out)
        }
        ExprKind::Paren(expr) => collect_names(expr, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            collect_names(lhs, out);
            collect_names(rhs, out);
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            collect_names(cond, out);
            collect_names(then, out);
            collect_names(otherwise, out);
        }
        ExprKind::Tiered(t) => {
            collect_names(&t.value, out);
            if let Some(b) = &t.base {
                collect_names(b, out);
            }
            for band in &t.bands {
                if let Some(u) = &band.upper {
                    collect_names(u, out);
                }
                collect_names(&band.rate, out);
            }
        }
        _ => {}
    }
}
