//! Where each table's data comes from: `--data DIR` and `--table name=path`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A data file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Comma-separated values (RFC 4180), UTF-8 with or without a BOM.
    Csv,
    /// A JSON array of objects.
    Json,
    /// JSON Lines: one object per line.
    JsonLines,
    /// An Excel workbook.
    Xlsx,
}

impl Format {
    /// Every format, in the order `--data DIR` looks for files.
    pub const ALL: [Format; 4] = [Format::Csv, Format::Json, Format::JsonLines, Format::Xlsx];

    /// The file extension (without the dot).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::JsonLines => "jsonl",
            Format::Xlsx => "xlsx",
        }
    }

    /// The format a path's extension names (any case), if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::ALL.into_iter().find(|f| f.extension() == ext)
    }
}

/// Where the data of a run comes from (spec §2.2, §10).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataSources {
    /// `--data DIR`: table `t` is read from `DIR/t.csv`, `.json`, `.jsonl`
    /// or `.xlsx` (exactly one of them must exist).
    pub dir: Option<PathBuf>,
    /// `--table name=path`: these tables are read from these files
    /// instead (the format comes from the extension).
    pub overrides: BTreeMap<String, PathBuf>,
}

/// The outcome of looking for a table's file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Located {
    /// The one file.
    Found(PathBuf),
    /// No file; the paths that were tried.
    Missing(Vec<PathBuf>),
    /// Several candidate files.
    Ambiguous(Vec<PathBuf>),
}

impl DataSources {
    /// Tables read from `dir`.
    pub fn in_dir(dir: impl Into<PathBuf>) -> DataSources {
        DataSources {
            dir: Some(dir.into()),
            overrides: BTreeMap::new(),
        }
    }

    /// Adds `--table name=path`.
    pub fn with_table(mut self, name: impl Into<String>, path: impl Into<PathBuf>) -> DataSources {
        self.overrides.insert(name.into(), path.into());
        self
    }

    /// Finds the file of table `name`.
    pub(crate) fn locate(&self, name: &str) -> Located {
        if let Some(path) = self.overrides.get(name) {
            return Located::Found(path.clone());
        }
        let Some(dir) = &self.dir else {
            return Located::Missing(Vec::new());
        };
        let tried: Vec<PathBuf> = Format::ALL
            .iter()
            .map(|f| dir.join(format!("{name}.{}", f.extension())))
            .collect();
        let existing: Vec<PathBuf> = tried.iter().filter(|p| p.is_file()).cloned().collect();
        match existing.len() {
            0 => Located::Missing(tried),
            1 => existing
                .into_iter()
                .next()
                .map(Located::Found)
                .unwrap_or(Located::Missing(tried)),
            _ => Located::Ambiguous(existing),
        }
    }
}
