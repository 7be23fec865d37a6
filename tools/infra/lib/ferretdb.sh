# shellcheck shell=bash disable=SC2153 # port variables are set by resolve_ports
# MongoDB wire protocol: FerretDB 1.x on PostgreSQL (lib/postgres.sh), or with
# FERRETDB_BACKEND=sqlite on its SQLite backend (pure Go, no other server, much slower: see
# tools/infra/README.md).
#
# Built from the Go module with the Go tool: `go install ...@v1.24.x` cannot work (the version
# package embeds build/version/version.txt, which only `go generate` + git produce), so the
# module source is downloaded with `go mod download`, copied to a writable dir, given a
# version.txt and built there. The binary is cached per version.

FERRETDB_VERSION=${FERRETDB_VERSION:-v1.24.2}
FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_BACKEND=${FERRETDB_BACKEND:-postgresql}
MONGO_PATTERN=ferretdb

case $FERRETDB_BACKEND in
  postgresql | sqlite) ;;
  *) die "FERRETDB_BACKEND must be postgresql or sqlite, got '$FERRETDB_BACKEND'" ;;
esac

# Both backends compiled in (earlier builds had SQLite only, hence the suffix).
ferretdb_bin() { printf '%s/ferretdb/ferretdb-%s-pg' "$PUSHSYNC_CACHE" "$FERRETDB_VERSION"; }

mongo_installed() { [[ -x "$(ferretdb_bin)" ]]; }

mongo_install() {
  mongo_installed && return 0
  local bin src dir log="$PUSHSYNC_CACHE/logs/ferretdb-build.log"
  bin=$(ferretdb_bin)
  mkdir -p "${bin%/*}" "${log%/*}"
  : >"$log"
  command -v go >/dev/null 2>&1 ||
    die "mongo: the Go tool is needed to build FerretDB $FERRETDB_VERSION (https://go.dev/dl, or Debian's golang >= 1.21)"
  info "mongo: building FerretDB $FERRETDB_VERSION from the Go module proxy, about a minute on 2 cores (log: $log)"
  # Outside any workspace or module of the caller; pure Go (SQLite is modernc.org/sqlite).
  export GOWORK=off CGO_ENABLED=0 GOFLAGS="-mod=mod ${GOFLAGS:-}"
  src=$(cd "${bin%/*}" && go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" 2>>"$log" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -n $src && -d $src ]] || fail_with_log mongo-install "$log" "go mod download $FERRETDB_MODULE@$FERRETDB_VERSION failed"
  dir=$(mktemp -d "${bin%/*}/src.XXXXXX")
  cp -R "$src/." "$dir/"
  chmod -R u+w "$dir"
  printf '%s\n' "$FERRETDB_VERSION" >"$dir/build/version/version.txt"
  printf 'pushsync-tools-infra\n' >"$dir/build/version/package.txt"
  if ! (cd "$dir" && go build -trimpath -ldflags="-s -w" -o "$bin.tmp" ./cmd/ferretdb) >>"$log" 2>&1; then
    rm -rf "$dir" "$bin.tmp"
    fail_with_log mongo-install "$log" "go build of FerretDB $FERRETDB_VERSION failed"
  fi
  rm -rf "$dir"
  mv -f "$bin.tmp" "$bin"
  ok "mongo: built $("$bin" --version 2>&1 | head -n 1) -> $bin"
}

mongo_running() {
  pid_alive "$(svc_pidfile mongo)" "$MONGO_PATTERN" >/dev/null || return 1
  [[ $FERRETDB_BACKEND == sqlite ]] || pg_running
}

mongo_start() {
  local dir backend
  dir=$(svc_dir mongo)
  mkdir -p "$dir/data" "$dir/state" "$PUSHSYNC_CACHE/logs"
  port_open "$MONGO_PORT" && die "mongo: 127.0.0.1:$MONGO_PORT is already in use by another process (set MONGO_PORT)"
  port_open "$MONGO_DEBUG_PORT" && die "mongo: 127.0.0.1:$MONGO_DEBUG_PORT is already in use by another process (set MONGO_DEBUG_PORT)"
  record_ports mongo
  if [[ $FERRETDB_BACKEND == sqlite ]]; then
    backend=(--handler=sqlite "--sqlite-url=file:$dir/data/")
  else
    pg_install
    pg_start
    pg_enable_index_use
    backend=(--handler=postgresql "--postgresql-url=postgres://postgres@127.0.0.1:$MONGO_PG_PORT/postgres")
  fi
  start_daemon "$(svc_pidfile mongo)" "$(svc_log mongo)" \
    "$(ferretdb_bin)" "${backend[@]}" \
    "--listen-addr=127.0.0.1:$MONGO_PORT" "--debug-addr=127.0.0.1:$MONGO_DEBUG_PORT" \
    "--state-dir=$dir/state" --telemetry=disable --log-level=info
  info "mongo: started pid $(cat "$(svc_pidfile mongo)") (FerretDB $FERRETDB_VERSION, $FERRETDB_BACKEND), log: $(svc_log mongo)"
}

# mongo_hello PORT: send OP_MSG {hello: 1, $db: "admin"} (request id 42) and check the reply
# answers it with ok: 1.0. Pure bash: no driver needed. Works against real MongoDB too.
mongo_hello() {
  local hex
  hex=$(
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    # header: length 52, requestID 42, responseTo 0, opCode 2013 (OP_MSG) | flags 0 | kind 0 |
    # BSON {hello: int32 1, $db: "admin"} (31 bytes)
    # shellcheck disable=SC2016 # $db is the literal field name
    printf '\x34\x00\x00\x00\x2a\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00''\x00\x00\x00\x00\x00''\x1f\x00\x00\x00\x10hello\x00\x01\x00\x00\x00\x02$db\x00\x06\x00\x00\x00admin\x00\x00' >&3
    len=$(with_timeout 3 head -c 4 <&3 | od -An -tu4 --endian=little | tr -d ' \n')
    [[ $len =~ ^[0-9]+$ ]] && ((len > 16 && len < 65536)) || exit 1
    with_timeout 3 head -c $((len - 4)) <&3 | od -An -v -tx1 | tr -d ' \n'
  ) 2>/dev/null || return 1
  # after the length: requestID (4 bytes), responseTo = 42, opCode = 2013; then "ok": 1.0 (double)
  [[ ${hex:8:8} == 2a000000 && ${hex:16:8} == dd070000 && $hex == *016f6b00000000000000f03f* ]]
}

mongo_probe() {
  if [[ ${1:-} != docker ]]; then
    http_get "$MONGO_DEBUG_PORT" /debug/readyz >/dev/null || return 1
  fi
  mongo_hello "$MONGO_PORT"
}

mongo_wait() {
  wait_ready mongo "$(svc_log mongo)" "$(svc_pidfile mongo)" "$MONGO_PATTERN" mongo_probe
  if [[ $FERRETDB_BACKEND == sqlite ]]; then
    ok "mongo: ready on 127.0.0.1:$MONGO_PORT (FerretDB, SQLite files in $(svc_dir mongo)/data)"
  else
    ok "mongo: ready on 127.0.0.1:$MONGO_PORT (FerretDB on PostgreSQL 127.0.0.1:$MONGO_PG_PORT, data in $(pg_data))"
  fi
}

mongo_stop() {
  stop_pid mongo "$(svc_pidfile mongo)" "$MONGO_PATTERN"
  pg_stop
}

mongo_clean() {
  rm -rf "$(svc_dir mongo)/data" "$(svc_dir mongo)/state"
  pg_clean
}
