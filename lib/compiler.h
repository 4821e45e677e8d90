/* compiler.h — which compiler built a kernel, read from the kernel's own
 * configuration (.config, include/config/auto.conf or
 * include/generated/autoconf.h: CONFIG_CC_VERSION_TEXT, CONFIG_CC_IS_GCC,
 * CONFIG_CC_IS_CLANG, CONFIG_GCC_VERSION, CONFIG_CLANG_VERSION), or from a
 * compiler's own `--version` line (the text kconfig stores).
 *
 * The short form is the compiler "spec", `<kind>-<major>` (gcc-14,
 * clang-18): the name Debian gives the compiler's command and package, the
 * value of a bundle's BUNDLE_COMPILER, and what the toolchain stage is
 * asked for. The major version is what must match for a module build; the
 * full version and text are kept for reports. */
#ifndef KB_COMPILER_H
#define KB_COMPILER_H

#include <stddef.h>

enum kb_cc_kind {
	KB_CC_UNKNOWN = 0,
	KB_CC_GCC,
	KB_CC_CLANG,
};

struct kb_compiler {
	enum kb_cc_kind kind;
	unsigned major, minor, patch;
	char version[32];	/* "14.2.0" */
	char *text;		/* the version text, malloc'd; NULL when the config has none */
};

/* Parse a kernel configuration text in any of its three forms. 0, or
 * -KB_ENOTFOUND when it names no compiler (kernels before 4.18), or
 * -KB_EPARSE when it names one without a version. c is always initialised;
 * kb_compiler_free it. */
int kb_compiler_from_config(const char *buf, size_t len, struct kb_compiler *c);
/* Parse one `cc --version` first line ("x86_64-linux-gnu-gcc-14 (Debian
 * 14.2.0-19) 14.2.0", "Debian clang version 16.0.6 (15)"): 0 or -KB_EPARSE. */
int kb_compiler_from_text(const char *text, size_t len, struct kb_compiler *c);
void kb_compiler_free(struct kb_compiler *c);

const char *kb_cc_kind_name(enum kb_cc_kind kind);
/* The spec "gcc-14" into buf (at least KB_COMPILER_SPEC_MAX bytes). */
#define KB_COMPILER_SPEC_MAX 32
void kb_compiler_spec(const struct kb_compiler *c, char buf[KB_COMPILER_SPEC_MAX]);
/* Parse a spec "gcc-14" / "clang-18": 0 or -KB_EPARSE. */
int kb_compiler_spec_parse(const char *spec, enum kb_cc_kind *kind, unsigned *major);

#endif
