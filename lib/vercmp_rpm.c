/* vercmp_rpm.c — rpm version and EVR ordering through librpm. */
#include <rpm/rpmver.h>

#include "lib/vercmp.h"

int kb_rpm_vercmp(const char *a, const char *b)
{
	return rpmvercmp(a, b);
}

int kb_rpm_evrcmp(const char *a, const char *b)
{
	rpmver va = rpmverParse(a), vb = rpmverParse(b);
	int r;

	if (va && vb)
		r = rpmverCmp(va, vb);
	else
		r = rpmvercmp(a, b);
	rpmverFree(va);
	rpmverFree(vb);
	return r;
}
