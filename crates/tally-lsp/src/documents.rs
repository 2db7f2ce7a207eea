//! Open documents: their text and version, their latest analysis, the
//! last analysis without syntax errors, and the results on their data.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tally_ide::{Analysis, DataRun};
use tower_lsp_server::lsp_types::Uri;
use tower_lsp_server::UriExt;

/// One analysis of one version of a document.
#[derive(Debug)]
pub struct Snapshot {
    /// The document version analysed.
    pub version: i32,
    /// The analysis.
    pub analysis: Analysis,
}

/// What is known about one open document.
#[derive(Debug, Default)]
pub struct DocState {
    /// The current text.
    pub text: Arc<String>,
    /// The current version.
    pub version: i32,
    /// The latest analysis (possibly of an older version).
    pub latest: Option<Arc<Snapshot>>,
    /// The last analysis without syntax errors (names for completion on
    /// broken text).
    pub last_good: Option<Arc<Snapshot>>,
    /// Results on the configured data, with the version they are for.
    pub data: Option<(i32, Arc<DataRun>)>,
}

/// An open document: its state, and a lock taken while it is analysed (so
/// one version is analysed once).
#[derive(Debug, Default)]
pub struct Document {
    /// The state.
    pub state: Mutex<DocState>,
    /// Held while an analysis runs.
    pub analysing: tokio::sync::Mutex<()>,
}

impl Document {
    /// The current text and version.
    pub fn current(&self) -> (Arc<String>, i32) {
        match self.state.lock() {
            Ok(s) => (s.text.clone(), s.version),
            Err(poisoned) => {
                let s = poisoned.into_inner();
                (s.text.clone(), s.version)
            }
        }
    }

    /// Runs `f` on the state (also after a panic elsewhere poisoned it).
    pub fn with<R>(&self, f: impl FnOnce(&mut DocState) -> R) -> R {
        match self.state.lock() {
            Ok(mut s) => f(&mut s),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}

/// Every open document, by URI (as text: `Uri` caches parts of itself
/// inside, so it is not used as a key).
#[derive(Debug, Default)]
pub struct Documents {
    map: Mutex<HashMap<String, (Uri, Arc<Document>)>>,
}

impl Documents {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Uri, Arc<Document>)>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens (or replaces) a document.
    pub fn open(&self, uri: Uri, text: String, version: i32) -> Arc<Document> {
        let doc = Arc::new(Document::default());
        doc.with(|s| {
            s.text = Arc::new(text);
            s.version = version;
        });
        self.lock()
            .insert(uri.as_str().to_string(), (uri, doc.clone()));
        doc
    }

    /// Sets a document's text when `version` is newer than what it has.
    /// Returns the document when the text was taken.
    pub fn change(&self, uri: &Uri, text: String, version: i32) -> Option<Arc<Document>> {
        let doc = self.get(uri)?;
        let taken = doc.with(|s| {
            if version < s.version {
                return false;
            }
            s.text = Arc::new(text);
            s.version = version;
            true
        });
        taken.then_some(doc)
    }

    /// Closes a document.
    pub fn close(&self, uri: &Uri) {
        self.lock().remove(uri.as_str());
    }

    /// The document at `uri`, if open.
    pub fn get(&self, uri: &Uri) -> Option<Arc<Document>> {
        self.lock().get(uri.as_str()).map(|(_, d)| d.clone())
    }

    /// Every open document.
    pub fn all(&self) -> Vec<(Uri, Arc<Document>)> {
        self.lock().values().cloned().collect()
    }

    /// The text of every open document that is a file, by path (imports
    /// read the editor's text, not the file on disk).
    pub fn open_files(&self) -> HashMap<PathBuf, Arc<String>> {
        self.all()
            .into_iter()
            .filter_map(|(uri, doc)| Some((uri.to_file_path()?.into_owned(), doc.current().0)))
            .collect()
    }
}

/// The name a document is analysed under: its path, or its URI when it is
/// not a file.
pub fn document_name(uri: &Uri) -> String {
    match uri.to_file_path() {
        Some(p) => p.display().to_string(),
        None => uri.as_str().to_string(),
    }
}

/// Reads imports like `tally::FsLoader` (relative to the importing file,
/// never above the policy's directory), preferring the text of documents
/// open in the editor.
pub struct DocLoader {
    root: Option<PathBuf>,
    open: HashMap<PathBuf, Arc<String>>,
}

impl DocLoader {
    /// A loader for the policy at `path` (`None`: not a file, no imports).
    pub fn new(path: Option<&Path>, open: HashMap<PathBuf, Arc<String>>) -> DocLoader {
        DocLoader {
            root: path.and_then(Path::parent).map(Path::to_path_buf),
            open,
        }
    }
}

impl tally_check::Loader for DocLoader {
    fn load(&self, path: &str, importer: &str) -> Result<(String, String), String> {
        let Some(root) = &self.root else {
            return Err("this document is not a file, so it cannot import others".to_string());
        };
        let importer_dir = Path::new(importer)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(root);
        let full = tally_check::confined_join(root, importer_dir, path).ok_or_else(|| {
            "imports may only read files in the policy's directory or below it".to_string()
        })?;
        let name = full.display().to_string();
        if let Some(text) = self.open.get(&full) {
            return Ok((name, text.as_str().to_string()));
        }
        let text = std::fs::read_to_string(&full).map_err(|e| e.to_string().to_lowercase())?;
        Ok((name, text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_check::Loader;

    #[test]
    fn prefers_open_documents_and_stays_below_the_root() {
        let root = std::env::temp_dir();
        let policy = root.join("p.tally");
        let shared = root.join("shared.tally");
        let mut open = HashMap::new();
        open.insert(shared.clone(), Arc::new("const x = 1\n".to_string()));
        let loader = DocLoader::new(Some(&policy), open);
        let importer = policy.display().to_string();
        let (name, text) = loader.load("shared.tally", &importer).unwrap_or_default();
        assert_eq!(
            (name, text.as_str()),
            (shared.display().to_string(), "const x = 1\n")
        );
        assert!(loader.load("../x.tally", &importer).is_err());
        assert!(loader.load("/etc/passwd", &importer).is_err());
        assert!(DocLoader::new(None, HashMap::new())
            .load("a.tally", "a")
            .is_err());
    }
}
