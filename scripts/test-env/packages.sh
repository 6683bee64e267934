# shellcheck shell=bash
# scripts/test-env/packages.sh: the Debian packages the tests need (docker.io, busybox-static, python3-django, sshd, age, chromium, firefox-esr) (sourced by scripts/test-env.sh).

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
  # sftp-server: uploads to sftp://127.0.0.1 (tests/share) go through a real sshd.
  [[ -x /usr/lib/openssh/sftp-server ]] || missing+=(openssh-sftp-server)
  # age: encrypted bundles are decrypted by the real age command (tests/share).
  command -v age >/dev/null 2>&1 || missing+=(age)
  # chromium: report.html is rendered in a real headless browser (playwright-core, executablePath).
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  # firefox-esr: the same checks of report.html in Firefox (puppeteer-core over WebDriver BiDi).
  [[ -x /usr/bin/firefox-esr ]] || missing+=(firefox-esr)
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
