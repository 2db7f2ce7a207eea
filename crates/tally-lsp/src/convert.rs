//! Conversions from the plain results of `tally-ide` to LSP types.

use crate::position::LineIndex;
use std::collections::HashMap;
use std::path::PathBuf;
use tally_diagnostics::{Diagnostic as TallyDiagnostic, Severity, Span};
use tally_ide::Analysis;
use tower_lsp_server::lsp_types as lsp;
use tower_lsp_server::lsp_types::{Location, Range, Uri};
use tower_lsp_server::UriExt;

/// Maps spans of an analysis (the document, its imports, the standard
/// library) to LSP locations.
pub struct Files<'a> {
    /// The analysis the spans come from.
    pub analysis: &'a Analysis,
    /// The document's URI.
    pub uri: &'a Uri,
    lines: LineIndex<'a>,
}

impl<'a> Files<'a> {
    /// Spans of `analysis`, whose document is at `uri`.
    pub fn new(analysis: &'a Analysis, uri: &'a Uri) -> Files<'a> {
        Files {
            analysis,
            uri,
            lines: LineIndex::new(&analysis.text),
        }
    }

    /// Positions in the document's text.
    pub fn lines(&self) -> &LineIndex<'a> {
        &self.lines
    }

    /// The range of a span of the document.
    pub fn range(&self, span: Span) -> Range {
        self.lines.range(span.lo(), span.hi())
    }

    /// Where a span of any file of the program is. The standard library
    /// is built into Tally: its files are written (read-only) to a folder
    /// of the system's temporary directory the first time a location in
    /// them is asked for, so that an editor can open them.
    pub fn location(&self, span: Span) -> Option<Location> {
        if span.file == self.analysis.file() {
            return Some(Location::new(self.uri.clone(), self.range(span)));
        }
        let program = self.analysis.program();
        let file = program.sources.get(span.file)?;
        let path = if program.is_stdlib(span.file) {
            stdlib_copy(&file.name, &file.text)?
        } else {
            PathBuf::from(&file.name)
        };
        let uri = Uri::from_file_path(&path)?;
        let range = LineIndex::new(&file.text).range(span.lo(), span.hi());
        Some(Location::new(uri, range))
    }
}

/// A read-only copy of the standard library file `name` (`<stdlib/x.tally>`)
/// holding `text`, written once per Tally version.
fn stdlib_copy(name: &str, text: &str) -> Option<PathBuf> {
    let file = name.strip_prefix("<stdlib/")?.strip_suffix('>')?;
    let dir = std::env::temp_dir().join(format!("tally-stdlib-{}", env!("CARGO_PKG_VERSION")));
    let path = dir.join(file);
    if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
        return Some(path);
    }
    std::fs::create_dir_all(&dir).ok()?;
    // (a copy left by another build of this version is replaced)
    let _ = std::fs::remove_file(&path);
    std::fs::write(&path, text).ok()?;
    if let Ok(meta) = std::fs::metadata(&path) {
        let mut permissions = meta.permissions();
        permissions.set_readonly(true);
        let _ = std::fs::set_permissions(&path, permissions);
    }
    Some(path)
}

/// The document's diagnostics: its own, and those of imported files shown
/// at the `import` that brings them in.
pub fn diagnostics(files: &Files<'_>) -> Vec<lsp::Diagnostic> {
    let analysis = files.analysis;
    let root = analysis.file();
    let program = analysis.program();
    let imports: Vec<(Span, Option<tally_diagnostics::FileId>)> = analysis
        .module()
        .map(|m| {
            m.decls
                .iter()
                .filter_map(|d| match &d.kind {
                    tally_syntax::ast::DeclKind::Import(p) => {
                        Some((p.span, analysis.imported_file(&p.value)))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for d in analysis.diagnostics() {
        let span = d.primary.span;
        if span.file == root {
            out.push(diagnostic(files, d, files.range(span), None));
        } else if !program.is_stdlib(span.file) {
            let at = imports
                .iter()
                .find(|(_, f)| *f == Some(span.file))
                .or(imports.first())
                .map(|(s, _)| files.range(*s))
                .unwrap_or_default();
            let name = program.sources.name(span.file);
            out.push(diagnostic(files, d, at, Some(name)));
        }
    }
    out
}

fn diagnostic(
    files: &Files<'_>,
    d: &TallyDiagnostic,
    range: Range,
    elsewhere: Option<&str>,
) -> lsp::Diagnostic {
    let mut message = match elsewhere {
        Some(name) => format!("in `{name}`: {}", d.message),
        None => d.message.clone(),
    };
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    for note in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    let mut related: Vec<lsp::DiagnosticRelatedInformation> = Vec::new();
    if elsewhere.is_some() {
        if let Some(location) = files.location(d.primary.span) {
            let text = if d.primary.message.is_empty() {
                d.message.clone()
            } else {
                d.primary.message.clone()
            };
            related.push(lsp::DiagnosticRelatedInformation {
                location,
                message: text,
            });
        }
    }
    for label in &d.secondary {
        if let Some(location) = files.location(label.span) {
            related.push(lsp::DiagnosticRelatedInformation {
                location,
                message: label.message.clone(),
            });
        }
    }
    lsp::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("tally".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    }
}

/// Edits as a workspace edit (edits in imported files too).
#[allow(
    clippy::mutable_key_type,
    reason = "the LSP type keys changes by `Uri`, whose cache does not take part in hashing"
)]
pub fn workspace_edit(files: &Files<'_>, edits: &[tally_ide::TextEdit]) -> lsp::WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<lsp::TextEdit>> = HashMap::new();
    for e in edits {
        if let Some(loc) = files.location(e.span) {
            changes.entry(loc.uri).or_default().push(lsp::TextEdit {
                range: loc.range,
                new_text: e.new_text.clone(),
            });
        }
    }
    lsp::WorkspaceEdit {
        changes: Some(changes),
        ..lsp::WorkspaceEdit::default()
    }
}

/// A completion item.
pub fn completion_item(files: &Files<'_>, item: tally_ide::CompletionItem) -> lsp::CompletionItem {
    use tally_ide::CompletionKind as K;
    let kind = match item.kind {
        K::Keyword => lsp::CompletionItemKind::KEYWORD,
        K::Snippet => lsp::CompletionItemKind::SNIPPET,
        K::Table => lsp::CompletionItemKind::STRUCT,
        K::Column => lsp::CompletionItemKind::FIELD,
        K::Function => lsp::CompletionItemKind::FUNCTION,
        K::Method => lsp::CompletionItemKind::METHOD,
        K::Territory => lsp::CompletionItemKind::ENUM_MEMBER,
        K::Const => lsp::CompletionItemKind::CONSTANT,
        K::Variable => lsp::CompletionItemKind::VARIABLE,
        K::Setting => lsp::CompletionItemKind::PROPERTY,
        K::Value => lsp::CompletionItemKind::VALUE,
        K::Type => lsp::CompletionItemKind::CLASS,
    };
    lsp::CompletionItem {
        label: item.label,
        kind: Some(kind),
        detail: item.detail,
        documentation: item.documentation.map(|d| {
            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: d,
            })
        }),
        sort_text: Some(item.sort_text),
        preselect: item.preselect.then_some(true),
        insert_text_format: Some(if item.snippet {
            lsp::InsertTextFormat::SNIPPET
        } else {
            lsp::InsertTextFormat::PLAIN_TEXT
        }),
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit {
            range: files.range(item.replace),
            new_text: item.insert_text,
        })),
        ..lsp::CompletionItem::default()
    }
}

/// The kind of an outline entry.
pub fn symbol_kind(kind: tally_ide::SymbolKind) -> lsp::SymbolKind {
    use tally_ide::SymbolKind as K;
    match kind {
        K::Policy => lsp::SymbolKind::FILE,
        K::Import => lsp::SymbolKind::MODULE,
        K::Settings => lsp::SymbolKind::NAMESPACE,
        K::Setting => lsp::SymbolKind::PROPERTY,
        K::Table => lsp::SymbolKind::STRUCT,
        K::Column => lsp::SymbolKind::FIELD,
        K::Territory => lsp::SymbolKind::ENUM_MEMBER,
        K::Const => lsp::SymbolKind::CONSTANT,
        K::Function => lsp::SymbolKind::FUNCTION,
        K::Parameter => lsp::SymbolKind::VARIABLE,
        K::Assign | K::Credit => lsp::SymbolKind::OBJECT,
        K::Rule => lsp::SymbolKind::KEY,
        K::Let | K::LoopVar => lsp::SymbolKind::VARIABLE,
        K::RoleGroup => lsp::SymbolKind::NAMESPACE,
        K::Rollup => lsp::SymbolKind::OPERATOR,
        K::Plan => lsp::SymbolKind::CLASS,
        K::Metric => lsp::SymbolKind::FIELD,
        K::Report => lsp::SymbolKind::INTERFACE,
        K::Test | K::Golden => lsp::SymbolKind::METHOD,
        K::Broken => lsp::SymbolKind::NULL,
    }
}

/// An outline entry and its children.
#[allow(
    deprecated,
    reason = "`deprecated` is a required field of the LSP type"
)]
pub fn document_symbol(files: &Files<'_>, s: tally_ide::DocumentSymbol) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: if s.name.is_empty() {
            "?".to_string()
        } else {
            s.name
        },
        detail: s.detail,
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: files.range(s.span),
        selection_range: files.range(s.selection),
        children: Some(
            s.children
                .into_iter()
                .map(|c| document_symbol(files, c))
                .collect(),
        ),
    }
}

/// The token types of [`legend`], in order.
const TOKEN_TYPES: &[lsp::SemanticTokenType] = &[
    lsp::SemanticTokenType::KEYWORD,
    lsp::SemanticTokenType::TYPE,
    lsp::SemanticTokenType::CLASS,
    lsp::SemanticTokenType::PROPERTY,
    lsp::SemanticTokenType::FUNCTION,
    lsp::SemanticTokenType::METHOD,
    lsp::SemanticTokenType::ENUM_MEMBER,
    lsp::SemanticTokenType::VARIABLE,
    lsp::SemanticTokenType::PARAMETER,
    lsp::SemanticTokenType::STRING,
    lsp::SemanticTokenType::NUMBER,
    lsp::SemanticTokenType::COMMENT,
];

/// The semantic token legend the server announces.
pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TOKEN_TYPES.to_vec(),
        token_modifiers: vec![
            lsp::SemanticTokenModifier::DECLARATION,
            lsp::SemanticTokenModifier::DEFAULT_LIBRARY,
            lsp::SemanticTokenModifier::DOCUMENTATION,
            lsp::SemanticTokenModifier::READONLY,
        ],
    }
}

fn token_type(kind: tally_ide::TokenKind) -> u32 {
    use tally_ide::TokenKind as K;
    match kind {
        K::Keyword => 0,
        K::Type => 1,
        K::Table => 2,
        K::Column | K::Property => 3,
        K::Function => 4,
        K::Method => 5,
        K::Territory => 6,
        K::Const | K::Variable => 7,
        K::Parameter => 8,
        K::String => 9,
        K::Number => 10,
        K::Comment => 11,
    }
}

/// Tokens encoded as LSP deltas (line, UTF-16 start, UTF-16 length).
pub fn semantic_tokens(
    files: &Files<'_>,
    tokens: &[tally_ide::SemanticToken],
) -> Vec<lsp::SemanticToken> {
    let mut out = Vec::with_capacity(tokens.len());
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    let lines = files.lines();
    for t in tokens {
        let start = lines.position(t.start);
        let end = lines.position(t.end);
        if end.line != start.line || end.character <= start.character {
            continue;
        }
        let m = t.modifiers;
        let bits = u32::from(m.declaration)
            | u32::from(m.default_library) << 1
            | u32::from(m.documentation) << 2
            | u32::from(m.readonly) << 3;
        if (start.line, start.character) < (prev_line, prev_start) {
            continue;
        }
        let delta_line = start.line - prev_line;
        let delta_start = if delta_line == 0 {
            start.character - prev_start
        } else {
            start.character
        };
        out.push(lsp::SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: token_type(t.kind),
            token_modifiers_bitset: bits,
        });
        prev_line = start.line;
        prev_start = start.character;
    }
    out
}

/// A folding range; a block's closing brace stays visible.
pub fn folding_range(files: &Files<'_>, f: &tally_ide::Fold) -> Option<lsp::FoldingRange> {
    let text = &files.analysis.text;
    let mut end_line = f.end_line;
    let closing = text.get(f.end..).and_then(|s| s.chars().next());
    let end_line_start = files.lines().line_start(f.end_line);
    let alone = text
        .get(end_line_start..f.end)
        .is_some_and(|s| s.trim().is_empty());
    if matches!(closing, Some('}' | ')' | ']')) && alone {
        end_line = end_line.checked_sub(1)?;
    }
    if end_line <= f.start_line {
        return None;
    }
    Some(lsp::FoldingRange {
        start_line: u32::try_from(f.start_line).ok()?,
        end_line: u32::try_from(end_line).ok()?,
        kind: Some(match f.kind {
            tally_ide::FoldKind::Region => lsp::FoldingRangeKind::Region,
            tally_ide::FoldKind::Comment => lsp::FoldingRangeKind::Comment,
        }),
        ..lsp::FoldingRange::default()
    })
}

/// A signature help answer.
pub fn signature_help(help: tally_ide::SignatureHelp) -> lsp::SignatureHelp {
    let utf16 = |s: &str| s.encode_utf16().count() as u32;
    let parameters = help
        .parameters
        .iter()
        .map(|(s, e)| lsp::ParameterInformation {
            label: lsp::ParameterLabel::LabelOffsets([
                utf16(help.label.get(..*s).unwrap_or("")),
                utf16(help.label.get(..*e).unwrap_or("")),
            ]),
            documentation: None,
        })
        .collect();
    let active = u32::try_from(help.active_parameter).ok();
    lsp::SignatureHelp {
        signatures: vec![lsp::SignatureInformation {
            label: help.label,
            documentation: help.documentation.map(|d| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: d,
                })
            }),
            parameters: Some(parameters),
            active_parameter: active,
        }],
        active_signature: Some(0),
        active_parameter: active,
    }
}

/// A quick fix.
pub fn code_action(files: &Files<'_>, a: tally_ide::CodeAction) -> lsp::CodeActionOrCommand {
    let diagnostics = a
        .diagnostic
        .as_ref()
        .filter(|d| d.primary.span.file == files.analysis.file())
        .map(|d| vec![diagnostic(files, d, files.range(d.primary.span), None)]);
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: a.title,
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics,
        edit: Some(workspace_edit(files, &a.edits)),
        is_preferred: a.preferred.then_some(true),
        ..lsp::CodeAction::default()
    })
}

/// An inlay hint.
pub fn inlay_hint(files: &Files<'_>, h: tally_ide::InlayHint) -> lsp::InlayHint {
    lsp::InlayHint {
        position: files.lines().position(h.offset),
        label: lsp::InlayHintLabel::String(h.label),
        kind: None,
        text_edits: None,
        tooltip: Some(lsp::InlayHintTooltip::String(h.tooltip)),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

/// A code lens (a title without an action).
pub fn code_lens(files: &Files<'_>, l: tally_ide::CodeLens) -> lsp::CodeLens {
    lsp::CodeLens {
        range: files.range(l.span),
        command: Some(lsp::Command {
            title: l.title,
            command: String::new(),
            arguments: None,
        }),
        data: None,
    }
}
