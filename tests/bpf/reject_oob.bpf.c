/* reject_oob — the verifier must refuse it: it reads 8 bytes past the end
 * of an 8-byte map value. kbundle reports it rejected, with the verifier's
 * log; its case alone fails. */
#include "kb_runs.h"

SEC("xdp")
int reject_oob(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&kb_runs, &key);

	(void)ctx;
	if (!v)
		return XDP_PASS;
	return (int)v[1];
}
