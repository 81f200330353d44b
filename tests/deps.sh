#!/bin/sh
# Installs what pd needs to build, test and benchmark on Debian 12 (as root),
# and glibc's debug info (libc6-dbg), which perf users install for readable
# stacks through libc (the test suite also runs without it: run-all.sh).
set -eu
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt (e.g. unattended upgrades) instead of failing.
apt="apt-get -o DPkg::Lock::Timeout=600"
$apt update -qq
$apt install -y -qq --no-install-recommends \
	build-essential clang libclang-rt-14-dev meson ninja-build pkg-config scdoc \
	libdw-dev libelf-dev libdeflate-dev libtraceevent-dev libzstd-dev libiberty-dev \
	libdebuginfod-dev bash-completion \
	linux-perf binutils python3 perl rustc g++ libc6-dbg nodejs \
	chromium fonts-dejavu-core hyperfine time file debuginfod strace >/dev/null
