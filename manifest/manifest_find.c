/* manifest_find.c — questions about a loaded manifest's packages, asked by
 * commands that hold digests (the package cache): which package has this
 * sha256, and which sha256s does any entry need. */
#include <string.h>

#include "lib/strv.h"
#include "manifest/manifest.h"

const struct kb_mpkg *kb_manifest_find_pkg(const struct kb_manifest *m, const char *sha256)
{
	for (size_t i = 0; m && i < m->n; i++) {
		for (size_t k = 0; k < m->v[i].nheaders; k++) {
			const struct kb_mpkg *p = &m->v[i].headers[k];

			if (!strcmp(p->sha256, sha256))
				return p;
			for (size_t a = 0; a < p->nalternates; a++)
				if (!strcmp(p->alternates[a].sha256, sha256))
					return p;
		}
		for (size_t k = 0; k < m->v[i].nimages; k++)
			if (!strcmp(m->v[i].images[k].sha256, sha256))
				return &m->v[i].images[k];
	}
	return NULL;
}

void kb_manifest_digests(const struct kb_manifest *m, struct kb_strv *out)
{
	for (size_t i = 0; i < m->n; i++) {
		for (size_t k = 0; k < m->v[i].nheaders; k++) {
			const struct kb_mpkg *p = &m->v[i].headers[k];

			kb_strv_push(out, p->sha256);
			for (size_t a = 0; a < p->nalternates; a++)
				kb_strv_push(out, p->alternates[a].sha256);
		}
		for (size_t k = 0; k < m->v[i].nimages; k++)
			kb_strv_push(out, m->v[i].images[k].sha256);
	}
	kb_strv_sort_unique(out);
}
