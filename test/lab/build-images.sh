#!/usr/bin/env bash
# Builds the e2e lab images from Debian packages (docs/TESTING.md#lab): mmdebstrap into a directory,
# images/<name>/rootfs/ copied over it, the image's customize step, then `docker import` with the
# image's CMD/ENTRYPOINT/ENV/EXPOSE. Each image is cached by a hash of its build inputs: it is
# tagged <name>:<tag>-h<hash> (the label below holds the hash too), so a rerun with unchanged inputs
# only inspects, and checkouts with different image definitions on one engine keep their own images
# instead of rebuilding each other's tags. The lab (test/lab/run.ts) runs and loads these tags and
# gives them their plain names inside a server's engine. Independent images build in parallel, one
# job per core (dpkg is single-threaded, so more jobs than cores only adds contention).
#   build-images.sh [--force] [NAME...]     NAME: server mariadb nginx app redis client debian pebble,
#                                           or one built only when named (ondemand below)
#   build-images.sh [--force] --all         the default set and every on-demand image
#   build-images.sh --refs [--all|NAME...]  prints "<plain tag> <hashed tag> built|stale" per tag of
#                                           those images (default: the default set), builds nothing
# Env: LAB_BUILD_JOBS (parallel jobs, default nproc), LAB_BUILD_TMP (scratch dir for the rootfs;
# default /dev/shm when it has room: dpkg on tmpfs builds about twice as fast as on disk here).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# Longest first, so the biggest build starts at once and the small ones fill the other slots.
all=(server mariadb app nginx redis client debian pebble)
# Images only some tests need: built when named (test/lab/lab.ts ensureImages(names)) or by --all
# (npm test builds them all beside the unit and real suites), never by default.
ondemand=(mysql-9.7 mariadb-11.8 redis-8.0 valkey-8.1 valkey-9.1 nginx-1.30 nginx-1.22 registry installer-trixie installer-node18)
LABEL=org.stack-wizard.lab.hash

die() { echo "build-images: $*" >&2; exit 1; }
force=0
refs=0
names=()
for a in "$@"; do
  case $a in
    --force) force=1 ;;
    --refs) refs=1 ;;
    --all) names+=("${all[@]}" "${ondemand[@]}") ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) die "unknown option $a" ;;
    *) [ -f "$here/images/$a/image.sh" ] || die "unknown image '$a' (one of: ${all[*]} ${ondemand[*]})"; names+=("$a") ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")

# The tag an image of these inputs carries: <tag>-h<hash> (<name>:h<hash> for an untagged name).
hashed_tag() {
  case ${1##*/} in *:*) echo "$1-h$2" ;; *) echo "$1:h$2" ;; esac
}

[ "$refs" -eq 0 ] || [ "$force" -eq 0 ] || die "--refs builds nothing; --force makes no sense with it"
[ "$refs" -eq 1 ] || command -v mmdebstrap >/dev/null || die "mmdebstrap is missing: bash test/provision/packages.sh installs it"
docker info >/dev/null 2>&1 || die "no Docker engine answers: bash test/provision/dockerd.sh starts one"
[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap root mode, chroot)"

DEBIAN_URI=$("$here/../provision/debian-uri.sh")
export DEBIAN_URI
# What the server image copies from this machine, found at run time (never a fixed path).
if printf '%s\n' "${names[@]}" | grep -qx server; then
  LAB_COMPOSE_PLUGIN=$(bash "$here/../provision/compose-v2.sh")
  LAB_NODE_BIN=$(readlink -f "$(command -v node)")
  LAB_NPM_DIR=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
  [ -f "$LAB_NPM_DIR/package.json" ] || die "cannot find npm's package directory (from $(command -v npm))"
  export LAB_COMPOSE_PLUGIN LAB_NODE_BIN LAB_NPM_DIR
fi

# The hash covers this script, every file of the image's folder (content and mode) and what the
# image declares as extra inputs (versions of things copied from the host).
image_hash() {
  local name=$1
  {
    sha256sum "$here/build-images.sh" | cut -d' ' -f1
    (cd "$here/images/$name" && find . -type f -printf '%m %p\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    if declare -F extra_inputs >/dev/null; then extra_inputs; fi
  } | sha256sum | cut -c1-16
}

up_to_date() {
  local hash=$1 tag
  for tag in "${TAGS[@]}"; do
    [ "$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$(hashed_tag "$tag" "$hash")" 2>/dev/null)" = "$hash" ] || return 1
  done
}

# Sources an image's image.sh (in the caller's subshell) with the defaults it may override.
load_image() {
  SUITE=bookworm
  VARIANT=apt
  PACKAGES=()
  MMDEBSTRAP_ARGS=()
  TAGS=()
  CHANGES=()
  declare -gA TAG_CHANGES=()
  # shellcheck source=/dev/null
  . "$here/images/$1/image.sh"
}

# "<plain tag> <hashed tag>" for each tag of an image; "stale" as a third word when not built.
refs_one() {
  load_image "$1"
  local hash tag state
  hash=$(image_hash "$1")
  state=$(up_to_date "$hash" && echo built || echo stale)
  for tag in "${TAGS[@]}"; do echo "$tag $(hashed_tag "$tag" "$hash") $state"; done
}

build_one() {
  local name=$1 dir="$here/images/$1"
  load_image "$name"
  local hash; hash=$(image_hash "$name")
  if [ "$force" -eq 0 ] && up_to_date "$hash"; then echo "cached ($hash)"; return 0; fi

  local root t0=$SECONDS
  root=$(mktemp -d "$LAB_BUILD_TMP/stack-wizard-lab-$name.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$root'" EXIT
  local include; include=$(IFS=,; echo "${PACKAGES[*]}")
  mmdebstrap --quiet --mode=root --format=directory --variant="$VARIANT" "${MMDEBSTRAP_ARGS[@]}" \
    ${include:+--include="$include"} "$SUITE" "$root" "$DEBIAN_URI"
  local t_deb=$((SECONDS - t0))
  # Documentation is dead weight here (and every byte is copied again by the inner engine's vfs).
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/cache/apt/*.bin
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
  if [ -d "$dir/rootfs" ]; then cp -r --preserve=mode "$dir/rootfs/." "$root/"; fi
  if declare -F customize >/dev/null; then customize "$root"; fi
  local t_cust=$((SECONDS - t0))

  local tag change old htag
  for tag in "${TAGS[@]}"; do
    htag=$(hashed_tag "$tag" "$hash")
    old=$(docker image inspect -f '{{.Id}}' "$htag" 2>/dev/null || true)
    local args=(--change "LABEL $LABEL=$hash" --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
    for change in "${CHANGES[@]}"; do args+=(--change "$change"); done
    if [ -n "${TAG_CHANGES[$tag]:-}" ]; then
      while IFS= read -r change; do [ -n "$change" ] && args+=(--change "$change"); done <<<"${TAG_CHANGES[$tag]}"
    fi
    # Same tar bytes for every tag of one rootfs, so the engine stores the layer once.
    tar --numeric-owner --xattrs -C "$root" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf - . \
      | docker import "${args[@]}" - "$htag" >/dev/null
    # The replaced image (--force), unless a container or another tag still uses it (docker refuses then).
    if [ -n "$old" ]; then docker rmi "$old" >/dev/null 2>&1 || true; fi
  done
  echo "built ($hash): mmdebstrap ${t_deb}s, customize $((t_cust - t_deb))s, import $((SECONDS - t0 - t_cust))s;"
}

if [ -z "${LAB_BUILD_TMP:-}" ]; then
  LAB_BUILD_TMP=/var/tmp
  # Two rootfs at a time, the server's about 0.7 GB: ask for 3 GB free.
  if [ -d /dev/shm ] && [ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt 3000000 ]; then LAB_BUILD_TMP=/dev/shm; fi
fi
export LAB_BUILD_TMP

if [ "$refs" -eq 1 ]; then
  for n in "${all[@]}" "${ondemand[@]}"; do
    if printf '%s\n' "${names[@]}" | grep -qxF "$n"; then (refs_one "$n"); fi
  done
  exit 0
fi

# Nothing to build: no need to wait for another run's builds.
if [ "$force" -eq 0 ]; then
  current=1
  for n in "${names[@]}"; do
    (load_image "$n"; up_to_date "$(image_hash "$n")") || { current=0; break; }
  done
  if [ "$current" -eq 1 ]; then echo "lab images: ${#names[@]} up to date"; exit 0; fi
fi

# One build at a time on this engine (parallel test runs share it): the second finds them cached.
exec 9>"${TMPDIR:-/tmp}/stack-wizard-lab-build.lock"
flock 9

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
jobs_max=${LAB_BUILD_JOBS:-$(nproc)}
start=$(date +%s)
for n in "${all[@]}" "${ondemand[@]}"; do
  printf '%s\n' "${names[@]}" | grep -qxF "$n" || continue
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  (
    set +e
    t0=$(date +%s)
    (set -e; build_one "$n") >"$logs/$n.log" 2>&1
    rc=$?
    echo "$rc $(($(date +%s) - t0))" >"$logs/$n.rc"
  ) &
done
wait

failed=0
for n in "${all[@]}" "${ondemand[@]}"; do
  [ -f "$logs/$n.log" ] || continue
  read -r rc secs <"$logs/$n.rc" || { rc=1; secs='?'; }
  if [ "$rc" -eq 0 ]; then
    echo "lab image $n: $(tail -n 1 "$logs/$n.log") in ${secs}s"
  else
    failed=1
    echo "lab image $n: FAILED after ${secs}s; last lines of its log:" >&2
    tail -n 30 "$logs/$n.log" >&2
  fi
done
echo "lab images: ${#names[@]} checked in $(($(date +%s) - start))s (${jobs_max} parallel jobs)"
exit $failed
