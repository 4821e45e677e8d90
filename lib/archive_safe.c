/* archive_safe.c — entry checks for archives from outside (see archive_safe.h).
 * Everything here is lexical: nothing is looked up on the host, so a hostile
 * entry cannot make kbundle touch a path outside the tree it builds. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <archive_entry.h>

#include "lib/archive_safe.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/limits.h"
#include "lib/log.h"

void kb_archive_guard_init(struct kb_archive_guard *g, const char *name, uint64_t compressed,
			   const struct kb_archive_limits *lim)
{
	const struct kb_limits *base;

	memset(g, 0, sizeof(*g));
	g->name = name;
	if (lim)
		g->lim = *lim;
	/* unset limits: the command's (lib/limits.h, the --max-* flags) */
	base = kb_limits_or_default(g->lim.base);
	if (!g->lim.max_entries)
		g->lim.max_entries = (size_t)base->max_entries;
	if (!g->lim.max_path)
		g->lim.max_path = base->max_path;
	if (!g->lim.max_total)
		g->lim.max_total = base->max_unpacked_size;
	if (!g->lim.max_ratio)
		g->lim.max_ratio = base->max_ratio;
	g->compressed = compressed;
}

/* Append the parts of p to the stack in buf (len *n), applying "." and
 * "..". Returns -1 when ".." climbs above the root, or when refuse_dotdot
 * is set and ".." occurs at all. */
static int kb_path_push(char *buf, size_t *n, const char *p, int refuse_dotdot)
{
	while (*p) {
		const char *e = strchrnul(p, '/');
		size_t len = (size_t)(e - p);

		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* skip */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (refuse_dotdot || *n == 0)
				return -1;
			while (*n > 0 && buf[*n - 1] != '/')
				(*n)--;
			if (*n > 0)
				(*n)--;
		} else {
			if (*n)
				buf[(*n)++] = '/';
			memcpy(buf + *n, p, len);
			*n += len;
		}
		p = *e ? e + 1 : e;
	}
	buf[*n] = '\0';
	return 0;
}

char *kb_path_normalize(const char *p)
{
	char *buf;
	size_t n = 0;

	if (p[0] == '/')
		return NULL;
	buf = kb_xmalloc(strlen(p) + 1);
	if (kb_path_push(buf, &n, p, 1) < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *kb_link_resolve(const char *entry_path, const char *target)
{
	const char *slash = strrchr(entry_path, '/');
	char *buf = kb_xmalloc(strlen(entry_path) + strlen(target) + 2);
	size_t n = 0;

	if (target[0] != '/' && slash) {
		n = (size_t)(slash - entry_path);
		memcpy(buf, entry_path, n);
	}
	buf[n] = '\0';
	if (kb_path_push(buf, &n, target, 0) < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *kb_link_relative(const char *from_path, const char *to_path)
{
	const char *slash = strrchr(from_path, '/');
	size_t dlen = slash ? (size_t)(slash - from_path) : 0, common = 0, ups = 0;
	char *res, *w;

	/* common: length of the longest shared run of whole components */
	for (size_t i = 0;; i++) {
		int dend = i == dlen, tend = to_path[i] == '\0';

		if ((dend || from_path[i] == '/') && (tend || to_path[i] == '/'))
			common = i;
		if (dend || tend || from_path[i] != to_path[i])
			break;
	}
	/* one ".." per component of from's directory past the shared part */
	if (common < dlen) {
		ups = 1;
		for (size_t k = common + 1; k < dlen; k++)
			ups += from_path[k] == '/';
	}
	to_path += common;
	if (*to_path == '/')
		to_path++;
	res = w = kb_xmalloc(ups * 3 + strlen(to_path) + 2);
	for (size_t k = 0; k < ups; k++, w += 3)
		memcpy(w, "../", 3);
	strcpy(w, to_path);
	if (!*res)
		strcpy(res, ".");
	else if (res[strlen(res) - 1] == '/')
		res[strlen(res) - 1] = '\0';
	return res;
}

void kb_safe_entry_free(struct kb_safe_entry *se)
{
	free(se->path);
	free(se->link);
	se->path = se->link = NULL;
}

static int kb_archive_refuse(struct kb_archive_guard *g, const char *path, int err, const char *why)
{
	kb_error("%s: entry '%s': %s", g->name, kb_log_esc(path), why);
	return err;
}

int kb_archive_check_entry(struct kb_archive_guard *g, struct archive_entry *e,
			   struct kb_safe_entry *out)
{
	const char *raw = archive_entry_pathname(e);
	const char *hard = archive_entry_hardlink(e);
	const char *sym = archive_entry_symlink(e);
	mode_t type = archive_entry_filetype(e);
	char *resolved = NULL;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!raw)
		return kb_archive_refuse(g, "?", -KB_EUNSAFE, "entry without a path");
	if (++g->entries > g->lim.max_entries)
		return kb_archive_refuse(g, raw, -KB_ELIMIT, "too many entries (--max-entries)");
	if (strlen(raw) > g->lim.max_path)
		return kb_archive_refuse(g, raw, -KB_ELIMIT, "path too long (--max-path)");
	if (raw[0] == '/')
		return kb_archive_refuse(g, raw, -KB_EUNSAFE, "absolute path");
	out->path = kb_path_normalize(raw);
	if (!out->path) {
		err = kb_archive_refuse(g, raw, -KB_EUNSAFE, "path contains '..'");
		goto out;
	}
	out->mode = archive_entry_perm(e) & 0777;
	if (hard) {
		if (strlen(hard) > g->lim.max_path) {
			err = kb_archive_refuse(g, raw, -KB_ELIMIT, "hardlink target too long (--max-path)");
			goto out;
		}
		out->type = KB_ENTRY_HARDLINK;
		out->link = hard[0] == '/' ? NULL : kb_path_normalize(hard);
		if (!out->link) {
			kb_error("%s: entry '%s': hardlink to '%s' leaves the archive", g->name,
				 kb_log_esc(raw), kb_log_esc(hard));
			err = -KB_EUNSAFE;
		}
		goto out;
	}
	switch (type) {
	case AE_IFDIR:
		out->type = KB_ENTRY_DIR;
		break;
	case AE_IFREG:
		out->type = KB_ENTRY_FILE;
		out->size = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e) : 0;
		if (out->size > g->lim.max_total)
			err = kb_archive_refuse(g, raw, -KB_ELIMIT, "entry larger than the size limit (--max-unpacked-size)");
		break;
	case AE_IFLNK:
		out->type = KB_ENTRY_SYMLINK;
		if (!sym || !*sym) {
			err = kb_archive_refuse(g, raw, -KB_EUNSAFE, "symlink without a target");
			break;
		}
		if (strlen(sym) > g->lim.max_path) {
			err = kb_archive_refuse(g, raw, -KB_ELIMIT, "symlink target too long (--max-path)");
			break;
		}
		if (sym[0] == '/' && !g->lim.allow_abs_symlinks) {
			kb_error("%s: entry '%s': absolute symlink to '%s'", g->name, kb_log_esc(raw),
				 kb_log_esc(sym));
			err = -KB_EUNSAFE;
			break;
		}
		resolved = kb_link_resolve(out->path, sym);
		if (!resolved) {
			kb_error("%s: entry '%s': symlink to '%s' leaves the tree", g->name, kb_log_esc(raw),
				 kb_log_esc(sym));
			err = -KB_EUNSAFE;
			break;
		}
		out->link = kb_xstrdup(sym);
		break;
	case AE_IFCHR:
	case AE_IFBLK:
		err = kb_archive_refuse(g, raw, -KB_EUNSAFE, "device node");
		break;
	case AE_IFIFO:
		err = kb_archive_refuse(g, raw, -KB_EUNSAFE, "FIFO");
		break;
	case AE_IFSOCK:
		err = kb_archive_refuse(g, raw, -KB_EUNSAFE, "socket");
		break;
	default:
		err = kb_archive_refuse(g, raw, -KB_EUNSAFE, "unknown entry type");
		break;
	}
out:
	free(resolved);
	if (err)
		kb_safe_entry_free(out);
	return err;
}

int kb_archive_account(struct kb_archive_guard *g, const char *path, uint64_t n)
{
	g->total += n;
	if (g->total > g->lim.max_total) {
		kb_error("%s: entry '%s': more than %llu bytes decompressed (--max-unpacked-size)", g->name,
			 kb_log_esc(path), (unsigned long long)g->lim.max_total);
		return -KB_ELIMIT;
	}
	/* The ratio only means something past a floor: tiny archives of
	 * zeros are legitimately very compressible. */
	if (g->compressed && g->total > KB_RATIO_FLOOR && g->total / g->compressed > g->lim.max_ratio) {
		kb_error("%s: entry '%s': decompresses to over %llu times its size (--max-ratio): "
			 "a decompression bomb?",
			 g->name, kb_log_esc(path), (unsigned long long)g->lim.max_ratio);
		return -KB_ELIMIT;
	}
	return 0;
}
