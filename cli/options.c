/* options.c — the option parser every command runs: its own options, plus
 * the shared ones (-q, -v, -h, --workdir, -j/--jobs, --json, the --max-*
 * limits, the manifest selectors) parsed and checked once, here. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/limits_opt.h"
#include "lib/config.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/suggest.h"
#include "manifest/select.h"

static const struct option kb_cli_always[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 },
};
static const struct option kb_cli_workdir[] = {
	{ "workdir", required_argument, NULL, KB_OPT_WORKDIR },
	{ NULL, 0, NULL, 0 },
};
static const struct option kb_cli_jobs[] = {
	{ "jobs", required_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 },
};
/* The argument is optional so that a bare --json (stdout) still works:
 * kb_cli_next() takes the next word as FILE unless it is another option. */
static const struct option kb_cli_json[] = {
	{ "json", optional_argument, NULL, KB_OPT_JSON },
	{ NULL, 0, NULL, 0 },
};
static const struct option kb_cli_dry_run[] = {
	{ "dry-run", no_argument, NULL, KB_OPT_DRY_RUN },
	{ NULL, 0, NULL, 0 },
};
static const struct option kb_cli_all[] = {
	{ "all", no_argument, NULL, KB_OPT_ALL },
	{ NULL, 0, NULL, 0 },
};
static const struct option kb_cli_limits[] = {
	KB_LIMITS_LONGOPTS,
	{ NULL, 0, NULL, 0 },
};
static const struct option kb_cli_select[] = {
	{ "id", required_argument, NULL, KB_OPT_ID },
	{ "release", required_argument, NULL, KB_OPT_RELEASE },
	{ "distro", required_argument, NULL, KB_OPT_DISTRO },
	{ "upstream", required_argument, NULL, KB_OPT_UPSTREAM },
	{ "arch", required_argument, NULL, KB_OPT_ARCH },
	{ "latest", no_argument, NULL, KB_OPT_LATEST },
	{ "shard", required_argument, NULL, KB_OPT_SHARD },
	{ NULL, 0, NULL, 0 },
};

void kb_cli_init(struct kb_cli *c, const char *name, void (*usage)(FILE *f), unsigned takes)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->usage = usage;
	c->takes = takes;
	c->workdir = KB_DEFAULT_WORKDIR;
	c->limits = kb_limits_default;
}

static void kb_cli_add(struct kb_cli *c, size_t *n, const struct option *v)
{
	for (; v->name; v++) {
		if (*n + 1 >= KB_CLI_MAX_OPTS)
			abort();	/* a programming error: raise KB_CLI_MAX_OPTS */
		c->longopts[(*n)++] = *v;
	}
}

/* The config file, read once: every command of a process sees the same. */
static const struct kb_config *kb_cli_config(void)
{
	static struct kb_config config;
	static int err = 1;

	if (err > 0)
		err = kb_config_load_default(&config);
	return err ? NULL : &config;
}

/* The config file's defaults, for the shared options this command takes. */
static int kb_cli_config_apply(struct kb_cli *c)
{
	c->config = kb_cli_config();
	if (!c->config) {
		fprintf(stderr, "kbundle %s: the config file is wrong (above); fix it, or move it "
				"away\n", c->name);
		return -KB_EUSAGE;
	}
	if ((c->takes & KB_CLI_WORKDIR) && c->config->workdir)
		c->workdir = c->config->workdir;
	if ((c->takes & KB_CLI_JOBS) && c->config->jobs)
		c->jobs = c->config->jobs;
	return 0;
}

/* getopt's tables: the command's options first, then the shared ones. */
static void kb_cli_tables(struct kb_cli *c, const struct option *own, const char *own_short)
{
	size_t n = 0;

	kb_cli_add(c, &n, own);
	kb_cli_add(c, &n, kb_cli_always);
	if (c->takes & KB_CLI_WORKDIR)
		kb_cli_add(c, &n, kb_cli_workdir);
	if (c->takes & KB_CLI_JOBS)
		kb_cli_add(c, &n, kb_cli_jobs);
	if (c->takes & KB_CLI_JSON)
		kb_cli_add(c, &n, kb_cli_json);
	if (c->takes & KB_CLI_DRY_RUN)
		kb_cli_add(c, &n, kb_cli_dry_run);
	if (c->takes & KB_CLI_ALL)
		kb_cli_add(c, &n, kb_cli_all);
	if (c->takes & KB_CLI_LIMITS)
		kb_cli_add(c, &n, kb_cli_limits);
	if (c->takes & KB_CLI_SELECT)
		kb_cli_add(c, &n, kb_cli_select);
	memset(&c->longopts[n], 0, sizeof(c->longopts[n]));
	/* ':' first: a missing value is told from an unknown option */
	snprintf(c->shortopts, sizeof(c->shortopts), ":%s%shqv", own_short,
		 c->takes & KB_CLI_JOBS ? "j:" : "");
	c->started = true;
	optind = 1;
	opterr = 0;	/* kb_cli_bad_option() says it, in one line */
}

/* 1 handled, 0 not a selector, or -KB_EUSAGE (reported). */
static int kb_cli_select_opt(int opt, const char *arg, struct kb_select *s)
{
	switch (opt) {
	case KB_OPT_SHARD: return kb_shard_parse(arg, "--shard", &s->shard) ? -KB_EUSAGE : 1;
	case KB_OPT_ID: s->id = arg; return 1;
	case KB_OPT_RELEASE: s->release_re = arg; return 1;
	case KB_OPT_DISTRO: s->distro = arg; return 1;
	case KB_OPT_UPSTREAM: s->upstream = arg; return 1;
	case KB_OPT_ARCH: s->arch = arg; return 1;
	case KB_OPT_LATEST: s->latest = true; return 1;
	default: return 0;
	}
}

/* A shared option: 1 handled, 0 not a shared one, or -KB_EUSAGE (reported). */
static int kb_cli_shared(struct kb_cli *c, int opt, int argc, char **argv)
{
	int r;

	switch (opt) {
	case 'q':
	case 'v':
		return kb_cli_common_opt(opt);
	case KB_OPT_WORKDIR:
		c->workdir = optarg;
		return 1;
	case 'j':
		return kb_cli_int(c, "--jobs", optarg, 1, KB_CLI_JOBS_MAX, &c->jobs) ? -KB_EUSAGE : 1;
	case KB_OPT_DRY_RUN:
		c->dry_run = true;
		return 1;
	case KB_OPT_ALL:
		c->all = true;
		return 1;
	case KB_OPT_JSON:
		c->json = optarg;
		if (!c->json && optind < argc && (argv[optind][0] != '-' || !strcmp(argv[optind], "-")))
			c->json = argv[optind++];
		if (!c->json || !*c->json)
			c->json = "-";
		return 1;
	default:
		if ((c->takes & KB_CLI_SELECT) && c->sel && (r = kb_cli_select_opt(opt, optarg, c->sel)))
			return r;
		if (c->takes & KB_CLI_LIMITS)
			return kb_cli_limits_opt(&c->limits, opt, optarg);
		return 0;
	}
}

/* One line for a mistyped option (getopt's opterr is off), with the
 * nearest option the command takes, and where to read about them. */
static int kb_cli_bad_option(const struct kb_cli *c, int opt, const char *word)
{
	struct kb_strv names = { 0 };
	const char *near = NULL;
	char shortopt[3] = { '-', (char)optopt, 0 };
	const char *eq;

	if (optopt && strncmp(word, "--", 2))
		word = shortopt;	/* a short option: word may be a bundle (-qZ) */
	eq = strchr(word, '=');
	if (opt == ':') {
		fprintf(stderr, "kbundle %s: option '%s' needs a value; see kbundle %s -h\n", c->name,
			word, c->name);
		return KB_EXIT_USAGE;
	}
	if (!strncmp(word, "--", 2)) {
		char *bare = kb_xstrndup(word + 2, eq ? (size_t)(eq - word - 2) : strlen(word + 2));

		for (size_t i = 0; c->longopts[i].name; i++)
			kb_strv_push(&names, c->longopts[i].name);
		near = kb_suggest_nearest(bare, &names);
		free(bare);
	}
	if (near)
		fprintf(stderr, "kbundle %s: unknown option '%s'; did you mean --%s? see kbundle %s -h\n",
			c->name, word, near, c->name);
	else
		fprintf(stderr, "kbundle %s: unknown option '%s'; see kbundle %s -h\n", c->name, word,
			c->name);
	kb_strv_free(&names);
	return KB_EXIT_USAGE;
}

int kb_cli_next(struct kb_cli *c, int argc, char **argv, const struct option *own,
		const char *own_short)
{
	int opt, r;

	if (!c->started) {
		kb_cli_tables(c, own, own_short);
		if (kb_cli_config_apply(c)) {
			c->exit = KB_EXIT_USAGE;
			return KB_CLI_STOP;
		}
	}
	while ((opt = getopt_long(argc, argv, c->shortopts, c->longopts, NULL)) != -1) {
		if (opt == 'h') {
			c->usage(stdout);
			c->exit = KB_EXIT_OK;
			return KB_CLI_STOP;
		}
		if (opt == '?' || opt == ':') {
			c->exit = kb_cli_bad_option(c, opt, argv[optind - 1]);
			return KB_CLI_STOP;
		}
		r = kb_cli_shared(c, opt, argc, argv);
		if (r < 0) {
			c->exit = KB_EXIT_USAGE;
			return KB_CLI_STOP;
		}
		if (r == 0)
			return opt;
	}
	if (optind < argc && !(c->takes & KB_CLI_OPERANDS)) {
		c->exit = kb_cli_usage_error(c, true, "unexpected argument '%s'", argv[optind]);
		return KB_CLI_STOP;
	}
	if ((c->takes & KB_CLI_SELECT) && c->sel && !c->sel->shard.count &&
	    kb_shard_from_env(&c->sel->shard) != 0) {
		c->exit = KB_EXIT_USAGE;
		return KB_CLI_STOP;
	}
	return KB_CLI_END;
}

bool kb_cli_json_stdout(const struct kb_cli *c)
{
	return c->json && !strcmp(c->json, "-");
}

int kb_cli_json_write(const struct kb_cli *c, struct kb_json *j)
{
	size_t len;
	int err;
	char *text = kb_json_finish(j, &len, &err);

	if (!err)
		err = kb_file_write_output(c->json, text, len);
	if (err)
		kb_error("%s: %s", kb_cli_json_stdout(c) ? "stdout" : c->json, kb_strerror(err));
	free(text);
	return err;
}

bool kb_cli_unselected(const struct kb_cli *c)
{
	return !c->all && !(c->sel && kb_select_any(c->sel));
}

int kb_cli_refuse_all(const struct kb_cli *c, const char *what)
{
	fprintf(stderr, "kbundle %s: no selector given: this would %s.\n"
			"Add --all to go ahead, or choose with --upstream, --arch, --latest, --release "
			"or --id; --dry-run says what a run would do.\n", c->name, what);
	return KB_EXIT_USAGE;
}

int kb_cli_usage_error(const struct kb_cli *c, bool with_usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kbundle %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (with_usage)
		c->usage(stderr);
	return KB_EXIT_USAGE;
}

int kb_cli_int(const struct kb_cli *c, const char *opt, const char *arg, long min, long max,
	       int *out)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = arg && *arg ? strtol(arg, &end, 10) : 0;
	if (!arg || !*arg || *end || errno || v < min || v > max) {
		kb_cli_usage_error(c, false, "%s: want a number from %ld to %ld, not '%s'", opt, min,
				   max, arg ? arg : "");
		return -KB_EUSAGE;
	}
	*out = (int)v;
	return 0;
}

int kb_cli_date(const struct kb_cli *c, const char *arg)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strlen(arg) == 10 ? strptime(arg, "%Y-%m-%d", &tm) : NULL;
	if (!end || *end) {
		kb_cli_usage_error(c, false, "--date wants YYYY-MM-DD, not '%s'", arg);
		return -KB_EUSAGE;
	}
	return 0;
}

bool kb_cli_common_opt(int c)
{
	switch (c) {
	case 'q':
		kb_log_set_level(KB_LOG_ERROR);
		return true;
	case 'v':
		kb_log_set_level(kb_log_get_level() < KB_LOG_INFO ? KB_LOG_INFO : KB_LOG_DEBUG);
		return true;
	default:
		return false;
	}
}

int kb_cli_exit(int err)
{
	if (!err)
		return KB_EXIT_OK;
	if (err == -KB_EUSAGE)
		return KB_EXIT_USAGE;
	return KB_EXIT_FAIL;
}
