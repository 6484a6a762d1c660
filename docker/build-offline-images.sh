#!/usr/bin/env bash
# Assemble Tandem's integration-test images WITHOUT a container registry, from Debian's binaries.
#
#   docker/build-offline-images.sh [--force] [influxdb] [prometheus] [alertmanager] [jre]
#
# For each component: a rootfs tar with the binary (and its CLI tool), every shared library that
# `ldd` names (plus the dynamic loader), a minimal /etc, a writable /tmp and data directory and a
# minimal config, then `docker import` with CMD/ENTRYPOINT/EXPOSE/WORKDIR/USER. Paths, entrypoints
# and users follow the official images (influxdb:1.8, prom/prometheus, prom/alertmanager), so that
# the tests run the same commands against either (see docker/README.md). "jre" is a Java 17 runtime
# made with jlink from the machine's JDK 17, laid out like eclipse-temurin:17-jre (JAVA_HOME
# /opt/java/openjdk): the base image of docker/Dockerfile when no registry is reachable.
#
# Needs: docker (daemon running), tar, ldd, and Debian's packages
#   influxdb prometheus prometheus-alertmanager, and a JDK 17 with jlink and jmods (Debian's
#   openjdk-17-jdk-headless or Temurin 17; found in $TANDEM_JDK17_HOME, $JAVA_HOME, /usr/lib/jvm)
# Image names (defaults shown) can be overridden:
#   TANDEM_IMAGE_INFLUXDB=tandem/influxdb:debian
#   TANDEM_IMAGE_PROMETHEUS=tandem/prometheus:debian
#   TANDEM_IMAGE_ALERTMANAGER=tandem/alertmanager:debian
#   TANDEM_IMAGE_JRE=tandem/jre:17
# An image that already exists is kept unless --force is given. Idempotent.
set -euo pipefail
shopt -s inherit_errexit

INFLUXDB_IMAGE="${TANDEM_IMAGE_INFLUXDB:-tandem/influxdb:debian}"
PROMETHEUS_IMAGE="${TANDEM_IMAGE_PROMETHEUS:-tandem/prometheus:debian}"
ALERTMANAGER_IMAGE="${TANDEM_IMAGE_ALERTMANAGER:-tandem/alertmanager:debian}"
JRE_IMAGE="${TANDEM_IMAGE_JRE:-tandem/jre:17}"

# Unprivileged users inside the images (the official Prometheus/Alertmanager images run as nobody).
NOBODY_UID=65534
INFLUXDB_UID=999

usage() {
  sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
}

FORCE=0
WANTED=()
for arg in "$@"; do
  case "$arg" in
    --force|-f) FORCE=1 ;;
    -h|--help) usage; exit 0 ;;
    influxdb|prometheus|alertmanager|jre) WANTED+=("$arg") ;;
    *) echo "build-offline-images: unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "${#WANTED[@]}" -eq 0 ]; then
  WANTED=(influxdb prometheus alertmanager jre)
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
  local src="$1" root="$2" dest="$3"
  copy_file "$src" "$root" "$dest"
  copy_libraries "$src" "$root"
}

# copy_libraries FILE ROOT: every library ldd names for FILE (at the same path) and the loader;
# libraries already inside ROOT (a runtime's own, found through LD_LIBRARY_PATH) stay where they are.
copy_libraries() {
  local src="$1" root="$2" ldd_out line lib
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
    case "$lib" in "$root"/*) continue ;; esac
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
recipe() {
  if [ "$1" = jre ]; then
    echo "$SCRIPT_HASH/jre=$(jdk17_version)"
  else
    echo "$SCRIPT_HASH/$1=$(debian_version "$1")"
  fi
}
image_recipe() {
  docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$1" 2>/dev/null |
    sed -n 's/^TANDEM_IMAGE_RECIPE=//p'
}
exists() { docker image inspect "$1" >/dev/null 2>&1; }

# jdk17_home: the first JDK 17 that can jlink (bin/jlink and jmods/java.base.jmod), or failure.
jdk17_home() {
  local c
  for c in "${TANDEM_JDK17_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/temurin-17-jdk* \
      /usr/lib/jvm/*17*; do
    [ -n "$c" ] && [ -x "$c/bin/jlink" ] && [ -f "$c/jmods/java.base.jmod" ] || continue
    grep -q '^JAVA_VERSION="17\.' "$c/release" 2>/dev/null || continue
    echo "$c"
    return 0
  done
  return 1
}
# jdk17_version: e.g. "17.0.15@/usr/lib/jvm/java-17-openjdk-amd64" (no blanks: it goes into ENV), or "none".
jdk17_version() {
  local home
  home="$(jdk17_home)" || { echo none; return 0; }
  echo "$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$home/release")@$home"
}

# The runtime's modules: Java SE plus the JDK modules servers commonly need (Unsafe for Netty and
# protobuf, EC and PKCS#11 crypto for TLS, DNS naming, JFR, management) and the service providers
# jdeps cannot see because they are looked up by name at run time (jdk.random: Java 17's
# RandomGenerator algorithms, which Tandem uses; extra charsets; locale data).
JRE_MODULES=java.se,jdk.unsupported,jdk.random,jdk.charsets,jdk.localedata,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.security.auth,jdk.security.jgss,jdk.management,jdk.management.agent,jdk.jfr,jdk.naming.dns,jdk.zipfs,jdk.net,jdk.httpserver
JRE_HOME_IN_IMAGE=/opt/java/openjdk

build_jre() {
  local image="$JRE_IMAGE" root="$WORK/jre" jdk version lib java_home="$JRE_HOME_IN_IMAGE"
  jdk="$(jdk17_home)" || die "no JDK 17 with jlink and jmods found: apt-get install -y --no-install-recommends openjdk-17-jdk-headless, or set TANDEM_JDK17_HOME"
  version="$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$jdk/release")"
  base_rootfs "$root" nobody "$NOBODY_UID" /nonexistent
  mkdir -p "$root$(dirname "$java_home")"
  "$jdk/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-man-pages --no-header-files \
    --compress=2 --output "$root$java_home"
  # Debian's JDK points at the system's trust store (a symlink into /etc/ssl): copy the file.
  if [ -f /etc/ssl/certs/java/cacerts ]; then
    rm -f "$root$java_home/lib/security/cacerts"
    cp -L /etc/ssl/certs/java/cacerts "$root$java_home/lib/security/cacerts"
  fi
  # LANG=C.UTF-8 needs glibc's C.utf8 locale (in libc-bin); without it Java's default charset is ASCII.
  if [ -d /usr/lib/locale/C.utf8 ]; then
    mkdir -p "$root/usr/lib/locale"
    cp -R /usr/lib/locale/C.utf8 "$root/usr/lib/locale/C.utf8"
  fi
  # The system libraries the launcher and the runtime's own libraries load (libz, libstdc++, libc).
  # libjvm.so is found through the launcher at run time, and through LD_LIBRARY_PATH by ldd here.
  for lib in "$root$java_home/bin/java" $(find "$root$java_home/lib" -name '*.so' | sort); do
    if LD_LIBRARY_PATH="$root$java_home/lib:$root$java_home/lib/server" ldd "$lib" 2>&1 | grep -q 'not found'; then
      # Desktop libraries (X11, sound, fonts) whose system libraries this machine lacks: a
      # headless server never loads them.
      log "jre: leaving out ${lib#"$root"} (it needs libraries not installed here)"
      rm -f "$lib"
      continue
    fi
    LD_LIBRARY_PATH="$root$java_home/lib:$root$java_home/lib/server" copy_libraries "$lib" "$root"
  done
  pack_and_import "$root" "$image" tmp 0 \
    "Tandem offline image: Java $version runtime (jlink) from $jdk" \
    "ENV TANDEM_IMAGE_RECIPE=$(recipe jre)" \
    "ENV JAVA_HOME=$java_home" \
    "ENV PATH=$java_home/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    "ENV LANG=C.UTF-8" \
    'CMD ["java", "-version"]'
  BUILT_FROM="JDK $version ($jdk)"
}

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
  BUILT_FROM="Debian influxdb $version"
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
  BUILT_FROM="Debian prometheus $version"
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
  BUILT_FROM="Debian prometheus-alertmanager $version"
}

SUMMARY=()
for name in "${WANTED[@]}"; do
  case "$name" in
    influxdb) image="$INFLUXDB_IMAGE" package=influxdb ;;
    prometheus) image="$PROMETHEUS_IMAGE" package=prometheus ;;
    alertmanager) image="$ALERTMANAGER_IMAGE" package=prometheus-alertmanager ;;
    jre) image="$JRE_IMAGE" package=jre ;;
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
  log "built $image from $from: ${id:7:12}, $((size / 1024 / 1024)) MiB, $((SECONDS - start)) s"
  SUMMARY+=("built  $image  ($from, ${id:7:12}, $((size / 1024 / 1024)) MiB)")
  rm -rf "${WORK:?}/$name" "${WORK:?}/$name.tar"
done

log "summary:"
for line in "${SUMMARY[@]}"; do echo "  $line"; done
