/* kmods.h — the kernel's own modules, taken from its image packages (never
 * the host's): an index of every module the packages ship for a release,
 * with the depends= of each (read from its .modinfo: Debian and RPM
 * packages ship no modules.dep, depmod makes it at install time), and the
 * few modules a test needs, extracted and decompressed (.ko.xz, .ko.zst,
 * .ko.gz) in process. Both are cached beside the kernel, in
 * WORKDIR/cache/kernels/<image sha256>/. */
#ifndef KB_VM_KMODS_H
#define KB_VM_KMODS_H

#include <stdbool.h>
#include <stddef.h>

/* One module: its name as the kernel knows it (dashes as underscores), the
 * module names it depends on, and where it is (an archive member in the
 * index; a host path for a unit's built module). */
struct kb_vm_kmod {
	char *name;
	char *path;
	char **deps;
	size_t ndeps;
};

/* Sorted by name. */
struct kb_vm_kmods {
	struct kb_vm_kmod *v;
	size_t n;
};

/* The module name of an image package member when it is a module of
 * release (lib/modules/<release>/… or usr/lib/modules/<release>/…, .ko,
 * .ko.xz, .ko.zst, .ko.gz), else NULL. malloc'd. */
char *kb_vm_kmod_member(const char *path, const char *release);

/* The kernel module name of a file name: base name without the .ko[.*]
 * suffix, dashes as underscores. malloc'd. */
char *kb_vm_kmod_name(const char *file);

/* [A-Za-z0-9_]{1,255}: what a module name may be here (it becomes a file
 * name and a word of the guest's /init). */
bool kb_vm_kmod_name_ok(const char *name);

/* Split a depends= value ("a,b-c") into normalised names. */
void kb_vm_kmod_deps_parse(const char *val, char ***deps, size_t *n);

/* The index of release's modules in pkgs, read from dir/kmods.tsv or made
 * from the packages (one pass, every module's .modinfo read) and written
 * there. -KB_ENOTFOUND when the packages hold no module of release. */
int kb_vm_kmods_index(const char *dir, const char *const *pkgs, size_t npkgs,
		      const char *release, struct kb_vm_kmods *out);

/* Parse an index (name TAB member TAB dep,dep… a line). -KB_EPARSE on a
 * malformed line (logged with name:line). */
int kb_vm_kmods_parse(const char *buf, size_t len, const char *name, struct kb_vm_kmods *out);

const struct kb_vm_kmod *kb_vm_kmods_find(const struct kb_vm_kmods *m, const char *name);

/* Make sure dir/kmods-<release>/<name>.ko (decompressed) exists for each
 * of names, extracting the missing ones from pkgs in one pass; *paths (n
 * entries, malloc'd) are their host paths, in the order of names. */
int kb_vm_kmods_extract(const char *dir, const char *const *pkgs, size_t npkgs,
			const char *release, char *const *names, size_t n, char ***paths);

void kb_vm_kmods_free(struct kb_vm_kmods *m);

#endif
