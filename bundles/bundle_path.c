/* bundle_path.c — bundle file names (see bundle_path.h). */
#include <stdlib.h>
#include <string.h>

#include "bundles/bundle_path.h"
#include "bundles/index.h"
#include "lib/file.h"

#define KB_BUNDLE_SUFFIX ".tgz"
#define KB_SIDECAR_SUFFIX ".sha256"
#define KB_LINK_SUFFIX ".link"
#define KB_BTF_SUFFIX ".btf"
#define KB_BTF_NONE_SUFFIX ".none"
#define KB_VERDICT_SUFFIX ".vmtest"

/* DIR/ID.SUFFIX, or ID.SUFFIX with no DIR: every name below is one. */
static char *kb_id_path(const char *dir, const char *id, const char *suffix)
{
	return dir ? kb_xasprintf("%s/%s%s", dir, id, suffix) : kb_xasprintf("%s%s", id, suffix);
}

char *kb_bundle_path(const char *dir, const char *id)
{
	return kb_id_path(dir, id, KB_BUNDLE_SUFFIX);
}

char *kb_bundle_sidecar_path(const char *dir, const char *id)
{
	return kb_id_path(dir, id, KB_BUNDLE_SUFFIX KB_SIDECAR_SUFFIX);
}

char *kb_bundle_sidecar_line(const char *sha256, const char *id)
{
	return kb_xasprintf("%s  %s" KB_BUNDLE_SUFFIX "\n", sha256, id);
}

char *kb_btf_path(const char *dir, const char *id)
{
	return kb_id_path(dir, id, KB_BTF_SUFFIX);
}

char *kb_btf_sidecar_path(const char *dir, const char *id)
{
	return kb_id_path(dir, id, KB_BTF_SUFFIX KB_SIDECAR_SUFFIX);
}

char *kb_btf_sidecar_line(const char *sha256, const char *id)
{
	return kb_xasprintf("%s  %s" KB_BTF_SUFFIX "\n", sha256, id);
}

char *kb_btf_none_path(const char *dir, const char *id)
{
	return kb_id_path(dir, id, KB_BTF_SUFFIX KB_BTF_NONE_SUFFIX);
}

char *kb_vmtest_verdict_path(const char *dir, const char *id)
{
	return kb_id_path(dir, id, KB_VERDICT_SUFFIX);
}

char *kb_bundle_link_path(const char *dir, const char *manifest_id)
{
	return kb_id_path(dir, manifest_id, KB_LINK_SUFFIX);
}

char *kb_bundle_alias_path(const char *distro, const char *arch, const char *uname)
{
	char *base = kb_xasprintf("bundle-%s", uname), *p = NULL;

	if (kb_index_name_safe(distro) && kb_index_name_safe(arch) && kb_index_name_safe(base))
		p = kb_xasprintf("%s/%s/%s" KB_BUNDLE_SUFFIX, distro, arch, base);
	free(base);
	return p;
}

char *kb_bundle_id_of(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n, sl = strlen(KB_BUNDLE_SUFFIX);

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > sl && !strcmp(base + n - sl, KB_BUNDLE_SUFFIX))
		n -= sl;
	return kb_xstrndup(base, n);
}
