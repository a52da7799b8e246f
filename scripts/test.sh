#!/usr/bin/env bash
# The test suite: unit tests, and integration tests against real Dovecot, Postfix and
# PostgreSQL that the tests start themselves (as root: Postfix and PostgreSQL drop to
# their own users). Run from anywhere: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "$(id -u)" != "0" ]; then
    echo "test.sh: the integration tests must run as root; re-running with sudo" >&2
    exec sudo -E env "PATH=$PATH" "$0" "$@"
fi
cargo test --all-targets "$@"
