/* cmd_manifest.c — `kbundle manifest`: package lists → manifest.yml.
 * Options and exit codes only; the work is kb_manifest_build() and
 * kb_manifest_write() in manifest/. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/datadir.h"
#include "lib/error.h"
#include "crawler/upstream.h"
#include "lib/file.h"
#include "lib/log.h"
#include "manifest/driverkit.h"
#include "manifest/group.h"
#include "manifest/manifest.h"

static void kb_manifest_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle manifest [--upstreams DIR] [--lists DIR] [--manifest FILE]\n"
		"                        [--format yaml|driverkit] [--json FILE|-] [-q|-v]\n"
		"\n"
		"Group the packages of every LISTS/<name>.list into header bundles, by the\n"
		"rules of the distro UPSTREAMS/<name>.yml names, and write FILE.\n"
		"\n"
		"  --upstreams DIR  upstream files (default upstreams/)\n"
		"  --lists DIR      package lists (default lists/)\n"
		"  --manifest FILE  the manifest to write (default manifest.yml; -o FILE and\n"
		"                   --output FILE are older spellings)\n"
		"  --json FILE|-    write what was grouped and left out (docs/schema/\n"
		"                   manifest.json) to FILE, or to stdout ('-')\n"
		"  --format FORMAT  yaml (manifest.yml, the default) or driverkit: falco\n"
		"                   kernel-crawler's JSON (kernelversion, kernelrelease, target,\n"
		"                   headers URLs) for driverkit, to FILE ('-', the default\n"
		"                   with driverkit: stdout)\n"
		"  -q, --quiet      errors only\n"
		"  -v, --verbose    more detail\n"
		"  -h, --help       this text\n"
		"\n"
		"A kernel release whose packages are incomplete (no -common, no matching\n"
		"kbuild, …) is left out with a warning; that is not a failure.\n"
		"exit status: 0 written, 1 failure (FILE untouched), 2 usage error\n");
	kb_cli_limits_usage(f);
}

/* The bundles written (id, upstream, release, arch) and those left out. */
static int kb_manifest_json(const struct kb_cli *cli, const char *output,
			    const struct kb_manifest *m, const struct kb_group_skips *skips)
{
	struct kb_json j;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "format", "kbundle-manifest-1");
	kb_json_str(&j, "manifest", output);
	kb_json_arr_begin(&j, "bundles");
	for (size_t i = 0; i < m->n; i++) {
		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "id", m->v[i].id);
		kb_json_str(&j, "distro", m->v[i].distro);
		kb_json_str(&j, "upstream", m->v[i].upstream);
		kb_json_str(&j, "release", m->v[i].release);
		kb_json_str(&j, "arch", m->v[i].arch);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	kb_json_arr_begin(&j, "left_out");
	for (size_t i = 0; i < skips->n; i++) {
		const struct kb_group_skip *k = &skips->v[i];

		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "upstream", k->upstream);
		kb_json_str(&j, "package", k->name);
		kb_json_str(&j, "version", k->version);
		kb_json_str(&j, "arch", k->arch);
		kb_json_str(&j, "release", k->release);
		kb_json_str(&j, "reason", k->reason);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	kb_json_obj_end(&j);
	return kb_cli_json_write(cli, &j);
}

static int kb_cmd_manifest_driverkit(const char *upstreams, const struct kb_cli *cli,
				     const struct kb_manifest *m, const char *output)
{
	struct kb_upstream_set ups;
	char *text = NULL;
	size_t len = 0;
	int err = kb_upstream_set_load(upstreams, &cli->limits, &ups);

	if (err)
		return err;
	text = kb_driverkit_json(m, &ups, &len, &err);
	if (!err && (err = kb_file_write_output(output, text, len)) != 0)
		kb_error("%s: %s", output, kb_strerror(err));
	free(text);
	kb_upstream_set_free(&ups);
	return err;
}

int kb_cmd_manifest(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "upstreams", required_argument, NULL, 'U' },
		{ "lists", required_argument, NULL, 'L' },
		{ "manifest", required_argument, NULL, 'o' },
		{ "output", required_argument, NULL, 'o' },	/* the older spelling of --manifest */
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	const char *upstreams = kb_datadir_upstreams(), *lists = "lists", *output = NULL;
	bool driverkit = false;
	struct kb_manifest m = { 0 };
	struct kb_group_skips skips = { 0 };
	struct kb_cli cli;
	int c, err;

	kb_cli_init(&cli, "manifest", kb_manifest_usage, KB_CLI_LIMITS | KB_CLI_JSON);
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "o:")) >= 0) {
		switch (c) {
		case 'U':
			upstreams = optarg;
			break;
		case 'L':
			lists = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "yaml") && strcmp(optarg, "driverkit"))
				return kb_cli_usage_error(&cli, false, "--format: want yaml or driverkit, not '%s'",
							  optarg);
			driverkit = !strcmp(optarg, "driverkit");
			break;
		}
	}
	if (c == KB_CLI_STOP)
		return cli.exit;
	if (!output)
		output = driverkit ? "-" : "manifest.yml";
	err = kb_manifest_build(upstreams, lists, &cli.limits, &m, &skips);
	if (!err && driverkit)
		err = kb_cmd_manifest_driverkit(upstreams, &cli, &m, output);
	else if (!err)
		err = kb_manifest_write(output, &m);
	if (!err)
		kb_info("%s: %zu bundles, %zu left out as incomplete", output, m.n, skips.n);
	if (!err && cli.json)
		err = kb_manifest_json(&cli, output, &m, &skips);
	kb_manifest_free(&m);
	kb_group_skips_free(&skips);
	return kb_cli_exit(err);
}
