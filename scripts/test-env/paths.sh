# shellcheck shell=bash
# scripts/test-env/paths.sh: an instance's state paths (sourced by scripts/test-env.sh).

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
