/* kprobe_getpid — a kprobe on a syscall's entry: ksyscall/ lets libbpf
 * find the kernel's name for it (__x64_sys_getpid, __arm64_sys_getpid…);
 * kbundle calls getpid after attaching it. */
#include "kb_runs.h"

SEC("ksyscall/getpid")
int kprobe_getpid(void *ctx)
{
	(void)ctx;
	kb_ran();
	return 0;
}
