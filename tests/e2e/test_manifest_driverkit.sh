#!/usr/bin/env bash
# test_manifest_driverkit — `kbundle manifest --format driverkit` after a
# real crawl of the Debian e2e mirror: the output has exactly the field set
# falco kernel-crawler documents for its driverkit output (an object keyed
# by distro, each an array of {kernelversion, kernelrelease, target,
# headers[, kernelconfigdata]}, kernelversion a string), Debian's target is
# "debian", every manifest entry is there under its uname -r, and every
# headers URL serves the very file the manifest names (its sha256). -o FILE
# writes the same bytes; an unknown --format is exit 2.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need nginx python3 curl
kb_pipeline debian

dk() { "$KBUNDLE" manifest --upstreams "$KB_UPSTREAMS" --lists "$KB_LISTS" --format driverkit "$@"; }
dk >"$KB_TMP/dk.json" 2>"$KB_TMP/dk.err" || { cat "$KB_TMP/dk.err"; kb_die "--format driverkit failed"; }
dk -q -o "$KB_TMP/dk2.json" || kb_die "--format driverkit -o FILE failed"
cmp -s "$KB_TMP/dk.json" "$KB_TMP/dk2.json" || kb_die "-o FILE and stdout differ"
rc=0
dk --format xml 2>"$KB_TMP/bad.err" >/dev/null || rc=$?
[ $rc = 2 ] || kb_die "--format xml: exit $rc, want 2"
grep -q "yaml or driverkit" "$KB_TMP/bad.err" || kb_die "--format xml does not name the formats"

python3 - "$KB_TMP/dk.json" "$KB_MANIFEST" "$KB_TMP/urls" <<'EOP' || kb_die "the driverkit JSON does not fit kernel-crawler's field set"
import json, sys, yaml
out = json.load(open(sys.argv[1]))
man = yaml.safe_load(open(sys.argv[2]))
# kernel-crawler's DriverKitConfig members (kernel_crawler/repo.py) and its
# distro keys (kernel_crawler/crawler.py DISTROS)
fields, optional = {"kernelversion", "kernelrelease", "target", "headers"}, {"kernelconfigdata"}
keys = {"alinux", "almalinux", "amazonlinux2", "amazonlinux2022", "amazonlinux2023", "centos",
        "fedora", "ol", "photon", "rocky", "opensuse", "debian", "ubuntu", "flatcar", "minikube",
        "redhat", "arch", "bottlerocket", "talos", "sles"}
assert isinstance(out, dict) and set(out) <= keys, list(out)
assert list(out) == ["debian"], list(out)
by_release, urls = {}, []
for distro, configs in out.items():
    assert isinstance(configs, list) and configs, distro
    for c in configs:
        assert fields <= set(c) <= fields | optional, c
        assert isinstance(c["kernelversion"], str) and c["kernelversion"], c
        assert isinstance(c["kernelrelease"], str) and isinstance(c["target"], str), c
        assert c["target"] == "debian" and c["kernelversion"] == "1", c
        assert isinstance(c["headers"], list) and c["headers"], c
        assert all(isinstance(h, str) and h.startswith("http") for h in c["headers"]), c
        by_release.setdefault(c["kernelrelease"], []).append(c)
entries = man["bundles"]
assert len(entries) == sum(len(v) for v in out.values()), (len(entries), out)
for e in entries:
    c = by_release.get(e["release"])
    assert c, "no config for " + e["release"]
    want = sorted(h["path"] for h in e["headers"])
    got = sorted(h.split("/", 3)[3] for h in c[0]["headers"])
    assert got == want, (got, want)
    for h in e["headers"]:
        url = [u for u in c[0]["headers"] if u.endswith("/" + h["path"])][0]
        urls.append("%s %s" % (h["sha256"], url))
open(sys.argv[3], "w").write("\n".join(urls) + "\n")
print(len(entries), "entries,", len(urls), "header URLs")
EOP
n=0
while read -r sha url; do
	got=$(curl -sf "$url" | sha256sum | cut -d' ' -f1) || kb_die "$url does not serve"
	[ "$got" = "$sha" ] || kb_die "$url: sha256 $got, the manifest says $sha"
	n=$((n + 1))
done <"$KB_TMP/urls"
kb_log "driverkit: $n header URLs serve the manifest's files"
echo ok
