/* report.h — vmtest's reports: JSON (--json), JUnit XML (--junit; one test
 * case per kernel x module unit, the console log attached on failure), a
 * static HTML page (--html, report_html.c) and the summary table on the
 * terminal. */
#ifndef KB_VM_REPORT_H
#define KB_VM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "vm/result.h"

struct kb_vm_run {
	struct kb_vm_kernel *kernels;
	size_t nkernels;
	bool critical[KB_CHK_N];
	char started[32];	/* UTC, ISO 8601 */
	double seconds;
};

/* Did every unit of every kernel pass its critical checks? */
bool kb_vm_run_passed(const struct kb_vm_run *run);

/* Text safe for XML 1.0 and JSON: invalid UTF-8 becomes U+FFFD, control
 * characters other than tab and newline are dropped (console logs carry
 * escape sequences and stray bytes). malloc'd. */
char *kb_vm_text_clean(const char *s, size_t n);

/* The first failing critical check of a unit as "check: first line", or
 * NULL when it passed. malloc'd. */
char *kb_vm_unit_why(const struct kb_vm_unit *u, const bool critical[KB_CHK_N]);

/* Render into memory (for tests) or write atomically to path. */
char *kb_vm_report_json(const struct kb_vm_run *run, size_t *len, int *err);
char *kb_vm_report_junit(const struct kb_vm_run *run, size_t *len, int *err);
/* Write a rendered report (text, len; err: the rendering's) to path ("-":
 * stdout) atomically, logging a failure; frees text. */
int kb_vm_report_put(const char *path, char *text, size_t len, int err);
int kb_vm_report_write(const char *path, char *(*render)(const struct kb_vm_run *, size_t *, int *),
		       const struct kb_vm_run *run);
void kb_vm_report_table(FILE *f, const struct kb_vm_run *run);
/* The page written at page (its links to the console logs are relative to
 * it; "-": the current directory), and writing it atomically to path. */
char *kb_vm_report_html(const struct kb_vm_run *run, const char *page, size_t *len, int *err);
int kb_vm_report_html_write(const char *path, const struct kb_vm_run *run);

#endif
