/* result.h — what one vmtest run found: per kernel, per module unit, one
 * status per check; and the parser of the guest's result lines on the
 * serial console.
 *
 * The guest prints, between unambiguous markers:
 *   KBUNDLE-RESULT-BEGIN
 *   KBK <uname -r> <tainted>            the kernel that ran
 *   KBS <unit> <step>                   a step starts (names the step a timeout hit)
 *   KBR <unit> <check> pass|fail|skip [value]
 *   KBD <unit> <check> <text>           a detail line for that check
 *   KBUNDLE-RESULT-END
 * Lines that do not match are ignored (the kernel may print in between). */
#ifndef KB_VM_RESULT_H
#define KB_VM_RESULT_H

#include <stdbool.h>
#include <stddef.h>

enum kb_vm_check {
	KB_CHK_BUILD,		/* the module built against the bundle */
	KB_CHK_VERMAGIC,	/* the .ko's vermagic names BUNDLE_UNAME */
	KB_CHK_BOOT,		/* the kernel booted and ran the tests to the end */
	KB_CHK_INSMOD,		/* the kernel accepted the module */
	KB_CHK_LOADED,		/* it shows in /proc/modules */
	KB_CHK_SELFTEST,	/* the module's own check.sh passed */
	KB_CHK_RMMOD,		/* it unloaded */
	KB_CHK_OOPS,		/* no Oops, BUG: or Call Trace in the kernel log */
	KB_CHK_WARNING,		/* no WARNING: in the kernel log */
	KB_CHK_TAINT,		/* no taint beyond out-of-tree (O) and unsigned (E) */
	KB_CHK_N
};

enum kb_vm_status { KB_ST_NOTRUN, KB_ST_PASS, KB_ST_FAIL, KB_ST_SKIP };

const char *kb_vm_check_name(enum kb_vm_check c);
/* -1 when name is not a check. */
int kb_vm_check_parse(const char *name);
const char *kb_vm_status_name(enum kb_vm_status s);

struct kb_vm_check_result {
	enum kb_vm_status st;
	char *detail;		/* why, in words a person can act on; may span lines */
};

/* One module directory built and loaded as a unit. */
struct kb_vm_unit {
	char *name;		/* [A-Za-z0-9_-], unique in a run */
	char *src;		/* the module directory (NULL: the built-in test module) */
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
	char *accel;		/* kvm or tcg */
	char *log_path;		/* serial console log */
	char *console;		/* the console log's text (capped), for the reports */
	double seconds;		/* build + boot + tests */
	struct kb_vm_unit *units;
	size_t nunits;
};

/* Parse the console log and fill the units' guest-side checks (insmod …
 * taint). Checks a unit never reported get boot failure details. Returns
 * true when the END marker was seen. */
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
	struct kb_vm_parsed_line *v;
	size_t n;
};
int kb_vm_console_parse(const char *log, size_t len, struct kb_vm_parsed *p);
void kb_vm_parsed_free(struct kb_vm_parsed *p);

/* Apply parsed lines to a kernel's units; timed_out says the host stopped
 * the VM. Sets KB_CHK_BOOT and explains any missing result. */
void kb_vm_kernel_apply(struct kb_vm_kernel *k, const struct kb_vm_parsed *p, bool timed_out,
			int timeout_s);
/* Mark every unit's unset checks failed/skipped because of a kernel-level
 * problem (no image, boot failure). */
void kb_vm_kernel_fail_all(struct kb_vm_kernel *k, enum kb_vm_check c, const char *why);

/* Taint flags as letters, e.g. "DW" for 0x280; buf of 32. */
void kb_vm_taint_letters(unsigned long t, char *buf, size_t n);
#define KB_VM_TAINT_OK ((1ul << 12) | (1ul << 13))	/* O: out-of-tree, E: unsigned */

/* Does a unit pass, given which checks are critical? */
bool kb_vm_unit_passed(const struct kb_vm_unit *u, const bool critical[KB_CHK_N]);
void kb_vm_kernel_free(struct kb_vm_kernel *k);

#endif
