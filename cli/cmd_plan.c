/* cmd_plan.c — `kbundle plan`: how many shards a run needs, in the shape a
 * CI engine or Kubernetes takes (a GitHub Actions matrix, GitLab's
 * parallel:matrix, an Indexed Job). The partition itself is
 * manifest/shard.c's; this prints it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "manifest/shard.h"
#include "pipeline/entries.h"

static void kb_plan_usage(FILE *f)
{
	fprintf(f,
		"usage: kbundle plan [--manifest FILE] (--shards N | --target-minutes M)\n"
		"                    [--format text|github|gitlab|k8s] [--jobs-per-shard J]\n"
		"                    [--image IMAGE] [--volume CLAIM] [--name NAME]\n"
		"                    [SELECTORS] [-- COMMAND ARGS...]\n"
		"\n"
		"Plan a sharded run of the selected manifest entries: each shard then runs\n"
		"`kbundle COMMAND --shard I/N` (pack, vmtest, build or update) with the same\n"
		"selectors. N comes from --shards, or from --target-minutes and the expected\n"
		"cost of each entry (its packages, its architecture's boot).\n"
		"\n"
		"  --manifest FILE       the manifest (default manifest.yml)\n"
		"  --shards N            this many shards (1..%d)\n"
		"  --target-minutes M    as many shards as finish in about M minutes\n"
		"  --jobs-per-shard J    cores each shard runs with -j (default 2)\n"
		"  --format FORMAT       text (default): each shard's entries and minutes;\n"
		"                        github: {\"shard\": [\"1/N\", …]} for strategy.matrix;\n"
		"                        gitlab: parallel:matrix over KBUNDLE_SHARD;\n"
		"                        k8s: an Indexed Job (JSON, which kubectl takes)\n"
		"  --image IMAGE         k8s: the container image (default kbundle:latest)\n"
		"  --volume CLAIM        k8s: the work directory's PersistentVolumeClaim\n"
		"                        (default kbundle-work, mounted at /work)\n"
		"  --name NAME           k8s: the Job's name (default kbundle-COMMAND)\n"
		KB_CLI_SELECT_HELP
		"  -q, --quiet           errors only\n"
		"  -h, --help            this text\n"
		"\n"
		"COMMAND (default vmtest) and its ARGS are what each k8s shard runs.\n"
		"exit status: 0 printed, 1 failure, 2 usage error\n",
		KB_SHARD_MAX);
	kb_cli_limits_usage(f);
}

struct kb_plan {
	const char *format, *image, *volume, *name;
	unsigned shards, jobs;
	double target_min;
	char **cmd;
	size_t ncmd;
};

static void kb_plan_shard_names(struct kb_json *j, const char *key, unsigned n)
{
	kb_json_arr_begin(j, key);
	for (unsigned i = 1; i <= n; i++) {
		char s[32];

		snprintf(s, sizeof(s), "%u/%u", i, n);
		kb_json_str(j, NULL, s);
	}
	kb_json_arr_end(j);
}

static void kb_plan_k8s(struct kb_json *j, const struct kb_plan *p, unsigned n)
{
	char *name = p->name ? kb_xstrdup(p->name) : kb_xasprintf("kbundle-%s", p->cmd[0]);

	kb_json_str(j, "apiVersion", "batch/v1");
	kb_json_str(j, "kind", "Job");
	kb_json_obj_begin(j, "metadata");
	kb_json_str(j, "name", name);
	kb_json_obj_end(j);
	kb_json_obj_begin(j, "spec");
	kb_json_str(j, "completionMode", "Indexed");
	kb_json_int(j, "completions", n);
	kb_json_int(j, "parallelism", n);
	kb_json_int(j, "backoffLimit", n);
	kb_json_obj_begin(j, "template");
	kb_json_obj_begin(j, "spec");
	kb_json_str(j, "restartPolicy", "Never");
	kb_json_arr_begin(j, "containers");
	kb_json_obj_begin(j, NULL);
	kb_json_str(j, "name", "kbundle");
	kb_json_str(j, "image", p->image);
	kb_json_arr_begin(j, "command");
	kb_json_str(j, NULL, "kbundle");
	for (size_t i = 0; i < p->ncmd; i++)
		kb_json_str(j, NULL, p->cmd[i]);
	kb_json_arr_end(j);
	kb_json_str(j, "workingDir", "/work");
	kb_json_arr_begin(j, "env");
	kb_json_obj_begin(j, NULL);
	kb_json_str(j, "name", "KBUNDLE_SHARDS");	/* with the Job's JOB_COMPLETION_INDEX */
	{
		char s[16];

		snprintf(s, sizeof(s), "%u", n);
		kb_json_str(j, "value", s);
	}
	kb_json_obj_end(j);
	kb_json_arr_end(j);
	kb_json_arr_begin(j, "volumeMounts");
	kb_json_obj_begin(j, NULL);
	kb_json_str(j, "name", "work");
	kb_json_str(j, "mountPath", "/work");
	kb_json_obj_end(j);
	kb_json_arr_end(j);
	kb_json_obj_end(j);
	kb_json_arr_end(j);
	kb_json_arr_begin(j, "volumes");
	kb_json_obj_begin(j, NULL);
	kb_json_str(j, "name", "work");
	kb_json_obj_begin(j, "persistentVolumeClaim");
	kb_json_str(j, "claimName", p->volume);
	kb_json_obj_end(j);
	kb_json_obj_end(j);
	kb_json_arr_end(j);
	kb_json_obj_end(j);
	kb_json_obj_end(j);
	kb_json_obj_end(j);
	free(name);
}

static int kb_plan_print(const struct kb_plan *p, const struct kb_entries *e, unsigned n,
			 const double *loads, const unsigned *shard_of)
{
	struct kb_json j;
	char *text;
	size_t len;
	int err = 0;

	if (!strcmp(p->format, "text")) {
		printf("%zu entries over %u shards (-j %u each):\n", e->nsel, n, p->jobs);
		for (unsigned k = 0; k < n; k++) {
			size_t cnt = 0;

			for (size_t i = 0; i < e->m.n; i++)
				cnt += e->sel[i] && shard_of[i] == k;
			printf("  shard %u/%u  %5zu entries  ~%.1f min\n", k + 1, n, cnt,
			       loads[k] / 60.0 / p->jobs);
		}
		return 0;
	}
	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	if (!strcmp(p->format, "github")) {
		kb_plan_shard_names(&j, "shard", n);
	} else if (!strcmp(p->format, "gitlab")) {
		kb_json_obj_begin(&j, "parallel");
		kb_json_arr_begin(&j, "matrix");
		kb_json_obj_begin(&j, NULL);
		kb_plan_shard_names(&j, "KBUNDLE_SHARD", n);
		kb_json_obj_end(&j);
		kb_json_arr_end(&j);
		kb_json_obj_end(&j);
	} else {
		kb_plan_k8s(&j, p, n);
	}
	kb_json_obj_end(&j);
	text = kb_json_finish(&j, &len, &err);
	if (text)
		fwrite(text, 1, len, stdout);
	free(text);
	return err;
}

int kb_cmd_plan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "manifest", required_argument, NULL, 'M' },
		{ "shards", required_argument, NULL, 'N' },
		{ "target-minutes", required_argument, NULL, 'T' },
		{ "jobs-per-shard", required_argument, NULL, 'J' },
		{ "format", required_argument, NULL, 'F' },
		{ "image", required_argument, NULL, 'I' },
		{ "volume", required_argument, NULL, 'V' },
		{ "name", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	static char *default_cmd[] = { "vmtest" };
	struct kb_plan p = { .format = "text", .image = "kbundle:latest", .volume = "kbundle-work",
			     .jobs = 2, .cmd = default_cmd, .ncmd = 1 };
	const char *manifest = "manifest.yml";
	struct kb_entries e = { 0 };
	struct kb_select sel = { 0 };
	unsigned *shard_of = NULL;
	double *loads = NULL, total = 0;
	struct kb_cli cli;
	int c, n = 0, jobs = 2, minutes = 0, err;

	kb_cli_init(&cli, "plan", kb_plan_usage, KB_CLI_LIMITS | KB_CLI_SELECT | KB_CLI_OPERANDS);
	cli.sel = &sel;
	while ((c = kb_cli_next(&cli, argc, argv, longopts, "")) >= 0) {
		switch (c) {
		case 'M': manifest = optarg; break;
		case 'N':
			if (kb_cli_int(&cli, "--shards", optarg, 1, KB_SHARD_MAX, &n))
				return KB_EXIT_USAGE;
			break;
		case 'T':
			if (kb_cli_int(&cli, "--target-minutes", optarg, 1, 100000, &minutes))
				return KB_EXIT_USAGE;
			break;
		case 'J':
			if (kb_cli_int(&cli, "--jobs-per-shard", optarg, 1, KB_CLI_JOBS_MAX, &jobs))
				return KB_EXIT_USAGE;
			break;
		case 'F': p.format = optarg; break;
		case 'I': p.image = optarg; break;
		case 'V': p.volume = optarg; break;
		case 'A': p.name = optarg; break;
		}
	}
	if (c == KB_CLI_STOP)
		return cli.exit;
	if (strcmp(p.format, "text") && strcmp(p.format, "github") && strcmp(p.format, "gitlab") &&
	    strcmp(p.format, "k8s"))
		return kb_cli_usage_error(&cli, false, "--format '%s': want text, github, gitlab or k8s",
					  p.format);
	if (!n == !minutes)
		return kb_cli_usage_error(&cli, false, "give --shards N or --target-minutes M (one)");
	if (sel.shard.count)
		return kb_cli_usage_error(&cli, false, "--shard (or KBUNDLE_SHARD) makes no sense "
						       "for a plan of all shards");
	if (optind < argc) {
		p.cmd = argv + optind;
		p.ncmd = (size_t)(argc - optind);
	}
	p.jobs = (unsigned)jobs;
	e.limits = &cli.limits;
	err = kb_entries_select(&e, manifest, &sel);
	if (err)
		goto out;
	if (!e.nsel) {
		kb_error("%s: no entry matches the selection", manifest);
		err = -KB_EUSAGE;
		goto out;
	}
	for (size_t i = 0; i < e.m.n; i++)
		if (e.sel[i])
			total += kb_shard_cost(&e.m.v[i]);
	if (minutes)
		n = (int)ceil(total / (60.0 * minutes * jobs));
	if (n < 1)
		n = 1;
	if ((size_t)n > e.nsel)
		n = (int)e.nsel;	/* no empty shards */
	if (n > KB_SHARD_MAX)
		n = KB_SHARD_MAX;
	shard_of = kb_xcalloc(e.m.n, sizeof(*shard_of));
	loads = kb_xcalloc((size_t)n, sizeof(*loads));
	kb_shard_assign(&e.m, e.sel, (unsigned)n, shard_of, loads);
	kb_info("%zu entries, ~%.0f core-minutes: %d shards", e.nsel, total / 60.0, n);
	err = kb_plan_print(&p, &e, (unsigned)n, loads, shard_of);
out:
	free(shard_of);
	free(loads);
	kb_entries_free(&e);
	return kb_cli_exit(err);
}
