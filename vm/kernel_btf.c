/* kernel_btf.c — a cached kernel's BTF and vmlinux.h (see kernel_btf.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "btf/btf.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"
#include "vm/kernel.h"
#include "vm/kernel_btf.h"

#define KB_VM_NO_BTF "the kernel has no BTF (built without CONFIG_DEBUG_INFO_BTF)"

static bool kb_vm_btf_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

int kb_vm_kernel_btf(const char *cache_dir, const char *key, char **btf_path, char **why)
{
	char *dir = kb_xasprintf("%s/%s", cache_dir, key);
	char *btf = kb_path_join(dir, "btf"), *nobtf = kb_path_join(dir, "no-btf");
	char *vmlinuz = kb_path_join(dir, "vmlinuz"), *text = NULL;
	size_t len = 0;
	int err = 0;

	*btf_path = *why = NULL;
	if (kb_vm_btf_exists(btf))
		goto out;
	if (kb_file_read(nobtf, 4096, &text, &len) == 0) {
		*why = text;
		text = NULL;
		err = -KB_ENOTFOUND;
		goto out;
	}
	if (!kb_vm_btf_exists(vmlinuz)) {
		*why = kb_xasprintf("the kernel is not in the cache (%s)", vmlinuz);
		err = -KB_ENOTFOUND;
		goto out;
	}
	err = kb_btf_extract_file(vmlinuz, btf);
	if (err == -KB_ENOTFOUND) {
		*why = kb_xstrdup(KB_VM_NO_BTF);
		if (kb_file_write_atomic(nobtf, *why, strlen(*why)))
			kb_warn("%s: not written; the next run looks again", nobtf);
	} else if (err) {
		*why = kb_xasprintf("its BTF could not be read from %s: %s", vmlinuz,
				    kb_strerror(err));
	}
out:
	if (!err)
		*btf_path = btf;
	else
		free(btf);
	free(dir);
	free(nobtf);
	free(vmlinuz);
	free(text);
	return err;
}

int kb_vm_kernel_vmlinux_h(const char *cache_dir, const char *key, char **h_path, char **why)
{
	char *btf = NULL, *dir = NULL;
	int err = kb_vm_kernel_btf(cache_dir, key, &btf, why);

	*h_path = NULL;
	if (err)
		return err;
	dir = kb_xasprintf("%s/%s", cache_dir, key);
	err = kb_btf_vmlinux_h(btf, dir, h_path);
	if (err)
		*why = kb_xasprintf("no vmlinux.h: bpftool could not dump %s (see above)", btf);
	free(dir);
	free(btf);
	return err;
}

int kb_vm_image_btf(const char *pkg, enum kb_family family, const char *out)
{
	const char *tmpdir = getenv("TMPDIR");
	char *dir = kb_xasprintf("%s/kbundle-btf.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	char *vmlinuz = NULL, *found = NULL;
	int err = 0;

	if (!mkdtemp(dir)) {
		err = -errno;
		kb_error("%s: %s", dir, kb_strerror(err));
		free(dir);
		return err;
	}
	vmlinuz = kb_path_join(dir, "vmlinuz");
	err = kb_vm_kernel_extract(pkg, family, NULL, vmlinuz, &found);
	if (!err)
		err = kb_btf_extract_file(vmlinuz, out);
	kb_rm_rf(dir);
	free(dir);
	free(vmlinuz);
	free(found);
	return err;
}
