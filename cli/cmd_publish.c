/* cmd_publish.c — `kbundle publish`: a work directory's bundles into a
 * static-hosting directory. Options and exit codes only; the work is
 * kb_publish_run() in bundles/. */
#include <stdio.h>

#include "bundles/publish.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/config.h"
#include "lib/log.h"

static void kb_publish_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle publish [--workdir DIR] --to DIR|URL [--sign-key KEY]\n"
		"                       [--expires DAYS] [--dry-run] [--json FILE|-]\n"
		"                       [--max-time SECONDS] [-q|-v]\n"
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
		"                    an http(s) WebDAV base URL (default: the config\n"
		"                    file's store)\n"
		"  --sign-key KEY    sign with this private key (`kbundle key generate`);\n"
		"                    without it the index is unsigned, and readers must\n"
		"                    say --insecure-no-signature\n"
		"  --expires DAYS    readers refuse the signed index DAYS days after this\n"
		"                    publish (default %d): publish again before then\n"
		"  --dry-run         say what would be copied and kept; write nothing (no\n"
		"                    directory, lock or file is made in DIR or WORKDIR)\n"
		"  --json FILE|-     write the result (docs/schema/publish.json) to FILE, or\n"
		"                    to stdout ('-')\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"\n"
		"exit status: 0 published, 1 failure, 2 usage error\n", KB_PUBLISH_EXPIRES_DAYS);
	kb_cli_limits_usage(f);
}

static int kb_publish_json(const struct kb_cli *cli, const struct kb_publish_opts *o,
			   const struct kb_publish_stats *st)
{
	struct kb_json j;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "format", "kbundle-publish-1");
	kb_json_str(&j, "to", o->to);
	kb_json_bool(&j, "dry_run", o->dry_run);
	kb_json_bool(&j, "signed", o->sign_key != NULL);
	kb_json_uint(&j, "copied", st->copied);
	kb_json_uint(&j, "present", st->present);
	kb_json_uint(&j, "kept", st->kept);
	kb_json_obj_end(&j);
	return kb_cli_json_write(cli, &j);
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

	kb_cli_init(&cli, "publish", kb_publish_usage,
		    KB_CLI_WORKDIR | KB_CLI_LIMITS | KB_CLI_DRY_RUN | KB_CLI_JSON);
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
		o.to = cli.config->store;	/* the config file's store */
	if (!o.to)
		return kb_cli_usage_error(&cli, false, "--to DIR|URL is required (or store: in the "
					  "config file); see kbundle publish -h");
	o.workdir = cli.workdir;
	o.limits = &cli.limits;
	o.dry_run = cli.dry_run;
	err = kb_publish_run(&o, &st);
	if (!err && o.dry_run)
		fprintf(kb_cli_json_stdout(&cli) ? stderr : stdout,
			"%s: would copy %zu bundles; %zu already there, %zu older ones kept\n", o.to,
			st.copied, st.present, st.kept);
	else if (!err)
		kb_info("%s: %zu bundles copied, %zu already there, %zu older ones kept; %zu BTF "
			"files copied", o.to, st.copied, st.present, st.kept, st.btf);
	if (!err && cli.json)
		err = kb_publish_json(&cli, &o, &st);
	return kb_cli_exit(err);
}
