/* cmd_vmtest.c — `kbundle vmtest`: boot each selected bundle's own kernel
 * and load modules built against the bundle. Options and exit codes only;
 * the work is kb_vmtest_run() in vm/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/qemu.h"
#include "vm/result.h"
#include "vm/vmtest.h"

/* "auto|kvm|tcg", from vm/'s table. */
static void kb_vmtest_accel_list(FILE *f, const char *sep)
{
	for (size_t i = 0; kb_vm_accel_modes[i]; i++)
		fprintf(f, "%s%s", i ? sep : "", kb_vm_accel_modes[i]);
}

static bool kb_vmtest_accel_ok(const char *mode)
{
	for (size_t i = 0; kb_vm_accel_modes[i]; i++)
		if (!strcmp(mode, kb_vm_accel_modes[i]))
			return true;
	return false;
}

static void kb_vmtest_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle vmtest [--manifest FILE] [--upstreams DIR] [--workdir DIR]\n"
		"                      [--id ID] [--release REGEX] [--distro NAME] [--upstream NAME]\n"
		"                      [--arch ARCH] [--latest] [--all] [--dry-run] [-j|--jobs N]\n"
		"                      [--module DIR]... [--bpf DIR]... [--no-btf] [--min-core]\n"
		"                      [--accel MODE] [--timeout SEC]\n"
		"                      [--json FILE|-] [--junit FILE] [--html FILE] [--config FILE]\n"
		"                      [--critical CHECK]... [--non-critical CHECK]... [-q|-v]\n"
		"       kbundle vmtest --bundle FILE.tgz --image PACKAGE... [options]\n"
		"\n"
		"For each selected bundle (of the architectures vmtest boots: amd64, arm64,\n"
		"riscv64, ppc64el, s390x): build the built-in test module (and each --module\n"
		"directory, a plain Kbuild directory) against the bundle, check each .ko's\n"
		"vermagic, boot the bundle's own kernel in its architecture's QEMU with the\n"
		"modules (KVM only for the host's architecture), insmod, check, rmmod each one,\n"
		"and scan the kernel log for oopses, warnings and taint. --arch takes Debian's\n"
		"or the kernel's spelling (arm64 = aarch64). With no selector, vmtest says how\n"
		"many kernels and bytes that would be and stops: --all tests every entry.\n"
		"\n"
		"  --manifest FILE    manifest (default manifest.yml)\n"
		"  --upstreams DIR    upstream files (default upstreams/)\n"
		"  --workdir DIR      work directory (default .kbundle/); bundles come from\n"
		"                     DIR/bundles, kernels from DIR/cache, console logs go to\n"
		"                     DIR/reports/vmtest-<time>/\n"
		KB_CLI_SELECT_HELP
		"  --all              every manifest entry (needed when no selector is given)\n"
		"  --dry-run          say what would be packed, downloaded and booted; write\n"
		"                     nothing\n"
		"  --bundle FILE      test this bundle file instead of manifest entries, booting\n"
		"  --image PACKAGE    the kernel in this image package (repeatable)\n"
		"  --module DIR       also build and load this module directory (repeatable): a\n"
		"                     Kbuild directory or a DKMS tree (dkms.conf); in-tree modules\n"
		"                     it depends on load first, from the kernel's own package;\n"
		"                     a check.sh in it runs in the guest after loading\n"
		"  --bpf DIR          also build each DIR/*.bpf.c with clang -target bpf, CO-RE\n"
		"                     (the kernel's vmlinux.h) and non-CO-RE (the bundle's\n"
		"                     headers), as DIR/bpf.yml says (NAME: core|non-core|both);\n"
		"                     check each object, then in the guest load it (the\n"
		"                     verifier), attach, trigger and read its kb_runs counter\n"
		"                     (tests/bpf/kb_runs.h); repeatable\n"
		"  --no-btf           the guest hides its BTF (/sys/kernel/btf), as a kernel\n"
		"                     built without it: CO-RE objects must fail to load\n"
		"  --min-core         hand each BPF object its min-core BTF (bpftool gen\n"
		"                     min_core_btf of the kernel's) as libbpf's btf_custom_path:\n"
		"                     with --no-btf, proves the tailored BTF is enough\n"
		"  --accel MODE       one of the accelerators below (default auto: KVM if a\n"
		"                     probe boot proves it works; cached in WORKDIR/state/accel)\n"
		"  --timeout SEC      per boot, host-side (default: the architecture's, 120)\n"
		"  -j, --jobs N       VMs at once (default 1)\n"
		"  --json FILE|-      write the JSON report (docs/schema/vmtest.json; with\n"
		"                     --dry-run, vmtest-preview.json) to FILE, or to stdout\n"
		"                     ('-'; the table then goes to stderr)\n"
		"  --junit FILE       write a JUnit XML report (one test case per kernel x module\n"
		"                     or BPF program)\n"
		"  --html FILE        write a static HTML page: the kernel x module matrix,\n"
		"                     filters, each failure's reason, links to the console logs\n"
		"  --config FILE      YAML: critical/non_critical: [CHECK...], timeout, build_timeout\n"
		"  --critical CHECK   a failure of CHECK fails the run (all are, by default)\n"
		"  --non-critical CHECK  report CHECK but do not fail the run for it\n"
		"  --keep             keep the tmpfs work tree (debugging)\n"
		"  -q, --quiet        errors only\n"
		"  -v, --verbose      more detail\n"
		"  -h, --help         this text\n"
		"\n"
		"checks:");
	for (int c = 0; c < KB_CHK_N; c++)
		fprintf(f, " %s", kb_vm_check_name((enum kb_vm_check)c));
	fprintf(f, "\naccelerators: ");
	kb_vmtest_accel_list(f, " ");
	fprintf(f, "\nexit status: 0 every critical check passed, 1 a critical check failed,\n"
		   "             2 usage or configuration error (or no selector and no --all)\n");
	kb_cli_limits_usage(f);
}

/* --dry-run and the --all guard: what the run would do. */
static int kb_vmtest_previewed(const struct kb_cli *cli, const struct kb_preview *p)
{
	char *text = kb_preview_text(p), *what;
	struct kb_json j;
	int rc;

	if (!cli->dry_run) {
		what = kb_xasprintf("boot %zu kernel%s: %s", p->entries, p->entries == 1 ? "" : "s",
				    text);
		rc = kb_cli_refuse_all(cli, what);
		free(what);
		free(text);
		return rc;
	}
	fprintf(kb_cli_json_stdout(cli) ? stderr : stdout, "would boot %zu kernel%s: %s\n",
		p->entries, p->entries == 1 ? "" : "s", text);
	free(text);
	if (!cli->json)
		return KB_EXIT_OK;
	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "format", "kbundle-vmtest-preview-1");
	kb_json_bool(&j, "dry_run", true);
	kb_json_uint(&j, "kernels", p->entries);
	kb_preview_json(&j, p);
	kb_json_obj_end(&j);
	return kb_cli_exit(kb_cli_json_write(cli, &j));
}

int kb_cmd_vmtest(int argc, char **argv)
{
	enum { O_MANIFEST = 256, O_UPSTREAMS, O_BUNDLE, O_IMAGE, O_MODULE, O_ACCEL, O_TIMEOUT,
	       O_JUNIT, O_HTML, O_CONFIG, O_CRIT, O_NONCRIT, O_KEEP, O_BPF, O_NO_BTF, O_MIN_CORE };
	static const struct option longopts[] = {
		{ "manifest", required_argument, NULL, O_MANIFEST },
		{ "upstreams", required_argument, NULL, O_UPSTREAMS },
		{ "bundle", required_argument, NULL, O_BUNDLE },
		{ "image", required_argument, NULL, O_IMAGE },
		{ "module", required_argument, NULL, O_MODULE },
		{ "bpf", required_argument, NULL, O_BPF },
		{ "no-btf", no_argument, NULL, O_NO_BTF },
		{ "min-core", no_argument, NULL, O_MIN_CORE },
		{ "accel", required_argument, NULL, O_ACCEL },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "junit", required_argument, NULL, O_JUNIT },
		{ "html", required_argument, NULL, O_HTML },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "critical", required_argument, NULL, O_CRIT },
		{ "non-critical", required_argument, NULL, O_NONCRIT },
		{ "keep", no_argument, NULL, O_KEEP },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_vmtest_opts o;
	const char **images = kb_xcalloc((size_t)argc + 1, sizeof(char *));
	const char **modules = kb_xcalloc((size_t)argc + 1, sizeof(char *));
	const char **bpf = kb_xcalloc((size_t)argc + 1, sizeof(char *));
	/* Flags win over the config file, whatever their order. */
	int crit[KB_CHK_N] = { 0 };
	const char *config = NULL;
	struct kb_cli cli;
	struct kb_preview preview;
	bool passed = false;
	int c = 0, chk, err = 0, timeout = 0;

	kb_vmtest_opts_init(&o);
	o.images = images;
	o.modules = modules;
	o.bpf_dirs = bpf;
	kb_cli_init(&cli, "vmtest", kb_vmtest_usage,
		    KB_CLI_WORKDIR | KB_CLI_LIMITS | KB_CLI_JOBS | KB_CLI_JSON | KB_CLI_SELECT |
			    KB_CLI_ALL | KB_CLI_DRY_RUN);
	cli.jobs = o.jobs;
	cli.sel = &o.sel;
	while (!err && (c = kb_cli_next(&cli, argc, argv, longopts, "")) >= 0) {
		switch (c) {
		case O_MANIFEST: o.manifest = optarg; break;
		case O_UPSTREAMS: o.upstreams = optarg; break;
		case O_BUNDLE: o.bundle = optarg; break;
		case O_IMAGE: images[o.nimages++] = optarg; break;
		case O_MODULE: modules[o.nmodules++] = optarg; break;
		case O_BPF: bpf[o.nbpf_dirs++] = optarg; break;
		case O_NO_BTF: o.no_btf = true; break;
		case O_MIN_CORE: o.min_core = true; break;
		case O_JUNIT: o.junit = optarg; break;
		case O_HTML: o.html = optarg; break;
		case O_CONFIG: config = optarg; break;
		case O_KEEP: o.keep = true; break;
		case O_ACCEL:
			if (!kb_vmtest_accel_ok(optarg)) {
				fprintf(stderr, "kbundle vmtest: --accel: want ");
				kb_vmtest_accel_list(stderr, ", ");
				fputc('\n', stderr);
				err = -KB_EUSAGE;
			}
			o.accel = optarg;
			break;
		case O_TIMEOUT:
			err = kb_cli_int(&cli, "--timeout", optarg, 1, 86400, &timeout);
			break;
		case O_CRIT:
		case O_NONCRIT:
			chk = kb_vm_check_parse(optarg);
			if (chk < 0) {
				kb_cli_usage_error(&cli, false, "'%s' is not a check (see --help)", optarg);
				err = -KB_EUSAGE;
			} else {
				crit[chk] = c == O_CRIT ? 1 : -1;
			}
			break;
		}
	}
	if (!err && c == KB_CLI_STOP) {
		err = cli.exit ? -KB_EUSAGE : 0;
		goto out;
	}
	if (!err && o.nimages && !o.bundle) {
		kb_cli_usage_error(&cli, false, "--image needs --bundle");
		err = -KB_EUSAGE;
	}
	o.workdir = cli.workdir;
	o.jobs = cli.jobs;
	o.json = cli.json;
	o.limits = &cli.limits;
	if (!err && config)
		err = kb_vmtest_config_load(config, &o);
	if (err)
		goto out;
	if (timeout)
		o.timeout_s = timeout;
	for (int i = 0; i < KB_CHK_N; i++)
		if (crit[i])
			o.critical[i] = crit[i] > 0;
	if (cli.dry_run || (!o.bundle && kb_cli_unselected(&cli)))
		o.preview = &preview;
	err = kb_vmtest_run(&o, &passed);
	if (!err && o.preview) {
		c = kb_vmtest_previewed(&cli, &preview);
		free(images);
		free(modules);
		free(bpf);
		return c;
	}
	if (!err && !passed)
		err = -KB_ESUBPROC;	/* a critical check failed: exit 1 */
out:
	free(images);
	free(modules);
	free(bpf);
	return kb_cli_exit(err);
}
