/* bundle.c — meta files, bundle.json and the index around a packed tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bundles/bundle.h"
#include "bundles/bundle_path.h"
#include "bundles/btf_artifact.h"
#include "bundles/vmtest_verdict.h"
#include "bundles/index.h"
#include "lib/compiler.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strview.h"
#include "packer/pack.h"
#include "packer/tarball.h"

/* The value of "NAME = value" (Makefile) or NAME="value" (.config) in a
 * tree file; malloc'd, NULL when absent. */
static char *kb_bundle_var(const struct kb_tree *t, const char *path, const char *name, char sep)
{
	const struct kb_node *nd = kb_tree_get(t, path);
	struct kb_str text, line;

	if (!nd || nd->type != KB_NODE_FILE)
		return NULL;
	text = kb_str((const char *)nd->data, nd->size);
	while (text.n) {
		struct kb_str key;

		kb_str_split(&text, '\n', &line);
		if (!kb_str_split(&line, sep, &key) || !kb_str_eq(kb_str_trim(key), name))
			continue;
		line = kb_str_trim(line);
		if (line.n >= 2 && line.p[0] == '"' && line.p[line.n - 1] == '"')
			line = kb_str(line.p + 1, line.n - 2);
		return kb_xstrndup(line.p, line.n);
	}
	return NULL;
}

/* The compiler that built the kernel, from the first of its configuration
 * files the tree has; kind KB_CC_UNKNOWN when none names one. */
static void kb_bundle_compiler(const struct kb_packed *p, struct kb_compiler *cc)
{
	static const char *const files[] = { ".config", "include/config/auto.conf",
					     "include/generated/autoconf.h" };

	memset(cc, 0, sizeof(*cc));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = kb_path_join(p->build_dir, files[i]);
		const struct kb_node *nd = kb_tree_get(&p->out, path);
		int err = -KB_ENOTFOUND;

		if (nd && nd->type == KB_NODE_FILE)
			err = kb_compiler_from_config((const char *)nd->data, nd->size, cc);
		free(path);
		if (!err)
			return;
		kb_compiler_free(cc);
		cc->kind = KB_CC_UNKNOWN;
	}
}

static void kb_bundle_put(struct kb_tree *t, const char *name, const char *val)
{
	kb_tree_put(t, name, KB_NODE_FILE, 0644, NULL, kb_xstrdup(val), strlen(val), true);
}

/* bundle.json's "substitutions": what the manifest wanted, what was used
 * instead and why; w is the manifest's entry. */
static void kb_bundle_json_subst(struct kb_json *j, const struct kb_bundle_entry *w,
				 const struct kb_bundle_subst *subst, size_t nsubst)
{
	kb_json_arr_begin(j, "substitutions");
	for (size_t i = 0; i < nsubst; i++) {
		const struct kb_mpkg *m = &w->headers[subst[i].header];

		kb_json_obj_begin(j, NULL);
		kb_json_str(j, "name", m->name);
		kb_json_str(j, "satisfies", m->satisfies);
		kb_json_obj_begin(j, "wanted");
		kb_json_str(j, "version", m->version);
		kb_json_str(j, "sha256", m->sha256);
		kb_json_str(j, "path", m->path);
		kb_json_str(j, "why", subst[i].why);
		kb_json_obj_end(j);
		kb_json_obj_begin(j, "used");
		kb_json_str(j, "version", subst[i].used->version);
		kb_json_str(j, "sha256", subst[i].used->sha256);
		kb_json_str(j, "path", subst[i].used->path);
		kb_json_obj_end(j);
		kb_json_obj_end(j);
	}
	kb_json_arr_end(j);
}

/* Add the meta files and bundle.json to the packed tree. e is what is
 * packed; w the manifest's entry, when substitutions made e differ. */
static int kb_bundle_meta(const struct kb_bundle_entry *e, const struct kb_bundle_entry *w,
			  const struct kb_bundle_subst *subst, size_t nsubst, struct kb_packed *p)
{
	char *mk = kb_path_join(p->build_dir, "Makefile");
	char *ver = kb_bundle_var(&p->out, mk, "VERSION", '=');
	char *maj = kb_bundle_var(&p->out, mk, "PATCHLEVEL", '=');
	char *min = kb_bundle_var(&p->out, mk, "SUBLEVEL", '=');
	char *kver = NULL, *json = NULL;
	struct kb_compiler cc;
	char spec[KB_COMPILER_SPEC_MAX];
	struct kb_json j;
	size_t len;
	int err = 0;

	if (!ver || !maj || !min) {
		kb_error("%s: %s has no VERSION/PATCHLEVEL/SUBLEVEL", e->id, mk);
		err = -KB_EPARSE;
		goto out;
	}
	kver = kb_xasprintf("%s.%s.%s", ver, maj, min);
	kb_bundle_compiler(p, &cc);
	kb_compiler_spec(&cc, spec);
	if (cc.kind != KB_CC_UNKNOWN)
		kb_bundle_put(&p->out, "BUNDLE_COMPILER", spec);
	else
		kb_warn("%s: the kernel's configuration names no compiler: no BUNDLE_COMPILER", e->id);
	kb_bundle_put(&p->out, "BUNDLE_BUILD_DIR", p->build_dir);
	kb_bundle_put(&p->out, "BUNDLE_CHECKSUM", e->id);
	kb_bundle_put(&p->out, "BUNDLE_DISTRO", e->distro);
	kb_bundle_put(&p->out, "BUNDLE_UNAME", e->release);
	kb_bundle_put(&p->out, "BUNDLE_VERSION", ver);
	kb_bundle_put(&p->out, "BUNDLE_MAJOR", maj);
	kb_bundle_put(&p->out, "BUNDLE_MINOR", min);
	kb_bundle_put(&p->out, "BUNDLE_ARCH", e->arch);

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "id", e->id);
	if (nsubst)
		kb_json_str(&j, "manifest_id", w->id);
	kb_json_str(&j, "distro", e->distro);
	kb_json_str(&j, "upstream", e->upstream);
	kb_json_str(&j, "uname", e->release);
	kb_json_str(&j, "arch", e->arch);
	kb_json_str(&j, "package_version", e->version);
	kb_json_str(&j, "kernel_version", kver);
	kb_json_str(&j, "build_dir", p->build_dir);
	kb_json_str(&j, "compiler", cc.text);
	kb_json_str(&j, "compiler_spec", cc.kind != KB_CC_UNKNOWN ? spec : NULL);
	kb_json_str(&j, "compiler_kind", cc.kind != KB_CC_UNKNOWN ? kb_cc_kind_name(cc.kind) : NULL);
	kb_json_str(&j, "compiler_version", cc.kind != KB_CC_UNKNOWN ? cc.version : NULL);
	kb_json_str(&j, "kbundle_version", KB_VERSION);
	kb_json_int(&j, "packer_format", KB_PACKER_FORMAT);
	kb_json_arr_begin(&j, "packages");
	for (size_t i = 0; i < e->nheaders; i++) {
		const struct kb_mpkg *m = &e->headers[i];

		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "name", m->name);
		kb_json_str(&j, "version", m->version);
		kb_json_str(&j, "arch", m->arch);
		kb_json_str(&j, "kind", kb_kind_name(m->kind));
		kb_json_str(&j, "path", m->path);
		kb_json_uint(&j, "size", m->size);
		kb_json_str(&j, "sha256", m->sha256);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	if (nsubst)	/* only then: bundles without keep their bytes */
		kb_bundle_json_subst(&j, w, subst, nsubst);
	kb_json_obj_end(&j);
	json = kb_json_finish(&j, &len, &err);
	if (err)
		goto out;
	kb_tree_put(&p->out, "bundle.json", KB_NODE_FILE, 0644, NULL, json, len, true);
	kb_tree_sort(&p->out);
out:
	free(mk);
	free(ver);
	free(maj);
	free(min);
	kb_compiler_free(&cc);
	free(kver);
	return err;
}

/* *u = w with subst applied: the entry of what is really packed, its id
 * the content id of those packages. The strings are w's (u->headers is
 * malloc'd). */
static void kb_bundle_used(const struct kb_bundle_entry *w, const struct kb_bundle_subst *subst,
			   size_t nsubst, struct kb_bundle_entry *u)
{
	*u = *w;
	u->headers = kb_xcalloc(w->nheaders, sizeof(*u->headers));
	memcpy(u->headers, w->headers, w->nheaders * sizeof(*u->headers));
	for (size_t i = 0; i < nsubst; i++) {
		struct kb_mpkg *h = &u->headers[subst[i].header];
		const struct kb_malt *a = subst[i].used;

		h->version = a->version;
		h->arch = a->arch;
		h->path = a->path;
		h->size = a->size;
		memcpy(h->sha256, a->sha256, sizeof(h->sha256));
		h->satisfies = NULL;
		h->alternates = NULL;
		h->nalternates = 0;
	}
	kb_bundle_id(u);
}

/* dir/<manifest_id>.link: "<id>\n", so kb_bundle_find finds the bundle */
static int kb_bundle_link(const char *dir, const char *manifest_id, const char *id)
{
	char *link = kb_bundle_link_path(dir, manifest_id), *line = kb_xasprintf("%s\n", id);
	int err = kb_file_write_atomic(link, line, strlen(line));

	if (err)
		kb_error("%s: %s", link, kb_strerror(err));
	free(line);
	free(link);
	return err;
}

int kb_bundle_build(const struct kb_bundle_entry *w, const char *const *paths,
		    const struct kb_bundle_subst *subst, size_t nsubst, const char *package_key,
		    const struct kb_limits *lim, struct kb_pack_inputs *in, const char *dir,
		    int64_t mtime, struct kb_bundle_info *info)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct kb_tarball_opts to = { .mtime = mtime, .level = KB_TARBALL_LEVEL,
				      .threads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu };
	struct kb_atomic_file af = { 0 };
	struct kb_bundle_entry used;
	const struct kb_bundle_entry *e = &used;
	struct kb_packed p;
	char *tgz, *side, *line = NULL;
	int err;

	kb_bundle_used(w, subst, nsubst, &used);
	tgz = kb_bundle_path(dir, e->id);
	side = kb_bundle_sidecar_path(dir, e->id);
	memcpy(info->id, e->id, sizeof(info->id));
	err = kb_pack_tree(e, paths, package_key, lim, in, &p);
	if (!err)
		err = kb_bundle_meta(e, w, subst, nsubst, &p);
	if (err)
		goto out;
	err = kb_atomic_open(&af, tgz);
	if (err) {
		kb_error("%s: %s", tgz, kb_strerror(err));
		goto out;
	}
	err = kb_tarball_write(&p.out, &to, af.f, info->sha256, &info->size);
	if (err) {
		kb_atomic_abort(&af);
		goto out;
	}
	err = kb_atomic_commit(&af);
	if (err) {
		kb_error("%s: %s", tgz, kb_strerror(err));
		goto out;
	}
	/* sha256sum's format, so `sha256sum -c` checks a download */
	line = kb_bundle_sidecar_line(info->sha256, e->id);
	err = kb_file_write_atomic(side, line, strlen(line));
	if (err)
		kb_error("%s: %s", side, kb_strerror(err));
	else if (strcmp(e->id, w->id))
		err = kb_bundle_link(dir, w->id, e->id);
out:
	kb_packed_free(&p);
	free(used.headers);
	free(line);
	free(tgz);
	free(side);
	return err;
}

int kb_bundle_stat(const char *dir, const char *id, struct kb_bundle_info *info)
{
	char *tgz = kb_bundle_path(dir, id);
	char *side = kb_bundle_sidecar_path(dir, id);
	char *buf = NULL;
	struct stat st;
	struct tm tm;
	size_t len;
	int err = -KB_ENOTFOUND;

	if (stat(tgz, &st) != 0 || kb_file_read(side, 4096, &buf, &len) != 0 || len < 64)
		goto out;
	memcpy(info->sha256, buf, 64);
	info->sha256[64] = '\0';
	if (!kb_sha256_valid(info->sha256))
		goto out;
	info->size = (uint64_t)st.st_size;
	/* the bundle is renamed into place when packed: its mtime is then */
	gmtime_r(&st.st_mtim.tv_sec, &tm);
	strftime(info->packed_at, sizeof(info->packed_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	err = 0;
out:
	free(buf);
	free(tgz);
	free(side);
	return err;
}

int kb_bundle_find(const char *dir, const char *manifest_id, struct kb_bundle_info *info)
{
	char *link = NULL, *buf = NULL;
	size_t len;
	int err;

	if (!kb_bundle_stat(dir, manifest_id, info)) {
		memcpy(info->id, manifest_id, sizeof(info->id));
		return 0;
	}
	link = kb_bundle_link_path(dir, manifest_id);
	err = -KB_ENOTFOUND;
	if (kb_file_read(link, 256, &buf, &len) || len != KB_SHA256_HEX_LEN + 1 ||
	    buf[KB_SHA256_HEX_LEN] != '\n')
		goto out;
	buf[KB_SHA256_HEX_LEN] = '\0';
	if (!kb_sha256_valid(buf) || kb_bundle_stat(dir, buf, info))
		goto out;
	memcpy(info->id, buf, sizeof(info->id));
	err = 0;
out:
	free(buf);
	free(link);
	return err;
}

char *kb_bundle_find_path(const char *dir, const char *manifest_id)
{
	struct kb_bundle_info bi;

	return kb_bundle_path(dir, kb_bundle_find(dir, manifest_id, &bi) ? manifest_id : bi.id);
}

int kb_bundle_index_write(const char *dir, const struct kb_manifest *m)
{
	char *path = kb_path_join(dir, "index.json");
	struct kb_index idx = { .packer_format = KB_PACKER_FORMAT };
	int err;

	/* the entries borrow the manifest's strings */
	idx.v = kb_xcalloc(m->n ? m->n : 1, sizeof(*idx.v));
	for (size_t i = 0; i < m->n; i++) {
		const struct kb_bundle_entry *e = &m->v[i];
		struct kb_index_entry *x = &idx.v[idx.n];
		struct kb_bundle_info bi;

		if (kb_bundle_find(dir, e->id, &bi) != 0)
			continue;
		*x = (struct kb_index_entry){ .id = kb_xstrdup(bi.id),
					      .manifest_id = strcmp(bi.id, e->id) ? (char *)e->id : NULL,
					      .distro = e->distro, .uname = e->release, .arch = e->arch,
					      .size = bi.size, .packer_format = KB_PACKER_FORMAT };
		memcpy(x->sha256, bi.sha256, sizeof(x->sha256));
		memcpy(x->packed_at, bi.packed_at, sizeof(x->packed_at));
		kb_btf_artifact_index(dir, x);
		kb_vmtest_verdict_index(dir, x);
		idx.n++;
	}
	err = kb_index_write(path, &idx);
	for (size_t i = 0; i < idx.n; i++) {
		free(idx.v[i].id);
		free(idx.v[i].btf_missing);
	}
	free(idx.v);
	free(path);
	return err;
}
