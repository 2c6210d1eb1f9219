#!/bin/sh
# A minimal stand-in for the stock postgres image's entrypoint: initdb on first start with POSTGRES_USER /
# POSTGRES_PASSWORD / POSTGRES_DB, then run the server in the foreground with the arguments given
# (Testcontainers passes "postgres -c fsync=off"). Like the stock image it starts a temporary server for the
# set-up, so "ready to accept connections" is logged twice, which is what Testcontainers waits for.
set -e
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
mkdir -p "$PGDATA" /var/run/postgresql
chown -R postgres:postgres "$PGDATA" /var/run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  printf '%s' "${POSTGRES_PASSWORD:-postgres}" > /tmp/pwfile
  chown postgres /tmp/pwfile
  su postgres -c "initdb -D '$PGDATA' -U '$user' --pwfile=/tmp/pwfile -A scram-sha-256 --encoding=UTF8" >/dev/null
  rm -f /tmp/pwfile
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  su postgres -c "pg_ctl -D '$PGDATA' -o \"-c listen_addresses=''\" -w start"
  if [ "$db" != "postgres" ]; then
    su postgres -c "PGPASSWORD='${POSTGRES_PASSWORD:-postgres}' psql -h /var/run/postgresql -U '$user' -d postgres -c 'CREATE DATABASE \"$db\"'" >/dev/null
  fi
  su postgres -c "pg_ctl -D '$PGDATA' -m fast -w stop"
fi
if [ "$1" = "postgres" ]; then
  shift
  exec su postgres -c "exec postgres -D '$PGDATA' -c listen_addresses='*' $*"
fi
exec "$@"
