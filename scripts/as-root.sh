# Sourced by test.sh and demo.sh: installs the Debian packages when missing, then re-runs
# the calling script as root (Dovecot, Postfix and PostgreSQL are started as root and drop
# to their own users). Expects $0 and "$@" of the caller.
scripts/install-deps.sh
if [ "$(id -u)" != "0" ]; then
    echo "$(basename "$0"): starting mail servers and PostgreSQL needs root; re-running with sudo" >&2
    exec sudo -E env "PATH=$PATH" "$0" "$@"
fi
