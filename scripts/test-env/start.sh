# shellcheck shell=bash
# scripts/test-env/start.sh: starting an instance's dockerd and importing the busybox image (sourced by scripts/test-env.sh).

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
