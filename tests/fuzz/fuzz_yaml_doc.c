/* fuzz_yaml_doc.c — the YAML loader behind upstream files and manifest.yml:
 * any input gives a tree or an error, within the depth and node limits. */
#include "lib/yaml_doc.h"
#include "tests/fuzz/fuzz.h"

static size_t kb_fuzz_walk(const struct kb_ynode *n)
{
	size_t count = 1;

	for (size_t i = 0; i < n->n; i++)
		count += kb_fuzz_walk(n->items[i]);
	if (n->type == KB_Y_MAP)
		(void)kb_ymap_str(n, "distro");
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_yaml_limits lim = { .max_depth = 64, .max_nodes = 100000 };
	struct kb_ynode *root = NULL;

	if (kb_yaml_parse((const char *)data, size, "fuzz", &lim, &root) == 0) {
		kb_fuzz_walk(root);
		kb_yaml_free(root);
	}
	return 0;
}
