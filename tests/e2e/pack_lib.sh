# tests/e2e/pack_lib.sh — helpers shared by the test_pack_* tests (sourced
# after lib.sh).

# pack_build_module BUNDLE.tgz DIR — extract the bundle into DIR (put it on
# tmpfs: a header tree is ~13,000 files) and build lib.sh's test module
# against it with `make -C "$(cat BUNDLE_BUILD_DIR)" M=… modules`; prints the
# module's vermagic.
pack_build_module() {
	local tgz=$1 dir=$2
	mkdir -p "$dir/root"
	tar -xzf "$tgz" -C "$dir/root"
	kb_test_module "$dir/mod"
	(cd "$dir/root" && make -s -C "$(cat BUNDLE_BUILD_DIR)" M="$dir/mod" modules) >"$dir/build.log" 2>&1 ||
		{ cat "$dir/build.log" >&2; kb_die "module build against $(basename "$tgz") failed"; }
	modinfo -F vermagic "$dir/mod/kbtest.ko"
}

# pack_index_id INDEX.json UNAME — the id of the bundle for UNAME.
pack_index_id() {
	python3 -c 'import json, sys
print([b["id"] for b in json.load(open(sys.argv[1]))["bundles"] if b["uname"] == sys.argv[2]][0])' "$1" "$2"
}

# pack_check_bundle TGZ UNAME ID SCRATCH — the bundle's meta files, its
# self-containment, and a module built against it (vermagic starts with
# BUNDLE_UNAME).
pack_check_bundle() {
	local tgz=$1 rel=$2 id=$3 d=$4 vm f
	mkdir -p "$d/meta"
	(cd "$(dirname "$tgz")" && sha256sum -c --quiet "$id.tgz.sha256") || kb_die "$rel: bad .sha256 sidecar"
	tar -xzf "$tgz" -C "$d/meta" bundle.json BUNDLE_BUILD_DIR BUNDLE_CHECKSUM BUNDLE_DISTRO \
		BUNDLE_UNAME BUNDLE_VERSION BUNDLE_MAJOR BUNDLE_MINOR BUNDLE_ARCH BUNDLE_COMPILER
	for f in "$d"/meta/BUNDLE_*; do
		[ -s "$f" ] || kb_die "$rel: $(basename "$f") is empty"
		[ "$(wc -l <"$f")" -eq 0 ] || kb_die "$rel: $(basename "$f") holds a newline"
	done
	[ "$(cat "$d/meta/BUNDLE_UNAME")" = "$rel" ] || kb_die "BUNDLE_UNAME is not $rel"
	[ "$(cat "$d/meta/BUNDLE_CHECKSUM")" = "$id" ] || kb_die "$rel: BUNDLE_CHECKSUM is not the id"
	[ "$(cat "$d/meta/BUNDLE_ARCH")" = amd64 ] || kb_die "$rel: BUNDLE_ARCH is not amd64"
	# the compiler the kernel's own .config names (CONFIG_GCC_VERSION)
	[ "$(cat "$d/meta/BUNDLE_COMPILER")" = "gcc-$(tar -xzOf "$tgz" --wildcards '*/.config' |
		sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)[0-9][0-9][0-9][0-9]$/\1/p' | head -n 1)" ] ||
		kb_die "$rel: BUNDLE_COMPILER '$(cat "$d/meta/BUNDLE_COMPILER")' is not the .config's gcc"
	python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))
assert b["id"] == sys.argv[2] and b["uname"] == sys.argv[3], b
assert "gcc" in (b["compiler"] or ""), b["compiler"]
assert b["compiler_spec"] == open(sys.argv[4]).read() and b["compiler_kind"] == "gcc", b
assert b["compiler_version"].split(".")[0] == b["compiler_spec"].split("-")[1], b
assert b["packages"] and all(len(p["sha256"]) == 64 and p["size"] > 0 for p in b["packages"])' \
		"$d/meta/bundle.json" "$id" "$rel" "$d/meta/BUNDLE_COMPILER" || kb_die "$rel: bundle.json is wrong"
	tar -tvzf "$tgz" >"$d/listing"
	! grep -E '^l.* -> /' "$d/listing" || kb_die "$rel: absolute symlink in the bundle"
	! grep -E '^[bcps]' "$d/listing" || kb_die "$rel: device node, FIFO or socket in the bundle"
	! grep -E '^-..[sS]|^-.....[sS]|^d........[tT]' "$d/listing" || kb_die "$rel: setuid/setgid/sticky bits"
	! grep -vE ' root/root ' "$d/listing" || kb_die "$rel: an entry not owned by root/root"
	vm=$(pack_build_module "$tgz" "$d/build")
	case "$vm" in "$rel "*) ;; *) kb_die "$rel: vermagic '$vm' does not start with BUNDLE_UNAME" ;; esac
	kb_log "$rel: module built against the bundle, vermagic $vm"
	rm -rf "$d/build"
}
