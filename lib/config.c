/* config.c — kbundle's config file (config.h), read through lib/yaml_doc. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "lib/suggest.h"
#include "lib/yaml_doc.h"

#define KB_CONFIG_MAX_BYTES (64 << 10)
#define KB_CONFIG_SYSTEM "/etc/kbundle/config.yml"

/* A scalar value or an error naming the line; out is malloc'd. */
static int kb_config_str(const char *path, const struct kb_ynode *key, const struct kb_ynode *v,
			 char **out)
{
	if (v->type != KB_Y_SCALAR || !v->scalar[0]) {
		kb_error("%s:%d: %s wants a value (a path or URL)", path, v->line, key->scalar);
		return -KB_EPARSE;
	}
	free(*out);
	*out = kb_xstrdup(v->scalar);
	return 0;
}

static int kb_config_keys(const char *path, const struct kb_ynode *v, struct kb_config *c)
{
	char *dir = kb_xstrdup(path), *slash = strrchr(dir, '/');

	if (slash)
		*slash = '\0';
	if (v->type != KB_Y_SEQ) {
		kb_error("%s:%d: trusted_keys wants a list: [FILE.pub, ...]", path, v->line);
		free(dir);
		return -KB_EPARSE;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct kb_ynode *k = v->items[i];
		char *p;

		if (k->type != KB_Y_SCALAR || !k->scalar[0]) {
			kb_error("%s:%d: a trusted key is not a file name", path, k->line);
			free(dir);
			return -KB_EPARSE;
		}
		p = k->scalar[0] == '/' || !slash ? kb_xstrdup(k->scalar) : kb_path_join(dir, k->scalar);
		kb_strv_push(&c->trusted_keys, p);
		free(p);
	}
	free(dir);
	return 0;
}

static int kb_config_jobs(const char *path, const struct kb_ynode *v, struct kb_config *c)
{
	char *end = NULL;
	long n = v->type == KB_Y_SCALAR ? strtol(v->scalar, &end, 10) : 0;

	if (v->type != KB_Y_SCALAR || !v->scalar[0] || *end || n < 1 || n > 256) {
		kb_error("%s:%d: jobs wants a number from 1 to 256", path, v->line);
		return -KB_EPARSE;
	}
	c->jobs = (int)n;
	return 0;
}

/* "path:line: unknown setting 'wrkdir'; did you mean workdir? valid: …" */
static int kb_config_unknown(const char *path, int line, const char *name)
{
	static const char *const known[] = { "jobs", "store", "trusted_keys", "workdir" };
	struct kb_strv names = { 0 };
	char *hint;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		kb_strv_push(&names, known[i]);
	hint = kb_suggest_text(name, &names);
	kb_error("%s:%d: unknown setting '%s'; %s", path, line, kb_log_esc(name), hint);
	free(hint);
	kb_strv_free(&names);
	return -KB_EPARSE;
}

int kb_config_load(const char *path, struct kb_config *c)
{
	const struct kb_yaml_limits lim = { .max_depth = 4, .max_nodes = 4096 };
	struct kb_ynode *root = NULL;
	char *buf = NULL;
	size_t len;
	int err;

	memset(c, 0, sizeof(*c));
	err = kb_file_read(path, KB_CONFIG_MAX_BYTES, &buf, &len);
	if (err == -ENOENT)
		return err;
	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
		return -KB_EPARSE;
	}
	c->path = kb_xstrdup(path);
	err = len ? kb_yaml_parse(buf, len, path, &lim, &root) : 0;
	if (err) {
		err = -KB_EPARSE;
		goto out;
	}
	if (root && root->type != KB_Y_MAP) {
		kb_error("%s:%d: want a map of settings (workdir, store, trusted_keys, jobs)", path,
			 root->line);
		err = -KB_EPARSE;
		goto out;
	}
	for (size_t i = 0; root && i + 1 < root->n && !err; i += 2) {
		const struct kb_ynode *k = root->items[i], *v = root->items[i + 1];
		const char *name = k->type == KB_Y_SCALAR ? k->scalar : "";

		if (!strcmp(name, "workdir"))
			err = kb_config_str(path, k, v, &c->workdir);
		else if (!strcmp(name, "store"))
			err = kb_config_str(path, k, v, &c->store);
		else if (!strcmp(name, "trusted_keys"))
			err = kb_config_keys(path, v, c);
		else if (!strcmp(name, "jobs"))
			err = kb_config_jobs(path, v, c);
		else
			err = kb_config_unknown(path, k->line, name);
	}
out:
	kb_yaml_free(root);
	free(buf);
	if (err)
		kb_config_free(c);
	return err;
}

int kb_config_load_default(struct kb_config *c)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *user = xdg && xdg[0] == '/' ? kb_path_join(xdg, "kbundle/config.yml")
		     : home && home[0] == '/' ? kb_path_join(home, ".config/kbundle/config.yml")
					      : NULL;
	int err = user ? kb_config_load(user, c) : -ENOENT;

	free(user);
	if (err == -ENOENT)
		err = kb_config_load(KB_CONFIG_SYSTEM, c);
	if (err == -ENOENT) {
		memset(c, 0, sizeof(*c));
		err = 0;
	}
	return err;
}

void kb_config_free(struct kb_config *c)
{
	free(c->path);
	free(c->workdir);
	free(c->store);
	kb_strv_free(&c->trusted_keys);
	memset(c, 0, sizeof(*c));
}
