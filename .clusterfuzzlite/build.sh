#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: builds every cargo-fuzz target in
# fuzz/ with the sanitizer the infrastructure chose, and ships each target's
# checked-in seeds as its seed corpus.
cd "$SRC/wsgauntlet"
cargo fuzz build -O
out_dir=fuzz/target/x86_64-unknown-linux-gnu/release
for src in fuzz/fuzz_targets/*.rs; do
    target=$(basename "$src" .rs)
    cp "$out_dir/$target" "$OUT/"
    if [ -d "corpus/$target" ]; then
        (cd "corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
done
