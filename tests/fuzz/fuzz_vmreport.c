/* fuzz_vmreport.c — vmtest's JSON reports read back (`report merge` takes
 * them from shards): any input gives a run or an error, and a run renders
 * again as JSON and JUnit. */
#include "tests/fuzz/fuzz.h"
#include "vm/report_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_vm_run run, all = { 0 };
	size_t len = 0;
	int err = 0;

	if (kb_vm_report_parse((const char *)data, size, "fuzz", &run) != 0)
		return 0;
	free(kb_vm_report_json(&run, &len, &err));
	free(kb_vm_report_junit(&run, &len, &err));
	if (kb_vm_run_merge(&all, &run, "fuzz") == 0)
		kb_vm_run_free(&all);
	kb_vm_run_free(&run);
	return 0;
}
