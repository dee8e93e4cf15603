#!/usr/bin/env bash
# Installs Python botocore (the live SigV4 peer of tests/protocol/auth_botocore.rs) into the
# project-local, git-ignored folder .tools/python. Idempotent: does nothing when the
# pinned version is already there. Needs python3 with pip, and PyPI the first time.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION="1.43.11"
TARGET=".tools/python"

if [ -f "$TARGET/botocore/__init__.py" ] &&
    grep -q "^__version__ = '$VERSION'" "$TARGET/botocore/__init__.py"; then
    exit 0
fi
mkdir -p "$TARGET"
python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location --root-user-action=ignore \
    --upgrade --target "$TARGET" "botocore==$VERSION"
grep -q "^__version__ = '$VERSION'" "$TARGET/botocore/__init__.py"
echo "botocore $VERSION installed in $TARGET"
