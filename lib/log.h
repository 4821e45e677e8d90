/* log.h — the one logger: levels chosen by -q/-v, progress lines on a TTY only.
 *
 * Log lines go to stderr, so machine-readable output (--json) on stdout is
 * never mixed with them. */
#ifndef KB_LOG_H
#define KB_LOG_H

enum kb_log_level { KB_LOG_ERROR, KB_LOG_WARN, KB_LOG_INFO, KB_LOG_DEBUG };

void kb_log_set_level(int level);
int kb_log_get_level(void);
void kb_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define kb_error(...) kb_log(KB_LOG_ERROR, __VA_ARGS__)
#define kb_warn(...) kb_log(KB_LOG_WARN, __VA_ARGS__)
#define kb_info(...) kb_log(KB_LOG_INFO, __VA_ARGS__)
#define kb_debug(...) kb_log(KB_LOG_DEBUG, __VA_ARGS__)

/* A transient status line, redrawn in place; shown only when stderr is a
 * terminal and the level is at least INFO. kb_progress_done() clears it. */
void kb_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kb_progress_done(void);

/* s as it may be quoted in a message: control characters, DEL, bytes above
 * 0x7f and '\\' written as C escapes (\n, \t, \r, \\, \xHH), so an entry
 * name, id or URL from outside cannot move the cursor, recolour or clear a
 * terminal, or fake a second line. The text lives in one of
 * KB_LOG_ESC_SLOTS per-thread buffers, reused in turn: use it in the call
 * it is made for (up to that many in one call). Longer than
 * KB_LOG_ESC_MAX bytes: cut, ending in "...". NULL gives "(null)". */
#define KB_LOG_ESC_SLOTS 8
#define KB_LOG_ESC_MAX 1024
const char *kb_log_esc(const char *s);

#endif
