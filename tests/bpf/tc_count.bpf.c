/* tc_count — a TC classifier on lo's ingress (clsact): counts packets and
 * lets them through (TC_ACT_OK). */
#include "kb_runs.h"

SEC("tc")
int tc_count(struct __sk_buff *skb)
{
	(void)skb;
	kb_ran();
	return 0;	/* TC_ACT_OK */
}
