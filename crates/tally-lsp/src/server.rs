//! The backend: document lifecycle, debounced analysis, diagnostics, and
//! running every request's feature behind a panic boundary.

use crate::convert::{self, Files};
use crate::documents::{document_name, DocLoader, Document, Documents, Snapshot};
use crate::position::LineIndex;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tally_ide::{Analysis, DataRun};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::{Client, UriExt};

/// How long the server waits after a change before analysing, so a burst
/// of keystrokes is analysed once.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// The most time one request may take; after it the request answers with
/// nothing.
pub const BUDGET: Duration = Duration::from_secs(5);

/// What the editor said it supports.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientSupport {
    /// `workspace/inlayHint/refresh`.
    pub inlay_hint_refresh: bool,
    /// `workspace/codeLens/refresh`.
    pub code_lens_refresh: bool,
}

/// The language server's state (cheap to clone: tasks take a copy).
#[derive(Clone, Debug)]
pub struct Backend {
    /// The connection to the editor.
    pub client: Client,
    /// Open documents.
    pub docs: Arc<Documents>,
    /// Set by `initialize`.
    pub support: Arc<std::sync::OnceLock<ClientSupport>>,
}

/// What a request works on: a document's analysis and the last good one.
pub struct Target {
    /// The document's URI.
    pub uri: Uri,
    /// The analysis of the document's current version.
    pub snapshot: Arc<Snapshot>,
    /// The last analysis without syntax errors.
    pub last_good: Option<Arc<Snapshot>>,
    /// Results on the configured data, when they are for this version.
    pub data: Option<Arc<DataRun>>,
}

impl Target {
    /// The byte offset of `pos` in the analysed text.
    pub fn offset(&self, pos: Position) -> usize {
        LineIndex::new(&self.snapshot.analysis.text).offset(pos)
    }

    /// Span conversions for this document.
    pub fn files(&self) -> Files<'_> {
        Files::new(&self.snapshot.analysis, &self.uri)
    }
}

impl Backend {
    /// A backend talking to `client`.
    pub fn new(client: Client) -> Backend {
        Backend {
            client,
            docs: Arc::new(Documents::default()),
            support: Arc::new(std::sync::OnceLock::new()),
        }
    }

    /// Logs to the editor's output (`window/logMessage`).
    pub async fn log(&self, typ: MessageType, message: String) {
        self.client.log_message(typ, message).await;
    }

    /// Runs `f` on a blocking thread, behind a panic boundary and within
    /// the time budget. A panic or timeout is logged and answers `None`.
    pub async fn guard<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let task =
            tokio::task::spawn_blocking(move || std::panic::catch_unwind(AssertUnwindSafe(f)));
        match tokio::time::timeout(BUDGET, task).await {
            Ok(Ok(Ok(value))) => Some(value),
            Ok(Ok(Err(panic))) => {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                self.log(
                    MessageType::ERROR,
                    format!("tally: {what} failed (a bug in Tally): {why}"),
                )
                .await;
                None
            }
            Ok(Err(join)) => {
                self.log(MessageType::ERROR, format!("tally: {what} failed: {join}"))
                    .await;
                None
            }
            Err(_) => {
                self.log(
                    MessageType::WARNING,
                    format!(
                        "tally: {what} took longer than {}s and was stopped",
                        BUDGET.as_secs()
                    ),
                )
                .await;
                None
            }
        }
    }

    /// Analyses the document's current version unless that is done
    /// already, and returns the latest analysis.
    pub async fn ensure(&self, uri: &Uri, doc: &Arc<Document>) -> Option<Arc<Snapshot>> {
        let _lock = doc.analysing.lock().await;
        let (text, version) = doc.current();
        if let Some(s) = doc.with(|s| s.latest.clone()) {
            if s.version == version {
                return Some(s);
            }
        }
        let path = uri.to_file_path().map(|p| p.into_owned());
        let name = document_name(uri);
        let loader = DocLoader::new(path.as_deref(), self.docs.open_files());
        let analysis = self
            .guard("analysis", move || Analysis::new(&name, &text, &loader))
            .await;
        let Some(analysis) = analysis else {
            return doc.with(|s| s.latest.clone());
        };
        let good = !analysis.has_syntax_errors();
        let snapshot = Arc::new(Snapshot { version, analysis });
        doc.with(|s| {
            if s.latest.as_ref().is_none_or(|l| l.version <= version) {
                s.latest = Some(snapshot.clone());
                if good {
                    s.last_good = Some(snapshot.clone());
                }
            }
            s.latest.clone()
        })
    }

    /// The document at `uri` analysed at its current version.
    pub async fn target(&self, uri: &Uri) -> Option<Target> {
        let doc = self.docs.get(uri)?;
        let snapshot = self.ensure(uri, &doc).await?;
        let (last_good, data) = doc.with(|s| {
            let data = s
                .data
                .as_ref()
                .filter(|(v, _)| *v == snapshot.version)
                .map(|(_, d)| d.clone());
            (s.last_good.clone(), data)
        });
        Some(Target {
            uri: uri.clone(),
            snapshot,
            last_good,
            data,
        })
    }

    /// After `delay`, analyses `version` of the document (unless a newer
    /// version arrived meanwhile), publishes its diagnostics, then runs it
    /// on its data when a `tally.toml` names some.
    pub fn schedule(&self, uri: Uri, version: i32, delay: Duration) {
        let this = self.clone();
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let Some(doc) = this.docs.get(&uri) else {
                return;
            };
            if doc.current().1 != version {
                return;
            }
            let Some(snapshot) = this.ensure(&uri, &doc).await else {
                return;
            };
            if snapshot.version != doc.current().1 {
                return;
            }
            let diagnostics = {
                let (snapshot, uri) = (snapshot.clone(), uri.clone());
                this.guard("diagnostics", move || {
                    convert::diagnostics(&Files::new(&snapshot.analysis, &uri))
                })
                .await
                .unwrap_or_default()
            };
            this.client
                .publish_diagnostics(uri.clone(), diagnostics, Some(snapshot.version))
                .await;
            this.run_data(&uri, &doc, snapshot).await;
        });
    }

    /// Evaluates the analysed version over the configured data and asks the
    /// editor to refresh its hints and lenses.
    async fn run_data(&self, uri: &Uri, doc: &Arc<Document>, snapshot: Arc<Snapshot>) {
        let Some(path) = uri.to_file_path().map(|p| p.into_owned()) else {
            return;
        };
        let version = snapshot.version;
        let run = self
            .guard("the run on data", move || {
                match tally_ide::find_config(&path) {
                    Ok(None) => None,
                    Ok(Some(config)) => Some(tally_ide::run_data(&snapshot.analysis, &config)),
                    Err(error) => Some(DataRun {
                        error: Some(error),
                        ..DataRun::default()
                    }),
                }
            })
            .await
            .flatten();
        let Some(run) = run else { return };
        let stored = doc.with(|s| {
            if s.version != version {
                return false;
            }
            s.data = Some((version, Arc::new(run)));
            true
        });
        let support = self.support.get().copied().unwrap_or_default();
        if stored && support.inlay_hint_refresh {
            let _ = self.client.inlay_hint_refresh().await;
        }
        if stored && support.code_lens_refresh {
            let _ = self.client.code_lens_refresh().await;
        }
    }
}
