/* cmd_publish.c — `kbundle publish`: a work directory's bundles into a
 * static-hosting directory. Options and exit codes only; the work is
 * kb_publish_run() in bundles/. */
#include <stdio.h>

#include "bundles/publish.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/log.h"

static void kb_publish_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle publish [--workdir DIR] --to DIR|URL [--sign-key KEY]\n"
		"                       [--expires DAYS] [--max-time SECONDS] [-q|-v]\n"
		"\n"
		"Copy every bundle listed in WORKDIR/bundles/index.json, with its .sha256,\n"
		"into DIR (served as static files, e.g. by nginx) or to a WebDAV URL (each\n"
		"file PUT under a temp name, then MOVEd into place), then the aliases\n"
		"<distro>/<arch>/bundle-<uname>.tgz and SHA256SUMS, and index.json\n"
		"last, so a reader never sees an index naming a missing bundle. Bundles\n"
		"published earlier stay listed while their files are in DIR. Each copy is\n"
		"checked against the work index's sha256 and written atomically.\n"
		"With --sign-key, index.json is the signed store index (version one above\n"
		"the last, generated, expires, key_id) and index.json.sig its Ed25519\n"
		"signature, which `kbundle fetch --key KEY.pub` checks, and so does\n"
		"  openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in index.json \\\n"
		"      -sigfile index.json.sig\n"
		"\n"
		"  --workdir DIR     work directory (default .kbundle/)\n"
		"  --to DIR|URL      the published directory (created when missing), or\n"
		"                    an http(s) WebDAV base URL\n"
		"  --sign-key KEY    sign with this private key (`kbundle key generate`);\n"
		"                    without it the index is unsigned, and readers must\n"
		"                    say --insecure-no-signature\n"
		"  --expires DAYS    readers refuse the signed index DAYS days after this\n"
		"                    publish (default %d): publish again before then\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"\n"
		"exit status: 0 published, 1 failure, 2 usage error\n", KB_PUBLISH_EXPIRES_DAYS);
	kb_cli_limits_usage(f);
}

int kb_cmd_publish(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 'T' },
		{ "sign-key", required_argument, NULL, 'K' },
		{ "expires", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_publish_opts o = { .expires_days = KB_PUBLISH_EXPIRES_DAYS };
	struct kb_publish_stats st;
	struct kb_cli cli;
	int c, err;

	kb_cli_init(&cli, "publish", kb_publish_usage, KB_CLI_WORKDIR | KB_CLI_LIMITS);
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "")) >= 0) {
		if (c == 'T')
			o.to = optarg;
		else if (c == 'K')
			o.sign_key = optarg;
		else if (c == 'E' && kb_cli_int(&cli, "--expires", optarg, 0, 3650, &o.expires_days))
			return KB_EXIT_USAGE;
	}
	if (c == KB_CLI_STOP)
		return cli.exit;
	if (!o.to)
		return kb_cli_usage_error(&cli, true, "--to DIR|URL is required");
	o.workdir = cli.workdir;
	o.limits = &cli.limits;
	err = kb_publish_run(&o, &st);
	if (!err)
		kb_info("%s: %zu bundles copied, %zu already there, %zu older ones kept; %zu BTF "
			"files copied", o.to, st.copied, st.present, st.kept, st.btf);
	return kb_cli_exit(err);
}
