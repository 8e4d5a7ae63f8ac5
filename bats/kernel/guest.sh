#!/bin/bash
# Stage 2 of make check-kernel: PID 1 inside the guest, on the host's root (read-only).
# Runs the bats suite with the settings the host wrote to OUT/guest.env, leaves the TAP
# report, the exit status and the kernel log in OUT (the writable share), powers off.
# If this script dies first, PID 1 exits, the kernel panics (panic=-1 reboots at once)
# and qemu -no-reboot stops: the host finds no OUT/status and reports the failure.
#   guest.sh OUT
out=$1
set -u
# shellcheck source=/dev/null
. "$out/guest.env"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
# Tests that cannot hold here for a reason of this set-up (not of the kernel) can say so.
export CRDIAG_GUEST=qemu

# The console is a serial TTY: no CR before LF, so the host's log reads as plain text.
stty -onlcr 2>/dev/null
ip link set lo up
uname -r >"$out/release"
# Under TCG boot and bats' own start-up are a good part of the run: show where it goes.
read -r up _ </proc/uptime
echo "check-kernel: $(uname -r) up for ${up}s, starting bats"
# A writable working directory: CRIU's parasite mounts a proc at proc.crtools in the
# working directory of a task of another PID namespace, and every task the tests start
# inherits this one (the checkout is read-only here). TESTS are absolute paths.
mkdir -p /tmp/crdiag-cwd && cd /tmp/crdiag-cwd || exit

# bats sees a TTY and would draw its pretty format: ask for TAP.
# shellcheck disable=SC2086 # BATS_FLAGS is a list of words, as in the Makefile
timeout -k 10 "$GUEST_TIMEOUT" bats $BATS_FLAGS --tap --report-formatter tap --output "$out" "${TESTS[@]}"
status=$?
[ "$status" -eq 124 ] && echo "check-kernel: the suite ran out of time (${GUEST_TIMEOUT}s) in the guest"
dmesg >"$out/dmesg.txt" 2>&1
echo "$status" >"$out/status"
sync
exec /run/busybox poweroff -f
