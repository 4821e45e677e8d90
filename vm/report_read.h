/* report_read.h — read vmtest's JSON reports back (the shards of a run,
 * issue 16) and merge them into one run, which report.c renders again as
 * JSON and JUnit. Reports are outside data: every field is checked, and an
 * error names the file and the member. */
#ifndef KB_VM_REPORT_READ_H
#define KB_VM_REPORT_READ_H

#include <stddef.h>

#include "vm/report.h"

/* Parse one report (name for messages). On error *run is empty. */
int kb_vm_report_parse(const char *text, size_t len, const char *name, struct kb_vm_run *run);
/* Read path (at most 256 MiB); each kernel's console log is read back from
 * its console_log path, when that file is there, for JUnit's system-out. */
int kb_vm_report_read(const char *path, struct kb_vm_run *run);

/* Append in's kernels to out (in is emptied). The critical checks must be
 * the same; a kernel (bundle id) in both is an error: shards never overlap.
 * out's start is the earliest, its time the longest (shards run at once). */
int kb_vm_run_merge(struct kb_vm_run *out, struct kb_vm_run *in, const char *name);
void kb_vm_run_free(struct kb_vm_run *run);

#endif
