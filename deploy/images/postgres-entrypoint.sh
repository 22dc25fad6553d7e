#!/bin/sh
# First start: initdb with POSTGRES_USER / POSTGRES_PASSWORD, run /docker-entrypoint-initdb.d/*.sql on a
# server listening on its socket only, stop it. Every start: PostgreSQL in the foreground on all addresses.
set -eu
user="${POSTGRES_USER:-postgres}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  password_file=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" >"$password_file"
  initdb -D "$PGDATA" -U "$user" --pwfile="$password_file" -A scram-sha-256 -E UTF8 >/dev/null
  rm -f "$password_file"
  echo "host all all 0.0.0.0/0 scram-sha-256" >>"$PGDATA/pg_hba.conf"
  echo "local all all trust" >"$PGDATA/pg_hba.local"
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c hba_file=$PGDATA/pg_hba.local" start >/dev/null
  for file in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$file" ] && psql -v ON_ERROR_STOP=1 -U "$user" -d postgres -q -f "$file"
  done
  pg_ctl -D "$PGDATA" -w -m fast stop >/dev/null
  rm -f "$PGDATA/pg_hba.local"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*'
