#!/bin/sh
# /init of the lab's initramfs: the machine QEMU boots. It runs the scenario named on
# the kernel command line; each step sends its files back through the second serial
# port (ttyS1) as it finishes (lab_send), the console log last.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp /out
mount -t tmpfs tmpfs /tmp
stty -F /dev/ttyS1 raw -echo 2>/dev/null

scenario=$(sed -n 's/.*lab\.scenario=\([a-z0-9-]*\).*/\1/p' /proc/cmdline)
echo "lab: scenario $scenario on $(uname -r), $(nproc) CPUs"
. /lab/guest-lib.sh
. /lab/scenarios/"$scenario".sh
{ lab_guest; echo "lab: scenario exit $?"; } 2>&1 | tee /out/scenario.txt
dmesg >/out/dmesg.txt
lab_send scenario.txt dmesg.txt
sync
poweroff -f
