/* cmd_pack.c — `kbundle pack`: manifest entries → bundles in WORKDIR/bundles.
 * Options and exit codes only; the work is kb_pack_run() in bundles/. */
#include <stdio.h>
#include <stdlib.h>

#include "pipeline/pack_run.h"
#include "vm/btf_pack.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/error.h"
#include "lib/log.h"

static void kb_pack_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle pack [--manifest FILE] [--upstreams DIR] [--workdir DIR]\n"
		"                    [--id ID] [--release REGEX] [--distro NAME] [--upstream NAME]\n"
		"                    [--arch ARCH] [--latest] [--btf] [-j|--jobs N] [-q|-v]\n"
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
		"exit status: 0 every selected bundle packed, 1 failure, 2 usage error\n");
	kb_cli_limits_usage(f);
}

int kb_cmd_pack(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "manifest", required_argument, NULL, 'M' },
		{ "upstreams", required_argument, NULL, 'U' },
		{ "btf", no_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_pack_opts o = { .manifest = "manifest.yml", .upstreams = "upstreams" };
	struct kb_pack_stats st;
	struct kb_btf_stats bst;
	bool btf = false;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct kb_cli cli;
	char *end;
	int c, err;

	kb_cli_init(&cli, "pack", kb_pack_usage,
		    KB_CLI_WORKDIR | KB_CLI_LIMITS | KB_CLI_JOBS | KB_CLI_SELECT);
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
	err = kb_pack_run(&o, &st);
	kb_info("%zu selected: %zu packed, %zu already packed, %zu failed; %zu packages downloaded",
		st.selected, st.packed, st.skipped, st.failed, st.downloaded);
	if (btf) {
		int berr = kb_vm_btf_run(&o, NULL, 0, NULL, &bst);

		kb_info("BTF: %zu made, %zu already there, %zu kernels without BTF, %zu failed",
			bst.made, bst.present, bst.none, bst.failed);
		err = err ? err : berr;
	}
	return kb_cli_exit(err);
}
