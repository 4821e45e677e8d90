/* fuzz_extract.c — bundles/' one safe extractor and meta reader on any
 * input, as `fetch --extract` and vmtest run them on a bundle from outside:
 * the bytes are read from a memory file, extracted for real into a fresh
 * root inside a private directory, and the meta files read from the tree
 * and from the archive. Whatever the input, the invariant is checked after
 * each run and a breach aborts (a finding): nothing but the root appears in
 * the private directory, and no symlink in the tree resolves outside it. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "bundles/bundle_meta.h"
#include "bundles/extract.h"
#include "lib/file.h"
#include "tests/fuzz/fuzz.h"

static const char *kb_fuzz_root;	/* realpath of the root, for kb_fuzz_link */

static int kb_fuzz_link(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char *real;
	size_t rl = strlen(kb_fuzz_root);

	(void)st;
	(void)ftw;
	if (flag != FTW_SL && flag != FTW_SLN)
		return 0;
	real = realpath(path, NULL);
	if (real && (strncmp(real, kb_fuzz_root, rl) != 0 || (real[rl] && real[rl] != '/'))) {
		fprintf(stderr, "symlink %s resolves outside the tree: %s\n", path, real);
		abort();
	}
	free(real);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_archive_limits lim = { .max_total = 16u << 20, .max_entries = 4096 };
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char path[64], *top = kb_xasprintf("%s/kb-fuzz-extract.XXXXXX", base), *root, *real;
	struct kb_bundle_meta m;
	int fd = kb_fuzz_memfile(data, size, path, sizeof(path)), n = 0;
	DIR *d;
	struct dirent *de;

	if (!mkdtemp(top))
		abort();
	root = kb_path_join(top, "root");
	if (mkdir(root, 0755) != 0 || !(real = realpath(root, NULL)))
		abort();
	if (kb_bundle_unpack(path, "fuzz", root, &lim) == 0 && kb_bundle_meta_load(root, "fuzz", &m) == 0) {
		char *bd = NULL;

		kb_bundle_meta_build_dir(root, "fuzz", &m, &bd);
		free(bd);
		kb_bundle_meta_free(&m);
	}
	if (kb_bundle_meta_peek(path, &m) == 0)
		kb_bundle_meta_free(&m);
	/* the invariant, whether the extraction was refused or not */
	kb_fuzz_root = real;
	nftw(root, kb_fuzz_link, 16, FTW_PHYS);
	d = opendir(top);
	while (d && (de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	if (n != 1) {
		fprintf(stderr, "%d entries beside the root in %s\n", n, top);
		abort();
	}
	kb_rm_rf(top);
	close(fd);
	free(real);
	free(root);
	free(top);
	return 0;
}
