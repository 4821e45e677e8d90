/* cmd_toolchain.c — `kbundle toolchain list|prepare|gc|exec`: the build
 * roots (toolchain/toolchain.h) that module builds run in. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "lib/error.h"
#include "lib/log.h"
#include "toolchain/toolchain.h"

#define KB_TC_MAX_BINDS 16

static void kb_toolchain_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle toolchain list [--workdir DIR] [--json FILE|-]\n"
		"       kbundle toolchain prepare [--release R] [--arch ARCH] [--root] SPEC…\n"
		"       kbundle toolchain gc [--unused-days N] [--dry-run]\n"
		"       kbundle toolchain exec [--release R] [--arch ARCH] [--root] [--bind DIR]…\n"
		"                              [--chdir DIR] SPEC -- CMD…\n"
		"\n"
		"A SPEC names a compiler as BUNDLE_COMPILER does: gcc-14, clang-18. A build\n"
		"uses the host's compiler when its major version matches, else a root of the\n"
		"Debian release that ships it, made once with mmdebstrap from the mirror apt\n"
		"uses and kept in WORKDIR/toolchains/. For another architecture than this\n"
		"machine's, the cross compiler (<triplet>-gcc-14; in a root, Debian's\n"
		"gcc-14-<triplet> package) in a root of its own.\n"
		"\n"
		"  list      one line per root: release, compiler, size, path ('old' when\n"
		"            made from an older package set)\n"
		"  prepare   find or make the toolchain of each SPEC; print it\n"
		"  gc        remove roots unused for N days (default 30; 0: all not in use),\n"
		"            roots of an older package set, and leftovers of killed runs\n"
		"  exec      run CMD with SPEC's toolchain (inside its root: DIRs bound\n"
		"            read-write at their own paths, no network); CMD's output (stdout\n"
		"            and stderr) is printed when it ends; exit with CMD's status\n"
		"\n"
		"  --release R       Debian release (trixie, 13, debian-13; default: the one\n"
		"                    whose kernels are built with SPEC)\n"
		"  --arch ARCH       the architecture to compile for (arm64, aarch64, riscv64,\n"
		"                    ppc64el, s390x…; default: this machine's)\n"
		"  --root            a root even when the host's compiler matches\n"
		"  --bind DIR        (exec) make DIR visible inside the root (repeatable)\n"
		"  --chdir DIR       (exec) run CMD in DIR\n"
		"  --unused-days N   (gc) keep roots used in the last N days\n"
		"  --dry-run         (gc) say what would be removed\n"
		"  --json FILE|-     (list) write the roots (docs/schema/toolchain-list.json)\n"
		"                    to FILE, or to stdout ('-')\n"
		"  --workdir DIR     work directory (default .kbundle/)\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"exit status: 0 ok, 1 failure, 2 usage error; exec: CMD's status\n");
}

struct kb_tc_cli {
	const char *workdir, *release, *arch, *chdir;
	unsigned flags;
	long unused_days;
	bool dry_run;
	struct kb_toolchain_bind binds[KB_TC_MAX_BINDS];
	size_t nbinds;
};

static int kb_tc_cli_list(const struct kb_tc_cli *o, const struct kb_cli *cli)
{
	struct kb_toolchain_root *v;
	struct kb_json j;
	size_t n;
	int err = kb_toolchain_list(o->workdir, &v, &n);

	if (err) {
		kb_error("%s/toolchains: %s", o->workdir, kb_strerror(err));
		return err;
	}
	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "format", "kbundle-toolchain-list-1");
	kb_json_arr_begin(&j, "roots");
	for (size_t i = 0; i < n; i++) {
		char used[32];

		strftime(used, sizeof(used), "%Y-%m-%d", gmtime(&v[i].used));
		if (!kb_cli_json_stdout(cli))
			printf("%-9s %-9s %-8s %7.1f MB  used %s%s  %s\n", v[i].release, v[i].spec,
			       v[i].arch ? v[i].arch : "native", (double)v[i].size / 1e6, used,
			       v[i].current ? "" : "  old", v[i].path);
		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "release", v[i].release);
		kb_json_str(&j, "spec", v[i].spec);
		kb_json_str(&j, "arch", v[i].arch);
		kb_json_str(&j, "path", v[i].path);
		kb_json_uint(&j, "size", v[i].size);
		kb_json_int(&j, "created", (int64_t)v[i].created);
		kb_json_int(&j, "used", (int64_t)v[i].used);
		kb_json_bool(&j, "current", v[i].current);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	kb_json_obj_end(&j);
	kb_toolchain_list_free(v, n);
	if (cli->json)
		return kb_cli_json_write(cli, &j);
	kb_json_free(&j);
	return 0;
}

static int kb_tc_cli_prepare(const struct kb_tc_cli *o, char **specs, int n)
{
	int err = 0;

	for (int i = 0; i < n && !err; i++) {
		struct kb_toolchain tc;

		err = kb_toolchain_for(o->workdir, specs[i], o->release, o->arch, o->flags, &tc);
		if (err)
			break;
		if (tc.root)
			printf("%s\t%s\t%s\n", tc.cc, tc.release, tc.root);
		else
			printf("%s\thost\t%s\n", tc.spec, tc.cc);
		kb_toolchain_free(&tc);
	}
	return err;
}

/* exit code: the command's own, or 1/2 when it could not run */
static int kb_tc_cli_exec(const struct kb_tc_cli *o, char **argv, int n)
{
	struct kb_proc_opts po = { .cwd = o->chdir, .output_max = 64 << 20 };
	struct kb_proc_result r = { 0 };
	struct kb_toolchain tc;
	int err, code;

	if (n < 2) {
		fprintf(stderr, "kbundle toolchain exec: want SPEC -- CMD…\n");
		return KB_EXIT_USAGE;
	}
	err = kb_toolchain_for(o->workdir, argv[0], o->release, o->arch, o->flags, &tc);
	if (err)
		return kb_cli_exit(err);
	err = kb_toolchain_run(&tc, o->binds, o->nbinds, (const char *const *)argv + 1, &po, &r);
	/* the command's output (stdout and stderr, merged) once it is done */
	if (r.output)
		fwrite(r.output, 1, r.output_len, stdout);
	code = err == 0 ? 0 : err == -KB_ESUBPROC ? r.exit_code : KB_EXIT_FAIL;
	if (err && err != -KB_ESUBPROC)
		kb_error("toolchain exec %s: %s: %s", tc.spec, argv[1], kb_strerror(err));
	free(r.output);
	kb_toolchain_free(&tc);
	return code;
}

static int kb_tc_cli_gc(const struct kb_tc_cli *o)
{
	size_t removed;
	uint64_t freed;
	int err = kb_toolchain_gc(o->workdir, (time_t)o->unused_days * 86400, o->dry_run, &removed,
				  &freed);

	if (!err)
		printf("%s %zu roots, %.1f MB\n", o->dry_run ? "would remove" : "removed", removed,
		       (double)freed / 1e6);
	return err;
}

int kb_cmd_toolchain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "release", required_argument, NULL, 'R' },
		{ "arch", required_argument, NULL, 'a' },
		{ "root", no_argument, NULL, 'r' },
		{ "bind", required_argument, NULL, 'b' },
		{ "chdir", required_argument, NULL, 'C' },
		{ "unused-days", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_tc_cli o = { .unused_days = 30 };
	struct kb_cli cli;
	const char *action;
	int c, days;

	kb_cli_init(&cli, "toolchain", kb_toolchain_usage,
		    KB_CLI_WORKDIR | KB_CLI_OPERANDS | KB_CLI_DRY_RUN | KB_CLI_JSON);
	/* getopt moves the words (action, SPEC) before "--"; exec's CMD after
	 * it keeps its own options */
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "")) >= 0) {
		switch (c) {
		case 'R':
			o.release = optarg;
			break;
		case 'a':
			o.arch = optarg;
			break;
		case 'r':
			o.flags |= KB_TC_ROOT;
			break;
		case 'b':
			if (o.nbinds == KB_TC_MAX_BINDS || optarg[0] != '/')
				return kb_cli_usage_error(&cli, false, "--bind wants an absolute "
							  "path (at most %d)", KB_TC_MAX_BINDS);
			o.binds[o.nbinds++] = (struct kb_toolchain_bind){ optarg, true };
			break;
		case 'C':
			o.chdir = optarg;
			break;
		case 'u':
			if (kb_cli_int(&cli, "--unused-days", optarg, 0, 100000, &days))
				return KB_EXIT_USAGE;
			o.unused_days = days;
			break;
		}
	}
	if (c == KB_CLI_STOP)
		return cli.exit;
	o.workdir = cli.workdir;
	o.dry_run = cli.dry_run;
	action = optind < argc ? argv[optind++] : "list";
	if (!strcmp(action, "exec"))
		return kb_tc_cli_exec(&o, argv + optind, argc - optind);
	if (!strcmp(action, "prepare") && optind < argc)
		return kb_cli_exit(kb_tc_cli_prepare(&o, argv + optind, argc - optind));
	if (optind == argc && !strcmp(action, "list"))
		return kb_cli_exit(kb_tc_cli_list(&o, &cli));
	if (optind == argc && !strcmp(action, "gc"))
		return kb_cli_exit(kb_tc_cli_gc(&o));
	return kb_cli_usage_error(&cli, true, "unexpected arguments after '%s'", action);
}
