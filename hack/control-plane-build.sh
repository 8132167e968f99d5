#!/usr/bin/env bash
# Builds (once) the local control-plane binaries from Debian's `kubernetes` source package — kube-apiserver and
# kube-controller-manager, plus kubelet, kube-scheduler and kube-proxy for the optional local node (one `make` of
# all five: adding binaries to a finished build later costs a second pass over the tree) — and installs etcd from
# Debian's `etcd-server`. Binaries are cached per version in $GMSA_CACHE_DIR (default ~/.cache/gmsa-operator).
# Prints the directory that holds the binaries and etcd on its last line.
set -euo pipefail

KUBE_VERSION="1.20.2"
DEB_VERSION="1.20.5+really1.20.2"
CACHE_ROOT="${GMSA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gmsa-operator}"
OUT="$CACHE_ROOT/kube-$KUBE_VERSION"

step() { echo "==> [control-plane] $*" >&2; }
fail() { echo "ERROR: control-plane build failed at step '$CURRENT_STEP': $*" >&2; exit 1; }
CURRENT_STEP="start"
trap 'rc=$?; [ $rc -ne 0 ] && echo "ERROR: control-plane build failed at step: $CURRENT_STEP (exit $rc)" >&2' EXIT

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

apt_updated=0
apt_update() { [ $apt_updated -eq 1 ] || { $SUDO apt-get update -qq >&2; apt_updated=1; }; }
need_pkgs() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    apt_update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

# KUBEBUILDER_ASSETS (envtest convention): use kube-apiserver and etcd from there instead of building.
if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  CURRENT_STEP="use KUBEBUILDER_ASSETS"
  [ -x "$KUBEBUILDER_ASSETS/kube-apiserver" ] || fail "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no kube-apiserver"
  [ -x "$KUBEBUILDER_ASSETS/etcd" ] || fail "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no etcd"
  step "using binaries from KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

CURRENT_STEP="install etcd"
need_pkgs etcd-server etcd-client openssl
mkdir -p "$OUT"
ln -sf /usr/bin/etcd "$OUT/etcd"

BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
all_cached() { for b in "${BINARIES[@]}"; do [ -x "$OUT/$b" ] || return 1; done; }
if all_cached; then
  step "cached ${BINARIES[*]} v$KUBE_VERSION in $OUT"
  echo "$OUT"
  exit 0
fi

CURRENT_STEP="install build dependencies (golang-go, rsync, reflect2 1.0.2)"
need_pkgs golang-go rsync golang-github-modern-go-reflect2-dev make ca-certificates dpkg-dev

CURRENT_STEP="enable deb-src for bookworm"
if ! grep -rqs "^Types:.*deb-src" /etc/apt/sources.list.d/ && ! grep -qs "^deb-src" /etc/apt/sources.list; then
  step "adding a deb-src entry for bookworm"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    | $SUDO tee /etc/apt/sources.list.d/gmsa-operator-src.sources >/dev/null
  apt_updated=0
fi
apt_update

WORK="$CACHE_ROOT/build-$KUBE_VERSION"
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"

CURRENT_STEP="download kubernetes source ($DEB_VERSION)"
step "downloading Debian source package kubernetes=$DEB_VERSION"
apt-get source --download-only -qq kubernetes >&2
ORIG=$(ls kubernetes_"$DEB_VERSION".orig.tar.* 2>/dev/null | head -n1 || true)
[ -n "$ORIG" ] || fail "apt did not download kubernetes_$DEB_VERSION.orig.tar.* (got: $(ls))"

CURRENT_STEP="unpack $ORIG"
step "unpacking $ORIG"
mkdir src && tar -xf "$ORIG" -C src --strip-components=1
TREE="$WORK/src"

CURRENT_STEP="replace vendored modern-go/reflect2 with Debian's 1.0.2"
R2=/usr/share/gocode/src/github.com/modern-go/reflect2
[ -d "$R2" ] || fail "$R2 not found (golang-github-modern-go-reflect2-dev)"
rm -rf "$TREE/vendor/github.com/modern-go/reflect2"
cp -rL "$R2" "$TREE/vendor/github.com/modern-go/reflect2"
sed -i 's#^github.com/modern-go/reflect2 v1.0.1#github.com/modern-go/reflect2 v1.0.2#' "$TREE/vendor/modules.txt" || true
sed -i 's#^\(\s*github.com/modern-go/reflect2\) v1.0.1#\1 v1.0.2#' "$TREE/go.mod" || true
sed -i '/^github.com\/modern-go\/reflect2 v1.0.1/d' "$TREE/go.sum" || true

CURRENT_STEP="go build ${BINARIES[*]}"
step "building ${BINARIES[*]} with $(go version) (takes ~6 min on 2 cores)"
mkdir -p "$WORK/.go/src/k8s.io"
ln -s "$TREE" "$WORK/.go/src/k8s.io/kubernetes"
cd "$WORK/.go/src/k8s.io/kubernetes"
export GOPATH="$WORK/.go" GOCACHE="$WORK/.gocache" CGO_ENABLED=0 GOFLAGS="-mod=vendor" GOPROXY=off
export KUBE_GIT_VERSION="v$KUBE_VERSION" KUBE_GIT_TREE_STATE=clean KUBE_GIT_MAJOR=1 KUBE_GIT_MINOR=20
make WHAT="$(printf 'cmd/%s ' "${BINARIES[@]}")" KUBE_BUILD_PLATFORMS=linux/amd64 >&2

CURRENT_STEP="install binaries into cache"
BIN="$TREE/_output/local/bin/linux/amd64"
[ -x "$BIN/kube-apiserver" ] || BIN="$TREE/_output/bin"
for b in "${BINARIES[@]}"; do
  install -m 0755 "$BIN/$b" "$OUT/$b.tmp" && mv "$OUT/$b.tmp" "$OUT/$b"
done
"$OUT/kube-apiserver" --version >&2
cd "$CACHE_ROOT"; rm -rf "$WORK"
CURRENT_STEP="done"
step "cached in $OUT"
echo "$OUT"
