#!/usr/bin/env bash
# test_include_direction — dependencies point one way: every
# `#include "folder/file.h"` in a .c, .h or .cc file of a source folder names
# the file's own folder or one that docs/DESIGN.md's dependency block (the
# fenced ```deps block: one `folder: allowed folders…` line each, `*` = any)
# allows. A folder holding sources without a line in the block fails too.
# Each violation is printed as FILE:LINE: includes X: FOLDER may include
# only … . First a self-test: planted violations in a scratch tree must be
# caught, and a clean tree must pass.
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"

# kb_deps_check ROOT — print ROOT's violations; exit 1 when there are any,
# 2 when ROOT/docs/DESIGN.md has no dependency block.
kb_deps_check() {
	local root=$1 design=$1/docs/DESIGN.md folder allowed d f line text inc bad=0
	local -A rule=()
	while read -r folder allowed; do
		rule[${folder%:}]=" $allowed "
	done < <(awk '/^```deps[[:space:]]*$/ { on = 1; next } on && /^```/ { exit } on && NF' "$design" 2>/dev/null)
	if [ ${#rule[@]} -eq 0 ]; then
		echo "$design: no \`\`\`deps block (folder: allowed folders…, one line each)"
		return 2
	fi
	# every top-level folder with sources must have a rule
	for d in "$root"/*/; do
		d=${d%/} && d=${d##*/}
		[ "$d" != build ] || continue
		[ -z "${rule[$d]+set}" ] || continue
		if compgen -G "$root/$d/*.[ch]" >/dev/null || compgen -G "$root/$d/*.cc" >/dev/null; then
			echo "$d/: holds sources but has no line in docs/DESIGN.md's deps block"
			bad=$((bad + 1))
		fi
	done
	for folder in $(printf '%s\n' "${!rule[@]}" | LC_ALL=C sort); do
		[[ ${rule[$folder]} != *" * "* ]] || continue
		[ -d "$root/$folder" ] || continue
		allowed=$(xargs <<<"${rule[$folder]}")
		while IFS=: read -r f line text; do
			[[ $text =~ \"([^\"]*)\" ]] && inc=${BASH_REMATCH[1]}
			d=${inc%%/*}
			[ "$d" = "$folder" ] && continue
			[[ ${rule[$folder]} == *" $d "* ]] && continue
			echo "${f#"$root"/}:$line: includes \"$inc\": $folder may include only ${allowed:-its own headers}"
			bad=$((bad + 1))
		done < <({ grep -rnE --include='*.c' --include='*.h' --include='*.cc' \
			'^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]+/' "$root/$folder" || true; } |
			LC_ALL=C sort -t: -k1,1 -k2,2n)
	done
	[ $bad -eq 0 ]
}

# Self-test on a scratch tree with the real block.
st=$KB_TMP/selftest
mkdir -p "$st/docs" "$st/lib" "$st/cache" "$st/vm" "$st/tests/unit"
cp "$KB_SRC/docs/DESIGN.md" "$st/docs/"
printf '#include <stdio.h>\n#include "lib/error.h"\n' >"$st/lib/ok.c"
printf '/* planted */\n#include "lib/file.h"\n#include "manifest/manifest.h"\n' >"$st/cache/bad.h"
printf '#include "pipeline/select.h"\n#include "vm/qemu.h"\n' >"$st/vm/ok.c"
printf '#include "cli/cli.h"\n' >"$st/tests/unit/any.c"
rc=0
kb_deps_check "$st" >"$KB_TMP/st.out" || rc=$?
cat "$KB_TMP/st.out"
[ $rc = 1 ] || kb_die "self-test: the planted violation was not caught (exit $rc)"
grep -qx 'cache/bad.h:3: includes "manifest/manifest.h": cache may include only lib' "$KB_TMP/st.out" ||
	kb_die "self-test: the violation is not reported as file:line with its rule"
[ "$(wc -l <"$KB_TMP/st.out")" = 1 ] || kb_die "self-test: allowed includes were reported"
# an undeclared source folder
mkdir -p "$st/newstage" && echo 'int x;' >"$st/newstage/a.c" && rm "$st/cache/bad.h"
rc=0
kb_deps_check "$st" >"$KB_TMP/st.out" || rc=$?
grep -q '^newstage/: holds sources but has no line' "$KB_TMP/st.out" || kb_die "self-test: undeclared folder not caught"
rm -r "$st/newstage"
kb_deps_check "$st" >"$KB_TMP/st.out" || kb_die "self-test: a clean tree fails: $(cat "$KB_TMP/st.out")"
kb_log "self-test: planted violations caught, clean tree passes"

# The real tree.
rc=0
kb_deps_check "$KB_SRC" >"$KB_TMP/real.out" || rc=$?
if [ $rc != 0 ]; then
	echo "includes against the dependency direction (the rules: docs/DESIGN.md, the deps block):"
	sed 's/^/  /' "$KB_TMP/real.out"
	kb_die "$(grep -c . "$KB_TMP/real.out") include(s) against docs/DESIGN.md's dependency direction"
fi
echo ok
