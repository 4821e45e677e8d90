/* vercmp.h — version ordering from the distros' own libraries:
 * libapt-pkg (through the small C++ shim in vercmp_apt.cc) and librpm. */
#ifndef KB_VERCMP_H
#define KB_VERCMP_H

/* <0, 0, >0 like strcmp, by Debian policy (epoch:upstream-revision, ~). */
int kb_deb_vercmp(const char *a, const char *b);
/* <0, 0, >0 by rpm's rules for one version or release string. */
int kb_rpm_vercmp(const char *a, const char *b);
/* <0, 0, >0 comparing full "[epoch:]version-release" strings with librpm. */
int kb_rpm_evrcmp(const char *a, const char *b);

#endif
