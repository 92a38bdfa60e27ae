#!/usr/bin/env bash
# Builds and runs the fuzz target `inspect_csr` for a few seconds, on the stable toolchain.
#
#   bash fuzz/run.sh                 # 5 seconds
#   FUZZ_SECONDS=60 bash fuzz/run.sh # longer
#
# cargo-fuzz works on stable with `-s none` (no sanitizer: the sanitizers need nightly's -Zsanitizer; the
# coverage instrumentation, -Cpasses=sancov-module, is stable). It is installed if missing. Should that install
# fail, or with FUZZ_PLAIN=1, the target is built with plain `cargo build` and the same instrumentation flags and
# run directly. Either way the corpus starts from fixtures/csr, and a crash fails the script.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
seconds="${FUZZ_SECONDS:-5}"
target=inspect_csr
corpus="corpus/$target"

mkdir -p "$corpus" "artifacts/$target"
# Seed the corpus with the CSR fixtures (and the things that are not CSRs).
for f in ../fixtures/csr/*; do
    case "$f" in *.md | *.sh) continue ;; esac
    cp -n "$f" "$corpus/" 2>/dev/null || true
done

run_plain() {
    echo "fuzz/run.sh: plain cargo build of $target with libFuzzer instrumentation" >&2
    local flags="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
    flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table"
    flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
    # An explicit --target keeps RUSTFLAGS (the instrumentation) off build scripts and proc macros.
    local host
    host="$(rustc -vV | sed -n 's/^host: //p')"
    RUSTFLAGS="$flags" cargo build --release --bin "$target" --target "$host" --target-dir target/plain
    "target/plain/$host/release/$target" -artifact_prefix="artifacts/$target/" -max_total_time="$seconds" "$corpus"
}

if [[ "${FUZZ_PLAIN:-0}" == 1 ]]; then
    run_plain
    exit
fi

if ! command -v cargo-fuzz >/dev/null 2>&1 && ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz/run.sh: installing cargo-fuzz" >&2
    if ! cargo install cargo-fuzz --locked; then
        echo "fuzz/run.sh: cargo-fuzz could not be installed; falling back to a plain build" >&2
        run_plain
        exit
    fi
fi

cargo fuzz run -s none "$target" "$corpus" -- -max_total_time="$seconds"
