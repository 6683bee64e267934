# shellcheck shell=bash
# scripts/test-env/process.sh: finding, stopping and cleaning up after an instance's dockerd (sourced by scripts/test-env.sh).

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
