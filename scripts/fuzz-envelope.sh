#!/usr/bin/env bash
# The envelope fuzz targets (certificate parsing, open) for a bounded time each; kept
# for the README's command. Usage: scripts/fuzz-envelope.sh [seconds per target, default 60]
# All targets: scripts/fuzz.
set -euo pipefail
exec "$(dirname "$0")/fuzz" --seconds "${1:-60}" certificate open
