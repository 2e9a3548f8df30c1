#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the MeshAudit test suite.
#
#   scripts/postgres-test-server.sh start   # initdb if needed, start, create db + role, print the URLs
#   scripts/postgres-test-server.sh url     # print the URL lines only
#   scripts/postgres-test-server.sh stop    # stop the cluster (data folder is kept)
#
# Use it as:  eval "$(scripts/postgres-test-server.sh start | grep '^AGENTMESH_TEST_POSTGRES_URL=')"
#             export AGENTMESH_TEST_POSTGRES_URL
#
# Two lines are printed: AGENTMESH_TEST_POSTGRES_URL (the unprivileged role every store test
# uses) and AGENTMESH_TEST_POSTGRES_SUPERUSER_URL (the cluster superuser over TCP; the cluster is
# private and trusts local connections). Only tamper tests use the superuser, to play an attacker
# who can rewrite catalogs (a doctored index); stores never run with it.
#
# The amcheck extension (postgresql-contrib) is created in the test database and its checks are
# granted to the test role, so `audit verify` can run bt_index_check as an ordinary reader.
#
# PostgreSQL refuses to run as root, so when invoked as root every server command runs as the
# `postgres` OS user. Override the defaults with AGENTMESH_PG_DIR, AGENTMESH_PG_PORT,
# AGENTMESH_PG_BIN.
set -euo pipefail

PG_BIN="${AGENTMESH_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_ROOT="${AGENTMESH_PG_DIR:-/tmp/agentmesh-pg}"
PG_PORT="${AGENTMESH_PG_PORT:-54329}"
PG_DATA="$PG_ROOT/data"
PG_SOCKETS="$PG_ROOT/sockets"
PG_LOG="$PG_ROOT/server.log"
DB_NAME="agentmesh_test"
DB_ROLE="agentmesh"
DB_PASSWORD="agentmesh"
URL="postgresql://${DB_ROLE}:${DB_PASSWORD}@127.0.0.1:${PG_PORT}/${DB_NAME}"
SUPERUSER_URL="postgresql://postgres@127.0.0.1:${PG_PORT}/${DB_NAME}"

print_urls() {
    echo "AGENTMESH_TEST_POSTGRES_URL=$URL"
    echo "AGENTMESH_TEST_POSTGRES_SUPERUSER_URL=$SUPERUSER_URL"
}

# Runs a command as the server's OS user.
as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Runs SQL as the cluster superuser over the private socket.
superuser_sql() {
    as_server_user "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKETS" -p "$PG_PORT" -d "${2:-postgres}" -tAc "$1"
}

is_running() {
    [ -f "$PG_DATA/postmaster.pid" ] && as_server_user "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

start() {
    mkdir -p "$PG_ROOT" "$PG_SOCKETS"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_ROOT" "$PG_SOCKETS"; fi
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        echo "initdb: creating a private cluster in $PG_DATA" >&2
        as_server_user "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 \
            --no-locale >"$PG_ROOT/initdb.log" 2>&1 || { cat "$PG_ROOT/initdb.log" >&2; exit 1; }
    fi
    if ! is_running; then
        # fsync stays on: the crash-safety tests rely on the server's normal durability.
        as_server_user "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
            -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_SOCKETS -c max_connections=50" \
            start >&2 || { tail -n 30 "$PG_LOG" >&2; exit 1; }
    fi
    for _ in $(seq 1 60); do
        if as_server_user "$PG_BIN/pg_isready" -q -h "$PG_SOCKETS" -p "$PG_PORT"; then break; fi
        sleep 0.5
    done
    as_server_user "$PG_BIN/pg_isready" -q -h "$PG_SOCKETS" -p "$PG_PORT" || { echo "server did not become ready; see $PG_LOG" >&2; exit 1; }
    if [ "$(superuser_sql "SELECT 1 FROM pg_roles WHERE rolname = '$DB_ROLE'")" != "1" ]; then
        superuser_sql "CREATE ROLE $DB_ROLE LOGIN PASSWORD '$DB_PASSWORD'"
    fi
    if [ "$(superuser_sql "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" != "1" ]; then
        superuser_sql "CREATE DATABASE $DB_NAME OWNER $DB_ROLE"
    fi
    # amcheck is not a trusted extension and its functions are not executable by PUBLIC.
    if [ "$(superuser_sql "SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'" "$DB_NAME")" = "1" ]; then
        superuser_sql "CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA public" "$DB_NAME"
        superuser_sql "GRANT EXECUTE ON FUNCTION public.bt_index_check(regclass, boolean) TO $DB_ROLE" "$DB_NAME"
    else
        echo "amcheck is not available (install postgresql-contrib): audit verify will compare indexes with tables only" >&2
    fi
    # Wait until the test role itself can connect over TCP, which is what the tests use.
    for _ in $(seq 1 60); do
        if PGPASSWORD="$DB_PASSWORD" "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$DB_ROLE" -d "$DB_NAME" -tAc "SELECT 1" >/dev/null 2>&1; then
            print_urls
            return 0
        fi
        sleep 0.5
    done
    echo "role $DB_ROLE cannot connect to $DB_NAME; see $PG_LOG" >&2
    exit 1
}

stop() {
    if is_running; then
        as_server_user "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >&2
    else
        echo "not running" >&2
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) print_urls ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
