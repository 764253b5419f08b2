#!/usr/bin/env bash
# Installs what the tests need and runs them: npm packages, PostgreSQL 15 and Chromium (Debian
# packages, when run as root), a throw-away PostgreSQL server, then type-checking and every test on
# PGlite and on PostgreSQL. Used by the README's quick start and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

log "npm packages"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

APT_UPDATED=""
apt_update() { [ -n "$APT_UPDATED" ] || { apt-get update -qq; APT_UPDATED=1; }; }

PG_BIN=""
find_pg() { for v in 15 16 17 18; do [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ] && { PG_BIN="/usr/lib/postgresql/$v/bin"; return 0; }; done; return 1; }

if [ -z "${LIR_TEST_PG_URL:-}" ]; then
  if ! find_pg; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      log "installing PostgreSQL 15 (Debian package)"
      export DEBIAN_FRONTEND=noninteractive
      apt_update
      apt-get install -y -qq postgresql-15 >/dev/null
      find_pg
    fi
  fi
  if [ -n "$PG_BIN" ]; then
    log "starting a throw-away PostgreSQL server ($PG_BIN)"
    PGDIR="$(mktemp -d /tmp/lir-pg-XXXXXX)"
    PGPORT="${LIR_TEST_PG_PORT:-55432}"
    RUN_AS=()
    if [ "$(id -u)" = "0" ]; then chown postgres "$PGDIR"; RUN_AS=(runuser -u postgres --); fi
    "${RUN_AS[@]}" "$PG_BIN/initdb" -D "$PGDIR/data" -A trust -U postgres --no-sync >/dev/null
    "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
      -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off" start >/dev/null
    trap '"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"' EXIT
    export LIR_TEST_PG_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
  elif [ -n "${CI:-}" ]; then
    echo "CI needs PostgreSQL: run as root so this script can install postgresql-15, or set LIR_TEST_PG_URL" >&2
    exit 1
  else
    echo "warning: no PostgreSQL server found; running the tests on PGlite only (set LIR_TEST_PG_URL or install postgresql-15)" >&2
  fi
fi

# The portal's sign-in test (test/portal/browser-sign-in.test.ts) drives a real Chromium.
CHROMIUM=""
find_chromium() {
  if [ -n "${LIR_CHROMIUM:-}" ] && [ -x "$LIR_CHROMIUM" ]; then CHROMIUM="$LIR_CHROMIUM"; return 0; fi
  CHROMIUM="$(command -v chromium || true)"; [ -n "$CHROMIUM" ]
}
if ! find_chromium; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    log "installing Chromium (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    apt_update
    apt-get install -y -qq chromium >/dev/null
    find_chromium || true
  fi
fi
if [ -n "$CHROMIUM" ]; then
  export LIR_CHROMIUM="$CHROMIUM"
elif [ -n "${CI:-}" ]; then
  echo "CI needs Chromium for the portal's browser test: run as root so this script can install the chromium package, or set LIR_CHROMIUM" >&2
  exit 1
else
  echo "warning: no Chromium found; the portal's browser test will fail (install the chromium package or set LIR_CHROMIUM)" >&2
fi

log "npm audit (reported, not blocking: advisories need a human decision)"
npm audit --omit=dev --audit-level=high || echo "npm audit reported advisories or could not reach the advisory service (see above)"

log "type-check and tests (PGlite${LIR_TEST_PG_URL:+ and PostgreSQL})"
npm run typecheck
REPORT="$(mktemp /tmp/lir-vitest-XXXXXX.json)"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$REPORT" || status=$?
# one plain closing line that any CI reader understands
node -e 'const r=require(process.argv[1]);console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' "$REPORT" || true
rm -f "$REPORT"
exit $status
