#!/bin/sh
# /init of the kdump capture kernel (busybox sh).  Writes /proc/vmcore with
# makedumpfile (flattened format, -F) onto one raw virtio disk per dump level,
# found by its serial (kdump-d31, kdump-d1), then reboots: QEMU (-no-reboot)
# exits and the host rebuilds the dumps with makedumpfile -R.
# SPDX-License-Identifier: GPL-2.0-or-later
export PATH=/bin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
export TMPDIR=/tmp

echo "VMS KDUMP CAPTURE"
while read -r m; do
	insmod "/lib/modules/$m" 2>/dev/null || echo "VMS KDUMP insmod $m failed"
done < /lib/modules/order

disk_by_serial() {
	for b in /sys/block/vd*; do
		[ "$(cat "$b/serial" 2>/dev/null)" = "$1" ] && { echo "/dev/${b##*/}"; return 0; }
	done
	return 1
}

for level in 31 1; do
	i=0
	while ! dev=$(disk_by_serial "kdump-d$level") && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	if [ -z "$dev" ]; then
		echo "VMS KDUMP d$level nodisk"
		continue
	fi
	t0=$(cut -d. -f1 /proc/uptime)
	makedumpfile -F -c -d "$level" /proc/vmcore > "$dev"
	rc=$?
	sync
	echo "VMS KDUMP d$level rc=$rc $(( $(cut -d. -f1 /proc/uptime) - t0 ))s"
done
sync
echo "VMS KDUMP-DONE"
reboot -f
