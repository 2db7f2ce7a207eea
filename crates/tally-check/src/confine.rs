//! Confining paths written in a policy to the policy's directory.

use std::path::{Component, Path, PathBuf};

/// Joins `rel` (a path written in a policy) onto `base` lexically,
/// refusing to climb above `root` or to take an absolute path: how every
/// file loader confines imports and golden files to a policy's directory.
pub fn confined_join(root: &Path, base: &Path, rel: &str) -> Option<PathBuf> {
    let rel_path = Path::new(rel);
    if rel_path.is_absolute() {
        return None;
    }
    let mut parts: Vec<Component> = base
        .strip_prefix(root)
        .ok()?
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    for c in rel_path.components() {
        match c {
            Component::Normal(_) => parts.push(c),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            _ => return None,
        }
    }
    let mut out = root.to_path_buf();
    out.extend(parts);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_leave_the_root() {
        let root = Path::new("/p");
        assert_eq!(
            confined_join(root, Path::new("/p/a"), "b.tally"),
            Some(PathBuf::from("/p/a/b.tally"))
        );
        assert_eq!(
            confined_join(root, Path::new("/p/a"), "../c.tally"),
            Some(PathBuf::from("/p/c.tally"))
        );
        assert_eq!(confined_join(root, Path::new("/p"), "../x.tally"), None);
        assert_eq!(confined_join(root, Path::new("/p"), "/etc/passwd"), None);
    }
}
