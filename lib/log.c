/* log.c — leveled logging to stderr and TTY-only progress lines. */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"

static int kb_level = KB_LOG_INFO;
static bool kb_progress_shown;
static pthread_mutex_t kb_log_lock = PTHREAD_MUTEX_INITIALIZER;

void kb_log_set_level(int level)
{
	kb_level = level;
}

int kb_log_get_level(void)
{
	return kb_level;
}

static void kb_clear_progress_locked(void)
{
	if (kb_progress_shown) {
		fputs("\r\033[K", stderr);
		kb_progress_shown = false;
	}
}

void kb_log(int level, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	va_list ap;

	if (level > kb_level)
		return;
	pthread_mutex_lock(&kb_log_lock);
	kb_clear_progress_locked();
	fputs(prefix[level], stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&kb_log_lock);
}

void kb_progress(const char *fmt, ...)
{
	va_list ap;

	if (kb_level < KB_LOG_INFO || !isatty(STDERR_FILENO))
		return;
	pthread_mutex_lock(&kb_log_lock);
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	kb_progress_shown = true;
	pthread_mutex_unlock(&kb_log_lock);
}

void kb_progress_done(void)
{
	pthread_mutex_lock(&kb_log_lock);
	kb_clear_progress_locked();
	pthread_mutex_unlock(&kb_log_lock);
}

const char *kb_log_esc(const char *s)
{
	static _Thread_local char slots[KB_LOG_ESC_SLOTS][KB_LOG_ESC_MAX + 1];
	static _Thread_local unsigned next;
	char *out = slots[next++ % KB_LOG_ESC_SLOTS];
	size_t n = 0;

	if (!s)
		return "(null)";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[5];
		size_t k;

		if (c == '\n' || c == '\t' || c == '\r' || c == '\\')
			k = (size_t)snprintf(esc, sizeof(esc), "\\%c",
					     c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : '\\');
		else if (c < 0x20 || c >= 0x7f)
			k = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			k = (size_t)snprintf(esc, sizeof(esc), "%c", c);
		if (n + k > KB_LOG_ESC_MAX - 3) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		memcpy(out + n, esc, k);
		n += k;
	}
	out[n] = '\0';
	return out;
}
