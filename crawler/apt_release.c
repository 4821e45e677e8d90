/* apt_release.c — parse a Release file (deb822, one stanza). The text has
 * passed gpgv already, but it is still outside data: every line is checked
 * and limited, and paths may not leave dists/<suite>/. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crawler/apt_release.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/hash.h"
#include "lib/log.h"
#include "lib/strview.h"

#define KB_RELEASE_MAX_FILES 200000
#define KB_RELEASE_MAX_LINE 4096

static bool kb_rel_path_ok(struct kb_str p)
{
	if (!p.n || p.p[0] == '/')
		return false;
	for (size_t i = 0; i < p.n; i++)
		if ((unsigned char)p.p[i] <= ' ' || p.p[i] == 0x7f)
			return false;
	for (struct kb_str s = p, seg; s.n;) {
		kb_str_split(&s, '/', &seg);
		if (kb_str_eq(seg, "..") || kb_str_eq(seg, "."))
			return false;
	}
	return true;
}

/* " <sha256> <size> <path>" */
static const char *kb_rel_file_line(struct kb_str line, struct kb_release_file *f)
{
	struct kb_str w[3];
	uint64_t size = 0;

	line = kb_str_trim(line);
	for (int i = 0; i < 3; i++) {
		while (line.n && line.p[0] == ' ')
			line = kb_str(line.p + 1, line.n - 1);
		kb_str_split(&line, ' ', &w[i]);
	}
	if (line.n || !w[2].n)
		return "SHA256 line is not '<sha256> <size> <path>'";
	if (w[0].n != 64)
		return "bad sha256";
	memcpy(f->sha256, w[0].p, 64);
	f->sha256[64] = '\0';
	if (!kb_sha256_valid(f->sha256))
		return "bad sha256";
	if (!w[1].n || w[1].n > 19)
		return "bad size";
	for (size_t i = 0; i < w[1].n; i++) {
		if (w[1].p[i] < '0' || w[1].p[i] > '9')
			return "bad size";
		size = size * 10 + (uint64_t)(w[1].p[i] - '0');
	}
	if (!kb_rel_path_ok(w[2]))
		return "unsafe path";
	f->size = size;
	f->path = kb_xstrndup(w[2].p, w[2].n);
	return NULL;
}

static long long kb_rfc2822_time(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!end)
		return 0;
	return (long long)timegm(&tm);
}

int kb_apt_release_parse(const char *buf, size_t len, const char *name, struct kb_apt_release *r)
{
	struct kb_str text = kb_str(buf, len), line;
	size_t lineno = 0;
	bool in_sha256 = false, seen_sha256 = false;
	const char *why = NULL;
	int err = 0;

	memset(r, 0, sizeof(*r));
	while (text.n) {
		kb_str_split(&text, '\n', &line);
		lineno++;
		if (line.n > KB_RELEASE_MAX_LINE) {
			why = "line too long";
			err = -KB_ELIMIT;
			goto out;
		}
		if (line.n && line.p[line.n - 1] == '\r')
			line.n--;
		if (!line.n) {
			if (text.n && kb_str_trim(text).n) {
				why = "more than one stanza";
				err = -KB_EPARSE;
				goto out;
			}
			continue;
		}
		if (line.p[0] == ' ' || line.p[0] == '\t') {
			struct kb_release_file f = { 0 };

			if (!in_sha256)
				continue;	/* continuation of a field kbundle does not use */
			if (r->nfiles >= KB_RELEASE_MAX_FILES) {
				why = "too many files";
				err = -KB_ELIMIT;
				goto out;
			}
			why = kb_rel_file_line(line, &f);
			if (why) {
				err = -KB_EPARSE;
				goto out;
			}
			if ((r->nfiles & (r->nfiles - 1)) == 0)
				r->files = kb_xrealloc(r->files, sizeof(*r->files) *
								 (r->nfiles ? r->nfiles * 2 : 64));
			r->files[r->nfiles++] = f;
			continue;
		}
		struct kb_str key, val = line;

		if (!kb_str_split(&val, ':', &key) || !key.n) {
			why = "not a 'Field: value' line";
			err = -KB_EPARSE;
			goto out;
		}
		val = kb_str_trim(val);
		in_sha256 = false;
		if (kb_str_eq(key, "SHA256")) {
			if (seen_sha256 || val.n) {
				why = "bad SHA256 field";
				err = -KB_EPARSE;
				goto out;
			}
			in_sha256 = seen_sha256 = true;
		} else if (kb_str_eq(key, "Suite") && !r->suite) {
			r->suite = kb_xstrndup(val.p, val.n);
		} else if (kb_str_eq(key, "Codename") && !r->codename) {
			r->codename = kb_xstrndup(val.p, val.n);
		} else if (kb_str_eq(key, "Architectures") && !r->architectures) {
			r->architectures = kb_xstrndup(val.p, val.n);
		} else if (kb_str_eq(key, "Date") && !r->date) {
			r->date = kb_xstrndup(val.p, val.n);
		} else if (kb_str_eq(key, "Valid-Until") && !r->valid_until) {
			r->valid_until = kb_xstrndup(val.p, val.n);
			r->valid_until_ts = kb_rfc2822_time(r->valid_until);
		}
	}
	if (!seen_sha256) {
		kb_error("%s: Release has no SHA256 section", name);
		err = -KB_EPARSE;
	}
out:
	if (why)
		kb_error("%s:%zu: %s", name, lineno, why);
	if (err)
		kb_apt_release_free(r);
	return err;
}

void kb_apt_release_free(struct kb_apt_release *r)
{
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->files);
	free(r->suite);
	free(r->codename);
	free(r->date);
	free(r->valid_until);
	free(r->architectures);
	memset(r, 0, sizeof(*r));
}

const struct kb_release_file *kb_apt_release_packages(const struct kb_apt_release *r,
						      const char *component, const char *arch)
{
	static const char *const exts[] = { ".xz", ".gz", "" };

	for (size_t e = 0; e < sizeof(exts) / sizeof(exts[0]); e++) {
		char *want = kb_xasprintf("%s/binary-%s/Packages%s", component, arch, exts[e]);

		for (size_t i = 0; i < r->nfiles; i++)
			if (!strcmp(r->files[i].path, want)) {
				free(want);
				return &r->files[i];
			}
		free(want);
	}
	return NULL;
}

bool kb_apt_release_has_arch(const struct kb_apt_release *r, const char *arch)
{
	struct kb_str words, w;

	if (!r->architectures)
		return true;
	words = kb_str_c(r->architectures);
	while (words.n) {
		kb_str_split(&words, ' ', &w);
		if (kb_str_eq(w, arch))
			return true;
	}
	return false;
}
