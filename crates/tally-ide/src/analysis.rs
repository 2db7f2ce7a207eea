//! One analysed document: its text, the checked program and the index of
//! every name in it.

use crate::index::Index;
use std::collections::HashMap;
use std::sync::Mutex;
use tally_check::{Checked, Loader, Program};
use tally_diagnostics::{Diagnostic, FileId, SourceFile};
use tally_syntax::ast::{DeclKind, Module};

/// A document checked once: every feature of this crate answers from it.
#[derive(Debug)]
pub struct Analysis {
    /// The document's display name (its path for files on disk).
    pub name: String,
    /// The text that was checked.
    pub text: String,
    /// The checked program (the document, its imports, the standard library).
    pub checked: Checked,
    /// Every name occurrence, with what it refers to.
    pub index: Index,
    /// The imports read while checking, replayed when the text is checked
    /// again with small changes (completion).
    imports: Imports,
}

/// Imports as read: `(path, importer)` → the loader's answer.
type Imports = HashMap<(String, String), Result<(String, String), String>>;

/// Wraps a loader and remembers each answer.
struct Recording<'a> {
    inner: &'a dyn Loader,
    seen: Mutex<Imports>,
}

impl Loader for Recording<'_> {
    fn load(&self, path: &str, importer: &str) -> Result<(String, String), String> {
        let answer = self.inner.load(path, importer);
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert((path.to_string(), importer.to_string()), answer.clone());
        }
        answer
    }
}

/// Answers imports from a recording; anything new is refused.
struct Replay<'a>(&'a Imports);

impl Loader for Replay<'_> {
    fn load(&self, path: &str, importer: &str) -> Result<(String, String), String> {
        self.0
            .get(&(path.to_string(), importer.to_string()))
            .cloned()
            .unwrap_or_else(|| Err("this file was not read while checking".to_string()))
    }
}

impl Analysis {
    /// Parses and checks `text` (shown as `name`), reading imports through
    /// `loader`.
    pub fn new(name: &str, text: &str, loader: &dyn Loader) -> Analysis {
        let recording = Recording {
            inner: loader,
            seen: Mutex::new(HashMap::new()),
        };
        let checked = tally_check::check_source(name, text, &recording);
        let imports = recording.seen.into_inner().unwrap_or_default();
        let index = Index::build(&checked.program);
        Analysis {
            name: name.to_string(),
            text: text.to_string(),
            checked,
            index,
            imports,
        }
    }

    /// Checks another text of the same document with the imports read the
    /// first time (no file is read again).
    pub fn recheck(&self, text: &str) -> Analysis {
        let checked = tally_check::check_source(&self.name, text, &self.replay_loader());
        let index = Index::build(&checked.program);
        Analysis {
            name: self.name.clone(),
            text: text.to_string(),
            checked,
            index,
            imports: self.imports.clone(),
        }
    }

    /// A loader that answers the document's imports as they were read.
    pub fn replay_loader(&self) -> impl Loader + '_ {
        Replay(&self.imports)
    }

    /// The checked program.
    pub fn program(&self) -> &Program {
        &self.checked.program
    }

    /// The document's file id in [`Analysis::program`]'s sources.
    pub fn file(&self) -> FileId {
        self.checked.program.root
    }

    /// The document's parsed module.
    pub fn module(&self) -> Option<&Module> {
        let root = self.file();
        self.checked.program.modules.iter().find(|m| m.file == root)
    }

    /// A source file of the program (the document, an import, the stdlib).
    pub fn source(&self, file: FileId) -> Option<&SourceFile> {
        self.checked.program.sources.get(file)
    }

    /// Every diagnostic, sorted by position (imports included).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.checked.diagnostics
    }

    /// True when some declaration of the document did not parse.
    pub fn has_syntax_errors(&self) -> bool {
        self.module()
            .is_none_or(|m| m.decls.iter().any(|d| matches!(d.kind, DeclKind::Error(_))))
    }

    /// The file an `import "path"` of the document reads, when it was read.
    pub fn imported_file(&self, path: &str) -> Option<FileId> {
        let (name, _) = self
            .imports
            .get(&(path.to_string(), self.name.clone()))?
            .as_ref()
            .ok()?;
        self.checked.program.sources.find(name)
    }

    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.checked.has_errors()
    }
}
