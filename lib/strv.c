/* strv.c — string arrays and sorted string sets (see strv.h). */
#include <stdlib.h>
#include <string.h>

#include "lib/file.h"
#include "lib/strv.h"

void kb_strv_push(struct kb_strv *v, const char *s)
{
	v->v = kb_xrealloc(v->v, sizeof(*v->v) * (v->n + 1));
	v->v[v->n++] = kb_xstrdup(s);
}

static int kb_strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void kb_strv_sort_unique(struct kb_strv *v)
{
	size_t k = 0;

	if (!v->n)
		return;
	qsort(v->v, v->n, sizeof(*v->v), kb_strv_cmp);
	for (size_t i = 1; i < v->n; i++) {
		if (!strcmp(v->v[i], v->v[k]))
			free(v->v[i]);
		else
			v->v[++k] = v->v[i];
	}
	v->n = k + 1;
}

bool kb_strv_has(const struct kb_strv *v, const char *s)
{
	return v->n && bsearch(&s, v->v, v->n, sizeof(*v->v), kb_strv_cmp) != NULL;
}

void kb_strv_free(struct kb_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}
