/* cli.h — what the command files share: the command table's shape, exit
 * codes, and one option parser for the options several commands take
 * (cli/options.c), so each is spelt and checked the same everywhere. */
#ifndef KB_CLI_H
#define KB_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/json.h"
#include "lib/limits.h"

/* Exit codes, documented in the README and in `kbundle --help`. */
enum kb_exit {
	KB_EXIT_OK = 0,		/* everything asked for was done */
	KB_EXIT_FAIL = 1,	/* something failed (reported on stderr) */
	KB_EXIT_USAGE = 2,	/* bad arguments or configuration */
	KB_EXIT_PARTIAL = 3,	/* some upstreams failed, the rest were updated */
};

struct kb_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;	/* one line for `kbundle --help` */
};

/* The default work directory (.kbundle) unless --workdir was given. */
#define KB_DEFAULT_WORKDIR ".kbundle"
/* -j/--jobs N takes 1 to this many. */
#define KB_CLI_JOBS_MAX 256

/* The shared options a command takes (struct kb_cli.takes). -h/--help,
 * -q/--quiet and -v/--verbose are always taken. */
enum {
	KB_CLI_WORKDIR = 1 << 0,	/* --workdir DIR */
	KB_CLI_LIMITS = 1 << 1,		/* --max-index-size SIZE … (cli/limits_opt.h) */
	KB_CLI_JOBS = 1 << 2,		/* -j, --jobs N (1..KB_CLI_JOBS_MAX) */
	KB_CLI_JSON = 1 << 3,		/* --json FILE|- ('-', or no FILE: stdout) */
	KB_CLI_SELECT = 1 << 4,		/* --id --release --distro --upstream --arch --latest --shard */
	KB_CLI_OPERANDS = 1 << 5,	/* words after the options (else: a usage error) */
	KB_CLI_DRY_RUN = 1 << 6,	/* --dry-run: say what would be done, write nothing */
	KB_CLI_ALL = 1 << 7,		/* --all: go ahead with no selector (KB_CLI_SELECT) */
};

/* Option codes of the shared options, above any character. */
enum { KB_OPT_ID = 0x1000, KB_OPT_RELEASE, KB_OPT_DISTRO, KB_OPT_UPSTREAM, KB_OPT_ARCH,
       KB_OPT_LATEST, KB_OPT_SHARD, KB_OPT_WORKDIR, KB_OPT_JSON, KB_OPT_DRY_RUN, KB_OPT_ALL };

#define KB_CLI_SELECT_HELP                                                            \
	"  --id ID           only the bundle with this id (a prefix will do)\n"           \
	"  --release REGEX   only kernels whose uname -r matches (POSIX ERE)\n"            \
	"  --distro NAME     only this distro's bundles\n"                                 \
	"  --upstream NAME   only bundles from upstreams/NAME.yml\n"                        \
	"  --arch ARCH       only this architecture (amd64, arm64, x86_64…)\n"             \
	"  --latest          of those, only the newest of each upstream, architecture\n"   \
	"                    and flavour (amd64, cloud-amd64, rt-amd64, generic…)\n"   \
	"  --shard I/N       of those, only the I-th of N shards (stable, cost-balanced;\n"\
	"                    also KBUNDLE_SHARD=I/N, or JOB_COMPLETION_INDEX with\n"       \
	"                    KBUNDLE_SHARDS=N in a Kubernetes Indexed Job)\n"

struct kb_select;
struct kb_config;

#define KB_CLI_MAX_OPTS 64

/* One command's option parsing. kb_cli_init() fills the defaults; a command
 * may change them (jobs, workdir) before the first kb_cli_next(). */
struct kb_cli {
	const char *name;		/* the command: messages say "kbundle NAME: …" */
	void (*usage)(FILE *f);		/* its --help text */
	unsigned takes;			/* KB_CLI_* */
	/* What the shared options set. */
	const char *workdir;		/* KB_DEFAULT_WORKDIR */
	int jobs;			/* 0 unless the command sets a default */
	const char *json;		/* NULL: not asked for; "-": stdout */
	bool dry_run;			/* --dry-run */
	bool all;			/* --all */
	struct kb_limits limits;	/* kb_limits_default, changed by --max-* */
	struct kb_select *sel;		/* KB_CLI_SELECT: where the selectors go */
	/* The config file's settings (lib/config.h), read once per process at
	 * the first kb_cli_next(); its workdir and jobs are already the
	 * defaults then, and the command line wins over them. */
	const struct kb_config *config;
	int exit;			/* after KB_CLI_STOP: what the command returns */
	/* getopt's tables: the command's own options, then the shared ones */
	struct option longopts[KB_CLI_MAX_OPTS];
	char shortopts[48];
	bool started;
};

enum { KB_CLI_END = -1, KB_CLI_STOP = -2 };

void kb_cli_init(struct kb_cli *c, const char *name, void (*usage)(FILE *f), unsigned takes);
/* The next of the command's own options (own: NULL-terminated, own_short:
 * getopt letters, "" for none), handling the shared ones itself. Returns
 * the option's code; KB_CLI_END when the options are over (operands start
 * at optind); KB_CLI_STOP when the command must return c->exit: after
 * --help (0), or a usage error it reported (2). */
int kb_cli_next(struct kb_cli *c, int argc, char **argv, const struct option *own,
		const char *own_short);
/* Report a usage error ("kbundle NAME: …" on stderr; with_usage: then the
 * usage) and return KB_EXIT_USAGE. */
int kb_cli_usage_error(const struct kb_cli *c, bool with_usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An integer option's value, min..max: 0, or -KB_EUSAGE after a message
 * naming the option (opt, e.g. "--timeout") and the value. */
int kb_cli_int(const struct kb_cli *c, const char *opt, const char *arg, long min, long max,
	       int *out);

/* A --date value: YYYY-MM-DD, a real day. 0, or -KB_EUSAGE after a message. */
int kb_cli_date(const struct kb_cli *c, const char *arg);

/* Is stdout the JSON document's (--json -)? Then what a command prints for
 * people goes to stderr, or is left out. */
bool kb_cli_json_stdout(const struct kb_cli *c);
/* Finish j and write it where --json said (FILE atomically, or stdout);
 * an error is reported naming the file. 0 or negative. j is finished. */
int kb_cli_json_write(const struct kb_cli *c, struct kb_json *j);

/* The --all guard of a command that works on every manifest entry unless
 * told otherwise: kb_cli_unselected() is true with no selector (nor a
 * shard) and no --all; the command then previews instead, and
 * kb_cli_refuse_all() says what it would have done (what: "pack 113
 * bundles, …") and how to go ahead, and returns KB_EXIT_USAGE. */
bool kb_cli_unselected(const struct kb_cli *c);
int kb_cli_refuse_all(const struct kb_cli *c, const char *what);

/* The top-level -q/-v (main.c): true when c was one of them. */
bool kb_cli_common_opt(int c);

/* Map an error (0 or negative) to an exit code. */
int kb_cli_exit(int err);

/* One declaration per command file (cli/cmd_<name>.c). */
int kb_cmd_crawl(int argc, char **argv);
int kb_cmd_manifest(int argc, char **argv);
int kb_cmd_update(int argc, char **argv);
int kb_cmd_plan(int argc, char **argv);
int kb_cmd_report(int argc, char **argv);
int kb_cmd_pack(int argc, char **argv);
int kb_cmd_cache(int argc, char **argv);
int kb_cmd_key(int argc, char **argv);
int kb_cmd_publish(int argc, char **argv);
int kb_cmd_fetch(int argc, char **argv);
int kb_cmd_vmtest(int argc, char **argv);
int kb_cmd_build(int argc, char **argv);
int kb_cmd_toolchain(int argc, char **argv);
int kb_cmd_btf(int argc, char **argv);

#endif
