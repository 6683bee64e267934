# shellcheck shell=bash
# scripts/test-env/docker.sh: the docker CLI and dockerd binaries, the client host, the export lines (sourced by scripts/test-env.sh).

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
