/* test_btf.c — BTF from kernel images (btf/btf_extract.c, lib/kimage.c) on
 * real clang output in each form a kernel carries it (tests/fixtures/btf,
 * see make-fixture.sh): an ELF's .BTF section, an Image without section
 * headers, plain and gzip'd, and an x86 bzImage with an xz payload; and
 * what must be refused: an ELF without .BTF, a truncated payload, a .BTF
 * that is not BTF, bytes that are no kernel. Also the index's btf fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "btf/btf.h"
#include "bundles/index.h"
#include "lib/error.h"
#include "lib/file.h"
#include "lib/log.h"

static char *fixture_read(const char *name, size_t *len)
{
	const char *src = getenv("KB_SRC");
	char *path = kb_xasprintf("%s/tests/fixtures/btf/%s", src ? src : ".", name), *buf = NULL;

	assert_int_equal(kb_file_read(path, 1 << 20, &buf, len), 0);
	free(path);
	return buf;
}

static void test_btf_forms(void **state)
{
	static const char *const forms[] = { "elf-with-btf", "image-raw", "image-gz", "bzimage-xz" };
	size_t wlen = 0;
	char *want = fixture_read("tiny.btf", &wlen);

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t len = 0, blen = 0;
		char *img = fixture_read(forms[i], &len);
		void *btf = NULL;

		assert_int_equal(kb_btf_from_kernel(img, len, forms[i], &btf, &blen), 0);
		assert_int_equal(blen, wlen);
		assert_memory_equal(btf, want, wlen);
		free(btf);
		free(img);
	}
	free(want);
}

static void test_btf_refused(void **state)
{
	size_t len = 0, blen = 0;
	char *elf = fixture_read("elf-with-btf", &len), *bz = NULL, *raw = NULL, *p;
	void *btf = NULL;
	char junk[4096];

	(void)state;
	/* a .BTF section whose magic is broken: found, but not BTF */
	p = memmem(elf, len, "\x9f\xeb\x01\x00", 4);
	assert_non_null(p);
	p[0] = 0;
	assert_int_equal(kb_btf_from_kernel(elf, len, "bad", &btf, &blen), -KB_EPARSE);
	/* an ELF without .BTF: this test program itself */
	free(elf);
	assert_int_equal(kb_file_read("/proc/self/exe", 64u << 20, &elf, &len), 0);
	assert_int_equal(kb_btf_from_kernel(elf, len, "exe", &btf, &blen), -KB_ENOTFOUND);
	/* a bzImage cut short inside its payload */
	bz = fixture_read("bzimage-xz", &len);
	assert_int_equal(kb_btf_from_kernel(bz, len - 100, "cut", &btf, &blen), -KB_EPARSE);
	/* a raw Image whose BTF header claims more than there is */
	raw = fixture_read("image-raw", &len);
	assert_int_equal(kb_btf_from_kernel(raw, 600, "short", &btf, &blen), -KB_ENOTFOUND);
	memset(junk, 'x', sizeof(junk));
	assert_int_equal(kb_btf_from_kernel(junk, sizeof(junk), "junk", &btf, &blen), -KB_ENOTFOUND);
	assert_int_equal(kb_btf_from_kernel(junk, 0, "empty", &btf, &blen), -KB_ENOTFOUND);
	assert_null(btf);
	free(elf);
	free(bz);
	free(raw);
}

static const char kb_idx_head[] = "{\"index_format\": 3, \"packer_format\": 1, \"bundles\": [{"
	"\"id\": \"abc\", \"distro\": \"debian\", \"uname\": \"6.1.0-57-amd64\", \"arch\": \"amd64\", "
	"\"sha256\": \"" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" "\", "
	"\"size\": 10";

static int index_with(const char *tail, struct kb_index *idx)
{
	char *text = kb_xasprintf("%s%s}]}", kb_idx_head, tail);
	int err = kb_index_parse(text, strlen(text), "t", idx);

	free(text);
	return err;
}

static void test_index_btf(void **state)
{
	static const char sha[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
	struct kb_index idx;
	char *tail, *text;
	size_t len;
	int err;

	(void)state;
	tail = kb_xasprintf(", \"btf_path\": \"abc.btf\", \"btf_sha256\": \"%s\", \"btf_size\": 4360537",
			    sha);
	assert_int_equal(index_with(tail, &idx), 0);
	assert_string_equal(idx.v[0].btf_sha256, sha);
	assert_int_equal(idx.v[0].btf_size, 4360537);
	/* written back the same way */
	text = kb_index_text(&idx, &len, &err);
	assert_int_equal(err, 0);
	assert_non_null(strstr(text, "\"btf_path\": \"abc.btf\""));
	free(text);
	kb_index_free(&idx);
	free(tail);
	assert_int_equal(index_with(", \"btf_missing\": \"the kernel has no BTF\"", &idx), 0);
	assert_string_equal(idx.v[0].btf_missing, "the kernel has no BTF");
	kb_index_free(&idx);
	/* an index a reader of the btf fields must refuse */
	assert_int_equal(index_with(", \"btf_path\": \"../x.btf\"", &idx), -KB_EPARSE);
	tail = kb_xasprintf(", \"btf_sha256\": \"%s\"", sha);	/* no size */
	assert_int_equal(index_with(tail, &idx), -KB_EPARSE);
	free(tail);
	tail = kb_xasprintf(", \"btf_sha256\": \"%s\", \"btf_size\": 1, \"btf_path\": \"other.btf\"", sha);
	assert_int_equal(index_with(tail, &idx), -KB_EPARSE);
	free(tail);
	tail = kb_xasprintf(", \"btf_sha256\": \"%s\", \"btf_size\": 99999999999", sha);
	assert_int_equal(index_with(tail, &idx), -KB_EPARSE);
	free(tail);
	assert_int_equal(index_with(", \"btf_missing\": \"a\\u001bb\"", &idx), -KB_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_btf_forms),
		cmocka_unit_test(test_btf_refused),
		cmocka_unit_test(test_index_btf),
	};

	kb_log_set_level(KB_LOG_ERROR - 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
