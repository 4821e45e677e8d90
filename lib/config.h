/* config.h — the settings people make once, in
 * $XDG_CONFIG_HOME/kbundle/config.yml (or ~/.config/kbundle/config.yml),
 * else /etc/kbundle/config.yml: the first that exists is read, whole. The
 * command line wins over every one of them.
 *
 *   workdir: /srv/kbundle          # --workdir
 *   store: https://example/kb      # fetch --from, publish --to
 *   trusted_keys: [store.pub]      # fetch --key (relative: to this file)
 *   jobs: 4                        # -j/--jobs
 */
#ifndef KB_LIB_CONFIG_H
#define KB_LIB_CONFIG_H

#include "lib/strv.h"

struct kb_config {
	char *path;		/* the file read, or NULL: none exists */
	char *workdir;		/* NULL: not set */
	char *store;
	struct kb_strv trusted_keys;
	int jobs;		/* 0: not set; else 1..256 */
};

/* Read path into c. 0; -ENOENT (nothing logged) when it does not exist;
 * -KB_EPARSE with "path:line: what is wrong" logged for a bad file
 * (unknown key, wrong type, jobs out of range). */
int kb_config_load(const char *path, struct kb_config *c);
/* The first of the user's and the system's files that exists, or an empty
 * c when neither does. 0 or -KB_EPARSE. */
int kb_config_load_default(struct kb_config *c);
void kb_config_free(struct kb_config *c);

#endif
