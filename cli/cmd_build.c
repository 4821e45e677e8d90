/* cmd_build.c — `kbundle build`: modules built with each selected kernel's
 * own compiler, for CI and products. Options and exit codes only; the work
 * is kb_build_run() in vm/. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/build.h"

static void kb_build_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle build --module DIR... -o OUTDIR [--manifest FILE] [--upstreams DIR]\n"
		"                     [--workdir DIR] [--id ID] [--release REGEX] [--distro NAME]\n"
		"                     [--upstream NAME] [--arch ARCH] [--latest] [-j N]\n"
		"                     [--build-timeout SEC] [-q|-v]\n"
		"\n"
		"For each selected bundle (x86-64 kernels; packed first when missing), build\n"
		"every --module directory (a Kbuild directory or a DKMS tree) with the compiler\n"
		"that built the kernel (BUNDLE_COMPILER: the host's when its major version\n"
		"matches, else a build root, see kbundle toolchain), check each .ko's vermagic\n"
		"and .comment, and write the .ko files to OUTDIR/<arch>/<uname>/ with a\n"
		"build.json (bundle id, uname, arch, compiler, each .ko's vermagic and sha256).\n"
		"OUTDIR/build.json lists every kernel of the run. A kernel's directory is\n"
		"replaced whole and only when all its modules built.\n"
		"\n"
		"  --module DIR       a module directory to build (repeatable; at least one)\n"
		"  -o, --output DIR   where the modules go\n"
		"  --manifest FILE    manifest (default manifest.yml)\n"
		"  --upstreams DIR    upstream files (default upstreams/)\n"
		"  --workdir DIR      work directory (default .kbundle/): bundles, build roots\n"
		KB_CLI_SELECT_HELP
		"  -j, --jobs N       builds at once (default 1)\n"
		"  --build-timeout SEC  per module build (default 600)\n"
		"  -q, --quiet        errors only\n"
		"  -v, --verbose      more detail\n"
		"  -h, --help         this text\n"
		"\n"
		"exit status: 0 every module built for every kernel, 1 some did not,\n"
		"             2 usage or configuration error\n");
}

static int kb_build_int(const char *opt, const char *s, int max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 1 || v > max) {
		fprintf(stderr, "kbundle build: %s: want a number from 1 to %d, not '%s'\n", opt, max,
			s);
		return -KB_EUSAGE;
	}
	*out = (int)v;
	return 0;
}

int kb_cmd_build(int argc, char **argv)
{
	enum { O_MANIFEST = 256, O_UPSTREAMS, O_WORKDIR, O_MODULE, O_BUILD_TIMEOUT };
	static const struct option longopts[] = {
		{ "manifest", required_argument, NULL, O_MANIFEST },
		{ "upstreams", required_argument, NULL, O_UPSTREAMS },
		{ "workdir", required_argument, NULL, O_WORKDIR },
		KB_CLI_SELECT_LONGOPTS,
		{ "module", required_argument, NULL, O_MODULE },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "build-timeout", required_argument, NULL, O_BUILD_TIMEOUT },
		KB_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct kb_build_opts o;
	const char **modules = kb_xcalloc((size_t)argc + 1, sizeof(char *));
	bool passed = false;
	int c, err = 0;

	kb_build_opts_init(&o);
	o.modules = modules;
	optind = 1;
	while (!err && (c = getopt_long(argc, argv, "o:j:hqv", longopts, NULL)) != -1) {
		switch (c) {
		case O_MANIFEST: o.manifest = optarg; break;
		case O_UPSTREAMS: o.upstreams = optarg; break;
		case O_WORKDIR: o.workdir = optarg; break;
		case O_MODULE: modules[o.nmodules++] = optarg; break;
		case 'o': o.outdir = optarg; break;
		case 'j': err = kb_build_int("--jobs", optarg, 256, &o.jobs); break;
		case O_BUILD_TIMEOUT:
			err = kb_build_int("--build-timeout", optarg, 86400, &o.build_timeout_s);
			break;
		case 'h':
			kb_build_usage(stdout);
			goto out;
		default:
			if (kb_cli_common_opt(c) || kb_cli_select_opt(c, optarg, &o.sel))
				break;
			kb_build_usage(stderr);
			err = -KB_EUSAGE;
		}
	}
	if (!err && optind < argc) {
		fprintf(stderr, "kbundle build: unexpected argument '%s'\n", argv[optind]);
		err = -KB_EUSAGE;
	}
	if (!err && (!o.nmodules || !o.outdir)) {
		fprintf(stderr, "kbundle build: want --module DIR and -o OUTDIR (see --help)\n");
		err = -KB_EUSAGE;
	}
	if (err)
		goto out;
	err = kb_build_run(&o, &passed);
	if (!err && !passed)
		err = -KB_ESUBPROC;	/* a module did not build: exit 1 */
out:
	free(modules);
	return kb_cli_exit(err);
}
