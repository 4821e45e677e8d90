/* cmd_build.c — `kbundle build`: modules built with each selected kernel's
 * own compiler, for CI and products. Options and exit codes only; the work
 * is kb_build_run() in vm/. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/limits_opt.h"
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
		"For each selected bundle (any architecture; packed first when missing), build\n"
		"every --module directory (a Kbuild directory or a DKMS tree) with the compiler\n"
		"that built the kernel (BUNDLE_COMPILER: the host's when its major version\n"
		"matches, else a build root, see kbundle toolchain), check each .ko's ELF\n"
		"machine, vermagic and .comment, and write the .ko files to\n"
		"OUTDIR/<arch>/<uname>/ with a build.json (bundle id, uname, arch, compiler,\n"
		"the compiler command, each .ko's vermagic and sha256). A bundle of another\n"
		"architecture is built with that compiler's cross version (<triplet>-gcc-N)\n"
		"and this machine's own kbuild programs, from the linux-kbuild package of the\n"
		"same version in the manifest's entry for this machine's architecture.\n"
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
	kb_cli_limits_usage(f);
}

int kb_cmd_build(int argc, char **argv)
{
	enum { O_MANIFEST = 256, O_UPSTREAMS, O_MODULE, O_BUILD_TIMEOUT };
	static const struct option longopts[] = {
		{ "manifest", required_argument, NULL, O_MANIFEST },
		{ "upstreams", required_argument, NULL, O_UPSTREAMS },
		{ "module", required_argument, NULL, O_MODULE },
		{ "output", required_argument, NULL, 'o' },
		{ "build-timeout", required_argument, NULL, O_BUILD_TIMEOUT },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_build_opts o;
	const char **modules = kb_xcalloc((size_t)argc + 1, sizeof(char *));
	struct kb_cli cli;
	bool passed = false;
	int c = 0, err = 0;

	kb_build_opts_init(&o);
	o.modules = modules;
	kb_cli_init(&cli, "build", kb_build_usage, KB_CLI_WORKDIR | KB_CLI_LIMITS | KB_CLI_JOBS | KB_CLI_SELECT);
	cli.jobs = o.jobs;
	cli.sel = &o.sel;
	while (!err && (c = kb_cli_next(&cli, argc, argv, longopts, "o:")) >= 0) {
		switch (c) {
		case O_MANIFEST: o.manifest = optarg; break;
		case O_UPSTREAMS: o.upstreams = optarg; break;
		case O_MODULE: modules[o.nmodules++] = optarg; break;
		case 'o': o.outdir = optarg; break;
		case O_BUILD_TIMEOUT:
			err = kb_cli_int(&cli, "--build-timeout", optarg, 1, 86400, &o.build_timeout_s);
			break;
		}
	}
	if (!err && c == KB_CLI_STOP) {
		err = cli.exit ? -KB_EUSAGE : 0;
		goto out;
	}
	if (!err && (!o.nmodules || !o.outdir)) {
		kb_cli_usage_error(&cli, false, "want --module DIR and -o OUTDIR (see --help)");
		err = -KB_EUSAGE;
	}
	if (err)
		goto out;
	o.workdir = cli.workdir;
	o.jobs = cli.jobs;
	o.limits = &cli.limits;
	err = kb_build_run(&o, &passed);
	if (!err && !passed)
		err = -KB_ESUBPROC;	/* a module did not build: exit 1 */
out:
	free(modules);
	return kb_cli_exit(err);
}
