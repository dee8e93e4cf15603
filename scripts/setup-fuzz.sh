#!/usr/bin/env bash
# Installs what the cargo-fuzz targets in fuzz/ need: the nightly toolchain (expected
# on the machine) and cargo-fuzz. Idempotent: skips what is already there.
set -euo pipefail

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "setup-fuzz: the nightly toolchain is missing; install it with 'rustup toolchain install nightly'" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "setup-fuzz: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked
fi
cargo fuzz --version
