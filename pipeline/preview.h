/* preview.h — what pack or vmtest would do over the selected entries,
 * found without doing any of it: no lock, no directory made, nothing
 * downloaded. For --dry-run and for the --all guard ("this would pack 113
 * bundles, 1.9 GB to download"). */
#ifndef KB_PREVIEW_H
#define KB_PREVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/json.h"
#include "pipeline/entries.h"

struct kb_preview {
	size_t entries;		/* selected */
	size_t packed;		/* of those, packed already (bundle and stamp in place) */
	size_t packages;	/* distinct packages the work needs */
	size_t missing;		/* of those, not in the cache: to download */
	uint64_t bytes;		/* their size */
};

/* Over s's selection (kb_entries_select) and WORKDIR's cache and bundles:
 * the header packages of the entries not packed yet, and with images also
 * each entry's kernel image and modules packages (what vmtest boots). */
void kb_preview_entries(const struct kb_entries *s, const char *workdir, bool images,
			struct kb_preview *p);

/* "113 bundles (2 packed already), 226 of 230 packages to download (1.9 GB)":
 * malloc'd, for messages. */
char *kb_preview_text(const struct kb_preview *p);

/* p's members into the open object j. */
void kb_preview_json(struct kb_json *j, const struct kb_preview *p);

#endif
