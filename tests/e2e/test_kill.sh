#!/usr/bin/env bash
# test_kill — issue 12 item 7: a kbundle killed while it works leaves no
# process and, after its next run, no temp file behind. For vmtest during
# the boot (QEMU running), fetch during the download (the server stalls)
# and fetch --extract during the extraction: SIGTERM (exit 143) and SIGINT
# (exit 130) kill QEMU and remove the temp trees at once; SIGKILL leaves
# them, QEMU dies with kbundle (PR_SET_PDEATHSIG), and the next run of the
# same command sweeps what the dead process left (its pid is in the name).
set -euo pipefail
. "${KB_SRC:-$(dirname "$0")/../..}/tests/e2e/lib.sh"
. "$KB_SRC/tests/e2e/pack_lib.sh"
. "$KB_SRC/tests/e2e/vmtest_lib.sh"
vmtest_need
kb_debian_fetch
relA="^${KB_REL_A//./\\.}\$"
vmtest_pipeline --release "$relA"
shm=/dev/shm
[ -w "$shm" ] || shm=${TMPDIR:-/tmp}

# no_proc PATTERN WHAT — no process's command line holds PATTERN
no_proc() {
	local i
	for i in $(seq 50); do pgrep -f -- "$1" >/dev/null || return 0; sleep 0.1; done
	pgrep -af -- "$1" >&2
	kb_die "$2: a process is left: $(pgrep -af -- "$1")"
}
# wait_for GLOB WHAT — until a file matching GLOB exists (at most 300 s)
wait_for() {
	local i
	for i in $(seq 30000); do compgen -G "$1" >/dev/null && return 0; sleep 0.01; done
	kb_die "$2: $1 never appeared"
}
# stopped PID RC WHAT — PID exited with RC
stopped() {
	local rc=0
	wait "$1" || rc=$?
	[ "$rc" = "$2" ] || kb_die "$3: exit $rc, want $2"
}

# 1. fetch during the download: the proxy stalls the bundle.
# published inside the mirror nginx serves (vmtest still needs the mirror)
pub=$KB_TMP/mirror/pub
"$KBUNDLE" -q key generate -o "$KB_TMP/store" >/dev/null
"$KBUNDLE" -q publish --workdir "$VM_WD" --to "$pub" --sign-key "$KB_TMP/store"
W=$KB_TMP/fp
mkdir -p "$W"
echo '*.tgz * stall 600' >"$W/rules"
kb_faultproxy_start "$KB_NGINX_URL" "$W/rules"
url=$KB_PROXY_URL/pub
dl=$KB_TMP/dl
for sig in TERM INT KILL; do
	"$KBUNDLE" fetch --key "$KB_TMP/store.pub" --uname "$KB_REL_A" --from "$url" -o "$dl" >/dev/null 2>"$KB_TMP/f-$sig.err" &
	pid=$!
	for _ in $(seq 300); do compgen -G "$dl/.kbundle-fetch.$pid.*/*.tgz*" >/dev/null && break; sleep 0.1; done
	compgen -G "$dl/.kbundle-fetch.$pid.*/*.tgz*" >/dev/null ||
		{ cat "$KB_TMP/f-$sig.err"; ls -lAR "$dl"; kb_die "fetch $pid is not downloading the bundle"; }
	kill -$sig "$pid"
	case $sig in TERM) want=143 ;; INT) want=130 ;; KILL) want=137 ;; esac
	stopped "$pid" $want "fetch SIG$sig"
	[ $sig = KILL ] && { dead=$pid; continue; }
	compgen -G "$dl/.kbundle-fetch.*" && kb_die "fetch SIG$sig left $(ls -A "$dl")"
	kb_log "fetch SIG$sig during the download: exit $want, nothing left"
done
compgen -G "$dl/.kbundle-fetch.$dead.*" >/dev/null || kb_die "SIGKILL: no fetch temp dir left to sweep?"
echo '*.tgz * pass' >"$W/rules"
"$KBUNDLE" fetch --key "$KB_TMP/store.pub" --uname "$KB_REL_A" --from "$url" -o "$dl" -v >/dev/null 2>"$KB_TMP/f-next.err" ||
	{ cat "$KB_TMP/f-next.err"; kb_die "the next fetch failed"; }
compgen -G "$dl/.kbundle-fetch.*" && kb_die "the next fetch did not sweep: $(ls -A "$dl")"
grep -q "left by process $dead" "$KB_TMP/f-next.err" || kb_die "the fetch sweep said nothing"

# 2. fetch --extract during the extraction (to a disk, where it takes a
# while): from the directory, the bundle already verified in dl.
x=$KB_TMP/x
mkdir -p "$x"
for sig in TERM INT KILL; do
	rm -rf "$x/kb"
	"$KBUNDLE" fetch --key "$KB_TMP/store.pub" --uname "$KB_REL_A" --from "$pub" -o "$dl" --extract "$x/kb" \
		>/dev/null 2>"$KB_TMP/x-$sig.err" &
	pid=$!
	wait_for "$x/kb.part.$pid.*/*" "fetch --extract"
	kill -$sig "$pid"
	case $sig in TERM) want=143 ;; INT) want=130 ;; KILL) want=137 ;; esac
	stopped "$pid" $want "extract SIG$sig"
	[ $sig = KILL ] && { dead=$pid; continue; }
	compgen -G "$x/kb.part.*" && kb_die "extract SIG$sig left $(ls -A "$x")"
	kb_log "fetch --extract SIG$sig during the extraction: exit $want, nothing left"
done
compgen -G "$x/kb.part.$dead.*" >/dev/null || kb_log "SIGKILL landed after the extraction finished"
rm -rf "$x/kb"
"$KBUNDLE" fetch --key "$KB_TMP/store.pub" --uname "$KB_REL_A" --from "$pub" -o "$dl" --extract "$x/kb" -v >/dev/null \
	2>"$KB_TMP/x-next.err" || { cat "$KB_TMP/x-next.err"; kb_die "the next extract failed"; }
compgen -G "$x/kb.part.*" && kb_die "the next extract did not sweep: $(ls -A "$x")"
[ -f "$x/kb/BUNDLE_UNAME" ] || kb_die "the next extract did not extract"
# 3. vmtest during the boot.
vm() {
	exec "$KBUNDLE" vmtest --all --manifest "$VM_MANIFEST" --upstreams "$VM_UPS" --workdir "$VM_WD" \
		--release "$relA" --accel tcg --timeout 150 -v
}
for sig in TERM INT KILL; do
	vm >"$KB_TMP/vm-$sig.out" 2>"$KB_TMP/vm-$sig.err" &
	pid=$!
	for _ in $(seq 3000); do grep -q 'booting' "$KB_TMP/vm-$sig.err" && break; sleep 0.1; done
	grep -q 'booting' "$KB_TMP/vm-$sig.err" || { cat "$KB_TMP/vm-$sig.err"; kb_die "vmtest never booted"; }
	sleep 2
	pgrep -f -- "kbundle-vm.$pid." >/dev/null || kb_die "no QEMU of vmtest $pid to kill"
	kill -$sig "$pid"
	case $sig in TERM) want=143 ;; INT) want=130 ;; KILL) want=137 ;; esac
	stopped "$pid" $want "vmtest SIG$sig"
	no_proc "kbundle-vm.$pid." "vmtest SIG$sig"
	if [ $sig != KILL ]; then
		compgen -G "$shm/kbundle-vm.$pid.*" && kb_die "vmtest SIG$sig left $shm/kbundle-vm.$pid.*"
	else
		compgen -G "$shm/kbundle-vm.$pid.*" >/dev/null || kb_die "SIGKILL: no tree left to sweep?"
		dead=$pid
	fi
	kb_log "vmtest SIG$sig during the boot: exit $want, QEMU gone"
done
# The next run sweeps the dead run's tree (and passes).
(vm) >"$KB_TMP/vm-next.out" 2>"$KB_TMP/vm-next.err" || { cat "$KB_TMP/vm-next.err"; kb_die "the next vmtest failed"; }
compgen -G "$shm/kbundle-vm.$dead.*" && kb_die "the next vmtest did not sweep $shm/kbundle-vm.$dead.*"
grep -q "left by process $dead" "$KB_TMP/vm-next.err" || kb_die "the sweep did not say what it removed"

echo ok
