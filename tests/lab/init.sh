#!/bin/sh
# /init of the lab's initramfs: the machine QEMU boots. It loads kvm_amd as the scenario
# asks, runs the scenario's commands, and sends everything under /out back through the
# second serial port (ttyS1) as a base64 tar, between markers the host looks for.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp /out
mount -t tmpfs tmpfs /tmp

scenario=$(sed -n 's/.*lab\.scenario=\([a-z0-9-]*\).*/\1/p' /proc/cmdline)
echo "lab: scenario $scenario on $(uname -r), $(nproc) CPUs"
. /lab/guest-lib.sh
. /lab/scenarios/"$scenario".sh
# The scenario's own steps; each one's output goes to the console (the .log).
lab_guest >/out/scenario.txt 2>&1
echo "lab: scenario exit $?" >>/out/scenario.txt
cat /out/scenario.txt
dmesg >/out/dmesg.txt

stty -F /dev/ttyS1 raw -echo 2>/dev/null
{ echo "--- lab-out begin ---"; tar -C /out -cz . | base64; echo "--- lab-out end ---"; } >/dev/ttyS1
sync
poweroff -f
