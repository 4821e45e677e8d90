/* features.c — the features built into this binary. Each backend is one
 * file the Makefile links in; this list names them for --version. */
#include "lib/features.h"

const char *kb_features(void)
{
	return "http(libcurl) sha256(openssl) archive(libarchive) yaml(libyaml) "
	       "deb-version(libapt-pkg) rpm-version(librpm)";
}
