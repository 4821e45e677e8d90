/* crawl_state.c — what a crawl keeps between runs so that it costs what
 * changed even against a server that sends no HTTP validators (crawl.h):
 *
 *   WORKDIR/state/crawl/<upstream>/heads
 *       the validator key (tag) of the list on disk, then the sha256 of each
 *       signed head (InRelease, repomd.xml) that list was made from, one a
 *       line, in the family's order. A head that comes back byte-identical
 *       under the same tag is as good as a 304.
 *   WORKDIR/state/crawl/<upstream>/index/<key>.list
 *       the kernel packages one verified index gave (a pkglist), keyed by
 *       the index's signed sha256, the kbundle version, the upstream file and
 *       what else its parse depends on: an index whose signed sha256 is the
 *       same is neither fetched nor parsed again.
 *
 * Every file is written atomically; a missing or unreadable one only costs
 * a download. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crawler/crawl.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"

#define KB_HEADS_MAX (1u << 20)

void kb_crawl_state_init(struct kb_crawl_job *j, size_t nheads)
{
	char *conf = NULL, *text, *heads, *line, *next;
	size_t len = 0, k = 0;

	j->state_crawl = kb_xasprintf("%s/crawl/%s", j->state_dir, j->u->name);
	if (kb_file_read(j->u->path, 1u << 20, &conf, &len))
		conf = kb_xstrdup("?");
	text = kb_xasprintf("kbundle-crawl-index 1\n%s\n%s", KB_VERSION, conf);
	kb_sha256_buf(text, strlen(text), j->conf_sha);
	free(text);
	free(conf);
	j->nheads = nheads;
	j->head = kb_xcalloc(nheads ? nheads : 1, sizeof(*j->head));
	j->prev_head = kb_xcalloc(nheads ? nheads : 1, sizeof(*j->prev_head));
	heads = kb_path_join(j->state_crawl, "heads");
	conf = NULL;
	if (kb_file_read(heads, KB_HEADS_MAX, &conf, &len))
		goto out;
	/* the first line is the tag: other heads vouch for another list */
	line = conf;
	next = strchr(line, '\n');
	if (!next || (size_t)(next - line) != strlen(j->tag) || strncmp(line, j->tag, next - line))
		goto out;
	for (line = next + 1; (next = strchr(line, '\n')) && k < nheads; line = next + 1, k++) {
		*next = '\0';
		if (!strcmp(line, "-"))	/* not known */
			continue;
		if (!kb_sha256_valid(line))
			break;
		memcpy(j->prev_head[k], line, KB_SHA256_HEX_LEN + 1);
	}
	if (k != nheads || *line)	/* another number of heads: another upstream file */
		memset(j->prev_head, 0, nheads * sizeof(*j->prev_head));
out:
	free(conf);
	free(heads);
}

void kb_crawl_state_free(struct kb_crawl_job *j)
{
	for (size_t i = 0; i < j->nkeys; i++)
		free(j->keys[i]);
	free(j->keys);
	free(j->head);
	free(j->prev_head);
	free(j->state_crawl);
}

bool kb_crawl_head_same(struct kb_crawl_job *j, size_t i, const char *path)
{
	if (kb_sha256_file(path, j->head[i], NULL)) {
		j->head[i][0] = '\0';
		return false;
	}
	return j->prev_head[i][0] && !strcmp(j->head[i], j->prev_head[i]);
}

void kb_crawl_head_keep(struct kb_crawl_job *j, size_t i)
{
	memcpy(j->head[i], j->prev_head[i], sizeof(j->head[i]));
}

static char *kb_crawl_index_path(const struct kb_crawl_job *j, const char *key)
{
	return kb_xasprintf("%s/index/%s.list", j->state_crawl, key);
}

static void kb_crawl_key_use(struct kb_crawl_job *j, const char *key)
{
	j->keys = kb_xrealloc(j->keys, (j->nkeys + 1) * sizeof(*j->keys));
	j->keys[j->nkeys++] = kb_xstrdup(key);
}

void kb_crawl_index_key(const struct kb_crawl_job *j, const char *sha256, const char *extra,
			char key[KB_SHA256_HEX_LEN + 1])
{
	char *text = kb_xasprintf("%s\n%s\n%s", j->conf_sha, sha256, extra);

	kb_sha256_buf(text, strlen(text), key);
	free(text);
}

bool kb_crawl_index_get(struct kb_crawl_job *j, const char *key, struct kb_pkglist *l)
{
	char *path = kb_crawl_index_path(j, key);
	struct stat st;
	bool hit = false;

	/* kb_pkglist_read takes a missing file for an empty list */
	if (!stat(path, &st) && S_ISREG(st.st_mode)) {
		hit = !kb_pkglist_read(path, l);
		if (!hit)
			kb_warn("%s: unreadable; fetching that index again", path);
	}
	if (hit)
		kb_crawl_key_use(j, key);
	free(path);
	return hit;
}

void kb_crawl_index_put(struct kb_crawl_job *j, const char *key, struct kb_pkglist *l)
{
	char *path = kb_crawl_index_path(j, key), *dir = kb_path_join(j->state_crawl, "index");
	int err = kb_mkdir_p(dir, 0755);

	/* the dates are the merge's business (kb_pkglist_merge sets them) */
	for (size_t i = 0; i < l->n; i++) {
		snprintf(l->v[i].first_seen, sizeof(l->v[i].first_seen), "%s", j->o->date);
		snprintf(l->v[i].last_seen, sizeof(l->v[i].last_seen), "%s", j->o->date);
	}
	if (!err)
		err = kb_pkglist_write(path, l);
	if (err)
		kb_warn("%s: not kept (%s): the next crawl parses that index again", path,
			kb_strerror(err));
	else
		kb_crawl_key_use(j, key);
	free(dir);
	free(path);
}

/* Drop the indexes this crawl did not use: they describe another day. */
static void kb_crawl_index_prune(struct kb_crawl_job *j)
{
	char *dir = kb_path_join(j->state_crawl, "index");
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		bool used = false;
		char *path;

		if (n != KB_SHA256_HEX_LEN + 5 || strcmp(e->d_name + KB_SHA256_HEX_LEN, ".list"))
			continue;
		for (size_t i = 0; i < j->nkeys && !used; i++)
			used = !strncmp(e->d_name, j->keys[i], KB_SHA256_HEX_LEN);
		if (used)
			continue;
		path = kb_path_join(dir, e->d_name);
		unlink(path);
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
}

int kb_crawl_state_commit(struct kb_crawl_job *j, const char *new_tag)
{
	struct kb_atomic_file af;
	char *heads = kb_path_join(j->state_crawl, "heads");
	int err = kb_mkdir_p(j->state_crawl, 0755);

	if (!err)
		err = kb_atomic_open(&af, heads);
	if (!err) {
		kb_atomic_printf(&af, "%s\n", new_tag);
		for (size_t i = 0; i < j->nheads; i++)
			kb_atomic_printf(&af, "%s\n", j->head[i][0] ? j->head[i] : "-");
		err = kb_atomic_commit(&af);
	}
	if (!err && j->nkeys)	/* the indexes were read this time */
		kb_crawl_index_prune(j);
	free(heads);
	return err;
}
