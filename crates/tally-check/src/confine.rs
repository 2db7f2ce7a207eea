//! Confining paths written in a policy to the policy's directory.

use std::path::{Component, Path, PathBuf};

/// Joins `rel` (a path written in a policy) onto `base`, refusing to
/// climb above `root`, to take an absolute path, or to pass through a
/// symbolic link that leads out of `root`: how every file loader confines
/// imports and golden files to a policy's directory.
pub fn confined_join(root: &Path, base: &Path, rel: &str) -> Option<PathBuf> {
    let joined = lexical_join(root, base, rel)?;
    resolves_inside(root, &joined).then_some(joined)
}

/// True when `path` (lexically below `root`) stays below `root` once
/// symbolic links are followed: the deepest part of it that exists must
/// resolve inside `root` (what does not exist yet follows no link).
fn resolves_inside(root: &Path, path: &Path) -> bool {
    let Ok(root) = root.canonicalize() else {
        // Nothing exists below a root that does not exist.
        return true;
    };
    let mut existing = path;
    loop {
        if let Ok(real) = existing.canonicalize() {
            return real.starts_with(&root);
        }
        match existing.parent() {
            Some(parent) => existing = parent,
            None => return true,
        }
    }
}

/// [`confined_join`] without looking at the file system.
fn lexical_join(root: &Path, base: &Path, rel: &str) -> Option<PathBuf> {
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

    #[cfg(unix)]
    #[test]
    fn refuses_links_that_lead_out_of_the_root() {
        let dir = std::env::temp_dir().join(format!("tally-confine-{}", std::process::id()));
        let root = dir.join("policy");
        let outside = dir.join("secret");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("x.tally"), "").unwrap();
        std::fs::write(root.join("sub/in.tally"), "").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("out")).unwrap();
        std::os::unix::fs::symlink(root.join("sub"), root.join("also_sub")).unwrap();
        // Through a link out of the root: refused, whether or not the file exists.
        assert_eq!(confined_join(&root, &root, "out/x.tally"), None);
        assert_eq!(confined_join(&root, &root, "out/new.csv"), None);
        assert_eq!(confined_join(&root, &root, "out"), None);
        // Links that stay inside, and files not written yet: allowed.
        assert_eq!(
            confined_join(&root, &root, "also_sub/in.tally"),
            Some(root.join("also_sub/in.tally"))
        );
        assert_eq!(
            confined_join(&root, &root, "sub/new/golden.csv"),
            Some(root.join("sub/new/golden.csv"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
