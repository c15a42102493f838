# Shared helpers for the scripts in scripts/. Sourced, never run.
# Every function installs or starts something only when it is missing, so the scripts are fast on a
# machine that already has everything and still work on a fresh one.

say() { printf '==> %s\n' "$*" >&2; }

# apt_install PKG... installs the Debian packages that are not installed yet.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# release_dir prints where the release binaries are (honours CARGO_TARGET_DIR).
release_dir() {
    printf '%s/release\n' "${CARGO_TARGET_DIR:-$ROOT/target}"
}

# build_release builds the release binaries of `amzpay` (the CLI and the emulator) and the shop, in one
# invocation with one package set, so scripts/emulator and scripts/shop share one build (the same
# features, hence the same artifacts). A first build takes minutes: cargo shows its progress.
build_release() {
    if [ ! -x "$(release_dir)/amzpay" ] || [ ! -x "$(release_dir)/amzpay-shop" ]; then
        say "building amzpay and the shop (release); the first build takes about 10 minutes on 2 cores, later ones seconds"
    else
        say "building amzpay and the shop (release; only what changed)"
    fi
    cargo build --release --locked -p amzpay-cli -p amzpay-shop
}

# nextest installs cargo-nextest, the test runner scripts/test uses, when it is missing.
nextest() {
    if ! cargo nextest --version >/dev/null 2>&1; then
        say "installing cargo-nextest (cargo install cargo-nextest --locked; once, a few minutes)"
        cargo install cargo-nextest --locked --quiet
    fi
}

# node_deps installs the npm packages of tests/node (the official Node.js SDK) when missing.
node_deps() {
    local dir="$ROOT/tests/node"
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        apt_install nodejs npm
    fi
    if [ ! -d "$dir/node_modules/@amazonpay/amazon-pay-api-sdk-nodejs" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        say "installing npm packages in tests/node"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

# python_deps creates tests/python/.venv with the pinned PyPI packages of
# tests/python/requirements.txt (the community AmazonPayClient) when it is missing or older than that
# file. Debian's python3 needs python3-venv for `python3 -m venv`.
python_deps() {
    local dir="$ROOT/tests/python"
    apt_install python3-venv
    if [ ! -x "$dir/.venv/bin/python" ] || [ "$dir/requirements.txt" -nt "$dir/.venv/installed" ]; then
        say "installing PyPI packages in tests/python/.venv"
        rm -rf "$dir/.venv"
        /usr/bin/python3 -m venv "$dir/.venv"
        "$dir/.venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$dir/requirements.txt"
        touch "$dir/.venv/installed"
    fi
}

# pg_throwaway starts a PostgreSQL 15 cluster on loopback in a temporary directory and exports
# TEST_DATABASE_URL; pg_throwaway_stop (run from an EXIT trap) stops it and removes the directory.
# When TEST_DATABASE_URL is already set, nothing is started.
PG_TMP=""
pg_throwaway() {
    if [ -n "${TEST_DATABASE_URL:-}" ]; then
        say "using TEST_DATABASE_URL from the environment"
        return 0
    fi
    local bindir=""
    for candidate in /usr/lib/postgresql/15/bin /usr/local/bin /usr/bin; do
        if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bindir="$candidate"; break; fi
    done
    if [ -z "$bindir" ]; then
        apt_install postgresql-15
        bindir=/usr/lib/postgresql/15/bin
    fi
    PG_TMP=$(mktemp -d /tmp/amzpay-pg.XXXXXX)
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    local runas=()
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        chown postgres "$PG_TMP"
        runas=(runuser -u postgres --)
    fi
    "${runas[@]}" "$bindir/initdb" -D "$PG_TMP/data" -U amzpay --auth=trust -E UTF8 --no-sync >/dev/null
    "${runas[@]}" "$bindir/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/log" -w -o "-h 127.0.0.1 -p $port -k $PG_TMP -c max_connections=400 -c fsync=on" start >/dev/null
    export TEST_DATABASE_URL="postgres://amzpay@127.0.0.1:$port/postgres"
    export AMZPAY_PG_BINDIR="$bindir" AMZPAY_PG_DATADIR="$PG_TMP/data"
    say "throwaway PostgreSQL on 127.0.0.1:$port ($PG_TMP)"
}
pg_throwaway_stop() {
    [ -n "$PG_TMP" ] || return 0
    local runas=()
    [ "$(id -u)" -eq 0 ] && runas=(runuser -u postgres --)
    "${runas[@]}" "$AMZPAY_PG_BINDIR/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
}
