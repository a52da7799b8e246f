#!/usr/bin/env bash
# Installs what klachtenbus's tests and demo need on Debian/Ubuntu, when it is missing:
# Dovecot (IMAP + LMTP), Postfix, PostgreSQL 15 and Python's venv. The services are only installed; the
# tests and the demo start private instances of them in temporary folders.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi

missing=()
command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
[ -x /usr/lib/dovecot/lmtp ] || missing+=(dovecot-lmtpd)
command -v postfix >/dev/null 2>&1 || missing+=(postfix)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
# The calendar test compares with the Python `holidays` package, installed by
# scripts/test.sh into a virtualenv.
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    # Postfix asks how to configure itself; the tests bring their own configuration.
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections 2>/dev/null || true
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# The test harness lists its private Postfix configuration folders in the default main.cf
# (alternate_config_directories); make sure there is one to edit.
if [ ! -f /etc/postfix/main.cf ]; then
    $SUDO touch /etc/postfix/main.cf
fi
echo "install-deps: dovecot $(dovecot --version | cut -d' ' -f1), postfix $(postconf -h mail_version 2>/dev/null), postgresql 15 ready"
