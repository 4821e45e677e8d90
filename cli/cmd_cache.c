/* cmd_cache.c — `kbundle cache [list|gc]`: what the work directory's
 * package cache holds, and removing what no manifest entry needs. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cli/cli.h"
#include "lib/error.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "manifest/manifest.h"

/* One line per object: sha256, size, package name ('-' when m, which may
 * be NULL, names none); then the total. With --json, the same as a
 * document (stdout's, when it goes there). */
static int kb_cmd_cache_list(const struct kb_cli *cli, const struct kb_cache *cache,
			     const struct kb_manifest *m)
{
	struct kb_cache_object *v = NULL;
	size_t n = 0;
	uint64_t bytes = 0;
	struct kb_json j;
	bool people = !kb_cli_json_stdout(cli);
	int err = kb_cache_list(cache, &v, &n);

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "format", "kbundle-cache-list-1");
	kb_json_arr_begin(&j, "objects");
	for (size_t i = 0; !err && i < n; i++) {
		const struct kb_mpkg *p = kb_manifest_find_pkg(m, v[i].name);

		if (people)
			printf("%s\t%" PRIu64 "\t%s\n", v[i].name, v[i].size, p ? p->name : "-");
		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "name", v[i].name);
		kb_json_uint(&j, "size", v[i].size);
		kb_json_str(&j, "package", p ? p->name : NULL);
		kb_json_obj_end(&j);
		bytes += v[i].size;
	}
	kb_json_arr_end(&j);
	kb_json_uint(&j, "count", n);
	kb_json_uint(&j, "bytes", bytes);
	kb_json_obj_end(&j);
	if (!err && people)
		printf("%zu objects, %" PRIu64 " bytes\n", n, bytes);
	if (!err && cli->json)
		err = kb_cli_json_write(cli, &j);
	else
		kb_json_free(&j);
	kb_cache_objects_free(v, n);
	return err;
}

/* Remove (or with --dry-run, count) what no entry of m needs; say how much. */
static int kb_cmd_cache_gc(const struct kb_cli *cli, const struct kb_cache *cache,
			   const struct kb_manifest *m)
{
	struct kb_strv wanted = { 0 };
	uint64_t freed = 0;
	size_t removed = 0;
	struct kb_json j;
	int err;

	kb_manifest_digests(m, &wanted);
	err = kb_cache_gc(cache, &wanted, cli->dry_run, &freed, &removed);
	fprintf(kb_cli_json_stdout(cli) ? stderr : stdout, "%s %zu objects, %" PRIu64 " bytes\n",
		cli->dry_run ? "would remove" : "removed", removed, freed);
	if (!err && cli->json) {
		kb_json_init(&j);
		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "format", "kbundle-cache-gc-1");
		kb_json_bool(&j, "dry_run", cli->dry_run);
		kb_json_uint(&j, "removed", removed);
		kb_json_uint(&j, "bytes", freed);
		kb_json_obj_end(&j);
		err = kb_cli_json_write(cli, &j);
	}
	kb_strv_free(&wanted);
	return err;
}

static void kb_cache_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle cache [list|gc] [--workdir DIR] [--manifest FILE] [--dry-run]\n"
		"                     [--json FILE|-] [-q|-v]\n"
		"\n"
		"  list   one line per cached package: sha256, size, name (from the\n"
		"         manifest, '-' when it names none); then the total (default)\n"
		"  gc     delete cached packages that no manifest entry needs\n"
		"\n"
		"  --workdir DIR     work directory (default .kbundle/)\n"
		"  --manifest FILE   manifest (default manifest.yml; gc requires it)\n"
		"  --dry-run         (gc) say what would be deleted; delete nothing\n"
		"  --json FILE|-     write the listing or the gc result as JSON (schemas\n"
		"                    docs/schema/cache-list.json, cache-gc.json) to FILE, or\n"
		"                    to stdout ('-')\n"
		"  -q, --quiet       errors only\n"
		"  -v, --verbose     more detail\n"
		"  -h, --help        this text\n"
		"exit status: 0 ok, 1 failure, 2 usage error\n");
}

int kb_cmd_cache(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "manifest", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	const char *manifest = "manifest.yml", *action = "list";
	struct kb_manifest m = { 0 };
	struct kb_cache cache = { .lock.fd = -1 };
	struct kb_cli cli;
	int c, err, have_m;

	kb_cli_init(&cli, "cache", kb_cache_usage,
		    KB_CLI_WORKDIR | KB_CLI_OPERANDS | KB_CLI_DRY_RUN | KB_CLI_JSON);
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "")) >= 0)
		if (c == 'M')
			manifest = optarg;
	if (c == KB_CLI_STOP)
		return cli.exit;
	if (optind < argc)
		action = argv[optind++];
	if (optind < argc || (strcmp(action, "list") && strcmp(action, "gc")))
		return kb_cli_usage_error(&cli, true, "unexpected argument '%s'",
					  optind < argc ? argv[optind] : action);
	if (cli.dry_run && strcmp(action, "gc"))
		return kb_cli_usage_error(&cli, false, "--dry-run is for gc");
	have_m = (access(manifest, R_OK) == 0 || !strcmp(action, "gc")) &&
		 kb_manifest_load(manifest, NULL, &m) == 0;
	if (!have_m && !strcmp(action, "gc")) {
		/* without the manifest every object would look unneeded */
		kb_error("cache gc: cannot read %s; nothing removed", manifest);
		return KB_EXIT_USAGE;	/* a configuration error, like every broken manifest */
	}
	/* a dry run takes no lock and makes no directory: it writes nothing */
	if (cli.dry_run)
		kb_cache_view(&cache, cli.workdir);
	else if ((err = kb_cache_open(&cache, cli.workdir)))
		goto out;
	if (!strcmp(action, "list"))
		err = kb_cmd_cache_list(&cli, &cache, have_m ? &m : NULL);
	else
		err = kb_cmd_cache_gc(&cli, &cache, &m);
	kb_cache_close(&cache);
out:
	kb_manifest_free(&m);
	return kb_cli_exit(err);
}
