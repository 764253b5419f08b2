#!/usr/bin/env bash
# The benchmark suite (bench/suite.ts) on PGlite and on PostgreSQL. Without DATABASE_URL it starts a
# throw-away PostgreSQL server (as scripts/test.sh does) when one is installed; without a server the
# suite runs on PGlite only. Arguments go to the suite:
#   npm run bench                                   # 1,000,000 records, both databases
#   npm run bench -- --records 100000               # smaller
#   npm run bench -- --records 10000000 --db postgres
#   npm run bench -- --steps copy,queries           # some steps only
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=""
find_pg() { for v in 15 16 17 18; do [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ] && { PG_BIN="/usr/lib/postgresql/$v/bin"; return 0; }; done; return 1; }

ARGS=("$@")
wants_pg=1
for ((i = 0; i < ${#ARGS[@]}; i++)); do
  if [ "${ARGS[$i]}" = "--db" ] && [ "${ARGS[$((i + 1))]:-}" = "pglite" ]; then wants_pg=""; fi
done

if [ -z "${DATABASE_URL:-}" ] && [ -n "$wants_pg" ]; then
  if find_pg; then
    printf '\n== starting a throw-away PostgreSQL server (%s)\n' "$PG_BIN"
    PGDIR="$(mktemp -d "${TMPDIR:-/tmp}/lir-bench-pg-XXXXXX")"
    PGPORT="${LIR_BENCH_PG_PORT:-55433}"
    RUN_AS=()
    if [ "$(id -u)" = "0" ]; then chown postgres "$PGDIR"; RUN_AS=(runuser -u postgres --); fi
    "${RUN_AS[@]}" "$PG_BIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
    # default durability settings (fsync on), so the numbers are those of a real server
    "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
      -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1" start >/dev/null
    trap '"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"' EXIT
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
  else
    echo "warning: no PostgreSQL server found (set DATABASE_URL or install postgresql-15); the suite runs on PGlite only" >&2
    ARGS=(--db pglite "${ARGS[@]}")
  fi
fi

npx tsx bench/suite.ts "${ARGS[@]}"
