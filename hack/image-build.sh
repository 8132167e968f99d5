#!/usr/bin/env bash
# Usage: hack/image-build.sh REGISTRY/gmsa-operator:TAG [--push]
# Builds the repository's Dockerfile with buildah — no Docker daemon, no image registry: the two base images are the
# local equivalents from hack/image-bases.sh — and with --push pushes it (plain HTTP allowed, e.g. a loopback
# registry). The result is cached by a hash of its inputs, so an unchanged tree is pushed without building.
# Progress on stderr; the image reference on stdout's last line. Run as root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=hack/image-bases.sh
source "$ROOT/hack/image-bases.sh"

usage() { echo "usage: $0 REGISTRY/gmsa-operator:TAG [--push]" >&2; exit 2; }
IMAGE="" PUSH=0
for a in "$@"; do
  case "$a" in
    --push) PUSH=1 ;;
    -h|--help) usage ;;
    -*) echo "ERROR: unknown option $a" >&2; usage ;;
    *) [ -z "$IMAGE" ] || usage; IMAGE=$a ;;
  esac
done
[ -n "$IMAGE" ] || usage
case "$IMAGE" in */*:*) ;; *) echo "ERROR: image '$IMAGE' is not REGISTRY/NAME:TAG" >&2; usage ;; esac

trap 'rc=$?; [ $rc -ne 0 ] && echo "ERROR: image build failed at step: $CURRENT_STEP (exit $rc)" >&2' EXIT
START=$SECONDS
elapsed() { echo "$((SECONDS - START))s"; }

# The bases' keys are part of the image's key; the bases themselves are needed only to build.
ensure_bases --key-only

# Every file the Dockerfile copies from the context (its COPY sources, without build output, as .dockerignore
# says), the Dockerfile, .dockerignore and this script.
CURRENT_STEP="hash the image inputs"
cd "$ROOT"
copy_sources() { awk 'toupper($1) == "COPY" && $2 !~ /^--from/ { for (i = 2; i < NF; i++) if ($i !~ /^--/) print $i }' Dockerfile; }
inputs() {
  local src
  for src in $(copy_sources); do
    [ -e "$src" ] || fail "the Dockerfile copies $src, which does not exist"
    find "$src" \( -name bin -o -name obj \) -prune -o -type f -print
  done
  ls Dockerfile .dockerignore hack/image-build.sh
}
FILES=$(inputs | LC_ALL=C sort -u)
KEY=$({ echo "$FILES" | xargs sha256sum; echo "runtime=$RUNTIME_KEY build=$BUILD_KEY"; } | sha)
CACHE_REF="localhost/gmsa-operator-cache:${KEY:0:12}"
ARCHIVE="$IMAGES/operator-$KEY.oci.tar"

if image_exists "$CACHE_REF"; then
  step "operator image $CACHE_REF (cached, inputs unchanged)"
elif import_archive "$CACHE_REF" "$ARCHIVE"; then
  step "operator image $CACHE_REF (from the cached archive, inputs unchanged)"
else
  ensure_bases
  CURRENT_STEP="buildah bud (NativeAOT publish inside the build base)"
  LOG="$IMAGES/work/operator-build.log"
  step "building $IMAGE from Dockerfile with SDK_IMAGE=$BUILD_REF RUNTIME_IMAGE=$RUNTIME_REF (NativeAOT: several minutes the first time; log: $LOG)"
  # --network host: the restore reaches NuGet; --layers: the restore layer is reused while only sources change;
  # --pull=never: the bases are local, no registry is asked.
  if ! bah bud --network host --layers --force-rm --pull=never \
      --build-arg "SDK_IMAGE=$BUILD_REF" --build-arg "RUNTIME_IMAGE=$RUNTIME_REF" \
      -t "$CACHE_REF" -f Dockerfile . > "$LOG" 2>&1 < /dev/null; then
    tail -n 40 "$LOG" >&2
    echo "ERROR: buildah bud failed (full log: $LOG)" >&2
    exit 1
  fi
  grep -E '^(\[[0-9]+/[0-9]+\] )?STEP [0-9]+/[0-9]+: (FROM|RUN)' "$LOG" | cut -c1-110 | sed 's/^/==> [image]   /' >&2 || true
  step "built in $(elapsed)"
  CURRENT_STEP="save the operator image to the cache"
  save_archive "$CACHE_REF" "$ARCHIVE" "$IMAGES/operator-*.oci.tar"
  prune_tags "localhost/gmsa-operator-cache" "${KEY:0:12}"
fi

CURRENT_STEP="tag $IMAGE"
bah tag "$CACHE_REF" "$IMAGE"
SIZE=$(bah images --format '{{.Size}}' "$CACHE_REF" | sed -n 1p)  # sed, not head: head would end the pipe early (SIGPIPE under pipefail) when the image has several tags
step "image $IMAGE: $SIZE uncompressed, $(du -h "$ARCHIVE" 2>/dev/null | cut -f1 || echo '?') compressed (OCI archive)"

if [ $PUSH -eq 1 ]; then
  CURRENT_STEP="push $IMAGE"
  step "pushing $IMAGE"
  bah push -q --tls-verify=false "$IMAGE" "docker://$IMAGE" >&2 || { echo "ERROR: buildah push to docker://$IMAGE failed" >&2; exit 1; }
fi
CURRENT_STEP="done"
step "done in $(elapsed)"
echo "$IMAGE"
