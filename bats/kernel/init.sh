#!/bin/sh
# PID 1 of the initramfs that bats/kernel/check-kernel.sh builds (busybox sh, stage 1).
# Loads the virtio and 9p modules (the kernel package has no modules.dep: the host wrote
# their load order into /modules.list), mounts the host's root read-only over 9p with a
# writable results share, and switches root to it, running bats/kernel/guest.sh (stage 2).
# Any failure here powers the guest off: the host sees no status file and says so.

/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin

fail() {
	echo "crdiag-init: $*" >&2
	sync
	poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r ko; do
	insmod "/lib/modules/$ko" || fail "insmod $ko failed"
done </modules.list

# msize: the 9p default (8 KiB on 6.1) makes every read of the shared root a round trip.
P9='trans=virtio,version=9p2000.L,msize=262144'
mkdir -p /out /newroot
mount -t 9p -o "$P9,cache=none" crdiag-out /out || fail "cannot mount the results share"
# /out/boot: line 1 the results directory's path on the host, line 2 stage 2's script,
# then "TAG PATH" for each share of the checkout and build directories.
{ read -r out; read -r stage2; } </out/boot || fail "/out/boot is unreadable"
# cache=loose: the root is read-only and nothing in it changes during the run.
mount -t 9p -o "$P9,ro,cache=loose" crdiag-root /newroot || fail "cannot mount the host root"

# The shared root is read-only: everything that must be writable lives in memory.
for d in tmp run var/tmp root; do
	mount -t tmpfs -o mode=1777 tmpfs "/newroot/$d" || fail "cannot mount tmpfs on /$d"
done
chmod 0700 /newroot/root
# The checkout may lie under one of those tmpfs (a clone in /tmp or /root): its shares
# go at their real paths now, above the tmpfs (a mount point under one is made there).
tail -n +3 /out/boot >/shares
while IFS= read -r line; do
	tag=${line%% *} path=${line#* }
	[ -d "/newroot$path" ] || mkdir -p "/newroot$path" || fail "cannot make $path for its share"
	mount -t 9p -o "$P9,ro,cache=loose" "$tag" "/newroot$path" || fail "cannot mount $tag at $path"
done </shares
[ -d "/newroot$out" ] || mkdir -p "/newroot$out" || fail "cannot make $out for the results share"
mount --move /out "/newroot$out" || fail "cannot place the results share at $out"
cp /bin/busybox /newroot/run/busybox

# devtmpfs has no /dev/fd or /dev/std*: bats needs them (udev makes them on a host).
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts -o mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
for d in dev proc sys; do
	mount --move "/$d" "/newroot/$d" || fail "cannot move /$d"
done
mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup 2>/dev/null

exec switch_root /newroot /bin/bash "$stage2" "$out"
