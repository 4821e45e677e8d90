/* cmd_fetch.c — `kbundle fetch`: the bundle for one kernel from a published
 * index, verified, optionally extracted. Options and output only; the work
 * is kb_fetch_run() in bundles/. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundles/fetch.h"
#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/error.h"
#include "lib/http.h"
#include "lib/json.h"
#include "lib/log.h"

static void kb_fetch_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle fetch --uname RELEASE|--id ID --from URL|DIR [--distro NAME]\n"
		"                     [--arch ARCH] [-o DIR] [--extract DIR] [--json]\n"
		"                     [--max-time S] [--speed-limit B --speed-time S] [-q|-v]\n"
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
		"  --uname RELEASE   the kernel release to fetch for (this or --id required);\n"
		"                    when one kernel was packed more than once (a new\n"
		"                    kbuild, a newer packer), the newest packing is taken\n"
		"                    and named\n"
		"  --id ID           the bundle with this id (a prefix will do)\n"
		"  --from URL|DIR    where index.json and the bundles are (required)\n"
		"  --distro NAME     only this distro's bundle (when several share RELEASE)\n"
		"  --arch ARCH       architecture (default the host's, %s; x86_64 = amd64)\n"
		"  -o, --output DIR  where the .tgz goes (default .); a verified copy\n"
		"                    already there is not downloaded again\n"
		"  --extract DIR     extract into DIR (missing, empty, or holding this very\n"
		"                    bundle) and print DIR/$(cat BUNDLE_BUILD_DIR)\n"
		"  --json            print the chosen index entry as JSON instead\n"
		"  --max-time S      give up a download after S seconds (default %d)\n"
		"  --speed-limit B   give up a download slower than B bytes/s for\n"
		"  --speed-time S    S seconds (defaults %d and %d)\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"\n"
		"exit status: 0 fetched, 1 failure (no bundle for RELEASE, unreachable,\n"
		"             checksum mismatch, unsafe archive), 2 usage error or several\n"
		"             bundles fit (they are listed)\n",
		kb_arch_host(), KB_HTTP_MAX_TIME_S, KB_HTTP_SPEED_LIMIT, KB_HTTP_SPEED_TIME_S);
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

/* --max-time, --speed-limit, --speed-time: a whole positive number. */
static int kb_fetch_seconds(int c, const char *arg, struct kb_fetch_opts *o)
{
	const char *opt = c == 'T' ? "--max-time" : c == 'S' ? "--speed-limit" : "--speed-time";
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > 1000000000L) {
		fprintf(stderr, "kbundle fetch: %s '%s': want a whole number from 1 to 1000000000\n",
			opt, arg);
		return -KB_EUSAGE;
	}
	*(c == 'T' ? &o->max_time_s : c == 'S' ? &o->speed_limit : &o->speed_time_s) = v;
	return 0;
}

int kb_cmd_fetch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "uname", required_argument, NULL, 'U' },
		{ "id", required_argument, NULL, 'I' },
		{ "max-time", required_argument, NULL, 'T' },
		{ "speed-limit", required_argument, NULL, 'S' },
		{ "speed-time", required_argument, NULL, 'P' },
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
		case 'I':
			o.id = optarg;
			break;
		case 'T':
		case 'S':
		case 'P':
			if (kb_fetch_seconds(c, optarg, &o))
				return KB_EXIT_USAGE;
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
	if ((!o.uname || !*o.uname) && (!o.id || !*o.id)) {
		fprintf(stderr, "kbundle fetch: --uname RELEASE or --id ID is required\n");
		kb_fetch_usage(stderr);
		return KB_EXIT_USAGE;
	}
	if (o.uname && !*o.uname)
		o.uname = NULL;
	if (!o.from || !*o.from) {
		fprintf(stderr, "kbundle fetch: --from URL|DIR is required\n");
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
