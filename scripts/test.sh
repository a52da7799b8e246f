#!/usr/bin/env bash
# The test suite: unit tests, and integration tests against real Dovecot, Postfix and
# PostgreSQL that the tests start themselves (as root: Postfix and PostgreSQL drop to
# their own users). Run from anywhere: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/as-root.sh
cargo test --all-targets "$@"
