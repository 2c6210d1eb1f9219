# Sourced by .ci/run: installs Docker and debootstrap when missing, starts a private dockerd (stopped by an EXIT
# trap), makes the Debian base image both local images start from, builds the local PostgreSQL image the ledger's
# integration tests use (all cached while the daemon's data-root survives), and exports what Testcontainers and
# Maven need: DOCKER_HOST, TESTCONTAINERS_RYUK_DISABLED, TESTCONTAINERS_HOST_OVERRIDE, TORPOR_TEST_POSTGRES_IMAGE,
# and TORPOR_TEST_IMAGE_BASE (the base that the router's ContainerImageIT builds deploy/docker/Dockerfile on, from
# the jar `mvn verify` has just packaged).
# No image registry is reachable here, so the base image comes from debootstrap (Debian's mirror works).
# Work folder: $TORPOR_CI_WORK (default ~/.cache/torpor-ci): socket, data-root, exec-root and the daemon's log.
ci_work="${TORPOR_CI_WORK:-$HOME/.cache/torpor-ci}"
ci_base_image="local/debian:bookworm"
ci_pg_image="local/postgres:15"
ci_t0=$(date +%s)

ci_need=()
command -v dockerd >/dev/null || ci_need+=(docker.io)
command -v debootstrap >/dev/null || ci_need+=(debootstrap)
if ((${#ci_need[@]})); then
  echo "ci: installing ${ci_need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${ci_need[@]}"
fi

mkdir -p "$ci_work/data" "$ci_work/exec"
# The exec-root's socket path must stay short (unix socket paths are limited to 108 bytes).
export DOCKER_HOST="unix://$ci_work/docker.sock"

ci_start_dockerd() {
  local driver=$1
  rm -f "$ci_work/docker.sock" "$ci_work/dockerd.pid"
  dockerd -H "$DOCKER_HOST" --data-root "$ci_work/data" --exec-root "$ci_work/exec" \
    --pidfile "$ci_work/dockerd.pid" --storage-driver "$driver" \
    --iptables=false --ip6tables=false --ip-masq=false --ip 127.0.0.1 \
    >"$ci_work/dockerd.log" 2>&1 &
  ci_dockerd_pid=$!
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$ci_dockerd_pid" 2>/dev/null; then break; fi
    sleep 0.5
  done
  kill "$ci_dockerd_pid" 2>/dev/null || true
  wait "$ci_dockerd_pid" 2>/dev/null || true
  return 1
}

ci_stop_dockerd() {
  if [[ -n "${ci_dockerd_pid:-}" ]] && kill -0 "$ci_dockerd_pid" 2>/dev/null; then
    echo "ci: stopping dockerd ($ci_dockerd_pid)"
    kill "$ci_dockerd_pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$ci_dockerd_pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$ci_dockerd_pid" 2>/dev/null || true
  fi
}
trap ci_stop_dockerd EXIT

# overlay2 when the kernel and the work folder's file system allow it, else vfs (slower, always works).
# The data-root remembers its driver, so a cached folder keeps the one it was made with.
if [[ -d "$ci_work/data/vfs" && ! -d "$ci_work/data/overlay2" ]]; then ci_drivers=(vfs); else ci_drivers=(overlay2 vfs); fi
ci_started=""
for d in "${ci_drivers[@]}"; do
  if ci_start_dockerd "$d"; then ci_started=$d; break; fi
  echo "ci: dockerd did not start with storage driver $d (log: $ci_work/dockerd.log)"
done
if [[ -z "$ci_started" ]]; then
  tail -n 30 "$ci_work/dockerd.log" >&2 || true
  echo "ci: FAILED to start Docker; the PostgreSQL integration tests cannot run" >&2
  exit 1
fi
echo "ci: dockerd up (pid $ci_dockerd_pid, storage $ci_started, DOCKER_HOST=$DOCKER_HOST)"

# The Debian base of every local image (PostgreSQL here, Torpor's own in ContainerImageIT): a minbase debootstrap
# imported as an image, made once and kept with the data-root.
if ! docker image inspect "$ci_base_image" >/dev/null 2>&1; then
  ci_root="$ci_work/rootfs"
  rm -rf "$ci_root"
  echo "ci: debootstrap bookworm (about a minute)"
  debootstrap --variant=minbase bookworm "$ci_root" http://deb.debian.org/debian >"$ci_work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$ci_work/debootstrap.log" >&2; exit 1; }
  tar -C "$ci_root" -c . | docker import - "$ci_base_image" >/dev/null
  rm -rf "$ci_root"
else
  echo "ci: $ci_base_image cached"
fi

if ! docker image inspect "$ci_pg_image" >/dev/null 2>&1; then
  echo "ci: building $ci_pg_image"
  DOCKER_BUILDKIT=0 docker build -q --network host --build-arg BASE="$ci_base_image" -t "$ci_pg_image" .ci/postgres >/dev/null
else
  echo "ci: $ci_pg_image cached"
fi

export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
export TORPOR_TEST_POSTGRES_IMAGE="$ci_pg_image"
# Torpor's image is built by the test itself (the jar exists only once `mvn verify` has packaged it), on this base
# and tagged torpor:<project version>; the build cache keeps its JRE layer, so a rebuild only adds the new jar.
export TORPOR_TEST_IMAGE_BASE="$ci_base_image"
echo "ci: Docker ready in $(( $(date +%s) - ci_t0 )) s"
