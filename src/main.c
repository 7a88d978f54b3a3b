/*
 * main.c - the command line: load the configuration, then either test it
 * (-t) or hand it to the master.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "master.h"

#ifndef FORKHTTPD_CONF
#define FORKHTTPD_CONF "/etc/forkhttpd/forkhttpd.conf"
#endif

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: forkhttpd [-hnVtX] [-f file]\n"
	    "  -f file  configuration file (default " FORKHTTPD_CONF ")\n"
	    "  -n       stay in the foreground, error log also on stderr\n"
	    "  -t       test the configuration file and exit\n"
	    "  -X       one worker in the foreground, for debugging\n"
	    "  -V       print the version and exit\n"
	    "  -h       print this help and exit\n");
}

int
main(int argc, char **argv)
{
	struct master_options opts = { .foreground = false };
	const char *path = FORKHTTPD_CONF;
	bool test = false;
	struct config *cfg;
	char err[1024];
	int ch;

	while ((ch = getopt(argc, argv, "f:hntVX")) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'n':
			opts.foreground = true;
			break;
		case 't':
			test = true;
			break;
		case 'V':
			printf("%s\n", PACKAGE_STRING);
			return 0;
		case 'X':
			opts.one_process = true;
			opts.foreground = true;
			break;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 1;
	}
	if ((cfg = config_load(path, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		if (test)
			log_error("configuration file %s test failed", path);
		return 1;
	}
	if (test) {
		log_notice("configuration file %s test is successful", path);
		config_free(cfg);
		return 0;
	}
	return master_run(cfg, &opts);
}
