/* cmd_update.c — `kbundle update`: the nightly job (crawl, manifest, pack,
 * summary). Options and exit codes only; the work is kb_update_run() in
 * bundles/update.c. */
#include <stdio.h>
#include <string.h>

#include "pipeline/update.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/datadir.h"
#include "lib/error.h"
#include "lib/log.h"
#include "manifest/shard.h"

static void kb_update_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle update [--upstreams DIR] [--lists DIR] [--workdir DIR]\n"
		"                      [--manifest FILE] [--json FILE|-] [--date YYYY-MM-DD]\n"
		"                      [--dry-run] [--no-pack] [--shard I/N] [-j|--jobs N]\n"
		"                      [-q|-v] [NAME...]\n"
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
		"  --json FILE|-     the JSON summary (default WORKDIR/reports/update-DATE.json;\n"
		"                    '-': stdout, instead of the summary for people)\n"
		"  --date DATE       the date recorded as first/last seen (default today, UTC)\n"
		"  --dry-run         crawl into a scratch copy and report what would change;\n"
		"                    write no list, no manifest, no HTTP state, pack nothing\n"
		"  --no-pack         crawl and rebuild the manifest only\n"
		"  --shard I/N       pack only the I-th of N shards of the new bundles (also\n"
		"                    KBUNDLE_SHARD, or JOB_COMPLETION_INDEX + KBUNDLE_SHARDS)\n"
		"  -j, --jobs N      pack N bundles at once\n"
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
		{ "manifest", required_argument, NULL, 'm' },
		{ "date", required_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "no-pack", no_argument, NULL, 'P' },
		{ "shard", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_update_opts o = {
		.upstreams_dir = kb_datadir_upstreams(),
		.lists_dir = "lists",
		.manifest_path = "manifest.yml",
	};
	struct kb_update_summary s = { 0 };
	struct kb_cli cli;
	int c, err, rc;

	kb_cli_init(&cli, "update", kb_update_usage,
		    KB_CLI_WORKDIR | KB_CLI_LIMITS | KB_CLI_JOBS | KB_CLI_JSON | KB_CLI_OPERANDS);
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "")) >= 0) {
		switch (c) {
		case 'U': o.upstreams_dir = optarg; break;
		case 'L': o.lists_dir = optarg; break;
		case 'm': o.manifest_path = optarg; break;
		case 'D': o.date = optarg; break;
		case 'n': o.dry_run = true; break;
		case 'P': o.no_pack = true; break;
		case 'S':
			if (kb_shard_parse(optarg, "--shard", &o.shard))
				return KB_EXIT_USAGE;
			break;
		}
	}
	if (c == KB_CLI_STOP)
		return cli.exit;
	if (!o.shard.count && kb_shard_from_env(&o.shard))
		return KB_EXIT_USAGE;
	if (o.date && kb_cli_date(&cli, o.date))
		return KB_EXIT_USAGE;
	o.workdir = cli.workdir;
	o.jobs = cli.jobs;
	o.json_path = cli.json;
	o.limits = &cli.limits;
	o.names = argv + optind;
	o.nnames = (size_t)(argc - optind);
	err = kb_update_run(&o, &s);
	if (err) {
		rc = kb_cli_exit(err);
		goto out;
	}
	/* the summary for people, unless stdout is the JSON's */
	if (kb_log_get_level() >= KB_LOG_INFO && !(cli.json && !strcmp(cli.json, "-")))
		kb_update_print(&s, stdout);
	rc = s.exit_status;
out:
	kb_update_summary_free(&s);
	return rc;
}
