# tests/e2e/pack_lib.sh — helpers shared by the test_pack_* tests (sourced
# after lib.sh): crawl a mirror into lists (with `kbundle crawl`, or from the
# fixture's picks while the crawl command is not in this build), build the
# test module against an extracted bundle.

# pack_lists DIR UPSTREAMS PICKS — lists/ for every upstream in UPSTREAMS.
pack_lists() {
	local lists=$1 ups=$2 picks=$3 name today suite pname ver arch kind rel pool file dep
	if "$KBUNDLE" crawl --help >/dev/null 2>&1; then
		"$KBUNDLE" crawl --upstreams "$ups" --lists "$lists" --workdir "$KB_TMP/crawl-wd"
		return
	fi
	mkdir -p "$lists"
	today=$(date -u +%F)
	for name in "$ups"/*.yml; do
		name=$(basename "$name" .yml)
		{
			printf '#kbundle-list 1\tname\tversion\tarch\tkind\trelease\tpath\tsize\tsha256\tdepends\tfirst_seen\tlast_seen\tpresent\n'
			while IFS=$'\t' read -r suite pname ver arch kind rel pool file; do
				[ "$kind" = - ] && continue
				dep=$(dpkg-deb -f "$file" Depends | tr -d '\n')
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t1\n' "$pname" "$ver" "$arch" \
					"$kind" "$rel" "$pool" "$(stat -c %s "$file")" "$(kb_sha256 "$file")" "$dep" \
					"$today" "$today"
			done <"$picks" | LC_ALL=C sort
		} >"$lists/$name.list"
	done
}

# pack_build_module BUNDLE.tgz DIR — extract the bundle into DIR (on tmpfs
# when there is one) and build the hello module against it; prints the
# module's vermagic.
pack_build_module() {
	local tgz=$1 dir=$2 mod
	mkdir -p "$dir/root"
	tar -xzf "$tgz" -C "$dir/root"
	mod=$dir/mod
	mkdir -p "$mod"
	cat >"$mod/hello.c" <<'EOC'
#include <linux/init.h>
#include <linux/module.h>
static int __init hello_init(void) { pr_info("kbundle hello\n"); return 0; }
static void __exit hello_exit(void) { }
module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
EOC
	echo 'obj-m := hello.o' >"$mod/Makefile"
	(cd "$dir/root" && make -s -C "$(cat BUNDLE_BUILD_DIR)" M="$mod" modules) >"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log" >&2; kb_die "module build against $(basename "$tgz") failed"; }
	modinfo -F vermagic "$mod/hello.ko"
}

# A scratch directory for extracted bundles: tmpfs when writable (a header
# tree is ~13,000 files), somewhere other than the work directory.
pack_scratch() {
	local d
	if [ -w /dev/shm ]; then d=$(mktemp -d /dev/shm/kb-pack.XXXXXX); else d=$(mktemp -d "$TMPDIR/kb-pack.XXXXXX"); fi
	kb_on_exit rm -rf "$d"
	echo "$d"
}

# pack_index_id INDEX.json UNAME — the id of the bundle for UNAME.
pack_index_id() {
	python3 -c 'import json, sys
print([b["id"] for b in json.load(open(sys.argv[1]))["bundles"] if b["uname"] == sys.argv[2]][0])' "$1" "$2"
}
