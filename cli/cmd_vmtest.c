/* cmd_vmtest.c — `kbundle vmtest`: boot each selected bundle's own kernel
 * and load modules built against the bundle. Options and exit codes only;
 * the work is kb_vmtest_run() in vm/. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/vmtest.h"

static void kb_vmtest_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle vmtest [--manifest FILE] [--upstreams DIR] [--workdir DIR]\n"
		"                      [--id ID] [--release REGEX] [--distro NAME] [--upstream NAME]\n"
		"                      [--arch ARCH] [--latest] [-j N]\n"
		"                      [--module DIR]... [--accel auto|kvm|tcg] [--timeout SEC]\n"
		"                      [--json FILE] [--junit FILE] [--config FILE]\n"
		"                      [--critical CHECK]... [--non-critical CHECK]... [-q|-v]\n"
		"       kbundle vmtest --bundle FILE.tgz --image PACKAGE... [options]\n"
		"\n"
		"For each selected bundle (x86-64 kernels only): build the built-in test module (and each --module\n"
		"directory, a plain Kbuild directory) against the bundle, check each .ko's\n"
		"vermagic, boot the bundle's own kernel in QEMU with the modules, insmod,\n"
		"check, rmmod each one, and scan the kernel log for oopses, warnings and taint.\n"
		"\n"
		"  --manifest FILE    manifest (default manifest.yml)\n"
		"  --upstreams DIR    upstream files (default upstreams/)\n"
		"  --workdir DIR      work directory (default .kbundle/); bundles come from\n"
		"                     DIR/bundles, kernels from DIR/cache, console logs go to\n"
		"                     DIR/reports/vmtest-<time>/\n"
		KB_CLI_SELECT_HELP
		"  --bundle FILE      test this bundle file instead of manifest entries, booting\n"
		"  --image PACKAGE    the kernel in this image package (repeatable)\n"
		"  --module DIR       also build and load this module directory (repeatable): a\n"
		"                     Kbuild directory or a DKMS tree (dkms.conf); in-tree modules\n"
		"                     it depends on load first, from the kernel's own package;\n"
		"                     a check.sh in it runs in the guest after loading\n"
		"  --accel MODE       auto (KVM if a probe boot proves it works; cached in\n"
		"                     WORKDIR/state/accel), kvm or tcg (default auto)\n"
		"  --timeout SEC      per boot, host-side (default 120)\n"
		"  -j, --jobs N       VMs at once (default 1)\n"
		"  --json FILE        write the JSON report\n"
		"  --junit FILE       write a JUnit XML report (one test case per kernel x module)\n"
		"  --config FILE      YAML: critical/non_critical: [CHECK...], timeout, build_timeout\n"
		"  --critical CHECK   a failure of CHECK fails the run (all are, by default)\n"
		"  --non-critical CHECK  report CHECK but do not fail the run for it\n"
		"  --keep             keep the tmpfs work tree (debugging)\n"
		"  -q, --quiet        errors only\n"
		"  -v, --verbose      more detail\n"
		"  -h, --help         this text\n"
		"\n"
		"checks: build vermagic boot insmod loaded selftest rmmod oops warning taint\n"
		"exit status: 0 every critical check passed, 1 a critical check failed,\n"
		"             2 usage or configuration error\n");
	kb_cli_limits_usage(f);
}

static int kb_vmtest_int(const char *opt, const char *s, int max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < 1 || v > max) {
		fprintf(stderr, "kbundle vmtest: %s: want a number from 1 to %d, not '%s'\n", opt,
			max, s);
		return -KB_EUSAGE;
	}
	*out = (int)v;
	return 0;
}

int kb_cmd_vmtest(int argc, char **argv)
{
	enum { O_MANIFEST = 256, O_UPSTREAMS, O_WORKDIR, O_BUNDLE, O_IMAGE, O_MODULE, O_ACCEL,
	       O_TIMEOUT, O_JSON, O_JUNIT, O_CONFIG, O_CRIT, O_NONCRIT, O_KEEP };
	static const struct option longopts[] = {
		{ "manifest", required_argument, NULL, O_MANIFEST },
		{ "upstreams", required_argument, NULL, O_UPSTREAMS },
		{ "workdir", required_argument, NULL, O_WORKDIR },
		KB_CLI_SELECT_LONGOPTS,
		{ "bundle", required_argument, NULL, O_BUNDLE },
		{ "image", required_argument, NULL, O_IMAGE },
		{ "module", required_argument, NULL, O_MODULE },
		{ "accel", required_argument, NULL, O_ACCEL },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "jobs", required_argument, NULL, 'j' },
		{ "json", required_argument, NULL, O_JSON },
		{ "junit", required_argument, NULL, O_JUNIT },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "critical", required_argument, NULL, O_CRIT },
		{ "non-critical", required_argument, NULL, O_NONCRIT },
		{ "keep", no_argument, NULL, O_KEEP },
		KB_CLI_COMMON_LONGOPTS,
		KB_LIMITS_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct kb_vmtest_opts o;
	const char **images = kb_xcalloc((size_t)argc + 1, sizeof(char *));
	const char **modules = kb_xcalloc((size_t)argc + 1, sizeof(char *));
	/* Flags win over the config file, whatever their order. */
	int crit[KB_CHK_N] = { 0 };
	const char *config = NULL;
	bool passed = false;
	int c, chk, err = 0, timeout = 0;

	kb_vmtest_opts_init(&o);
	o.images = images;
	o.modules = modules;
	optind = 1;
	while (!err && (c = getopt_long(argc, argv, "j:hqv", longopts, NULL)) != -1) {
		switch (c) {
		case O_MANIFEST: o.manifest = optarg; break;
		case O_UPSTREAMS: o.upstreams = optarg; break;
		case O_WORKDIR: o.workdir = optarg; break;
		case O_BUNDLE: o.bundle = optarg; break;
		case O_IMAGE: images[o.nimages++] = optarg; break;
		case O_MODULE: modules[o.nmodules++] = optarg; break;
		case O_JSON: o.json = optarg; break;
		case O_JUNIT: o.junit = optarg; break;
		case O_CONFIG: config = optarg; break;
		case O_KEEP: o.keep = true; break;
		case O_ACCEL:
			if (strcmp(optarg, "auto") && strcmp(optarg, "kvm") && strcmp(optarg, "tcg")) {
				fprintf(stderr, "kbundle vmtest: --accel: want auto, kvm or tcg\n");
				err = -KB_EUSAGE;
			}
			o.accel = optarg;
			break;
		case O_TIMEOUT:
			err = kb_vmtest_int("--timeout", optarg, 86400, &timeout);
			break;
		case 'j':
			err = kb_vmtest_int("--jobs", optarg, 256, &o.jobs);
			break;
		case O_CRIT:
		case O_NONCRIT:
			chk = kb_vm_check_parse(optarg);
			if (chk < 0) {
				fprintf(stderr, "kbundle vmtest: '%s' is not a check (see --help)\n",
					optarg);
				err = -KB_EUSAGE;
			} else {
				crit[chk] = c == O_CRIT ? 1 : -1;
			}
			break;
		case 'h':
			kb_vmtest_usage(stdout);
			goto out;
		default:
			if (kb_cli_common_opt(c) || kb_cli_select_opt(c, optarg, &o.sel))
				break;
			err = kb_cli_limits_opt(c, optarg);
			if (err > 0) {
				err = 0;
				break;
			}
			if (!err)	/* not a limit either: unknown */
				kb_vmtest_usage(stderr);
			err = -KB_EUSAGE;
		}
	}
	if (!err && optind < argc) {
		fprintf(stderr, "kbundle vmtest: unexpected argument '%s'\n", argv[optind]);
		err = -KB_EUSAGE;
	}
	if (!err && o.nimages && !o.bundle) {
		fprintf(stderr, "kbundle vmtest: --image needs --bundle\n");
		err = -KB_EUSAGE;
	}
	if (!err && config)
		err = kb_vmtest_config_load(config, &o);
	if (err)
		goto out;
	if (timeout)
		o.timeout_s = timeout;
	for (int i = 0; i < KB_CHK_N; i++)
		if (crit[i])
			o.critical[i] = crit[i] > 0;
	err = kb_vmtest_run(&o, &passed);
	if (!err && !passed)
		err = -KB_ESUBPROC;	/* a critical check failed: exit 1 */
out:
	free(images);
	free(modules);
	return kb_cli_exit(err);
}
