/* bpfobj.h — a BPF object checked before any VM boots: an ELF relocatable
 * of machine EM_BPF (libelf), with a license section, every program in a
 * section libbpf knows (xdp, kprobe/, kretprobe/, ksyscall/, tracepoint/,
 * raw_tp/, fentry/, tc, lsm/, …) and its maps parsed (libbpf's own open).
 * The object is outside data: anything else is refused with a reason. */
#ifndef KB_VM_BPFOBJ_H
#define KB_VM_BPFOBJ_H

#include <stdbool.h>
#include <stddef.h>

#define KB_VM_BPFOBJ_MAX (64u << 20)

struct kb_vm_bpfobj {
	size_t nprogs, nmaps;
	long insns;		/* over all programs */
	bool tc;		/* a TC (sched_cls) program: the guest needs clsact */
	char *summary;		/* a line per program: "NAME: SECTION, TYPE, N insns, B bytes" */
};

/* 0, or -KB_EPARSE with *why (malloc'd) saying what is wrong, named by
 * name (the object's path). */
int kb_vm_bpfobj_check(const void *buf, size_t len, const char *name, struct kb_vm_bpfobj *o,
		       char **why);
/* The same for a file of at most KB_VM_BPFOBJ_MAX bytes. */
int kb_vm_bpfobj_check_file(const char *path, struct kb_vm_bpfobj *o, char **why);
void kb_vm_bpfobj_free(struct kb_vm_bpfobj *o);

#endif
