#!/usr/bin/env bash
# Host plumbing of the optional local node (the C# LocalNode starts and stops its processes):
#   local-node.sh prepare                    install containerd/runc/CNI/iptables, build the pause image (cached);
#                                            prints pause_image=… and pause_archive=… on stdout
#   local-node.sh net-up RUN BRIDGE CIDR GW SERVICE_CIDR CNI_NETWORK
#                                            snapshot the sysctls the node changes, create the bridge, keep pod
#                                            traffic on the machine (FORWARD drop, Service CIDR routed to the bridge)
#   local-node.sh teardown RUN               undo everything (idempotent; also run by the watchdog after a crash)
# Root only: a node needs network namespaces, mounts, cgroups and iptables.
set -euo pipefail

CACHE_ROOT="${GMSA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gmsa-operator}"
step() { echo "==> [node] $*" >&2; }
fail() { echo "ERROR: local node: $*" >&2; exit 1; }

# kubelet, kube-proxy and the bridge plugin change these; teardown puts back what was there before.
SYSCTLS=(kernel.panic kernel.panic_on_oops vm.overcommit_memory vm.panic_on_oom net.ipv4.ip_forward
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables kernel.keys.root_maxkeys kernel.keys.root_maxbytes
  net.netfilter.nf_conntrack_max net.netfilter.nf_conntrack_tcp_timeout_established
  net.netfilter.nf_conntrack_tcp_timeout_close_wait)
# Fixed paths kubelet 1.20, containerd 1.6 and libcni write outside the run directory.
FIXED_PATHS=(/var/log/pods /var/log/containers /var/lib/kubelet /var/lib/cni /run/containerd /etc/cni /opt/cni)

need_pkgs() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2
  fi
}

buildah_() { buildah --root "$CACHE_ROOT/buildah/root" --runroot "$CACHE_ROOT/buildah/runroot" --storage-driver vfs "$@"; }

prepare() {
  [ "$(id -u)" -eq 0 ] || fail "the local node needs root (network namespaces, mounts, cgroups, iptables)"
  need_pkgs containerd runc containernetworking-plugins iptables conntrack iproute2 util-linux buildah gcc libc6-dev
  local src key dir archive ref
  src=$(cat <<'EOF'
/* The pod sandbox's placeholder process: sleeps, reaps zombies, exits on SIGTERM/SIGINT. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
static void on_term(int sig) { (void)sig; _exit(0); }
static void on_child(int sig) { (void)sig; while (waitpid(-1, 0, WNOHANG) > 0) {} }
int main(void) {
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  signal(SIGCHLD, on_child);
  for (;;) pause();
}
EOF
)
  key=$( { printf '%s' "$src"; gcc -dumpfullversion; } | sha256sum | cut -c1-12)
  dir="$CACHE_ROOT/images"
  archive="$dir/pause-$key.tar"
  ref="localhost/gmsa-pause:$key"
  if [ ! -s "$archive" ]; then
    step "building the pause image $ref"
    mkdir -p "$dir"
    local work; work=$(mktemp -d)
    printf '%s\n' "$src" >"$work/pause.c"
    gcc -static -Os -s -o "$work/pause" "$work/pause.c"
    local ctr; ctr=$(buildah_ from scratch)
    buildah_ copy --chmod 0755 "$ctr" "$work/pause" /pause >/dev/null
    buildah_ config --entrypoint '["/pause"]' --user 65535:65535 "$ctr"
    buildah_ commit -q --rm "$ctr" "$ref" >/dev/null
    rm -f "$archive.tmp"
    buildah_ push -q "$ref" "docker-archive:$archive.tmp:$ref" >/dev/null
    mv "$archive.tmp" "$archive"
    rm -rf "$work"
  fi
  echo "pause_image=$ref"
  echo "pause_archive=$archive"
}

net_up() {
  local run=$1 bridge=$2 cidr=$3 gw=$4 services=$5 network=$6
  [ -d "$run" ] || fail "run directory $run does not exist"
  local state="$run/host-state"
  : >"$state.tmp"
  for s in "${SYSCTLS[@]}"; do
    v=$(sysctl -n "$s" 2>/dev/null) && printf 'sysctl %s %s\n' "$s" "$(echo "$v" | tr '\t' ' ')" >>"$state.tmp"
  done
  for p in "${FIXED_PATHS[@]}"; do [ -e "$p" ] || printf 'created %s\n' "$p" >>"$state.tmp"; done
  printf 'bridge %s\nservices %s\ncidr %s\nnetwork %s\n' "$bridge" "$services" "$cidr" "$network" >>"$state.tmp"
  mv "$state.tmp" "$state"

  ip link show "$bridge" >/dev/null 2>&1 && fail "bridge $bridge already exists (another local node running? stop it with 'make cluster-down')"
  ip link add "$bridge" type bridge
  ip addr add "$gw/${cidr#*/}" dev "$bridge"
  ip link set "$bridge" up
  # Nothing from the pods leaves the machine; an unknown ClusterIP dies on the bridge instead of the default route.
  iptables -w -I FORWARD 1 -i "$bridge" ! -o "$bridge" -m comment --comment gmsa-local-node -j DROP
  ip route add "$services" dev "$bridge" 2>/dev/null || true
  # Bridged pod-to-pod traffic through a ClusterIP must pass kube-proxy's rules.
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
}

kill_tree_in_cgroups() {
  local root=$1
  for ctl in /sys/fs/cgroup/*/; do
    [ -d "$ctl$root" ] || continue
    find "$ctl$root" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  done
}

remove_cgroups() {
  local root=$1
  for ctl in /sys/fs/cgroup/*/; do
    [ -d "$ctl$root" ] || continue
    find "$ctl$root" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

remove_chains() {
  # kube-proxy's KUBE-* and the portmap plugin's CNI-* chains: jumps first, then the chains themselves.
  local table
  for table in filter nat mangle; do
    iptables -w -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j (KUBE|CNI)-' | grep -vE '^-A (KUBE|CNI)-' \
      | sed 's/^-A /-D /' | while read -r rule; do eval "iptables -w -t $table $rule" 2>/dev/null || true; done
    iptables -w -t "$table" -S 2>/dev/null | awk '/^-N (KUBE|CNI)-/ {print $2}' | while read -r chain; do
      iptables -w -t "$table" -F "$chain" 2>/dev/null || true
    done
    iptables -w -t "$table" -S 2>/dev/null | awk '/^-N (KUBE|CNI)-/ {print $2}' | while read -r chain; do
      iptables -w -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

# libcni caches every attachment's result (and the loopback one beside it); a pod whose sandbox was killed rather
# than torn down by the kubelet (crash, detached stop) never got the CNI DEL that removes them.
remove_cni_results() {
  local network=$1 f id
  [ -n "$network" ] || return 0
  for f in /var/lib/cni/results/"$network"-*; do
    [ -e "$f" ] || continue
    id=${f#/var/lib/cni/results/"$network"-}
    rm -f "$f" "/var/lib/cni/results/cni-loopback-${id%-*}-lo"
  done
}

teardown() {
  local run=$1
  [ -d "$run" ] || exit 0
  # Best effort from here on: one step that finds nothing to undo must not stop the others.
  set +e +o pipefail
  local state="$run/host-state" sock="$run/containerd/containerd.sock"
  step "tearing down the local node in $run"

  # Containers first, while containerd can still stop them cleanly.
  if [ -S "$sock" ] && ctr --address "$sock" version >/dev/null 2>&1; then
    for t in $(ctr --address "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr --address "$sock" -n k8s.io tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true
    done
    for t in $(ctr --address "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
      timeout 10 ctr --address "$sock" -n k8s.io tasks delete -f "$t" >/dev/null 2>&1 || true
    done
    for c in $(ctr --address "$sock" -n k8s.io containers ls -q 2>/dev/null); do
      ctr --address "$sock" -n k8s.io containers delete "$c" >/dev/null 2>&1 || true
    done
  fi
  # Processes recorded by the C# side (kubelet, proxy, scheduler, containerd), then shims and anything in the pods' cgroups.
  if [ -f "$run/pids" ]; then
    while read -r name pid _; do
      [ -n "${pid:-}" ] && kill -0 "$pid" 2>/dev/null && { kill -TERM "$pid" 2>/dev/null || true; }
    done <"$run/pids"
    sleep 1
    while read -r name pid _; do
      [ -n "${pid:-}" ] && kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid" 2>/dev/null || true; }
    done <"$run/pids"
  fi
  pgrep -f "containerd-shim.*-address $sock" | xargs -r kill -9 2>/dev/null || true
  kill_tree_in_cgroups gmsa-node
  sleep 0.5

  # Mounts: container rootfs, netns, kubelet volumes — deepest first.
  for _ in 1 2 3; do
    local mounts
    mounts=$(awk -v r="$run/" 'index($2, r) == 1 {print $2}' /proc/self/mounts | sort -r)
    [ -z "$mounts" ] && break
    for m in $mounts; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  done

  if [ -f "$state" ]; then
    local bridge services
    bridge=$(awk '$1=="bridge" {print $2}' "$state")
    services=$(awk '$1=="services" {print $2}' "$state")
    if [ -n "$bridge" ]; then
      # veth peers of pods whose netns is gone already vanished; delete any left on the bridge, then the bridge.
      for l in $(ip -o link show master "$bridge" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do ip link del "$l" 2>/dev/null || true; done
      ip link del "$bridge" 2>/dev/null || true
      while iptables -w -D FORWARD -i "$bridge" ! -o "$bridge" -m comment --comment gmsa-local-node -j DROP 2>/dev/null; do :; done
      [ -n "$services" ] && ip route del "$services" 2>/dev/null || true
    fi
    remove_chains
    remove_cni_results "$(awk '$1=="network" {print $2}' "$state")"
    conntrack -D -s "$(awk '$1=="cidr" {print $2}' "$state")" >/dev/null 2>&1 || true
    while read -r kind a b; do
      case "$kind" in
        sysctl) sysctl -qw "$a=$b" 2>/dev/null || true ;;
        created) rm -rf "$a" ;;
      esac
    done <"$state"
    rm -f "$state"
  fi
  remove_cgroups gmsa-node
  [ "$(cat /run/gmsa-operator-node 2>/dev/null)" = "$run" ] && rm -f /run/gmsa-operator-node
  step "local node removed"
}

case "${1:-}" in
  prepare) prepare ;;
  net-up) shift; net_up "$@" ;;
  teardown) shift; teardown "$@" ;;
  *) echo "usage: $0 prepare | net-up RUN BRIDGE CIDR GW SERVICE_CIDR CNI_NETWORK | teardown RUN" >&2; exit 2 ;;
esac
