/* json.h — a small JSON writer for kbundle's reports (bundle.json,
 * index.json, vmtest reports): objects, arrays, strings, numbers, booleans,
 * indented two spaces, keys in the order written. It builds the text in
 * memory and is sticky: misuse (too deep, unbalanced) is remembered and
 * reported once by kb_json_finish(). */
#ifndef KB_JSON_H
#define KB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KB_JSON_MAX_DEPTH 32

struct kb_json {
	char *buf;
	size_t len, cap;
	int depth;
	bool has_items[KB_JSON_MAX_DEPTH];
	int err;
};

void kb_json_init(struct kb_json *j);
/* key is the member name inside an object, NULL inside an array or at top. */
void kb_json_obj_begin(struct kb_json *j, const char *key);
void kb_json_obj_end(struct kb_json *j);
void kb_json_arr_begin(struct kb_json *j, const char *key);
void kb_json_arr_end(struct kb_json *j);
void kb_json_str(struct kb_json *j, const char *key, const char *val);	/* NULL: null */
void kb_json_int(struct kb_json *j, const char *key, int64_t val);
void kb_json_uint(struct kb_json *j, const char *key, uint64_t val);
void kb_json_bool(struct kb_json *j, const char *key, bool val);
/* The finished text (with a final newline), handed to the caller to free;
 * NULL with -KB_EUSAGE in *err when the writer was misused. */
char *kb_json_finish(struct kb_json *j, size_t *len, int *err);
/* Free an unfinished writer. */
void kb_json_free(struct kb_json *j);

#endif
