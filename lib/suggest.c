/* suggest.c — the nearest valid name to a mistyped one (suggest.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/file.h"
#include "lib/suggest.h"

/* Levenshtein distance of a and b, case folded, stopping early above cap. */
static size_t kb_suggest_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), d;
	size_t *row;

	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	row = kb_xcalloc(lb + 1, sizeof(*row));
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t sub = diag + (tolower((unsigned char)a[i - 1]) !=
					     tolower((unsigned char)b[j - 1]));

			row[j] = sub;
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

const char *kb_suggest_nearest(const char *word, const struct kb_strv *names)
{
	size_t cap = strlen(word) > 2 ? 2 : strlen(word) - (strlen(word) > 0);
	const char *best = NULL;
	size_t best_d = cap + 1;

	for (size_t i = 0; i < names->n; i++) {
		size_t d = kb_suggest_distance(word, names->v[i], cap);

		if (d < best_d) {
			best = names->v[i];
			best_d = d;
		}
	}
	return best;
}

char *kb_suggest_text(const char *word, const struct kb_strv *names)
{
	struct kb_strv sorted = { 0 };
	const char *near = kb_suggest_nearest(word, names);
	char *list, *text;
	size_t len = 1;

	for (size_t i = 0; i < names->n; i++)
		kb_strv_push(&sorted, names->v[i]);
	kb_strv_sort_unique(&sorted);
	for (size_t i = 0; i < sorted.n; i++)
		len += strlen(sorted.v[i]) + 2;
	list = kb_xcalloc(len, 1);
	for (size_t i = 0; i < sorted.n; i++) {
		if (i)
			strcat(list, ", ");
		strcat(list, sorted.v[i]);
	}
	if (!sorted.n)
		text = kb_xstrdup("none are known");
	else if (near)
		text = kb_xasprintf("did you mean %s? valid: %s", near, list);
	else
		text = kb_xasprintf("valid: %s", list);
	free(list);
	kb_strv_free(&sorted);
	return text;
}
