/* kmods.c — the kernel's own modules: index, lookup, extraction. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/strview.h"
#include "vm/kernel.h"
#include "vm/kmods.h"
#include "vm/modinfo.h"

#define KB_VM_KMOD_MAX (64u << 20)		/* the largest in-tree .ko is ~20 MiB */
#define KB_VM_KMODS_INDEX_MAX (16u << 20)	/* ~6,000 modules, ~100 bytes each */
#define KB_VM_KMODS_FORMAT "#kbundle-kmods 2"

static const char *const kb_vm_ko_suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

static size_t kb_vm_ko_suffix(const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < sizeof(kb_vm_ko_suffixes) / sizeof(kb_vm_ko_suffixes[0]); i++) {
		size_t k = strlen(kb_vm_ko_suffixes[i]);

		if (n > k && !strcmp(s + n - k, kb_vm_ko_suffixes[i]))
			return k;
	}
	return 0;
}

char *kb_vm_kmod_name(const char *file)
{
	const char *b = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	size_t k = kb_vm_ko_suffix(b);
	char *n = k ? kb_xstrndup(b, strlen(b) - k) : kb_xstrdup(b);

	for (char *p = n; *p; p++)
		if (*p == '-')
			*p = '_';
	return n;
}

char *kb_vm_kmod_member(enum kb_family family, const char *path, const char *release)
{
	const char *rest = kb_vm_family(family)->module_member(path, release), *b;
	char *n;

	if (!rest)
		return NULL;
	b = strrchr(rest, '/') ? strrchr(rest, '/') + 1 : rest;
	if (!kb_vm_ko_suffix(b) || !strncmp(rest, "../", 3) || strstr(rest, "/../"))
		return NULL;
	n = kb_vm_kmod_name(b);
	if (!kb_vm_kmod_name_ok(n)) {
		kb_warn("%s: not a plausible module name, ignored", path);
		free(n);
		n = NULL;
	}
	return n;
}

void kb_vm_kmod_deps_parse(const char *val, char ***deps, size_t *n)
{
	struct kb_str s = kb_str_c(val), d;

	*deps = NULL;
	*n = 0;
	while (s.n) {
		kb_str_split(&s, ',', &d);
		d = kb_str_trim(d);
		if (!d.n)
			continue;
		char *name = kb_xstrndup(d.p, d.n);

		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		*deps = kb_xrealloc(*deps, (*n + 1) * sizeof(**deps));
		(*deps)[(*n)++] = name;
	}
}

bool kb_vm_kmod_name_ok(const char *n)
{
	if (!n[0] || strlen(n) > 255)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '_'))
			return false;
	return true;
}

static int kb_vm_kmod_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kb_vm_kmod *)a)->name, ((const struct kb_vm_kmod *)b)->name);
}

const struct kb_vm_kmod *kb_vm_kmods_find(const struct kb_vm_kmods *m, const char *name)
{
	struct kb_vm_kmod key = { .name = (char *)name };

	return m->n ? bsearch(&key, m->v, m->n, sizeof(*m->v), kb_vm_kmod_cmp) : NULL;
}

static void kb_vm_kmod_free(struct kb_vm_kmod *k)
{
	free(k->name);
	free(k->path);
	for (size_t i = 0; i < k->ndeps; i++)
		free(k->deps[i]);
	free(k->deps);
}

void kb_vm_kmods_free(struct kb_vm_kmods *m)
{
	for (size_t i = 0; i < m->n; i++)
		kb_vm_kmod_free(&m->v[i]);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static void kb_vm_kmods_add(struct kb_vm_kmods *m, char *name, char *path, const char *deps)
{
	struct kb_vm_kmod *k;

	m->v = kb_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	k = &m->v[m->n++];
	k->name = name;
	k->path = path;
	kb_vm_kmod_deps_parse(deps ? deps : "", &k->deps, &k->ndeps);
}

/* Sort, and keep the first of duplicate names (a package may ship one
 * module twice, e.g. in updates/). */
static void kb_vm_kmods_sort(struct kb_vm_kmods *m)
{
	size_t o = 0;

	qsort(m->v, m->n, sizeof(*m->v), kb_vm_kmod_cmp);
	for (size_t i = 0; i < m->n; i++) {
		if (o && !strcmp(m->v[o - 1].name, m->v[i].name)) {
			kb_vm_kmod_free(&m->v[i]);
			continue;
		}
		m->v[o++] = m->v[i];
	}
	m->n = o;
}

int kb_vm_kmods_parse(const char *buf, size_t len, const char *name, struct kb_vm_kmods *out)
{
	struct kb_str s = kb_str(buf, len), l, f[3];
	int line = 0;

	memset(out, 0, sizeof(*out));
	while (s.n) {
		kb_str_split(&s, '\n', &l);
		line++;
		if (!l.n || l.p[0] == '#')
			continue;
		for (int i = 0; i < 3; i++)
			kb_str_split(&l, '\t', &f[i]);
		char *mod = kb_xstrndup(f[0].p, f[0].n);

		if (!kb_vm_kmod_name_ok(mod) || !f[1].n || l.n || memchr(f[1].p, '\0', f[1].n) ||
		    memchr(f[2].p, '\0', f[2].n)) {
			kb_error("%s:%d: want name TAB member TAB depends", name, line);
			free(mod);
			kb_vm_kmods_free(out);
			return -KB_EPARSE;
		}
		char *deps = kb_xstrndup(f[2].p, f[2].n);

		kb_vm_kmods_add(out, mod, kb_xstrndup(f[1].p, f[1].n), deps);
		free(deps);
	}
	kb_vm_kmods_sort(out);
	return 0;
}

/* One archive member into memory, decompressed when its name says so. */
static int kb_vm_kmod_read(struct archive *a, struct archive_entry *e, const char *pkg,
			   char **buf, size_t *len)
{
	const char *path = archive_entry_pathname(e);
	int64_t size = archive_entry_size(e);
	struct archive *raw = NULL;
	struct archive_entry *re;
	char *p = NULL, *d = NULL;
	size_t got = 0, cap;
	la_ssize_t n;
	int err = 0;

	if (archive_entry_filetype(e) != AE_IFREG || size <= 0 || (uint64_t)size > KB_VM_KMOD_MAX) {
		kb_error("%s: %s: not a regular file of a plausible size", pkg, path);
		return -KB_EUNSAFE;
	}
	p = kb_xmalloc((size_t)size);
	while (got < (size_t)size && (n = archive_read_data(a, p + got, (size_t)size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)size) {
		kb_error("%s: %s: truncated", pkg, path);
		err = -KB_EPARSE;
		goto out;
	}
	if (!strcmp(path + strlen(path) - 3, ".ko")) {
		*buf = p;
		*len = got;
		p = NULL;
		goto out;
	}
	raw = archive_read_new();
	archive_read_support_filter_all(raw);
	archive_read_support_format_raw(raw);
	if (archive_read_open_memory(raw, p, got) != ARCHIVE_OK ||
	    archive_read_next_header(raw, &re) != ARCHIVE_OK) {
		kb_error("%s: %s: %s", pkg, path, archive_error_string(raw) ?: "not compressed");
		err = -KB_EPARSE;
		goto out;
	}
	cap = 1 << 20;
	d = kb_xmalloc(cap);
	got = 0;
	while ((n = archive_read_data(raw, d + got, cap - got)) > 0) {
		got += (size_t)n;
		if (got == cap) {
			if (cap >= KB_VM_KMOD_MAX) {
				kb_error("%s: %s: decompresses to more than %u MiB", pkg, path,
					 KB_VM_KMOD_MAX >> 20);
				err = -KB_ELIMIT;
				goto out;
			}
			cap *= 2;
			d = kb_xrealloc(d, cap);
		}
	}
	if (n < 0) {
		kb_error("%s: %s: %s", pkg, path, archive_error_string(raw));
		err = -KB_EPARSE;
		goto out;
	}
	*buf = d;
	*len = got;
	d = NULL;
out:
	if (raw)
		archive_read_free(raw);
	free(p);
	free(d);
	return err;
}

/* Call fn on every module member of release in pkg. fn returns 0 to go on,
 * 1 to stop, or an error. */
typedef int (*kb_vm_kmod_fn)(void *ctx, struct archive *a, struct archive_entry *e,
			     const char *pkg, char *name);

static int kb_vm_kmods_walk(enum kb_family family, const char *pkg, const char *release,
			    kb_vm_kmod_fn fn, void *ctx)
{
	const struct kb_vm_family *fam = kb_vm_family(family);
	struct archive_entry *e;
	struct archive *a = NULL;
	void *h = NULL;
	int err = fam->open(pkg, &h, &a), rc = ARCHIVE_OK;

	while (!err && (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char *name = kb_vm_kmod_member(family, archive_entry_pathname(e), release);

		if (name && archive_entry_filetype(e) == AE_IFREG)
			err = fn(ctx, a, e, pkg, name);	/* takes name */
		else
			free(name);
	}
	if (!err && rc != ARCHIVE_EOF) {
		kb_error("%s: %s", pkg, archive_error_string(a) ?: "unreadable archive");
		err = -KB_EPARSE;
	}
	err = err == 1 ? 0 : err;
	if (h)
		fam->close(h);
	return err;
}

static int kb_vm_kmods_index_one(void *ctx, struct archive *a, struct archive_entry *e,
				 const char *pkg, char *name)
{
	struct kb_vm_kmods *m = ctx;
	char *buf = NULL, *deps = NULL;
	size_t len = 0;
	int err = kb_vm_kmod_read(a, e, pkg, &buf, &len);

	if (!err && kb_vm_modinfo_mem(buf, len, "depends", &deps) == -KB_EPARSE) {
		kb_error("%s: %s: not a kernel module (no readable .modinfo)", pkg,
			 archive_entry_pathname(e));
		err = -KB_EPARSE;
	}
	if (!err) {
		kb_vm_kmods_add(m, name, kb_xstrdup(archive_entry_pathname(e)), deps);
		name = NULL;
	}
	free(name);
	free(deps);
	free(buf);
	return err;
}

/* The index's first line: the format and a digest of the package files it
 * was made from (their names: cache objects are named by their sha256), so
 * an index of the image package alone is not taken for one that covers the
 * modules packages too. */
static char *kb_vm_kmods_header(const char *const *pkgs, size_t npkgs)
{
	char hex[KB_SHA256_HEX_LEN + 1];
	struct kb_sha256 h;

	kb_sha256_init(&h);
	for (size_t i = 0; i < npkgs; i++) {
		const char *b = strrchr(pkgs[i], '/') ? strrchr(pkgs[i], '/') + 1 : pkgs[i];

		kb_sha256_update(&h, b, strlen(b) + 1);
	}
	kb_sha256_final(&h, hex);
	return kb_xasprintf("%s %s\n", KB_VM_KMODS_FORMAT, hex);
}

static int kb_vm_kmods_write(const char *path, const char *header, const struct kb_vm_kmods *m)
{
	struct kb_atomic_file af = { 0 };
	int err = kb_atomic_open(&af, path);

	if (err)
		goto out;
	kb_atomic_write(&af, header, strlen(header));
	for (size_t i = 0; i < m->n; i++) {
		kb_atomic_printf(&af, "%s\t%s\t", m->v[i].name, m->v[i].path);
		for (size_t j = 0; j < m->v[i].ndeps; j++)
			kb_atomic_printf(&af, "%s%s", j ? "," : "", m->v[i].deps[j]);
		kb_atomic_write(&af, "\n", 1);
	}
	err = kb_atomic_commit(&af);
out:
	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
	return err;
}

int kb_vm_kmods_index(const char *dir, enum kb_family family, const char *const *pkgs,
		      size_t npkgs, const char *release, struct kb_vm_kmods *out)
{
	char *path = kb_xasprintf("%s/kmods-%s.tsv", dir, release), *buf = NULL;
	char *header = kb_vm_kmods_header(pkgs, npkgs);
	size_t len = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (kb_file_read(path, KB_VM_KMODS_INDEX_MAX, &buf, &len) == 0 && len >= strlen(header) &&
	    !memcmp(buf, header, strlen(header))) {
		err = kb_vm_kmods_parse(buf, len, path, out);
		goto out;
	}
	err = 0;
	for (size_t i = 0; i < npkgs && !err; i++)
		err = kb_vm_kmods_walk(family, pkgs[i], release, kb_vm_kmods_index_one, out);
	if (err)
		goto out;
	if (!out->n) {
		/* not an error here: a kernel built with what it needs (7.x's
		 * image packages hold none); a unit that misses one says so */
		kb_debug("%s: no module of %s in the kernel's packages", npkgs ? pkgs[0] : dir,
			 release);
		err = -KB_ENOTFOUND;
		goto out;
	}
	kb_vm_kmods_sort(out);
	kb_debug("%s: %zu modules of %s indexed from %zu package(s)", dir, out->n, release, npkgs);
	err = kb_vm_kmods_write(path, header, out);
out:
	if (err)
		kb_vm_kmods_free(out);
	free(header);
	free(buf);
	free(path);
	return err;
}

struct kb_vm_kmods_want {
	const char *outdir;
	char *const *names;
	char **paths;
	size_t n, left;
};

static int kb_vm_kmods_extract_one(void *ctx, struct archive *a, struct archive_entry *e,
				   const char *pkg, char *name)
{
	struct kb_vm_kmods_want *w = ctx;
	char *buf = NULL, *p = NULL;
	size_t len = 0, i;
	int err = 0;

	for (i = 0; i < w->n && strcmp(w->names[i], name); i++)
		;
	if (i == w->n || access(w->paths[i], F_OK) == 0)
		goto out;
	p = kb_xasprintf("%s/%s.ko", w->outdir, name);
	err = kb_vm_kmod_read(a, e, pkg, &buf, &len);
	if (!err)
		err = kb_file_write_atomic(p, buf, len);
	if (err) {
		kb_error("%s: %s", p, kb_strerror(err));
		goto out;
	}
	err = --w->left ? 0 : 1;
out:
	free(p);
	free(buf);
	free(name);
	return err;
}

int kb_vm_kmods_extract(const char *dir, enum kb_family family, const char *const *pkgs,
			size_t npkgs, const char *release, char *const *names, size_t n,
			char ***paths)
{
	struct kb_vm_kmods_want w = { .names = names, .n = n };
	char *outdir = kb_xasprintf("%s/kmods-%s", dir, release);
	int err = kb_mkdir_p(outdir, 0755);

	w.outdir = outdir;
	w.paths = kb_xcalloc(n + 1, sizeof(*w.paths));
	for (size_t i = 0; i < n; i++) {
		/* Names come from the index: no '/', no dot files. */
		w.paths[i] = kb_xasprintf("%s/%s.ko", outdir, names[i]);
		if (access(w.paths[i], F_OK) != 0)
			w.left++;
	}
	for (size_t i = 0; i < npkgs && !err && w.left; i++)
		err = kb_vm_kmods_walk(family, pkgs[i], release, kb_vm_kmods_extract_one, &w);
	if (!err && w.left) {
		kb_error("%s: %zu of the kernel's modules were not found in its packages", dir, w.left);
		err = -KB_ENOTFOUND;
	}
	if (err) {
		for (size_t i = 0; i < n; i++)
			free(w.paths[i]);
		free(w.paths);
	} else {
		*paths = w.paths;
	}
	free(outdir);
	return err;
}
