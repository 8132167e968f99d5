#!/usr/bin/env bash
# What `make e2e` needs beyond the control plane: root, kubectl, the node's packages and pause image
# (hack/local-node.sh prepare) and Debian's docker-registry, which serves the image on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "ERROR: make e2e needs root (a real node: network namespaces, mounts, cgroups, iptables)." >&2; exit 1; }
command -v kubectl >/dev/null || { echo "ERROR: make e2e needs kubectl (with its built-in kustomize) on PATH." >&2; exit 1; }
if ! dpkg-query -W -f='${Status}' docker-registry 2>/dev/null | grep -q "install ok installed"; then
  echo "==> [e2e] installing Debian package docker-registry" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 docker-registry >&2
fi
bash hack/local-node.sh prepare >/dev/null
