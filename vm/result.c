/* result.c — check names, the console result parser, and how the guest's
 * lines and the host's observations become per-unit verdicts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/file.h"
#include "lib/strview.h"
#include "vm/result.h"

#define KB_VM_MAX_LINES 100000	/* a guest cannot make the parser hoard memory */
#define KB_VM_PANIC_CONTEXT 30	/* lines kept before "Kernel panic" */

static const char *const kb_vm_checks[KB_CHK_N] = {
	[KB_CHK_BUILD] = "build",	[KB_CHK_VERMAGIC] = "vermagic",
	[KB_CHK_BPF_BUILD] = "bpf-build", [KB_CHK_BPF_VALIDATE] = "bpf-validate",
	[KB_CHK_BOOT] = "boot",		[KB_CHK_INSMOD] = "insmod",
	[KB_CHK_LOADED] = "loaded",	[KB_CHK_SELFTEST] = "selftest",
	[KB_CHK_RMMOD] = "rmmod",	[KB_CHK_BPF_LOAD] = "bpf-load",
	[KB_CHK_BPF_ATTACH] = "bpf-attach", [KB_CHK_BPF_RUN] = "bpf-run",
	[KB_CHK_OOPS] = "oops",
	[KB_CHK_WARNING] = "warning",	[KB_CHK_TAINT] = "taint",
};

const char *kb_vm_check_name(enum kb_vm_check c)
{
	return c < KB_CHK_N ? kb_vm_checks[c] : "?";
}

bool kb_vm_check_applies(bool bpf, enum kb_vm_check c)
{
	switch (c) {
	case KB_CHK_BOOT: case KB_CHK_OOPS: case KB_CHK_WARNING: case KB_CHK_TAINT:
		return true;
	case KB_CHK_BPF_BUILD: case KB_CHK_BPF_VALIDATE: case KB_CHK_BPF_LOAD:
	case KB_CHK_BPF_ATTACH: case KB_CHK_BPF_RUN:
		return bpf;
	default:
		return !bpf && c < KB_CHK_N;
	}
}

bool kb_vm_unit_ready(const struct kb_vm_unit *u)
{
	return u->bpf ? u->chk[KB_CHK_BPF_VALIDATE].st == KB_ST_PASS && u->bpf_obj
		      : u->chk[KB_CHK_BUILD].st == KB_ST_PASS;
}

int kb_vm_check_parse(const char *name)
{
	for (int c = 0; c < KB_CHK_N; c++)
		if (!strcmp(name, kb_vm_checks[c]))
			return c;
	return -1;
}

const char *kb_vm_status_name(enum kb_vm_status s)
{
	switch (s) {
	case KB_ST_PASS: return "pass";
	case KB_ST_FAIL: return "fail";
	case KB_ST_SKIP: return "skip";
	default: return "notrun";
	}
}

int kb_vm_status_parse(const char *name)
{
	for (int s = KB_ST_NOTRUN; s <= KB_ST_SKIP; s++)
		if (!strcmp(name, kb_vm_status_name((enum kb_vm_status)s)))
			return s;
	return -1;
}

static char *kb_vm_word(struct kb_str *s)
{
	struct kb_str w;

	kb_str_split(s, ' ', &w);
	return kb_xstrndup(w.p, w.n);
}

/* An authenticated line out of place, or a line that only looks like one:
 * the first is kept (escaped: it is the guest's text) and fails the run. */
static void kb_vm_forged(struct kb_vm_parsed *p, struct kb_str l)
{
	size_t n = l.n < 200 ? l.n : 200, o = 0;
	char *t;

	if (p->forged)
		return;
	t = kb_xmalloc(n * 4 + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)l.p[i];

		if (ch < 0x20 || ch == 0x7f || ch >= 0x80)
			o += (size_t)sprintf(t + o, "\\x%02x", ch);
		else
			t[o++] = (char)ch;
	}
	t[o] = '\0';
	p->forged = t;
}

static bool kb_vm_looks_like_result(struct kb_str l)
{
	static const char *const tokens[] = { "KBR ", "KBK ", "KBS ", "KBD ", "KBV ",
					      "KBUNDLE-RESULT" };

	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		if (memmem(l.p, l.n, tokens[i], strlen(tokens[i])))
			return true;
	return false;
}

/* One authenticated line, its nonce already checked and cut off. */
static void kb_vm_parse_line(struct kb_vm_parsed *p, struct kb_str l, struct kb_str whole)
{
	struct kb_vm_parsed_line *pl;
	struct kb_str rest;
	char kind, *t;

	if (kb_str_eq(l, "KBUNDLE-RESULT-BEGIN") && !p->begun) {
		p->begun = true;
		return;
	}
	if (kb_str_eq(l, "KBUNDLE-RESULT-END") && p->begun && !p->ended) {
		p->ended = true;
		return;
	}
	if (!p->begun || p->ended || l.n < 4 || l.p[0] != 'K' || l.p[1] != 'B' ||
	    l.p[3] != ' ' || !strchr("KSRD", l.p[2]) || !l.p[2] || p->n >= KB_VM_MAX_LINES) {
		kb_vm_forged(p, whole);
		return;
	}
	kind = l.p[2];
	rest = kb_str(l.p + 4, l.n - 4);
	if (kind == 'K') {
		if (p->guest_release) {
			kb_vm_forged(p, whole);
			return;
		}
		p->guest_release = kb_vm_word(&rest);
		t = kb_xstrndup(rest.p, rest.n);
		p->base_taint = strtoul(t, NULL, 10);
		free(t);
		return;
	}
	p->v = kb_xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	pl = &p->v[p->n++];
	memset(pl, 0, sizeof(*pl));
	pl->kind = kind;
	pl->unit = kb_vm_word(&rest);
	pl->check = kb_vm_word(&rest);
	if (kind == 'R')
		pl->status = kb_vm_word(&rest);
	pl->rest = kb_xstrndup(rest.p, rest.n);
	if (kind == 'S') {
		free(p->last_unit);
		free(p->last_step);
		p->last_unit = kb_xstrdup(pl->unit);
		p->last_step = kb_xstrdup(pl->check);
	}
}

/* The panic line and the lines that led to it (the oops or BUG text). */
static void kb_vm_find_panic(struct kb_vm_parsed *p, const char *log, size_t len)
{
	const char *hit = memmem(log, len, "Kernel panic - not syncing", 26);
	const char *start, *end;
	int lines = 0;

	if (!hit)
		return;
	start = hit;
	while (start > log && lines <= KB_VM_PANIC_CONTEXT) {
		start--;
		if (*start == '\n')
			lines++;
	}
	if (*start == '\n')
		start++;
	end = memchr(hit, '\n', len - (size_t)(hit - log));
	if (!end)
		end = log + len;
	p->panic = kb_xstrndup(start, (size_t)(end - start));
}

/* The next line of s without its CR and trailing blanks. */
static bool kb_vm_next_line(struct kb_str *s, struct kb_str *l)
{
	if (!s->n)
		return false;
	kb_str_split(s, '\n', l);
	while (l->n && (l->p[l->n - 1] == '\r' || l->p[l->n - 1] == ' '))
		l->n--;
	while (l->n && l->p[0] == '\r')
		*l = kb_str(l->p + 1, l->n - 1);
	return true;
}

/* The stream that carries the results: every line authenticated, or
 * (on the console) kernel text that does not look like a result. */
static void kb_vm_parse_stream(struct kb_vm_parsed *p, const char *nonce, struct kb_str s,
			       bool private)
{
	char *prefix = kb_xasprintf("KBV %s ", nonce ? nonce : "");
	struct kb_str l;

	/* /init writes whole lines: a last one without its newline was cut
	 * when the host stopped QEMU. */
	while (private && s.n && s.p[s.n - 1] != '\n')
		s.n--;
	while (kb_vm_next_line(&s, &l)) {
		if (nonce && nonce[0] && kb_str_startswith(l, prefix))
			kb_vm_parse_line(p, kb_str(l.p + strlen(prefix), l.n - strlen(prefix)), l);
		else if (kb_vm_looks_like_result(l) || (private && l.n))
			kb_vm_forged(p, l);
	}
	free(prefix);
}

static void kb_vm_hit_add(struct kb_vm_parsed *p, const char *unit, const char *check,
			  struct kb_str l)
{
	struct kb_vm_parsed_line *h;

	if (p->nhits >= KB_VM_MAX_LINES)
		return;
	p->hits = kb_xrealloc(p->hits, (p->nhits + 1) * sizeof(*p->hits));
	h = &p->hits[p->nhits++];
	memset(h, 0, sizeof(*h));
	h->kind = 'H';
	h->unit = kb_xstrdup(unit);
	h->check = kb_xstrdup(check);
	h->rest = kb_xstrndup(l.p, l.n);
}

/* With the results on the port, the console is the kernel's alone: every
 * result-like line on it is forged, and its oopses and warnings after a
 * unit's marker are that unit's, whatever the guest reports. */
static void kb_vm_scan_console(struct kb_vm_parsed *p, struct kb_str s)
{
	static const char *const oops[] = { "Oops", "BUG:", "Call Trace",
					    "general protection fault" };
	static const char marker[] = "kbundle: unit ";
	char *unit = NULL;
	struct kb_str l;

	while (kb_vm_next_line(&s, &l)) {
		const char *m = memmem(l.p, l.n, marker, sizeof(marker) - 1);
		bool is_oops = false;

		if (kb_vm_looks_like_result(l)) {
			kb_vm_forged(p, l);
			continue;
		}
		if (m) {
			const char *w = m + sizeof(marker) - 1;

			free(unit);
			unit = kb_xstrndup(w, (size_t)(l.p + l.n - w));
			continue;
		}
		if (!unit)
			continue;	/* the kernel's own boot, before any unit */
		for (size_t i = 0; i < sizeof(oops) / sizeof(oops[0]) && !is_oops; i++)
			is_oops = memmem(l.p, l.n, oops[i], strlen(oops[i])) != NULL;
		if (is_oops)
			kb_vm_hit_add(p, unit, "oops", l);
		else if (memmem(l.p, l.n, "WARNING:", 8))
			kb_vm_hit_add(p, unit, "warning", l);
	}
	free(unit);
}

int kb_vm_result_parse(const struct kb_vm_channel *ch, struct kb_vm_parsed *p)
{
	struct kb_str console = kb_str(ch->console ? ch->console : "", ch->console_len);

	memset(p, 0, sizeof(*p));
	p->port = ch->result_len > 0;
	if (p->port) {
		kb_vm_parse_stream(p, ch->nonce, kb_str(ch->result, ch->result_len), true);
		kb_vm_scan_console(p, console);
	} else {
		kb_vm_parse_stream(p, ch->nonce, console, false);
	}
	kb_vm_find_panic(p, console.p, console.n);
	return 0;
}

void kb_vm_parsed_free(struct kb_vm_parsed *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].unit);
		free(p->v[i].check);
		free(p->v[i].status);
		free(p->v[i].rest);
	}
	free(p->v);
	for (size_t i = 0; i < p->nhits; i++) {
		free(p->hits[i].unit);
		free(p->hits[i].check);
		free(p->hits[i].rest);
	}
	free(p->hits);
	free(p->forged);
	free(p->guest_release);
	free(p->last_unit);
	free(p->last_step);
	free(p->panic);
	memset(p, 0, sizeof(*p));
}

void kb_vm_taint_letters(unsigned long t, char *buf, size_t n)
{
	static const char flags[] = "PFSRMBUDAWCIOEKXTN";
	size_t o = 0;

	for (size_t i = 0; i < sizeof(flags) - 1 && o + 1 < n; i++)
		if (t & (1ul << i))
			buf[o++] = flags[i];
	if (n)
		buf[o] = '\0';
}

static struct kb_vm_unit *kb_vm_unit_find(struct kb_vm_kernel *k, const char *name)
{
	for (size_t i = 0; i < k->nunits; i++)
		if (!strcmp(k->units[i].name, name))
			return &k->units[i];
	return NULL;
}

static void kb_vm_detail_add(struct kb_vm_check_result *r, const char *line)
{
	char *d = r->detail ? kb_xasprintf("%s\n%s", r->detail, line) : kb_xstrdup(line);

	free(r->detail);
	r->detail = d;
}

static void kb_vm_set(struct kb_vm_check_result *r, enum kb_vm_status st, const char *why)
{
	r->st = st;
	if (why)
		kb_vm_detail_add(r, why);
}

/* A guest result line becomes a status; taint values become words. */
static void kb_vm_apply_result(struct kb_vm_unit *u, int c, const struct kb_vm_parsed_line *pl)
{
	struct kb_vm_check_result *r = &u->chk[c];

	r->st = !strcmp(pl->status, "pass") ? KB_ST_PASS :
		!strcmp(pl->status, "skip") ? KB_ST_SKIP : KB_ST_FAIL;
	/* the verifier's processed count, from the guest's loader ("-": none) */
	if (c == KB_CHK_BPF_LOAD && r->st == KB_ST_PASS && pl->rest[0] >= '0' && pl->rest[0] <= '9')
		u->verified_insns = strtol(pl->rest, NULL, 10);
	if (c == KB_CHK_TAINT && r->st == KB_ST_FAIL) {
		unsigned long t = strtoul(pl->rest, NULL, 10);
		char letters[32], *why;

		kb_vm_taint_letters(t & ~KB_VM_TAINT_OK, letters, sizeof(letters));
		why = kb_xasprintf("the kernel became tainted %s (tainted=%lu); O and E "
				   "(out-of-tree, unsigned) are expected and ignored", letters, t);
		kb_vm_detail_add(r, why);
		free(why);
	}
}

/* Is pl a line /init could have written at this point? Units report in
 * the order they were loaded, each check at most once, in the order of
 * enum kb_vm_check; only units that were built are in the guest. */
static bool kb_vm_line_expected(const struct kb_vm_kernel *k, const struct kb_vm_parsed_line *pl,
				size_t *unit_at, int *last_check)
{
	size_t ui;
	int c = kb_vm_check_parse(pl->check);

	for (ui = 0; ui < k->nunits && strcmp(k->units[ui].name, pl->unit); ui++)
		;
	if (ui == k->nunits || !kb_vm_unit_ready(&k->units[ui]) || ui < *unit_at)
		return false;
	if (c >= 0 && !kb_vm_check_applies(k->units[ui].bpf, (enum kb_vm_check)c))
		return false;
	if (ui > *unit_at) {
		*unit_at = ui;
		*last_check = -1;
	}
	if (pl->kind == 'S')
		return c >= KB_CHK_INSMOD || !strcmp(pl->check, "scan");
	if (c < KB_CHK_INSMOD)
		return false;
	if (pl->kind == 'D')
		return true;
	if (c <= *last_check || (strcmp(pl->status, "pass") && strcmp(pl->status, "fail") &&
				 strcmp(pl->status, "skip")))
		return false;
	*last_check = c;
	return true;
}

/* What the host saw on the console overrules the guest's word. */
static void kb_vm_apply_hits(struct kb_vm_kernel *k, const struct kb_vm_parsed *p)
{
	for (size_t i = 0; i < p->nhits; i++) {
		struct kb_vm_unit *u = kb_vm_unit_find(k, p->hits[i].unit);
		int c = kb_vm_check_parse(p->hits[i].check);
		char *why;

		if (!u || c < 0)
			continue;
		if (u->chk[c].st != KB_ST_FAIL) {
			why = kb_xasprintf("the serial console shows (seen by the host): %s",
					   p->hits[i].rest);
			kb_vm_set(&u->chk[c], KB_ST_FAIL, why);
			free(why);
		} else if (!u->chk[c].detail) {
			kb_vm_detail_add(&u->chk[c], p->hits[i].rest);
		}
	}
}

void kb_vm_kernel_apply(struct kb_vm_kernel *k, const struct kb_vm_parsed *p, bool timed_out,
			int timeout_s)
{
	char *why = NULL, *forged = p->forged ? kb_xstrdup(p->forged) : NULL;
	size_t unit_at = 0;
	int last_check = -1;

	if (p->guest_release) {
		free(k->guest_release);
		k->guest_release = kb_xstrdup(p->guest_release);
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct kb_vm_parsed_line *pl = &p->v[i];
		struct kb_vm_unit *u = kb_vm_unit_find(k, pl->unit);
		int c = kb_vm_check_parse(pl->check);

		if (!kb_vm_line_expected(k, pl, &unit_at, &last_check)) {
			if (!forged)
				forged = kb_xasprintf("KB%c %s %s%s%s %s", pl->kind, pl->unit,
						      pl->check, pl->status ? " " : "",
						      pl->status ? pl->status : "", pl->rest);
			continue;
		}
		if (pl->kind == 'R')
			kb_vm_apply_result(u, c, pl);
		else if (pl->kind == 'D')
			kb_vm_detail_add(&u->chk[c], pl->rest);
	}
	kb_vm_apply_hits(k, p);
	if (forged) {
		why = kb_xasprintf("forged or unexpected result line: %s", forged);
		for (size_t i = 0; i < k->nunits; i++)
			if (kb_vm_unit_ready(&k->units[i]))
				kb_vm_set(&k->units[i].chk[KB_CHK_BOOT], KB_ST_FAIL, why);
		free(why);
		why = NULL;
		free(forged);
	}
	if (!p->ended) {
		const char *step = p->last_step ? p->last_step : "boot";

		if (timed_out && p->begun)
			why = kb_xasprintf("timeout: no result after %d s; the guest was still "
					   "running %s of %s", timeout_s, step, p->last_unit);
		else if (timed_out)
			why = kb_xasprintf("timeout: the kernel did not reach the test script "
					   "within %d s", timeout_s);
		else if (p->panic)
			why = kb_xasprintf("kernel panic:\n%s", p->panic);
		else
			why = kb_xasprintf("the VM stopped before the tests finished (last step: "
					   "%s%s%s)", step, p->last_unit ? " of " : "",
					   p->last_unit ? p->last_unit : "");
	}
	for (size_t i = 0; i < k->nunits; i++) {
		struct kb_vm_unit *u = &k->units[i];
		bool running = p->last_unit && !strcmp(p->last_unit, u->name);

		if (!kb_vm_unit_ready(u) || u->chk[KB_CHK_BOOT].st != KB_ST_NOTRUN)
			continue;
		if (u->chk[KB_CHK_TAINT].st != KB_ST_NOTRUN || p->ended) {
			kb_vm_set(&u->chk[KB_CHK_BOOT], KB_ST_PASS, NULL);
			continue;
		}
		kb_vm_set(&u->chk[KB_CHK_BOOT], KB_ST_FAIL, why ? why : "no result from the guest");
		if (running && p->last_step) {
			int c = kb_vm_check_parse(p->last_step);

			if (c >= 0 && u->chk[c].st == KB_ST_NOTRUN)
				kb_vm_set(&u->chk[c], KB_ST_FAIL, why);
		}
	}
	/* Whatever the guest never got to is "not reached", not "passed". */
	for (size_t i = 0; i < k->nunits; i++)
		for (int c = KB_CHK_INSMOD; c < KB_CHK_N; c++)
			if (k->units[i].chk[c].st == KB_ST_NOTRUN &&
			    kb_vm_check_applies(k->units[i].bpf, (enum kb_vm_check)c))
				k->units[i].chk[c].st = KB_ST_SKIP;
	free(why);
}

void kb_vm_kernel_fail_all(struct kb_vm_kernel *k, enum kb_vm_check c, const char *why)
{
	for (size_t i = 0; i < k->nunits; i++) {
		struct kb_vm_unit *u = &k->units[i];

		if (u->chk[c].st == KB_ST_NOTRUN)
			kb_vm_set(&u->chk[u->bpf && c == KB_CHK_BUILD ? KB_CHK_BPF_BUILD : c],
				  KB_ST_FAIL, why);
		for (int o = 0; o < KB_CHK_N; o++)
			if (u->chk[o].st == KB_ST_NOTRUN && kb_vm_check_applies(u->bpf, (enum kb_vm_check)o))
				u->chk[o].st = KB_ST_SKIP;
	}
}

bool kb_vm_unit_passed(const struct kb_vm_unit *u, const bool critical[KB_CHK_N])
{
	for (int c = 0; c < KB_CHK_N; c++)
		if (critical[c] && u->chk[c].st == KB_ST_FAIL)
			return false;
	return true;
}

void kb_vm_kernel_free(struct kb_vm_kernel *k)
{
	for (size_t i = 0; i < k->nunits; i++) {
		struct kb_vm_unit *u = &k->units[i];

		free(u->name);
		free(u->src);
		free(u->build_dir);
		free(u->bpf_obj);
		free(u->bpf_btf);
		for (size_t j = 0; j < u->nkos; j++)
			free(u->kos[j]);
		free(u->kos);
		for (size_t j = 0; j < u->ndeps; j++)
			free(u->deps[j]);
		free(u->deps);
		for (int c = 0; c < KB_CHK_N; c++)
			free(u->chk[c].detail);
	}
	free(k->units);
	for (size_t i = 0; i < k->nportmods; i++)
		free(k->portmods[i]);
	free(k->portmods);
	free(k->bpfload);
	free(k->id);
	free(k->distro);
	free(k->release);
	free(k->guest_release);
	free(k->accel);
	free(k->arch);
	free(k->log_path);
	free(k->console);
	memset(k, 0, sizeof(*k));
}
