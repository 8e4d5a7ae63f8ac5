#!/usr/bin/env bash
# make check-kernel: run the bats suite inside another kernel (by default Debian's
# linux-image-amd64, 6.1 on Debian 12, which has no PAGEMAP_SCAN) under qemu, the way
# virtme-ng does: this machine's root is shared read-only over 9p (the checkout, the
# programs and $CRIU's directory as shares of their own, so that the guest's tmpfs on
# /tmp and /root cannot hide them), the results come back through a writable share, the
# guest powers off and we exit with the suite's status. The initramfs loads the modules
# Debian's criu probes, so `criu check` passes in the guest (see criu_modules below).
# Test files given relatively are made absolute: bats runs from a writable directory.
#
#   check-kernel.sh [--kernel PKG] [--cache DIR] [--out DIR] [--timeout SECONDS] [TESTS...]
#
# The kernel package is fetched with apt-get download and unpacked with dpkg -x into
# DIR (never installed, /boot untouched); it and the initramfs stay cached there.
# Programs must already be built: CRDIAG_BIN and CRDIAG_TBIN (absolute) say where, and
# every CRDIAG_* variable (and CRIU, CRIU_FAULT) reaches the tests in the guest.
# KERNEL_MEM (4G) and KERNEL_SMP (2) size the guest. --timeout (900) bounds the suite
# inside; qemu gets 60 s more, then it is stopped.
# Exit: the suite's status (0 all passed, 1 a test failed), 2 when the guest could not
# run it (set-up, boot or time-out); the reason is on stderr.
set -euo pipefail

prog=check-kernel
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kernel=linux-image-amd64
cache=$repo/build/kernel
out=$repo/build/normal/kernel
timeout=900
mem=${KERNEL_MEM:-4G}   # a 2 GiB pagemap pread in one buffer needs it
smp=${KERNEL_SMP:-2}
# virtio_pci and 9pnet_virtio carry the shares, 9p mounts them, veth is for the network
# tests; their dependencies are found from each module's own depends= field.
modules=(virtio_pci 9pnet_virtio 9p veth)
# What `criu check` (Debian's 3.17.1) probes, so that CRIU works in the guest:
#   inet_diag tcp_diag udp_diag   sockets: dumping TCP and UDP sockets (sock_diag)
#   unix_diag                     sockets: AF_UNIX (every process has some)
#   netlink_diag af_packet_diag   sockets: the netlink and packet probes of `check`
#   tun                           tun: the TUN/TAP ioctls of the tun probe
#   nfnetlink nf_tables           the network lock (nftables) and its probe
#   crc32c_generic                before libcrc32c (nf_tables' dependency): libcrc32c
#                                 asks the crypto API for "crc32c" at load time, a
#                                 request no depends= field names
criu_modules=(inet_diag tcp_diag udp_diag unix_diag netlink_diag af_packet_diag tun
	crc32c_generic nfnetlink nf_tables)

die() {
	echo "$prog: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?}; shift 2 ;;
	--cache) cache=${2:?}; shift 2 ;;
	--out) out=${2:?}; shift 2 ;;
	--timeout) timeout=${2:?}; shift 2 ;;
	--help)
		sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"
		exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option '$1'" ;;
	*) break ;;
	esac
done
tests=()
# The guest runs bats from a writable directory (guest.sh): name test files absolutely.
for t in "$@"; do
	[[ $t == /* || ! -e $t ]] || t=$PWD/$t
	tests+=("$t")
done
[ ${#tests[@]} -gt 0 ] || tests=("$repo/bats")
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout: not a number of seconds: '$timeout'"
mkdir -p "$cache" "$out"
cache=$(cd "$cache" && pwd) out=$(cd "$out" && pwd)

for tool in qemu-system-x86_64 busybox apt-get apt-cache dpkg-deb timeout flock; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs it)"
done
busybox=$(command -v busybox)
[ -x "${CRDIAG_BIN:-}/crdiag-scan" ] || die "CRDIAG_BIN does not hold the built programs: run make first"

# apt_field PKG FIELD: FIELD of the candidate version of PKG.
apt_field() {
	apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -n 1
}

# Old kernel builds leave the archive: follow a metapackage (linux-image-amd64) to the
# kernel it stands for today, and take any other name as the kernel itself.
resolve_kernel() {
	local pkg=$1 dep
	if [ -z "$(apt_field "$pkg" Version)" ]; then
		[ "$(id -u)" -eq 0 ] || die "apt knows no package '$pkg' (run apt-get update as root)"
		apt-get update -q >&2 || die "apt-get update failed"
		[ -n "$(apt_field "$pkg" Version)" ] || die "apt knows no package '$pkg'"
	fi
	dep=$(apt_field "$pkg" Depends | tr ',|' '\n' | sed 's/^ *//; s/ .*//' |
		grep -E '^linux-image-[0-9]' | head -n 1 || true)
	echo "${dep:-$pkg}"
}

pkg=$(resolve_kernel "$kernel")
ver=$(apt_field "$pkg" Version)
[ -n "$ver" ] || die "apt knows no version of '$pkg'"
kdir=$cache/${pkg}_$ver

# Two runs at once (make check-kernel and SANITIZE=1) share the cache: one fills it.
exec 9>"$cache/lock"
flock 9
if [ ! -e "$kdir/unpacked" ]; then
	echo "$prog: fetching $pkg $ver" >&2
	rm -rf "$kdir"
	mkdir -p "$kdir/dl"
	# As root apt drops to _apt, which may not reach the build tree: stay root for this.
	(cd "$kdir/dl" && apt-get download -q -o APT::Sandbox::User="$(id -un)" "$pkg=$ver" >&2) ||
		die "apt-get download $pkg=$ver failed"
	dpkg -x "$kdir"/dl/*.deb "$kdir/root" || die "dpkg -x of $pkg failed"
	rm -rf "$kdir/dl"
	touch "$kdir/unpacked"
fi
vmlinuz=$(find "$kdir/root/boot" -name 'vmlinuz-*' | head -n 1)
[ -n "$vmlinuz" ] || die "$pkg ships no /boot/vmlinuz-*"
release=${vmlinuz##*/vmlinuz-}
moddir=$kdir/root/lib/modules/$release
[ -d "$moddir" ] || die "$pkg ships no /lib/modules/$release"

# ko_cat FILE: a module, decompressed (newer kernels ship .ko.xz or .ko.zst).
ko_cat() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -dcq "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

# add_module NAME: append NAME's dependencies, then NAME, to $order (paths under $moddir).
declare -A seen=()
order=()
add_module() {
	local name=${1//-/_} path dep
	[ -z "${seen[$name]:-}" ] || return 0
	seen[$name]=1
	path=$(grep -E "/${name//_/[-_]}\.ko(\.xz|\.zst|\.gz)?$" "$kofiles" | head -n 1 || true)
	if [ -z "$path" ]; then
		grep -qE "/${name//_/[-_]}\.ko$" "$moddir/modules.builtin" 2>/dev/null && return 0
		die "$pkg has no module $name"
	fi
	for dep in $(ko_cat "$moddir/$path" | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '); do
		add_module "$dep"
	done
	order+=("$path")
}

# The initramfs depends on the kernel, init.sh and this script's module list only.
initrd=$kdir/initramfs.cpio.gz
if [ ! -s "$initrd" ] || [ "$here/init.sh" -nt "$initrd" ] || [ "$here/check-kernel.sh" -nt "$initrd" ]; then
	kofiles=$kdir/kofiles
	(cd "$moddir" && find kernel -name '*.ko*') >"$kofiles"
	for m in "${modules[@]}" "${criu_modules[@]}"; do
		add_module "$m"
	done
	stage=$kdir/initramfs.d
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,proc,sys,newroot,lib/modules}
	cp "$busybox" "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	cp "$here/init.sh" "$stage/init"
	chmod 0755 "$stage/init"
	: >"$stage/modules.list"
	for path in "${order[@]}"; do
		ko=${path%.ko*}.ko
		mkdir -p "$stage/lib/modules/${ko%/*}"
		ko_cat "$moddir/$path" >"$stage/lib/modules/$ko"
		echo "$ko" >>"$stage/modules.list"
	done
	(cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
	rm -rf "$stage" "$kofiles"
fi
exec 9>&-

# Nothing left from an earlier run may pass for this one's status or report.
rm -f "$out"/{boot,guest.env,status,release,report.tap,dmesg.txt,console.log,qemu.pid}
# The guest mounts tmpfs over /tmp, /run, /var/tmp and /root (the root share is
# read-only), which would hide a checkout under them (a mktemp -d clone, /root/crdiag):
# the checkout, the built programs and $CRIU's directory come as shares of their own,
# mounted at their real paths after the tmpfs (a directory inside another is left to
# the outer one). /out/boot: the results directory, stage 2's script, then "TAG PATH"
# per share.
declare -a share_paths=()
add_share() { # add_share DIR: share DIR (absolute, as the tests name it) unless covered
	local d=$1 s
	[ -d "$d" ] || return 0
	[[ $d != *$'\n'* ]] || die "a path with a newline cannot be shared with the guest: $d"
	for s in "${share_paths[@]}"; do
		[[ $d == "$s" || $d == "$s"/* ]] && return 0
	done
	share_paths+=("$d")
}
add_share "$repo"
add_share "$CRDIAG_BIN"
[ -z "${CRDIAG_TBIN:-}" ] || add_share "$CRDIAG_TBIN"
if [ -n "${CRIU:-}" ] && criu_path=$(command -v "$CRIU"); then
	[[ $criu_path != /* ]] || add_share "$(cd "$(dirname "$criu_path")" && pwd)"
fi
qemu_shares=()
{
	printf '%s\n%s\n' "$out" "$here/guest.sh"
	for i in "${!share_paths[@]}"; do
		printf 'crdiag-s%d %s\n' "$i" "${share_paths[i]}"
		# qemu's option syntax: a comma in a value is written twice
		qemu_shares+=(-fsdev "local,id=s$i,path=${share_paths[i]//,/,,},security_model=none,readonly=on,multidevs=remap"
			-device "virtio-9p-pci,fsdev=s$i,mount_tag=crdiag-s$i")
	done
} >"$out/boot"
# guest.env is sourced by guest.sh (bash): declare -p keeps every value exact, and
# exported variables stay exported.
REPO=$repo GUEST_TIMEOUT=$timeout BATS_FLAGS=${BATS_FLAGS:---print-output-on-failure}
TESTS=("${tests[@]}")
mapfile -t pass < <(compgen -e | grep -E '^(CRDIAG_|CRIU$|CRIU_FAULT$)' || true)
declare -p REPO GUEST_TIMEOUT BATS_FLAGS TESTS "${pass[@]}" >"$out/guest.env"

qemu_pid='' tail_pid=''
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local pid
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill -TERM "$qemu_pid" 2>/dev/null || true   # timeout passes it on to qemu
		wait "$qemu_pid" 2>/dev/null || true
	fi
	# A qemu that outlived its timeout process is killed by the pid it wrote itself.
	pid=$(cat "$out/qemu.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && grep -qs qemu "/proc/$pid/comm"; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	[ -z "$tail_pid" ] || kill "$tail_pid" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

echo "$prog: booting $pkg ($release) under qemu (TCG, $smp CPUs, $mem), tests: ${tests[*]}" >&2
start=$SECONDS
# TCG: this machine may itself be a guest without working nested KVM. la57=off: keep
# the 4-level page tables of the machines that run such kernels. The host-side timeout
# bounds the whole boot; the guest's own (GUEST_TIMEOUT) ends the suite 60 s earlier,
# so that it can still write what it has. panic=-1 and -no-reboot: a dying guest stops.
timeout -k 10 $((timeout + 60)) qemu-system-x86_64 \
	-nodefaults -no-user-config -no-reboot -display none \
	-machine q35 -accel tcg -cpu max,la57=off -smp "$smp" -m "$mem" \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=-1" \
	-serial stdio -pidfile "$out/qemu.pid" \
	-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap" \
	-device virtio-9p-pci,fsdev=root,mount_tag=crdiag-root \
	-fsdev "local,id=out,path=${out//,/,,},security_model=none,multidevs=remap" \
	-device virtio-9p-pci,fsdev=out,mount_tag=crdiag-out \
	"${qemu_shares[@]}" \
	</dev/null >"$out/console.log" 2>&1 &
qemu_pid=$!
# Show the console as it comes (tail ends within a second of qemu).
tail -n +1 -F --pid="$qemu_pid" "$out/console.log" 2>/dev/null &
tail_pid=$!
qemu_status=0
wait "$qemu_pid" || qemu_status=$?
qemu_pid=''
wait "$tail_pid" || true
elapsed=$((SECONDS - start))

if [ ! -s "$out/status" ]; then
	[ "$qemu_status" -ne 124 ] || die "the guest did not finish in $((timeout + 60)) s (console: $out/console.log)"
	die "the guest stopped without a result (qemu exit $qemu_status; console: $out/console.log)"
fi
status=$(cat "$out/status")
case $status in
0 | 1) ;;
*) die "bats exited $status in the guest (console: $out/console.log)" ;;
esac
tap=$out/report.tap
[ -s "$tap" ] || die "bats wrote no report in the guest (console: $out/console.log)"
p=$(grep -cE '^ok [0-9]+' "$tap" || true)
s=$(grep -cE '^ok [0-9]+ .*# (skip|SKIP)' "$tap" || true)
f=$(grep -cE '^not ok [0-9]+' "$tap" || true)
echo "$prog: $(cat "$out/release"): $((p - s)) passed, $f failed, $s skipped in ${elapsed}s (report: $tap)" >&2
exit "$status"
