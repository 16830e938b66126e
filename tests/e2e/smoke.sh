#!/usr/bin/env bash
# Smoke: the three test vectors of the token format, through dir and check.
. "$(dirname "$0")/lib.sh"
mkdir "$T/tree"
printf 'a=SFMC_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953\n' >"$T/tree/valid.txt"
printf 'b=SFMC_bBRsk29cztUX1kmObfEjdpyHGfY5PBNaNKNYd7pMCapFTzdbKB1810c1fcd\n' >"$T/tree/invalid.txt"
run "$SFMC" dir -f json "$T/tree"
expect_rc 1 "dir with a valid token"
expect_jq '[.findings[] | "\(.path):\(.line):\(.column):\(.level)"] | join(",")' \
	'invalid.txt:1:3:warning,valid.txt:1:3:error'
expect_out_lacks 'SFMC_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno62a6e953'
run "$SFMC" check SFMC_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA35994afa
expect_rc 0 "check of a valid vector"
finish
