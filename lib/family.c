/* family.c — the family rows of lib/family.h: names and version order. */
#include <stdio.h>
#include <string.h>

#include "lib/error.h"
#include "lib/family.h"

static const struct {
	const char *name;
	kb_vercmp_fn vercmp;
} kb_families[KB_FAMILY_COUNT] = {
#define KB_FAMILY_ROW(e, id, name, vercmp) [KB_FAMILY_##e] = { name, vercmp },
	KB_FAMILIES(KB_FAMILY_ROW)
#undef KB_FAMILY_ROW
};

const char *kb_family_name(enum kb_family f)
{
	return (unsigned)f < KB_FAMILY_COUNT ? kb_families[f].name : "?";
}

int kb_family_parse(const char *name, enum kb_family *f)
{
	for (unsigned i = 0; i < KB_FAMILY_COUNT; i++)
		if (!strcmp(name, kb_families[i].name)) {
			*f = (enum kb_family)i;
			return 0;
		}
	return -KB_ENOTFOUND;
}

const char *kb_family_names(void)
{
	static _Thread_local char buf[256];

	buf[0] = '\0';
	for (unsigned i = 0; i < KB_FAMILY_COUNT; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s'%s'",
			 !i ? "" : i + 1 < KB_FAMILY_COUNT ? ", " : " or ", kb_families[i].name);
	return buf;
}

kb_vercmp_fn kb_family_vercmp(enum kb_family f)
{
	return kb_families[f].vercmp;
}
