/* select.c — manifest entry selectors shared by pack, vmtest and update. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/distro.h"
#include "lib/arch.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/family.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/suggest.h"
#include "manifest/select.h"

const char *kb_select_flavour(const char *release)
{
	const char *f = release + strlen(release);

	for (const char *p = f; p > release; p--)
		if (p[-1] == '-') {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
				break;
			f = p;
		}
	return f;
}

/* Package versions compare by the entry's family's rules. */
static int kb_select_vercmp(const struct kb_bundle_entry *a, const struct kb_bundle_entry *b)
{
	return kb_family_vercmp(a->family)(a->version, b->version);
}

/* Same upstream, architecture and flavour: one line of kernels. */
static bool kb_select_same_line(const struct kb_bundle_entry *a, const struct kb_bundle_entry *b)
{
	return !strcmp(a->upstream, b->upstream) && !strcmp(a->arch, b->arch) &&
	       !strcmp(kb_select_flavour(a->release), kb_select_flavour(b->release));
}

/* Is e beaten by another selected entry of its line? */
static bool kb_select_superseded(const struct kb_manifest *m, const bool *sel, size_t i)
{
	const struct kb_bundle_entry *e = &m->v[i];

	for (size_t j = 0; j < m->n; j++) {
		const struct kb_bundle_entry *f = &m->v[j];
		int c;

		if (j == i || !sel[j] || !kb_select_same_line(f, e))
			continue;
		c = kb_select_vercmp(f, e);
		if (c > 0 || (c == 0 && strcmp(f->release, e->release) > 0) ||
		    (c == 0 && !strcmp(f->release, e->release) && strcmp(f->id, e->id) > 0))
			return true;
	}
	return false;
}

bool kb_select_any(const struct kb_select *s)
{
	return s->id || s->release_re || s->distro || s->upstream || s->arch || s->latest ||
	       s->shard.count;
}

static const char *kb_select_upstream(const struct kb_bundle_entry *e) { return e->upstream; }
static const char *kb_select_distro(const struct kb_bundle_entry *e) { return e->distro; }
static const char *kb_select_arch(const struct kb_bundle_entry *e) { return e->arch; }

/* Does some entry of m have this upstream, distro or arch (field), or is
 * it a distro or architecture kbundle knows (a wish for none is fine)?
 * Else a typo is likely: say so, with the nearest valid name, and return
 * false. */
static bool kb_select_known(const struct kb_manifest *m, const char *opt, const char *want,
			    const char *(*field)(const struct kb_bundle_entry *))
{
	struct kb_strv names = { 0 };
	char *hint;

	if (!want || (field == kb_select_arch && kb_arch_find(want)) ||
	    (field == kb_select_distro && kb_distro_find(want)))
		return true;
	for (size_t i = 0; i < m->n; i++) {
		const char *v = field(&m->v[i]);

		if (field == kb_select_arch ? kb_arch_same(v, want) : !strcmp(v, want)) {
			kb_strv_free(&names);
			return true;
		}
		kb_strv_push(&names, v);
	}
	hint = kb_suggest_text(want, &names);
	kb_error("%s '%s': no manifest entry has it; %s", opt, want, hint);
	free(hint);
	kb_strv_free(&names);
	return false;
}

int kb_select_entries(const struct kb_manifest *m, const struct kb_select *s, bool *sel,
		      size_t *n)
{
	regex_t re;
	bool have_re = false;

	*n = 0;
	if (!kb_select_known(m, "--upstream", s->upstream, kb_select_upstream) ||
	    !kb_select_known(m, "--distro", s->distro, kb_select_distro) ||
	    !kb_select_known(m, "--arch", s->arch, kb_select_arch))
		return -KB_EUSAGE;
	if (s->release_re) {
		if (regcomp(&re, s->release_re, REG_EXTENDED | REG_NOSUB) != 0) {
			kb_error("--release '%s': not a valid regular expression", s->release_re);
			return -KB_EUSAGE;
		}
		have_re = true;
	}
	for (size_t i = 0; i < m->n; i++) {
		const struct kb_bundle_entry *e = &m->v[i];

		sel[i] = (!s->id || !strncmp(e->id, s->id, strlen(s->id))) &&
			 (!s->distro || !strcmp(e->distro, s->distro)) &&
			 (!s->upstream || !strcmp(e->upstream, s->upstream)) &&
			 (!s->arch || kb_arch_same(e->arch, s->arch)) &&
			 (!have_re || regexec(&re, e->release, 0, NULL, 0) == 0);
	}
	if (have_re)
		regfree(&re);
	if (s->latest) {
		/* decide every entry against the full selection, then drop */
		bool *drop = kb_xcalloc(m->n, sizeof(*drop));

		for (size_t i = 0; i < m->n; i++)
			drop[i] = sel[i] && kb_select_superseded(m, sel, i);
		for (size_t i = 0; i < m->n; i++)
			sel[i] = sel[i] && !drop[i];
		free(drop);
	}
	for (size_t i = 0; i < m->n; i++)
		*n += sel[i];
	kb_shard_keep(m, sel, &s->shard, n);
	return 0;
}
