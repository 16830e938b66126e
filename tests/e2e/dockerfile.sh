#!/usr/bin/env bash
# The Dockerfile, checked without docker (tests stay off the network): its
# build stage installs every -dev package CMakeLists.txt needs, its build
# commands work as written on a copy of this tree (apt-get stands in), and its
# runtime stage installs the package of every shared library the binary links
# (ELF NEEDED entries), runs as a non-root user with sfmc-scan as entrypoint.
SFMC_BIN=$SFMC # before lib.sh, which may wrap $SFMC
. "$(dirname "$0")/lib.sh"
S=$SFMC_SOURCE_DIR
D=$S/Dockerfile
[ "$(grep -c '^FROM ' "$D")" = 2 ] || fail "Dockerfile: expected two stages (build, runtime)"
build_stage=$(awk '/^FROM /{n++} n==1' "$D")
runtime_stage=$(awk '/^FROM /{n++} n==2' "$D")
# apt-get install lines of a stage, continuation lines joined.
pkgs() { sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep -o 'apt-get install[^&]*' | tr ' ' '\n' | grep -v '^-' | grep -v '^apt-get$\|^install$\|^$'; }
echo "$build_stage" | pkgs >"$T/build-pkgs"
echo "$runtime_stage" | pkgs >"$T/runtime-pkgs"

mods=$(sed -n 's/^pkg_check_modules(DEPS REQUIRED IMPORTED_TARGET \(.*\))$/\1/p' "$S/CMakeLists.txt")
for m in $mods; do
	p=$(dpkg -S "$(pkg-config --path "$m")" | head -1 | cut -d: -f1)
	grep -qx "$p" "$T/build-pkgs" || fail "Dockerfile build stage lacks $p (pkg-config $m)"
done
# Every library the binary links, by package; libc6 comes with the base image.
for lib in $(objdump -p "$(readlink -f "$SFMC_BIN")" | awk '/NEEDED/{print $2}'); do
	# awk reads all of ldconfig's output (no early exit: SIGPIPE would fail the pipeline).
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|x32|aarch64/ && !p {p = $NF} END {print p}')
	[ -n "$path" ] || { fail "cannot find $lib"; continue; }
	# usrmerge: dpkg knows a library by /lib or /usr/lib, whichever its package ships.
	p=$({ dpkg -S "$path" || dpkg -S "$(readlink -f "$path")" || dpkg -S "/usr$path"; } 2>/dev/null | head -1 | cut -d: -f1)
	[ "$p" = libc6 ] && continue
	case $lib in libasan.* | libubsan.* | liblsan.* | libtsan.*) continue ;; esac # a sanitizer build
	grep -qx "$p" "$T/runtime-pkgs" || fail "Dockerfile runtime stage lacks $p (the binary links $lib)"
done
echo "$runtime_stage" | grep -qE '^USER [a-z]' || fail "the runtime stage does not switch to a non-root user"
echo "$runtime_stage" | grep -q '^ENTRYPOINT \["sfmc-scan"\]' || fail "the entrypoint is not sfmc-scan"

# The build stage's commands, as written, on a copy of the tree (WORKDIR /src -> $T/src, /build, /out under $T).
if [ -z "${SFMC_WRAP:-}" ]; then
	mkdir "$T/src"
	(cd "$S" && git ls-files -z -co --exclude-standard | xargs -0 tar cf -) | tar xf - -C "$T/src"
	mkdir -p "$T/shim"
	printf '#!/bin/sh\nexit 0\n' >"$T/shim/apt-get"
	chmod +x "$T/shim/apt-get"
	echo "$build_stage" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | sed -n 's/^RUN //p' |
		sed -e "s#/build#$T/build#g; s#DESTDIR=/out#DESTDIR=$T/out#g; s#rm -rf /var/lib/apt/lists/\*#true#g" >"$T/build.sh"
	(cd "$T/src" && PATH="$T/shim:$PATH" bash -e "$T/build.sh") >"$T/build.log" 2>&1 ||
		fail "the Dockerfile's build commands failed: $(tail -20 "$T/build.log")"
	run "$T/out/usr/bin/sfmc-scan" dir "$S/fixtures/demo"
	expect_rc 1 "the image's binary scans the demo"
	[ -f "$T/out/usr/share/man/man1/sfmc-scan.1" ] || fail "the image has no man page"
fi
finish
