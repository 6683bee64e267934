#!/usr/bin/env bash
# Prepare and run private Docker Engine instances for collect-bundle tests / CI.
#
#   scripts/test-env.sh up [NAME] [--tcp PORT]   start NAME (default: primary), print export lines
#   scripts/test-env.sh down [NAME | --all]      stop NAME (keeps its data-root / imported image)
#   scripts/test-env.sh status [NAME]            exit 0 if NAME is running and answering
#   scripts/test-env.sh env [NAME]               print export lines for a running NAME
#
# Typical use:   eval "$(scripts/test-env.sh up)"
#
# Only the `export ...` lines go to stdout; all progress and errors go to stderr.
# State lives in ${CB_TEST_ENV_DIR:-/tmp/collect-bundle-test-env}/<NAME>/
# (data/, exec/, docker.sock, docker.pid, dockerd.log, daemon.json, key.json, tcp-port).
set -euo pipefail

readonly IMAGE="cb-busybox:latest"
readonly START_TIMEOUT=60 # seconds to wait for a new dockerd to answer
readonly STOP_TIMEOUT=20  # seconds to wait after SIGTERM before SIGKILL
readonly LOCK_TIMEOUT=900 # seconds to wait for a concurrent up/down (first up may run apt-get)
readonly PROG="test-env.sh"
BASE="${CB_TEST_ENV_DIR:-/tmp/collect-bundle-test-env}"
BASE="${BASE%/}"

export PATH="${PATH:-/usr/bin:/bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}

usage() {
  cat <<'EOF'
usage: scripts/test-env.sh up [NAME] [--tcp PORT]
       scripts/test-env.sh down [NAME | --all]
       scripts/test-env.sh status [NAME]
       scripts/test-env.sh env [NAME]
NAME defaults to "primary". State dir: ${CB_TEST_ENV_DIR:-/tmp/collect-bundle-test-env}/NAME
EOF
}

# --- paths ------------------------------------------------------------------

# set_paths NAME: sets NAME, STATE, DATA, EXEC, SOCK, PIDFILE, LOGFILE, PORTFILE.
set_paths() {
  NAME="$1"
  [[ "$NAME" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$ ]] ||
    die "invalid instance name '$NAME' (use 1-32 chars of [A-Za-z0-9_.-])"
  STATE="$BASE/$NAME"
  DATA="$STATE/data"
  EXEC="$STATE/exec"
  SOCK="$STATE/docker.sock"
  PIDFILE="$STATE/docker.pid"
  LOGFILE="$STATE/dockerd.log"
  PORTFILE="$STATE/tcp-port"
  # containerd puts <exec-root>/containerd/containerd.sock.ttrpc (+31 chars) under the
  # exec-root, and unix socket paths are limited to 107 chars: keep the exec-root short.
  if ((${#EXEC} > 60)); then
    local sum
    sum="$(printf '%s' "$STATE" | cksum | cut -d' ' -f1)"
    EXEC="/tmp/cbte/$NAME-$sum"
  fi
  ((${#SOCK} <= 100)) ||
    die "socket path too long ($SOCK); set CB_TEST_ENV_DIR to a shorter directory"
}

# --- docker helpers -----------------------------------------------------------

DOCKER_BIN="$(command -v docker 2>/dev/null || true)"

dockerd_bin() {
  local p
  for p in "$(command -v dockerd 2>/dev/null || true)" /usr/sbin/dockerd /usr/bin/dockerd; do
    [[ -n "$p" && -x "$p" ]] && {
      printf '%s\n' "$p"
      return 0
    }
  done
  return 1
}

# dk HOST ARGS...: run the docker CLI against HOST, ignoring the caller's docker env.
dk() {
  local host="$1"
  shift
  [[ -n "$DOCKER_BIN" ]] || die "docker CLI not found (install docker.io)"
  env -u DOCKER_HOST -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH \
    -u DOCKER_API_VERSION "$DOCKER_BIN" -H "$host" "$@"
}

# answering HOST: the engine at HOST answers `docker version` within 10 s.
answering() {
  [[ -n "$DOCKER_BIN" ]] || return 1
  timeout 10 env -u DOCKER_HOST -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH \
    -u DOCKER_API_VERSION "$DOCKER_BIN" -H "$1" version --format '{{.Server.Version}}' \
    >/dev/null 2>&1
}

# The DOCKER_HOST that clients should use for the current instance.
client_host() {
  local port
  if [[ -s "$PORTFILE" ]]; then
    port="$(<"$PORTFILE")"
    printf 'tcp://127.0.0.1:%s\n' "$port"
  else
    printf 'unix://%s\n' "$SOCK"
  fi
}

print_env() {
  printf 'export DOCKER_HOST=%q\n' "$(client_host)"
  printf 'export CB_TEST_IMAGE=%q\n' "$IMAGE"
}

# --- process helpers --------------------------------------------------------------

# cmdline_has PID STRING: /proc/PID/cmdline contains STRING.
cmdline_has() {
  local pid="$1" needle="$2" cmd
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"$needle"* ]]
}

# daemon_pid: print the pid of this instance's live dockerd (guards against pid reuse).
# Falls back to looking for a dockerd started with our --pidfile, in case the pidfile
# was deleted under a running daemon (e.g. someone removed the state dir).
daemon_pid() {
  local pid f
  if [[ -s "$PIDFILE" ]]; then
    pid="$(<"$PIDFILE")"
    if [[ "$pid" =~ ^[0-9]+$ && -d "/proc/$pid" ]] && cmdline_has "$pid" "$SOCK"; then
      printf '%s\n' "$pid"
      return 0
    fi
  fi
  while read -r f; do
    pid="${f#/proc/}"
    pid="${pid%/cmdline}"
    [[ "$pid" =~ ^[0-9]+$ && "$pid" != "$$" ]] || continue
    if cmdline_has "$pid" "dockerd " && cmdline_has "$pid" " --pidfile $PIDFILE "; then
      printf '%s\n' "$pid"
      return 0
    fi
  done < <(grep -lsF -- "$PIDFILE" /proc/[0-9]*/cmdline 2>/dev/null || true)
  return 1
}

is_up() {
  daemon_pid >/dev/null && answering "$(client_host)"
}

# wait_gone PID SECONDS: wait until PID has exited.
wait_gone() {
  local pid="$1" ticks=$(($2 * 5))
  while kill -0 "$pid" 2>/dev/null && ((ticks-- > 0)); do
    sleep 0.2
  done
  ! kill -0 "$pid" 2>/dev/null
}

# Best effort clean-up after a dockerd that died or had to be SIGKILLed: its managed
# containerd, containerd shims and container processes can survive it.
reap_leftovers() {
  local pid id f p ctr_sock="$EXEC/containerd/containerd.sock"
  if [[ -d "$DATA/containers" ]]; then
    for id in "$DATA"/containers/*/; do
      id="$(basename "$id")"
      [[ "$id" =~ ^[0-9a-f]{64}$ ]] || continue
      for f in /sys/fs/cgroup/*/docker/"$id"/cgroup.procs /sys/fs/cgroup/docker/"$id"/cgroup.procs \
        /sys/fs/cgroup/system.slice/docker-"$id".scope/cgroup.procs; do
        [[ -r "$f" ]] || continue
        while read -r p; do
          if [[ -n "$p" ]]; then kill -KILL "$p" 2>/dev/null || true; fi
        done <"$f"
      done
    done
  fi
  for f in /proc/[0-9]*/cmdline; do
    pid="${f#/proc/}"
    pid="${pid%/cmdline}"
    if cmdline_has "$pid" "containerd-shim" && cmdline_has "$pid" "$ctr_sock"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  # shims of killed containers leave their sockets in /run/containerd/s/
  for f in "$EXEC"/containerd/daemon/io.containerd.runtime.v2.task/*/*/address; do
    [[ -r "$f" ]] || continue
    p="$(<"$f")"
    p="${p#unix://}"
    if [[ "$p" == /run/containerd/s/* && -S "$p" ]]; then rm -f "$p"; fi
  done
  if [[ -s "$EXEC/containerd/containerd.pid" ]]; then
    pid="$(<"$EXEC/containerd/containerd.pid")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && cmdline_has "$pid" "$EXEC/containerd"; then
      log "stopping leftover containerd (pid $pid) of '$NAME'"
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || true
    fi
  fi
}

# Unmount whatever is still mounted below DIR (deepest first).
unmount_below() {
  local dir="$1" m
  [[ -d "$dir" ]] || return 0
  awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do
      # mountinfo escapes spaces etc. as octal; decode them
      m="$(printf '%b' "$m")"
      umount -l "$m" 2>/dev/null || log "warning: could not unmount $m"
    done
}

clean_exec() {
  unmount_below "$STATE"
  [[ "$EXEC" == "$STATE/exec" ]] || unmount_below "$EXEC"
  rm -rf --one-file-system "$EXEC"
  rm -f "$SOCK" "$PIDFILE"
}

# stop_instance: stop the current instance (if running) and clean its exec-root.
stop_instance() {
  local pid forced=0
  if pid="$(daemon_pid)"; then
    log "stopping dockerd '$NAME' (pid $pid)"
    kill -TERM "$pid" 2>/dev/null ||
      die "cannot signal dockerd '$NAME' (pid $pid); are you root?"
    if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
      log "dockerd '$NAME' still running after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || die "could not kill dockerd '$NAME' (pid $pid)"
      forced=1
    fi
  else
    forced=1 # not running: may have crashed; clean up after it
  fi
  if ((forced)) && [[ -d "$EXEC" ]]; then
    reap_leftovers
  fi
  clean_exec
}

# --- packages -------------------------------------------------------------------

busybox_static_ok() {
  [[ -x /bin/busybox ]] || return 1
  if command -v dpkg-query >/dev/null 2>&1; then
    [[ "$(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null)" == "install ok installed" ]]
  fi
}

ensure_packages() {
  local missing=()
  { dockerd_bin >/dev/null && command -v docker >/dev/null 2>&1; } || missing+=(docker.io)
  busybox_static_ok || missing+=(busybox-static)
  { [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c 'import django' >/dev/null 2>&1; } ||
    missing+=(python3-django)
  # sshd and the ssh client: the ssh:// engine tests (tests/collectors/docker-ssh.test.ts) run a real sshd.
  [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
  ((${#missing[@]} == 0)) && return 0
  if ((EUID != 0)); then
    die "missing ${missing[*]}; install as root: apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  log "installing ${missing[*]} (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update >&2 ||
    die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
    die "apt-get install ${missing[*]} failed"
  dockerd_bin >/dev/null || die "dockerd still not found after installing docker.io"
  DOCKER_BIN="$(command -v docker 2>/dev/null || true)"
  [[ -n "$DOCKER_BIN" ]] || die "docker CLI still not found after installing docker.io"
  [[ -x /bin/busybox ]] || die "/bin/busybox still missing after installing busybox-static"
}

# --- start / image ------------------------------------------------------------------

start_instance() {
  local port="$1" dockerd group pid deadline
  ((EUID == 0)) || die "dockerd '$NAME' is not running and starting it needs root"
  dockerd="$(dockerd_bin)" || die "dockerd not found (install docker.io)"
  stop_instance # cleans stale pidfile / socket / exec-root of a crashed run
  mkdir -p "$DATA" "$EXEC"
  # Own config file: isolates from /etc/docker/daemon.json, and gives each instance its
  # own key (=> own engine ID; the default /etc/docker/key.json would be shared).
  local key="$STATE/key.json"
  key="${key//\\/\\\\}"
  printf '{ "deprecated-key-path": "%s" }\n' "${key//\"/\\\"}" >"$STATE/daemon.json"
  if getent group docker >/dev/null 2>&1; then group=docker; else group=root; fi

  local args=(
    --config-file "$STATE/daemon.json"
    --data-root "$DATA"
    --exec-root "$EXEC"
    --pidfile "$PIDFILE"
    -H "unix://$SOCK"
    --group "$group"
    --iptables=false --ip6tables=false --bridge=none
    --storage-driver=vfs
    # separate namespaces keep instances apart even if they share a system containerd
    --containerd-namespace "cb-$NAME"
    --containerd-plugins-namespace "cb-$NAME-plugins"
    --label "cb-test-env=$NAME"
  )
  if [[ -n "$port" ]]; then
    args+=(-H "tcp://127.0.0.1:$port")
    printf '%s\n' "$port" >"$PORTFILE"
  else
    rm -f "$PORTFILE"
  fi

  printf '==== %s starting dockerd %s\n' "$(date -u +%FT%TZ)" "${args[*]}" >>"$LOGFILE"
  log "starting dockerd '$NAME' (log: $LOGFILE)"
  # Detached: own session, no inherited stdout (eval "$(...)" would hang) or lock fd.
  setsid nohup "$dockerd" "${args[@]}" </dev/null >>"$LOGFILE" 2>&1 9>&- &
  pid=$!

  deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if answering "$(client_host)"; then
      log "dockerd '$NAME' is up ($(client_host))"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null && ! daemon_pid >/dev/null; then
      break
    fi
    sleep 0.25
  done
  {
    printf '%s: error: dockerd %s did not answer on %s; last 40 lines of %s:\n' \
      "$PROG" "$NAME" "$(client_host)" "$LOGFILE"
    tail -n 40 "$LOGFILE"
  } >&2
  stop_instance >/dev/null 2>&1 || true
  if kill -0 "$pid" 2>/dev/null; then # still alive but did not identify itself via pidfile
    kill -KILL "$pid" 2>/dev/null || true
  fi
  exit 1
}

ensure_image() {
  local host tmp a
  host="$(client_host)"
  dk "$host" image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  log "importing $IMAGE into '$NAME'"
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: tmp is local
  trap "rm -rf '$tmp'" EXIT
  mkdir -p "$tmp"/root/{bin,etc,tmp,proc,sys,dev,root}
  chmod 1777 "$tmp/root/tmp"
  cp /bin/busybox "$tmp/root/bin/busybox"
  while read -r a; do
    [[ -n "$a" && "$a" != busybox && ! -e "$tmp/root/bin/$a" ]] || continue
    ln -s busybox "$tmp/root/bin/$a"
  done < <("$tmp/root/bin/busybox" --list)
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$tmp/root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$tmp/root/etc/group"
  tar --numeric-owner --owner=0 --group=0 -C "$tmp/root" -c . |
    dk "$host" import --change 'CMD ["sh"]' - "$IMAGE" >/dev/null ||
    die "docker import of $IMAGE into '$NAME' failed"
  rm -rf "$tmp"
  trap - EXIT
}

# --- commands -----------------------------------------------------------------------

lock() {
  local lockfile="$BASE/.lock"
  mkdir -p "$BASE" || die "cannot create $BASE"
  [[ -e "$lockfile" ]] || : >>"$lockfile" || die "cannot create lock file $lockfile"
  exec 9<"$lockfile" || die "cannot open lock file $lockfile"
  flock -w "$LOCK_TIMEOUT" 9 || die "timed out waiting for lock $BASE/.lock"
}

cmd_up() {
  local port="$1" running_port
  lock
  ensure_packages
  if daemon_pid >/dev/null; then
    running_port="$(cat "$PORTFILE" 2>/dev/null || true)"
    if [[ -n "$port" && "$port" != "$running_port" ]]; then
      die "instance '$NAME' is already running (tcp port: ${running_port:-none}), not on --tcp $port; run 'scripts/test-env.sh down $NAME' first"
    fi
    if ! answering "$(client_host)"; then
      ((EUID == 0)) ||
        die "dockerd '$NAME' is running but not answering on $(client_host) (permission? needs root or the docker group)"
      log "dockerd '$NAME' is running but not answering; restarting it"
      start_instance "${port:-$running_port}"
    fi
  else
    start_instance "$port"
  fi
  ensure_image
  print_env
}

cmd_down() {
  local all="$1" d
  lock
  if ((all)); then
    [[ -d "$BASE" ]] || return 0
    for d in "$BASE"/*/; do
      [[ -d "$d" ]] || continue
      d="$(basename "$d")"
      [[ "$d" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$ ]] || continue
      set_paths "$d"
      stop_instance
    done
  else
    stop_instance
  fi
}

main() {
  local cmd="${1:-}" name="" port="" all=0
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
  -h | --help | help)
    usage
    return 0
    ;;
  up | down | status | env) ;;
  "") usage >&2 && exit 2 ;;
  *) usage >&2 && die "unknown command '$cmd'" ;;
  esac
  while [[ $# -gt 0 ]]; do
    case "$1" in
    --tcp)
      [[ "$cmd" == up ]] || die "--tcp is only valid with 'up'"
      [[ $# -ge 2 ]] || die "--tcp needs a PORT"
      port="$2"
      if ! [[ "$port" =~ ^[0-9]{1,5}$ ]] || ((port < 1 || port > 65535)); then
        die "invalid --tcp port '$port'"
      fi
      shift 2
      ;;
    --tcp=*)
      set -- --tcp "${1#--tcp=}" "${@:2}"
      ;;
    --all)
      [[ "$cmd" == down ]] || die "--all is only valid with 'down'"
      all=1
      shift
      ;;
    -*) die "unknown option '$1'" ;;
    *)
      [[ -z "$name" ]] || die "unexpected argument '$1'"
      name="$1"
      shift
      ;;
    esac
  done
  ((all)) && [[ -n "$name" ]] && die "give either NAME or --all, not both"
  set_paths "${name:-primary}"

  case "$cmd" in
  up) cmd_up "$port" ;;
  down) cmd_down "$all" ;;
  status)
    if is_up; then
      log "'$NAME' is running ($(client_host))"
    else
      log "'$NAME' is not running"
      exit 1
    fi
    ;;
  env)
    is_up || die "instance '$NAME' is not running (run: scripts/test-env.sh up $NAME)"
    print_env
    ;;
  esac
}

main "$@"
