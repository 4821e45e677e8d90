/* extract.c — the one safe extractor (see extract.h). Every write is made
 * relative to a directory descriptor reached from the root one component at
 * a time with O_NOFOLLOW, so no symlink — from the bundle or planted by
 * anyone — is ever followed while writing. A table of what was extracted
 * (path -> type, symlink target) lets each symlink be resolved the way the
 * kernel would, and hard links be checked against earlier regular files. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "bundles/bundle_meta.h"
#include "bundles/extract.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

#define KB_UNPACK_MAX_HOPS 40	/* symlinks followed in one resolution, as Linux */

/* What an extracted path is; hard links are regular files. */
struct kb_xnode {
	char *path;
	enum kb_entry_type type;
	char *link;		/* symlink target */
};

struct kb_unpack {
	const char *name;		/* for messages */
	int rootfd;
	struct kb_xnode **tab;		/* open addressing, by path */
	size_t cap, n;
	struct kb_xnode **links;	/* the symlinks, in order */
	size_t nlinks;
	char *dir;			/* the last parent walked to… */
	int dirfd;			/* …and its descriptor (-1: none) */
};

static uint64_t kb_xhash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static struct kb_xnode *kb_unpack_find(const struct kb_unpack *u, const char *p, size_t n)
{
	if (!u->cap)
		return NULL;
	for (size_t i = kb_xhash(p, n) & (u->cap - 1);; i = (i + 1) & (u->cap - 1)) {
		struct kb_xnode *x = u->tab[i];

		if (!x)
			return NULL;
		if (!strncmp(x->path, p, n) && !x->path[n])
			return x;
	}
}

static void kb_unpack_slot(struct kb_xnode **tab, size_t cap, struct kb_xnode *x)
{
	size_t i = kb_xhash(x->path, strlen(x->path)) & (cap - 1);

	while (tab[i])
		i = (i + 1) & (cap - 1);
	tab[i] = x;
}

static struct kb_xnode *kb_unpack_add(struct kb_unpack *u, const char *p, size_t n,
				      enum kb_entry_type type, const char *link)
{
	struct kb_xnode *x = kb_xcalloc(1, sizeof(*x));

	if ((u->n + 1) * 2 > u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 1024;
		struct kb_xnode **tab = kb_xcalloc(cap, sizeof(*tab));

		for (size_t i = 0; i < u->cap; i++)
			if (u->tab[i])
				kb_unpack_slot(tab, cap, u->tab[i]);
		free(u->tab);
		u->tab = tab;
		u->cap = cap;
	}
	x->path = kb_xstrndup(p, n);
	x->type = type;
	x->link = link ? kb_xstrdup(link) : NULL;
	kb_unpack_slot(u->tab, u->cap, x);
	u->n++;
	if (type == KB_ENTRY_SYMLINK) {
		u->links = kb_xrealloc(u->links, (u->nlinks + 1) * sizeof(*u->links));
		u->links[u->nlinks++] = x;
	}
	return x;
}

static void kb_unpack_free(struct kb_unpack *u)
{
	for (size_t i = 0; i < u->cap; i++)
		if (u->tab[i]) {
			free(u->tab[i]->path);
			free(u->tab[i]->link);
			free(u->tab[i]);
		}
	free(u->tab);
	free(u->links);
	free(u->dir);
	if (u->dirfd >= 0)
		close(u->dirfd);
	if (u->rootfd >= 0)
		close(u->rootfd);
}

/* Does a symlink at path with this target stay inside the tree, resolved
 * through the symlinks extracted so far? Lexical beyond them: a component
 * not extracted (yet) is taken as a plain name. */
static int kb_unpack_inside(const struct kb_unpack *u, const char *path, const char *target)
{
	const char *slash = strrchr(path, '/');
	size_t cl = slash ? (size_t)(slash - path) : 0, cap = cl + strlen(target) + 2;
	char *cur = kb_xmalloc(cap), *rest = kb_xstrdup(target);
	const char *p = rest;
	int hops = 0, inside = 1;

	memcpy(cur, path, cl);
	cur[cl] = '\0';
	while (*p && inside) {
		const char *e = strchrnul(p, '/');
		size_t len = (size_t)(e - p), was = cl;
		const struct kb_xnode *x;

		if (len == 0 || (len == 1 && p[0] == '.')) {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (cl == 0)
				inside = 0;
			while (cl > 0 && cur[--cl] != '/')
				;
			cur[cl] = '\0';
		} else {
			if (cl + len + 2 > cap)
				cur = kb_xrealloc(cur, cap = (cl + len + 2) * 2);
			if (cl)
				cur[cl++] = '/';
			memcpy(cur + cl, p, len);
			cl += len;
			cur[cl] = '\0';
			x = kb_unpack_find(u, cur, cl);
			if (x && x->type == KB_ENTRY_SYMLINK) {
				char *more;

				if (++hops > KB_UNPACK_MAX_HOPS || x->link[0] == '/') {
					inside = 0;
					break;
				}
				/* the link's target replaces it, from its directory */
				cl = was;
				cur[cl] = '\0';
				more = kb_xasprintf("%s/%s", x->link, *e ? e + 1 : "");
				free(rest);
				rest = more;
				p = rest;
				continue;
			}
		}
		p = *e ? e + 1 : e;
	}
	free(cur);
	free(rest);
	return inside;
}

static int kb_unpack_refuse(const struct kb_unpack *u, const char *path, const char *why,
			    const char *what)
{
	kb_error("%s: entry '%s': %s%s%s%s", u->name, kb_log_esc(path), why, what ? " ('" : "",
		 what ? kb_log_esc(what) : "", what ? "')" : "");
	return -KB_EUNSAFE;
}

/* A descriptor of path's parent directory, walked from the root without
 * following any link; missing directories are made when create is set.
 * *base: path's last component. The descriptor belongs to u (cached). */
static int kb_unpack_parent(struct kb_unpack *u, const char *path, int create, int *fd,
			    const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path) : 0;
	int cur = u->rootfd, err = 0;

	*base = slash ? slash + 1 : path;
	if (!dl) {
		*fd = u->rootfd;
		return 0;
	}
	if (u->dirfd >= 0 && strlen(u->dir) == dl && !strncmp(u->dir, path, dl)) {
		*fd = u->dirfd;
		return 0;
	}
	for (const char *p = path; !err && p < path + dl;) {
		const char *e = memchr(p, '/', (size_t)(path + dl - p));
		size_t end = e ? (size_t)(e - path) : dl;
		char *comp = kb_xstrndup(p, (size_t)(path + end - p));
		const struct kb_xnode *x = kb_unpack_find(u, path, end);
		int nfd = -1;

		if (x && x->type == KB_ENTRY_SYMLINK) {
			char *through = kb_xstrndup(path, end);

			err = kb_unpack_refuse(u, path, "path goes through the symlink", through);
			free(through);
		} else if (x && x->type != KB_ENTRY_DIR) {
			err = kb_unpack_refuse(u, path, "a parent is not a directory", NULL);
		} else {
			nfd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (nfd < 0 && errno == ENOENT && create && !x) {
				if (mkdirat(cur, comp, 0755) == 0)
					kb_unpack_add(u, path, end, KB_ENTRY_DIR, NULL);
				nfd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			}
			if (nfd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
				err = kb_unpack_refuse(u, path, "a parent is a link or not a directory "
						       "on the disk", NULL);
			} else if (nfd < 0) {
				err = -errno;
				kb_error("%s: entry '%s': %s", u->name, kb_log_esc(path), kb_strerror(err));
			}
		}
		if (cur != u->rootfd)
			close(cur);
		cur = nfd;
		free(comp);
		p = path + end + 1;
	}
	if (err) {
		if (cur >= 0 && cur != u->rootfd)
			close(cur);
		return err;
	}
	if (u->dirfd >= 0)
		close(u->dirfd);
	free(u->dir);
	u->dir = kb_xstrndup(path, dl);
	u->dirfd = *fd = cur;
	return 0;
}

/* A regular file's data, streamed from the archive into fd. */
static int kb_unpack_data(struct archive *a, struct kb_archive_guard *g, const char *path, int fd)
{
	char buf[1 << 16];
	la_ssize_t n;
	int err = 0;

	while (!err && (n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		err = kb_archive_account(g, path, (uint64_t)n);
		for (la_ssize_t off = 0; !err && off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				err = w < 0 ? -errno : -EIO;
				kb_error("%s: entry '%s': writing: %s", g->name, kb_log_esc(path), kb_strerror(err));
			}
			off += w > 0 ? w : 0;
		}
	}
	if (!err && n < 0) {
		kb_error("%s: entry '%s': %s", g->name, kb_log_esc(path), archive_error_string(a));
		err = -KB_EPARSE;
	}
	return err;
}

/* Write one checked entry. */
static int kb_unpack_entry(struct kb_unpack *u, struct archive *a, struct kb_archive_guard *g,
			   struct archive_entry *e, const struct kb_safe_entry *se)
{
	struct timespec ts[2] = { { archive_entry_mtime(e), 0 }, { archive_entry_mtime(e), 0 } };
	const struct kb_xnode *had = kb_unpack_find(u, se->path, strlen(se->path)), *to;
	const char *base, *tbase = NULL;
	int pfd, tfd = -1, fd = -1, err;

	if (had && !(had->type == KB_ENTRY_DIR && se->type == KB_ENTRY_DIR))
		return kb_unpack_refuse(u, se->path, "given twice", NULL);
	if (had)
		return 0;
	if (se->type == KB_ENTRY_SYMLINK && !kb_unpack_inside(u, se->path, se->link))
		return kb_unpack_refuse(u, se->path, "symlink leads out of the tree", se->link);
	if (se->type == KB_ENTRY_HARDLINK) {
		to = kb_unpack_find(u, se->link, strlen(se->link));
		if (!to || to->type != KB_ENTRY_FILE)
			return kb_unpack_refuse(u, se->path, "hard link to something other than an "
						"earlier regular file of the bundle", se->link);
	}
	err = kb_unpack_parent(u, se->path, 1, &pfd, &base);
	if (err)
		return err;
	switch (se->type) {
	case KB_ENTRY_DIR:
		if (mkdirat(pfd, base, (se->mode | 0700) & 0777) != 0)
			err = -errno;
		break;
	case KB_ENTRY_FILE:
		fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    se->mode & 0777);
		if (fd < 0) {
			err = -errno;
			break;
		}
		err = kb_unpack_data(a, g, se->path, fd);	/* logs its own errors */
		if (err) {
			close(fd);
			return err;
		}
		if (futimens(fd, ts) != 0)
			err = -errno;
		if (close(fd) != 0 && !err)
			err = -errno;
		break;
	case KB_ENTRY_SYMLINK:
		if (symlinkat(se->link, pfd, base) != 0 ||
		    utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) != 0)
			err = -errno;
		break;
	case KB_ENTRY_HARDLINK:
		/* walking to the target's parent may drop the cached pfd: keep a copy */
		fd = dup(pfd);
		err = fd < 0 ? -errno : kb_unpack_parent(u, se->link, 0, &tfd, &tbase);
		if (!err && linkat(tfd, tbase, fd, base, 0) != 0)
			err = -errno;
		if (fd >= 0)
			close(fd);
		if (err == -KB_EUNSAFE)
			return err;
		break;
	}
	if (err) {
		kb_error("%s: entry '%s': %s", u->name, kb_log_esc(se->path), kb_strerror(err));
		return err;
	}
	kb_unpack_add(u, se->path, strlen(se->path),
		      se->type == KB_ENTRY_HARDLINK ? KB_ENTRY_FILE : se->type, se->link);
	return 0;
}

int kb_bundle_unpack(const char *tgz, const char *name, const char *root,
		     const struct kb_archive_limits *lim)
{
	struct kb_unpack u = { .name = name, .rootfd = -1, .dirfd = -1 };
	struct archive *a = archive_read_new();
	struct kb_archive_guard g;
	struct stat st;
	int err = 0;

	u.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u.rootfd < 0 || stat(tgz, &st) != 0) {
		err = -errno;
		kb_error("%s: %s", u.rootfd < 0 ? root : name, kb_strerror(err));
		goto out;
	}
	kb_archive_guard_init(&g, name, (uint64_t)st.st_size, lim);
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, tgz, 1 << 16) != ARCHIVE_OK) {
		kb_error("%s: %s", name, archive_error_string(a));
		err = -KB_EPARSE;
		goto out;
	}
	while (!err) {
		struct archive_entry *e;
		struct kb_safe_entry se;
		int r = archive_read_next_header(a, &e);

		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			kb_error("%s: %s", name, archive_error_string(a));
			err = -KB_EPARSE;
			break;
		}
		err = kb_archive_check_entry(&g, e, &se);
		if (!err && *se.path)	/* "" is the root itself, already there */
			err = kb_unpack_entry(&u, a, &g, e, &se);
		kb_safe_entry_free(&se);
	}
	/* later entries can change where an earlier link leads: check them all */
	for (size_t i = 0; !err && i < u.nlinks; i++)
		if (!kb_unpack_inside(&u, u.links[i]->path, u.links[i]->link))
			err = kb_unpack_refuse(&u, u.links[i]->path, "symlink leads out of the tree",
					       u.links[i]->link);
out:
	archive_read_free(a);
	kb_unpack_free(&u);
	return err;
}

/* 1: dir an empty directory; 0: not empty; negative: cannot tell. */
static int kb_extract_dir_empty(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int empty = 1;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	closedir(d);
	return empty;
}

const char *kb_bundle_path_kbuild_why(const char *path)
{
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if (*c < 0x20 || *c == 0x7f)
			return "a control character";
		switch (*c) {
		case ' ':
			return "a space (make splits words on it)";
		case ':':
			return "a ':' (make reads it as a rule)";
		case '#':
			return "a '#' (make reads the rest as a comment)";
		case '$':
			return "a '$' (make expands it)";
		case '%':
			return "a '%' (make reads it as a pattern)";
		case '\\': case '"': case '\'': case '`': case ';': case '*': case '?': case '[':
		case ']':
			return "a quoting, glob or shell character";
		}
	}
	return NULL;
}

/* The printed build directory must be one `make -C DIR M=…` can use. */
static int kb_extract_kbuild_ok(const char *what, const char *path)
{
	const char *why = kb_bundle_path_kbuild_why(path);

	if (!why)
		return 0;
	kb_error("%s '%s': Kbuild cannot build in a path with %s: refused", what, kb_log_esc(path),
		 why);
	return -KB_EUNSAFE;
}

/* dir is this user's extraction of the bundle (a product may call fetch on
 * every build): 0 with *build_dir. */
static int kb_extract_kept(const char *d, const char *name, const char *id, char **build_dir)
{
	struct kb_bundle_meta m = { 0 };
	char *real = realpath(d, NULL);
	int err = real ? kb_bundle_meta_load(real, d, &m) : -errno;

	if (!err && (!m.checksum || strcmp(m.checksum, id) != 0)) {
		kb_error("%s: its stamp names bundle %s, its BUNDLE_CHECKSUM does not: refused", d, id);
		err = -KB_EUNSAFE;
	}
	if (!err) {
		kb_info("%s: bundle %s already extracted there (stamp and owner checked)", d, id);
		err = kb_bundle_meta_build_dir(real, name, &m, build_dir);
	}
	if (!err)
		err = kb_extract_kbuild_ok("the build directory", *build_dir);
	kb_bundle_meta_free(&m);
	free(real);
	return err;
}

/* What is at d now: 1 nothing (or an empty directory of this user's, to be
 * replaced), 0 this bundle's extraction (to keep), else an error logged. */
static int kb_extract_place(const char *d, const char *id, const char *sha256)
{
	struct stat st;
	const char *why;
	int empty;

	if (lstat(d, &st) != 0) {
		if (errno == ENOENT)
			return 1;
		kb_error("%s: %s", d, kb_strerror(-errno));
		return -errno;
	}
	if (S_ISLNK(st.st_mode)) {
		kb_error("--extract %s: a symlink: refused (it is not followed; it may be planted)", d);
		return -KB_EUNSAFE;
	}
	why = kb_extract_reusable_why(d, id, sha256);
	if (!why)
		return 0;
	empty = S_ISDIR(st.st_mode) && st.st_uid == geteuid() ? kb_extract_dir_empty(d) : 0;
	if (empty == 1)
		return 1;
	kb_error("--extract %s: already there, and not to be trusted: %s; refused (remove it, "
		 "or choose a new directory)", d, why);
	return -KB_EUNSAFE;
}

/* A fresh temp directory beside d, spelt without symlinks: d.part.<pid>.XXXXXX,
 * so a later extraction beside d sweeps it if this process dies. */
static int kb_extract_tmp(const char *d, char **tmp, char **root)
{
	char *copy = kb_xstrdup(d), *parent = kb_xstrdup(dirname(copy)), *base = kb_xstrdup(d);
	char *prefix;
	int err = kb_mkdir_p(parent, 0755);

	if (!err)
		err = kb_extract_path_safe(parent);
	*root = NULL;
	prefix = kb_xasprintf("%s.part.", basename(base));
	*tmp = NULL;
	if (err) {
		if (err != -KB_EUNSAFE)
			kb_error("%s: %s", d, kb_strerror(err));
	} else if (kb_cleanup_install(), kb_cleanup_sweep(parent, prefix),
		   !(*tmp = kb_cleanup_mkdtemp(parent, prefix))) {
		err = -errno;
		kb_error("%s.part.%d.XXXXXX: %s", d, (int)getpid(), kb_strerror(err));
	} else if (!(*root = realpath(*tmp, NULL))) {	/* mkdtemp's 0700: private */
		err = -errno;
		kb_error("%s: %s", *tmp, kb_strerror(err));
	}
	if (err && *tmp && access(*tmp, F_OK) != 0) {
		free(*tmp);
		*tmp = NULL;
	}
	free(prefix);
	free(base);
	free(parent);
	free(copy);
	return err;
}

int kb_bundle_extract(const char *tgz, const char *name, const char *id, const char *sha256,
		      const char *dir, const struct kb_limits *lim, char **build_dir)
{
	struct kb_bundle_meta m = { 0 };
	char *d = NULL, *tmp = NULL, *root = NULL, *real = NULL, *bd = NULL, cwd[4096];
	size_t dl;
	int err, fresh, tmp_slot = -1;

	*build_dir = NULL;
	/* absolute, so every directory on the way is checked */
	d = dir[0] == '/' || !getcwd(cwd, sizeof(cwd)) ? kb_xstrdup(dir) : kb_path_join(cwd, dir);
	dl = strlen(d);
	while (dl > 1 && d[dl - 1] == '/')
		d[--dl] = '\0';
	fresh = kb_extract_place(d, id, sha256);
	if (fresh < 0) {
		err = fresh;
		goto out;
	}
	if (!fresh) {
		err = kb_extract_path_safe(d);
		if (!err)
			err = kb_extract_kept(d, name, id, build_dir);
		goto out;
	}
	err = kb_extract_tmp(d, &tmp, &root);
	if (tmp)
		tmp_slot = kb_cleanup_tree_add(tmp);
	if (!err)
		err = kb_bundle_unpack(tgz, name, root, &(const struct kb_archive_limits){ .base = lim });
	if (!err)
		err = kb_bundle_meta_load(root, name, &m);
	if (err)
		goto out;
	if (!m.checksum || strcmp(m.checksum, id) != 0) {
		kb_error("%s: BUNDLE_CHECKSUM is not the bundle id %s", name, id);
		err = -KB_ECHECKSUM;
		goto out;
	}
	err = kb_bundle_meta_build_dir(root, name, &m, &bd);
	if (!err && bd[strlen(root)])	/* a tree whose build dir make cannot use is not kept */
		err = kb_extract_kbuild_ok("the build directory", bd + strlen(root) + 1);
	if (!err)
		err = kb_extract_stamp_write(root, id, sha256);
	if (err)
		goto out;
	if ((rmdir(d) != 0 && errno != ENOENT) || rename(tmp, d) != 0) {
		err = -errno;
		kb_error("%s: %s", d, kb_strerror(err));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* the build dir as it is called now, under dir's real name */
	real = realpath(d, NULL);
	if (!real) {
		err = -errno;
		kb_error("%s: %s", d, kb_strerror(err));
		goto out;
	}
	*build_dir = kb_xasprintf("%s%s", real, bd + strlen(root));
	err = kb_extract_kbuild_ok("the build directory", *build_dir);
	if (err) {
		free(*build_dir);
		*build_dir = NULL;
	}
out:
	if (tmp)
		kb_rm_rf(tmp);
	kb_cleanup_tree_del(tmp_slot);
	kb_bundle_meta_free(&m);
	free(d);
	free(tmp);
	free(root);
	free(real);
	free(bd);
	return err;
}
