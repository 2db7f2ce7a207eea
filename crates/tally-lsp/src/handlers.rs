//! The LSP methods: each one finds the document's analysis, runs one
//! `tally-ide` function behind the panic boundary, and converts the answer.

use crate::convert;
use crate::server::{Backend, ClientSupport, Target, DEBOUNCE};
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::lsp_types::*;
use tower_lsp_server::LanguageServer;

/// What the server can do.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string(), "(".to_string()]),
            ..CompletionOptions::default()
        }),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".to_string(), ",".to_string()]),
            ..SignatureHelpOptions::default()
        }),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: convert::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                ..SemanticTokensOptions::default()
            },
        )),
        document_formatting_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        ..ServerCapabilities::default()
    }
}

impl Backend {
    /// Runs `f` on the current analysis of `uri` behind the panic
    /// boundary; an answer computed for a version that is no longer
    /// current is dropped.
    async fn request<T: Send + 'static>(
        &self,
        what: &'static str,
        uri: &Uri,
        f: impl FnOnce(&Target) -> Option<T> + Send + 'static,
    ) -> Option<T> {
        let target = self.target(uri).await?;
        let version = target.snapshot.version;
        let answer = self.guard(what, move || f(&target)).await.flatten();
        let current = self.docs.get(uri).map(|d| d.current().1);
        if current != Some(version) {
            return None;
        }
        answer
    }
}

fn markdown(value: String) -> HoverContents {
    HoverContents::Markup(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let workspace = params.capabilities.workspace.as_ref();
        let support = ClientSupport {
            inlay_hint_refresh: workspace
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|i| i.refresh_support)
                .unwrap_or(false),
            code_lens_refresh: workspace
                .and_then(|w| w.code_lens.as_ref())
                .and_then(|c| c.refresh_support)
                .unwrap_or(false),
        };
        let _ = self.support.set(support);
        Ok(InitializeResult {
            capabilities: capabilities(),
            server_info: Some(ServerInfo {
                name: "tally-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.log(MessageType::INFO, "tally language server ready".to_string())
            .await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.docs.open(doc.uri.clone(), doc.text, doc.version);
        self.schedule(doc.uri, doc.version, Duration::ZERO);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        // Full sync: the last change holds the whole text.
        let Some(change) = params.content_changes.into_iter().last() else {
            return;
        };
        if self.docs.change(&uri, change.text, version).is_some() {
            self.schedule(uri, version, DEBOUNCE);
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        if let Some(doc) = self.docs.get(&uri) {
            self.schedule(uri, doc.current().1, Duration::ZERO);
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.docs.close(&uri);
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let p = params.text_document_position_params;
        Ok(self
            .request("hover", &p.text_document.uri, move |t| {
                let h = tally_ide::hover(&t.snapshot.analysis, t.offset(p.position))?;
                Some(Hover {
                    contents: markdown(h.markdown),
                    range: Some(t.files().range(h.span)),
                })
            })
            .await)
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let p = params.text_document_position_params;
        Ok(self
            .request("definition", &p.text_document.uri, move |t| {
                let files = t.files();
                let spans = tally_ide::definition(&t.snapshot.analysis, t.offset(p.position));
                let locations: Vec<Location> = spans
                    .into_iter()
                    .filter_map(|s| files.location(s))
                    .collect();
                (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
            })
            .await)
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let p = params.text_document_position;
        let include = params.context.include_declaration;
        Ok(self
            .request("references", &p.text_document.uri, move |t| {
                let files = t.files();
                let spans =
                    tally_ide::references(&t.snapshot.analysis, t.offset(p.position), include);
                Some(
                    spans
                        .into_iter()
                        .filter_map(|s| files.location(s))
                        .collect(),
                )
            })
            .await)
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        let p = params.text_document_position_params;
        Ok(self
            .request("highlight", &p.text_document.uri, move |t| {
                let analysis = &t.snapshot.analysis;
                let files = t.files();
                let spans = tally_ide::references(analysis, t.offset(p.position), true);
                Some(
                    spans
                        .into_iter()
                        .filter(|s| s.file == analysis.file())
                        .map(|s| DocumentHighlight {
                            range: files.range(s),
                            kind: None,
                        })
                        .collect(),
                )
            })
            .await)
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let answer = self
            .request("rename", &params.text_document.uri, move |t| {
                Some(
                    tally_ide::prepare_rename(&t.snapshot.analysis, t.offset(params.position)).map(
                        |(span, name)| PrepareRenameResponse::RangeWithPlaceholder {
                            range: t.files().range(span),
                            placeholder: name,
                        },
                    ),
                )
            })
            .await;
        match answer {
            Some(Ok(r)) => Ok(Some(r)),
            Some(Err(why)) => Err(Error::invalid_params(why)),
            None => Ok(None),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let p = params.text_document_position;
        let new_name = params.new_name;
        let answer = self
            .request("rename", &p.text_document.uri, move |t| {
                Some(
                    tally_ide::rename(&t.snapshot.analysis, t.offset(p.position), &new_name)
                        .map(|edits| convert::workspace_edit(&t.files(), &edits)),
                )
            })
            .await;
        match answer {
            Some(Ok(edit)) => Ok(Some(edit)),
            Some(Err(why)) => Err(Error::invalid_params(why)),
            None => Ok(None),
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(self
            .request("outline", &params.text_document.uri, move |t| {
                let files = t.files();
                let symbols = tally_ide::document_symbols(&t.snapshot.analysis)
                    .into_iter()
                    .map(|s| convert::document_symbol(&files, s))
                    .collect();
                Some(DocumentSymbolResponse::Nested(symbols))
            })
            .await)
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<OneOf<Vec<SymbolInformation>, Vec<WorkspaceSymbol>>>> {
        let mut out: Vec<WorkspaceSymbol> = Vec::new();
        for (uri, _) in self.docs.all() {
            let query = params.query.clone();
            let found = self
                .request("workspace symbols", &uri, move |t| {
                    let files = t.files();
                    let symbols: Vec<WorkspaceSymbol> =
                        tally_ide::workspace_symbols(&t.snapshot.analysis, &query)
                            .into_iter()
                            .filter_map(|s| {
                                Some(WorkspaceSymbol {
                                    name: s.name,
                                    kind: convert::symbol_kind(s.kind),
                                    tags: None,
                                    container_name: s.container,
                                    location: OneOf::Left(files.location(s.span)?),
                                    data: None,
                                })
                            })
                            .collect();
                    Some(symbols)
                })
                .await
                .unwrap_or_default();
            for s in found {
                let seen = out
                    .iter()
                    .any(|o| o.name == s.name && o.location == s.location);
                if !seen {
                    out.push(s);
                }
            }
        }
        Ok(Some(OneOf::Right(out)))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let p = params.text_document_position;
        Ok(self
            .request("completion", &p.text_document.uri, move |t| {
                let files = t.files();
                let good = t.last_good.as_ref().map(|g| &g.analysis);
                let items = tally_ide::completion(&t.snapshot.analysis, good, t.offset(p.position))
                    .into_iter()
                    .map(|i| convert::completion_item(&files, i))
                    .collect();
                Some(CompletionResponse::Array(items))
            })
            .await)
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let p = params.text_document_position_params;
        Ok(self
            .request("signature help", &p.text_document.uri, move |t| {
                let good = t.last_good.as_ref().map(|g| &g.analysis);
                tally_ide::signature_help(&t.snapshot.analysis, good, t.offset(p.position))
                    .map(convert::signature_help)
            })
            .await)
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        Ok(self
            .request("semantic tokens", &params.text_document.uri, move |t| {
                let tokens = tally_ide::semantic_tokens(&t.snapshot.analysis);
                Some(SemanticTokensResult::Tokens(SemanticTokens {
                    result_id: None,
                    data: convert::semantic_tokens(&t.files(), &tokens),
                }))
            })
            .await)
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let Some(doc) = self.docs.get(&params.text_document.uri) else {
            return Ok(None);
        };
        let (text, version) = doc.current();
        let edits = self
            .guard("formatting", move || {
                // A file with syntax errors is never reformatted.
                let formatted = tally_fmt::format_source(&text).ok()?;
                if formatted == *text {
                    return Some(Vec::new());
                }
                let range = crate::position::LineIndex::new(&text).whole();
                Some(vec![TextEdit {
                    range,
                    new_text: formatted,
                }])
            })
            .await
            .flatten();
        if doc.current().1 != version {
            return Ok(None);
        }
        Ok(edits)
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        Ok(self
            .request("folding", &params.text_document.uri, move |t| {
                let files = t.files();
                Some(
                    tally_ide::folding_ranges(&t.snapshot.analysis)
                        .iter()
                        .filter_map(|f| convert::folding_range(&files, f))
                        .collect(),
                )
            })
            .await)
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let range = params.range;
        Ok(self
            .request("code actions", &params.text_document.uri, move |t| {
                let files = t.files();
                let (start, end) = (t.offset(range.start), t.offset(range.end));
                Some(
                    tally_ide::code_actions(&t.snapshot.analysis, start, end)
                        .into_iter()
                        .map(|a| convert::code_action(&files, a))
                        .collect(),
                )
            })
            .await)
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        Ok(self
            .request("inlay hints", &params.text_document.uri, move |t| {
                let data = t.data.as_ref()?;
                let files = t.files();
                Some(
                    tally_ide::inlay_hints(&t.snapshot.analysis, data)
                        .into_iter()
                        .map(|h| convert::inlay_hint(&files, h))
                        .collect(),
                )
            })
            .await)
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        Ok(self
            .request("code lenses", &params.text_document.uri, move |t| {
                let files = t.files();
                Some(
                    tally_ide::code_lenses(&t.snapshot.analysis, t.data.as_deref())
                        .into_iter()
                        .map(|l| convert::code_lens(&files, l))
                        .collect(),
                )
            })
            .await)
    }
}
