/* cmd_publish.c — `kbundle publish`: a work directory's bundles into a
 * static-hosting directory. Options and exit codes only; the work is
 * kb_publish_run() in bundles/. */
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
		{ "to", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_publish_opts o = { 0 };
	struct kb_publish_stats st;
	struct kb_cli cli;
	int c, err;

	kb_cli_init(&cli, "publish", kb_publish_usage, KB_CLI_WORKDIR);
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "")) >= 0)
		if (c == 'T')
			o.to = optarg;
	if (c == KB_CLI_STOP)
		return cli.exit;
	if (!o.to)
		return kb_cli_usage_error(&cli, true, "--to DIR is required");
	o.workdir = cli.workdir;
	err = kb_publish_run(&o, &st);
	if (!err)
		kb_info("%s: %zu bundles copied, %zu already there, %zu older ones kept", o.to,
			st.copied, st.present, st.kept);
	return kb_cli_exit(err);
}
