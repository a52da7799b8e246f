#!/usr/bin/env bash
# The demo: starts a private Dovecot + Postfix on loopback, mails the sample messages in
# tests/fixtures/demo through Postfix, and runs `klachtenbus sync` and `messages` on them.
#   scripts/demo.sh            one pass, then everything is stopped and removed
#   scripts/demo.sh --watch    afterwards keeps `klachtenbus run` watching until Ctrl-C
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "$(id -u)" != "0" ]; then
    echo "demo.sh: Dovecot and Postfix are started as root; re-running with sudo" >&2
    exec sudo -E env "PATH=$PATH" "$0" "$@"
fi
cargo run --quiet --example demo -- "$@"
