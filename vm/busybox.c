/* busybox.c — the guest's busybox for a foreign architecture: Debian's own
 * busybox-static for that architecture, found in the upstream's signed
 * indexes (InRelease → Packages, each checked by signature or sha256),
 * downloaded through the package cache like a kernel image, and its
 * usr/bin/busybox extracted once into WORKDIR/cache/busybox/<sha256>/. */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "crawler/apt_packages.h"
#include "crawler/apt_release.h"
#include "lib/arch.h"
#include "lib/deb.h"
#include "lib/error.h"
#include "lib/family.h"
#include "lib/file.h"
#include "lib/gpgv.h"
#include "lib/hash.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/stream.h"
#include "vm/busybox.h"
#include "vm/kernel.h"

#define KB_VM_BUSYBOX_PKG "busybox-static"
#define KB_VM_BUSYBOX_MAX (16u << 20)	/* the static binary is ~2 MiB */
#define KB_VM_RELEASE_MAX (16u << 20)

/* The newest busybox-static of one architecture seen so far. */
struct kb_vm_bb_pick {
	const char *arch;
	char *version, *path, sha256[KB_SHA256_HEX_LEN + 1];
	uint64_t size;
};

static char *kb_vm_str(struct kb_str s)
{
	return kb_xstrndup(s.p ? s.p : "", s.n);
}

static int kb_vm_bb_stanza(void *ctx, const struct kb_apt_stanza *st)
{
	struct kb_vm_bb_pick *p = ctx;
	struct kb_str name = kb_apt_stanza_get(st, "Package");
	struct kb_str arch = kb_apt_stanza_get(st, "Architecture");
	struct kb_str sha = kb_apt_stanza_get(st, "SHA256");
	struct kb_str file = kb_apt_stanza_get(st, "Filename");
	char *ver, *size;

	if (!kb_str_eq(name, KB_VM_BUSYBOX_PKG) || !kb_str_eq(arch, p->arch))
		return 0;
	/* a path below the mirror, a digest: else the stanza is not used */
	if (sha.n != KB_SHA256_HEX_LEN || !file.n || file.p[0] == '/' ||
	    memmem(file.p, file.n, "..", 2) || memchr(file.p, '\n', file.n)) {
		kb_warn("Packages line %zu: %s stanza without a usable Filename or SHA256; ignored",
			st->line, KB_VM_BUSYBOX_PKG);
		return 0;
	}
	ver = kb_vm_str(kb_apt_stanza_get(st, "Version"));
	if (p->version && kb_family_vercmp(KB_FAMILY_APT)(ver, p->version) <= 0) {
		free(ver);
		return 0;
	}
	free(p->version);
	free(p->path);
	p->version = ver;
	p->path = kb_vm_str(file);
	memcpy(p->sha256, sha.p, KB_SHA256_HEX_LEN);
	p->sha256[KB_SHA256_HEX_LEN] = '\0';
	size = kb_vm_str(kb_apt_stanza_get(st, "Size"));
	p->size = strtoull(size, NULL, 10);
	free(size);
	return 0;
}

/* GET url into dest; a 404 is quiet (the suite may lack the file). */
static int kb_vm_bb_get(const char *url, const char *dest)
{
	struct kb_http_opts o = { .retries = 2, .max_bytes = 256u << 20 };
	char *why = NULL;
	long status = 0;
	int err;

	kb_http_opts_defaults(&o);
	err = kb_http_get_file(url, dest, &o, &status, &why);
	if (err && err != -KB_ENOTFOUND)
		kb_error("%s: %s", url, why ? why : kb_strerror(err));
	free(why);
	return err;
}

/* The verified Release of suite at base (mirror/dists/<suite>), parsed. */
static int kb_vm_bb_release(const struct kb_upstream *u, const char *base, const char *suite,
			    const char *tmp, struct kb_apt_release *rel)
{
	char *url = kb_xasprintf("%s/%s", base, u->keyring ? "InRelease" : "Release");
	char *got = kb_path_join(tmp, "InRelease"), *text = kb_path_join(tmp, "Release");
	char *buf = NULL, *why = NULL;
	size_t len = 0;
	int err = kb_vm_bb_get(url, got);

	if (err)
		goto out;
	err = u->keyring ? kb_gpgv_verify(u->keyring, got, NULL, text, &why)
			 : rename(got, text) ? -errno : 0;
	if (err) {
		kb_error("%s: signature check failed: %s", url, why ? why : kb_strerror(err));
		goto out;
	}
	err = kb_file_read(text, KB_VM_RELEASE_MAX, &buf, &len);
	if (!err)
		err = kb_apt_release_parse(buf, len, url, rel);
	if (!err && (rel->suite || rel->codename) && !(rel->suite && !strcmp(rel->suite, suite)) &&
	    !(rel->codename && !strcmp(rel->codename, suite))) {
		kb_error("%s: is for suite '%s', not '%s'", url, rel->suite ? rel->suite : "", suite);
		kb_apt_release_free(rel);
		err = -KB_EPARSE;
	}
out:
	unlink(got);
	unlink(text);
	free(url);
	free(got);
	free(text);
	free(buf);
	free(why);
	return err;
}

/* Look at one suite's Packages indexes of p->arch, from the first mirror
 * that has the suite. */
static int kb_vm_bb_suite(const struct kb_upstream *u, const char *suite, const char *tmp,
			  struct kb_vm_bb_pick *p)
{
	struct kb_apt_release rel;
	char *mirror = NULL, *base = NULL;
	int err = -KB_ENOTFOUND;

	for (size_t m = 0; m < u->mirrors.n && err == -KB_ENOTFOUND; m++) {
		free(mirror);
		free(base);
		mirror = kb_upstream_mirror(u, m, suite);
		base = mirror ? kb_xasprintf("%s/dists/%s", mirror, suite) : NULL;
		if (base)
			err = kb_vm_bb_release(u, base, suite, tmp, &rel);
	}
	if (err)
		goto out;
	for (size_t c = 0; c < u->components.n && !err; c++) {
		const struct kb_release_file *f =
			kb_apt_release_packages(&rel, u->components.v[c], p->arch);
		char *url, *idx = kb_path_join(tmp, "Packages");
		char hex[KB_SHA256_HEX_LEN + 1];
		struct kb_stream *s = NULL;

		if (!f) {
			free(idx);
			continue;
		}
		url = kb_xasprintf("%s/%s", base, f->path);
		err = kb_vm_bb_get(url, idx);
		if (!err && (kb_sha256_file(idx, hex, NULL) != 0 || strcmp(hex, f->sha256))) {
			kb_error("%s: sha256 mismatch with its Release (want %s)", url, f->sha256);
			err = -KB_EPARSE;
		}
		if (!err)
			err = kb_stream_open(idx, 0, NULL, &s);
		if (!err) {
			kb_stream_set_name(s, url);
			err = kb_apt_packages_parse(s, url, NULL, kb_vm_bb_stanza, p);
			kb_stream_close(s);
		}
		unlink(idx);
		free(idx);
		free(url);
	}
	kb_apt_release_free(&rel);
out:
	free(mirror);
	free(base);
	return err;
}

/* usr/bin/busybox of the package, checked to be an ELF of arch a. */
static int kb_vm_bb_extract(const char *deb, const struct kb_arch *a, const char *out)
{
	struct kb_deb *d = NULL;
	struct archive *ar;
	struct archive_entry *e;
	const unsigned char *h;
	char *buf = NULL;
	size_t len = 0;
	uint16_t mach;
	int err = kb_deb_open(deb, &d);

	if (err)
		goto out;
	ar = kb_deb_data(d);
	err = -KB_ENOTFOUND;
	while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
		const char *p = kb_vm_member_path(archive_entry_pathname(e));

		if (!strcmp(p, "usr/bin/busybox") || !strcmp(p, "bin/busybox")) {
			err = kb_vm_archive_read(ar, e, deb, KB_VM_BUSYBOX_MAX, &buf, &len);
			break;
		}
	}
	if (err == -KB_ENOTFOUND)
		kb_error("%s: holds no usr/bin/busybox", deb);
	if (err)
		goto out;
	h = (const unsigned char *)buf;
	mach = len < 20 ? 0 : a->elf_data == ELFDATA2MSB ? (uint16_t)(h[18] << 8 | h[19])
							  : (uint16_t)(h[18] | h[19] << 8);
	if (len < 20 || memcmp(buf, ELFMAG, SELFMAG) || mach != a->elf_machine) {
		kb_error("%s: usr/bin/busybox is not an %s ELF file", deb, a->debian);
		err = -KB_EPARSE;
		goto out;
	}
	err = kb_file_write_atomic(out, buf, len);
	if (err)
		kb_error("%s: %s", out, kb_strerror(err));
out:
	free(buf);
	if (d)
		kb_deb_close(d);
	return err;
}

int kb_vm_busybox_get(struct kb_cache *c, const struct kb_upstream *u,
		      const struct kb_strv *mirrors, const char *arch, char **path)
{
	const struct kb_arch *a = kb_arch_find(arch);
	char *dir = kb_cache_dir(c->workdir, "busybox");
	char *memo = kb_xasprintf("%s/%s-%s", dir, u->name, a ? a->debian : arch);
	char *sha = NULL, *tmp = NULL, *bin = NULL;
	struct kb_vm_bb_pick p = { .arch = a ? a->debian : arch };
	struct kb_cache_fetch f = { 0 };
	size_t len;
	int err = 0;

	*path = NULL;
	/* Known already: no index is fetched again. */
	if (kb_file_read(memo, 128, &sha, &len) == 0 && len == KB_SHA256_HEX_LEN) {
		bin = kb_xasprintf("%s/%s/busybox", dir, sha);
		if (access(bin, R_OK) == 0)
			goto done;
	}
	tmp = kb_xasprintf("%s/tmp.%d", dir, (int)getpid());
	err = a ? kb_mkdir_p(tmp, 0755) : -KB_EUSAGE;
	for (size_t s = 0; !err && s < u->suites.n; s++) {
		int serr = kb_vm_bb_suite(u, u->suites.v[s], tmp, &p);

		if (serr && serr != -KB_ENOTFOUND)
			err = serr;
	}
	if (!err && !p.version) {
		kb_error("%s: no %s for %s in the signed indexes of %s's suites", u->path,
			 KB_VM_BUSYBOX_PKG, p.arch, u->name);
		err = -KB_ENOTFOUND;
	}
	if (err)
		goto out;
	f = (struct kb_cache_fetch){ .sha256 = p.sha256, .size = p.size, .path = p.path,
				     .name = KB_VM_BUSYBOX_PKG, .mirrors = mirrors };
	err = kb_cache_fetch_all(c, &f, 1, 1);
	if (err)
		goto out;
	free(bin);
	bin = kb_xasprintf("%s/%s/busybox", dir, p.sha256);
	*strrchr(bin, '/') = '\0';
	err = kb_mkdir_p(bin, 0755);
	bin[strlen(bin)] = '/';
	if (!err)
		err = kb_vm_bb_extract(f.object, a, bin);
	if (!err)
		err = kb_file_write_atomic(memo, p.sha256, KB_SHA256_HEX_LEN);
	if (err)
		goto out;
	kb_info("%s: %s %s (%s) from %s", p.arch, KB_VM_BUSYBOX_PKG, p.version, p.path, u->name);
done:
	*path = bin;
	bin = NULL;
out:
	if (tmp)
		kb_rm_rf(tmp);
	free(f.object);
	free(p.version);
	free(p.path);
	free(sha);
	free(tmp);
	free(bin);
	free(memo);
	free(dir);
	return err;
}
