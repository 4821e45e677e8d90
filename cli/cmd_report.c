/* cmd_report.c — `kbundle report merge`: one report from the vmtest
 * reports of a run's shards, and the gate decided on the whole. Options and
 * exit codes only; the reading and merging is vm/report_read.c's. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/error.h"
#include "lib/log.h"
#include "vm/report_read.h"

static void kb_report_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle report merge REPORT.json... [--json FILE|-] [--junit FILE]\n"
		"                           [--html FILE] [-q|-v]\n"
		"\n"
		"Merge the JSON reports of a sharded vmtest run (`vmtest --shard I/N --json`)\n"
		"into one, and decide the gate on the merged result. A kernel in two reports,\n"
		"or reports made with other critical checks, is refused.\n"
		"\n"
		"  --json FILE|-     the merged JSON report ('-': stdout)\n"
		"  --junit FILE      the merged JUnit XML (one test case per kernel x module;\n"
		"                    the console log attached where the shard's log is here)\n"
		"  --html FILE       the merged run as a static HTML page (the kernel x module\n"
		"                    matrix; console log links relative to FILE)\n"
		"  -q, --quiet       errors only (no table)\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"\n"
		"exit status: 0 merged and every critical check passed, 1 a check failed\n"
		"(or a report could not be written), 2 usage error or a bad report\n");
}

int kb_cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "junit", required_argument, NULL, 'U' },
		{ "html", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_vm_run all = { 0 };
	const char *junit = NULL, *html = NULL;
	struct kb_cli cli;
	int c, err = 0, rc;

	kb_cli_init(&cli, "report", kb_report_usage, KB_CLI_JSON | KB_CLI_OPERANDS);
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "")) >= 0)
		if (c == 'U')
			junit = optarg;
		else if (c == 'H')
			html = optarg;
	if (c == KB_CLI_STOP)
		return cli.exit;
	if (optind >= argc || strcmp(argv[optind], "merge"))
		return kb_cli_usage_error(&cli, true, "want: report merge REPORT.json...");
	if (optind + 1 >= argc)
		return kb_cli_usage_error(&cli, true, "report merge: no report given");
	for (int i = optind + 1; i < argc && !err; i++) {
		struct kb_vm_run one;

		err = kb_vm_report_read(argv[i], &one);
		if (!err) {
			err = kb_vm_run_merge(&all, &one, argv[i]);
			kb_vm_run_free(&one);
		}
	}
	if (err) {
		rc = KB_EXIT_USAGE;
		goto out;
	}
	rc = kb_vm_run_passed(&all) ? KB_EXIT_OK : KB_EXIT_FAIL;
	if (cli.json && kb_vm_report_write(cli.json, kb_vm_report_json, &all) != 0)
		rc = KB_EXIT_FAIL;
	if (junit && kb_vm_report_write(junit, kb_vm_report_junit, &all) != 0)
		rc = KB_EXIT_FAIL;
	if (html && kb_vm_report_html_write(html, &all) != 0)
		rc = KB_EXIT_FAIL;
	if (kb_log_get_level() >= KB_LOG_INFO && !(cli.json && !strcmp(cli.json, "-")))
		kb_vm_report_table(stdout, &all);
	kb_info("%zu kernels from %d reports: %s", all.nkernels, argc - optind - 1,
		kb_vm_run_passed(&all) ? "passed" : "FAILED");
out:
	kb_vm_run_free(&all);
	return rc;
}
