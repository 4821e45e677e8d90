/* cmd_publish.c — `kbundle publish`: a work directory's bundles into a
 * static-hosting directory. Options and exit codes only; the work is
 * kb_publish_run() in bundles/. */
#include <getopt.h>
#include <stdio.h>

#include "bundles/publish.h"
#include "cli/cli.h"
#include "lib/log.h"

static void kb_publish_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle publish [--workdir DIR] --to DIR [-q|-v]\n"
		"\n"
		"Copy every bundle listed in WORKDIR/bundles/index.json, with its .sha256,\n"
		"into DIR (served as static files, e.g. by nginx), then write DIR/index.json\n"
		"last, so a reader never sees an index naming a missing bundle. Bundles\n"
		"published earlier stay listed while their files are in DIR. Each copy is\n"
		"checked against the work index's sha256 and written atomically.\n"
		"\n"
		"  --workdir DIR     work directory (default .kbundle/)\n"
		"  --to DIR          the published directory (created when missing)\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"\n"
		"exit status: 0 published, 1 failure, 2 usage error\n");
}

int kb_cmd_publish(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "workdir", required_argument, NULL, 'W' },
		{ "to", required_argument, NULL, 'T' },
		KB_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct kb_publish_opts o = { .workdir = KB_DEFAULT_WORKDIR };
	struct kb_publish_stats st;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hqv", longopts, NULL)) != -1) {
		switch (c) {
		case 'W':
			o.workdir = optarg;
			break;
		case 'T':
			o.to = optarg;
			break;
		case 'h':
			kb_publish_usage(stdout);
			return KB_EXIT_OK;
		default:
			if (kb_cli_common_opt(c))
				break;
			kb_publish_usage(stderr);
			return KB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kbundle publish: unexpected argument '%s'\n", argv[optind]);
		kb_publish_usage(stderr);
		return KB_EXIT_USAGE;
	}
	if (!o.to) {
		fprintf(stderr, "kbundle publish: --to DIR is required\n");
		kb_publish_usage(stderr);
		return KB_EXIT_USAGE;
	}
	err = kb_publish_run(&o, &st);
	if (!err)
		kb_info("%s: %zu bundles copied, %zu already there, %zu older ones kept", o.to,
			st.copied, st.present, st.kept);
	return kb_cli_exit(err);
}
