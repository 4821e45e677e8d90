/* cmd_update.c — `kbundle update`: the nightly job (crawl, manifest, pack,
 * summary). Options and exit codes only; the work is kb_update_run() in
 * pipeline/update.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/update.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/error.h"
#include "lib/log.h"

static void kb_update_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle update [--upstreams DIR] [--lists DIR] [--workdir DIR]\n"
		"                      [--manifest FILE] [--json FILE] [--date YYYY-MM-DD]\n"
		"                      [--dry-run] [--no-pack] [-j N] [-q|-v] [NAME...]\n"
		"\n"
		"The nightly job in one command: take the work directory's lock, crawl every\n"
		"enabled upstream (or the NAMEs given) in parallel with conditional requests,\n"
		"rebuild the manifest, pack the bundles that are new, and write a summary.\n"
		"\n"
		"  --upstreams DIR   upstream files (default upstreams/)\n"
		"  --lists DIR       package lists (default lists/)\n"
		"  --workdir DIR     work directory: state, cache, bundles, reports, lock\n"
		"                    (default .kbundle/)\n"
		"  --manifest FILE   the manifest to rebuild (default manifest.yml)\n"
		"  --json FILE       the JSON summary (default WORKDIR/reports/update-DATE.json)\n"
		"  --date DATE       the date recorded as first/last seen (default today, UTC)\n"
		"  --dry-run         crawl into a scratch copy and report what would change;\n"
		"                    write no list, no manifest, no HTTP state, pack nothing\n"
		"  --no-pack         crawl and rebuild the manifest only\n"
		"  -j N              pack N bundles at once\n"
		"  -q, --quiet       errors only (no summary on stdout)\n"
		"  -v, --verbose     more detail (twice: every request)\n"
		"  -h, --help        this text\n"
		"\n"
		"Progress is shown only on a terminal. A failed upstream keeps its list\n"
		"byte-for-byte; the others are updated.\n"
		"exit status: 0 everything updated, 1 failure (nothing updated; or the work\n"
		"directory is locked by another run), 2 usage error, 3 partial (some\n"
		"upstreams or bundles failed, the rest were updated)\n");
	kb_cli_limits_usage(f);
}

int kb_cmd_update(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "upstreams", required_argument, NULL, 'U' },
		{ "lists", required_argument, NULL, 'L' },
		{ "workdir", required_argument, NULL, 'W' },
		{ "manifest", required_argument, NULL, 'm' },
		{ "json", required_argument, NULL, 'J' },
		{ "date", required_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-pack", no_argument, NULL, 'P' },
		KB_CLI_COMMON_LONGOPTS,
		KB_LIMITS_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct kb_update_opts o = {
		.upstreams_dir = "upstreams",
		.lists_dir = "lists",
		.workdir = KB_DEFAULT_WORKDIR,
		.manifest_path = "manifest.yml",
	};
	struct kb_update_summary s = { 0 };
	char *end;
	int c, err, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j:hqv", longopts, NULL)) != -1) {
		switch (c) {
		case 'U':
			o.upstreams_dir = optarg;
			break;
		case 'L':
			o.lists_dir = optarg;
			break;
		case 'W':
			o.workdir = optarg;
			break;
		case 'm':
			o.manifest_path = optarg;
			break;
		case 'J':
			o.json_path = optarg;
			break;
		case 'D':
			o.date = optarg;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 'P':
			o.no_pack = true;
			break;
		case 'j':
			o.jobs = (int)strtol(optarg, &end, 10);
			if (*end || o.jobs < 1 || o.jobs > 256) {
				fprintf(stderr, "kbundle update: -j wants 1..256, not '%s'\n", optarg);
				return KB_EXIT_USAGE;
			}
			break;
		case 'h':
			kb_update_usage(stdout);
			return KB_EXIT_OK;
		default:
			if (kb_cli_common_opt(c))
				break;
			err = kb_cli_limits_opt(c, optarg);
			if (err > 0)
				break;
			if (!err)	/* not a limit either: unknown */
				kb_update_usage(stderr);
			return KB_EXIT_USAGE;
		}
	}
	if (o.date && (strlen(o.date) != 10 || o.date[4] != '-' || o.date[7] != '-')) {
		fprintf(stderr, "kbundle update: --date wants YYYY-MM-DD, not '%s'\n", o.date);
		return KB_EXIT_USAGE;
	}
	o.names = argv + optind;
	o.nnames = (size_t)(argc - optind);
	err = kb_update_run(&o, &s);
	if (err) {
		rc = kb_cli_exit(err);
		goto out;
	}
	if (kb_log_get_level() >= KB_LOG_INFO)
		kb_update_print(&s, stdout);
	rc = s.exit_status;
out:
	kb_update_summary_free(&s);
	return rc;
}
