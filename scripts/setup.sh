#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine with Rust, gcc, Python and Node lacks for stforge.
# Idempotent: installs only what is missing. The list grows as capabilities land (libz3-dev for
# verification, cmake/clang for local inference, code-server for the editor tests).
set -euo pipefail

# libz3-dev: z3 for `stforge verify` (the z3 crate links Debian's libz3).
# cmake, clang, libclang-dev: llama.cpp (llama-cpp-2) for local generation.
# libxml2-utils: xmllint, which the tests use to validate PLCopen exports against the schema.
apt_packages=(libz3-dev cmake clang libclang-dev libxml2-utils)

missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
