#!/usr/bin/env bash
# test_cli_mistakes — a mistake gets the fix, not just the error, and exit 2:
# an unknown command, upstream (crawl, update, pack), distro or arch
# (selectors) names the valid ones and the nearest ("did you mean
# debian-12?"); a mistyped option is one line with the nearest option and
# "see kbundle CMD -h", never the whole usage; a missing upstream directory
# says where upstream files come from; a missing QEMU or make names the
# Debian package; `kbundle help CMD` and -V work. Read-only: the manifest
# and upstreams of the source tree, no network.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"
out=$KB_TMP/out err=$KB_TMP/err
man=$KB_SRC/manifest.yml ups=$KB_SRC/upstreams
[ -s "$man" ] || kb_die "no $man in the source tree"
cd "$KB_TMP"

mistake() { # mistake PATTERN CMD ARG…: exit 2, PATTERN on stderr, stdout silent
	local pat=$1 rc=0
	shift
	env PATH="${run_path:-$PATH}" "$KBUNDLE" "$@" >"$out" 2>"$err" </dev/null || rc=$?
	[ $rc -eq 2 ] || { cat "$err"; kb_die "kbundle $*: exit $rc, want 2"; }
	grep -qE -- "$pat" "$err" || kb_die "kbundle $*: stderr lacks '$pat': $(cat "$err")"
	[ ! -s "$out" ] || kb_die "kbundle $*: wrote to stdout: $(head -c 200 "$out")"
}

mistake "'pak' is not a command; did you mean pack\? valid: btf, build, cache, crawl" pak
mistake "did you mean vmtest\?" help vmtset
for c in pack vmtest crawl fetch publish; do
	mistake "^kbundle $c: unknown option '--vebrose'; did you mean --verbose\? see kbundle $c -h$" $c --vebrose
	[ "$(wc -l <"$err")" -eq 1 ] || kb_die "$c --vebrose: $(wc -l <"$err") lines, want one"
done
mistake "^kbundle pack: option '--jobs' needs a value; see kbundle pack -h$" pack --jobs
mistake "^kbundle pack: unknown option '-Z'; see kbundle pack -h$" pack -Z
kb_log "commands and options: did you mean, one line"

mistake "no upstream 'debian12' .*; did you mean debian-12\? valid: .*debian-11, debian-12" \
	crawl --upstreams "$ups" --lists "$KB_TMP/lists" --workdir wd debian12
mistake "did you mean debian-12\?" update --upstreams "$ups" --lists "$KB_TMP/lists" --workdir wd \
	--manifest m.yml --dry-run debian12
mkdir mod && echo "obj-m := m.o" >mod/Kbuild
for c in pack vmtest "build --module mod -o built"; do
	# shellcheck disable=SC2086
	set -- $c
	mistake "^error: --upstream 'debian12': no manifest entry has it; did you mean debian-12\?" \
		"$@" --manifest "$man" --upstreams "$ups" --workdir wd --upstream debian12
	mistake "^error: --arch 'amd46': .*did you mean amd64\? valid: .*amd64, arm64" \
		"$@" --manifest "$man" --upstreams "$ups" --workdir wd --arch amd46
	mistake "^error: --distro 'debain': .*did you mean debian\?" \
		"$@" --manifest "$man" --upstreams "$ups" --workdir wd --distro debain
done
[ ! -e built ] || kb_die "a refused build made its output directory"
mistake "^error: --upstream 'debian12': .*did you mean debian-12\?" plan --manifest "$man" --shards 2 --upstream debian12
[ ! -e wd ] || kb_die "a refused selection left a work directory behind"
kb_log "upstream, distro, arch: exit 2 with the nearest valid name"

mistake "upstreams: no such directory of upstream files; give --upstreams DIR.*share/kbundle/upstreams" crawl
mistake "no such directory of upstream files" manifest
mkdir bin && ln -s "$(command -v make)" bin/make
run_path=$KB_TMP/bin mistake "qemu-system-x86_64: not installed.*apt-get install qemu-system-x86" \
	vmtest --manifest "$man" --upstreams "$ups" --workdir wd --arch amd64 --latest --dry-run
run_path=/nonexistent mistake "make: not installed; apt-get install make" \
	vmtest --manifest "$man" --upstreams "$ups" --workdir wd --arch amd64 --latest --dry-run
kb_log "missing data directory and tools: exit 2 naming the fix"

"$KBUNDLE" help pack >"$out" && grep -q '^usage: kbundle pack' "$out" || kb_die "kbundle help pack"
"$KBUNDLE" help >"$out" && grep -q '^usage: kbundle' "$out" || kb_die "kbundle help"
"$KBUNDLE" -V | grep -q '^kbundle ' || kb_die "kbundle -V"
echo ok
