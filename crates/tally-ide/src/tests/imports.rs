//! A policy that imports another file.

use crate::*;

#[test]
fn names_from_an_import() {
    let root = std::env::temp_dir().join(format!("tally-ide-imports-{}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    let shared = "/// Sales reps.\ntable reps {\n  id: Text key\n  name: Text\n}\n";
    std::fs::write(root.join("shared.tally"), shared).unwrap();
    let main = "import \"shared.tally\"\nconst n = reps.count()\nconst first = reps.first(name)\n";
    let path = root.join("policy.tally");
    std::fs::write(&path, main).unwrap();
    let loader = tally::FsLoader::for_policy(&path);
    let a = Analysis::new(&path.display().to_string(), main, &loader);
    assert!(!a.has_errors(), "{:?}", a.diagnostics());
    let at = main.find("reps.count").unwrap() + 1;
    let defs = definition(&a, at);
    assert_eq!(defs.len(), 1);
    let file = a.source(defs[0].file).unwrap();
    assert!(file.name.ends_with("shared.tally"), "{}", file.name);
    assert_eq!(&file.text[defs[0].lo()..defs[0].hi()], "reps");
    assert!(hover(&a, at).unwrap().markdown.contains("Sales reps."));
    // The import's path goes to the file.
    let to_file = definition(&a, 10);
    assert_eq!(to_file.first().map(|s| s.file), Some(defs[0].file));
    // Rename reaches into the imported file.
    let edits = rename(&a, at, "people").unwrap();
    let files: std::collections::BTreeSet<_> = edits.iter().map(|e| e.span.file).collect();
    assert_eq!(files.len(), 2, "{edits:?}");
    // Re-checking (completion) replays the import without reading it again.
    std::fs::remove_file(root.join("shared.tally")).unwrap();
    let items = completion(&a, None, main.find("first(").unwrap() + 6);
    assert!(items.iter().any(|i| i.label == "name"));
    let _ = std::fs::remove_dir_all(&root);
}
