//! A small hand-written scanner that runs before pest: it collects comments
//! into a side table, splits the file at top-level declaration boundaries
//! (so each declaration is parsed on its own and a syntax error cannot hide
//! the others), and measures nesting depth so deeply nested input is
//! rejected before pest's recursive descent could overflow the stack.

use crate::keywords::DECLARATION_KEYWORDS;

/// Deepest nesting of brackets and prefix operators the parser accepts.
pub const MAX_NESTING: usize = 100;

/// Most binary operators one expression may chain (`a + b + ...`); each
/// one is a level of the syntax tree, which later passes walk recursively.
pub const MAX_CHAIN: usize = 1000;

/// A comment found by the scanner (byte range, doc or not).
#[derive(Clone, Debug)]
pub struct RawComment {
    /// First byte (the first `/`).
    pub start: usize,
    /// One past the last non-blank byte.
    pub end: usize,
    /// `///` comment.
    pub doc: bool,
}

/// What the scanner learned about a file.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    /// Every comment, in order.
    pub comments: Vec<RawComment>,
    /// Byte ranges of the declaration chunks; together they cover the file.
    pub chunks: Vec<(usize, usize)>,
    /// For each chunk, the offset where nesting first exceeded the limit.
    pub too_deep: Vec<Option<usize>>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Words after which a `-` is a prefix minus, and which themselves open a
/// nested sub-expression (`if`, `not`).
const PREFIX_CONTEXT_WORDS: &[&str] = &[
    "if", "then", "else", "when", "and", "or", "not", "in", "gets", "of", "to", "within", "where",
    "on", "limit", "expect", "by",
];

struct Frame {
    prefix: usize,
    ops: usize,
}

/// Scans `text`. Never fails.
pub fn scan(text: &str) -> Scan {
    let bytes = text.as_bytes();
    let mut out = Scan::default();
    let mut frames: Vec<Frame> = vec![Frame { prefix: 0, ops: 0 }];
    let mut chunk_start = 0usize;
    let mut chunk_deep: Option<usize> = None;
    let mut at_line_start = true;
    let mut line_start_offset = 0usize;
    // true when the previous significant token ends an operand
    let mut prev_operand = false;
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            at_line_start = true;
            line_start_offset = i + 1;
            i += 1;
            if prev_operand && !continues_expression(&text[i..]) {
                if let Some(f) = frames.last_mut() {
                    f.ops = 0;
                    f.prefix = 0;
                }
            }
            continue;
        }
        if b == b' ' || b == b'\t' || b == b'\r' {
            i += 1;
            continue;
        }
        let line_head = at_line_start;
        at_line_start = false;
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            let end = text[i..].find('\n').map(|n| i + n).unwrap_or(bytes.len());
            let doc = bytes.get(i + 2) == Some(&b'/') && bytes.get(i + 3) != Some(&b'/');
            let trimmed_end = i + text[i..end].trim_end().len();
            out.comments.push(RawComment {
                start: i,
                end: trimmed_end,
                doc,
            });
            i = end;
            continue;
        }
        if b == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                    i += 1;
                }
                i += 1;
            }
            if i < bytes.len() && bytes[i] == b'"' {
                i += 1;
            }
            prev_operand = true;
            continue;
        }
        if is_ident_start(b) {
            let start = i;
            while i < bytes.len() && is_ident_char(bytes[i]) {
                i += 1;
            }
            let word = &text[start..i];
            if line_head && is_boundary(word, frames.len() - 1, start - line_start_offset, text, i)
            {
                if start > chunk_start {
                    out.chunks.push((chunk_start, start));
                    out.too_deep.push(chunk_deep);
                }
                chunk_start = start;
                chunk_deep = None;
                frames.truncate(1);
                frames[0].prefix = 0;
                frames[0].ops = 0;
            }
            if word == "if" || word == "not" {
                bump(&mut frames, start, &mut chunk_deep);
            }
            if matches!(word, "and" | "or" | "in" | "within") {
                chain(&mut frames, start, &mut chunk_deep);
            }
            prev_operand = !PREFIX_CONTEXT_WORDS.contains(&word);
            continue;
        }
        match b {
            b'(' | b'[' | b'{' => {
                frames.push(Frame { prefix: 0, ops: 0 });
                if frames.len() - 1 > MAX_NESTING && chunk_deep.is_none() {
                    chunk_deep = Some(i);
                }
                prev_operand = false;
            }
            b')' | b']' | b'}' => {
                if frames.len() > 1 {
                    frames.pop();
                }
                prev_operand = true;
            }
            b',' => {
                if let Some(f) = frames.last_mut() {
                    f.prefix = 0;
                    f.ops = 0;
                }
                prev_operand = false;
            }
            b'-' if !prev_operand => {
                bump(&mut frames, i, &mut chunk_deep);
            }
            b'+' | b'-' | b'*' | b'/' | b'<' | b'>' | b'=' | b'!' | b'?' => {
                // `==`, `<=`, `??` count once: only the first character.
                let prev = if i > 0 { bytes[i - 1] } else { b' ' };
                if !matches!(prev, b'<' | b'>' | b'=' | b'!' | b'?') {
                    chain(&mut frames, i, &mut chunk_deep);
                }
                prev_operand = false;
            }
            b'0'..=b'9' => {
                while i + 1 < bytes.len() && (is_ident_char(bytes[i + 1]) || bytes[i + 1] == b'.') {
                    i += 1;
                }
                prev_operand = true;
            }
            b'%' => prev_operand = true,
            _ => prev_operand = false,
        }
        i += 1;
    }
    if chunk_start < bytes.len() || out.chunks.is_empty() {
        out.chunks.push((chunk_start, bytes.len()));
        out.too_deep.push(chunk_deep);
    }
    out
}

fn chain(frames: &mut [Frame], at: usize, deep: &mut Option<usize>) {
    if let Some(f) = frames.last_mut() {
        f.ops += 1;
        if f.ops > MAX_CHAIN && deep.is_none() {
            *deep = Some(at);
        }
    }
}

/// True when the line starting `rest` continues the previous expression
/// (starts with an operator or a continuing keyword).
fn continues_expression(rest: &str) -> bool {
    let t = rest.trim_start_matches([' ', '\t', '\r']);
    if t.starts_with(|c: char| "+-*/<>=!?.[(".contains(c)) {
        return true;
    }
    let word: String = t
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    matches!(
        word.as_str(),
        "and" | "or" | "in" | "within" | "then" | "else" | "as" | "is" | "of" | "gets" | "when"
    )
}

fn bump(frames: &mut [Frame], at: usize, deep: &mut Option<usize>) {
    let depth = frames.len() - 1;
    if let Some(f) = frames.last_mut() {
        f.prefix += 1;
        if depth + f.prefix > MAX_NESTING && deep.is_none() {
            *deep = Some(at);
        }
    }
}

/// Is `word`, first on its line, the start of a new top-level declaration?
/// At brace depth 0 any declaration keyword is. Inside braces only an
/// unindented one is (recovery from an unclosed brace), except `report`
/// without a `{` on its line, which is the `report NAME` item of a `golden`.
fn is_boundary(word: &str, depth: usize, column: usize, text: &str, word_end: usize) -> bool {
    if !DECLARATION_KEYWORDS.contains(&word) {
        return false;
    }
    let next = text[word_end..].chars().next();
    if next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
        return false;
    }
    if depth == 0 {
        return true;
    }
    if column != 0 {
        return false;
    }
    if word == "report" {
        let line_end = text[word_end..]
            .find('\n')
            .map(|n| word_end + n)
            .unwrap_or(text.len());
        return text[word_end..line_end].contains('{');
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_declarations_and_keeps_comments() {
        let src = "// head\ntable a {\n  x: Text // trailing\n}\n/// doc\nconst b = 1\n";
        let s = scan(src);
        assert_eq!(s.comments.len(), 3);
        assert!(s.comments[2].doc);
        let texts: Vec<&str> = s.chunks.iter().map(|(a, b)| &src[*a..*b]).collect();
        assert_eq!(texts.len(), 3);
        assert!(texts[1].starts_with("table a"));
        assert!(texts[2].starts_with("const b"));
    }

    #[test]
    fn recovers_from_unclosed_brace() {
        let src = "table a {\n  x: Text\nconst b = 1\n";
        let s = scan(src);
        assert_eq!(s.chunks.len(), 2);
    }

    #[test]
    fn golden_report_item_is_not_a_boundary() {
        let src = "golden \"g\" {\nreport r\nmatches \"x.csv\"\n}\n";
        assert_eq!(scan(src).chunks.len(), 1);
    }

    #[test]
    fn measures_nesting() {
        let deep = format!("const x = {}1{}", "(".repeat(200), ")".repeat(200));
        assert!(scan(&deep).too_deep[0].is_some());
        let nots = format!("const x = {}true", "not ".repeat(200));
        assert!(scan(&nots).too_deep[0].is_some());
        let flat = format!("const x = 1{}", " - 1".repeat(500));
        assert!(scan(&flat).too_deep[0].is_none());
        let long = format!("const x = 1{}", " + 1".repeat(MAX_CHAIN + 1));
        assert!(scan(&long).too_deep[0].is_some());
        let lines = format!("plan p {{\n{}}}\n", "  m = a + b * c\n".repeat(2000));
        assert!(scan(&lines).too_deep[0].is_none());
    }
}
