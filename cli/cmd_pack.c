/* cmd_pack.c — `kbundle pack`: manifest entries → bundles in WORKDIR/bundles.
 * Options and exit codes only; the work is kb_pack_run() in bundles/. */
#include <stdio.h>
#include <stdlib.h>

#include "pipeline/pack_run.h"
#include "vm/btf_pack.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/datadir.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

static void kb_pack_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle pack [--manifest FILE] [--upstreams DIR] [--workdir DIR]\n"
		"                    [--id ID] [--release REGEX] [--distro NAME] [--upstream NAME]\n"
		"                    [--arch ARCH] [--latest] [--all] [--dry-run] [--btf]\n"
		"                    [--json FILE|-] [-j|--jobs N] [-q|-v]\n"
		"\n"
		"Pack the selected manifest entries into self-contained, reproducible\n"
		"header bundles: WORKDIR/bundles/<id>.tgz, <id>.tgz.sha256 and index.json.\n"
		"Packages are downloaded once into WORKDIR/cache (verified against the\n"
		"manifest's sha256); bundles already packed are skipped. With no selector,\n"
		"pack says how many bundles and bytes that would be and stops: --all packs\n"
		"every entry.\n"
		"\n"
		"  --manifest FILE   manifest to pack from (default manifest.yml)\n"
		"  --upstreams DIR   upstream files, for mirrors (default upstreams/)\n"
		"  --workdir DIR     work directory (default .kbundle/)\n"
		KB_CLI_SELECT_HELP
		"  --all             every manifest entry (needed when no selector is given)\n"
		"  --dry-run         say what would be packed and downloaded; write nothing\n"
		"  --json FILE|-     write the result (schema docs/schema/pack.json) to FILE,\n"
		"                    or to stdout ('-')\n"
		"  --btf             also the kernel's BTF beside each bundle: <id>.btf and\n"
		"                    <id>.btf.sha256, listed in index.json (from the kernel\n"
		"                    image package, downloaded through the cache); a kernel\n"
		"                    without BTF is listed with btf_missing saying why\n"
		"  -j, --jobs N      downloads and bundles at once (default 2)\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"\n"
		"Entry times in the tarballs are $SOURCE_DATE_EPOCH (default 0).\n"
		"exit status: 0 every selected bundle packed, 1 failure, 2 usage error (or no\n"
		"selector and no --all)\n");
	kb_cli_limits_usage(f);
}

/* The JSON result: what was packed, or with --dry-run what would be. */
static int kb_pack_json(const struct kb_cli *cli, const struct kb_pack_opts *o,
			const struct kb_pack_stats *st)
{
	struct kb_json j;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "format", "kbundle-pack-1");
	kb_json_str(&j, "manifest", o->manifest);
	kb_json_str(&j, "workdir", o->workdir);
	kb_json_uint(&j, "jobs", (uint64_t)o->jobs);
	kb_json_bool(&j, "dry_run", cli->dry_run);
	if (o->preview) {
		kb_preview_json(&j, &st->preview);
	} else {
		kb_json_uint(&j, "selected", st->selected);
		kb_json_uint(&j, "packed", st->packed);
		kb_json_uint(&j, "packed_already", st->skipped);
		kb_json_uint(&j, "failed", st->failed);
		kb_json_uint(&j, "downloaded", st->downloaded);
	}
	kb_json_obj_end(&j);
	return kb_cli_json_write(cli, &j);
}

int kb_cmd_pack(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "manifest", required_argument, NULL, 'M' },
		{ "upstreams", required_argument, NULL, 'U' },
		{ "btf", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_pack_opts o = { .manifest = "manifest.yml", .upstreams = kb_datadir_upstreams() };
	struct kb_pack_stats st;
	struct kb_btf_stats bst;
	bool btf = false;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct kb_cli cli;
	char *end, *text;
	int c, err, rc;

	kb_cli_init(&cli, "pack", kb_pack_usage,
		    KB_CLI_WORKDIR | KB_CLI_LIMITS | KB_CLI_JOBS | KB_CLI_SELECT | KB_CLI_ALL |
			    KB_CLI_DRY_RUN | KB_CLI_JSON);
	cli.jobs = 2;
	cli.sel = &o.sel;
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "")) >= 0) {
		switch (c) {
		case 'M':
			o.manifest = optarg;
			break;
		case 'U':
			o.upstreams = optarg;
			break;
		case 'B':
			btf = true;
			break;
		}
	}
	if (c == KB_CLI_STOP)
		return cli.exit;
	if (sde) {
		o.mtime = strtoll(sde, &end, 10);
		if (*end || o.mtime < 0)
			return kb_cli_usage_error(&cli, false,
						  "SOURCE_DATE_EPOCH is not a number of seconds");
	}
	o.workdir = cli.workdir;
	o.jobs = cli.jobs;
	o.limits = &cli.limits;
	o.preview = cli.dry_run || kb_cli_unselected(&cli);
	err = kb_pack_run(&o, &st);
	if (err == -KB_EUSAGE || (err && o.preview))
		return kb_cli_exit(err);
	if (o.preview && !cli.dry_run) {
		char *what;

		text = kb_preview_text(&st.preview);
		what = kb_xasprintf("pack %s", text);
		rc = kb_cli_refuse_all(&cli, what);
		free(what);
		free(text);
		return rc;
	}
	if (o.preview) {
		text = kb_preview_text(&st.preview);
		fprintf(kb_cli_json_stdout(&cli) ? stderr : stdout, "would pack %s\n", text);
		free(text);
	} else {
		kb_info("%zu selected: %zu packed, %zu already packed, %zu failed; %zu packages "
			"downloaded", st.selected, st.packed, st.skipped, st.failed, st.downloaded);
	}
	if (btf && !o.preview) {
		int berr = kb_vm_btf_run(&o, NULL, 0, NULL, &bst);

		kb_info("BTF: %zu made, %zu already there, %zu kernels without BTF, %zu failed",
			bst.made, bst.present, bst.none, bst.failed);
		err = err ? err : berr;
	}
	/* a failed run still reports what it did */
	if (cli.json && (rc = kb_pack_json(&cli, &o, &st)) && !err)
		err = rc;
	return kb_cli_exit(err);
}
