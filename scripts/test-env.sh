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

# The parts below define functions only (and DOCKER_BIN); main runs them.
readonly PARTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/test-env"
for part in paths docker process packages start commands; do
  # shellcheck source=/dev/null
  source "$PARTS/$part.sh"
done

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
