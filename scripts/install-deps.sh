#!/usr/bin/env bash
# Installs, from Debian 12's own packages, everything regscan needs to build,
# test and run its demo. Does nothing when all of it is already there.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config python3 ca-certificates
  # libraries regscan links
  libboost-dev libboost-program-options-dev libcurl4-openssl-dev nlohmann-json3-dev libfmt-dev
  libspdlog-dev doctest-dev libsqlite3-dev libssl-dev libarchive-dev libzstd-dev zlib1g-dev liblzma-dev
  # igzip: gzip layers inflate several times faster than with zlib (zlib stays the fallback)
  libisal-dev
  # malware detection (--malware): the engines, ClamAV's sample files for the tests, clamscan for the bench
  libclamav-dev libyara-dev clamav-testfiles clamav
  # the state in PostgreSQL (--state postgresql://...): libpq, its reference C client; the server for the tests
  libpq-dev postgresql-15
  # zip -P: the encrypted zip the malware tests make (Python's zipfile cannot encrypt)
  zip
  # real servers and tools the tests and the demo drive
  docker-registry skopeo openssl apache2-utils zstd time
  # the dashboard's browser tests (driven by playwright-core from npm, tests/e2e/browser)
  chromium
  # reference implementations the version-order oracle tests compare against
  dpkg libdpkg-dev rpm python3-packaging nodejs node-semver openjdk-17-jdk-headless maven libmaven3-core-java
  # the libFuzzer harnesses (scripts/fuzz.sh)
  clang-14 libclang-rt-14-dev
  # schema validation of the OSV fixtures and of the SARIF and CycloneDX reports
  python3-jsonschema python3-rfc3987
  # the fleet tests parse deploy/kubernetes/*.yaml to run every regscan argument they give
  python3-yaml
  # the shells whose completion scripts (regscan completion zsh|fish) the terminal tests load and drive
  zsh fish
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
