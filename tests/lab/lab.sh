#!/usr/bin/env bash
# The host lab: vmtax on kvm_amd inside QEMU's software emulation of AMD SVM (TCG).
#   tests/lab/lab.sh [SCENARIO...]     default: every tests/lab/scenarios/*.sh
# Boots each scenario, brings its files out to out/lab/<scenario>/ and its console to
# out/lab/<scenario>.log, then checks them (tests/lab/check.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
LAB=build/lab
OUT=${LAB_OUT:-out/lab}
BOOT_TIMEOUT=${LAB_TIMEOUT:-600}
mkdir -p "$LAB" "$OUT"

die() { echo "lab: $*" >&2; exit 2; }

# kvm_amd and what it needs (modinfo's depends: kvm, ccp; kvm needs irqbypass).
KVM_MODULES="kernel/arch/x86/kvm/kvm.ko kernel/arch/x86/kvm/kvm-amd.ko
             kernel/drivers/crypto/ccp/ccp.ko kernel/virt/lib/irqbypass.ko"

image_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1
}

# The kernel: Debian's linux-image-amd64 names the versioned image package; download and
# extract it (never installed into /boot).
fetch_kernel() {
	local pkg deb kver
	[ -f "$LAB/kernel/vmlinuz" ] && return
	pkg=$(image_package)
	[ -n "$pkg" ] || { apt-get update -q >/dev/null 2>&1; pkg=$(image_package); }
	[ -n "$pkg" ] || die "apt-cache knows no linux-image-amd64 (apt-get update failed?)"
	rm -rf "$LAB/pkg" "$LAB/kernel"; mkdir -p "$LAB/pkg" "$LAB/kernel"
	(cd "$LAB/pkg" && apt-get download -q "$pkg" 2>/dev/null) || die "apt-get download $pkg failed"
	deb=$(ls "$LAB"/pkg/*.deb)
	dpkg-deb -x "$deb" "$LAB/pkg/root"
	cp "$LAB"/pkg/root/boot/vmlinuz-* "$LAB/kernel/vmlinuz"
	kver=$(ls "$LAB/pkg/root/lib/modules")
	for m in $KVM_MODULES modules.order modules.builtin modules.builtin.modinfo; do
		mkdir -p "$LAB/kernel/modules/$kver/$(dirname "$m")"
		cp "$LAB/pkg/root/lib/modules/$kver/$m" "$LAB/kernel/modules/$kver/$m"
	done
	rm -rf "$LAB/pkg"
}

# The initramfs: busybox, vmtax and its libraries, the KVM modules (depmod'ed, so
# modprobe and --mmu-compare's reload work), the scenarios.
build_initramfs() {
	local root=$LAB/root kver lib
	rm -rf "$root"; mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,lab,etc}
	cp /bin/busybox "$root/bin/busybox"
	for a in $("$root/bin/busybox" --list | grep -vx busybox); do ln -sf busybox "$root/bin/$a"; done
	ln -sf ../bin/busybox "$root/sbin/modprobe"
	cp vmtax "$root/bin/vmtax"
	# The e2e tests, when built (make lab builds them), with what they read from the
	# tree (tests/fixtures), for the e2e scenario.
	mkdir -p "$root/lab/e2e" "$root/lab/repo/tests"
	for t in build/release/tests/e2e/test_*; do
		[ -x "$t" ] && [ "${t%.d}" = "$t" ] && cp "$t" "$root/lab/e2e/"
	done
	cp -r tests/fixtures "$root/lab/repo/tests/"
	gcc -static -O2 -Wall -Wextra -Werror -o "$root/bin/kvm-hold" tests/lab/kvm-hold.c
	for lib in $(ldd vmtax "$root"/lab/e2e/* 2>/dev/null |
		     sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^\t\(\/[^ ]*\) .*/\1/p' | sort -u); do
		mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
	done
	kver=$(ls "$LAB/kernel/modules")
	mkdir -p "$root/lib/modules"
	cp -r "$LAB/kernel/modules/$kver" "$root/lib/modules/"
	depmod -b "$root" "$kver"
	cp tests/lab/init.sh "$root/init"; chmod +x "$root/init"
	cp -r tests/lab/guest-lib.sh tests/lab/scenarios "$root/lab/"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$LAB/initramfs.gz"
}

# QEMU's -numa arguments for N nodes, each a 1 GiB RAM backend. Node CPUs and the SLIT
# come from the scenario (LAB_NUMA_ARGS) when it needs more than the plain layout.
numa_args() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do
		echo "-object memory-backend-ram,id=m$i,size=1G -numa node,nodeid=$i,memdev=m$i"
	done
}

run_scenario() {
	local s=$1 dir=$OUT/$1 log=$OUT/$1.log serial=$LAB/$1.ttyS1
	local LAB_NODES=1 LAB_QEMU_ARGS="" LAB_SMP=2
	# shellcheck source=/dev/null
	. tests/lab/scenarios/"$s".sh
	rm -rf "$dir"; mkdir -p "$dir"; : >"$serial"
	echo "lab: $s: booting ($LAB_NODES node(s), $LAB_SMP CPUs)"
	local start=$SECONDS rc=0
	# One TCG thread for all vCPUs: with thread=multi the lab kernel froze on text
	# patching (a static key flipped by KVM's preempt notifiers or a perf software
	# event): the monitor showed CPU 0 looping __schedule+0x2ab -> asm_exc_int3 ->
	# poke_int3_handler -> iret -> __schedule+0x2ab with interrupts off, while memory
	# there already held the finished JMP (a stale translation of code CPU 1 had
	# rewritten) and CPU 1 waited in smp_call_function_many_cond for CPU 0's answer.
	timeout "$BOOT_TIMEOUT" qemu-system-x86_64 -accel "${LAB_ACCEL:-tcg,thread=single}" -cpu max \
		-smp "$LAB_SMP",sockets=$LAB_SMP -m $((LAB_NODES))G $(numa_args "$LAB_NODES") $LAB_QEMU_ARGS \
		-kernel "$LAB/kernel/vmlinuz" -initrd "$LAB/initramfs.gz" \
		-append "console=ttyS0 panic=-1 nokaslr lab.scenario=$s" \
		-display none -no-reboot -serial "file:$log" -monitor "unix:$LAB/$s.monitor,server,nowait" \
		-chardev "file,id=out,path=$serial" -device isa-serial,chardev=out </dev/null || rc=$?
	echo "lab: $s: machine ended after $((SECONDS - start)) s (qemu exit $rc)"
	# Each block between the markers is one step's files.
	local blocks=0
	while IFS= read -r -d '' block; do
		printf '%s' "$block" | base64 -d | tar -xz -C "$dir" && blocks=$((blocks + 1))
	done < <(tr -d '\r' <"$serial" | awk '
		/^--- lab-out begin ---$/ { on = 1; next }
		/^--- lab-out end ---$/ { on = 0; printf "%c", 0; next }
		on')
	echo "lab: $s: $blocks file set(s) came out to $dir"
}

fetch_kernel
build_initramfs
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=($(cd tests/lab/scenarios && ls *.sh | sed 's/\.sh$//'))
for s in "${scenarios[@]}"; do run_scenario "$s"; done
# A scenario whose checks fail is booted once more: the emulator has races of its own
# (README, "What the lab found": a dropped STI shadow, an interrupt taken twice) that
# a vmtax regression would not get past twice. The first boot's failures stay printed
# and its files stay in out/lab/SCENARIO.first/.
again=()
for s in "${scenarios[@]}"; do
	LAB_FIRST_BOOT=1 tests/lab/check.sh "$s" || again+=("$s")
done
for s in "${again[@]}"; do
	echo "lab: $s: checks failed on the first boot; booting it once more"
	rm -rf "$OUT/$s.first"; mv "$OUT/$s" "$OUT/$s.first"; mv "$OUT/$s.log" "$OUT/$s.first/console.log"
	run_scenario "$s"
done
echo "lab: ${#scenarios[@]} scenario(s) in $SECONDS s (${#again[@]} booted twice)"
tests/lab/check.sh "${scenarios[@]}"
