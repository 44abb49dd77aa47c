#!/usr/bin/env bash
# Installs (from Debian's packages, if missing) and starts a throwaway PostgreSQL server for the search tests:
# loopback only, its own data directory and port, trust authentication, superuser `rigor`, database `rigor_search`.
# Idempotent: a server already answering is left alone. Works as root (the server then runs as the `postgres` user
# the Debian package creates, because PostgreSQL refuses to run as root) and as an ordinary user.
#
#   RIGOR_TEST_POSTGRES_PORT (54329)  RIGOR_TEST_POSTGRES_DIR (/tmp/rigor-test-postgres-<uid>)
set -euo pipefail
port="${RIGOR_TEST_POSTGRES_PORT:-54329}"
dir="${RIGOR_TEST_POSTGRES_DIR:-/tmp/rigor-test-postgres-$(id -u)}"
data="$dir/data"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
bin="$(find_bin)"
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
    echo "installing Debian package: postgresql"
    sudo_cmd=()
    if [[ $(id -u) != 0 ]]; then sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" apt-get update -qq
    # The package's own cluster is not used; policy-rc.d keeps it from being started in a container.
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends postgresql
    bin="$(find_bin)"
fi
[[ -x "$bin/initdb" ]] || { echo "start-test-postgres: no initdb after installing postgresql" >&2; exit 1; }

as_owner=()
if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    as_owner=(runuser -u postgres --)
fi

mkdir -p "$dir"
# Test suites running in parallel may each start the server: one at a time, the others then find it answering
# (two pg_ctl starts at once left a child that Foundation's Process never reaped, and the test hung).
exec 9>"$dir/start.lock"
flock -w 180 9 || { echo "start-test-postgres: another start held $dir/start.lock for 180 s" >&2; exit 1; }

if "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    exit 0
fi

if [[ $(id -u) == 0 ]]; then chown postgres "$dir"; fi
if [[ ! -f "$data/PG_VERSION" ]]; then
    "${as_owner[@]}" "$bin/initdb" -D "$data" --auth=trust --username=rigor --encoding=UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
fi
# A stale pid file from a killed server would stop pg_ctl.
if [[ -f "$data/postmaster.pid" ]] && ! kill -0 "$(head -1 "$data/postmaster.pid")" 2>/dev/null; then
    rm -f "$data/postmaster.pid"
fi
# 9>&-: the server must not inherit the lock, or it would hold it for as long as it runs.
"${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=100 -c fsync=off" start >/dev/null 9>&- \
    || { echo "start-test-postgres: the server did not start; its log:" >&2; tail -20 "$dir/server.log" >&2; exit 1; }
if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U rigor -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'rigor_search'" | grep -q 1; then
    "$bin/psql" -h 127.0.0.1 -p "$port" -U rigor -d postgres -qc "CREATE DATABASE rigor_search" >/dev/null
fi
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (database rigor_search, user rigor)"
