/* net_xmit — a network tracepoint: net/net_dev_xmit fires for every
 * packet a device sends, lo's too. */
#include "kb_runs.h"

SEC("tracepoint/net/net_dev_xmit")
int net_xmit(void *ctx)
{
	(void)ctx;
	kb_ran();
	return 0;
}
