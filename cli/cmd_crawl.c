/* cmd_crawl.c — `kbundle crawl`: options, then crawler/crawl.c. */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "crawler/crawl.h"
#include "lib/datadir.h"
#include "lib/error.h"
#include "lib/log.h"

static void kb_crawl_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle crawl [options] [NAME...]\n"
		"\n"
		"Fetch each upstream's signed indexes, keep its kernel packages and update\n"
		"LISTS/NAME.list (sorted; packages that left the index stay, marked). NAMEs are\n"
		"upstream file stems (debian-12); default: every enabled upstream.\n"
		"\n"
		"  --upstreams DIR   upstream files (default: upstreams)\n"
		"  --lists DIR       package lists (default: lists)\n"
		"  --workdir DIR     work directory (default: " KB_DEFAULT_WORKDIR ")\n"
		"  --date YYYY-MM-DD the date recorded as first/last seen (default: today, UTC)\n"
		"  --json FILE|-     write each upstream's result (docs/schema/crawl.json) to\n"
		"                    FILE, or to stdout ('-')\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more (twice: debug)\n"
		"  -h, --help        this text\n"
		"\n"
		"A failed upstream keeps its list byte-for-byte; the others are updated.\n"
		"exit status: 0 all upstreams crawled, 1 failure (every upstream failed, or the\n"
		"work directory is locked by another run), 2 usage or configuration error,\n"
		"3 partial (some upstreams failed, the rest were updated)\n");
	kb_cli_limits_usage(f);
}

/* One object per upstream tried: what the crawl found or why it failed. */
static int kb_crawl_json(const struct kb_cli *cli, const char *date,
			 const struct kb_crawl_result *res, size_t n)
{
	struct kb_json j;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "format", "kbundle-crawl-1");
	kb_json_str(&j, "date", date);
	kb_json_arr_begin(&j, "upstreams");
	for (size_t i = 0; i < n; i++) {
		const struct kb_crawl_result *r = &res[i];

		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "name", r->upstream);
		kb_json_bool(&j, "ok", r->err == 0);
		kb_json_str(&j, "error", r->err ? (r->reason ? r->reason : kb_strerror(r->err)) : NULL);
		kb_json_bool(&j, "unchanged", r->unchanged);
		kb_json_uint(&j, "bytes", r->bytes);
		kb_json_uint(&j, "packages", r->packages);
		kb_json_uint(&j, "present", r->present);
		kb_json_uint(&j, "added", r->added);
		kb_json_uint(&j, "vanished", r->vanished);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	kb_json_obj_end(&j);
	return kb_cli_json_write(cli, &j);
}

int kb_cmd_crawl(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "upstreams", required_argument, NULL, 'U' },
		{ "lists", required_argument, NULL, 'L' },
		{ "date", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_crawl_opts o = { .upstreams_dir = kb_datadir_upstreams(), .lists_dir = "lists" };
	struct kb_crawl_result *res = NULL;
	size_t nres = 0, failed = 0;
	struct kb_cli cli;
	char today[11];
	int c, err;

	kb_cli_init(&cli, "crawl", kb_crawl_usage,
		    KB_CLI_WORKDIR | KB_CLI_LIMITS | KB_CLI_OPERANDS | KB_CLI_JSON);
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "")) >= 0) {
		switch (c) {
		case 'U':
			o.upstreams_dir = optarg;
			break;
		case 'L':
			o.lists_dir = optarg;
			break;
		case 'D':
			if (kb_cli_date(&cli, optarg))
				return KB_EXIT_USAGE;
			o.date = optarg;
			break;
		}
	}
	if (c == KB_CLI_STOP)
		return cli.exit;
	o.workdir = cli.workdir;
	o.limits = &cli.limits;
	if (!o.date) {
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(today, sizeof(today), "%Y-%m-%d", &tm);
		o.date = today;
	}
	o.names = argv + optind;
	o.nnames = (size_t)(argc - optind);
	err = kb_crawl(&o, &res, &nres);
	for (size_t i = 0; i < nres; i++)
		failed += res[i].err != 0;
	if (nres)
		kb_info("crawl: %zu upstream(s), %zu failed", nres, failed);
	if (cli.json && err != -KB_EUSAGE && kb_crawl_json(&cli, o.date, res, nres) && !err)
		err = -EIO;	/* the lists are written; the report is not */
	kb_crawl_results_free(res, nres);
	if (err == -KB_EUSAGE)
		return KB_EXIT_USAGE;
	if (err && failed && failed < nres)
		return KB_EXIT_PARTIAL;
	return err ? KB_EXIT_FAIL : KB_EXIT_OK;
}
