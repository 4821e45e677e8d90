/* human.h — figures for people: byte counts as "1.9 GB", durations as
 * "1m40s". One spelling everywhere kbundle prints them. */
#ifndef KB_LIB_HUMAN_H
#define KB_LIB_HUMAN_H

#include <stddef.h>
#include <stdint.h>

#define KB_HUMAN_LEN 24

/* "512 B", "12.3 kB", "121.7 MB", "1.9 GB" (powers of 1000) into buf. */
const char *kb_human_bytes(uint64_t n, char buf[KB_HUMAN_LEN]);
/* "7s", "1m40s", "2h05m" into buf; negative: "?". */
const char *kb_human_secs(double secs, char buf[KB_HUMAN_LEN]);

#endif
