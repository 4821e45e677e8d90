/* recognise_deb.c — kernel package names of Debian and Ubuntu (rules and the
 * reasons for each exclusion are in recognise_deb.h). Names are parsed by
 * hand, token by token, because the whole question is "is what follows the
 * prefix a real ABI", which a prefix match alone gets wrong for meta
 * packages such as linux-headers-6.12-amd64. */
#include <string.h>

#include "crawler/recognise_deb.h"

static bool kb_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static bool kb_isalnum_lower(char c)
{
	return kb_isdigit(c) || (c >= 'a' && c <= 'z');
}

static size_t kb_digits(struct kb_str s, size_t i)
{
	size_t j = i;

	while (j < s.n && kb_isdigit(s.p[j]))
		j++;
	return j - i;
}

/* Length of the "X.Y" series at the start of s (0 if none). */
static size_t kb_series_len(struct kb_str s)
{
	size_t i = kb_digits(s, 0), d;

	if (!i || i >= s.n || s.p[i] != '.')
		return 0;
	d = kb_digits(s, i + 1);
	return d ? i + 1 + d : 0;
}

/* Length of the ABI (X.Y.Z-N or X.Y.Z+tag) at the start of s, which must be
 * followed by the end or '-'; 0 if s does not start with one. */
static size_t kb_abi_len(struct kb_str s)
{
	size_t i = kb_series_len(s), d;

	if (!i || i >= s.n || s.p[i] != '.')
		return 0;
	d = kb_digits(s, i + 1);
	if (!d)
		return 0;
	i += 1 + d;
	if (i >= s.n)
		return 0;
	if (s.p[i] == '-') {
		d = kb_digits(s, i + 1);
	} else if (s.p[i] == '+') {
		/* a tag of words joined by dots: deb12, deb13.1 (6.12.115+deb13.1) */
		d = 0;
		while (i + 1 + d < s.n && (kb_isalnum_lower(s.p[i + 1 + d]) ||
					   (s.p[i + 1 + d] == '.' && d && s.p[i + d] != '.')))
			d++;
		if (d && s.p[i + d] == '.')
			return 0;
	} else {
		return 0;
	}
	if (!d)
		return 0;
	i += 1 + d;
	return i == s.n || s.p[i] == '-' ? i : 0;
}

/* A flavour: lowercase words joined by single dashes, and not a debug or
 * template package. */
static bool kb_flavour_ok(struct kb_str f)
{
	if (!f.n || f.p[0] == '-' || f.p[f.n - 1] == '-')
		return false;
	for (size_t i = 0; i < f.n; i++) {
		if (!(kb_isalnum_lower(f.p[i]) || f.p[i] == '-'))
			return false;
		if (f.p[i] == '-' && f.p[i + 1] == '-')
			return false;
	}
	return !kb_str_endswith(f, "-dbg") && !kb_str_endswith(f, "-dbgsym") &&
	       !kb_str_endswith(f, "-signed-template") && !kb_str_eq(f, "dbg") &&
	       !kb_str_eq(f, "dbgsym");
}

static struct kb_str kb_after(struct kb_str s, size_t n)
{
	return kb_str(s.p + n, s.n - n);
}

static bool kb_match(struct kb_deb_match *m, enum kb_kind kind, struct kb_str release)
{
	m->kind = kind;
	m->release = release;
	return true;
}

/* "<abi>-<flavour>": the whole of rest, with the flavour checked. */
static bool kb_abi_flavour(struct kb_str rest, size_t *abi)
{
	*abi = kb_abi_len(rest);
	return *abi && *abi < rest.n && kb_flavour_ok(kb_after(rest, *abi + 1));
}

bool kb_recognise_debian(struct kb_str name, struct kb_deb_match *m)
{
	struct kb_str rest;
	size_t abi;

	if (kb_str_startswith(name, "linux-headers-")) {
		rest = kb_after(name, strlen("linux-headers-"));
		abi = kb_abi_len(rest);
		if (!abi || abi == rest.n)
			return false;
		if (kb_str_eq(kb_after(rest, abi), "-common") ||
		    kb_str_eq(kb_after(rest, abi), "-common-rt"))
			return kb_match(m, KB_KIND_HEADERS_COMMON, kb_str(rest.p, abi));
		return kb_abi_flavour(rest, &abi) && kb_match(m, KB_KIND_HEADERS, rest);
	}
	if (kb_str_startswith(name, "linux-image-")) {
		rest = kb_after(name, strlen("linux-image-"));
		if (kb_str_endswith(rest, "-unsigned"))
			rest.n -= strlen("-unsigned");
		return kb_abi_flavour(rest, &abi) && kb_match(m, KB_KIND_IMAGE, rest);
	}
	/* Debian 13's 7.x kernels (trixie-backports, forky): linux-image-<rel>
	 * only depends on linux-binary-<rel> (the kernel) and
	 * linux-modules-<rel> (its modules). They exist only with the +debN
	 * ABIs (6.12 on); an X.Y.Z-N name is nothing Debian ships.
	 * linux-binary-unsigned-<rel> is the signing input, never a
	 * dependency: it has no ABI after the prefix. */
	if (kb_str_startswith(name, "linux-binary-")) {
		rest = kb_after(name, strlen("linux-binary-"));
		return kb_abi_flavour(rest, &abi) && memchr(rest.p, '+', abi) &&
		       kb_match(m, KB_KIND_IMAGE, rest);
	}
	if (kb_str_startswith(name, "linux-modules-")) {
		rest = kb_after(name, strlen("linux-modules-"));
		return kb_abi_flavour(rest, &abi) && memchr(rest.p, '+', abi) &&
		       kb_match(m, KB_KIND_MODULES, rest);
	}
	if (kb_str_startswith(name, "linux-kbuild-")) {
		size_t n;

		rest = kb_after(name, strlen("linux-kbuild-"));
		n = kb_series_len(rest);
		if (n && n == rest.n)
			return kb_match(m, KB_KIND_KBUILD, rest);
		n = kb_abi_len(rest);
		return n && n == rest.n && kb_match(m, KB_KIND_KBUILD, rest);
	}
	return false;
}

bool kb_recognise_ubuntu(struct kb_str name, struct kb_deb_match *m)
{
	struct kb_str rest;
	size_t abi;

	if (kb_str_startswith(name, "linux-headers-")) {
		rest = kb_after(name, strlen("linux-headers-"));
		abi = kb_abi_len(rest);
		if (abi && abi == rest.n)
			return kb_match(m, KB_KIND_HEADERS_COMMON, rest);
		return kb_abi_flavour(rest, &abi) && kb_match(m, KB_KIND_HEADERS, rest);
	}
	if (kb_str_startswith(name, "linux-image-")) {
		rest = kb_after(name, strlen("linux-image-"));
		if (kb_str_startswith(rest, "unsigned-"))
			rest = kb_after(rest, strlen("unsigned-"));
		return kb_abi_flavour(rest, &abi) && kb_match(m, KB_KIND_IMAGE, rest);
	}
	if (kb_str_startswith(name, "linux-modules-")) {
		rest = kb_after(name, strlen("linux-modules-"));
		return kb_abi_flavour(rest, &abi) && kb_match(m, KB_KIND_MODULES, rest);
	}
	if (kb_str_startswith(name, "linux-")) {
		/* linux-<variant>-headers-<abi>: linux-aws-headers-6.8.0-1015,
		 * linux-hwe-6.8-headers-6.8.0-45 */
		struct kb_str variant;
		const char *h = memmem(name.p, name.n, "-headers-", strlen("-headers-"));

		if (!h)
			return false;
		variant = kb_str(name.p + strlen("linux-"), (size_t)(h - name.p) - strlen("linux-"));
		rest = kb_str(h + strlen("-headers-"), name.n - (size_t)(h - name.p) - strlen("-headers-"));
		abi = kb_abi_len(rest);
		for (size_t i = 0; i < variant.n; i++)
			if (!(kb_isalnum_lower(variant.p[i]) || variant.p[i] == '-' || variant.p[i] == '.'))
				return false;
		return variant.n && abi && abi == rest.n &&
		       kb_match(m, KB_KIND_HEADERS_COMMON, rest);
	}
	return false;
}

static const struct {
	const char *distro;
	kb_deb_recogniser fn;
} kb_deb_recognisers[] = {
	{ "debian", kb_recognise_debian },
	{ "ubuntu", kb_recognise_ubuntu },
};

kb_deb_recogniser kb_deb_recogniser_for(const char *distro)
{
	for (size_t i = 0; i < sizeof(kb_deb_recognisers) / sizeof(kb_deb_recognisers[0]); i++)
		if (!strcmp(distro, kb_deb_recognisers[i].distro))
			return kb_deb_recognisers[i].fn;
	return NULL;
}
