//! Reading imports from the file system, confined to a root directory.

use std::path::{Path, PathBuf};
use tally_check::{confined_join, Loader};

/// Reads imported files relative to the importing file, refusing any path
/// that leaves `root` (no `..` above it, no absolute paths).
pub struct FsLoader {
    root: PathBuf,
}

impl FsLoader {
    /// A loader for the policy at `policy`: imports may read its directory
    /// and the directories below it.
    pub fn for_policy(policy: &Path) -> FsLoader {
        let root = policy
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        FsLoader { root }
    }

    /// A loader confined to `root`.
    pub fn new(root: impl Into<PathBuf>) -> FsLoader {
        FsLoader { root: root.into() }
    }
}

impl Loader for FsLoader {
    fn load(&self, path: &str, importer: &str) -> Result<(String, String), String> {
        let importer_dir = Path::new(importer)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        let importer_dir = if importer_dir.as_os_str().is_empty() {
            self.root.clone()
        } else {
            importer_dir
        };
        let full = confined_join(&self.root, &importer_dir, path).ok_or_else(|| {
            "imports may only read files in the policy's directory or below it".to_string()
        })?;
        let text = std::fs::read_to_string(&full).map_err(|e| e.to_string().to_lowercase())?;
        Ok((full.display().to_string(), text))
    }
}
