/* main.c — kbundle's entry point and its one command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/features.h"
#include "lib/strv.h"
#include "lib/suggest.h"

static const struct kb_cmd kb_commands[] = {
	/* { "name", kb_cmd_name, "one line of help" }, in pipeline order */
	{ "crawl", kb_cmd_crawl, "fetch upstream indexes into lists/<upstream>.list" },
	{ "manifest", kb_cmd_manifest, "group package lists into bundles, write manifest.yml" },
	{ "pack", kb_cmd_pack, "pack manifest entries into self-contained header bundles" },
	{ "cache", kb_cmd_cache, "list the package cache, or gc what no manifest entry needs" },
	{ "key", kb_cmd_key, "generate the Ed25519 key pair that signs a published index" },
	{ "publish", kb_cmd_publish, "copy packed bundles and a merged index.json to a static-hosting dir" },
	{ "fetch", kb_cmd_fetch, "download, verify and extract the bundle for one kernel (uname -r)" },
	{ "vmtest", kb_cmd_vmtest, "boot each bundle's kernel in QEMU, load modules built against it" },
	{ "build", kb_cmd_build, "build modules with each kernel's own compiler into OUTDIR/<arch>/<uname>/" },
	{ "btf", kb_cmd_btf, "a kernel's BTF, its vmlinux.h, min-core BTF for BPF objects" },
	{ "toolchain", kb_cmd_toolchain, "list, prepare or gc the build roots of kernels' compilers" },
	{ "update", kb_cmd_update, "the nightly job: crawl, manifest, pack, summary" },
	{ "report", kb_cmd_report, "merge the vmtest reports of a sharded run; the gate on the whole" },
	{ "plan", kb_cmd_plan, "split a run into shards for a CI matrix or a Kubernetes Indexed Job" },
};

#define KB_NCOMMANDS (sizeof(kb_commands) / sizeof(kb_commands[0]))

static void kb_usage(FILE *f)
{
	fprintf(f, "usage: kbundle [-q|-v] <command> [options]\n"
		   "       kbundle help <command> | --version | -V | --help\n\ncommands:\n");
	for (size_t i = 0; i < KB_NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", kb_commands[i].name, kb_commands[i].help);
	fprintf(f, "\n'kbundle <command> --help' (or 'kbundle help <command>') describes a command.\n"
		   "exit status: 0 ok, 1 failure, 2 usage or configuration error,\n"
		   "             3 partial (some upstreams failed, the rest were updated)\n");
}

static const struct kb_cmd *kb_command_find(const char *name)
{
	for (size_t c = 0; c < KB_NCOMMANDS; c++)
		if (!strcmp(name, kb_commands[c].name))
			return &kb_commands[c];
	return NULL;
}

/* "kbundle: 'pak' is not a command; did you mean pack? valid: …" */
static int kb_not_a_command(const char *name)
{
	struct kb_strv names = { 0 };
	char *hint;

	for (size_t c = 0; c < KB_NCOMMANDS; c++)
		kb_strv_push(&names, kb_commands[c].name);
	hint = kb_suggest_text(name, &names);
	fprintf(stderr, "kbundle: '%s' is not a command; %s\n", name, hint);
	free(hint);
	kb_strv_free(&names);
	return KB_EXIT_USAGE;
}

/* `kbundle help [CMD]`: the command's --help, or the overview. */
static int kb_help(int argc, char **argv)
{
	const struct kb_cmd *cmd;
	char *args[] = { NULL, "--help", NULL };

	if (argc < 2) {
		kb_usage(stdout);
		return KB_EXIT_OK;
	}
	cmd = kb_command_find(argv[1]);
	if (!cmd)
		return kb_not_a_command(argv[1]);
	args[0] = argv[1];
	return cmd->fn(2, args);
}

int main(int argc, char **argv)
{
	const struct kb_cmd *cmd;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("kbundle %s\nfeatures: %s\n", KB_VERSION, kb_features());
			return KB_EXIT_OK;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			kb_usage(stdout);
			return KB_EXIT_OK;
		}
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			kb_cli_common_opt('q');
		else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
			kb_cli_common_opt('v');
		else {
			fprintf(stderr, "kbundle: unknown option '%s'; see kbundle --help\n", argv[i]);
			return KB_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		kb_usage(stderr);
		return KB_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help"))
		return kb_help(argc - i, argv + i);
	cmd = kb_command_find(argv[i]);
	return cmd ? cmd->fn(argc - i, argv + i) : kb_not_a_command(argv[i]);
}
