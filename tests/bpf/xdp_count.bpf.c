/* xdp_count — an XDP packet counter: kbundle attaches it to lo and sends
 * a packet; every packet passes. */
#include "kb_runs.h"

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	(void)ctx;
	kb_ran();
	return XDP_PASS;
}
