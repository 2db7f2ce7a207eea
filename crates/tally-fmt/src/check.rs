//! The self-check: the formatted text must parse to the same program, with
//! the same comments in the same order.

use tally_syntax::ast::Module;

/// `Debug` text of `value` with every `Span { .. }` replaced by `Span`.
fn without_spans(value: &impl std::fmt::Debug) -> String {
    let text = format!("{value:?}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    const SPAN: &str = "Span { file: FileId(";
    while let Some(i) = rest.find(SPAN) {
        out.push_str(&rest[..i]);
        out.push_str("Span");
        let after = &rest[i..];
        rest = match after.find('}') {
            Some(j) => &after[j + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// True when two modules declare the same program: the same declarations
/// (with the same doc comments) in the same order, ignoring spans, the file
/// id and the other comments (see [`same_comments`]).
pub fn same_ast(a: &Module, b: &Module) -> bool {
    a.decls.len() == b.decls.len()
        && a.decls
            .iter()
            .zip(&b.decls)
            .all(|(x, y)| without_spans(x) == without_spans(y))
}

/// True when two modules have the same comments (text and kind) in the
/// same order.
pub fn same_comments(a: &Module, b: &Module) -> bool {
    a.comments.len() == b.comments.len()
        && a.comments
            .iter()
            .zip(&b.comments)
            .all(|(x, y)| x.text == y.text && x.doc == y.doc)
}

/// Describes the first declaration that differs, for the self-check error.
pub(crate) fn first_difference(a: &Module, b: &Module) -> String {
    if a.decls.len() != b.decls.len() {
        return format!("{} declarations became {}", a.decls.len(), b.decls.len());
    }
    for (i, (x, y)) in a.decls.iter().zip(&b.decls).enumerate() {
        if without_spans(x) != without_spans(y) {
            return format!("declaration {} changed", i + 1);
        }
    }
    if !same_comments(a, b) {
        let lost = a
            .comments
            .iter()
            .zip(b.comments.iter().map(Some).chain(std::iter::repeat(None)))
            .find(|(x, y)| y.is_none_or(|y| x.text != y.text || x.doc != y.doc))
            .map(|(x, _)| x.text.clone())
            .unwrap_or_default();
        return format!("the comment `{lost}` was lost or moved");
    }
    String::from("no difference")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Module {
        tally_syntax::parse(tally_diagnostics::FileId(0), src).module
    }

    #[test]
    fn spans_and_layout_do_not_matter() {
        let a = parse("const x = f(a,b) // c\n");
        let b = parse("\n\nconst   x =\n  f( a , b , )\n// c\n");
        assert!(same_ast(&a, &b));
        assert!(same_comments(&a, &b));
    }

    #[test]
    fn meaning_matters() {
        assert!(!same_ast(
            &parse("const x = (a + b) * c\n"),
            &parse("const x = a + b * c\n")
        ));
        assert!(!same_ast(
            &parse("const x = 1_000\n"),
            &parse("const x = 1000\n")
        ));
        assert!(!same_comments(
            &parse("// a\nconst x = 1\n"),
            &parse("// b\nconst x = 1\n")
        ));
        assert!(!same_ast(
            &parse("/// a\nconst x = 1\n"),
            &parse("/// a\n\nconst x = 1\n")
        ));
    }
}
