/* archive_safe.h — the checks every archive entry passes before kbundle uses
 * it, shared by the packer (reading .deb/.rpm payloads) and bundle fetch
 * (reading .tgz bundles). An entry that fails is an error naming the archive
 * and the entry; nothing from it is used.
 *
 * Refused: absolute paths and ".." (-KB_EUNSAFE), symlinks whose target
 * leaves the tree when resolved from the entry's directory, hardlinks that
 * name anything but an earlier regular file of the same archive, device
 * nodes, FIFOs and sockets. Setuid, setgid and sticky bits are stripped.
 * Limits (-KB_ELIMIT): path length, entry count, total decompressed bytes,
 * and the decompressed/compressed ratio (a decompression bomb). */
#ifndef KB_ARCHIVE_SAFE_H
#define KB_ARCHIVE_SAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct archive_entry;

struct kb_limits;

struct kb_archive_limits {
	/* the command's limits (lib/limits.h, the --max-* flags); NULL: defaults */
	const struct kb_limits *base;
	/* 0: base's */
	size_t max_entries;	/* 0: max_entries */
	size_t max_path;	/* bytes of a path or link target; 0: max_path */
	uint64_t max_total;	/* decompressed bytes of all entries; 0: max_unpacked_size */
	uint64_t max_ratio;	/* decompressed / compressed; 0: max_ratio */
	/* Packages may hold absolute symlinks (/lib/modules/X/build ->
	 * /usr/src/…): allowed here, they are resolved inside the package set
	 * later and never on the host. Bundles must not hold any. */
	bool allow_abs_symlinks;
};

struct kb_archive_guard {
	const char *name;	/* archive, for messages */
	struct kb_archive_limits lim;
	uint64_t compressed;	/* size of the archive file, for the ratio */
	uint64_t total;
	size_t entries;
};

enum kb_entry_type { KB_ENTRY_DIR, KB_ENTRY_FILE, KB_ENTRY_SYMLINK, KB_ENTRY_HARDLINK };

/* A checked entry: path normalized ("./a//b/" -> "a/b"; "" for the root). */
struct kb_safe_entry {
	enum kb_entry_type type;
	char *path;		/* malloc'd */
	char *link;		/* symlink target as stored, or normalized hardlink target */
	unsigned mode;		/* permission bits, setuid/setgid/sticky stripped */
	uint64_t size;
};

void kb_archive_guard_init(struct kb_archive_guard *g, const char *name, uint64_t compressed,
			   const struct kb_archive_limits *lim);
/* Check an entry header before reading its data. Logs and returns
 * -KB_EUNSAFE or -KB_ELIMIT, naming the archive and the entry. */
int kb_archive_check_entry(struct kb_archive_guard *g, struct archive_entry *e,
			   struct kb_safe_entry *out);
/* Count n more decompressed bytes of entry path (total and ratio limits). */
int kb_archive_account(struct kb_archive_guard *g, const char *path, uint64_t n);
void kb_safe_entry_free(struct kb_safe_entry *se);

/* Normalize a relative path lexically: drop "." and empty parts, refuse
 * absolute paths and any ".." (returns NULL). */
char *kb_path_normalize(const char *p);
/* Where a symlink at entry path points, resolved lexically from the
 * entry's directory; NULL when it climbs above the root. An absolute
 * target is taken from the root ("/usr/x" -> "usr/x"). malloc'd. */
char *kb_link_resolve(const char *entry_path, const char *target);
/* The relative symlink target that leads from a link at from_path to
 * to_path (both normalized, relative to the same root). malloc'd. */
char *kb_link_relative(const char *from_path, const char *to_path);

#endif
