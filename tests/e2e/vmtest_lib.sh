# tests/e2e/vmtest_lib.sh — helpers shared by the test_vmtest_* tests (sourced
# after lib.sh and pack_lib.sh): the real pipeline up to packed bundles, and
# JSON queries.

# vmtest_need — skip unless this machine can boot kernels and build modules.
vmtest_need() {
	kb_need nginx make gcc qemu-system-x86_64 xmllint python3 dpkg-deb
	[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 ||
		kb_skip "no /bin/busybox (install busybox-static)"
	ldd /bin/busybox >/dev/null 2>&1 && kb_skip "/bin/busybox is not static (install busybox-static)"
	return 0
}

# vmtest_pipeline [PACK-OPTION…] — crawl the Debian e2e mirror, write the
# manifest and pack (both releases, or what the options select). Sets
# VM_UPS, VM_MANIFEST, VM_WD.
vmtest_pipeline() {
	kb_mirror_debian "$KB_TMP/mirror"
	kb_nginx_start "$KB_TMP/mirror"
	VM_UPS=$KB_TMP/upstreams
	kb_upstream_file "$VM_UPS" debian-12 debian "$KB_NGINX_URL" "$KB_KEYRING" "${KB_DEBIAN_SUITES[@]}"
	VM_WD=$KB_TMP/wd
	VM_MANIFEST=$KB_TMP/manifest.yml
	"$KBUNDLE" -q crawl --upstreams "$VM_UPS" --lists "$KB_TMP/lists" --workdir "$VM_WD"
	"$KBUNDLE" -q manifest --upstreams "$VM_UPS" --lists "$KB_TMP/lists" -o "$VM_MANIFEST"
	"$KBUNDLE" -q pack --all --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" -j 2 "$@"
}

# vmtest_bundle RELEASE — the path of RELEASE's bundle.
vmtest_bundle() { echo "$VM_WD/bundles/$(pack_index_id "$VM_WD/bundles/index.json" "$1").tgz"; }

# vmtest_deb NAME — the fixture's cached .deb of package NAME.
vmtest_deb() { awk -F'\t' -v n="$1" '$2 == n { print $8; exit }' "$KB_DEB_PICKS"; }

# vmtest_check REPORT RELEASE MODULE CHECK — "status<TAB>detail" of one check.
vmtest_check() {
	python3 - "$@" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
for k in r["kernels"]:
    if k["release"] != sys.argv[2]:
        continue
    for m in k["modules"]:
        if m["name"] == sys.argv[3]:
            c = m["checks"][sys.argv[4]]
            print(c["status"] + "\t" + (c.get("detail") or "").replace("\n", " | "))
            sys.exit(0)
sys.exit("no %s x %s in %s" % (sys.argv[2], sys.argv[3], sys.argv[1]))
EOP
}
