//! The texts of data files, for finding cells again and showing them in
//! messages. A file read block by block is not kept: it is read again
//! only when a message is about it.

use super::text::decode_owned;
use std::path::PathBuf;
use std::sync::OnceLock;
use tally_diagnostics::{Diagnostic, FileId, SourceMap};

/// A data file whose text was not kept.
#[derive(Debug)]
pub(crate) struct Unkept {
    /// Its place in the source map (which holds no text for it).
    pub file: FileId,
    /// Where to read it again.
    pub path: PathBuf,
    /// Its text, once read again.
    text: OnceLock<String>,
}

impl Unkept {
    /// File `file`, read from `path`.
    pub(crate) fn new(file: FileId, path: PathBuf) -> Unkept {
        Unkept {
            file,
            path,
            text: OnceLock::new(),
        }
    }

    /// The text, read again (and decoded as it was loaded) the first time
    /// it is asked for; empty if the file cannot be read any more.
    fn text(&self) -> &str {
        self.text.get_or_init(|| {
            std::fs::read(&self.path)
                .map(|bytes| decode_owned(bytes).text)
                .unwrap_or_default()
        })
    }
}

/// The texts of every file of one load.
pub(crate) struct Texts<'a> {
    /// Every file, with the texts that were kept.
    pub sources: &'a SourceMap,
    /// The files whose texts were not.
    pub unkept: &'a [Unkept],
}

impl Texts<'_> {
    /// The text of `file` (read again if it was not kept).
    pub(crate) fn text(&self, file: FileId) -> &str {
        match self.unkept.iter().find(|u| u.file == file) {
            Some(unkept) => unkept.text(),
            None => self.sources.text(file),
        }
    }
}

/// Puts into `sources` the text of each file that was not kept and that
/// a diagnostic points into (or whose text was read again already), so
/// that the messages can show their lines.
pub(crate) fn keep_for(unkept: Vec<Unkept>, diagnostics: &[Diagnostic], sources: &mut SourceMap) {
    for u in unkept {
        let pointed_at = diagnostics.iter().any(|d| {
            d.primary.span.file == u.file || d.secondary.iter().any(|l| l.span.file == u.file)
        });
        if pointed_at {
            u.text();
        }
        if let Some(text) = u.text.into_inner() {
            sources.set_text(u.file, text);
        }
    }
}
