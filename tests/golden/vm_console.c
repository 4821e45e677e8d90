/* vm_console.c — the golden cases' driver for the VM console parser
 * (vm/result.c), which no command prints on its own: read a serial console
 * log (and the private result port's, --port), parse them with the boot's
 * nonce (kb_vm_result_parse), apply them to a kernel's units as vmtest does
 * (kb_vm_kernel_apply), and print what the parser found and each unit's
 * verdicts as plain text.
 *
 *   vm_console LOG [--nonce HEX] [--port FILE] [--unit NAME]... [--timed-out SEC]
 *
 * --unit names a module unit in load order (default: kbundle_test, the
 * built-in one); --timed-out says the host stopped the VM after SEC
 * seconds. build and vermagic are host-side checks: they start as passed,
 * as for every unit vmtest boots. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/error.h"
#include "lib/file.h"
#include "vm/result.h"

#define KB_CONSOLE_MAX (64u << 20)

/* Text that may span lines, each line prefixed so the layout stays readable. */
static void kb_print_block(const char *label, const char *text)
{
	const char *p = text;

	printf("  %s:\n", label);
	while (*p) {
		size_t n = strcspn(p, "\n");

		printf("    | %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

static void kb_print_parsed(const struct kb_vm_parsed *p)
{
	printf("parsed:\n");
	printf("  begun: %s\n  ended: %s\n", p->begun ? "yes" : "no", p->ended ? "yes" : "no");
	printf("  guest_release: %s\n", p->guest_release ? p->guest_release : "-");
	printf("  base_taint: %lu\n", p->base_taint);
	printf("  last_step: %s %s\n", p->last_unit ? p->last_unit : "-",
	       p->last_step ? p->last_step : "-");
	printf("  lines: %zu\n", p->n);
	for (size_t i = 0; i < p->n; i++) {
		const struct kb_vm_parsed_line *l = &p->v[i];

		printf("    KB%c unit=%s check=%s status=%s rest=%s\n", l->kind, l->unit, l->check,
		       l->status ? l->status : "-", l->rest);
	}
	printf("  channel: %s\n", p->port ? "port" : "console");
	printf("  forged: %s\n", p->forged ? p->forged : "-");
	for (size_t i = 0; i < p->nhits; i++)
		printf("  host saw: unit=%s check=%s line=%s\n", p->hits[i].unit, p->hits[i].check,
		       p->hits[i].rest);
	if (p->panic)
		kb_print_block("panic", p->panic);
	else
		printf("  panic: -\n");
}

static void kb_print_kernel(const struct kb_vm_kernel *k)
{
	printf("kernel: guest_release %s\n", k->guest_release ? k->guest_release : "-");
	for (size_t i = 0; i < k->nunits; i++) {
		const struct kb_vm_unit *u = &k->units[i];

		printf("unit %s:\n", u->name);
		for (int c = 0; c < KB_CHK_N; c++) {
			if (!kb_vm_check_applies(u->bpf, (enum kb_vm_check)c))
				continue;
			printf("  %-9s %s\n", kb_vm_check_name(c), kb_vm_status_name(u->chk[c].st));
			if (u->chk[c].detail)
				kb_print_block("detail", u->chk[c].detail);
		}
	}
}

static void kb_unit_add(struct kb_vm_kernel *k, const char *name)
{
	struct kb_vm_unit *u;

	k->units = kb_xrealloc(k->units, (k->nunits + 1) * sizeof(*k->units));
	u = &k->units[k->nunits++];
	memset(u, 0, sizeof(*u));
	u->name = kb_xstrdup(name);
	u->chk[KB_CHK_BUILD].st = KB_ST_PASS;
	u->chk[KB_CHK_VERMAGIC].st = KB_ST_PASS;
}

int main(int argc, char **argv)
{
	struct kb_vm_kernel k = { 0 };
	struct kb_vm_parsed p = { 0 };
	struct kb_vm_channel ch = { 0 };
	char *log = NULL, *port = NULL;
	const char *port_path = NULL;
	size_t len = 0, plen = 0;
	int timeout_s = 0, rc = 2, err;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--unit") && i + 1 < argc) {
			kb_unit_add(&k, argv[++i]);
		} else if (!strcmp(argv[i], "--nonce") && i + 1 < argc) {
			ch.nonce = argv[++i];
		} else if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			port_path = argv[++i];
		} else if (!strcmp(argv[i], "--timed-out") && i + 1 < argc) {
			timeout_s = atoi(argv[++i]);
		} else {
			fprintf(stderr, "usage: vm_console LOG [--nonce HEX] [--port FILE] [--unit NAME]... [--timed-out SEC]\n");
			goto out;
		}
	}
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: vm_console LOG [--nonce HEX] [--port FILE] [--unit NAME]... [--timed-out SEC]\n");
		goto out;
	}
	if (!k.nunits)
		kb_unit_add(&k, "kbundle_test");
	err = kb_file_read(argv[1], KB_CONSOLE_MAX, &log, &len);
	if (err) {
		fprintf(stderr, "vm_console: %s: %s\n", argv[1], kb_strerror(err));
		rc = 1;
		goto out;
	}
	if (port_path) {
		err = kb_file_read(port_path, KB_CONSOLE_MAX, &port, &plen);
		if (err) {
			fprintf(stderr, "vm_console: %s: %s\n", port_path, kb_strerror(err));
			rc = 1;
			goto out;
		}
	}
	ch.console = log;
	ch.console_len = len;
	ch.result = port;
	ch.result_len = plen;
	kb_vm_result_parse(&ch, &p);
	kb_print_parsed(&p);
	kb_vm_kernel_apply(&k, &p, timeout_s > 0, timeout_s);
	kb_print_kernel(&k);
	rc = 0;
out:
	kb_vm_parsed_free(&p);
	kb_vm_kernel_free(&k);
	free(log);
	free(port);
	return rc;
}
