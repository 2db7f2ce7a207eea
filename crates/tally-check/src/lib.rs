//! Tally's checker: name resolution over the whole program and its imports
//! (order-independent), the types of spec §4, the structural rules of each
//! declaration, and static lints. The result is a [`Program`] with every
//! name resolved and every expression typed, plus diagnostics.
//!
//! ```
//! use tally_check::{check_source, NoImports};
//! let checked = check_source("p.tally", "const rate = 5%\nconst doubled = rate * 2\n", &NoImports);
//! // Both consts are unused, which is a warning, not an error.
//! assert!(!checked.has_errors());
//! ```

mod builtins;
mod calls;
mod checker;
pub mod codes;
mod collect;
mod confine;
mod credit;
mod expr;
mod items;
mod lints;
mod plan;
mod program;
mod report;
mod tests_check;
pub mod types;
mod visit;

pub use builtins::{Native, AGGREGATES, STDLIB_SOURCES, TABLE_METHODS, TERRITORY_FIELDS};
pub use collect::{MONTHS, SCALAR_TYPE_NAMES, TYPE_NAMES};
pub use confine::confined_join;
pub use program::*;
pub use types::{TableId, Type};

use std::collections::HashSet;
use tally_diagnostics::{sort_diagnostics, Diagnostic, SourceMap, Span};
use tally_syntax::ast::DeclKind;

/// Reads imported files. Hosts decide where imports come from; policy code
/// never touches the file system itself.
pub trait Loader: Sync {
    /// Reads `path` as written in `import "path"` inside the file named
    /// `importer`. Returns the imported file's display name and text.
    fn load(&self, path: &str, importer: &str) -> Result<(String, String), String>;
}

/// A loader that refuses every import (for single-file policies).
pub struct NoImports;

impl Loader for NoImports {
    fn load(&self, path: &str, _importer: &str) -> Result<(String, String), String> {
        let _ = path;
        Err("this policy was compiled without access to other files".to_string())
    }
}

/// A checked program and everything found while checking it.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The program (usable for evaluation only when there are no errors).
    pub program: Program,
    /// Parse and check diagnostics, sorted by position (stdlib excluded).
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Stack size of the thread that parses and checks. The syntax tree is
/// walked recursively; input limits bound its depth, and this stack leaves
/// a wide margin whatever thread the host calls from.
const CHECK_STACK: usize = 256 * 1024 * 1024;

/// Parses and checks the policy `text` (shown as `name`), its imports
/// (read through `loader`) and the standard library.
pub fn check_source(name: &str, text: &str, loader: &dyn Loader) -> Checked {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("tally-check".into())
            .stack_size(CHECK_STACK)
            .spawn_scoped(scope, || check_source_here(name, text, loader));
        match worker.map(|h| h.join()) {
            Ok(Ok(checked)) => checked,
            Ok(Err(_)) => internal_error(name, text),
            // No thread could be started: check on this thread instead.
            Err(_) => check_source_here(name, text, loader),
        }
    })
}

/// The answer when the checker itself failed: one error, never a crash.
fn internal_error(name: &str, text: &str) -> Checked {
    let mut sources = SourceMap::new();
    let file = sources.add(name, text);
    let diagnostic = Diagnostic::error(
        "E0000",
        Span::new(file, 0, 0),
        "internal error: the checker failed on this policy",
    )
    .with_help("this is a bug in Tally; please report it with the policy that caused it");
    Checked {
        program: Program {
            sources,
            ..Program::default()
        },
        diagnostics: vec![diagnostic],
    }
}

/// [`check_source`] on the calling thread.
pub fn check_source_here(name: &str, text: &str, loader: &dyn Loader) -> Checked {
    let mut sources = SourceMap::new();
    let mut modules = Vec::new();
    let mut diagnostics = Vec::new();
    // The standard library comes first (fixed file ids, parsed once).
    let mut stdlib_files = Vec::new();
    for ((sname, stext), module) in STDLIB_SOURCES.iter().zip(stdlib_modules()) {
        let id = sources.add(*sname, *stext);
        stdlib_files.push(id);
        modules.push(module.clone());
    }
    let root = sources.add(name, text);
    let parsed = tally_syntax::parse(root, text);
    diagnostics.extend(parsed.diagnostics);
    modules.push(parsed.module);
    load_imports(&mut sources, &mut modules, &mut diagnostics, loader);
    let program = Program {
        sources,
        stdlib_files,
        root,
        ..Program::default()
    };
    let checker = checker::Checker::new(program, modules);
    let (program, found) = checker.run();
    diagnostics.extend(found);
    // Findings inside the standard library are not the user's to fix.
    diagnostics.retain(|d| !program.is_stdlib(d.primary.span.file) || d.is_error());
    sort_diagnostics(&mut diagnostics);
    Checked {
        program,
        diagnostics,
    }
}

/// The standard library's modules, parsed once per process.
fn stdlib_modules() -> &'static [tally_syntax::ast::Module] {
    static MODULES: std::sync::OnceLock<Vec<tally_syntax::ast::Module>> =
        std::sync::OnceLock::new();
    MODULES.get_or_init(|| {
        STDLIB_SOURCES
            .iter()
            .enumerate()
            .map(|(i, (_, text))| {
                tally_syntax::parse(tally_diagnostics::FileId(i as u32), text).module
            })
            .collect()
    })
}

/// Follows `import` declarations breadth-first, reporting unreadable files
/// and cycles.
fn load_imports(
    sources: &mut SourceMap,
    modules: &mut Vec<tally_syntax::ast::Module>,
    diagnostics: &mut Vec<Diagnostic>,
    loader: &dyn Loader,
) {
    let mut loaded: HashSet<String> = modules
        .iter()
        .map(|m| sources.name(m.file).to_string())
        .collect();
    // (importer module index, chain of file names leading to it)
    let root = modules.len() - 1;
    let root_name = modules
        .get(root)
        .map(|m| sources.name(m.file).to_string())
        .unwrap_or_default();
    let mut queue: Vec<(usize, Vec<String>)> = vec![(root, vec![root_name])];
    while let Some((mi, chain)) = queue.pop() {
        let Some(module) = modules.get(mi) else {
            continue;
        };
        let importer = sources.name(module.file).to_string();
        let imports: Vec<(String, Span)> = module
            .decls
            .iter()
            .filter_map(|d| match &d.kind {
                DeclKind::Import(path) => Some((path.value.clone(), path.span)),
                _ => None,
            })
            .collect();
        for (path, span) in imports {
            match loader.load(&path, &importer) {
                Ok((name, text)) => {
                    if chain.contains(&name) {
                        let mut cycle = chain.clone();
                        cycle.push(name.clone());
                        diagnostics.push(
                            Diagnostic::error(
                                codes::IMPORT,
                                span,
                                format!("imports form a cycle: {}", cycle.join(" → ")),
                            )
                            .with_help("move the shared declarations into a file that both import"),
                        );
                        continue;
                    }
                    if !loaded.insert(name.clone()) {
                        continue;
                    }
                    let id = sources.add(name.clone(), text.clone());
                    let parsed = tally_syntax::parse(id, &text);
                    diagnostics.extend(parsed.diagnostics);
                    modules.push(parsed.module);
                    let mut next = chain.clone();
                    next.push(name);
                    queue.push((modules.len() - 1, next));
                }
                Err(why) => diagnostics.push(
                    Diagnostic::error(
                        codes::IMPORT,
                        span,
                        format!("cannot import `{path}`: {why}"),
                    )
                    .with_help("import paths are relative to the importing file"),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// An expression checked against an already-checked program (for
/// `tally query` and the REPL).
#[derive(Clone, Debug)]
pub struct CheckedExpr {
    /// The program with the expression's source, names and types added.
    pub program: Program,
    /// The parsed expression (when it parsed).
    pub expr: Option<tally_syntax::ast::Expr>,
    /// Its type.
    pub ty: Type,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and checks `text` as one expression in the global scope of
/// `program` (consts, tables, functions, territories, `credits`, plans and
/// reports are all visible). `locals` are extra names (REPL bindings) with
/// their types and the spans that define them.
pub fn check_expression(
    program: &Program,
    name: &str,
    text: &str,
    locals: &[(String, Type, Span)],
) -> CheckedExpr {
    let mut program = program.clone();
    let file = program.sources.add(name, text);
    let expr = match tally_syntax::parse_expr(file, text) {
        Ok(e) => e,
        Err(diagnostics) => {
            return CheckedExpr {
                program,
                expr: None,
                ty: Type::Unknown,
                diagnostics,
            }
        }
    };
    let (program, ty, mut diagnostics) = checker::check_one_expr(program, &expr, locals);
    sort_diagnostics(&mut diagnostics);
    CheckedExpr {
        program,
        expr: Some(expr),
        ty,
        diagnostics,
    }
}
