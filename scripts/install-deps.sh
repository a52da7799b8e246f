#!/usr/bin/env bash
# Installs what klachtenbus's tests and demo need on Debian/Ubuntu, when it is missing:
# Dovecot (IMAP + LMTP), Postfix, PostgreSQL 15, Python's venv, and glewlwyd (the OAuth2 token server of
# the OAuth2 tests, with SQLite and curl). The services are only installed; the tests and the demo start
# private instances of them in temporary folders.
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
# The OAuth2 tests run glewlwyd on an SQLite database and talk to it with curl;
# dbconfig-no-thanks keeps apt from pulling in a database server for it.
command -v glewlwyd >/dev/null 2>&1 || missing+=(glewlwyd dbconfig-no-thanks sqlite3)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# A test and the ingest benchmark read a process's peak RSS from GNU time.
[ -x /usr/bin/time ] || missing+=(time)
# Attached letters are read with pdftotext (and the printable letters read back by tests).
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    # Postfix asks how to configure itself; the tests bring their own configuration.
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections 2>/dev/null || true
    # glewlwyd's postinst would otherwise set up a database through dbconfig and fail; the
    # tests bring their own configuration and SQLite database.
    echo "glewlwyd glewlwyd/config_type select No configuration" | $SUDO debconf-set-selections 2>/dev/null || true
    # No service is started by the install (the tests start their own instances): a
    # policy-rc.d that refuses every start, for the length of the install only.
    added_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod 755 /usr/sbin/policy-rc.d
        added_policy=yes
    fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
    if [ -n "$added_policy" ]; then
        $SUDO rm -f /usr/sbin/policy-rc.d
    fi
fi

# The test harness lists its private Postfix configuration folders in the default main.cf
# (alternate_config_directories); make sure there is one to edit.
if [ ! -f /etc/postfix/main.cf ]; then
    $SUDO touch /etc/postfix/main.cf
fi
echo "install-deps: dovecot $(dovecot --version | cut -d' ' -f1), postfix $(postconf -h mail_version 2>/dev/null), postgresql 15, glewlwyd ready"
