/* pkglist.c — read, merge and write package lists (lists/<upstream>.list).
 *
 * Lists are committed and reviewed as diffs, so the order is fixed (name,
 * arch, then version by Debian's rules with a bytewise tie-break) and the
 * reader is strict: a list that does not read back exactly is an error
 * naming file:line, never silently "fixed". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/pkglist.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/strview.h"
#include "lib/vercmp.h"

#define KB_PKGLIST_MAGIC "#kbundle-list 1"
#define KB_PKGLIST_HEADER                                                                  \
	KB_PKGLIST_MAGIC "\tname\tversion\tarch\tkind\trelease\tpath\tsize\tsha256\tdepends\t" \
			 "first_seen\tlast_seen\tpresent"
#define KB_PKGLIST_COLUMNS 12
#define KB_PKGLIST_MAX_FILE (256u << 20)
#define KB_PKGLIST_MAX_LINE (64u << 10)
#define KB_PKGLIST_MAX_ENTRIES 2000000u

static const char *const kb_kind_names[KB_KIND_COUNT] = {
	[KB_KIND_HEADERS] = "headers",	 [KB_KIND_HEADERS_COMMON] = "headers-common",
	[KB_KIND_KBUILD] = "kbuild",	 [KB_KIND_DEVEL] = "devel",
	[KB_KIND_IMAGE] = "image",	 [KB_KIND_MODULES] = "modules",
};

const char *kb_kind_name(enum kb_kind k)
{
	return (unsigned)k < KB_KIND_COUNT ? kb_kind_names[k] : "?";
}

int kb_kind_parse(const char *s, enum kb_kind *k)
{
	for (int i = 0; i < KB_KIND_COUNT; i++)
		if (!strcmp(s, kb_kind_names[i])) {
			*k = (enum kb_kind)i;
			return 0;
		}
	return -KB_EPARSE;
}

struct kb_pkg *kb_pkglist_add(struct kb_pkglist *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = kb_xrealloc(l->v, sizeof(*l->v) * l->cap);
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

void kb_pkglist_take(struct kb_pkglist *dst, struct kb_pkglist *src)
{
	for (size_t i = 0; i < src->n; i++)
		*kb_pkglist_add(dst) = src->v[i];
	free(src->v);
	memset(src, 0, sizeof(*src));
}

void kb_pkg_free(struct kb_pkg *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->release);
	free(p->path);
	free(p->depends);
	memset(p, 0, sizeof(*p));
}

void kb_pkglist_free(struct kb_pkglist *l)
{
	for (size_t i = 0; i < l->n; i++)
		kb_pkg_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* name, arch, version (Debian order, then bytes so equal-by-policy versions
 * like 1.0 and 1.00 still sort one way). */
static int kb_pkg_cmp(const void *pa, const void *pb)
{
	const struct kb_pkg *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (!c)
		c = strcmp(a->arch, b->arch);
	if (!c)
		c = kb_deb_vercmp(a->version, b->version);
	if (!c)
		c = strcmp(a->version, b->version);
	return c;
}

static bool kb_date_ok(const char *s)
{
	static const char shape[] = "dddd-dd-dd";

	for (size_t i = 0; i < 10; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != '-')
			return false;
	}
	return s[10] == '\0';
}

/* A field may hold anything printable but the separators. */
static bool kb_field_ok(const char *s, bool may_be_empty)
{
	if (!s || (!*s && !may_be_empty))
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return false;
	return true;
}

static int kb_pkg_check(const struct kb_pkg *p)
{
	if (!kb_field_ok(p->name, false) || !kb_field_ok(p->version, false) ||
	    !kb_field_ok(p->arch, false) || !kb_field_ok(p->release, false) ||
	    !kb_field_ok(p->path, false) || !kb_field_ok(p->depends ? p->depends : "", true))
		return -KB_EPARSE;
	if ((unsigned)p->kind >= KB_KIND_COUNT || !kb_sha256_valid(p->sha256) ||
	    !kb_date_ok(p->first_seen) || !kb_date_ok(p->last_seen))
		return -KB_EPARSE;
	return 0;
}

int kb_pkglist_write(const char *path, struct kb_pkglist *l)
{
	struct kb_atomic_file af;
	int err;

	for (size_t i = 0; i < l->n; i++)
		if (kb_pkg_check(&l->v[i])) {
			kb_error("%s: refusing to write malformed entry for '%s'", path,
				 l->v[i].name ? l->v[i].name : "?");
			return -KB_EPARSE;
		}
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), kb_pkg_cmp);
	err = kb_atomic_open(&af, path);
	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
		return err;
	}
	kb_atomic_printf(&af, "%s\n", KB_PKGLIST_HEADER);
	for (size_t i = 0; i < l->n; i++) {
		const struct kb_pkg *p = &l->v[i];

		kb_atomic_printf(&af, "%s\t%s\t%s\t%s\t%s\t%s\t%llu\t%s\t%s\t%s\t%s\t%d\n", p->name,
				 p->version, p->arch, kb_kind_name(p->kind), p->release, p->path,
				 (unsigned long long)p->size, p->sha256, p->depends ? p->depends : "",
				 p->first_seen, p->last_seen, p->present ? 1 : 0);
	}
	err = kb_atomic_commit(&af);
	if (err)
		kb_error("%s: %s", path, kb_strerror(err));
	return err;
}

static int kb_parse_u64(struct kb_str s, uint64_t *out)
{
	uint64_t v = 0;

	if (!s.n || s.n > 19 || (s.n > 1 && s.p[0] == '0'))
		return -KB_EPARSE;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -KB_EPARSE;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	*out = v;
	return 0;
}

static bool kb_copy_fixed(struct kb_str s, char *dst, size_t cap)
{
	if (s.n >= cap)
		return false;
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
	return true;
}

/* One data line into p; returns a message or NULL. */
static const char *kb_pkglist_line(struct kb_str line, struct kb_pkg *p)
{
	struct kb_str f[KB_PKGLIST_COLUMNS];
	size_t n = 0;

	while (n < KB_PKGLIST_COLUMNS) {
		bool more = kb_str_split(&line, '\t', &f[n]);

		n++;
		if (!more)
			break;
	}
	if (n != KB_PKGLIST_COLUMNS || line.n || memchr(f[n - 1].p, '\t', f[n - 1].n))
		return "expected 12 tab-separated columns";
	p->name = kb_xstrndup(f[0].p, f[0].n);
	p->version = kb_xstrndup(f[1].p, f[1].n);
	p->arch = kb_xstrndup(f[2].p, f[2].n);
	p->release = kb_xstrndup(f[4].p, f[4].n);
	p->path = kb_xstrndup(f[5].p, f[5].n);
	p->depends = kb_xstrndup(f[8].p, f[8].n);
	{
		char kind[32];

		if (!kb_copy_fixed(f[3], kind, sizeof(kind)) || kb_kind_parse(kind, &p->kind))
			return "unknown kind";
	}
	if (kb_parse_u64(f[6], &p->size))
		return "size is not a number";
	if (!kb_copy_fixed(f[7], p->sha256, sizeof(p->sha256)) || !kb_sha256_valid(p->sha256))
		return "sha256 is not 64 lowercase hex digits";
	if (!kb_copy_fixed(f[9], p->first_seen, sizeof(p->first_seen)) ||
	    !kb_date_ok(p->first_seen) ||
	    !kb_copy_fixed(f[10], p->last_seen, sizeof(p->last_seen)) || !kb_date_ok(p->last_seen))
		return "dates must be YYYY-MM-DD";
	if (kb_str_eq(f[11], "1"))
		p->present = true;
	else if (kb_str_eq(f[11], "0"))
		p->present = false;
	else
		return "present must be 0 or 1";
	if (kb_pkg_check(p))
		return "empty or malformed field";
	return NULL;
}

int kb_pkglist_read(const char *path, struct kb_pkglist *l)
{
	char *buf = NULL;
	size_t len = 0, lineno = 0;
	struct kb_str text, line;
	int err;

	memset(l, 0, sizeof(*l));
	err = kb_file_read(path, KB_PKGLIST_MAX_FILE, &buf, &len);
	if (err == -ENOENT)
		return 0;
	if (err) {
		kb_error("%s: %s", path, kb_strerror(err));
		return err;
	}
	text = kb_str(buf, len);
	if (len && buf[len - 1] != '\n') {
		kb_error("%s: truncated (no newline at the end)", path);
		err = -KB_EPARSE;
		goto out;
	}
	while (text.n) {
		const char *why;

		kb_str_split(&text, '\n', &line);
		lineno++;
		if (line.n > KB_PKGLIST_MAX_LINE) {
			kb_error("%s:%zu: line longer than %u bytes", path, lineno, KB_PKGLIST_MAX_LINE);
			err = -KB_ELIMIT;
			goto out;
		}
		if (lineno == 1) {
			if (!kb_str_eq(line, KB_PKGLIST_HEADER)) {
				kb_error("%s:1: not a kbundle list of format 1 (want header '%s')", path,
					 KB_PKGLIST_MAGIC "\\tname…");
				err = -KB_EPARSE;
				goto out;
			}
			continue;
		}
		if (l->n >= KB_PKGLIST_MAX_ENTRIES) {
			kb_error("%s:%zu: more than %u entries", path, lineno, KB_PKGLIST_MAX_ENTRIES);
			err = -KB_ELIMIT;
			goto out;
		}
		why = kb_pkglist_line(line, kb_pkglist_add(l));
		if (why) {
			kb_error("%s:%zu: %s", path, lineno, why);
			err = -KB_EPARSE;
			goto out;
		}
	}
	if (lineno == 0) {
		kb_error("%s: empty file (want header '%s')", path, KB_PKGLIST_MAGIC);
		err = -KB_EPARSE;
	}
out:
	free(buf);
	if (err)
		kb_pkglist_free(l);
	return err;
}

static int kb_pkg_key_cmp(const void *pa, const void *pb)
{
	const struct kb_pkg *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (!c)
		c = strcmp(a->arch, b->arch);
	if (!c)
		c = strcmp(a->version, b->version);
	return c;
}

/* Identity is (name, arch, version): the distro never reuses one for other
 * contents. If a mirror does anyway, the fresh path/size/sha256 win (the list
 * must say where the file is now) and the change is logged. */
size_t kb_pkglist_merge(struct kb_pkglist *prev, struct kb_pkglist *fresh, const char *today)
{
	size_t nprev = prev->n, gone = 0;
	bool *was_present = kb_xcalloc(nprev, sizeof(*was_present));

	if (nprev)
		qsort(prev->v, nprev, sizeof(*prev->v), kb_pkg_key_cmp);
	for (size_t i = 0; i < nprev; i++) {
		was_present[i] = prev->v[i].present;
		prev->v[i].present = false;
	}
	if (fresh->n) {
		size_t kept = 1;

		/* the same package from two suites is kept once */
		qsort(fresh->v, fresh->n, sizeof(*fresh->v), kb_pkg_key_cmp);
		for (size_t i = 1; i < fresh->n; i++) {
			if (!kb_pkg_key_cmp(&fresh->v[i], &fresh->v[kept - 1]))
				kb_pkg_free(&fresh->v[i]);
			else
				fresh->v[kept++] = fresh->v[i];
		}
		fresh->n = kept;
	}
	for (size_t i = 0; i < fresh->n; i++) {
		struct kb_pkg *f = &fresh->v[i];
		struct kb_pkg *old =
			nprev ? bsearch(f, prev->v, nprev, sizeof(*prev->v), kb_pkg_key_cmp) : NULL;

		if (old) {
			if (strcmp(old->sha256, f->sha256))
				kb_warn("%s %s %s: sha256 changed upstream (%s -> %s)", f->name,
					f->version, f->arch, old->sha256, f->sha256);
			char first[11];

			memcpy(first, old->first_seen, sizeof(first));
			kb_pkg_free(old);
			*old = *f;
			memcpy(old->first_seen, first, sizeof(first));
		} else {
			struct kb_pkg *n = kb_pkglist_add(prev);

			*n = *f;
			old = n;
			snprintf(old->first_seen, sizeof(old->first_seen), "%s", today);
		}
		snprintf(old->last_seen, sizeof(old->last_seen), "%s", today);
		old->present = true;
		memset(f, 0, sizeof(*f));
	}
	for (size_t i = 0; i < fresh->n; i++)
		kb_pkg_free(&fresh->v[i]);
	fresh->n = 0;
	for (size_t i = 0; i < nprev; i++)
		gone += was_present[i] && !prev->v[i].present;
	free(was_present);
	return gone;
}
