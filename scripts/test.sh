#!/usr/bin/env bash
# The test suite: unit tests, and integration tests against real Dovecot, Postfix and
# PostgreSQL that the tests start themselves (as root: Postfix and PostgreSQL drop to
# their own users). Run from anywhere: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/as-root.sh

# The independent reference for the holiday calendar (tests/reference/nl_holidays.py):
# the Python `holidays` package at a pinned version, in a virtualenv under target/.
HOLIDAYS_VERSION=0.109
venv=target/pyref
if ! "$venv/bin/python" -c "import holidays, sys; sys.exit(holidays.__version__ != '$HOLIDAYS_VERSION')" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "holidays==$HOLIDAYS_VERSION"
fi
export KLACHTENBUS_REFERENCE_PYTHON="$PWD/$venv/bin/python"

# The integration tests mostly wait: on Dovecot, Postfix, PostgreSQL and the daemons they
# start. Three run at once (on two cores the suite takes about four minutes instead of five);
# RUST_TEST_THREADS set by the caller wins.
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-3}"
cargo test --all-targets "$@"
