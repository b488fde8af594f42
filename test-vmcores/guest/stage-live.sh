# /stage.sh of the "live" variant, sourced by /init with "pre" or "post".
# SPDX-License-Identifier: GPL-2.0-or-later
#
# post: stop the workload, mount the read-only disk "vms-live" (the host's
# crash, its libraries under root/, the debug vmlinux, vmscope.so and the
# command file cmds), run crash on /proc/kcore, and write a tar of
#   cmds     the command file as run ({PIDS}, {PID0}.. expanded)
#   live.out crash's stdout and stderr
#   live.rc  crash's exit status
# onto the raw disk "vms-liveout"; then say VMS LIVE-DONE on the console.
case "$1" in
post)
	pids=$(cat /tmp/ready)
	kill -STOP $pids
	live=$(disk_by_serial vms-live) && liveout=$(disk_by_serial vms-liveout) ||
		{ echo "VMS LIVE-DONE nodisk"; return 0; }
	mount -t ext4 -o ro "$live" /mnt || { echo "VMS LIVE-DONE nomount"; return 0; }
	# crash's libraries (and libstdbuf) at the paths ldd named on the host.
	( cd /mnt/root && find . ! -type d ) | while read -r f; do
		f=${f#.}
		mkdir -p "${f%/*}"
		[ -e "$f" ] || ln -s "/mnt/root$f" "$f"
	done
	# crash checks the vmlinux against /proc/version with strings(1).
	ln -sf /bin/busybox /usr/bin/strings
	mkdir -p /tmp/live
	set -- $pids
	sed -e "s/{PIDS}/$pids/g" -e "s/{PID0}/$1/g" -e "s/{PID1}/$2/g" -e "s/{PID2}/$3/g" \
		/mnt/cmds > /tmp/live/cmds
	echo "VMS LIVE START $pids"
	( cd /tmp/live && HOME=/tmp/live LD_PRELOAD=/mnt/root/usr/libexec/coreutils/libstdbuf.so \
		_STDBUF_O=L /mnt/crash -s /mnt/vmlinux /proc/kcore -i /tmp/live/cmds \
		</dev/null >/tmp/live/live.out 2>&1 )
	echo $? > /tmp/live/live.rc
	tar -c -f "$liveout" -C /tmp/live cmds live.out live.rc
	sync
	echo "VMS LIVE-DONE rc=$(cat /tmp/live/live.rc) bytes=$(wc -c < /tmp/live/live.out)"
	;;
esac
