/* human.c — figures for people (human.h). */
#include <stdio.h>

#include "lib/human.h"

const char *kb_human_bytes(uint64_t n, char buf[KB_HUMAN_LEN])
{
	static const char *const unit[] = { "kB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = -1;

	while (v >= 1000 && u < 3) {
		v /= 1000;
		u++;
	}
	if (u < 0)
		snprintf(buf, KB_HUMAN_LEN, "%u B", (unsigned)n);
	else
		snprintf(buf, KB_HUMAN_LEN, "%.1f %s", v, unit[u]);
	return buf;
}

const char *kb_human_secs(double secs, char buf[KB_HUMAN_LEN])
{
	unsigned long s = secs > 0 && secs < 1e9 ? (unsigned long)(secs + 0.5) : 0;

	if (secs < 0 || secs >= 1e9)
		snprintf(buf, KB_HUMAN_LEN, "?");
	else if (s < 60)
		snprintf(buf, KB_HUMAN_LEN, "%lus", s);
	else if (s < 3600)
		snprintf(buf, KB_HUMAN_LEN, "%lum%02lus", s / 60, s % 60);
	else
		snprintf(buf, KB_HUMAN_LEN, "%luh%02lum", s / 3600, s / 60 % 60);
	return buf;
}
