# shellcheck shell=bash disable=SC2153 # port variables are set by resolve_ports
# PostgreSQL for FerretDB's postgresql backend: a cluster of our own (initdb), on loopback, from
# the binaries of Debian's `postgresql` package (installed with apt-get when missing). Not the
# distribution's cluster: its own port (MONGO_PG_PORT, 5439), data directory and socket.
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user the
# package creates, with its data outside root's home (which that user cannot enter):
# /var/lib/pushsync/postgres, or PUSHSYNC_PG_DATA.
#
# Every single-field index FerretDB creates gets a GIN companion, and statements are planned with
# their parameters (ferretdb-index-use.sql), so that FerretDB's filters use indexes at all.
#
# Settings: fsync off (commits still write the WAL to the kernel, so a killed process loses
# nothing; a machine crash may), full_page_writes off, 200 connections. Test infrastructure only.

PG_PATTERN=postgres

pg_bindir() {
  if [[ -n ${PG_BINDIR:-} ]]; then
    printf '%s' "$PG_BINDIR"
    return
  fi
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  printf '%s' "$dir"
}

pg_installed() { [[ -x "$(pg_bindir)/postgres" && -x "$(pg_bindir)/initdb" ]]; }

pg_install() {
  pg_installed && return 0
  # Only the binaries are wanted: no distribution cluster on 5432 started by the package's setup.
  as_root mkdir -p /etc/postgresql-common/createcluster.d
  printf 'create_main_cluster = false\n' | as_root tee /etc/postgresql-common/createcluster.d/pushsync.conf >/dev/null
  apt_install postgresql
  pg_installed || die "mongo: PostgreSQL binaries not found under /usr/lib/postgresql/*/bin after installing (set PG_BINDIR)"
}

pg_data() {
  if [[ -n ${PUSHSYNC_PG_DATA:-} ]]; then
    printf '%s' "$PUSHSYNC_PG_DATA"
  elif ((EUID == 0)); then
    printf '/var/lib/pushsync/postgres'
  else
    printf '%s/postgres' "$(svc_dir mongo)"
  fi
}

pg_pidfile() { printf '%s/postgres.pid' "$(svc_dir mongo)"; }
pg_log() { printf '%s/postgres.log' "$(svc_dir mongo)"; }

# pg_owner: set PG_AS_OWNER, the prefix that runs a command as the cluster's owner. setpriv execs
# in place, so a daemon started through it keeps the pid start_daemon records.
pg_owner() {
  PG_AS_OWNER=()
  ((EUID == 0)) || return 0
  id postgres >/dev/null 2>&1 || die "mongo: no 'postgres' user to run PostgreSQL as (Debian's postgresql package creates it)"
  PG_AS_OWNER=(setpriv --reuid=postgres --regid=postgres --init-groups --reset-env --)
}

pg_running() { pid_alive "$(pg_pidfile)" "$PG_PATTERN" >/dev/null; }

pg_start() {
  pg_running && return 0
  local data bindir
  data=$(pg_data)
  bindir=$(pg_bindir)
  pg_owner
  port_open "$MONGO_PG_PORT" && die "mongo: 127.0.0.1:$MONGO_PG_PORT (PostgreSQL) is already in use by another process (set MONGO_PG_PORT)"
  if [[ ! -f $data/PG_VERSION ]]; then
    mkdir -p "$data"
    ((EUID == 0)) && chown postgres: "$data" && chmod 700 "$data"
    run_logged "$PUSHSYNC_CACHE/logs/postgres-initdb.log" "${PG_AS_OWNER[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8
  fi
  start_daemon "$(pg_pidfile)" "$(pg_log)" "${PG_AS_OWNER[@]}" "$bindir/postgres" -D "$data" -p "$MONGO_PG_PORT" -k "$data" \
    -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB
  info "mongo: started PostgreSQL pid $(cat "$(pg_pidfile)") ($("$bindir/postgres" --version)), data $data, log: $(pg_log)"
  local deadline=$((SECONDS + PUSHSYNC_INFRA_TIMEOUT))
  until port_open "$MONGO_PG_PORT"; do
    pg_running || fail_with_log mongo "$(pg_log)" "PostgreSQL exited before it listened"
    ((SECONDS < deadline)) || fail_with_log mongo "$(pg_log)" "PostgreSQL did not listen on 127.0.0.1:$MONGO_PG_PORT within ${PUSHSYNC_INFRA_TIMEOUT}s"
    sleep 0.2
  done
}

# pg_enable_index_use: make FerretDB's filters use indexes (GIN companions, custom plans); see
# ferretdb-index-use.sql. Idempotent.
pg_enable_index_use() {
  run_logged "$PUSHSYNC_CACHE/logs/postgres-setup.log" "$(pg_bindir)/psql" -v ON_ERROR_STOP=1 -q -X \
    -h 127.0.0.1 -p "$MONGO_PG_PORT" -U postgres -d postgres -f "$INFRA_ROOT/lib/ferretdb-index-use.sql"
}

pg_stop() { stop_pid postgres "$(pg_pidfile)" "$PG_PATTERN"; }

pg_clean() { rm -rf "$(pg_data)"; }
