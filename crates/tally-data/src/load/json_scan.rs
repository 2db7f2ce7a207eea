//! Finds where the elements of a JSON array and the members of JSON
//! objects are in the text, so messages can point at the offending value.
//! Only used on text `serde_json` has already accepted; never recursive.

use super::raw::Range;

/// One member of an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    /// The key (unescaped).
    pub key: String,
    /// Where the key is (with its quotes).
    pub key_range: Range,
    /// Where the value is.
    pub value_range: Range,
}

/// One element of the top-level array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Element {
    /// Where the element is.
    pub range: Range,
    /// Its members, when it is an object.
    pub members: Option<Vec<Member>>,
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// `i` is at an opening quote; returns the index after the closing one.
fn skip_string(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while let Some(c) = b.get(i) {
        match c {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// Returns the index after the value starting at `i`.
fn skip_value(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    loop {
        match b.get(i) {
            None => return b.len(),
            Some(b'"') => i = skip_string(b, i),
            Some(b'[' | b'{') => {
                depth += 1;
                i += 1;
            }
            Some(b']' | b'}') => {
                if depth == 0 {
                    return i;
                }
                depth -= 1;
                i += 1;
            }
            Some(b',' | b' ' | b'\t' | b'\n' | b'\r') if depth == 0 => return i,
            Some(_) => i += 1,
        }
        if depth == 0 && matches!(b.get(i.wrapping_sub(1)), Some(b'"' | b']' | b'}')) {
            return i;
        }
    }
}

/// The members of the object starting at `i` (which must be `{`).
pub(crate) fn scan_object(text: &str, i: usize) -> Option<Vec<Member>> {
    let b = text.as_bytes();
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::new();
    let mut i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Some(members);
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = skip_string(b, i);
        let key: String = serde_json::from_str(text.get(i..key_end)?).ok()?;
        let key_range = (i, key_end);
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let value_start = skip_ws(b, i + 1);
        let value_end = skip_value(b, value_start);
        members.push(Member {
            key,
            key_range,
            value_range: (value_start, value_end),
        });
        i = skip_ws(b, value_end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return Some(members),
            _ => return None,
        }
    }
}

/// The elements of the top-level array of `text`.
pub(crate) fn scan_array(text: &str) -> Option<Vec<Element>> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut elements = Vec::new();
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Some(elements);
    }
    loop {
        let end = skip_value(b, i);
        let members = if b.get(i) == Some(&b'{') {
            scan_object(text, i)
        } else {
            None
        };
        elements.push(Element {
            range: (i, end),
            members,
        });
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b']') => return Some(elements),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_members() {
        let text = r#" [ {"a": 1, "b\"": [1, {"x": "]"}], "c": "s,}"}, 2, {} ] "#;
        let els = scan_array(text).unwrap();
        assert_eq!(els.len(), 3);
        let m = els[0].members.as_ref().unwrap();
        let got: Vec<(&str, &str)> = m
            .iter()
            .map(|m| (m.key.as_str(), &text[m.value_range.0..m.value_range.1]))
            .collect();
        assert_eq!(
            got,
            vec![("a", "1"), ("b\"", "[1, {\"x\": \"]\"}]"), ("c", "\"s,}\"")]
        );
        assert_eq!(&text[els[1].range.0..els[1].range.1], "2");
        assert_eq!(els[1].members, None);
        assert_eq!(els[2].members, Some(vec![]));
    }

    #[test]
    fn never_panics_on_garbage() {
        for t in [
            "", "[", "[{", "[{\"a\"", "[{\"a\":", "{\"a\":1", "[1,", "[\"\\",
        ] {
            let _ = scan_array(t);
            let _ = scan_object(t, 0);
        }
    }
}
