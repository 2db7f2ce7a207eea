//! Small text helpers around a cursor: words, comments, strings and
//! brackets, all safe on any offset.

/// True for the characters of an identifier.
pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `offset` moved down to a character boundary of `text` (and into it).
pub(crate) fn clamp(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The start of the identifier characters that end at `offset`.
pub(crate) fn word_start(text: &str, offset: usize) -> usize {
    let offset = clamp(text, offset);
    let before = text.get(..offset).unwrap_or("");
    let len: usize = before
        .chars()
        .rev()
        .take_while(|c| is_ident_char(*c))
        .map(char::len_utf8)
        .sum();
    offset - len
}

/// The byte offset where the line holding `offset` starts.
pub(crate) fn line_start(text: &str, offset: usize) -> usize {
    let offset = clamp(text, offset);
    text.get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map(|i| i + 1)
        .unwrap_or(0)
}

/// The byte offset where the line holding `offset` ends (before `\n`).
pub(crate) fn line_end(text: &str, offset: usize) -> usize {
    let offset = clamp(text, offset);
    text.get(offset..)
        .and_then(|s| s.find('\n'))
        .map(|i| offset + i)
        .unwrap_or(text.len())
}

/// Where a cursor sits lexically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lexical {
    /// In code.
    Code,
    /// Inside a `//` comment.
    Comment,
    /// Inside a string literal.
    String,
}

/// Whether `offset` is in code, a comment or a string (strings and
/// comments never span lines).
pub(crate) fn lexical_at(text: &str, offset: usize) -> Lexical {
    let offset = clamp(text, offset);
    let line = text.get(line_start(text, offset)..offset).unwrap_or("");
    let mut chars = line.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '/' && chars.peek() == Some(&'/') {
            return Lexical::Comment;
        }
    }
    if in_string {
        Lexical::String
    } else {
        Lexical::Code
    }
}

/// Calls `f(offset, char)` for every bracket of `text[from..to]` outside
/// strings and comments.
pub(crate) fn brackets(text: &str, from: usize, to: usize, mut f: impl FnMut(usize, char)) {
    let (from, to) = (clamp(text, from), clamp(text, to));
    let Some(part) = text.get(from..to) else {
        return;
    };
    let mut chars = part.char_indices().peekable();
    let mut in_string = false;
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                '\\' if chars.peek().is_some_and(|(_, n)| *n != '\n') => {
                    chars.next();
                }
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '/' if chars.peek().is_some_and(|(_, n)| *n == '/') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' | ')' | ']' | '}' => f(from + i, c),
            _ => {}
        }
    }
}

/// The brackets still open at `to`, counting from `from` (innermost last).
pub(crate) fn open_brackets(text: &str, from: usize, to: usize) -> Vec<(usize, char)> {
    let mut stack = Vec::new();
    brackets(text, from, to, |at, c| match c {
        '(' | '[' | '{' => stack.push((at, c)),
        _ => {
            if stack.last().is_some_and(|(_, o)| closer(*o) == c) {
                stack.pop();
            }
        }
    });
    stack
}

/// The closing brackets of `text[from..to]` that close nothing opened
/// inside it, in order.
pub(crate) fn unmatched_closers(text: &str, from: usize, to: usize) -> Vec<char> {
    let mut stack: Vec<char> = Vec::new();
    let mut out = Vec::new();
    brackets(text, from, to, |_, c| match c {
        '(' | '[' | '{' => stack.push(c),
        _ => {
            if stack.last().is_some_and(|o| closer(*o) == c) {
                stack.pop();
            } else if stack.is_empty() {
                out.push(c);
            }
        }
    });
    out
}

/// The bracket that closes `open`.
pub(crate) fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// The closing brackets to insert at a cursor so that `open` (the brackets
/// open there) fit the `closers` the rest of the text brings.
pub(crate) fn repair(open: &[(usize, char)], closers: &[char]) -> String {
    let mut stack: Vec<char> = open.iter().map(|(_, c)| *c).collect();
    let mut insert = String::new();
    for c in closers {
        while let Some(top) = stack.last() {
            if closer(*top) == *c {
                break;
            }
            insert.push(closer(*top));
            stack.pop();
        }
        stack.pop();
    }
    insert.extend(stack.iter().rev().map(|c| closer(*c)));
    insert
}

/// `span` without the blanks it ends with (some syntax nodes take the
/// whitespace after them).
pub(crate) fn trim_span(text: &str, span: tally_diagnostics::Span) -> tally_diagnostics::Span {
    let body = text.get(span.lo()..span.hi()).unwrap_or("");
    let end = span.lo() + body.trim_end().len();
    tally_diagnostics::Span::new(span.file, span.lo(), end)
}

/// The identifier just before `offset`, skipping blanks (`then |` → `then`).
pub(crate) fn previous_word(text: &str, offset: usize) -> &str {
    let offset = clamp(text, offset);
    let before = text.get(..offset).unwrap_or("").trim_end();
    let start = word_start(before, before.len());
    before.get(start..).unwrap_or("")
}

/// The last non-blank character before `offset`.
pub(crate) fn previous_char(text: &str, offset: usize) -> Option<char> {
    let offset = clamp(text, offset);
    text.get(..offset)?.trim_end().chars().last()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_lines() {
        let t = "ab cd.éf\nxy";
        assert_eq!(word_start(t, 5), 3);
        assert_eq!(line_start(t, 11), 10);
        assert_eq!(line_end(t, 2), 9);
        assert_eq!(clamp(t, 7), 6);
        assert_eq!(word_start(t, 1000), 10);
    }

    #[test]
    fn comments_and_strings() {
        let t = "x = \"a // b\" // c\n";
        assert_eq!(lexical_at(t, 7), Lexical::String);
        assert_eq!(lexical_at(t, 16), Lexical::Comment);
        assert_eq!(lexical_at(t, 2), Lexical::Code);
    }

    #[test]
    fn repairs_brackets() {
        let t = "plan p {\n  m = t.where(x\n  n = 1\n}\n";
        let at = t.find("(x").map(|i| i + 2).unwrap_or(0);
        let open = open_brackets(t, 0, at);
        let rest = unmatched_closers(t, at, t.len());
        assert_eq!(repair(&open, &rest), ")");
        assert_eq!(repair(&[(0, '('), (1, '[')], &[]), "])");
    }
}
