/* dkms.h — dkms.conf, read without running it. dkms sources the file with
 * bash; kbundle accepts only what such files really hold — assignments
 * NAME=VALUE and NAME[N]=VALUE, VALUE made of "double-quoted",
 * 'single-quoted' and bare words with $NAME / ${NAME} references, comments
 * and blank lines — and refuses anything that would run a command
 * ($(…), `…`, ;, |, &, redirections, functions, conditionals). Variables
 * are expanded when a value is used, with dkms's own ($kernelver,
 * $kernel_source_dir, $dkms_tree, …) supplied by the caller. One shell
 * construct is tolerated: an if…fi block that only sets BUILD_EXCLUSIVE_*
 * (a guard against kernels without a feature); it is skipped, not run. */
#ifndef KB_VM_DKMS_H
#define KB_VM_DKMS_H

#include <stddef.h>

/* One assignment; NAME="x" is NAME[0]="x", as in bash. value keeps
 * references as $NAME and a literal dollar as $$. */
struct kb_dkms_var {
	char *name;
	unsigned index;
	char *value;
};

struct kb_dkms_conf {
	struct kb_dkms_var *v;
	size_t n;
};

/* Parse buf (the file's bytes; name for messages). -KB_EPARSE with
 * name:line and the reason logged; -KB_ELIMIT beyond 64 KiB, 1024
 * assignments or index 255. */
int kb_dkms_conf_parse(const char *buf, size_t len, const char *name, struct kb_dkms_conf *c);
int kb_dkms_conf_load(const char *path, struct kb_dkms_conf *c);
void kb_dkms_conf_free(struct kb_dkms_conf *c);

/* The template of NAME[index] (the last assignment wins), or NULL. */
const char *kb_dkms_get(const struct kb_dkms_conf *c, const char *name, unsigned index);
/* 1 + the highest index assigned to NAME (0: never assigned). */
unsigned kb_dkms_count(const struct kb_dkms_conf *c, const char *name);

/* Expand a template: $NAME from env (NAME=VALUE strings, NULL-ended)
 * first, then the file's own scalars (expanded in turn, at most 8 deep).
 * -KB_EPARSE (logged, naming the variable and name) for an unknown
 * variable: kbundle does not guess what dkms would have set. */
int kb_dkms_expand(const struct kb_dkms_conf *c, const char *tmpl, const char *const *env,
		   const char *name, char **out);

/* Split an expanded command into words (whitespace; '…' and "…" group and
 * are removed). -KB_EPARSE for shell syntax a command line cannot carry
 * without a shell: ; | & < > ( ) ` $ and unbalanced quotes. */
int kb_dkms_split(const char *cmd, const char *name, char ***argv, size_t *argc);

#endif
