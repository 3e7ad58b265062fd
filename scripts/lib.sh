# Shared by scripts/run, scripts/test and scripts/bench: install what is missing, then find or
# start Postgres and the AWS emulator. Sourced, not run. Every step checks before it acts, so a
# second run on the same machine installs nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/belfry/target}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
# Incremental builds help an editor loop, not these scripts, and they cost gigabytes.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

MOTO_VERSION=5.2.5
# Seoul has availability zones a to d; the labs Belfry grew from use subnets in a and c.
EMULATOR_REGION=ap-northeast-2

STATE_DIR="${BELFRY_STATE_DIR:-$ROOT/.data}"
mkdir -p "$STATE_DIR"

# Each step with the seconds since the script started, so a slow run shows where it went.
log() { printf '\033[1m==> [%5ss] %s\033[0m\n' "$SECONDS" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Processes this script started, stopped by cleanup on exit or Ctrl-C.
STARTED_PIDS=()
STARTED_PG_DATA=""
cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$STARTED_PG_DATA" ]; then
    log "stopping the Postgres this script started"
    pg_as_owner "$(pg_bin)/pg_ctl" -D "$STARTED_PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_open() { # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

wait_for_http() { # url seconds
  local url=$1 deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# --- Tools ---------------------------------------------------------------------------------

# Runs a `cargo install` of a build tool with a quicker release profile: no LTO, 16 codegen
# units, opt-level 2. The tools run for seconds per build; compiling them is what costs.
install_tool_profile() {
  CARGO_PROFILE_RELEASE_LTO=false \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  CARGO_PROFILE_RELEASE_OPT_LEVEL=${CARGO_PROFILE_RELEASE_OPT_LEVEL:-2} \
  CARGO_PROFILE_RELEASE_DEBUG=false \
    "$@"
}

install_build_tools() {
  command -v cargo >/dev/null || die "Rust is needed: install it with rustup (https://rustup.rs)"
  command -v npm >/dev/null || die "Node.js and npm are needed"
  command -v python3 >/dev/null || die "Python 3 is needed"
  command -v curl >/dev/null || apt_install curl ca-certificates

  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  # wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly.
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[version =""]/, ""); print; exit }' "$ROOT/Cargo.lock")
  [ -n "$want" ] || die "no wasm-bindgen in Cargo.lock"
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
    # Not --locked: its lockfile names a webpki-roots version the registry no longer serves.
    log "installing wasm-bindgen-cli $want"
    install_tool_profile cargo install "wasm-bindgen-cli@$want"
  fi

  # The splitter (tools/wasm-split), built from this repository: installed again whenever
  # its source changes.
  local split_src split_stamp="${CARGO_HOME:-$HOME/.cargo}/bin/.belfry-wasm-split.sum"
  split_src=$(cat "$ROOT"/tools/wasm-split/{Cargo.toml,Cargo.lock} "$ROOT"/tools/wasm-split/src/*.rs | sha256sum)
  if ! command -v belfry-wasm-split >/dev/null || [ "$(cat "$split_stamp" 2>/dev/null)" != "$split_src" ]; then
    log "installing belfry-wasm-split (tools/wasm-split)"
    install_tool_profile cargo install --locked --force --path "$ROOT/tools/wasm-split"
    echo "$split_src" >"$split_stamp"
  fi

  if [ ! -x "$ROOT/end2end/node_modules/.bin/sass" ] ||
     [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    log "installing sass and Playwright from npm"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

install_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    # Debian's build: Playwright's own browser download cannot work without the internet.
    apt_install chromium fonts-noto-cjk
  fi
}

install_moto() {
  local venv="$STATE_DIR/venv"
  if [ ! -x "$venv/bin/moto_server" ] || [ "$("$venv/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" != "$MOTO_VERSION" ]; then
    log "installing moto $MOTO_VERSION in $venv"
    python3 -m venv "$venv" || { apt_install python3-venv; python3 -m venv "$venv"; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  fi
  MOTO_SERVER="$venv/bin/moto_server"
  MOTO_PYTHON="$venv/bin/python"
}

# --- Postgres ------------------------------------------------------------------------------

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# initdb and postgres refuse to run as root: as root, run them as the postgres user.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Sets PG_URL to a server where we may create databases: the one on 127.0.0.1:5432 when it
# answers, else a cluster of our own (installing Debian's postgresql when missing).
find_or_start_postgres() {
  if port_open 127.0.0.1 5432; then
    PG_URL="postgres://${PGUSER:-postgres}@127.0.0.1:5432"
  else
    [ -n "$(pg_bin)" ] || apt_install postgresql postgresql-client
    local data port=${BELFRY_PG_PORT:-54329}
    if [ "$(id -u)" -eq 0 ]; then data=/var/lib/postgresql/belfry; else data="$STATE_DIR/postgres"; fi
    if [ ! -f "$data/PG_VERSION" ]; then
      log "creating a Postgres cluster in $data"
      as_root mkdir -p "$data"
      [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$data"
      pg_as_owner "$(pg_bin)/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 >/dev/null
    fi
    if ! port_open 127.0.0.1 "$port"; then
      log "starting Postgres on 127.0.0.1:$port"
      pg_as_owner "$(pg_bin)/pg_ctl" -D "$data" -l "$data/server.log" -w \
        -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
      STARTED_PG_DATA=$data
    fi
    PG_URL="postgres://postgres@127.0.0.1:$port"
  fi
  command -v psql >/dev/null || apt_install postgresql-client
}

# Creates database $1 on PG_URL when it does not exist; with "fresh" as $2, drops it first.
ensure_database() {
  local name=$1 fresh=${2:-}
  if [ "$fresh" = fresh ]; then
    psql "$PG_URL/postgres" -qAt -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
  fi
  if [ -z "$(psql "$PG_URL/postgres" -qAt -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
    psql "$PG_URL/postgres" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$name\"" >/dev/null
  fi
  echo "$PG_URL/$name"
}

# --- AWS -----------------------------------------------------------------------------------

aws_credentials_configured() {
  [ -n "${AWS_ACCESS_KEY_ID:-}" ] || [ -n "${AWS_PROFILE:-}" ] ||
    [ -n "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ] || [ -n "${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" ] ||
    [ -n "${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" ] ||
    [ -f "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" ] ||
    [ -f "${AWS_CONFIG_FILE:-$HOME/.aws/config}" ]
}

# Starts moto on a free loopback port and points the AWS SDK's standard variables at it.
# The credentials are moto's placeholders: the emulator accepts anything.
start_emulator() {
  install_moto
  local port=${MOTO_PORT:-$(free_port)}
  log "starting the AWS emulator (moto $MOTO_VERSION) on 127.0.0.1:$port"
  "$MOTO_SERVER" -H 127.0.0.1 -p "$port" >"$STATE_DIR/moto-$port.log" 2>&1 &
  STARTED_PIDS+=($!)
  wait_for_http "http://127.0.0.1:$port/moto-api/data.json" 60 || die "moto did not start: see $STATE_DIR/moto-$port.log"
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  unset AWS_PROFILE AWS_SESSION_TOKEN
  export AWS_REGION="${AWS_REGION:-$EMULATOR_REGION}"
  export AWS_DEFAULT_REGION="$AWS_REGION"
}

# The lab's resources in the emulator: a VPC with subnets in two zones, a security group for
# HTTP, two EC2 instances with EBS volumes, one Lambda function. Safe to run again.
seed_emulator() {
  log "seeding the emulator with the lab's VPC, instances and Lambda function"
  "$MOTO_PYTHON" "$ROOT/scripts/seed_emulator.py"
}

# --- Belfry --------------------------------------------------------------------------------

# tachys (Leptos' view layer) with one change, for the browser's builds: its type-erased view
# (`AnyView`, which every component becomes under `--cfg erase_components`) hydrates its
# content synchronously even when asked to hydrate asynchronously. Upstream, each erased view
# keeps a pointer to an asynchronous hydration of its content, so the wasm holds a second,
# asynchronous copy of every view's hydration (one future per element and component) next to
# the synchronous one, whether or not it runs; that copy was 530 KB of the 3.2 MB of raw code.
# Belfry never hydrates asynchronously: it loads the page's section first and then hydrates in
# one synchronous pass (`hydrate` in app/src/lib.rs), so with or without this change the page
# behaves the same and only the bundle differs. The source is the lockfile's tachys from
# cargo's registry; the change is applied here, and cargo takes the copy through a `paths`
# override (`--config paths=[…]`), which leaves Cargo.lock as it is. Prints the
# `--config` argument; fails if tachys no longer has the code the change replaces.
patched_tachys_config() {
  # Called as $(…), where `set -e` does not hold: every step checks itself.
  local found source version dir
  found=$(cargo metadata --locked --format-version 1 | python3 -c '
import json, os, sys
[p] = [p for p in json.load(sys.stdin)["packages"] if p["name"] == "tachys"]
print(os.path.dirname(p["manifest_path"]), p["version"])') || die "cargo metadata did not name tachys"
  read -r source version <<<"$found"
  # Made once for this tachys and this function's text (a change to the patch makes a new
  # copy): cargo rebuilds a path dependency whose files are newer than its last build.
  dir="$STATE_DIR/patched/tachys-$version-sync-hydrate-$(declare -f patched_tachys_config | sha256sum | cut -c1-12)"
  if [ ! -f "$dir/.belfry-patched" ]; then
    # Older copies (another tachys, another patch) go.
    { rm -rf "$STATE_DIR"/patched/tachys-* && mkdir -p "$(dirname "$dir")" && cp -r "$source" "$dir"; } ||
      die "could not copy tachys from $source"
    python3 - "$dir/src/view/any_view.rs" <<'PY' || die "tachys $version: the patch no longer applies"
import re, sys
path = sys.argv[1]
text = open(path).read()
# `into_any`'s `fn hydrate_async<T>`, from its signature to its closing brace.
pattern = re.compile(
    r"(        fn hydrate_async<T: RenderHtml \+ 'static>\(\n.*?\) -> Pin<Box<dyn Future<Output = AnyViewState>>> \{\n)"
    r"(.*?)\n        \}\n",
    re.S,
)
match = pattern.search(text)
if not match or ".hydrate_async(&cursor, &position)" not in match.group(2):
    sys.exit(1)
body = "            Box::pin(std::future::ready(hydrate_from_server::<T>(value, cursor, position)))"
open(path, "w").write(text[: match.start(2)] + body + text[match.end(2) :])
PY
    # Not Belfry's code: its warnings are not Belfry's to fix (cargo silences a registry
    # crate's on its own, not a path's).
    { printf '\n[lints.rust]\nwarnings = "allow"\n' >>"$dir/Cargo.toml" && touch "$dir/.belfry-patched"; } ||
      die "could not finish the copy of tachys in $dir"
  fi
  python3 -c 'import json, sys; print("paths=[" + json.dumps(sys.argv[1]) + "]")' "$dir"
}

# The browser's wasm, $CARGO_TARGET_DIR/front/wasm32-unknown-unknown/<profile>/app.wasm, with
# cargo's arguments after these ("--profile wasm-release" for the release bundle). The command,
# flags and target directory of cargo-leptos's own front build, with tachys patched
# (patched_tachys_config): the crates above tachys (leptos, its router, app) are built apart
# from a `cargo leptos watch` build's, the rest is shared.
build_wasm() {
  local tachys
  tachys=$(patched_tachys_config)
  cargo build -p app --lib --locked --target wasm32-unknown-unknown --no-default-features \
    --features hydrate --target-dir "$CARGO_TARGET_DIR/front" --config "$tachys" "$@"
}

# The hydrate wasm ($1, linked with --emit-relocs) as the browser loads it, into $2: split at
# its lazily loaded sections by tools/wasm-split (the main module, a module per section and per
# chunk sections share, the loader and the manifest), then the main module through wasm-bindgen, as
# `cargo leptos build --split` does. Leptos' HydrationScripts loads belfry.wasm
# (LEPTOS_OUTPUT_NAME), not belfry_bg.wasm.
split_and_bind() {
  local wasm=$1 pkg=$2
  mkdir -p "$pkg"
  # The splitter names modules by their place (chunk_7), not their content, and packs carry a
  # hash of theirs: drop the last build's files, or the site grows and mixes builds.
  rm -f "$pkg"/*.wasm "$pkg"/__wasm_split* "$pkg"/__belfry_sections.json
  belfry-wasm-split "$wasm" "$pkg" belfry
  wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
    --out-name belfry --out-dir "$pkg" "$pkg/belfry_main.wasm"
  rm "$pkg/belfry_main.wasm"
  mv "$pkg/belfry_bg.wasm" "$pkg/belfry.wasm"
}

# Each section's modules in $1 (split_and_bind's output, after wasm-opt when there is one) as
# one download, its pack: a page preloads its section's pack, and the loader takes the modules
# from it (tools/wasm-split/src/pack.rs). __belfry_sections.json keeps the splitter's manifest.
pack_sections() {
  belfry-wasm-split pack "$1"
}

# Runs a cargo build or test command ("$@") with clippy-driver compiling the workspace's own
# crates and every warning, rustc's and clippy's, an error: what `cargo clippy -- -D warnings`
# checks, found while building. `cargo clippy` only checks, so before a build it cost a second
# pass over every dependency (check, then compile): on a new machine that was 11.6 of the
# test command's 34 minutes. Dependencies still go through plain rustc, so the scripts' other
# builds share them; the workspace's crates are built again when a build alternates between
# this and plain cargo (cargo counts the wrapper in their fingerprint).
with_clippy() {
  local driver
  driver=$(command -v clippy-driver) || die "clippy is needed: rustup component add clippy"
  RUSTC_WORKSPACE_WRAPPER=$driver CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" "$@"
}

# The browser's half of the site, as cargo-leptos makes it in a debug build: the hydrate wasm
# split and through wasm-bindgen, the stylesheet through sass, and public/. With "lint" as $1,
# the wasm build is also clippy's pass over the browser's side (see with_clippy).
# The scripts do this themselves rather than through cargo-leptos: installing cargo-leptos
# cost 9 of the 38 minutes a fresh machine took, and its server build could not reuse the
# test build (see build_site). For a live-reload loop, `cargo leptos watch --split` (see the
# README: untried on this code since the split).
build_front() {
  local site pkg lint=()
  site=$(site_root)
  pkg="$site/pkg"
  if [ "${1:-}" = lint ]; then
    lint=(with_clippy)
    log "building the browser's wasm (hydrate) with clippy, and the stylesheet"
  else
    log "building the browser's wasm (hydrate) and stylesheet"
  fi
  "${lint[@]}" build_wasm
  mkdir -p "$pkg"
  cp -r "$ROOT/public/." "$site/"
  split_and_bind "$CARGO_TARGET_DIR/front/wasm32-unknown-unknown/debug/app.wasm" "$pkg"
  pack_sections "$pkg"
  sass --no-source-map "$ROOT/style/main.scss" "$pkg/belfry.css"
}

# The whole site and the server's binary, $CARGO_TARGET_DIR/debug/belfry. The test command
# builds only the front: `cargo test --workspace` has already built the binary, and a plain
# `cargo build` would build every crate again (the tests' dev-dependencies turn on features
# of shared crates, syn's among them, so the two builds share almost nothing).
build_site() {
  build_front
  log "building the server"
  cargo build -p server --bin belfry --locked
}

# The site (site-root in Cargo.toml) is under the project, not the target dir.
site_root() {
  echo "$ROOT/target/site"
}
