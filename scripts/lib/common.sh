# Shared shell helpers for vmscope's scripts.  Sourced, never run.
# SPDX-License-Identifier: GPL-2.0-or-later

# Everything downloaded or built outside the repository lives here, keyed by
# version, so a second run (or a CI machine that keeps this directory) pays
# nothing for it.
VMSCOPE_CACHE=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
CRASH_VERSION_DEFAULT=${CRASH_VERSION_DEFAULT:-9.0.2}

die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# The Debian mirror this machine already uses.  We never hard-code a host:
# the URI comes from the system's own apt sources (deb822 or one-line form).
debian_mirror() {
	local uri=""
	if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
		uri=$(awk '
			/^URIs:/ { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) s = 1 }
			/^$/ { if (u != "" && s && u !~ /security/) { print u; exit } u = ""; s = 0 }
			END { if (u != "" && s && u !~ /security/) print u }' \
			/etc/apt/sources.list.d/*.sources | head -n 1)
	fi
	if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
		uri=$(awk '$1 == "deb" && $0 !~ /security/ {
			for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit } }' \
			/etc/apt/sources.list)
	fi
	[ -n "$uri" ] || die "cannot find a Debian mirror in the system's apt sources"
	printf '%s\n' "$uri"
}

# apt_suite SUITE apt-get|apt-cache ARGS...: run apt against another Debian
# suite through a private configuration, leaving the system's apt state alone.
apt_suite() {
	local suite=$1 tool=$2; shift 2
	local d="$VMSCOPE_CACHE/apt/$suite"
	local opts=(-o "Dir::Etc::sourcelist=$d/sources.list" -o "Dir::Etc::sourceparts=-"
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o "Dir::State::status=/var/lib/dpkg/status" -o "APT::Get::List-Cleanup=0"
		-o "Debug::NoLocking=1")
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	# Checkouts sharing the cache must not update the same lists at once.
	exec {lockfd}>"$d/lock"
	flock "$lockfd"
	if [ ! -f "$d/lists/.updated" ] || [ -n "${APT_SUITE_REFRESH:-}" ]; then
		local m; m=$(debian_mirror)
		local key=/usr/share/keyrings/debian-archive-keyring.gpg
		printf 'deb [signed-by=%s] %s %s main\ndeb-src [signed-by=%s] %s %s main\n' \
			"$key" "$m" "$suite" "$key" "$m" "$suite" > "$d/sources.list"
		apt-get "${opts[@]}" -q update >&2 || die "apt-get update for $suite failed"
		touch "$d/lists/.updated"
	fi
	"$tool" "${opts[@]}" "$@"
	local rc=$?
	exec {lockfd}>&-
	return $rc
}
