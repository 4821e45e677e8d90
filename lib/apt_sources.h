/* apt_sources.h — the "apt-sources" mirror: the Debian mirror this machine's
 * apt is configured with, read from /etc/apt/sources.list and
 * /etc/apt/sources.list.d/ (both one-line and deb822 .sources files). */
#ifndef KB_APT_SOURCES_H
#define KB_APT_SOURCES_H

#include <stdbool.h>
#include <stddef.h>

/* The URI of the apt source that serves suite: one listing that suite
 * exactly; else one whose suites share its "-security" or plain kind (so
 * bullseye-security maps to the security mirror configured for bookworm);
 * else the first. root overrides "/" (tests). Returns a malloc'd URL
 * without trailing slash, or NULL when apt has no deb source. */
char *kb_apt_sources_mirror(const char *root, const char *suite);
/* The same choice over one file's text in memory (fuzzing, tests): a
 * one-line sources.list, or a deb822 .sources file when deb822. */
char *kb_apt_sources_mirror_mem(const char *buf, size_t len, bool deb822, const char *suite);

#endif
