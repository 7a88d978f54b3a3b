/*
 * unit.c - helpers shared by the unit tests; see unit.h.
 */
#include "autoconf.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* mkdir that accepts an existing directory. */
static void
ensure_dir(const char *path)
{
	ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST,
	    "mkdir %s: %s", path, strerror(errno));
}

void
unit_scratch_dir(char *out, size_t cap, const char *tag)
{
	const char *build = getenv("FORKHTTPD_BUILDDIR");
	char dir[PATH_MAX] = "/tmp", tmpl[PATH_MAX], real[PATH_MAX];
	int n;

	if (cap > 0)
		out[0] = '\0';
	if (build != NULL && build[0] != '\0') {
		unit_path(dir, sizeof(dir), build, "tests");
		ensure_dir(dir);
		unit_path(dir, sizeof(dir), build, "tests/tmp");
		ensure_dir(dir);
	}
	n = snprintf(tmpl, sizeof(tmpl), "%s/%s.XXXXXX", dir, tag);
	ck_assert_msg(n > 0 && (size_t)n < sizeof(tmpl), "path too long: %s/%s",
	    dir, tag);
	ck_assert_msg(mkdtemp(tmpl) != NULL, "mkdtemp %s: %s", tmpl,
	    strerror(errno));
	ck_assert_msg(chmod(tmpl, 0755) == 0, "chmod %s: %s", tmpl,
	    strerror(errno));
	ck_assert_msg(realpath(tmpl, real) != NULL, "realpath %s: %s", tmpl,
	    strerror(errno));
	ck_assert_msg(strlen(real) < cap, "path too long: %s", real);
	memcpy(out, real, strlen(real) + 1);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
unit_rmtree(const char *path)
{
	if (path[0] != '\0')
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void
unit_path(char *buf, size_t cap, const char *dir, const char *rel)
{
	int n = snprintf(buf, cap, "%s/%s", dir, rel);

	ck_assert_msg(n > 0 && (size_t)n < cap, "path too long: %s/%s", dir,
	    rel);
}

void
unit_write_file(const char *dir, const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *fp;

	unit_path(p, sizeof(p), dir, rel);
	fp = fopen(p, "w");
	ck_assert_msg(fp != NULL, "create %s: %s", p, strerror(errno));
	ck_assert_msg(fputs(text, fp) != EOF, "write %s: %s", p,
	    strerror(errno));
	ck_assert_msg(fclose(fp) == 0, "close %s: %s", p, strerror(errno));
}

void
unit_make_dir(const char *dir, const char *rel)
{
	char p[PATH_MAX];

	unit_path(p, sizeof(p), dir, rel);
	ck_assert_msg(mkdir(p, 0755) == 0, "mkdir %s: %s", p, strerror(errno));
}

int
unit_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	ck_assert_msg(d != NULL, "opendir /proc/self/fd: %s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n;
}
