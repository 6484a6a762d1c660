#!/usr/bin/env bash
# Assemble Tandem's integration-test images WITHOUT a container registry, from Debian's binaries.
#
#   docker/build-offline-images.sh [--force] [influxdb] [prometheus] [alertmanager]
#
# For each component: a rootfs tar with the binary (and its CLI tool), every shared library that
# `ldd` names (plus the dynamic loader), a minimal /etc, a writable /tmp and data directory and a
# minimal config, then `docker import` with CMD/ENTRYPOINT/EXPOSE/WORKDIR/USER. Paths, entrypoints
# and users follow the official images (influxdb:1.8, prom/prometheus, prom/alertmanager), so that
# the tests run the same commands against either (see docker/README.md).
#
# Needs: docker (daemon running), tar, ldd, and Debian's packages
#   influxdb prometheus prometheus-alertmanager
# Image names (defaults shown) can be overridden:
#   TANDEM_IMAGE_INFLUXDB=tandem/influxdb:debian
#   TANDEM_IMAGE_PROMETHEUS=tandem/prometheus:debian
#   TANDEM_IMAGE_ALERTMANAGER=tandem/alertmanager:debian
# An image that already exists is kept unless --force is given. Idempotent.
set -euo pipefail
shopt -s inherit_errexit

INFLUXDB_IMAGE="${TANDEM_IMAGE_INFLUXDB:-tandem/influxdb:debian}"
PROMETHEUS_IMAGE="${TANDEM_IMAGE_PROMETHEUS:-tandem/prometheus:debian}"
ALERTMANAGER_IMAGE="${TANDEM_IMAGE_ALERTMANAGER:-tandem/alertmanager:debian}"

# Unprivileged users inside the images (the official Prometheus/Alertmanager images run as nobody).
NOBODY_UID=65534
INFLUXDB_UID=999

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
}

FORCE=0
WANTED=()
for arg in "$@"; do
  case "$arg" in
    --force|-f) FORCE=1 ;;
    -h|--help) usage; exit 0 ;;
    influxdb|prometheus|alertmanager) WANTED+=("$arg") ;;
    *) echo "build-offline-images: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "${#WANTED[@]}" -eq 0 ]; then
  WANTED=(influxdb prometheus alertmanager)
fi

log() { echo "build-offline-images: $*"; }
die() { echo "build-offline-images: ERROR: $*" >&2; exit 1; }

for tool in docker tar ldd; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (apt-get install docker.io tar libc-bin)"
done
docker info >/dev/null 2>&1 || die "the Docker daemon does not answer ('docker info' fails); start dockerd first"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/tandem-images.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# debian_version PACKAGE -> the installed version, or "unknown" (e.g. binaries not from dpkg).
debian_version() {
  dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown
}

# require_binary PATH PACKAGE
require_binary() {
  [ -x "$1" ] || die "$1 not found: apt-get install -y --no-install-recommends $2"
}

# copy_file SRC ROOT DEST: copy SRC (symlinks resolved) to ROOT/DEST, creating parent directories.
copy_file() {
  local src="$1" root="$2" dest="$3"
  mkdir -p "$root$(dirname "$dest")"
  cp -L --preserve=mode "$src" "$root$dest"
}

# copy_binary SRC ROOT DEST: the binary, every library ldd names (at the same path) and the loader.
copy_binary() {
  local src="$1" root="$2" dest="$3" ldd_out line lib
  copy_file "$src" "$root" "$dest"
  if ! ldd_out="$(ldd "$src" 2>&1)"; then
    # Statically linked binaries need nothing else.
    case "$ldd_out" in
      *"not a dynamic executable"*|*"statically linked"*) return 0 ;;
      *) die "ldd $src failed: $ldd_out" ;;
    esac
  fi
  if grep -q 'not found' <<<"$ldd_out"; then
    die "ldd $src reports missing libraries: $ldd_out"
  fi
  while IFS= read -r line; do
    lib=""
    line="${line#"${line%%[![:space:]]*}"}"                   # strip leading blanks
    case "$line" in
      *"=> /"*) lib="${line#*=> }"; lib="${lib%% (*}" ;;    # libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)
      /*) lib="${line%% (*}" ;;                              # /lib64/ld-linux-x86-64.so.2 (0x...)
    esac
    [ -n "$lib" ] || continue                                # linux-vdso.so.1 has no file
    [ -e "$root$lib" ] || copy_file "$lib" "$root" "$lib"
    # glibc loads NSS modules at run time (user and host look-ups); ldd does not name them.
    if [[ "$(basename "$lib")" == libc.so.* ]]; then
      local nss
      for nss in libnss_files.so.2 libnss_dns.so.2; do
        if [ -e "$(dirname "$lib")/$nss" ] && [ ! -e "$root$(dirname "$lib")/$nss" ]; then
          copy_file "$(dirname "$lib")/$nss" "$root" "$(dirname "$lib")/$nss"
        fi
      done
    fi
  done <<<"$ldd_out"
}

# base_rootfs ROOT SERVICE_USER SERVICE_UID HOME: /etc essentials and a writable /tmp.
base_rootfs() {
  local root="$1" user="$2" uid="$3" home="$4"
  mkdir -p "$root"/{etc,tmp,bin,usr/bin,var/lib}
  chmod 1777 "$root/tmp"
  {
    echo "root:x:0:0:root:/root:/bin/false"
    [ "$uid" = "$NOBODY_UID" ] || echo "$user:x:$uid:$uid:$user:$home:/bin/false"
    echo "nobody:x:$NOBODY_UID:$NOBODY_UID:nobody:/nonexistent:/bin/false"
  } >"$root/etc/passwd"
  {
    echo "root:x:0:"
    [ "$uid" = "$NOBODY_UID" ] || echo "$user:x:$uid:"
    echo "nogroup:x:$NOBODY_UID:"
  } >"$root/etc/group"
  cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group:  files
hosts:  files dns
EOF
  cat >"$root/etc/hosts" <<'EOF'
127.0.0.1 localhost
::1       localhost ip6-localhost ip6-loopback
EOF
  # Docker bind-mounts its own resolv.conf/hosts/hostname over these at run time.
  : >"$root/etc/resolv.conf"
  echo "tandem" >"$root/etc/hostname"
}

# pack_and_import ROOT IMAGE OWNED_DIR OWNER MESSAGE CHANGE...
# Everything in the tar is root-owned except OWNED_DIR (relative to ROOT), which belongs to OWNER.
# Works without root privileges: ownership is set by tar, not by chown.
pack_and_import() {
  local root="$1" image="$2" owned="$3" owner="$4" message="$5"
  shift 5
  local tarball="$WORK/$(basename "$root").tar" old_id="" new_id change_args=() c
  tar -C "$root" --numeric-owner --owner=0 --group=0 --exclude="./$owned" -cf "$tarball" .
  tar -C "$root" --numeric-owner --owner="$owner" --group="$owner" -rf "$tarball" "./$owned"
  for c in "$@"; do change_args+=(--change "$c"); done
  old_id="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
  docker import "${change_args[@]}" --message "$message" "$tarball" "$image" >/dev/null
  new_id="$(docker image inspect --format '{{.Id}}' "$image")"
  # A --force rebuild leaves the previous image untagged: remove it if nothing uses it.
  if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
}

# Each image records the recipe it was built from (this script's hash and the Debian package's
# version) in ENV TANDEM_IMAGE_RECIPE, so that an image left by an older script, or by an older
# package, is rebuilt rather than silently reused.
SCRIPT_HASH="$(sha256sum "$0" | cut -c1-12)"
recipe() { echo "$SCRIPT_HASH/$1=$(debian_version "$1")"; }
image_recipe() {
  docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$1" 2>/dev/null |
    sed -n 's/^TANDEM_IMAGE_RECIPE=//p'
}
exists() { docker image inspect "$1" >/dev/null 2>&1; }

build_influxdb() {
  local image="$INFLUXDB_IMAGE" root="$WORK/influxdb" version
  require_binary /usr/bin/influxd influxdb
  version="$(debian_version influxdb)"
  base_rootfs "$root" influxdb "$INFLUXDB_UID" /var/lib/influxdb
  copy_binary /usr/bin/influxd "$root" /usr/bin/influxd
  mkdir -p "$root/etc/influxdb" "$root/var/lib/influxdb"
  cat >"$root/etc/influxdb/influxdb.conf" <<'EOF'
# Tandem's offline InfluxDB 1.x image (Debian's influxd). HTTP API on :8086, no auth.
reporting-disabled = true
# RPC service for backup/restore: container-local only.
bind-address = "127.0.0.1:8088"

[meta]
  dir = "/var/lib/influxdb/meta"

[data]
  dir = "/var/lib/influxdb/data"
  wal-dir = "/var/lib/influxdb/wal"
  query-log-enabled = false

[monitor]
  # No _internal database: less work for a short-lived test instance.
  store-enabled = false

[http]
  enabled = true
  bind-address = ":8086"
  auth-enabled = false
  log-enabled = false

[logging]
  level = "info"
EOF
  pack_and_import "$root" "$image" var/lib/influxdb "$INFLUXDB_UID" \
    "Tandem offline image: Debian influxdb $version" \
    "ENV TANDEM_IMAGE_RECIPE=$(recipe influxdb)" \
    'ENTRYPOINT ["/usr/bin/influxd"]' \
    'CMD ["-config", "/etc/influxdb/influxdb.conf"]' \
    "ENV INFLUXDB_CONFIG_PATH=/etc/influxdb/influxdb.conf" \
    "EXPOSE 8086" \
    "WORKDIR /var/lib/influxdb" \
    "USER $INFLUXDB_UID:$INFLUXDB_UID"
  BUILT_FROM="influxdb $version"
}

build_prometheus() {
  local image="$PROMETHEUS_IMAGE" root="$WORK/prometheus" version
  require_binary /usr/bin/prometheus prometheus
  require_binary /usr/bin/promtool prometheus
  version="$(debian_version prometheus)"
  base_rootfs "$root" nobody "$NOBODY_UID" /prometheus
  # The official image has /bin/prometheus and /bin/promtool.
  copy_binary /usr/bin/prometheus "$root" /bin/prometheus
  copy_binary /usr/bin/promtool "$root" /bin/promtool
  ln -s /bin/prometheus "$root/usr/bin/prometheus"
  ln -s /bin/promtool "$root/usr/bin/promtool"
  # Debian's build serves its classic web UI from here (the API works without it). Its
  # JavaScript libraries are symlinks into /usr/share/javascript (200+ MiB): left out.
  if [ -d /usr/share/prometheus/web ]; then
    mkdir -p "$root/usr/share/prometheus"
    cp -R --no-dereference /usr/share/prometheus/web "$root/usr/share/prometheus/web"
    find "$root/usr/share/prometheus/web" -type l -delete
  fi
  mkdir -p "$root/etc/prometheus" "$root/prometheus"
  cat >"$root/etc/prometheus/prometheus.yml" <<'EOF'
# Tandem's offline Prometheus image. Tests copy their own file over this one.
# Deliberately no self-scrape: with host networking, "localhost:9090" could be anything.
global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs: []
EOF
  pack_and_import "$root" "$image" prometheus "$NOBODY_UID" \
    "Tandem offline image: Debian prometheus $version" \
    "ENV TANDEM_IMAGE_RECIPE=$(recipe prometheus)" \
    'ENTRYPOINT ["/bin/prometheus"]' \
    'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' \
    "EXPOSE 9090" \
    "WORKDIR /prometheus" \
    "USER $NOBODY_UID:$NOBODY_UID"
  BUILT_FROM="prometheus $version"
}

build_alertmanager() {
  local image="$ALERTMANAGER_IMAGE" root="$WORK/alertmanager" version
  require_binary /usr/bin/prometheus-alertmanager prometheus-alertmanager
  require_binary /usr/bin/amtool prometheus-alertmanager
  version="$(debian_version prometheus-alertmanager)"
  base_rootfs "$root" nobody "$NOBODY_UID" /alertmanager
  # The official image has /bin/alertmanager and /bin/amtool.
  copy_binary /usr/bin/prometheus-alertmanager "$root" /bin/alertmanager
  copy_binary /usr/bin/amtool "$root" /bin/amtool
  ln -s /bin/alertmanager "$root/usr/bin/alertmanager"
  ln -s /bin/amtool "$root/usr/bin/amtool"
  # Debian's build reads its default notification templates (and UI placeholder) from here at
  # start-up; without default.tmpl it exits ("failed to parse templates").
  if [ -d /usr/share/prometheus/alertmanager ]; then
    mkdir -p "$root/usr/share/prometheus"
    cp -R --no-dereference /usr/share/prometheus/alertmanager "$root/usr/share/prometheus/alertmanager"
    find "$root/usr/share/prometheus/alertmanager" \( -type l -o -name '*.sh' \) -delete
  fi
  [ -f "$root/usr/share/prometheus/alertmanager/default.tmpl" ] ||
    die "/usr/share/prometheus/alertmanager/default.tmpl missing (Debian's prometheus-alertmanager ships it)"
  mkdir -p "$root/etc/alertmanager" "$root/etc/amtool" "$root/alertmanager"
  cat >"$root/etc/alertmanager/alertmanager.yml" <<'EOF'
# Tandem's offline Alertmanager image: one route to a receiver that sends nowhere.
# Tests copy their own file over this one.
route:
  receiver: blackhole
  group_by: ['alertname']
receivers:
  - name: blackhole
EOF
  cat >"$root/etc/amtool/config.yml" <<'EOF'
alertmanager.url: http://localhost:9093
EOF
  # --cluster.listen-address= : a single instance; no gossip port, and no need for a private IP.
  pack_and_import "$root" "$image" alertmanager "$NOBODY_UID" \
    "Tandem offline image: Debian prometheus-alertmanager $version" \
    "ENV TANDEM_IMAGE_RECIPE=$(recipe prometheus-alertmanager)" \
    'ENTRYPOINT ["/bin/alertmanager"]' \
    'CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager", "--cluster.listen-address="]' \
    "EXPOSE 9093" \
    "WORKDIR /alertmanager" \
    "USER $NOBODY_UID:$NOBODY_UID"
  BUILT_FROM="prometheus-alertmanager $version"
}

SUMMARY=()
for name in "${WANTED[@]}"; do
  case "$name" in
    influxdb) image="$INFLUXDB_IMAGE" package=influxdb ;;
    prometheus) image="$PROMETHEUS_IMAGE" package=prometheus ;;
    alertmanager) image="$ALERTMANAGER_IMAGE" package=prometheus-alertmanager ;;
  esac
  if exists "$image" && [ "$FORCE" -eq 0 ]; then
    have="$(image_recipe "$image")"
    if [ "$have" = "$(recipe "$package")" ]; then
      log "$image exists: kept (use --force to rebuild)"
      SUMMARY+=("kept   $image")
      continue
    fi
    log "$image exists but was built from another recipe (${have:-none}): rebuilding"
  fi
  start=$SECONDS
  log "building $image ..."
  BUILT_FROM=""
  "build_$name"
  from="$BUILT_FROM"
  size="$(docker image inspect --format '{{.Size}}' "$image")"
  id="$(docker image inspect --format '{{.Id}}' "$image")"
  log "built $image from Debian $from: ${id:7:12}, $((size / 1024 / 1024)) MiB, $((SECONDS - start)) s"
  SUMMARY+=("built  $image  (Debian $from, ${id:7:12}, $((size / 1024 / 1024)) MiB)")
  rm -rf "${WORK:?}/$name" "${WORK:?}/$name.tar"
done

log "summary:"
for line in "${SUMMARY[@]}"; do echo "  $line"; done
