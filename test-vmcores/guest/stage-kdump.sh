# /stage.sh of the "kdump" variant, sourced by /init with "pre" or "post".
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pre:  load the capture kernel (/kdump/vmlinuz with /kdump/initrd.gz, whose
#       /init is kdump-init.sh) into the crashkernel= reservation.
# post: the ground truth is on the console: crash the kernel.  The capture
#       kernel writes the dumps and reboots, which ends QEMU (-no-reboot).
case "$1" in
pre)
	/usr/sbin/kexec -p /kdump/vmlinuz --initrd=/kdump/initrd.gz \
		--append="$(cat /kdump/cmdline)" || say "kexec -p failed"
	if [ "$(cat /sys/kernel/kexec_crash_loaded 2>/dev/null)" = 1 ]; then
		echo "VMS KDUMP LOADED"
	else
		echo "VMS KDUMP NOT-LOADED"
	fi
	;;
post)
	if [ "$(cat /sys/kernel/kexec_crash_loaded 2>/dev/null)" != 1 ]; then
		echo "VMS KDUMP NOT-LOADED"
		poweroff -f
	fi
	sleep 1		# let the serial log catch up
	echo "VMS KDUMP PANIC"
	echo c > /proc/sysrq-trigger
	;;
esac
