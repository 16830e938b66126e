#!/usr/bin/env bash
# Installs what sfmc-scan needs to build and test on Debian 12 (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  libpcre2-dev libyaml-dev libjansson-dev libgit2-dev libssl-dev zlib1g-dev libdeflate-dev libarchive-dev libcurl4-openssl-dev libsqlite3-dev libcmocka-dev scdoc pre-commit dpkg-dev \
  jq python3 python3-yaml parallel zip unzip xz-utils bzip2 zstd lz4 p7zip-full cpio binutils sqlite3 chromium \
  valgrind time clang-14 clang-format-14 libfuzzer-14-dev libclang-rt-14-dev >/dev/null
# Node.js and npm run ajv-cli, which validates the SARIF and GitLab reports in
# the tests (ci/install-ajv.sh). A Node.js that already ships npm is kept.
command -v npm >/dev/null || $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
