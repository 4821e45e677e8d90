/* report.c — JSON and JUnit renderings of a vmtest run, and the table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "lib/error.h"
#include "lib/file.h"
#include "lib/json.h"
#include "lib/log.h"
#include "vm/report.h"

#define KB_VM_REPORT_FORMAT "kbundle-vmtest 1"

bool kb_vm_run_passed(const struct kb_vm_run *run)
{
	for (size_t i = 0; i < run->nkernels; i++)
		for (size_t j = 0; j < run->kernels[i].nunits; j++)
			if (!kb_vm_unit_passed(&run->kernels[i].units[j], run->critical))
				return false;
	return true;
}

static size_t kb_vm_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

char *kb_vm_text_clean(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	char *out = kb_xmalloc(n * 3 + 1), *o = out;

	for (size_t i = 0; i < n;) {
		size_t len = kb_vm_utf8_len(s + i, n - i);

		if (!len) {
			memcpy(o, "\xef\xbf\xbd", 3);	/* U+FFFD */
			o += 3;
			i++;
			continue;
		}
		if (len > 1 || s[i] >= 0x20 || s[i] == '\t' || s[i] == '\n') {
			if (s[i] != 0x7f) {
				memcpy(o, s + i, len);
				o += len;
			}
		}
		i += len;
	}
	*o = '\0';
	return out;
}

static char *kb_vm_first_line(const char *s)
{
	return kb_xstrndup(s, strcspn(s, "\n"));
}

char *kb_vm_unit_why(const struct kb_vm_unit *u, const bool critical[KB_CHK_N])
{
	/* The cause before its symptoms: an oops explains a failed insmod. */
	static const enum kb_vm_check order[] = {
		KB_CHK_BUILD, KB_CHK_VERMAGIC, KB_CHK_BPF_BUILD, KB_CHK_BPF_VALIDATE, KB_CHK_BOOT,
		KB_CHK_OOPS, KB_CHK_INSMOD, KB_CHK_LOADED, KB_CHK_SELFTEST, KB_CHK_RMMOD,
		KB_CHK_BPF_LOAD, KB_CHK_BPF_ATTACH, KB_CHK_BPF_RUN, KB_CHK_WARNING, KB_CHK_TAINT,
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum kb_vm_check c = order[i];
		const struct kb_vm_check_result *r = &u->chk[c];
		const char *d = r->detail ? r->detail : "failed";
		char *line, *why;

		if (!critical[c] || r->st != KB_ST_FAIL)
			continue;
		while (*d == '\n')
			d++;
		/* A detail that starts with a heading ("build failed …:") is
		 * most useful with its first real line too. */
		line = kb_vm_first_line(*d ? d : "failed");
		if (line[0] && line[strlen(line) - 1] == ':' && strchr(d, '\n')) {
			char *next = kb_vm_first_line(strchr(d, '\n') + 1);

			why = kb_xasprintf("%s: %s %s", kb_vm_check_name(c), line, next);
			free(next);
		} else {
			why = kb_xasprintf("%s: %s", kb_vm_check_name(c), line);
		}
		free(line);
		return why;
	}
	return NULL;
}

static void kb_vm_json_text(struct kb_json *j, const char *key, const char *s)
{
	char *c = s ? kb_vm_text_clean(s, strlen(s)) : NULL;

	kb_json_str(j, key, c);
	free(c);
}

/* A BPF unit's kind, build and figures: the object's instruction count
 * and the verifier's processed count (null where the kernel keeps none). */
static void kb_vm_json_bpf(struct kb_json *j, const struct kb_vm_unit *u)
{
	kb_json_str(j, "kind", "bpf");
	kb_json_str(j, "build", u->bpf_prebuilt ? "prebuilt" : u->bpf_core ? "core" : "non-core");
	if (u->insns >= 0)
		kb_json_int(j, "insns", u->insns);
	else
		kb_json_str(j, "insns", NULL);
	if (u->verified_insns >= 0)
		kb_json_int(j, "verified_insns", u->verified_insns);
	else
		kb_json_str(j, "verified_insns", NULL);
}

char *kb_vm_report_json(const struct kb_vm_run *run, size_t *len, int *err)
{
	struct kb_json j;

	kb_json_init(&j);
	kb_json_obj_begin(&j, NULL);
	kb_json_str(&j, "format", KB_VM_REPORT_FORMAT);
	kb_json_str(&j, "kbundle", KB_VERSION);
	kb_json_str(&j, "started", run->started);
	kb_json_int(&j, "ms", (int64_t)(run->seconds * 1000));
	kb_json_bool(&j, "passed", kb_vm_run_passed(run));
	kb_json_arr_begin(&j, "critical");
	for (int c = 0; c < KB_CHK_N; c++)
		if (run->critical[c])
			kb_json_str(&j, NULL, kb_vm_check_name(c));
	kb_json_arr_end(&j);
	kb_json_arr_begin(&j, "kernels");
	for (size_t i = 0; i < run->nkernels; i++) {
		const struct kb_vm_kernel *k = &run->kernels[i];

		kb_json_obj_begin(&j, NULL);
		kb_json_str(&j, "id", k->id);
		kb_json_str(&j, "distro", k->distro);
		kb_json_str(&j, "release", k->release);
		kb_json_str(&j, "guest_release", k->guest_release);
		kb_json_str(&j, "arch", k->arch);
		kb_json_str(&j, "accel", k->accel);
		kb_json_int(&j, "ms", (int64_t)(k->seconds * 1000));
		kb_json_str(&j, "console_log", k->log_path);
		kb_json_arr_begin(&j, "modules");
		for (size_t m = 0; m < k->nunits; m++) {
			const struct kb_vm_unit *u = &k->units[m];
			char *why = kb_vm_unit_why(u, run->critical);

			kb_json_obj_begin(&j, NULL);
			kb_json_str(&j, "name", u->name);
			kb_json_str(&j, "source", u->src ? u->src : "built-in");
			kb_json_bool(&j, "passed", !why);
			kb_vm_json_text(&j, "why", why);
			if (u->bpf)
				kb_vm_json_bpf(&j, u);
			kb_json_obj_begin(&j, "checks");
			for (int c = 0; c < KB_CHK_N; c++) {
				if (!kb_vm_check_applies(u->bpf, (enum kb_vm_check)c))
					continue;
				kb_json_obj_begin(&j, kb_vm_check_name(c));
				kb_json_str(&j, "status", kb_vm_status_name(u->chk[c].st));
				kb_json_bool(&j, "critical", run->critical[c]);
				if (u->chk[c].detail)
					kb_vm_json_text(&j, "detail", u->chk[c].detail);
				kb_json_obj_end(&j);
			}
			kb_json_obj_end(&j);
			kb_json_obj_end(&j);
			free(why);
		}
		kb_json_arr_end(&j);
		kb_json_obj_end(&j);
	}
	kb_json_arr_end(&j);
	kb_json_obj_end(&j);
	return kb_json_finish(&j, len, err);
}

/* Sticky xmlTextWriter calls: the first failure is kept. */
#define KB_X(call) do { if (rc >= 0) rc = (call); } while (0)

static void kb_vm_junit_case(xmlTextWriterPtr w, const struct kb_vm_run *run,
			     const struct kb_vm_kernel *k, const struct kb_vm_unit *u, int *rcp)
{
	char *why = kb_vm_unit_why(u, run->critical), *cls, *clean;
	int rc = *rcp;

	cls = kb_xasprintf("vmtest.%s.%s", k->distro ? k->distro : "bundle", k->release);
	KB_X(xmlTextWriterStartElement(w, BAD_CAST "testcase"));
	KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST cls));
	KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST u->name));
	KB_X(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", k->seconds));
	if (why) {
		char *details = kb_xstrdup("");

		for (int c = 0; c < KB_CHK_N; c++) {
			char *t;

			if (u->chk[c].st != KB_ST_FAIL)
				continue;
			t = kb_xasprintf("%s%s%s:\n%s\n\n", details,
					 run->critical[c] ? "" : "(non-critical) ", kb_vm_check_name(c),
					 u->chk[c].detail ? u->chk[c].detail : "failed");
			free(details);
			details = t;
		}
		KB_X(xmlTextWriterStartElement(w, BAD_CAST "failure"));
		clean = kb_vm_text_clean(why, strlen(why));
		KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST clean));
		free(clean);
		KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST "vmtest"));
		clean = kb_vm_text_clean(details, strlen(details));
		KB_X(xmlTextWriterWriteString(w, BAD_CAST clean));
		free(clean);
		free(details);
		KB_X(xmlTextWriterEndElement(w));
		KB_X(xmlTextWriterStartElement(w, BAD_CAST "system-out"));
		clean = kb_vm_text_clean(k->console ? k->console : "", k->console ? strlen(k->console) : 0);
		KB_X(xmlTextWriterWriteString(w, BAD_CAST clean));
		free(clean);
		KB_X(xmlTextWriterEndElement(w));
	}
	KB_X(xmlTextWriterEndElement(w));
	free(cls);
	free(why);
	*rcp = rc;
}

char *kb_vm_report_junit(const struct kb_vm_run *run, size_t *len, int *err)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	size_t tests = 0, failures = 0;
	char *out = NULL;
	int rc = w ? 0 : -1;

	for (size_t i = 0; i < run->nkernels; i++)
		for (size_t m = 0; m < run->kernels[i].nunits; m++, tests++)
			failures += !kb_vm_unit_passed(&run->kernels[i].units[m], run->critical);
	if (w)
		xmlTextWriterSetIndent(w, 1);
	KB_X(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL));
	KB_X(xmlTextWriterStartElement(w, BAD_CAST "testsuites"));
	KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "kbundle vmtest"));
	KB_X(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", tests));
	KB_X(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%zu", failures));
	KB_X(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", run->seconds));
	for (size_t i = 0; i < run->nkernels; i++) {
		const struct kb_vm_kernel *k = &run->kernels[i];
		size_t kf = 0;
		char *name = kb_xasprintf("%s %s", k->distro ? k->distro : "bundle", k->release);

		for (size_t m = 0; m < k->nunits; m++)
			kf += !kb_vm_unit_passed(&k->units[m], run->critical);
		KB_X(xmlTextWriterStartElement(w, BAD_CAST "testsuite"));
		KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST name));
		KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "id", BAD_CAST (k->id ? k->id : "")));
		KB_X(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "tests", "%zu", k->nunits));
		KB_X(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "failures", "%zu", kf));
		KB_X(xmlTextWriterWriteFormatAttribute(w, BAD_CAST "time", "%.3f", k->seconds));
		KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "timestamp", BAD_CAST run->started));
		KB_X(xmlTextWriterStartElement(w, BAD_CAST "properties"));
		KB_X(xmlTextWriterStartElement(w, BAD_CAST "property"));
		KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "arch"));
		KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "value", BAD_CAST (k->arch ? k->arch : "unknown")));
		KB_X(xmlTextWriterEndElement(w));
		KB_X(xmlTextWriterStartElement(w, BAD_CAST "property"));
		KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST "accel"));
		KB_X(xmlTextWriterWriteAttribute(w, BAD_CAST "value", BAD_CAST (k->accel ? k->accel : "none")));
		KB_X(xmlTextWriterEndElement(w));
		KB_X(xmlTextWriterEndElement(w));
		for (size_t m = 0; m < k->nunits; m++)
			kb_vm_junit_case(w, run, k, &k->units[m], &rc);
		KB_X(xmlTextWriterEndElement(w));
		free(name);
	}
	KB_X(xmlTextWriterEndElement(w));
	KB_X(xmlTextWriterEndDocument(w));
	if (w)
		xmlFreeTextWriter(w);	/* flushes into buf */
	*err = rc < 0 ? -EIO : 0;
	if (!*err) {
		out = kb_xstrndup((const char *)xmlBufferContent(buf), (size_t)xmlBufferLength(buf));
		*len = strlen(out);
	}
	if (buf)
		xmlBufferFree(buf);
	return out;
}

int kb_vm_report_put(const char *path, char *text, size_t len, int err)
{
	if (!err)
		err = kb_file_write_output(path, text, len);
	if (err)
		kb_error("%s: could not write the report: %s", path, kb_strerror(err));
	free(text);
	return err;
}

int kb_vm_report_write(const char *path,
		       char *(*render)(const struct kb_vm_run *, size_t *, int *),
		       const struct kb_vm_run *run)
{
	size_t len = 0;
	int err = 0;
	char *text = render(run, &len, &err);

	return kb_vm_report_put(path, text, len, err);
}

void kb_vm_report_table(FILE *f, const struct kb_vm_run *run)
{
	size_t pass = 0, fail = 0;

	fprintf(f, "%-28s %-8s %-7s %-5s %-16s %-6s %s\n", "KERNEL", "DISTRO", "ARCH", "ACCEL",
		"MODULE", "RESULT", "WHY");
	for (size_t i = 0; i < run->nkernels; i++) {
		const struct kb_vm_kernel *k = &run->kernels[i];

		for (size_t m = 0; m < k->nunits; m++) {
			char *why = kb_vm_unit_why(&k->units[m], run->critical);

			fprintf(f, "%-28s %-8s %-7s %-5s %-16s %-6s %s\n", k->release,
				k->distro ? k->distro : "-", k->arch ? k->arch : "-",
				k->accel ? k->accel : "-", k->units[m].name,
				why ? "FAIL" : "pass", why ? why : "");
			why ? fail++ : pass++;
			free(why);
		}
	}
	fprintf(f, "%zu passed, %zu failed (%zu kernels, %.1f s)\n", pass, fail, run->nkernels,
		run->seconds);
}
