#!/usr/bin/env bash
# The test suite: unit tests, and integration tests against real Dovecot, Postfix and
# PostgreSQL that the tests start themselves (as root: Postfix and PostgreSQL drop to
# their own users). Run from anywhere: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/as-root.sh

# A virtualenv under target/ with pinned Python packages: `holidays`, the independent
# reference for the holiday calendar (tests/reference/nl_holidays.py), and numpy, scipy and
# scikit-learn, which the fitting scripts need (scripts/fit-learned.py is tested).
PYREF_PACKAGES="holidays==0.109 numpy==2.4.6 scipy==1.17.1 scikit-learn==1.9.1"
venv=target/pyref
if ! "$venv/bin/python" - "$PYREF_PACKAGES" <<'CHECK' 2>/dev/null; then
import sys
from importlib.metadata import version
sys.exit(any(version(n) != v for n, v in (p.split("==") for p in sys.argv[1].split())))
CHECK
    python3 -m venv "$venv"
    # shellcheck disable=SC2086
    "$venv/bin/pip" install --quiet --disable-pip-version-check $PYREF_PACKAGES
fi
export KLACHTENBUS_REFERENCE_PYTHON="$PWD/$venv/bin/python"

# The integration tests mostly wait: on Dovecot, Postfix, PostgreSQL and the daemons they
# start. Three run at once (on two cores the suite takes about four minutes instead of five);
# RUST_TEST_THREADS set by the caller wins.
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-3}"
cargo test --all-targets "$@"
