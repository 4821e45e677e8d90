/* cmd_pack.c — `kbundle pack`: manifest entries → bundles in WORKDIR/bundles.
 * Options and exit codes only; the work is kb_pack_run() in pipeline/. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "pipeline/pack_run.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/error.h"
#include "lib/log.h"

static void kb_pack_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle pack [--manifest FILE] [--upstreams DIR] [--workdir DIR]\n"
		"                    [--id ID] [--release REGEX] [--distro NAME] [--upstream NAME]\n"
		"                    [--arch ARCH] [--latest] [-j N] [-q|-v]\n"
		"\n"
		"Pack every manifest entry (or the selected ones) into a self-contained,\n"
		"reproducible header bundle: WORKDIR/bundles/<id>.tgz, <id>.tgz.sha256 and\n"
		"index.json. Packages are downloaded once into WORKDIR/cache (verified\n"
		"against the manifest's sha256); bundles already packed are skipped.\n"
		"\n"
		"  --manifest FILE   manifest to pack from (default manifest.yml)\n"
		"  --upstreams DIR   upstream files, for mirrors (default upstreams/)\n"
		"  --workdir DIR     work directory (default .kbundle/)\n"
		KB_CLI_SELECT_HELP
		"  -j, --jobs N      downloads and bundles at once (default 2)\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"\n"
		"Entry times in the tarballs are $SOURCE_DATE_EPOCH (default 0).\n"
		"exit status: 0 every selected bundle packed, 1 failure, 2 usage error\n");
	kb_cli_limits_usage(f);
}

int kb_cmd_pack(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "manifest", required_argument, NULL, 'M' },
		{ "upstreams", required_argument, NULL, 'U' },
		{ "workdir", required_argument, NULL, 'W' },
		KB_CLI_SELECT_LONGOPTS,
		{ "jobs", required_argument, NULL, 'j' },
		KB_CLI_COMMON_LONGOPTS,
		KB_LIMITS_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct kb_pack_opts o = {
		.manifest = "manifest.yml", .upstreams = "upstreams",
		.workdir = KB_DEFAULT_WORKDIR, .jobs = 2,
	};
	struct kb_pack_stats st;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "j:hqv", longopts, NULL)) != -1) {
		switch (c) {
		case 'M':
			o.manifest = optarg;
			break;
		case 'U':
			o.upstreams = optarg;
			break;
		case 'W':
			o.workdir = optarg;
			break;
		case 'j':
			o.jobs = (int)strtol(optarg, &end, 10);
			if (*end || o.jobs < 1 || o.jobs > 64) {
				fprintf(stderr, "kbundle pack: -j wants a number from 1 to 64\n");
				return KB_EXIT_USAGE;
			}
			break;
		case 'h':
			kb_pack_usage(stdout);
			return KB_EXIT_OK;
		default:
			if (kb_cli_common_opt(c) || kb_cli_select_opt(c, optarg, &o.sel))
				break;
			err = kb_cli_limits_opt(c, optarg);
			if (err > 0)
				break;
			if (!err)	/* not a limit either: unknown */
				kb_pack_usage(stderr);
			return KB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kbundle pack: unexpected argument '%s'\n", argv[optind]);
		kb_pack_usage(stderr);
		return KB_EXIT_USAGE;
	}
	if (sde) {
		o.mtime = strtoll(sde, &end, 10);
		if (*end || o.mtime < 0) {
			fprintf(stderr, "kbundle pack: SOURCE_DATE_EPOCH is not a number of seconds\n");
			return KB_EXIT_USAGE;
		}
	}
	err = kb_pack_run(&o, &st);
	kb_info("%zu selected: %zu packed, %zu already packed, %zu failed; %zu packages downloaded",
		st.selected, st.packed, st.skipped, st.failed, st.downloaded);
	return kb_cli_exit(err);
}
