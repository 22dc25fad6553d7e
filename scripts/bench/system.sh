# Sourced by the soak benchmarks (scripts/bench-soak, scripts/bench-retention): starts the system in
# MODE (embedded: `sprocket serve --demo` on SQLite; distributed: `sprocket cluster start` with its own
# PostgreSQL and nats-server on private ports, the demo loaded through the gateway) in DATA, with stock for
# the orders of bench/place-order.lua, and defines what the benchmarks read:
#   pending            events waiting in every outbox
#   memory             each process's resident MiB, ` | `-separated (in the order of `names`)
#   names              the processes, ` | `-separated
#   disk, disk_header  the size of the data on disk
#   total SQL          SQL's single number summed over every service database
#   plumbing_bytes     SQL for the bytes of outbox, inbox and idempotency_keys with their indexes
#   count DB SQL       SQL's single number in one service's database
#   refresh_token      a new TOKEN for the demo customer (tokens last an hour)
# Needs MODE, DATA, PORT, BUDGET and SPROCKET_BIN; extra `SPROCKET_*` variables reach every process.
# A second distributed system beside the first needs its own SPROCKET_BENCH_PG_PORT (55632),
# SPROCKET_BENCH_NATS_PORT (4522) and SPROCKET_BENCH_PORT_BASE (PORT + 100, each service above it).
G="http://127.0.0.1:$PORT"
PG_PORT="${SPROCKET_BENCH_PG_PORT:-55632}"

if [ "$MODE" = embedded ]; then
  "$SPROCKET_BIN" serve --demo --data-dir "$DATA" --port "$PORT" --memory-budget "$BUDGET" --log-level warning \
    --max-in-flight 4096 >"$DATA/serve.log" 2>&1 &
  echo $! >"$DATA/embedded.pid"
  trap 'kill "$(cat "$DATA/embedded.pid")" 2>/dev/null || true; sleep 1; rm -rf "$DATA"' EXIT
else
  export SPROCKET_MEMORY_BUDGET="$BUDGET" SPROCKET_LOG_LEVEL=warning SPROCKET_MAX_IN_FLIGHT=4096
  "$SPROCKET_BIN" cluster start --dir "$DATA" --postgres-port "$PG_PORT" \
    --nats-port "${SPROCKET_BENCH_NATS_PORT:-4522}" --port-base "${SPROCKET_BENCH_PORT_BASE:-$((PORT + 100))}" \
    --gateway-port "$PORT" --admin admin@example.com:sprocket-admin >/dev/null
  trap '"$SPROCKET_BIN" cluster stop --dir "$DATA" >/dev/null 2>&1 || true; rm -rf "$DATA"' EXIT
  "$SPROCKET_BIN" demo --gateway "$G" --issuer-database "postgres://postgres@127.0.0.1:$PG_PORT/customers" \
    >"$DATA/demo.log" 2>&1
fi
for _ in $(seq 1 300); do curl -sf "$G/health/ready" >/dev/null && break; sleep 0.1; done

token() {
  curl -s -X POST "$G/api/v1/auth/token" -H 'content-type: application/json' -d "$1" \
    | sed -n 's/.*"accessToken" *: *"\([^"]*\)".*/\1/p'
}
refresh_token() { TOKEN=$(token '{"email":"customer@example.com","password":"sprocket-customer"}'); export TOKEN; }
refresh_token
ADMIN=$(token '{"email":"admin@example.com","password":"sprocket-admin"}')
for sku in BRK-DSC-VW-5Q0615301 BRK-PAD-VW-1K0698151 BRK-SNS-VW-1K0907637 BRK-FLD-DOT4-1L; do
  curl -sf -o /dev/null -X PUT "$G/api/v1/warehouses/MAD/stock/$sku" -H "authorization: Bearer $ADMIN" \
    -H 'content-type: application/json' -d '{"onHand":100000000}'
done

# Every process's name and port (embedded: one; distributed: each service's and the gateway's).
if [ "$MODE" = embedded ]; then
  printf 'embedded\t%s\n' "$PORT" >"$DATA/ports"
else
  awk -F'\t' '{ print $1 "\t" $3 }' "$DATA/topology.tsv" >"$DATA/ports"
fi
names=$(cut -f1 "$DATA/ports" | paste -sd '|' | sed 's/|/ | /g')
pending() {
  local sum=0 port value
  while IFS=$'\t' read -r _ port; do
    value=$(curl -s "127.0.0.1:$port/metrics" | awk '/^sprocket_outbox_pending\{/ { sum += $2 } END { print sum + 0 }')
    sum=$((sum + ${value:-0}))
  done <"$DATA/ports"
  echo "$sum"
}
memory() {
  local out="" name
  while IFS=$'\t' read -r name _; do
    out="$out$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$(cat "$DATA/$name.pid")/status") | "
  done <"$DATA/ports"
  echo "${out% | }"
}
if [ "$MODE" = embedded ]; then
  databases=$(cd "$DATA" && ls ./*.sqlite | sed 's|^\./||; s|\.sqlite$||')
  count() {
    python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" \
      "$DATA/$1.sqlite" "$2"
  }
  disk() { echo "$(du -cm "$DATA"/*.sqlite | tail -n 1 | cut -f1) | $(du -cm "$DATA"/*.sqlite-wal 2>/dev/null | tail -n 1 | cut -f1)"; }
  disk_header="database files (MiB) | WAL files (MiB)"
  # (dbstat: Debian's SQLite, which Python uses, has it.)
  plumbing_bytes="SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master
    WHERE tbl_name IN ('outbox', 'outbox_pending', 'inbox', 'idempotency_keys'))"
else
  databases=$(awk -F'\t' '$4 != "-" { sub(".*/", "", $4); print $4 }' "$DATA/topology.tsv" | sort -u)
  count() { psql -qtA "postgres://postgres@127.0.0.1:$PG_PORT/$1" -c "$2"; }
  disk() {
    psql -qtA "postgres://postgres@127.0.0.1:$PG_PORT/postgres" \
      -c "SELECT (sum(pg_database_size(datname)) / 1048576)::bigint FROM pg_database WHERE datname NOT LIKE 'template%'"
  }
  disk_header="PostgreSQL databases (MiB)"
  plumbing_bytes="SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_stat_user_tables
    WHERE relname IN ('outbox', 'inbox', 'idempotency_keys')"
fi
total() {
  local sum=0 database
  for database in $databases; do sum=$((sum + $(count "$database" "$1"))); done
  echo "$sum"
}
