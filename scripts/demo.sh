#!/usr/bin/env bash
# The demo: starts a private Dovecot + Postfix on loopback, mails the sample messages in
# tests/fixtures/demo through Postfix, and runs `klachtenbus sync` and `messages` on them.
#   scripts/demo.sh            one pass, then everything is stopped and removed
#   scripts/demo.sh --watch    afterwards keeps `klachtenbus run` watching until Ctrl-C
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/as-root.sh
if [ ! -x target/debug/examples/demo ]; then
    echo "demo: compiling klachtenbus and its dependencies first (a few minutes the first time)..."
fi
cargo run --quiet --example demo -- "$@"
