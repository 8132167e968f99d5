#!/usr/bin/env bash
# Builds (once, cached) the two local base images the Dockerfile's build arguments can point at, so the operator
# image builds with buildah on a machine that reaches no image registry (only Debian's mirror and NuGet):
#   runtime base  runtime-deps equivalent, distroless style: the Debian .debs the NativeAOT executable needs,
#                 unpacked into an empty image, with the non-root `app` user (APP_UID=1654) of the official image.
#   build base    sdk equivalent: Debian bookworm minbase with clang + zlib1g-dev, plus the host's .NET SDK.
# Prints the runtime base's and the build base's references, one a line. Run as root.
# Sourced by hack/image-build.sh for its functions (bah, need_pkgs, ensure_bases); running it does the work.
set -euo pipefail

CACHE_ROOT="${GMSA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gmsa-operator}"
IMAGES="$CACHE_ROOT/images"

step() { echo "==> [image] $*" >&2; }
CURRENT_STEP="start"
fail() { echo "ERROR: image build failed at step '$CURRENT_STEP': $*" >&2; exit 1; }

# buildah with its own storage under the cache, so nothing touches the system's default storage. overlay where the
# kernel has it (the local node's containerd needs it too); vfs otherwise, which costs disk (a full copy of the
# 1 GB build base per layer), not correctness. GMSA_BUILDAH_DRIVER chooses; each driver has its own storage.
default_driver() { grep -qw overlay /proc/filesystems 2>/dev/null && echo overlay || echo vfs; }
BUILDAH_DRIVER="${GMSA_BUILDAH_DRIVER:-$(default_driver)}"
bah() {
  buildah --root "$IMAGES/buildah/$BUILDAH_DRIVER/root" --runroot "$IMAGES/buildah/$BUILDAH_DRIVER/runroot" \
    --storage-driver "$BUILDAH_DRIVER" "$@"
}

apt_updated=0
apt_update() { [ $apt_updated -eq 1 ] || { apt-get update -qq >&2; apt_updated=1; }; }
need_pkgs() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    step "installing Debian packages: ${missing[*]}"
    apt_update
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 \
      "${missing[@]}" >&2
  fi
}

sha() { sha256sum | cut -c1-64; }
image_exists() { bah inspect --type image "$1" >/dev/null 2>&1; }

# Makes image $1 present in the buildah storage from the cached OCI archive $2; fails when there is none.
import_archive() {
  local ref=$1 archive=$2 id
  [ -f "$archive" ] || return 1
  step "importing $ref from $archive"
  id=$(bah pull -q "oci-archive:$archive") || return 1
  bah tag "$id" "$ref"
}

# Saves image $1 as the OCI archive $2 (written aside, then renamed, so a partial archive never counts as cached),
# and deletes the archives of older keys ($3: glob of this image's archives).
save_archive() {
  local ref=$1 archive=$2 glob=$3 old
  step "saving $ref to $archive"
  rm -f "$archive.tmp"
  bah push -q "$ref" "oci-archive:$archive.tmp:$ref" >&2
  mv "$archive.tmp" "$archive"
  for old in $glob; do [ "$old" = "$archive" ] || rm -f "$old"; done
}

# Removes the other tags of a repository from the storage (previous keys).
prune_tags() {
  local repo=$1 keep=$2 t
  for t in $(bah images --format '{{.Name}}:{{.Tag}}' | grep "^$repo:" | grep -v ":$keep\$" || true); do
    bah rmi "$t" >/dev/null 2>&1 || true
  done
}

# ---------------------------------------------------------------------------------------------------------------
# Runtime base. The executable is NativeAOT (no .NET runtime needed) and InvariantGlobalization=true, so no ICU.
# Depends resolved by hand (apt-cache depends): libc6 -> libgcc-s1 -> gcc-12-base; libstdc++6, libssl3 and zlib1g
# -> libc6. Left out on purpose: ca-certificates' openssl/debconf (the bundle is built here from its certificates)
# and tzdata's debconf (maintainer-script only).
RUNTIME_PKGS=(libc6 libgcc-s1 gcc-12-base libstdc++6 libssl3 zlib1g tzdata ca-certificates)
RUNTIME_REPO="localhost/gmsa-operator-runtime-base"

# "pkg=version" for each runtime package, as apt would download it now.
runtime_versions() {
  local out
  # One apt-cache call (each costs about half a second): a "pkg:" line, then its "  Candidate: version".
  out=$(apt-cache policy "${RUNTIME_PKGS[@]}" 2>/dev/null |
    awk '/^[^ ].*:$/ {p = substr($0, 1, length($0) - 1)} /^  Candidate:/ && $2 != "(none)" {print p "=" $2}')
  [ "$(echo "$out" | grep -c =)" -eq ${#RUNTIME_PKGS[@]} ] || return 1
  echo "$out"
}

build_runtime_base() {
  local ref=$1 debs=$2 work=$IMAGES/work/runtime-base
  local rootfs=$work/rootfs deb ctr mnt d
  CURRENT_STEP="runtime base: unpack packages"
  rm -rf "$work"; mkdir -p "$rootfs" "$work/ca"
  for deb in "$debs"/*.deb; do
    case "$(basename "$deb")" in
      ca-certificates_*) dpkg-deb -x "$deb" "$work/ca" ;;
      *) dpkg-deb -x "$deb" "$rootfs"
         # For image scanners, as distroless does: which Debian packages (and versions) the image holds.
         mkdir -p "$rootfs/var/lib/dpkg/status.d"
         dpkg-deb -f "$deb" > "$rootfs/var/lib/dpkg/status.d/$(dpkg-deb -f "$deb" Package)" ;;
    esac
  done
  # Merged /usr, as on an installed bookworm system (the .debs still ship /lib, /lib64).
  for d in bin sbin lib lib64; do
    if [ -d "$rootfs/$d" ] && [ ! -L "$rootfs/$d" ]; then
      mkdir -p "$rootfs/usr/$d"; cp -a "$rootfs/$d/." "$rootfs/usr/$d/"; rm -rf "${rootfs:?}/$d"
    fi
    ln -sfn "usr/$d" "$rootfs/$d"
  done
  rm -rf "$rootfs"/usr/share/{doc,man,info,lintian,locale,gcc}

  CURRENT_STEP="runtime base: CA bundle, users, /tmp"
  # What update-ca-certificates writes with Debian's default configuration (every Mozilla certificate).
  mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/usr/lib/ssl"
  find "$work/ca/usr/share/ca-certificates" -name '*.crt' | LC_ALL=C sort | xargs cat > "$rootfs/etc/ssl/certs/ca-certificates.crt"
  [ -s "$rootfs/etc/ssl/certs/ca-certificates.crt" ] || fail "no certificates in the ca-certificates package"
  ln -sfn /etc/ssl/certs "$rootfs/usr/lib/ssl/certs"          # OpenSSL's default paths (the openssl package's links)
  ln -sfn /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/lib/ssl/cert.pem"
  ln -sfn /usr/share/zoneinfo/Etc/UTC "$rootfs/etc/localtime"
  echo "Etc/UTC" > "$rootfs/etc/timezone"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:1654:1654::/home/app:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\nnogroup:x:65534:\n' > "$rootfs/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
  mkdir -p "$rootfs/tmp" "$rootfs/home/app" "$rootfs/root"
  chmod 1777 "$rootfs/tmp"; chmod 700 "$rootfs/root"
  chown 1654:1654 "$rootfs/home/app"

  CURRENT_STEP="runtime base: commit image"
  ctr=$(bah from scratch)
  mnt=$(bah mount "$ctr")
  cp -a "$rootfs/." "$mnt/"
  bah umount "$ctr" >/dev/null
  bah config --env APP_UID=1654 --user 1654 --workingdir /app \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  bah commit -q --rm "$ctr" "$ref" >/dev/null
  rm -rf "$work"
}

# Sets RUNTIME_KEY and RUNTIME_REF; unless $1 is --key-only, builds or imports the image when the storage lacks it.
ensure_runtime_base() {
  local versions debs ref archive
  CURRENT_STEP="runtime base: resolve Debian package versions"
  need_pkgs apt dpkg
  versions=$(runtime_versions) || { apt_update; versions=$(runtime_versions) || fail "apt has no candidate for: ${RUNTIME_PKGS[*]}"; }
  # Keyed by what makes the image: the code that assembles it, the exact package versions, the architecture.
  RUNTIME_KEY=$({ declare -f build_runtime_base; echo "$versions"; dpkg --print-architecture; } | sha)
  ref="$RUNTIME_REPO:${RUNTIME_KEY:0:12}"
  archive="$IMAGES/runtime-base-$RUNTIME_KEY.oci.tar"
  RUNTIME_REF=$ref
  [ "${1:-}" != "--key-only" ] || return 0
  if image_exists "$ref"; then step "runtime base $ref (cached)"; return; fi
  if import_archive "$ref" "$archive"; then return; fi

  CURRENT_STEP="runtime base: download packages"
  step "building runtime base $ref from $(echo "$versions" | tr '\n' ' ')"
  debs="$IMAGES/work/runtime-debs"
  rm -rf "$debs"; mkdir -p "$debs"
  # shellcheck disable=SC2046
  if ! (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root $versions >&2); then
    # The lists are stale (the mirror moved on): refresh, which changes the versions and so the key.
    [ -z "${RUNTIME_RETRIED:-}" ] || fail "apt-get download $versions failed after apt-get update"
    RUNTIME_RETRIED=1; apt_updated=0; apt_update
    rm -rf "$debs"; mkdir -p "$debs"
    ensure_runtime_base; return
  fi
  build_runtime_base "$ref" "$debs"
  rm -rf "$debs"
  save_archive "$ref" "$archive" "$IMAGES/runtime-base-*.oci.tar"
  prune_tags "$RUNTIME_REPO" "${RUNTIME_KEY:0:12}"
}

# ---------------------------------------------------------------------------------------------------------------
# Build base. `dotnet publish -p:PublishAot=true` needs clang (which pulls binutils for objcopy, libc6-dev and the
# gcc runtime headers), zlib1g-dev, and for the SDK itself libicu72, libssl3 and CA certificates (NuGet over TLS).
BUILD_PKGS=(clang zlib1g-dev libc6-dev binutils ca-certificates libicu72 libssl3)
BUILD_REPO="localhost/gmsa-operator-build-base"
DEBIAN_MIRROR="${GMSA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

host_local_cas() { find /usr/local/share/ca-certificates -name '*.crt' 2>/dev/null | LC_ALL=C sort; }
host_dotnet_root() { dirname "$(readlink -f "$(command -v dotnet)")"; }

build_build_base() {
  local ref=$1 dotnet_root=$2 rootfs=$IMAGES/work/build-base ctr mnt
  CURRENT_STEP="build base: debootstrap bookworm minbase (${BUILD_PKGS[*]})"
  step "debootstrap bookworm minbase + ${BUILD_PKGS[*]} from $DEBIAN_MIRROR (a few minutes the first time)"
  umount_rootfs() { local m; for m in $(awk -v r="$rootfs" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r); do umount -l "$m" || true; done; }
  umount_rootfs; rm -rf "$rootfs"; mkdir -p "$rootfs" "$IMAGES/debootstrap-debs"
  if ! debootstrap --variant=minbase --include="$(IFS=,; echo "${BUILD_PKGS[*]}")" \
      --cache-dir="$IMAGES/debootstrap-debs" bookworm "$rootfs" "$DEBIAN_MIRROR" > "$IMAGES/work/debootstrap.log" 2>&1; then
    umount_rootfs
    tail -n 20 "$IMAGES/work/debootstrap.log" >&2
    [ -f "$rootfs/debootstrap/debootstrap.log" ] && tail -n 20 "$rootfs/debootstrap/debootstrap.log" >&2
    fail "debootstrap failed (full log: $IMAGES/work/debootstrap.log)"
  fi
  umount_rootfs
  [ -x "$rootfs/usr/bin/clang" ] || fail "debootstrap finished but $rootfs/usr/bin/clang is missing"

  CURRENT_STEP="build base: add the .NET SDK from $dotnet_root"
  mkdir -p "$rootfs/usr/share/dotnet"
  cp -a "$dotnet_root/." "$rootfs/usr/share/dotnet/"
  ln -sfn ../share/dotnet/dotnet "$rootfs/usr/bin/dotnet"

  CURRENT_STEP="build base: trust the host's local CA certificates"
  # The build uses the host's network: where the host trusts a local CA (a TLS-inspecting egress proxy, a private
  # NuGet feed), the restore in the build must as well. The runtime base carries Debian's certificates only.
  if [ -n "$(host_local_cas)" ]; then
    cp -a /usr/local/share/ca-certificates/. "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >/dev/null || fail "update-ca-certificates in the build base failed"
  fi
  # Not needed to build: apt lists and caches, documentation, the host's resolver configuration (buildah mounts one).
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old \
    "$rootfs"/usr/share/{doc,man,info,locale}/* "$rootfs"/var/log/* "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"

  CURRENT_STEP="build base: commit image"
  ctr=$(bah from scratch)
  mnt=$(bah mount "$ctr")
  cp -a "$rootfs/." "$mnt/"
  bah umount "$ctr" >/dev/null
  local cfg=(--env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env DOTNET_ROOT=/usr/share/dotnet
    --env DOTNET_CLI_TELEMETRY_OPTOUT=1 --env DOTNET_NOLOGO=1 --env DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
    --env NUGET_XMLDOC_MODE=skip --cmd /bin/bash
    --label org.opencontainers.image.description="gmsa-operator build base (sdk equivalent)")
  # Where the host cannot check certificate revocation online, NuGet's package signature check in the image cannot
  # either: carry the host's setting over (it is part of the key).
  [ -n "${NUGET_CERT_REVOCATION_MODE:-}" ] && cfg+=(--env "NUGET_CERT_REVOCATION_MODE=$NUGET_CERT_REVOCATION_MODE")
  bah config "${cfg[@]}" "$ctr"
  bah commit -q --rm "$ctr" "$ref" >/dev/null
  rm -rf "$rootfs"
}

# Sets BUILD_KEY and BUILD_REF; unless $1 is --key-only, builds or imports the image when the storage lacks it.
ensure_build_base() {
  local sdk dotnet_root ref archive
  CURRENT_STEP="build base: find the host's .NET SDK"
  command -v dotnet >/dev/null || fail "no dotnet on PATH: the build base copies the host's .NET SDK"
  dotnet_root=$(host_dotnet_root)
  sdk=$(dotnet --version) || fail "dotnet --version failed"
  # Keyed by the code that assembles it, the package list and mirror, and the SDK copied in. Debian's point releases
  # do not change the key: delete the archive (and image) to pick them up.
  BUILD_KEY=$({ declare -f build_build_base; echo "${BUILD_PKGS[*]} $DEBIAN_MIRROR"; echo "sdk=$sdk";
    ls "$dotnet_root/shared/Microsoft.NETCore.App" "$dotnet_root/packs" 2>/dev/null; dpkg --print-architecture;
    echo "revocation=${NUGET_CERT_REVOCATION_MODE:-}"; host_local_cas | xargs -r cat; } | sha)
  ref="$BUILD_REPO:${BUILD_KEY:0:12}"
  archive="$IMAGES/build-base-$BUILD_KEY.oci.tar"
  BUILD_REF=$ref
  [ "${1:-}" != "--key-only" ] || return 0
  if image_exists "$ref"; then step "build base $ref (cached)"; return; fi
  if import_archive "$ref" "$archive"; then return; fi
  step "building build base $ref (SDK $sdk from $dotnet_root)"
  need_pkgs debootstrap
  build_build_base "$ref" "$dotnet_root"
  save_archive "$ref" "$archive" "$IMAGES/build-base-*.oci.tar"
  prune_tags "$BUILD_REPO" "${BUILD_KEY:0:12}"
}

# Sets RUNTIME_REF/RUNTIME_KEY and BUILD_REF/BUILD_KEY; --key-only: only those, the images are not needed yet.
ensure_bases() {
  CURRENT_STEP="check prerequisites"
  [ "$(id -u)" -eq 0 ] || fail "run as root (buildah's storage and debootstrap need it)"
  need_pkgs buildah ca-certificates
  mkdir -p "$IMAGES/work"
  ensure_runtime_base "$@"
  ensure_build_base "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  trap 'rc=$?; [ $rc -ne 0 ] && echo "ERROR: image bases failed at step: $CURRENT_STEP (exit $rc)" >&2' EXIT
  ensure_bases
  CURRENT_STEP="done"
  echo "$RUNTIME_REF"
  echo "$BUILD_REF"
fi
