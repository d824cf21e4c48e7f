#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server.
#
#   scripts/with-postgres.sh <command...>
#
# Starts a private cluster in a fresh temp dir (TCP on 127.0.0.1 only, unix
# socket inside the temp dir, durability switched off: tests only), creates the
# database `levelup_test`, exports
#
#   LEVELUP_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:<port>/levelup_test
#
# runs the command, and ALWAYS stops the server and deletes the temp dir
# afterwards. The command's exit code is propagated.
#
# Environment knobs:
#   LEVELUP_NO_INSTALL=1   never apt-get install PostgreSQL (fail instead)
#   LEVELUP_PG_BINDIR=...  use this PostgreSQL bin dir instead of searching
#
# Some functions are only called indirectly (traps, "${RUN_AS[@]}").
# shellcheck disable=SC2317
set -euo pipefail

log() { echo "[postgres] $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ $# -gt 0 ]] || die "usage: $0 <command...>"

# --------------------------------------------------------------------------
# 1. Locate the server binaries (install them when missing).
# --------------------------------------------------------------------------
find_bindir() {
    if [[ -n "${LEVELUP_PG_BINDIR:-}" ]]; then
        [[ -x "$LEVELUP_PG_BINDIR/pg_ctl" ]] && { echo "$LEVELUP_PG_BINDIR"; return 0; }
        return 1
    fi
    local d best="" best_ver=0 ver
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x "$d/pg_ctl" && -x "$d/initdb" ]] || continue
        ver=$(basename "$(dirname "$d")")
        ver=${ver%%.*}
        [[ "$ver" =~ ^[0-9]+$ ]] || continue
        if (( ver > best_ver )); then best_ver=$ver; best=$d; fi
    done
    if [[ -n "$best" ]]; then echo "$best"; return 0; fi
    # Other distributions / macOS: server binaries on PATH.
    local pgctl
    if pgctl=$(command -v pg_ctl 2>/dev/null) && [[ -x "$(dirname "$pgctl")/initdb" ]]; then
        dirname "$pgctl"
        return 0
    fi
    return 1
}

as_root() {
    if [[ $EUID -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        return 1
    fi
}

install_postgres() {
    command -v apt-get >/dev/null 2>&1 || die "PostgreSQL not found and apt-get is unavailable; install a PostgreSQL server"
    as_root true || die "PostgreSQL not found; need root (or passwordless sudo) to apt-get install it"
    log "PostgreSQL server not found; installing it with apt-get (set LEVELUP_NO_INSTALL=1 to prevent)"
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0)
    as_root "${apt[@]}" update >/dev/null
    # Install the cluster manager first and tell it not to create (and start)
    # the default "main" cluster: we only ever use throwaway clusters.
    as_root "${apt[@]}" install --no-install-recommends postgresql-common >/dev/null
    local conf=/etc/postgresql-common/createcluster.conf
    if [[ -f "$conf" ]]; then
        as_root sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*$/create_main_cluster = false/' "$conf" || true
    fi
    as_root "${apt[@]}" install --no-install-recommends postgresql >/dev/null
    log "installed: $(dpkg-query -W -f='${Package} ${Version}' postgresql 2>/dev/null || echo postgresql)"
}

if ! BINDIR=$(find_bindir); then
    [[ -z "${LEVELUP_NO_INSTALL:-}" ]] || die "PostgreSQL server binaries not found and LEVELUP_NO_INSTALL is set"
    install_postgres
    BINDIR=$(find_bindir) || die "PostgreSQL still not found after installing"
fi

# --------------------------------------------------------------------------
# 2. Decide which user runs the server (PostgreSQL refuses to run as root).
# --------------------------------------------------------------------------
PG_USER=$(id -un)
RUN_AS=()
if [[ $EUID -eq 0 ]]; then
    if ! id -u postgres >/dev/null 2>&1; then
        log "creating system user 'postgres'"
        if command -v useradd >/dev/null 2>&1; then
            useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/sh postgres
        else
            adduser --system --group --home /var/lib/postgresql --shell /bin/sh postgres
        fi
    fi
    PG_USER=postgres
    if command -v runuser >/dev/null 2>&1; then
        RUN_AS=(runuser -u postgres --)
    else
        RUN_AS=(su_postgres)
    fi
fi

# Fallback when runuser is missing: su with a properly quoted command line.
su_postgres() {
    local cmd
    printf -v cmd '%q ' "$@"
    su postgres -s /bin/sh -c "$cmd"
}

# Run a command as the server user, from inside the temp dir (the server user
# may not be allowed to read the caller's working directory).
as_pg() {
    (cd "$PGTMP" && "${RUN_AS[@]}" "$@")
}

# --------------------------------------------------------------------------
# 3. Temp dir + cleanup trap.
# --------------------------------------------------------------------------
# Keep the path short (unix socket paths are limited to ~107 bytes) and somewhere
# the postgres user can reach: /tmp, not the caller's $TMPDIR.
PGTMP=$(mktemp -d /tmp/levelup-pg.XXXXXX)
PGDATA_DIR="$PGTMP/data"
PGLOG="$PGTMP/server.log"
STARTED=0

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [[ $STARTED -eq 1 ]]; then
        log "stopping server"
        if ! as_pg "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 30 stop >/dev/null 2>&1; then
            as_pg "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -m immediate -w -t 30 stop >/dev/null 2>&1
        fi
    fi
    rm -rf -- "$PGTMP"
    exit "$rc"
}
on_signal() {
    # 128 + signal number, like a shell killed by that signal.
    exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

if [[ $EUID -eq 0 ]]; then
    chown postgres: "$PGTMP"
fi
chmod 700 "$PGTMP"

# --------------------------------------------------------------------------
# 4. initdb + start.
# --------------------------------------------------------------------------
PG_VERSION=$("$BINDIR/postgres" --version 2>/dev/null | awk '{print $3}')
log "initdb ($BINDIR, PostgreSQL ${PG_VERSION:-?}) in $PGTMP as $PG_USER"
if ! as_pg "$BINDIR/initdb" -D "$PGDATA_DIR" -A trust -U postgres --no-sync \
        -E UTF8 --locale=C >"$PGTMP/initdb.log" 2>&1; then
    cat "$PGTMP/initdb.log" >&2
    die "initdb failed"
fi

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
    else
        echo $(( 20000 + RANDOM % 40000 ))
    fi
}

PORT=""
for attempt in 1 2 3 4 5; do
    PORT=$(free_port)
    log "starting on 127.0.0.1:$PORT"
    if as_pg "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -l "$PGLOG" -w -t 60 \
            -o "-k $PGTMP -p $PORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null; then
        STARTED=1
        break
    fi
    # pg_ctl may have left a half-started postmaster behind (e.g. timeout).
    if [[ -f "$PGDATA_DIR/postmaster.pid" ]]; then
        STARTED=1
        as_pg "$BINDIR/pg_ctl" -D "$PGDATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
        STARTED=0
    fi
    log "start attempt $attempt failed (port taken?); server log:"
    tail -n 20 "$PGLOG" >&2 2>/dev/null || true
done
[[ $STARTED -eq 1 ]] || die "could not start PostgreSQL"

if ! "$BINDIR/createdb" -h 127.0.0.1 -p "$PORT" -U postgres levelup_test; then
    die "createdb levelup_test failed"
fi

export LEVELUP_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/levelup_test"
log "ready: LEVELUP_TEST_POSTGRES_URL=$LEVELUP_TEST_POSTGRES_URL"

# --------------------------------------------------------------------------
# 5. Run the command, propagate its exit code (cleanup runs from the trap).
# --------------------------------------------------------------------------
# The command runs in the foreground (keeps stdin/tty and Ctrl-C semantics: the
# terminal signals the whole process group). A signal sent to this script alone
# is handled once the command has finished; the server is stopped either way.
set +e
"$@"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
    log "command exited with status $rc"
fi
exit "$rc"
