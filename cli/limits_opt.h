/* limits_opt.h — the resource-limit flags, shared by every command that
 * parses outside data (crawl, manifest, pack, fetch, vmtest, update):
 *
 *   --max-index-size SIZE     one index or metadata file, as fetched or read
 *   --max-unpacked-size SIZE  one decompressed index or unpacked archive
 *   --max-ratio N             unpacked : packed
 *   --max-entries N           entries in one archive
 *   --max-path N              bytes of an archive entry's path
 *   --max-yaml-depth N        nesting of upstream files and manifest.yml
 *   --max-line N              bytes of one line of a text index
 *   --max-yaml-nodes N        nodes of upstream files and manifest.yml
 *   --max-time SECONDS        each download attempt's deadline
 *   --speed-limit BYTES       give an attempt up when slower than this…
 *   --speed-time SECONDS      …for this long
 *
 * SIZE takes a K, M or G suffix (powers of 1024). A command takes them with
 * KB_CLI_LIMITS (cli/cli.h), whose parser hands them to kb_cli_limits_opt(),
 * and prints kb_cli_limits_usage() in its --help. The limits travel from
 * there to the core in the command's options (a const struct kb_limits *). */
#ifndef KB_CLI_LIMITS_OPT_H
#define KB_CLI_LIMITS_OPT_H

#include <getopt.h>
#include <stdio.h>

enum {	/* option codes above any character */
	KB_OPT_MAX_INDEX_SIZE = 0x4b00,
	KB_OPT_MAX_UNPACKED_SIZE,
	KB_OPT_MAX_RATIO,
	KB_OPT_MAX_ENTRIES,
	KB_OPT_MAX_PATH,
	KB_OPT_MAX_YAML_DEPTH,
	KB_OPT_MAX_LINE,
	KB_OPT_MAX_YAML_NODES,
	KB_OPT_MAX_TIME,
	KB_OPT_SPEED_LIMIT,
	KB_OPT_SPEED_TIME,
};

#define KB_LIMITS_LONGOPTS                                                        \
	{ "max-index-size", required_argument, NULL, KB_OPT_MAX_INDEX_SIZE },       \
	{ "max-unpacked-size", required_argument, NULL, KB_OPT_MAX_UNPACKED_SIZE }, \
	{ "max-ratio", required_argument, NULL, KB_OPT_MAX_RATIO },                 \
	{ "max-entries", required_argument, NULL, KB_OPT_MAX_ENTRIES },             \
	{ "max-path", required_argument, NULL, KB_OPT_MAX_PATH },                   \
	{ "max-yaml-depth", required_argument, NULL, KB_OPT_MAX_YAML_DEPTH },       \
	{ "max-line", required_argument, NULL, KB_OPT_MAX_LINE },                   \
	{ "max-yaml-nodes", required_argument, NULL, KB_OPT_MAX_YAML_NODES },       \
	{ "max-time", required_argument, NULL, KB_OPT_MAX_TIME },                   \
	{ "speed-limit", required_argument, NULL, KB_OPT_SPEED_LIMIT },             \
	{ "speed-time", required_argument, NULL, KB_OPT_SPEED_TIME }

/* Apply one limit option to l. Returns 1 when c was a limit option, 0 when
 * it is not one, -KB_EUSAGE (after a message naming the flag) when its
 * value is not a positive number. */
struct kb_limits;
int kb_cli_limits_opt(struct kb_limits *l, int c, const char *arg);
/* The flags and their defaults, for a command's --help. */
void kb_cli_limits_usage(FILE *f);

#endif
