#!/usr/bin/env bash
# test_cli_options — the options several commands share are spelt and
# checked the same on each (cli/options.c): -j/--jobs N on pack, vmtest and
# update, refused (exit 2, naming --jobs) outside 1..256 and by the commands
# that take no jobs; --json FILE|- with '-' (or a bare --json) meaning stdout
# and nothing else on stdout; manifest's --manifest FILE and its older -o
# and --output spellings writing the same bytes; vmtest's usage listing the
# checks and accelerators its parser takes. No network: an update against a
# closed loopback port fails its crawl but still reports.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
[ -x "$KBUNDLE" ] || kb_skip "no kbundle binary at $KBUNDLE"
out=$KB_TMP/out err=$KB_TMP/err
cd "$KB_TMP"

usage_error() { # usage_error PATTERN CMD ARG…: exit 2, PATTERN on stderr, stdout silent
	local pat=$1 rc=0
	shift
	"$KBUNDLE" "$@" >"$out" 2>"$err" </dev/null || rc=$?
	[ $rc -eq 2 ] || kb_die "kbundle $*: exit $rc, want 2"
	grep -qE -- "$pat" "$err" || kb_die "kbundle $*: stderr lacks '$pat': $(cat "$err")"
	[ ! -s "$out" ] || kb_die "kbundle $*: wrote to stdout"
}

# -j/--jobs: one parser, one range, one message.
for c in pack vmtest update; do
	for bad in 0 257 x ''; do
		usage_error "^kbundle $c: --jobs: want a number from 1 to 256, not '$bad'" $c -j "$bad"
		usage_error "^kbundle $c: --jobs: want a number from 1 to 256, not '$bad'" $c --jobs "$bad"
	done
	for good in "-j 1" "--jobs 256" "--jobs=3" "-j4"; do
		# shellcheck disable=SC2086
		"$KBUNDLE" $c $good --help >/dev/null || kb_die "kbundle $c $good --help: exit $?"
	done
done
for c in crawl manifest cache publish fetch; do
	usage_error . $c --jobs 2
	usage_error . $c -j 2
done
kb_log "-j/--jobs: the same on pack, vmtest, update; refused elsewhere"

# manifest: --manifest FILE, and the older spellings, write the same bytes.
mkdir -p up lists
"$KBUNDLE" -q manifest --upstreams up --lists lists --manifest a.yml
"$KBUNDLE" -q manifest --upstreams up --lists lists -o b.yml
"$KBUNDLE" -q manifest --upstreams up --lists lists --output c.yml
[ -s a.yml ] && cmp -s a.yml b.yml && cmp -s a.yml c.yml || kb_die "manifest --manifest/-o/--output differ"
[ ! -e manifest.yml ] || kb_die "manifest --manifest FILE also wrote manifest.yml"

# --json FILE|-: an update whose only upstream is a closed port still
# writes its summary; '-' puts the JSON (and nothing else) on stdout.
cat >up/t.yml <<'YML'
distro: debian
family: apt
release: "12"
architectures: [amd64]
mirrors: ["http://127.0.0.1:9"]
suites: [bookworm]
components: [main]
keyring: none
YML
update() { # update WANT_EXIT ARG…
	local want=$1 rc=0
	shift
	"$KBUNDLE" update --upstreams up --lists lists --workdir wd --manifest m.yml --no-pack \
		--date 2026-01-01 "$@" >"$out" 2>"$err" || rc=$?
	[ $rc -eq "$want" ] || { cat "$err"; kb_die "update $*: exit $rc, want $want"; }
}
is_summary() { # is_summary FILE
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert j["format"].startswith("kbundle-update"), j
assert j["exit_status"] == 1, j' "$1" || kb_die "$1 is not the update summary: $(head -c 300 "$1")"
}
for form in "--json -" "--json" "--json=-"; do
	rm -rf wd
	# shellcheck disable=SC2086
	update 1 $form -v
	is_summary "$out"
	[ ! -e wd/reports ] || kb_die "update $form also wrote $(ls wd/reports)"
	[ ! -e ./- ] || kb_die "update $form wrote a file named '-'"
done
update 1 --json s1.json
is_summary s1.json
update 1 --json=s2.json
is_summary s2.json
update 1
is_summary wd/reports/update-2026-01-01.json
kb_log "--json FILE|-: stdout holds only the JSON; FILE and the default report too"

# vmtest's usage comes from the tables its parser uses.
"$KBUNDLE" vmtest --help >"$out"
grep -qx 'checks: build vermagic bpf-build bpf-validate boot insmod loaded selftest rmmod bpf-load bpf-attach bpf-run oops warning taint' "$out" ||
	kb_die "vmtest --help: checks line: $(grep '^checks' "$out")"
grep -qx 'accelerators: auto kvm tcg' "$out" || kb_die "vmtest --help: no accelerators line"
for chk in $(sed -n 's/^checks: //p' "$out"); do
	"$KBUNDLE" vmtest --non-critical "$chk" --help >/dev/null || kb_die "vmtest --non-critical $chk refused"
done
usage_error "is not a check" vmtest --critical no-such-check
usage_error "^kbundle vmtest: --accel: want auto, kvm, tcg" vmtest --accel qemu
echo "ok"
