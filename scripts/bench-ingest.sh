#!/usr/bin/env bash
# The ingest benchmark (README, "Performance"): a private Dovecot + Postfix on loopback, a
# mailbox of N messages, and in one run on the same mailbox `mbsync` (isync) and
# `klachtenbus sync` on SQLite and on PostgreSQL, plus Postfix's `smtp-source` as the
# reference for sending. Prints seconds, messages/s, peak RSS and the ratio to mbsync.
#   scripts/bench-ingest.sh                       1,000 and 5,000 messages, both databases
#   scripts/bench-ingest.sh --messages 50000 --db sqlite --parallel 8   (smtp.parallel)
set -euo pipefail
cd "$(dirname "$0")/.."
# Installs what is missing (scripts/install-deps.sh) and re-runs this script as root.
. scripts/as-root.sh
if ! command -v mbsync >/dev/null 2>&1; then
    echo "bench-ingest: installing isync (mbsync)"
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends isync >/dev/null
fi
cargo build --quiet --release --bin klachtenbus
cargo build --quiet --example bench_ingest
exec "${CARGO_TARGET_DIR:-target}/debug/examples/bench_ingest" \
    --klachtenbus "${CARGO_TARGET_DIR:-target}/release/klachtenbus" "$@"
