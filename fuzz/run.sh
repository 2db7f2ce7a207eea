#!/bin/sh
# Runs one fuzz target for a while: `sh fuzz/run.sh TARGET [SECONDS]`.
# Stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly
# flags. No sanitizer (the crates forbid unsafe code), debug assertions on
# (integer overflow panics instead of wrapping).
set -eu
cd "$(dirname "$0")"
target=$1
seconds=${2:-300}
case $target in
  load_csv|load_json) dict=data.dict ;;
  eval) dict= ;;
  *) dict=tally.dict ;;
esac
RUSTC_BOOTSTRAP=1 exec cargo fuzz run --sanitizer none --debug-assertions "$target" "corpus/$target" -- \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
  ${dict:+-dict=$dict}
