/* bundle_path.h — the one place that names bundle files: a bundle with id
 * ID is the file "<ID>.tgz", beside its sha256sum sidecar "<ID>.tgz.sha256"
 * (in WORKDIR/bundles/, a published directory, a fetch's -o directory, or
 * under a server's base URL), and "<manifest id>.link" naming the bundle
 * of a manifest entry packed with an alternate package (WORKDIR/bundles/
 * only). Nothing else spells these names. */
#ifndef KB_BUNDLE_PATH_H
#define KB_BUNDLE_PATH_H

/* "dir/<id>.tgz", or "<id>.tgz" when dir is NULL (dir may be a URL). malloc'd. */
char *kb_bundle_path(const char *dir, const char *id);
/* "dir/<id>.tgz.sha256", or "<id>.tgz.sha256" when dir is NULL. malloc'd. */
char *kb_bundle_sidecar_path(const char *dir, const char *id);
/* The sidecar's text, sha256sum's format: "<sha256>  <id>.tgz\n". malloc'd. */
char *kb_bundle_sidecar_line(const char *sha256, const char *id);
/* "dir/<manifest_id>.link": when a bundle was packed with an alternate
 * package (manifest.h), its id is not its manifest entry's; this one-line
 * file names it ("<id>\n"). malloc'd. */
char *kb_bundle_link_path(const char *dir, const char *manifest_id);
/* A store's stable alias of the bundle of one kernel, which a product
 * without kbundle can guess: "<distro>/<arch>/bundle-<uname>.tgz" (its
 * sidecar: kb_bundle_sidecar_path(dir, the same without ".tgz")). NULL when
 * a part is not a safe file name (kb_index_name_safe). malloc'd. */
char *kb_bundle_alias_path(const char *distro, const char *arch, const char *uname);

/* The kernel's BTF beside the bundle with id ID: "dir/<id>.btf" (dir NULL:
 * "<id>.btf"), its sidecar "dir/<id>.btf.sha256" and that sidecar's text
 * ("<sha256>  <id>.btf\n"), and, in WORKDIR/bundles/ only, "dir/<id>.btf.none"
 * saying why the kernel has none. malloc'd. */
char *kb_btf_path(const char *dir, const char *id);
char *kb_btf_sidecar_path(const char *dir, const char *id);
char *kb_btf_sidecar_line(const char *sha256, const char *id);
char *kb_btf_none_path(const char *dir, const char *id);
/* dir/<id>.vmtest: the last vmtest verdict on the bundle's bytes
 * (bundles/vmtest_verdict.h) */
char *kb_vmtest_verdict_path(const char *dir, const char *id);

/* The id a bundle file's name gives: its base name without ".tgz" (the
 * whole base name when it has no such suffix). malloc'd. */
char *kb_bundle_id_of(const char *path);

#endif
