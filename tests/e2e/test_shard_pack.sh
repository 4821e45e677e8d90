#!/usr/bin/env bash
# test_shard_pack — `pack --shard I/N` (issue 16): three shard processes,
# started together, each with its own work directory (as on three CI
# machines) against one signed mirror of a real kernel of each Debian
# release, pack exactly what one unsharded run packs: the same bundle ids,
# the same bytes, each bundle in one shard only, and each package fetched
# by one shard only (nginx's access log). Running the shards again packs
# nothing; a shard killed half-way and run again completes its part. The
# shard also comes from KBUNDLE_SHARD and from a Kubernetes Indexed Job's
# JOB_COMPLETION_INDEX + KBUNDLE_SHARDS. `kbundle plan` prints a GitHub
# matrix (JSON), a GitLab parallel:matrix and a Kubernetes Indexed Job
# (YAML readers take both) that name the same shards.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
. "$KB_SRC/tests/e2e/toolchain_lib.sh"
. "$KB_SRC/tests/e2e/releases_lib.sh"
kb_need nginx python3 mmdebstrap
releases_pipeline >/dev/null 2>&1 || releases_pipeline	# the unsharded run packs into RL_WD
ids() { python3 -c 'import json,sys; print("\n".join(sorted(b["id"] for b in json.load(open(sys.argv[1]))["bundles"])))' "$1"; }
ids "$RL_WD/bundles/index.json" >"$KB_TMP/one.ids"
n=$(wc -l <"$KB_TMP/one.ids")
[ "$n" -ge 3 ] || kb_die "the fixture has $n bundles; three shards need at least 3"
gets0=$(wc -l <"$KB_NGINX_ACCESS_LOG")
shard() { # I, work directory, extra args…
	local i=$1 wd=$2
	shift 2
	"$KBUNDLE" pack --all --manifest "$RL_MAN" --upstreams "$RL_UPS" --workdir "$wd" -j 1 "$@"
}

for i in 1 2 3; do
	shard "$i" "$KB_TMP/s$i" --shard "$i/3" 2>"$KB_TMP/s$i.log" &
done
wait
: >"$KB_TMP/shards.ids"
for i in 1 2 3; do
	[ -f "$KB_TMP/s$i/bundles/index.json" ] || { cat "$KB_TMP/s$i.log"; kb_die "shard $i/3 wrote no index"; }
	ids "$KB_TMP/s$i/bundles/index.json" | tee "$KB_TMP/s$i.ids" >>"$KB_TMP/shards.ids"
	[ -s "$KB_TMP/s$i.ids" ] || kb_die "shard $i/3 got no bundle"
	while read -r id; do
		cmp -s "$KB_TMP/s$i/bundles/$id.tgz" "$RL_WD/bundles/$id.tgz" ||
			kb_die "shard $i/3: $id.tgz differs from the unsharded run's"
	done <"$KB_TMP/s$i.ids"
done
[ -z "$(sort "$KB_TMP/shards.ids" | uniq -d)" ] || kb_die "a bundle was packed by two shards: $(sort "$KB_TMP/shards.ids" | uniq -d)"
sort "$KB_TMP/shards.ids" | cmp -s - "$KB_TMP/one.ids" ||
	kb_die "the shards' bundles are not the unsharded run's: $(sort "$KB_TMP/shards.ids" | diff - "$KB_TMP/one.ids")"
# every package the shards fetched, fetched once
tail -n +"$((gets0 + 1))" "$KB_NGINX_ACCESS_LOG" | grep '"GET /pool/' | awk '{ print $5 }' | sort | uniq -d >"$KB_TMP/twice"
[ ! -s "$KB_TMP/twice" ] || { tail -n +"$((gets0 + 1))" "$KB_NGINX_ACCESS_LOG" | grep -F "$(head -n 1 "$KB_TMP/twice")" >&2; kb_die "packages fetched by two shards: $(cat "$KB_TMP/twice")"; }
kb_log "3 shards: $(wc -l <"$KB_TMP/s1.ids") + $(wc -l <"$KB_TMP/s2.ids") + $(wc -l <"$KB_TMP/s3.ids") bundles = the $n of one run, byte for byte"

# again: nothing to do
for i in 1 2 3; do
	shard "$i" "$KB_TMP/s$i" --shard "$i/3" 2>"$KB_TMP/again$i.log"
	grep -q ' 0 packed, [0-9]* already packed, 0 failed; 0 packages downloaded' "$KB_TMP/again$i.log" ||
		{ cat "$KB_TMP/again$i.log"; kb_die "shard $i/3 did work again"; }
done

# the environment: KBUNDLE_SHARD, and a Kubernetes Indexed Job's index (from 0)
KBUNDLE_SHARD=2/3 shard 2 "$KB_TMP/s2" 2>"$KB_TMP/env.log"
grep -q "^$(wc -l <"$KB_TMP/s2.ids") selected:" "$KB_TMP/env.log" || { cat "$KB_TMP/env.log"; kb_die "KBUNDLE_SHARD=2/3 selected other entries"; }
JOB_COMPLETION_INDEX=2 KBUNDLE_SHARDS=3 shard 3 "$KB_TMP/s3" 2>"$KB_TMP/job.log"
grep -q "^$(wc -l <"$KB_TMP/s3.ids") selected:" "$KB_TMP/job.log" || { cat "$KB_TMP/job.log"; kb_die "JOB_COMPLETION_INDEX=2 is not shard 3/3"; }
rc=0
JOB_COMPLETION_INDEX=0 shard 1 "$KB_TMP/s1" 2>"$KB_TMP/nocount.log" || rc=$?
[ $rc = 2 ] && grep -q "KBUNDLE_SHARDS" "$KB_TMP/nocount.log" || { cat "$KB_TMP/nocount.log"; kb_die "JOB_COMPLETION_INDEX without KBUNDLE_SHARDS: exit $rc, want 2 naming it"; }

# a shard killed half-way, run again alone, completes its part
rm -rf "$KB_TMP/k"
shard 1 "$KB_TMP/k" --shard 1/3 2>/dev/null &
pid=$!
sleep 1
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" || true
shard 1 "$KB_TMP/k" --shard 1/3 2>"$KB_TMP/k.log" || { cat "$KB_TMP/k.log"; kb_die "the re-run of a killed shard failed"; }
ids "$KB_TMP/k/bundles/index.json" | cmp -s - "$KB_TMP/s1.ids" || kb_die "the re-run of a killed shard packed another set"
kb_log "a shard killed after 1 s, run again: its $(wc -l <"$KB_TMP/s1.ids") bundles"

# plan: the engines' shapes, parsed by real readers
"$KBUNDLE" -q plan --manifest "$RL_MAN" --shards 3 --format github >"$KB_TMP/gh.json"
"$KBUNDLE" -q plan --manifest "$RL_MAN" --shards 3 --format gitlab >"$KB_TMP/gl.yml"
"$KBUNDLE" -q plan --manifest "$RL_MAN" --shards 3 --format k8s --image registry.example/kbundle:1 \
	--volume kb-work -- pack --manifest manifest.yml >"$KB_TMP/job.yml"
"$KBUNDLE" -q plan --manifest "$RL_MAN" --target-minutes 1000 >"$KB_TMP/plan.txt"
grep -q "over 1 shards" "$KB_TMP/plan.txt" || { cat "$KB_TMP/plan.txt"; kb_die "a generous --target-minutes did not plan one shard"; }
/usr/bin/python3 - "$KB_TMP" <<'PY'
import json, sys, yaml
d = sys.argv[1]
want = ["1/3", "2/3", "3/3"]
gh = json.load(open(d + "/gh.json"))
assert gh == {"shard": want}, gh
gl = yaml.safe_load(open(d + "/gl.yml"))
assert gl["parallel"]["matrix"] == [{"KBUNDLE_SHARD": want}], gl
job = yaml.safe_load(open(d + "/job.yml"))
assert job["apiVersion"] == "batch/v1" and job["kind"] == "Job", job
s = job["spec"]
assert s["completionMode"] == "Indexed" and s["completions"] == 3 and s["parallelism"] == 3, s
c = s["template"]["spec"]["containers"][0]
assert c["image"] == "registry.example/kbundle:1", c
assert c["command"] == ["kbundle", "pack", "--manifest", "manifest.yml"], c
assert {"name": "KBUNDLE_SHARDS", "value": "3"} in c["env"], c
assert s["template"]["spec"]["restartPolicy"] == "Never"
assert s["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "kb-work"
PY
rc=0
"$KBUNDLE" plan --manifest "$RL_MAN" --shards 3 --shard 1/3 2>"$KB_TMP/bad.log" || rc=$?
[ $rc = 2 ] || kb_die "plan --shard: exit $rc, want 2"
kb_log "plan: github, gitlab and k8s outputs read back by json and yaml"
echo ok
