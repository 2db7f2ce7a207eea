//! Reading a large CSV file block by block gives exactly what reading its
//! whole text gives: the same rows, places and messages (the messages
//! still show the lines they are about, though the text was not kept),
//! whatever the block size, quoting, line breaks, byte-order mark or
//! encoding of the file.

use super::errors::policy;
use super::support::table;
use super::threads::{files, outcome};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use tally_check::Program;
use tally_data::{DataLoader, Format, LoadLimits};

/// A fresh directory for one load's files.
fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tally-streamed-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every message is shown, so that all can be compared.
const MAX_ERRORS: usize = 10_000;

/// Loads the two files from their bytes, whole.
fn whole(p: &Program, reps: &[u8], deals: &[u8]) -> String {
    let limits = LoadLimits {
        max_errors: MAX_ERRORS,
        ..LoadLimits::default()
    };
    let mut loader = DataLoader::new(p, limits);
    loader.add_bytes(table(p, "reps"), "reps.csv", reps, Format::Csv);
    loader.add_bytes(table(p, "deals"), "deals.csv", deals, Format::Csv);
    outcome(p, &loader.finish())
}

/// Loads the two files from disk in blocks of `block` bytes on `threads`.
fn in_blocks(p: &Program, reps: &[u8], deals: &[u8], block: usize, threads: usize) -> String {
    let dir = scratch_dir();
    let path = |name: &str| -> PathBuf { dir.join(name) };
    std::fs::write(path("reps.csv"), reps).unwrap();
    std::fs::write(path("deals.csv"), deals).unwrap();
    let limits = LoadLimits {
        threads: Some(threads),
        block_bytes: Some(block),
        max_errors: MAX_ERRORS,
        ..LoadLimits::default()
    };
    let mut loader = DataLoader::new(p, limits);
    loader.add_path(table(p, "reps"), &path("reps.csv"));
    loader.add_path(table(p, "deals"), &path("deals.csv"));
    let loaded = loader.finish();
    let shown = outcome(p, &loaded).replace(&format!("{}/", dir.display()), "");
    std::fs::remove_dir_all(&dir).unwrap();
    shown
}

/// How the deals file is written.
#[derive(Clone, Copy, Debug)]
enum Encoding {
    Plain,
    ByteOrderMark,
    Latin1,
}

fn encoded(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Plain => text.as_bytes().to_vec(),
        Encoding::ByteOrderMark => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        // `é` as Latin-1 somewhere past the first lines.
        Encoding::Latin1 => {
            let at = text.len() * 2 / 3;
            let at = (at..text.len())
                .find(|i| text.is_char_boundary(*i))
                .unwrap_or(text.len());
            [
                text.as_bytes().get(..at).unwrap(),
                &[0xE9],
                text.as_bytes().get(at..).unwrap(),
            ]
            .concat()
        }
    }
}

#[test]
fn a_file_read_in_blocks_reads_like_its_whole_text() {
    let p = policy();
    let picks: Vec<u8> = (0..400u32).map(|i| (i * 37 % 251) as u8).collect();
    let (reps, deals) = files(&picks);
    let one = whole(&p, reps.as_bytes(), deals.as_bytes());
    assert!(one.contains("D0015"), "a dangling reference to show: {one}");
    assert!(one.contains("D0016"), "a duplicate key to show: {one}");
    for (block, threads) in [(1, 1), (64, 2), (300, 3), (4096, 8)] {
        let blocks = in_blocks(&p, reps.as_bytes(), deals.as_bytes(), block, threads);
        assert_eq!(one, blocks, "blocks of {block} bytes on {threads} threads");
    }
}

#[test]
fn messages_about_a_file_read_in_blocks_show_its_lines() {
    let p = policy();
    let (reps, deals) = files(&[9, 0, 0, 2]);
    let shown = in_blocks(&p, reps.as_bytes(), deals.as_bytes(), 32, 2);
    assert!(shown.contains("R-missing"), "{shown}");
    // The snippet under the message is the line itself.
    assert!(shown.contains("| D-0,R-missing,"), "{shown}");
}

#[test]
fn a_file_that_is_not_utf8_is_read_whole_and_reported() {
    let p = policy();
    let (reps, deals) = files(&[1, 2, 3, 4, 5, 6, 7, 8]);
    let deals = encoded(&deals, Encoding::Latin1);
    let blocks = in_blocks(&p, reps.as_bytes(), &deals, 16, 2);
    assert!(blocks.contains("not UTF-8"), "{blocks}");
    assert_eq!(whole(&p, reps.as_bytes(), &deals), blocks);
}

#[test]
fn a_missing_file_is_reported_once() {
    let p = policy();
    let limits = LoadLimits {
        block_bytes: Some(1),
        ..LoadLimits::default()
    };
    let mut loader = DataLoader::new(&p, limits);
    loader.add_path(table(&p, "reps"), Path::new("/nonexistent/reps.csv"));
    let loaded = loader.finish();
    let cannot = loaded
        .diagnostics
        .iter()
        .filter(|d| d.message.starts_with("cannot read"))
        .count();
    assert_eq!(cannot, 1, "{:?}", loaded.diagnostics);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn blocks_never_change_a_load(
        picks in proptest::collection::vec(any::<u8>(), 0..80),
        block in 1usize..400,
        threads in 1usize..5,
        encoding in prop_oneof![Just(Encoding::Plain), Just(Encoding::ByteOrderMark), Just(Encoding::Latin1)],
    ) {
        let p = policy();
        let (reps, deals) = files(&picks);
        let deals = encoded(&deals, encoding);
        prop_assert_eq!(
            whole(&p, reps.as_bytes(), &deals),
            in_blocks(&p, reps.as_bytes(), &deals, block, threads)
        );
    }
}

/// A deal the loader has nothing to say about: any note (quoted, with a
/// line break, with quotes), any line ending, blank lines between rows.
fn clean(pick: &u8) -> bool {
    pick % 17 != 9 && pick % 19 != 2 && pick % 6 != 4 && pick % 7 != 3 && pick % 13 != 6
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// A file without problems, whose notes hold commas, quotes and line
    /// breaks where a block or a thread's range may be cut, loads the same
    /// in blocks on any number of threads as from its whole text.
    #[test]
    fn a_clean_file_read_in_blocks_reads_like_its_whole_text(
        picks in proptest::collection::vec(any::<u8>().prop_filter("clean", clean), 1..80),
        block in 1usize..400,
        threads in 2usize..5,
    ) {
        let p = policy();
        let (reps, deals) = files(&picks);
        let one = whole(&p, reps.as_bytes(), deals.as_bytes());
        prop_assert!(!one.contains("error"), "{}", one);
        prop_assert_eq!(one, in_blocks(&p, reps.as_bytes(), deals.as_bytes(), block, threads));
    }
}

#[test]
fn the_text_of_a_file_read_in_blocks_is_not_kept_when_nothing_is_said_about_it() {
    let p = policy();
    let (reps, deals) = files(&[0; 50]);
    let dir = scratch_dir();
    let path = dir.join("deals.csv");
    std::fs::write(dir.join("reps.csv"), &reps).unwrap();
    std::fs::write(&path, &deals).unwrap();
    let limits = LoadLimits {
        block_bytes: Some(256),
        ..LoadLimits::default()
    };
    let mut loader = DataLoader::new(&p, limits);
    loader.add_path(table(&p, "reps"), &dir.join("reps.csv"));
    loader.add_path(table(&p, "deals"), &path);
    let loaded = loader.finish();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    assert_eq!(loaded.store.table(table(&p, "deals")).len, 50);
    let file = loaded.sources.find(&path.display().to_string()).unwrap();
    assert_eq!(loaded.sources.text(file), "");
}
