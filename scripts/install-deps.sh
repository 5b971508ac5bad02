#!/usr/bin/env bash
# Installs what building and testing libdialer needs on Debian 12, as root.
# Safe to run again: it installs only what is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libboost-thread1.81-dev
  libphonenumber-dev libhowardhinnant-date-dev
  doctest-dev libbenchmark-dev
  pybind11-dev python3-dev python3-pytest
  sqlite3  # the raw baseline of benchmarks/import_bench.cpp (.import)
  # The SQL stores, and the PostgreSQL 15 server their tests start themselves.
  libsqlite3-dev libsqlitecpp-dev libpqxx-dev libpq-dev postgresql-15
  libsodium-dev  # dialerd: Argon2id password hashes and session tokens
  lld  # scripts/test.sh links with it: several times faster than ld.bfd on the test binaries
)

# --- browser tests of the agent panel (tests/browser) ------------------------
# Debian's Chromium, Node.js with npm, and playwright-core from npm (pinned
# by tests/browser/package-lock.json), which never downloads a browser: the
# tests launch /usr/bin/chromium.
# Runs before the check below, which ends the script when the build's
# packages are all there.
browser_packages=(chromium)
command -v node >/dev/null || browser_packages+=(nodejs)
command -v npm >/dev/null || browser_packages+=(npm)
browser_missing=()
for p in "${browser_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || browser_missing+=("$p")
done
if [ ${#browser_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${browser_missing[*]}; run this script as root" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${browser_missing[@]}" >/dev/null
fi
repo_root="$(cd "$(dirname "$0")/.." && pwd)"
browser_dir="$repo_root/tests/browser"
# npm ci only when the lock file changed since the last install.
if ! cmp -s "$browser_dir/package-lock.json" "$browser_dir/node_modules/.installed-lock.json"; then
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$browser_dir/package-lock.json" "$browser_dir/node_modules/.installed-lock.json"
fi
# The agent panel's browser phone: JsSIP from npm (pinned by
# reference-server/webphone/package-lock.json), bundled by esbuild into
# reference-server/web/vendor/jssip.js, which dialerd serves.
webphone_dir="$repo_root/reference-server/webphone"
if ! cmp -s "$webphone_dir/package-lock.json" "$webphone_dir/node_modules/.installed-lock.json" \
   || [ ! -f "$repo_root/reference-server/web/vendor/jssip.js" ]; then
  (cd "$webphone_dir" && npm ci --no-audit --no-fund --loglevel=error && node build.mjs)
  cp "$webphone_dir/package-lock.json" "$webphone_dir/node_modules/.installed-lock.json"
fi
# --- end of the browser tests' block ------------------------------------------

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

# Debian's libphonenumber-dev depends on libboost-thread-dev, the default Boost
# (1.74), whose headers conflict with the Boost 1.81 we build with. Nothing in
# libphonenumber's headers needs Boost unless I18N_PHONENUMBERS_USE_BOOST is
# defined, so a local shim package satisfies that dependency with Boost 1.81's
# libboost-thread1.81-dev instead.
if ! dpkg-query -W -f='${Status}' libboost-thread-dev 2>/dev/null | grep -q "install ok installed"; then
  shim=$(mktemp -d)
  mkdir -p "$shim/pkg/DEBIAN"
  cat > "$shim/pkg/DEBIAN/control" <<'CONTROL'
Package: libboost-thread-dev
Version: 1.81.0.1~libdialer
Architecture: all
Maintainer: libdialer developers <dev@libdialer.invalid>
Depends: libboost-thread1.81-dev
Description: shim that satisfies libboost-thread-dev with Boost 1.81
 Lets libphonenumber-dev install beside libboost1.81-dev on Debian 12.
CONTROL
  dpkg-deb --build "$shim/pkg" "$shim/libboost-thread-dev-shim.deb" >/dev/null
  apt-get install -y -qq libboost-thread1.81-dev >/dev/null
  apt-get install -y -qq "$shim/libboost-thread-dev-shim.deb" >/dev/null
  rm -rf "$shim"
fi

apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
