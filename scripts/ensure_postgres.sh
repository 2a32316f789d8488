#!/usr/bin/env bash
# Make sure a PostgreSQL server answers at 127.0.0.1:5432 (user postgres, trust auth).
# These machines normally run one; when nothing listens, start the installed server.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432; then exit 0; fi
echo "PostgreSQL is not running: starting the installed server." >&2
if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql/*/main >/dev/null 2>&1; then
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  pg_ctlcluster "$version" main start || true
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  datadir=/tmp/carteblanche-pg
  if [ ! -d "$datadir" ]; then
    mkdir -p "$datadir"; chown postgres "$datadir"
    su postgres -c "$bindir/initdb -D $datadir -U postgres --auth=trust" >/dev/null
  fi
  su postgres -c "$bindir/pg_ctl -D $datadir -o '-p 5432 -k /tmp' -l $datadir/log start -w" >/dev/null
fi
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done
echo "PostgreSQL did not start." >&2; exit 1
