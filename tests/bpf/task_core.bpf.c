/* task_core — CO-RE: reads task_struct fields (the caller's tgid and its
 * parent's) through BTF relocations, so one object runs on every kernel
 * whose BTF it is given. It needs vmlinux.h: bpf.yml builds it CO-RE only. */
#include "kb_runs.h"
#include <bpf/bpf_core_read.h>

__u32 seen_tgid, seen_ppid;

SEC("ksyscall/getppid")
int task_core(void *ctx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	(void)ctx;
	seen_tgid = BPF_CORE_READ(t, tgid);
	seen_ppid = BPF_CORE_READ(t, real_parent, tgid);
	if (seen_tgid)
		kb_ran();
	return 0;
}
