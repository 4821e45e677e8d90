/* result.h — what one vmtest run found: per kernel, per module unit, one
 * status per check; and the parser of the guest's result channel.
 *
 * The result channel is one the tested code cannot write to: the guest's
 * /init opens the virtio-serial port named kbundle.result (exclusive: a
 * second open of it fails with EBUSY) before any module loads, keeps it as
 * fd 3 and closes it for every child that runs tested code (insmod,
 * check.sh). Every line on it carries the boot's secret nonce, which the
 * host writes into the initramfs and /init reads and unlinks before any
 * module loads (and after it sets Yama's ptrace_scope to 3, so no process
 * can read /init's memory). A kernel without the port (no virtio_console)
 * gets the same authenticated lines on the serial console. Each line:
 *   KBV <nonce> KBUNDLE-RESULT-BEGIN
 *   KBV <nonce> KBK <uname -r> <tainted>       the kernel that ran
 *   KBV <nonce> KBS <unit> <step>              a step starts (names the step a timeout hit)
 *   KBV <nonce> KBR <unit> <check> pass|fail|skip [value]
 *   KBV <nonce> KBD <unit> <check> <text>      a detail line for that check
 *   KBV <nonce> KBUNDLE-RESULT-END
 * Any other line that looks like one (KBR, KBK, KBS, KBD, KBV or
 * KBUNDLE-RESULT anywhere in it, on the port or the console) is a forgery;
 * so are an authenticated line out of place (before BEGIN, after END, a
 * second BEGIN, END or KBK), a verdict for a unit or check the run does not
 * have, a verdict repeated or out of order. Any of them fails the run with
 * "forged or unexpected result line". When the port carries the results,
 * the kernel's warnings reach the console and the host scans it for oopses
 * and warnings itself, after /init's "kbundle: unit NAME" marker in the
 * kernel log (what a module prints cannot unprint them). */
#ifndef KB_VM_RESULT_H
#define KB_VM_RESULT_H

#include <stdbool.h>
#include <stddef.h>

enum kb_vm_check {
	KB_CHK_BUILD,		/* the module built against the bundle */
	KB_CHK_VERMAGIC,	/* the .ko's vermagic names BUNDLE_UNAME */
	KB_CHK_BPF_BUILD,	/* a BPF unit: clang -target bpf built the object */
	KB_CHK_BPF_VALIDATE,	/* it is a BPF ELF with known program sections and a license */
	KB_CHK_BOOT,		/* the kernel booted and ran the tests to the end */
	KB_CHK_INSMOD,		/* the kernel accepted the module */
	KB_CHK_LOADED,		/* it shows in /proc/modules */
	KB_CHK_SELFTEST,	/* the module's own check.sh passed */
	KB_CHK_RMMOD,		/* it unloaded */
	KB_CHK_BPF_LOAD,	/* the verifier accepted every program of the object */
	KB_CHK_BPF_ATTACH,	/* each attached (kprobe, tracepoint, XDP/TC on lo, …) */
	KB_CHK_BPF_RUN,		/* triggered, it counted in its kb_runs map */
	KB_CHK_OOPS,		/* no Oops, BUG: or Call Trace in the kernel log */
	KB_CHK_WARNING,		/* no WARNING: in the kernel log */
	KB_CHK_TAINT,		/* no taint beyond out-of-tree (O) and unsigned (E) */
	KB_CHK_N
};

enum kb_vm_status { KB_ST_NOTRUN, KB_ST_PASS, KB_ST_FAIL, KB_ST_SKIP };

const char *kb_vm_check_name(enum kb_vm_check c);
/* Is check c one of this kind of unit's? Modules: build … rmmod; BPF
 * units: bpf-*; both: boot, oops, warning, taint. */
bool kb_vm_check_applies(bool bpf, enum kb_vm_check c);
/* -1 when name is not a check. */
int kb_vm_check_parse(const char *name);
const char *kb_vm_status_name(enum kb_vm_status s);
/* -1 when name is not a status's name. */
int kb_vm_status_parse(const char *name);

struct kb_vm_check_result {
	enum kb_vm_status st;
	char *detail;		/* why, in words a person can act on; may span lines */
};

/* One module directory built and loaded as a unit; or one BPF program
 * source built one way (vm/bpfunit.h), loaded by the guest's loader. */
struct kb_vm_unit {
	char *name;		/* [A-Za-z0-9_-], unique in a run */
	char *src;		/* the module directory (NULL: the built-in test module),
				 * or the .bpf.c file */
	bool bpf;		/* a BPF unit: its checks are the bpf-* ones */
	bool bpf_core;		/* built CO-RE, against the kernel's vmlinux.h */
	bool bpf_prebuilt;	/* a DIR/NAME.bpf.o, loaded as it is */
	char *bpf_obj;		/* the object built (tmpfs), or the prebuilt one */
	char *bpf_btf;		/* its min-core BTF (vmtest --min-core), or NULL */
	bool bpf_tc;		/* it holds a TC program: the guest needs clsact */
	long insns;		/* instructions in the object's programs; -1: not built */
	long verified_insns;	/* the verifier's processed count; -1: the kernel has none */
	char *build_dir;	/* where it was built (tmpfs); holds the .ko files and check.sh */
	char **kos;		/* built .ko files, in load order */
	size_t nkos;
	char **deps;		/* the kernel's own modules they need, load order */
	size_t ndeps;
	struct kb_vm_check_result chk[KB_CHK_N];
};

/* One kernel, i.e. one manifest entry. */
struct kb_vm_kernel {
	char *id;		/* bundle id */
	char *distro;
	char *release;		/* BUNDLE_UNAME / the manifest's release */
	char *guest_release;	/* what the booted kernel said (uname -r) */
	char *arch;		/* Debian's name of its architecture */
	char *accel;		/* kvm or tcg */
	char *log_path;		/* serial console log */
	char *console;		/* the console log's text (capped), for the reports */
	double seconds;		/* build + boot + tests */
	struct kb_vm_unit *units;
	size_t nunits;
	char **portmods;	/* the kernel's own modules for the result port
				 * (virtio_console and what it needs), load order */
	size_t nportmods;
	char *bpfload;		/* the guest's BPF loader (kbundle-bpfload), when BPF units run */
	bool no_btf;		/* the guest hides /sys/kernel/btf (vmtest --no-btf) */
};

struct kb_vm_parsed_line {
	char kind;		/* 'K', 'S', 'R', 'D' */
	char *unit, *check, *status, *rest;
};
struct kb_vm_parsed {
	bool begun, ended;
	char *guest_release;
	unsigned long base_taint;
	char *last_unit, *last_step;	/* the step running when the log stops */
	char *panic;			/* "Kernel panic - not syncing: …" and what led to it */
	char *forged;			/* the first forged or unexpected line, escaped */
	bool port;			/* the results came on the private port */
	struct kb_vm_parsed_line *v;
	size_t n;
	struct kb_vm_parsed_line *hits;	/* host-side console findings: unit, check (oops,
					 * warning), rest = the console line */
	size_t nhits;
};

/* What the host has of one boot: the secret it gave the guest, the private
 * port's bytes (NULL/0: the kernel had no port, the results are on the
 * console) and the serial console's. */
struct kb_vm_channel {
	const char *nonce;
	const char *result;
	size_t result_len;
	const char *console;
	size_t console_len;
};

/* Parse a boot's channel into p (see above). Always 0. */
int kb_vm_result_parse(const struct kb_vm_channel *ch, struct kb_vm_parsed *p);
void kb_vm_parsed_free(struct kb_vm_parsed *p);

/* Apply parsed lines to a kernel's units (the guest-side checks insmod …
 * taint); timed_out says the host stopped the VM. Sets KB_CHK_BOOT and
 * explains any missing result; a forged, repeated, out-of-order or unknown
 * line fails every unit's boot check. */
void kb_vm_kernel_apply(struct kb_vm_kernel *k, const struct kb_vm_parsed *p, bool timed_out,
			int timeout_s);
/* Mark every unit's unset checks failed/skipped because of a kernel-level
 * problem (no image, boot failure). */
void kb_vm_kernel_fail_all(struct kb_vm_kernel *k, enum kb_vm_check c, const char *why);

/* Taint flags as letters, e.g. "DW" for 0x280; buf of 32. */
void kb_vm_taint_letters(unsigned long t, char *buf, size_t n);
#define KB_VM_TAINT_OK ((1ul << 12) | (1ul << 13))	/* O: out-of-tree, E: unsigned */

/* Is the unit in the guest: a module unit that built, a BPF unit whose
 * object validated? */
bool kb_vm_unit_ready(const struct kb_vm_unit *u);

/* Does a unit pass, given which checks are critical? */
bool kb_vm_unit_passed(const struct kb_vm_unit *u, const bool critical[KB_CHK_N]);
void kb_vm_kernel_free(struct kb_vm_kernel *k);

#endif
