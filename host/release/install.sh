#!/bin/sh
# install.sh installs crewplan from this unpacked release archive, or
# upgrades an install made by it, or removes it. See README.md beside it.
#
#   sudo sh install.sh                      install, or upgrade in place
#   sudo sh install.sh --uninstall          remove the program and the unit; keep config and data
#   sudo sh install.sh --uninstall --purge  also remove /etc/crewplan and /var/lib/crewplan
#   sh install.sh --root DIR                install into DIR standing in for / (no user, owners or systemctl)
set -eu

say() { printf 'crewplan install: %s\n' "$*"; }
die() {
	printf 'crewplan install: error: %s\n' "$*" >&2
	exit 1
}

usage() {
	cat <<'EOF'
usage: install.sh [--root DIR] [--uninstall [--purge]]

Installs crewplan from the folder this script is in:
  /usr/local/bin/crewplan                    the program (built-in plugins included)
  /etc/crewplan/*.yaml                       the configuration (files you changed are kept)
  /var/lib/crewplan                          the working folder: data/, logs/
  /usr/local/share/crewplan/models/default.wasm   the default ranking model
  /etc/systemd/system/crewplan.service       the service, run as the system user crewplan

  --root DIR    install into DIR instead of /, for trying it out or tests:
                no user is made, no owner set, systemctl is not run
  --uninstall   stop and remove the program, the model and the unit;
                keep /etc/crewplan and /var/lib/crewplan
  --purge       with --uninstall: also delete /etc/crewplan and
                /var/lib/crewplan (the database, logs and local backups)
EOF
}

root=
root_given=0
uninstall=0
purge=0
while [ $# -gt 0 ]; do
	case $1 in
	--root)
		[ $# -ge 2 ] || die "--root needs a folder"
		root=$2
		root_given=1
		shift 2
		;;
	--root=*)
		root=${1#--root=}
		root_given=1
		shift
		;;
	--uninstall)
		uninstall=1
		shift
		;;
	--purge)
		purge=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) die "unknown option $1 (see install.sh --help)" ;;
	esac
done
[ "$purge" = 0 ] || [ "$uninstall" = 1 ] || die "--purge goes with --uninstall: install.sh --uninstall --purge"

if [ "$root_given" = 1 ]; then
	[ -n "$root" ] || die "--root needs a folder"
	mkdir -p "$root" || die "cannot make the folder $root"
	root=$(cd "$root" && pwd)
	[ "$root" != / ] || root=
fi
if [ "$root_given" = 0 ] && [ "$(id -u)" != 0 ]; then
	die "run as root (sudo sh install.sh), or give --root DIR to install into a folder"
fi

src=$(cd "$(dirname "$0")" && pwd)
bin=$root/usr/local/bin/crewplan
share=$root/usr/local/share/crewplan
etc=$root/etc/crewplan
home=$root/var/lib/crewplan
unit=$root/etc/systemd/system/crewplan.service
logrotate=$root/etc/logrotate.d/crewplan
user=crewplan

# real is true when installing into / as root: the user, owners and
# systemctl are this script's business only then.
real() { [ "$root_given" = 0 ]; }
# systemd is true when systemd runs this machine.
systemd() { real && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

if real && command -v dpkg-query >/dev/null 2>&1 &&
	dpkg-query -W -f '${Status}' crewplan 2>/dev/null | grep -q 'install ok installed'; then
	die "crewplan is installed from its .deb package: upgrade or remove it with apt or dpkg, not with install.sh"
fi

if [ "$root_given" = 1 ]; then
	say "working in $root (--root) instead of /: not making the user $user, not setting owners, not running systemctl"
fi

# --- uninstall ---------------------------------------------------------------

if [ "$uninstall" = 1 ]; then
	if systemd && [ -e "$unit" ]; then
		say "stopping and disabling the service crewplan"
		systemctl disable --now crewplan.service || die "systemctl disable --now crewplan failed"
	fi
	rm -f "$unit" "$bin" "$logrotate"
	rm -rf "$share"
	if systemd; then
		systemctl daemon-reload
	fi
	say "removed $bin, $unit, $logrotate and $share"
	if [ "$purge" = 1 ]; then
		rm -rf "$etc" "$home"
		say "purged $etc and $home (configuration, database, logs, local backups)"
		if real && id "$user" >/dev/null 2>&1; then
			say "the user $user is kept; remove it with: userdel $user"
		fi
	else
		say "kept the configuration in $etc and the data in $home (install.sh --uninstall --purge deletes them)"
	fi
	exit 0
fi

# --- install or upgrade ------------------------------------------------------

for f in crewplan crewplan.service crewplan.logrotate configs/base.yaml models/default.wasm; do
	[ -f "$src/$f" ] || die "$src/$f is missing: run install.sh from the unpacked release archive"
done
version=$("$src/crewplan" version 2>&1) ||
	die "$src/crewplan does not run on this machine ($version): is this the archive for $(uname -m)?"

fresh=1
if [ -e "$bin" ] || [ -e "$home/data" ]; then
	fresh=0
fi
if [ "$fresh" = 1 ]; then
	say "installing $version"
else
	say "upgrading to $version (was: $("$bin" version 2>/dev/null || echo unknown))"
fi

was_active=0
if systemd && systemctl is-active --quiet crewplan.service; then
	was_active=1
	say "stopping the service crewplan"
	systemctl stop crewplan.service || die "systemctl stop crewplan failed"
fi

if real && ! id "$user" >/dev/null 2>&1; then
	nologin=$(command -v nologin || echo /usr/sbin/nologin)
	[ -x "$nologin" ] || nologin=/bin/false
	useradd --system --user-group --home-dir /var/lib/crewplan --no-create-home \
		--shell "$nologin" --comment "crewplan staff scheduler" "$user" ||
		die "useradd $user failed"
	say "made the system user $user"
fi

# put copies src to dest through a temporary file beside it, so that dest
# is the old or the new file, never half of one.
put() {
	mkdir -p "$(dirname "$3")"
	cp "$2" "$3.new.$$"
	chmod "$1" "$3.new.$$"
	mv -f "$3.new.$$" "$3"
}

put 0755 "$src/crewplan" "$bin"
put 0644 "$src/models/default.wasm" "$share/models/default.wasm"
put 0644 "$src/crewplan.service" "$unit"
put 0644 "$src/crewplan.logrotate" "$logrotate"

# The configuration: a file the admin never changed (it is still the
# default of the version installed before, kept in $share/configs) takes the
# new default; a changed one is kept, and the new default goes beside it as
# NAME.yaml.dist.
mkdir -p "$etc"
chmod 0750 "$etc"
for new in "$src"/configs/*.yaml; do
	name=$(basename "$new")
	cur=$etc/$name
	old=$share/configs/$name
	if [ ! -e "$cur" ]; then
		put 0640 "$new" "$cur"
	elif cmp -s "$cur" "$new"; then
		rm -f "$cur.dist"
	elif [ -e "$old" ] && cmp -s "$cur" "$old"; then
		put 0640 "$new" "$cur"
		say "updated $cur to the new default"
	else
		put 0640 "$new" "$cur.dist"
		say "kept $cur, which was changed here; the new default is beside it: $cur.dist"
	fi
	put 0644 "$new" "$old"
done
if real; then
	chgrp -R "$user" "$etc"
fi

mkdir -p "$home"
chmod 0750 "$home"
if real; then
	chown "$user:$user" "$home"
fi

# crewplan is how a person runs the installed crewplan.
if real; then
	crewplan="runuser -u $user -- crewplan"
else
	crewplan="CREWPLAN_HOME=$home CREWPLAN_CONFIG_DIR=$etc $bin"
fi

# as_crewplan runs a command as the service does: as its user (so that
# what it writes is the service's; with --root, as whoever runs this
# script) and with the unit's environment only, so that CREWPLAN_
# variables of the admin's shell do not steer it.
as_crewplan() {
	if real; then
		runuser -u "$user" -- env -i PATH="$PATH" CREWPLAN_HOME=/var/lib/crewplan CREWPLAN_CONFIG_DIR=/etc/crewplan "$@"
	else
		env -i PATH="$PATH" CREWPLAN_HOME="$home" CREWPLAN_CONFIG_DIR="$etc" "$@"
	fi
}

if [ "$fresh" = 1 ]; then
	# A fresh install registers the default model, inactive: the rules rank
	# until an admin activates it or trains one on the store's history.
	if out=$(as_crewplan "$bin" --profile production ranker add "$share/models/default.wasm" 2>&1); then
		id=$(printf '%s\n' "$out" | sed -n 's/^model \([0-9][0-9]*\) added.*/\1/p')
		say "registered the default ranking model as model ${id:-?}, inactive: it was trained on the demo store,"
		say "  a starting point; activate it with: $crewplan ranker activate ${id:-ID}"
	else
		printf '%s\n' "$out" >&2
		die "registering the default ranking model failed; once fixed, run: $crewplan ranker add $share/models/default.wasm"
	fi
fi

if systemd; then
	systemctl daemon-reload
	if [ "$fresh" = 1 ]; then
		systemctl enable --now crewplan.service || die "systemctl enable --now crewplan failed: see journalctl -u crewplan"
		say "started the service crewplan, and enabled it at boot"
	elif [ "$was_active" = 1 ]; then
		systemctl start crewplan.service || die "systemctl start crewplan failed: see journalctl -u crewplan"
		say "started the service crewplan again (it migrates the database at start)"
	else
		say "the service crewplan was not running before the upgrade, so it is not started: systemctl start crewplan"
	fi
elif real; then
	say "systemd does not run this machine: start crewplan yourself, as the user $user:"
	say "  cd /var/lib/crewplan && runuser -u $user -- crewplan serve --profile production"
fi

say "done. Check the install with: $crewplan doctor"
say "crewplan listens on http://127.0.0.1:8000 (server.host and server.port in $etc)"
