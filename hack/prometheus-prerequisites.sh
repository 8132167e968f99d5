#!/usr/bin/env bash
# What the alert-rule tests need: Debian's prometheus package (prometheus, and promtool for `promtool test rules`).
# The tests start their own prometheus on loopback; the package's own service must not start, so the install runs
# behind a policy-rc.d that forbids starting services (unless one is already in place, e.g. in containers).
set -euo pipefail
if command -v promtool >/dev/null && command -v prometheus >/dev/null; then exit 0; fi
[ "$(id -u)" -eq 0 ] || { echo "ERROR: promtool/prometheus are missing; install Debian's prometheus package (apt-get install prometheus) or run this as root." >&2; exit 1; }
echo "==> installing Debian package prometheus (promtool, prometheus)" >&2
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# Temporary: keep package installs from starting services.\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 prometheus >&2
# Belt and braces on a systemd host: if the package's service runs after all, stop and disable it.
if [ -d /run/systemd/system ] && systemctl is-active --quiet prometheus 2>/dev/null; then
  systemctl stop prometheus
  systemctl disable --quiet prometheus || true
fi
command -v promtool >/dev/null && command -v prometheus >/dev/null
