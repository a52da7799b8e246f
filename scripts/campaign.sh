#!/usr/bin/env bash
# The hardening campaign (README, "Hardening campaign"): runs the klachtenbus binary against a
# private Dovecot + Postfix on loopback and prints one figure line per area, then
#   campaign: N areas, M failed
# and exits non-zero when any figure fails its bound.
#   scripts/campaign.sh            the full campaign (under 20 minutes on 2 cores)
#   scripts/campaign.sh --short    the same areas with small counts (CI, a few minutes)
# Further arguments go to the campaign: --seed N (repeat random choices), --only AREA[,AREA].
set -euo pipefail
cd "$(dirname "$0")/.."
# Installs what is missing (scripts/install-deps.sh) and re-runs this script as root.
. scripts/as-root.sh
scripts/install-deps.sh
cargo build --quiet --bin klachtenbus --example campaign
exec "${CARGO_TARGET_DIR:-target}/debug/examples/campaign" "$@"
