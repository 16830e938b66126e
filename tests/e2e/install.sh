#!/usr/bin/env bash
# `cmake --install` and the CPack .deb: every file lands where Debian and the
# shells look for it, the installed binary runs and scans, the man page renders,
# and the package's Depends: names the libraries the binary links.
B=$(dirname "$(readlink -f "$SFMC")") # before lib.sh, which may wrap $SFMC
. "$(dirname "$0")/lib.sh"
[ -f "$B/CMakeCache.txt" ] || { echo "cannot find the build directory of $SFMC" >&2; exit 1; }
[ -f "$B/man/sfmc-scan.1" ] || cmake --build "$B" --target man >/dev/null

# Checks an installed tree under $1 (prefix $2).
check_tree() {
	local root=$1 p=$2
	for f in bin/sfmc-scan share/man/man1/sfmc-scan.1 share/bash-completion/completions/sfmc-scan \
		share/zsh/vendor-completions/_sfmc-scan share/fish/vendor_completions.d/sfmc-scan.fish \
		share/doc/sfmc-scan/README.md share/doc/sfmc-scan/LICENSE share/doc/sfmc-scan/SECURITY.md \
		share/sfmc-scan/rules/sfmc.yaml; do
		[ -e "$root$p/$f" ] || fail "$3: $p/$f is not installed"
	done
	run "$root$p/bin/sfmc-scan" --version
	expect_rc 0 "$3: installed --version"
	expect_out_has "sfmc-scan "
	run "$root$p/bin/sfmc-scan" dir "$SFMC_SOURCE_DIR/fixtures/demo"
	expect_rc 1 "$3: the installed binary finds the demo secret"
	expect_out_has "app/settings.env:3:20"
	MANWIDTH=80 man -l "$root$p/share/man/man1/sfmc-scan.1" >"$T/man.txt" 2>"$T/man.err" ||
		fail "$3: man cannot render the page: $(cat "$T/man.err")"
	grep -q -- '--show-secrets' "$T/man.txt" || fail "$3: the man page lacks --show-secrets"
	# bash completion: the installed file completes commands and formats.
	got=$(bash -c '. "$1"; COMP_WORDS=(sfmc-scan di); COMP_CWORD=1; _sfmc_scan; echo "${COMPREPLY[*]}"' _ \
		"$root$p/share/bash-completion/completions/sfmc-scan")
	[ "$got" = dir ] || fail "$3: bash completion of 'sfmc-scan di' gave '$got'"
	got=$(bash -c '. "$1"; COMP_WORDS=(sfmc-scan dir -f sa); COMP_CWORD=3; _sfmc_scan; echo "${COMPREPLY[*]}"' _ \
		"$root$p/share/bash-completion/completions/sfmc-scan")
	[ "$got" = sarif ] || fail "$3: bash completion of '-f sa' gave '$got'"
}

run cmake --install "$B" --prefix "$T/prefix"
expect_rc 0 "cmake --install"
check_tree "" "$T/prefix" "cmake --install"

# The .deb: built by CPack, unpacked into a temporary root.
run cpack -G DEB -B "$T/pkg" --config "$B/CPackConfig.cmake"
expect_rc 0 "cpack -G DEB"
deb=$(ls "$T"/pkg/sfmc-scan_*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then
	fail "cpack made no .deb"
else
	dpkg-deb -f "$deb" Depends >"$T/depends"
	for lib in libgit2 libpcre2-8 libyaml libjansson libdeflate libssl libarchive13 libcurl4 libsqlite3; do
		grep -q "$lib" "$T/depends" || fail ".deb Depends lacks $lib: $(cat "$T/depends")"
	done
	[ "$(dpkg-deb -f "$deb" Package)" = sfmc-scan ] || fail ".deb Package is not sfmc-scan"
	dpkg-deb -x "$deb" "$T/root"
	check_tree "$T/root" /usr ".deb"
fi
finish
