#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL server for the test-suite.
#
#   .ci/postgres.sh start   installs PostgreSQL from Debian's packages when initdb/pg_ctl are
#                           missing, initialises a cluster in a temporary directory, starts it on
#                           127.0.0.1 on a free port and prints the SQLAlchemy URL of a fresh
#                           database as the last line on stdout (logs go to stderr).
#   .ci/postgres.sh stop    stops that server and removes its directory.
#   .ci/postgres.sh url     prints the URL of the running server again.
#
# PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` system user
# (created by Debian's package, or here when missing). The state lives in $NETRUIMTE_PG_DIR
# (default: $TMPDIR/netruimte-ci-postgres), so `stop` finds what `start` made.
#
# Use in CI:
#   export NETRUIMTE_TEST_POSTGRES_URL=$(.ci/postgres.sh start)
#   trap '.ci/postgres.sh stop' EXIT
set -euo pipefail

state_dir="${NETRUIMTE_PG_DIR:-${TMPDIR:-/tmp}/netruimte-ci-postgres}"
db_name="${NETRUIMTE_PG_DB:-netruimte_test}"

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    local found
    if found=$(command -v pg_ctl 2>/dev/null) && command -v initdb >/dev/null 2>&1; then
        dirname "$(readlink -f "$found")"
        return 0
    fi
    # Debian installs the server binaries outside PATH; take the newest major version.
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$found" ] && [ -x "$found/pg_ctl" ] && [ -x "$found/initdb" ]; then
        echo "$found"
        return 0
    fi
    return 1
}

ensure_installed() {
    if bindir=$(find_bindir); then
        return 0
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            log "PostgreSQL is not installed; installing it needs root (apt-get install postgresql)"
            exit 1
        fi
    fi
    log "installing PostgreSQL from Debian's packages"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        postgresql >&2
    # Debian's package starts its own cluster on 5432; this script does not use it.
    bindir=$(find_bindir) || { log "PostgreSQL binaries not found after installing"; exit 1; }
}

# Run a command as the cluster owner (postgres refuses root).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    local py
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
            return 0
        fi
    done
    # No Python: pick a port from the ephemeral range that nothing listens on.
    local port
    for port in $(seq 25432 25532); do
        if ! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    log "no free port found"
    exit 1
}

url_of() {
    # shellcheck disable=SC1091
    . "$state_dir/env"
    echo "postgresql+psycopg://postgres@127.0.0.1:${PORT}/${db_name}"
}

start() {
    if [ -f "$state_dir/env" ]; then
        # shellcheck disable=SC1091
        . "$state_dir/env"
        if as_owner "$BINDIR/pg_ctl" -D "$state_dir/data" status >/dev/null 2>&1; then
            log "already running on port $PORT"
            url_of
            return 0
        fi
        log "removing the stale state in $state_dir"
        rm -rf "$state_dir"
    fi
    ensure_installed
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
    fi
    mkdir -p "$state_dir"
    chmod 755 "$state_dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$state_dir"
    fi
    local port
    port=$(free_port)
    cat >"$state_dir/env" <<ENV
PORT=$port
BINDIR=$bindir
ENV
    log "initialising a cluster in $state_dir/data ($bindir)"
    as_owner "$bindir/initdb" -D "$state_dir/data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync >"$state_dir/initdb.log" 2>&1 || { cat "$state_dir/initdb.log" >&2; exit 1; }
    # Durability is pointless for a throw-away test database; speed is not.
    log "starting on 127.0.0.1:$port"
    as_owner "$bindir/pg_ctl" -D "$state_dir/data" -l "$state_dir/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $state_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >&2 || { cat "$state_dir/server.log" >&2; exit 1; }
    as_owner "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE DATABASE ${db_name}" >&2
    url_of
}

stop() {
    if [ ! -f "$state_dir/env" ]; then
        log "nothing to stop ($state_dir/env not found)"
        return 0
    fi
    # shellcheck disable=SC1091
    . "$state_dir/env"
    as_owner "$BINDIR/pg_ctl" -D "$state_dir/data" -m fast -w stop >&2 || true
    rm -rf "$state_dir"
    log "stopped and removed $state_dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) url_of ;;
    *)
        echo "usage: $0 start|stop|url" >&2
        exit 2
        ;;
esac
