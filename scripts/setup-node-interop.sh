#!/usr/bin/env bash
# Installs npm `jose` (an independent JOSE implementation) into the git-ignored folder
# .tools/node, for the envelope interop tests and benchmark (tests/interop/).
# Idempotent: does nothing when the pinned version is already there. Never global.
set -euo pipefail
cd "$(dirname "$0")/.."

JOSE_VERSION=5.9.5
DIR=.tools/node

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup-node-interop: node and npm are required (Debian: apt-get install nodejs npm)" >&2
    exit 1
fi

installed=$(node -e "try{console.log(require('./$DIR/node_modules/jose/package.json').version)}catch(e){}" 2>/dev/null || true)
if [ "$installed" = "$JOSE_VERSION" ]; then
    exit 0
fi

mkdir -p "$DIR"
if [ ! -f "$DIR/package.json" ]; then
    printf '{\n  "name": "munity-node-tools",\n  "private": true\n}\n' > "$DIR/package.json"
fi
echo "setup-node-interop: installing jose@$JOSE_VERSION into $DIR" >&2
npm install --prefix "$DIR" --no-audit --no-fund --save-exact "jose@$JOSE_VERSION" >&2
