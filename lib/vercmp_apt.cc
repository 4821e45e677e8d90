// vercmp_apt.cc — the only C++ in kbundle: a C shim over libapt-pkg's
// Debian version comparison, so no one hand-rolls Debian policy.
#include <apt-pkg/debversion.h>


extern "C" int kb_deb_vercmp(const char *a, const char *b);

extern "C" int kb_deb_vercmp(const char *a, const char *b)
{
	return debVS.CmpVersion(a, b);
}
