/* fuzz_release.c — an apt Release file (the text gpgv verified), then the
 * lookup of a Packages index in it as the crawler does. */
#include "crawler/apt_release.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_apt_release r;

	if (kb_apt_release_parse((const char *)data, size, "fuzz", &r) == 0) {
		(void)kb_apt_release_packages(&r, "main", "amd64");
		kb_apt_release_free(&r);
	}
	return 0;
}
