/* kb_runs.h — what every sample shares: the counter kbundle's guest loader
 * reads after it triggers a program (bpf-run passes when it is above 0),
 * and the headers of the build it is in. kbundle compiles each sample
 * twice: CO-RE (KBUNDLE_BPF_CORE=1) against the kernel's own vmlinux.h,
 * and non-CO-RE (KBUNDLE_BPF_CORE=0) against the bundle's headers. */
#ifndef KB_RUNS_H
#define KB_RUNS_H

#if KBUNDLE_BPF_CORE
#include "vmlinux.h"
#else
#include <uapi/linux/bpf.h>	/* as the kernel's own samples/bpf: from the bundle */
#endif
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} kb_runs SEC(".maps");

static __always_inline void kb_ran(void)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&kb_runs, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
}

char LICENSE[] SEC("license") = "GPL";

#endif
