/* distro.c — the distro table (see distro.h): one row per distro. */
#include <stdlib.h>
#include <string.h>

#include "crawler/distro.h"
#include "lib/file.h"

static const struct kb_distro kb_distro_rows[] = {
	{ "debian", KB_FAMILY_APT, "debian" },
	{ "ubuntu", KB_FAMILY_APT, "ubuntu" },
	{ "rhel", KB_FAMILY_RPMMD, "rhel" },
	{ "centos", KB_FAMILY_RPMMD, "rhel" },
	{ "almalinux", KB_FAMILY_RPMMD, "rhel" },
	{ "rocky", KB_FAMILY_RPMMD, "rhel" },
	{ "fedora", KB_FAMILY_RPMMD, "rhel" },
	{ "oraclelinux", KB_FAMILY_RPMMD, "rhel" },
	{ "amazonlinux", KB_FAMILY_RPMMD, "rhel" },
	{ "opensuse", KB_FAMILY_RPMMD, "suse" },
	{ "sles", KB_FAMILY_RPMMD, "suse" },
};

#define KB_NDISTROS (sizeof(kb_distro_rows) / sizeof(kb_distro_rows[0]))

const struct kb_distro *kb_distro_find(const char *name)
{
	for (size_t i = 0; name && i < KB_NDISTROS; i++)
		if (!strcmp(kb_distro_rows[i].name, name))
			return &kb_distro_rows[i];
	return NULL;
}

const struct kb_distro *kb_distros(size_t *n)
{
	*n = KB_NDISTROS;
	return kb_distro_rows;
}

char *kb_distro_names(enum kb_family f)
{
	char *out = kb_xstrdup("");

	for (size_t i = 0; i < KB_NDISTROS; i++) {
		char *next;

		if (kb_distro_rows[i].family != f)
			continue;
		next = kb_xasprintf("%s%s%s", out, *out ? ", " : "", kb_distro_rows[i].name);
		free(out);
		out = next;
	}
	return out;
}
