/* bpfobj.c — the pre-boot check of a BPF object: its ELF identity and
 * license section through libelf, its programs and maps through libbpf. */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <signal.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/proc.h"
#include "vm/bpfobj.h"

/* libbpf's print hook is process-wide, and libbpf 1.1's ELF reader is
 * not hardened against hostile objects (fuzz_bpfobj crashes it): its open
 * runs in a child (kb_proc_call), which reports back on its output and
 * whose crash is a verdict on the object, not on kbundle. */
static char kb_bpfobj_said[2048];

__attribute__((format(printf, 2, 0)))
static int kb_bpfobj_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t n = strlen(kb_bpfobj_said);

	if (level != LIBBPF_DEBUG && n + 1 < sizeof(kb_bpfobj_said))
		vsnprintf(kb_bpfobj_said + n, sizeof(kb_bpfobj_said) - n, fmt, ap);
	return 0;
}

static void kb_bpfobj_crashed(int sig)
{
	_exit(128 + sig);
}

/* The ELF side: machine, type and a license section. NULL when fine. */
static char *kb_bpfobj_elf(const void *buf, size_t len)
{
	Elf *e;
	GElf_Ehdr eh;
	Elf_Scn *s = NULL;
	size_t shstrndx;
	char *why = NULL;
	bool license = false;

	elf_version(EV_CURRENT);
	e = elf_memory((char *)buf, len);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		why = kb_xstrdup("not an ELF file");
		goto out;
	}
	if (eh.e_machine != EM_BPF) {
		why = kb_xasprintf("an ELF file for machine %u, not EM_BPF (%u): was it built with "
				   "clang -target bpf?", eh.e_machine, EM_BPF);
		goto out;
	}
	if (eh.e_type != ET_REL) {
		why = kb_xasprintf("an ELF file of type %u, not a relocatable object (ET_REL)",
				   eh.e_type);
		goto out;
	}
	if (elf_getshdrstrndx(e, &shstrndx) != 0) {
		why = kb_xstrdup("its section names cannot be read");
		goto out;
	}
	while ((s = elf_nextscn(e, s)) && !license) {
		GElf_Shdr sh;
		const char *n = gelf_getshdr(s, &sh) ? elf_strptr(e, shstrndx, sh.sh_name) : NULL;

		license = n && !strcmp(n, "license") && sh.sh_size > 1;
	}
	if (!license)
		why = kb_xstrdup("no license section: declare one, e.g. "
				 "char LICENSE[] SEC(\"license\") = \"GPL\";");
out:
	if (e)
		elf_end(e);
	return why;
}

/* The first line libbpf said, for a reason. */
static char *kb_bpfobj_libbpf_said(void)
{
	size_t n = strcspn(kb_bpfobj_said, "\n");

	return n ? kb_xasprintf(": %.*s", (int)n, kb_bpfobj_said) : kb_xstrdup("");
}

static char *kb_bpfobj_progs(struct bpf_object *obj, struct kb_vm_bpfobj *o)
{
	struct bpf_program *p;
	struct bpf_map *m;
	char *sum = kb_xstrdup(""), *t;

	bpf_object__for_each_program(p, obj) {
		enum bpf_prog_type type = bpf_program__type(p);
		const char *ts = libbpf_bpf_prog_type_str(type);
		size_t insns = bpf_program__insn_cnt(p);

		if (type == BPF_PROG_TYPE_UNSPEC) {
			t = kb_xasprintf("program %s: section '%s' is not a program section libbpf "
					 "knows (xdp, kprobe/, kretprobe/, ksyscall/, tracepoint/, "
					 "raw_tp/, fentry/, tc, lsm/, …)", bpf_program__name(p),
					 bpf_program__section_name(p));
			free(sum);
			return t;
		}
		o->nprogs++;
		o->insns += (long)insns;
		o->tc |= type == BPF_PROG_TYPE_SCHED_CLS;
		t = kb_xasprintf("%s%s%s: %s, %s, %zu insns, %zu bytes", sum, *sum ? "\n" : "",
				 bpf_program__name(p), bpf_program__section_name(p), ts ? ts : "?",
				 insns, insns * 8);
		free(sum);
		sum = t;
	}
	bpf_object__for_each_map(m, obj)
		o->nmaps++;
	if (!o->nprogs) {
		free(sum);
		return kb_xstrdup("no BPF program in it (no SEC(\"…\") function)");
	}
	o->summary = sum;
	return NULL;
}

struct kb_bpfobj_input {
	const void *buf;
	size_t len;
};

/* In the child: libbpf's open, its verdict written to stdout as
 * "ok NPROGS NMAPS INSNS TC\nSUMMARY" or "no WHY". */
static void kb_bpfobj_child(void *ctx)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	const struct kb_bpfobj_input *in = ctx;
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "kbundle-check");
	struct sigaction sa = { .sa_handler = kb_bpfobj_crashed };
	struct kb_vm_bpfobj o = { 0 };
	struct bpf_object *obj;
	char *w, *said, *msg;

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	libbpf_set_print(kb_bpfobj_print);
	obj = bpf_object__open_mem(in->buf, in->len, &opts);
	if (!obj) {
		said = kb_bpfobj_libbpf_said();
		w = kb_xasprintf("libbpf cannot open it (%s)%s", strerror(errno), said);
		free(said);
	} else {
		w = kb_bpfobj_progs(obj, &o);
	}
	msg = w ? kb_xasprintf("no %s", w) :
		  kb_xasprintf("ok %zu %zu %ld %d\n%s", o.nprogs, o.nmaps, o.insns, o.tc, o.summary);
	for (size_t off = 0, n = strlen(msg); off < n;) {
		ssize_t k = write(1, msg + off, n - off);

		if (k <= 0)
			_exit(1);
		off += (size_t)k;
	}
}

/* libbpf's side, in a child (lib/proc.h); NULL when fine (o filled). */
static char *kb_bpfobj_libbpf(const void *buf, size_t len, struct kb_vm_bpfobj *o)
{
	struct kb_bpfobj_input in = { buf, len };
	struct kb_proc_opts po = { .timeout_ms = 30000, .output_max = 1 << 16 };
	struct kb_proc_result r = { 0 };
	int err = kb_proc_call(kb_bpfobj_child, &in, &po, &r), tc = 0, used = 0;
	char *why = NULL;

	if (err == -ETIMEDOUT) {
		why = kb_xstrdup("libbpf did not finish reading it within 30 s: a malformed object");
	} else if (err || r.output_len < 3) {
		why = r.exit_code > 128 ?
		      kb_xasprintf("libbpf crashed reading it (%s): a malformed object",
				   strsignal(r.exit_code - 128)) :
		      kb_xasprintf("libbpf failed reading it (exit status %d): a malformed object",
				   r.exit_code);
	} else if (!strncmp(r.output, "no ", 3)) {
		why = kb_xstrdup(r.output + 3);
	} else if (sscanf(r.output, "ok %zu %zu %ld %d\n%n", &o->nprogs, &o->nmaps, &o->insns,
			  &tc, &used) != 4 || !used) {
		why = kb_xstrdup("the check's child gave no verdict");
	} else {
		o->tc = tc;
		o->summary = kb_xstrdup(r.output + used);
	}
	free(r.output);
	return why;
}

int kb_vm_bpfobj_check(const void *buf, size_t len, const char *name, struct kb_vm_bpfobj *o,
		       char **why)
{
	char *w;

	memset(o, 0, sizeof(*o));
	*why = NULL;
	if (!len) {
		*why = kb_xasprintf("%s: an empty file, not a BPF object", name);
		return -KB_EPARSE;
	}
	w = kb_bpfobj_elf(buf, len);
	if (!w)
		w = kb_bpfobj_libbpf(buf, len, o);
	if (!w)
		return 0;
	*why = kb_xasprintf("%s: %s", name, w);
	free(w);
	kb_vm_bpfobj_free(o);
	return -KB_EPARSE;
}

int kb_vm_bpfobj_check_file(const char *path, struct kb_vm_bpfobj *o, char **why)
{
	char *buf = NULL;
	size_t len = 0;
	int err = kb_file_read(path, KB_VM_BPFOBJ_MAX, &buf, &len);

	if (err) {
		memset(o, 0, sizeof(*o));
		*why = kb_xasprintf("%s: %s", path, kb_strerror(err));
		return err;
	}
	err = kb_vm_bpfobj_check(buf, len, path, o, why);
	free(buf);
	return err;
}

void kb_vm_bpfobj_free(struct kb_vm_bpfobj *o)
{
	free(o->summary);
	memset(o, 0, sizeof(*o));
}
