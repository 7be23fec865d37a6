# shellcheck shell=bash disable=SC2153 # port variables are set by resolve_ports
# NATS server with JetStream, from Debian's nats-server package.
#
# The binary is taken from (first match): $NATS_SERVER_BIN, `nats-server` on PATH, or the cache,
# where it is unpacked from the Debian package (`apt-get download` + `dpkg-deb -x`). Unpacking
# rather than `apt-get install` needs no root and does not start the package's systemd unit,
# which on a systemd host would grab port 4222 without JetStream.

NATS_CACHE="$PUSHSYNC_CACHE/nats"
NATS_PATTERN=nats-server

nats_bin() {
  if [[ -n ${NATS_SERVER_BIN:-} ]]; then
    printf '%s' "$NATS_SERVER_BIN"
  elif command -v nats-server >/dev/null 2>&1; then
    command -v nats-server
  elif [[ -x $NATS_CACHE/root/usr/sbin/nats-server ]]; then
    printf '%s' "$NATS_CACHE/root/usr/sbin/nats-server"
  else
    return 1
  fi
}

nats_installed() { nats_bin >/dev/null; }

nats_install() {
  nats_installed && return 0
  local log="$PUSHSYNC_CACHE/logs/nats-install.log" tmp
  mkdir -p "$NATS_CACHE" "${log%/*}"
  : >"$log"
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    die "nats: nats-server not found and no apt-get/dpkg-deb to fetch it: install nats-server >= 2.9 or set NATS_SERVER_BIN"
  fi
  info "nats: fetching Debian package nats-server into $NATS_CACHE (log: $log)"
  tmp=$(mktemp -d "$NATS_CACHE/download.XXXXXX")
  # apt drops to the _apt user for downloads: let it write there.
  chmod 0777 "$tmp"
  if ! (cd "$tmp" && apt-get download nats-server) >>"$log" 2>&1; then
    info "nats: package not in the local lists; running apt-get update and retrying"
    run_logged "$log" as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    (cd "$tmp" && apt-get download nats-server) >>"$log" 2>&1 ||
      fail_with_log nats-install "$log" "apt-get download nats-server failed"
  fi
  rm -rf "$NATS_CACHE/root"
  run_logged "$log" dpkg-deb -x "$tmp"/nats-server_*.deb "$NATS_CACHE/root"
  rm -rf "$tmp"
  "$NATS_CACHE/root/usr/sbin/nats-server" --version >>"$log" 2>&1 ||
    fail_with_log nats-install "$log" "the unpacked nats-server does not run"
  ok "nats: $("$NATS_CACHE/root/usr/sbin/nats-server" --version 2>&1)"
}

nats_version() { "$(nats_bin)" --version 2>&1 | head -n 1; }

nats_running() { pid_alive "$(svc_pidfile nats)" "$NATS_PATTERN" >/dev/null; }

nats_start() {
  local dir
  dir=$(svc_dir nats)
  mkdir -p "$dir/data"
  port_open "$NATS_PORT" && die "nats: 127.0.0.1:$NATS_PORT is already in use by another process (set NATS_PORT)"
  port_open "$NATS_MONITOR_PORT" && die "nats: 127.0.0.1:$NATS_MONITOR_PORT is already in use by another process (set NATS_MONITOR_PORT)"
  record_ports nats
  start_daemon "$(svc_pidfile nats)" "$(svc_log nats)" \
    "$(nats_bin)" -n pushsync-dev -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" \
    -js -sd "$dir/data"
  info "nats: started pid $(cat "$(svc_pidfile nats)") ($(nats_version)), log: $(svc_log nats)"
}

# nats_probe: the client port greets with INFO advertising JetStream, and the monitoring
# endpoint reports healthy with JetStream enabled.
nats_probe() {
  local line
  line=$(
    exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT" || exit 1
    IFS= read -r -t 3 line <&3 || exit 1
    printf '%s' "$line"
  ) 2>/dev/null || return 1
  [[ $line == INFO* && $line == *'"jetstream":true'* ]] || return 1
  http_get "$NATS_MONITOR_PORT" '/healthz?js-enabled-only=true' | grep -q '"ok"'
}

nats_wait() {
  wait_ready nats "$(svc_log nats)" "$(svc_pidfile nats)" "$NATS_PATTERN" nats_probe
  ok "nats: ready on 127.0.0.1:$NATS_PORT (JetStream on, store $(svc_dir nats)/data, monitor http://127.0.0.1:$NATS_MONITOR_PORT)"
}

nats_stop() { stop_pid nats "$(svc_pidfile nats)" "$NATS_PATTERN"; }

nats_clean() { rm -rf "$(svc_dir nats)/data"; }
