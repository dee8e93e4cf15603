#!/usr/bin/env bash
# Runs the envelope fuzz targets (certificate parsing, open) for a bounded time each
# and prints executions and crashes. Usage: scripts/fuzz-envelope.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}

scripts/setup-fuzz.sh >/dev/null
cd fuzz
for target in certificate open; do
    mkdir -p "corpus/$target"
    echo "==> fuzzing $target for ${SECONDS_PER_TARGET}s" >&2
    # corpus/ (grows, git-ignored) first, then the committed seeds (read only); the
    # certificate target also starts from the bad-input corpus of the tests.
    extra=()
    if [ "$target" = certificate ]; then extra=(../tests/corpus/envelope); fi
    cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" "${extra[@]}" -- \
        -max_total_time="$SECONDS_PER_TARGET" -max_len=70000 2>&1 | tee "/tmp/munity-fuzz-$target.log" | grep -E '^#[0-9]+.*DONE|Done [0-9]+ runs|SUMMARY|ERROR|panicked' || true
    if ls "artifacts/$target"/crash-* >/dev/null 2>&1; then
        echo "fuzz: $target found crashes in fuzz/artifacts/$target" >&2
        exit 1
    fi
done
