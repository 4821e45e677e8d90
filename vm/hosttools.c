/* hosttools.c — the build machine's kbuild package for a foreign bundle:
 * found in the manifest, fetched through the cache, laid over the build's
 * private copy of the bundle (hosttools.h says why). */
#include <archive.h>
#include <errno.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/arch.h"
#include "lib/archive_safe.h"
#include "lib/deb.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "pipeline/entries.h"
#include "vm/hosttools.h"
#include "vm/target.h"

#define KB_VM_HOSTTOOL_MAX (64u << 20)

bool kb_vm_arch_foreign(const char *arch)
{
	return arch && !kb_arch_same(arch, kb_arch_host());
}

static const struct kb_mpkg *kb_vm_entry_kbuild(const struct kb_bundle_entry *e)
{
	for (size_t k = 0; k < e->nheaders; k++)
		if (e->headers[k].kind == KB_KIND_KBUILD)
			return &e->headers[k];
	return NULL;
}

/* The entry of the build machine's architecture whose kbuild package has
 * the name and version of kb, or -1. */
static long kb_vm_host_entry(const struct kb_manifest *m, const struct kb_mpkg *kb)
{
	for (size_t j = 0; j < m->n; j++) {
		const struct kb_mpkg *h = kb_vm_entry_kbuild(&m->v[j]);

		if (h && kb_arch_same(m->v[j].arch, kb_arch_host()) && !strcmp(h->name, kb->name) &&
		    !strcmp(h->version, kb->version))
			return (long)j;
	}
	return -1;
}

char **kb_vm_hosttools_fetch(struct kb_vm_targets *ts)
{
	struct kb_entries *s = ts->entries;
	char **v = kb_xcalloc(ts->n ? ts->n : 1, sizeof(*v));
	long *src = kb_xcalloc(ts->n ? ts->n : 1, sizeof(*src));
	struct kb_entries_pkgs p = { 0 };
	bool *want = NULL, any = false;

	for (size_t i = 0; s && i < ts->n; i++) {
		const struct kb_bundle_entry *e = &s->m.v[ts->v[i].entry];
		const struct kb_mpkg *kb = kb_vm_entry_kbuild(e);

		src[i] = -1;
		if (!kb_vm_arch_foreign(e->arch) || !kb)
			continue;
		src[i] = kb_vm_host_entry(&s->m, kb);
		if (src[i] < 0) {
			kb_warn("%s (%s): the manifest has no %s %s %s for this machine (%s): the "
				"bundle's own host tools are %s programs", e->release, e->arch,
				kb->name, kb->version, kb_arch_host(), kb_arch_host(), e->arch);
			continue;
		}
		if (!want)
			want = kb_xcalloc(s->m.n, sizeof(*want));
		want[src[i]] = any = true;
	}
	if (!any || kb_entries_open_cache(s, ts->o->workdir) != 0)
		goto out;
	kb_entries_fetch(s, want, KB_ENTRIES_HEADERS, ts->o->jobs, &p);
	kb_entries_close_cache(s);
	for (size_t i = 0; i < ts->n; i++) {
		for (size_t k = src[i] < 0 ? 0 : p.first[src[i]];
		     src[i] >= 0 && k < p.first[src[i] + 1] && !v[i]; k++)
			if (p.pkg[k]->kind == KB_KIND_KBUILD && !p.v[k].err)
				v[i] = kb_xstrdup(p.v[k].object);
	}
out:
	kb_entries_pkgs_free(&p);
	free(want);
	free(src);
	return v;
}

void kb_vm_hosttools_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* "usr/lib/linux-kbuild-6.12.118+deb13/scripts/basic/fixdep" ->
 * "scripts/basic/fixdep"; NULL for anything else. */
static const char *kb_vm_kbuild_rel(const char *path)
{
	static const char pre[] = "usr/lib/linux-kbuild-";
	const char *r;

	if (strncmp(path, pre, sizeof(pre) - 1))
		return NULL;
	r = strchr(path + sizeof(pre) - 1, '/');
	return r && r[1] ? r + 1 : NULL;
}

/* Entry e's bytes (a regular file the guard has passed). */
static int kb_vm_entry_read(struct archive *a, struct kb_archive_guard *g,
			    const struct kb_safe_entry *se, char **buf)
{
	size_t got = 0;
	la_ssize_t n;

	if (se->size > KB_VM_HOSTTOOL_MAX)
		return -KB_ELIMIT;
	*buf = kb_xmalloc(se->size ? (size_t)se->size : 1);
	while (got < se->size && (n = archive_read_data(a, *buf + got, (size_t)se->size - got)) > 0)
		got += (size_t)n;
	if (got != se->size)
		return -KB_EPARSE;
	return kb_archive_account(g, se->path, got);
}

int kb_vm_hosttools_overlay(const char *deb, const char *build_dir, const char *name,
			    size_t *replaced)
{
	struct kb_archive_limits lim = { .allow_abs_symlinks = true };
	struct kb_archive_guard g;
	struct kb_deb *d = NULL;
	struct archive_entry *ae;
	struct archive *a;
	struct stat st;
	int rc = ARCHIVE_OK, err = kb_deb_open(deb, &d);

	*replaced = 0;
	if (err) {
		kb_error("%s: the build machine's kbuild package %s cannot be read: %s", name, deb,
			 kb_strerror(err));
		return err;
	}
	a = kb_deb_data(d);
	kb_archive_guard_init(&g, deb, stat(deb, &st) == 0 ? (uint64_t)st.st_size : 0, &lim);
	while (!err && (rc = archive_read_next_header(a, &ae)) == ARCHIVE_OK) {
		struct kb_safe_entry se = { 0 };
		char *dst = NULL, *buf = NULL;
		const char *rel;

		err = kb_archive_check_entry(&g, ae, &se);
		rel = err || se.type != KB_ENTRY_FILE ? NULL : kb_vm_kbuild_rel(se.path);
		if (rel)
			dst = kb_path_join(build_dir, rel);
		/* only what the bundle holds: its own layout decides what is kbuild's */
		if (dst && lstat(dst, &st) == 0 && S_ISREG(st.st_mode)) {
			err = kb_vm_entry_read(a, &g, &se, &buf);
			if (err)
				kb_error("%s: %s: %s", deb, se.path, kb_strerror(err));
			if (!err && !(err = kb_file_write_atomic(dst, buf, (size_t)se.size)))
				err = chmod(dst, se.mode & 0777) == 0 ? 0 : -errno;
			if (!err)
				++*replaced;
			else
				kb_error("%s: %s", dst, kb_strerror(err));
		}
		free(buf);
		free(dst);
		kb_safe_entry_free(&se);
	}
	if (!err && rc != ARCHIVE_EOF) {
		kb_error("%s: %s", deb, archive_error_string(a) ? archive_error_string(a)
								: "unreadable archive");
		err = -KB_EPARSE;
	}
	kb_deb_close(d);
	if (!err && !*replaced) {
		kb_error("%s: %s holds none of the bundle's kbuild files", name, deb);
		err = -KB_ENOTFOUND;
	}
	return err;
}
