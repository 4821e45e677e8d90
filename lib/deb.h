/* deb.h — open a .deb's data.tar.* member as a libarchive reader, in process
 * (no dpkg-deb, ar or tar subprocess). Callers walk the returned archive with
 * archive_read_next_header()/archive_read_data() and must check each entry
 * (see lib/archive_safe.h) before it touches the disk. */
#ifndef KB_DEB_H
#define KB_DEB_H

struct archive;
struct kb_deb;

int kb_deb_open(const char *path, struct kb_deb **out);
/* Open from memory (fuzzing, tests); buf must outlive the reader. */
int kb_deb_open_mem(const void *buf, unsigned long len, struct kb_deb **out);
struct archive *kb_deb_data(struct kb_deb *d);
void kb_deb_close(struct kb_deb *d);

#endif
