/* cmd_fetch.c — `kbundle fetch`: the bundle for one kernel from a published
 * index, verified, optionally extracted. Options and output only; the work
 * is kb_fetch_run() in bundles/. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundles/fetch.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/log.h"

static void kb_fetch_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle fetch --uname RELEASE --from URL|DIR [--distro NAME] [--arch ARCH]\n"
		"                     [-o DIR] [--extract DIR] [--json] [-q|-v]\n"
		"\n"
		"Read the index.json published by `kbundle publish` at URL (http or https)\n"
		"or in DIR, pick the bundle for the kernel RELEASE (`uname -r`), download it\n"
		"and its .sha256 into -o DIR, and keep them only when both agree with the\n"
		"index. With --extract, unpack it safely (no absolute paths, no '..', no link\n"
		"out of the tree, no devices, size limits) and print the build directory:\n"
		"\n"
		"  make -C \"$(kbundle fetch --uname \"$(uname -r)\" --from URL --extract /tmp/kb)\" \\\n"
		"       M=$PWD modules\n"
		"\n"
		"  --uname RELEASE   the kernel release to fetch for (required)\n"
		"  --from URL|DIR    where index.json and the bundles are (required)\n"
		"  --distro NAME     only this distro's bundle (when several share RELEASE)\n"
		"  --arch ARCH       architecture (default the host's, %s; x86_64 = amd64)\n"
		"  -o, --output DIR  where the .tgz goes (default .); a verified copy\n"
		"                    already there is not downloaded again\n"
		"  --extract DIR     extract into DIR (missing, empty, or holding this very\n"
		"                    bundle) and print DIR/$(cat BUNDLE_BUILD_DIR)\n"
		"  --json            print the chosen index entry as JSON instead\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"\n"
		"exit status: 0 fetched, 1 failure (no bundle for RELEASE, unreachable,\n"
		"             checksum mismatch, unsafe archive), 2 usage error or several\n"
		"             bundles fit (they are listed)\n",
		kb_arch_host());
	kb_cli_limits_usage(f);
}

static void kb_fetch_print_json(const struct kb_fetch_result *r)
{
	struct kb_json j;
	char *text;
	size_t len;
	int err;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "id", r->e.id);
	kb_json_str(&j, "distro", r->e.distro);
	kb_json_str(&j, "uname", r->e.uname);
	kb_json_str(&j, "arch", r->e.arch);
	kb_json_str(&j, "sha256", r->e.sha256);
	kb_json_uint(&j, "size", r->e.size);
	kb_json_str(&j, "path", r->path);
	kb_json_bool(&j, "downloaded", r->downloaded);
	if (r->build_dir)
		kb_json_str(&j, "build_dir", r->build_dir);
	kb_json_obj_end(&j);
	text = kb_json_finish(&j, &len, &err);
	if (text)
		fwrite(text, 1, len, stdout);
	free(text);
}

int kb_cmd_fetch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "uname", required_argument, NULL, 'U' },
		{ "from", required_argument, NULL, 'F' },
		{ "distro", required_argument, NULL, 'D' },
		{ "arch", required_argument, NULL, 'A' },
		{ "output", required_argument, NULL, 'o' },
		{ "extract", required_argument, NULL, 'X' },
		{ "json", no_argument, NULL, 'J' },
		KB_CLI_COMMON_LONGOPTS,
		KB_LIMITS_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct kb_fetch_opts o = { .outdir = "." };
	struct kb_fetch_result r;
	bool json = false;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:hqv", longopts, NULL)) != -1) {
		switch (c) {
		case 'U':
			o.uname = optarg;
			break;
		case 'F':
			o.from = optarg;
			break;
		case 'D':
			o.distro = optarg;
			break;
		case 'A':
			o.arch = optarg;
			break;
		case 'o':
			o.outdir = optarg;
			break;
		case 'X':
			o.extract = optarg;
			break;
		case 'J':
			json = true;
			break;
		case 'h':
			kb_fetch_usage(stdout);
			return KB_EXIT_OK;
		default:
			if (kb_cli_common_opt(c))
				break;
			err = kb_cli_limits_opt(c, optarg);
			if (err > 0)
				break;
			if (!err)	/* not a limit either: unknown */
				kb_fetch_usage(stderr);
			return KB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kbundle fetch: unexpected argument '%s'\n", argv[optind]);
		kb_fetch_usage(stderr);
		return KB_EXIT_USAGE;
	}
	if (!o.uname || !*o.uname || !o.from || !*o.from) {
		fprintf(stderr, "kbundle fetch: --uname RELEASE and --from URL|DIR are required\n");
		kb_fetch_usage(stderr);
		return KB_EXIT_USAGE;
	}
	err = kb_fetch_run(&o, &r);
	if (!err && json)
		kb_fetch_print_json(&r);
	else if (!err && r.build_dir)
		printf("%s\n", r.build_dir);
	else if (!err)
		kb_info("%s: %s for %s", r.path, r.downloaded ? "downloaded" : "kept", r.e.uname);
	kb_fetch_result_free(&r);
	return kb_cli_exit(err);
}
