#!/usr/bin/env bash
# test_deploy_examples — the shipped engine files work as written:
# .github/workflows/nightly.yml through GitHub's own workflow parser
# (@actions/workflow-parser), deploy/k8s/*.yaml and `kbundle plan --format
# k8s` through kubernetes-models' schema validation of batch/v1 Job (both
# from npm, installed once into $KB_TEST_CACHE/npm/), all three through
# yamllint; every kbundle command line in them uses only options its
# command's --help lists; and the validators refuse a broken copy of each.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
kb_need node npm yamllint python3 flock

# the validators, pinned; a registry that cannot be reached is a failure
spec="@actions/workflow-parser@0.3.61 kubernetes-models@4.5.1 js-yaml@4.1.0"
npmdir=$KB_TEST_CACHE/npm/$(echo "$spec" | sha256sum | cut -c1-16)
mkdir -p "$KB_TEST_CACHE/npm"
(
	flock 9
	if [ ! -f "$npmdir/.done" ]; then
		rm -rf "$npmdir" && mkdir -p "$npmdir"
		# shellcheck disable=SC2086
		(cd "$npmdir" && npm install --silent --no-audit --no-fund $spec) >"$KB_TMP/npm.log" 2>&1 ||
			kb_die "npm install $spec failed (is the npm registry reachable?): $(tail -5 "$KB_TMP/npm.log")"
		touch "$npmdir/.done"
	fi
) 9>"$KB_TEST_CACHE/npm/.lock"
export NODE_PATH=$npmdir/node_modules
check() { node "$KB_SRC/tests/e2e/deploy_check.mjs" "$@"; }

wf=$KB_SRC/.github/workflows/nightly.yml
k8s=("$KB_SRC"/deploy/k8s/*.yaml)
[ ${#k8s[@]} -ge 2 ] || kb_die "deploy/k8s/ holds ${#k8s[@]} files, want the Indexed Job and the merge Job"
"$KBUNDLE" -q plan --manifest "$KB_SRC/manifest.yml" --shards 4 --format k8s --image kbundle:1 \
	-- vmtest --all >"$KB_TMP/plan-k8s.json" || kb_die "plan --format k8s failed"

yl='{extends: default, rules: {line-length: {max: 120}, document-start: disable, truthy: {check-keys: false}}}'
yamllint -s -d "$yl" "$wf" "${k8s[@]}" || kb_die "yamllint refuses the examples"
check workflow "$wf" || kb_die "GitHub's workflow parser refuses $wf"
check k8s "${k8s[@]}" "$KB_TMP/plan-k8s.json" || kb_die "kubernetes-models refuses a Job"
grep -q '"completionMode": "Indexed"' "$KB_TMP/plan-k8s.json" || kb_die "plan's Job is not Indexed"

# every `kbundle SUB … --opt` in the files: --opt is one of SUB's
python3 - "$KBUNDLE" "$wf" "${k8s[@]}" <<'PY' || kb_die "an example uses an option kbundle does not have"
import re, subprocess, sys
kb, files = sys.argv[1], sys.argv[2:]
bad, seen = 0, 0
helps = {}
for f in files:
    text = re.sub(r"\\\n", " ", open(f).read())
    for m in re.finditer(r"(?:\./)?kbundle(?: -q)? (report merge|key generate|[a-z]+)((?: [^;&|\n]*)?)", text):
        sub, args = m.group(1), m.group(2)
        if sub not in helps:
            helps[sub] = subprocess.run([kb] + sub.split() + ["--help"], capture_output=True, text=True).stdout
        for opt in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", args):
            seen += 1
            if not re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", helps[sub]):
                print(f"{f}: kbundle {sub}: {opt} is not in its --help", file=sys.stderr)
                bad = 1
assert seen > 10, f"only {seen} options found: the pattern missed the command lines"
sys.exit(bad)
PY

# the validators are real: a broken copy of each is refused
sed 's/^    runs-on: ubuntu-latest$/    runs-onn: ubuntu-latest/' "$wf" >"$KB_TMP/bad.yml"
! check workflow "$KB_TMP/bad.yml" 2>/dev/null || kb_die "the workflow parser took a misspelt key"
sed 's/completions: 4/completions: four/' "$KB_SRC/deploy/k8s/shards.yaml" >"$KB_TMP/bad-job.yaml"
! check k8s "$KB_TMP/bad-job.yaml" 2>/dev/null || kb_die "kubernetes-models took completions: four"
echo ok
