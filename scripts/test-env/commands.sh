# shellcheck shell=bash
# scripts/test-env/commands.sh: the lock and the up/down commands (sourced by scripts/test-env.sh).

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
