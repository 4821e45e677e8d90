/* cli.h — what the command files share: the command table's shape, exit
 * codes, and the options every command accepts. */
#ifndef KB_CLI_H
#define KB_CLI_H

#include <getopt.h>
#include <stdbool.h>

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

/* Options every command takes; put KB_CLI_COMMON_LONGOPTS in the long
 * options and "hqv" in the short ones, and hand unknown letters to
 * kb_cli_common_opt(), which returns true when it handled one. */
#define KB_CLI_COMMON_LONGOPTS                                   \
	{ "help", no_argument, NULL, 'h' },                      \
	{ "quiet", no_argument, NULL, 'q' },                     \
	{ "verbose", no_argument, NULL, 'v' }
bool kb_cli_common_opt(int c);

/* The manifest selectors that pack and vmtest share (manifest/select.h):
 * put KB_CLI_SELECT_LONGOPTS in the long options, KB_CLI_SELECT_HELP in the
 * usage, and hand unknown options to kb_cli_select_opt(). */
enum { KB_OPT_ID = 0x1000, KB_OPT_RELEASE, KB_OPT_DISTRO, KB_OPT_UPSTREAM, KB_OPT_ARCH,
       KB_OPT_LATEST };
#define KB_CLI_SELECT_LONGOPTS                                   \
	{ "id", required_argument, NULL, KB_OPT_ID },            \
	{ "release", required_argument, NULL, KB_OPT_RELEASE },  \
	{ "distro", required_argument, NULL, KB_OPT_DISTRO },    \
	{ "upstream", required_argument, NULL, KB_OPT_UPSTREAM }, \
	{ "arch", required_argument, NULL, KB_OPT_ARCH },        \
	{ "latest", no_argument, NULL, KB_OPT_LATEST }
#define KB_CLI_SELECT_HELP                                                            \
	"  --id ID           only the bundle with this id (a prefix will do)\n"           \
	"  --release REGEX   only kernels whose uname -r matches (POSIX ERE)\n"            \
	"  --distro NAME     only this distro's bundles\n"                                 \
	"  --upstream NAME   only bundles from upstreams/NAME.yml\n"                        \
	"  --arch ARCH       only this architecture (amd64, arm64, x86_64…)\n"             \
	"  --latest          of those, only the newest of each upstream, architecture\n"   \
	"                    and flavour (amd64, cloud-amd64, rt-amd64, generic…)\n"
struct kb_select;
bool kb_cli_select_opt(int c, const char *arg, struct kb_select *s);

/* Map an error (0 or negative) to an exit code. */
int kb_cli_exit(int err);

/* The default work directory (.kbundle) unless --workdir was given. */
#define KB_DEFAULT_WORKDIR ".kbundle"

/* One declaration per command file (cli/cmd_<name>.c). */
int kb_cmd_crawl(int argc, char **argv);
int kb_cmd_manifest(int argc, char **argv);
int kb_cmd_update(int argc, char **argv);
int kb_cmd_pack(int argc, char **argv);
int kb_cmd_cache(int argc, char **argv);
int kb_cmd_publish(int argc, char **argv);
int kb_cmd_fetch(int argc, char **argv);
int kb_cmd_vmtest(int argc, char **argv);
int kb_cmd_build(int argc, char **argv);
int kb_cmd_toolchain(int argc, char **argv);

#endif
