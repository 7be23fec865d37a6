# shellcheck shell=bash
# Shared helpers for tools/infra/{up,down,env}. Sourced, never executed.
#
# Layout (both outside the repository):
#   PUSHSYNC_CACHE      downloads and builds, kept across runs   (default ~/.cache/pushsync)
#   PUSHSYNC_INFRA_DIR  runtime state: data dirs, logs, pid files (default $PUSHSYNC_CACHE/run)

INFRA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$INFRA_ROOT/../.." && pwd)
COMPOSE_FILE="$REPO_ROOT/deploy/compose/docker-compose.yml"
COMPOSE_PROJECT=${COMPOSE_PROJECT_NAME:-pushsync}

PUSHSYNC_CACHE=${PUSHSYNC_CACHE:-$HOME/.cache/pushsync}
PUSHSYNC_INFRA_DIR=${PUSHSYNC_INFRA_DIR:-$PUSHSYNC_CACHE/run}
# Seconds to wait for a server to answer after starting it.
PUSHSYNC_INFRA_TIMEOUT=${PUSHSYNC_INFRA_TIMEOUT:-90}
# Seconds to wait after SIGTERM before SIGKILL.
PUSHSYNC_INFRA_STOP_TIMEOUT=${PUSHSYNC_INFRA_STOP_TIMEOUT:-30}
# auto (docker compose when `docker info` works, else native) | native | docker
PUSHSYNC_INFRA_MODE=${PUSHSYNC_INFRA_MODE:-auto}

ALL_SERVICES=(nats kafka mongo)

# Every port the servers use, with its default. Explicit environment values win, then the
# values recorded when the running instance was started, then these defaults.
# (No associative arrays: the docker path should also work with macOS's bash 3.2.)
ALL_PORT_VARS="NATS_PORT NATS_MONITOR_PORT KAFKA_PORT KAFKA_CONTROLLER_PORT MONGO_PORT MONGO_DEBUG_PORT MONGO_PG_PORT"

port_default() {
  case $1 in
    NATS_PORT) echo 4222 ;;
    NATS_MONITOR_PORT) echo 8222 ;;
    KAFKA_PORT) echo 9092 ;;
    KAFKA_CONTROLLER_PORT) echo 9093 ;;
    MONGO_PORT) echo 27017 ;;
    MONGO_DEBUG_PORT) echo 8088 ;;
    MONGO_PG_PORT) echo 5439 ;;
  esac
}

service_ports() {
  case $1 in
    nats) echo "NATS_PORT NATS_MONITOR_PORT" ;;
    kafka) echo "KAFKA_PORT KAFKA_CONTROLLER_PORT" ;;
    mongo) echo "MONGO_PORT MONGO_DEBUG_PORT MONGO_PG_PORT" ;;
  esac
}

# Remember which ports were set explicitly (as _EXPLICIT_<VAR>).
for _v in $ALL_PORT_VARS; do
  if [[ -n ${!_v:-} ]]; then
    [[ ${!_v} =~ ^[0-9]+$ ]] || { echo "infra: $_v must be a port number, got '${!_v}'" >&2; exit 2; }
    printf -v "_EXPLICIT_$_v" '%s' "${!_v}"
  fi
done
unset _v

explicit_port() {
  local name="_EXPLICIT_$1"
  printf '%s' "${!name:-}"
}

MONGO_DB=${MONGO_DB:-pushsync}

# ---------------------------------------------------------------------------------------------
# messages: everything human goes to stderr, so stdout carries only `export` lines.

if [[ -t 2 && -z ${NO_COLOR:-} ]]; then
  _c_info=$'\e[36m' _c_ok=$'\e[32m' _c_err=$'\e[31m' _c_off=$'\e[0m'
else
  _c_info='' _c_ok='' _c_err='' _c_off=''
fi

info() { printf '%s[infra]%s %s\n' "$_c_info" "$_c_off" "$*" >&2; }
ok() { printf '%s[infra]%s %s\n' "$_c_ok" "$_c_off" "$*" >&2; }
warn() { printf '%s[infra] WARNING:%s %s\n' "$_c_err" "$_c_off" "$*" >&2; }
die() {
  printf '%s[infra] ERROR:%s %s\n' "$_c_err" "$_c_off" "$*" >&2
  exit 1
}

# fail_with_log NAME LOGFILE MESSAGE: print the tail of a log and exit non-zero.
fail_with_log() {
  local name=$1 log=$2 msg=$3
  printf '%s[infra] ERROR:%s %s: %s\n' "$_c_err" "$_c_off" "$name" "$msg" >&2
  if [[ -s $log ]]; then
    printf -- '----- last 60 lines of %s -----\n' "$log" >&2
    tail -n 60 "$log" >&2
    printf -- '----- end of %s -----\n' "$log" >&2
  else
    printf '(log %s is empty or missing)\n' "$log" >&2
  fi
  exit 1
}

# ---------------------------------------------------------------------------------------------
# arguments and configuration

# parse_services ARGS...: sets SERVICES to the requested services (default: all), validated.
parse_services() {
  SERVICES=()
  local s
  for s in "$@"; do
    case $s in
      nats | kafka | mongo) ;;
      ferretdb | mongodb) s=mongo ;;
      *) die "unknown service '$s' (expected: ${ALL_SERVICES[*]})" ;;
    esac
    [[ " ${SERVICES[*]} " == *" $s "* ]] || SERVICES+=("$s")
  done
  ((${#SERVICES[@]})) || SERVICES=("${ALL_SERVICES[@]}")
}

svc_dir() { printf '%s/%s' "$PUSHSYNC_INFRA_DIR" "$1"; }
svc_pidfile() { printf '%s/%s/%s.pid' "$PUSHSYNC_INFRA_DIR" "$1" "$1"; }
svc_log() { printf '%s/%s/%s.log' "$PUSHSYNC_INFRA_DIR" "$1" "$1"; }
svc_state() { printf '%s/%s/ports.env' "$PUSHSYNC_INFRA_DIR" "$1"; }

# recorded_port SVC VAR: the value of VAR recorded when SVC was last started (empty if none).
recorded_port() {
  local file key value
  file=$(svc_state "$1")
  [[ -f $file ]] || return 0
  while IFS='=' read -r key value; do
    if [[ $key == "$2" && $value =~ ^[0-9]+$ ]]; then
      printf '%s' "$value"
      return 0
    fi
  done <"$file"
}

# resolve_ports SVC: set the port variables of SVC (explicit env > recorded > default).
resolve_ports() {
  local svc=$1 var value
  for var in $(service_ports "$svc"); do
    value=$(explicit_port "$var")
    [[ -n $value ]] || value=$(recorded_port "$svc" "$var")
    [[ -n $value ]] || value=$(port_default "$var")
    printf -v "$var" '%s' "$value"
    export "${var?}"
  done
}

# record_ports SVC: remember the ports SVC was started with.
record_ports() {
  local svc=$1 var file
  file=$(svc_state "$svc")
  : >"$file"
  for var in $(service_ports "$svc"); do
    printf '%s=%s\n' "$var" "${!var}" >>"$file"
  done
}

# check_explicit_ports SVC: fail when a running SVC uses other ports than explicitly requested.
check_explicit_ports() {
  local svc=$1 var rec want
  for var in $(service_ports "$svc"); do
    want=$(explicit_port "$var")
    [[ -n $want ]] || continue
    rec=$(recorded_port "$svc" "$var")
    if [[ -n $rec && $rec != "$want" ]]; then
      die "$svc is already running with $var=$rec but $var=$want was requested; run 'tools/infra/down $svc' first"
    fi
  done
}

# env_lines SVC: the export lines for SVC (ports must be resolved).
env_lines() {
  case $1 in
    nats) printf 'export NATS_URL=nats://127.0.0.1:%s\n' "$NATS_PORT" ;;
    kafka) printf 'export KAFKA_BROKERS=127.0.0.1:%s\n' "$KAFKA_PORT" ;;
    mongo) printf 'export MONGO_URL=mongodb://127.0.0.1:%s/%s\n' "$MONGO_PORT" "$MONGO_DB" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# docker compose

# use_docker: true when the compose path should be used.
use_docker() {
  case $PUSHSYNC_INFRA_MODE in
    native) return 1 ;;
    docker) return 0 ;;
    auto) ;;
    *) die "PUSHSYNC_INFRA_MODE must be auto, native or docker (got '$PUSHSYNC_INFRA_MODE')" ;;
  esac
  command -v docker >/dev/null 2>&1 || return 1
  with_timeout 15 docker info >/dev/null 2>&1 || return 1
  with_timeout 15 docker compose version >/dev/null 2>&1
}

compose() {
  docker compose -p "$COMPOSE_PROJECT" -f "$COMPOSE_FILE" "$@"
}

# ---------------------------------------------------------------------------------------------
# processes

# with_timeout SECONDS CMD...: coreutils timeout when present (it is not on stock macOS).
with_timeout() {
  local seconds=$1
  shift
  if command -v timeout >/dev/null 2>&1; then
    timeout "$seconds" "$@"
  else
    "$@"
  fi
}

# pid_alive PIDFILE PATTERN: the pid file names a live process whose command line contains
# PATTERN (guards against a recycled pid). Prints the pid.
pid_alive() {
  local pidfile=$1 pattern=$2 pid cmdline
  [[ -f $pidfile ]] || return 1
  read -r pid <"$pidfile" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$pattern"* ]] || return 1
  printf '%s' "$pid"
}

# start_daemon PIDFILE LOG CMD...: start CMD detached (own session, no stdin), output to LOG.
# The previous log is kept as LOG.1.
start_daemon() {
  local pidfile=$1 log=$2
  shift 2
  [[ -f $log ]] && mv -f "$log" "$log.1"
  {
    printf '### %s: started by tools/infra/up\n### %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
  } >"$log"
  # setsid without -f execs in place here (a background job is not a group leader), so $!
  # is the server's pid. The server survives the shell (and Ctrl-C) that started it.
  # fd 9 is the lock of lock_infra: the server must not keep it open.
  setsid "$@" >>"$log" 2>&1 </dev/null 9>&- &
  printf '%s\n' "$!" >"$pidfile"
}

# stop_pid NAME PIDFILE PATTERN: SIGTERM, wait, then SIGKILL. Removes the pid file.
stop_pid() {
  local name=$1 pidfile=$2 pattern=$3 pid waited=0
  if ! pid=$(pid_alive "$pidfile" "$pattern"); then
    rm -f "$pidfile"
    info "$name: not running"
    return 0
  fi
  info "$name: stopping pid $pid (SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= PUSHSYNC_INFRA_STOP_TIMEOUT * 5)); then
      warn "$name: still alive after ${PUSHSYNC_INFRA_STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  rm -f "$pidfile"
  ok "$name: stopped"
}

# ---------------------------------------------------------------------------------------------
# probes (bash only: no client libraries needed)

# port_open PORT
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# http_get PORT PATH: print the body of a 2xx response, fail otherwise.
http_get() {
  local port=$1 path=$2
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 3 "http://127.0.0.1:$port$path" 2>/dev/null
    return
  fi
  local response status
  response=$(
    exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
    with_timeout 3 cat <&3
  ) 2>/dev/null || return 1
  status=${response%%$'\r'*}
  [[ $status =~ ^HTTP/1\.[01]\ 2[0-9][0-9] ]] || return 1
  printf '%s' "${response#*$'\r\n\r\n'}"
}

# wait_ready NAME LOG PIDFILE PATTERN PROBE...: poll PROBE until it succeeds; fail loudly
# (with the log's tail) on timeout or when the process dies.
wait_ready() {
  local name=$1 log=$2 pidfile=$3 pattern=$4
  shift 4
  local deadline=$((SECONDS + PUSHSYNC_INFRA_TIMEOUT))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    if [[ -n $pidfile ]] && ! pid_alive "$pidfile" "$pattern" >/dev/null; then
      fail_with_log "$name" "$log" "the server exited before it answered"
    fi
    sleep 0.3
  done
  local hint=''
  [[ -z $pidfile ]] || hint="; it is left running for inspection, 'tools/infra/down $name' stops it"
  fail_with_log "$name" "$log" "no answer within ${PUSHSYNC_INFRA_TIMEOUT}s (PUSHSYNC_INFRA_TIMEOUT)$hint"
}

# run_logged LOG CMD...: run an install step with its output in LOG; show the tail on failure.
run_logged() {
  local log=$1
  shift
  if ! "$@" >>"$log" 2>&1; then
    fail_with_log "install" "$log" "command failed: $*"
  fi
}

# as_root CMD...: run CMD as root (directly, or through sudo).
as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# apt_install PKG...: apt-get install, refreshing the package lists only if needed.
apt_install() {
  local log="$PUSHSYNC_CACHE/logs/apt.log"
  mkdir -p "${log%/*}"
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
  info "apt-get install $* (log: $log)"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends "$@" >>"$log" 2>&1; then
    info "apt-get install failed; running apt-get update and retrying"
    run_logged "$log" as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    run_logged "$log" as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends "$@"
  fi
}

# lock_infra: serialise concurrent up/down runs on this machine.
lock_infra() {
  mkdir -p "$PUSHSYNC_INFRA_DIR"
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$PUSHSYNC_INFRA_DIR/.lock"
  if ! flock -w 300 9; then
    die "another tools/infra run holds $PUSHSYNC_INFRA_DIR/.lock"
  fi
}
