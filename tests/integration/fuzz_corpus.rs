//! Replays every checked-in fuzz seed and every recorded regression through
//! the same function the cargo-fuzz target calls.

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

/// The files of `dir`, sorted; empty when the folder does not exist.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `target` over `corpus/<name>/` (which must not be empty) and
/// `corpus/regressions/<name>/` (if present), naming every input that panics.
fn replay(name: &str, target: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let seeds = files_in(&root.join(name));
    assert!(
        !seeds.is_empty(),
        "corpus/{name}/ holds no seed: nothing would be tested"
    );
    let regressions = files_in(&root.join("regressions").join(name));
    let mut failed = Vec::new();
    for path in seeds.iter().chain(&regressions) {
        let data = fs::read(path).expect("readable corpus file");
        if panic::catch_unwind(|| target(&data)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{name}: inputs that fail: {failed:#?}");
    eprintln!(
        "{name}: {} seeds, {} regressions replayed",
        seeds.len(),
        regressions.len()
    );
}

#[test]
fn decode_corpus_replays() {
    replay("decode", wsgauntlet::fuzzing::decode);
}

#[test]
fn utf8_corpus_replays() {
    replay("utf8", wsgauntlet::fuzzing::utf8);
}

#[test]
fn inflate_corpus_replays() {
    replay("inflate", wsgauntlet::fuzzing::inflate);
}

#[test]
fn model_corpus_replays() {
    replay("model", wsgauntlet::fuzzing::model);
}
