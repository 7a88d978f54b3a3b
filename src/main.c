/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - the command line: load the configuration, then test it (-t),
 * signal the running server (-s), or hand it to the master.
 */
#include "autoconf.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "log.h"
#include "master.h"

#ifndef FORKHTTPD_CONF
#define FORKHTTPD_CONF "/etc/forkhttpd/forkhttpd.conf"
#endif

/*
 * How long -s waits: a reload must bind, resolve and start workers; a
 * stop may take the whole shutdown-timeout, and then the master still
 * needs a moment to send TERM and KILL and to reap.
 */
#define MAIN_RELOAD_WAIT	60
#define MAIN_STOP_SLACK		10

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: forkhttpd [-hnVtX] [-f file] [-s signal]\n"
	    "  -f file    configuration file (default " FORKHTTPD_CONF ")\n"
	    "  -n         stay in the foreground, error log also on stderr\n"
	    "  -t         test the configuration file and exit\n"
	    "  -s signal  signal the server running with this configuration's\n"
	    "             pid file, and wait for the outcome:\n"
	    "               reload  check the configuration as -t does, then\n"
	    "                       reload gracefully; exit 1 if it failed\n"
	    "               stop    fast stop (TERM)\n"
	    "               quit    graceful stop: in-flight requests finish\n"
	    "               reopen  reopen the log files (after rotating them)\n"
	    "  -X         one worker in the foreground, for debugging\n"
	    "  -V         print the version and exit\n"
	    "  -h         print this help and exit\n");
}

int
main(int argc, char **argv)
{
	struct master_options opts = { .foreground = false };
	const char *path = FORKHTTPD_CONF;
	bool test = false, sending = false;
	enum control_cmd cmd = CONTROL_RELOAD;
	unsigned timeout;
	struct config *cfg;
	char err[1024];
	int ch, status;

	while ((ch = getopt(argc, argv, "f:hns:tVX")) != -1) {
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
		case 's':
			if (control_parse(optarg, &cmd) == -1) {
				log_error("-s %s: unknown signal (reload, stop, "
				    "quit or reopen)", optarg);
				return 1;
			}
			sending = true;
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
	/* -s talks to a server; it does not start one. */
	if (optind < argc || (sending && (test || opts.foreground))) {
		usage(stderr);
		return 1;
	}
	/*
	 * -s needs the configuration for its pid file, and a reload must not
	 * be asked for with a file the master would reject: the same errors
	 * as -t, and no signal.
	 */
	if ((cfg = config_load(path, err, sizeof(err))) == NULL) {
		log_error("%s", err);
		if (test || (sending && cmd == CONTROL_RELOAD))
			log_error("configuration file %s test failed", path);
		return 1;
	}
	if (test) {
		log_notice("configuration file %s test is successful", path);
		config_free(cfg);
		return 0;
	}
	if (sending) {
		timeout = cmd == CONTROL_RELOAD ? MAIN_RELOAD_WAIT :
		    cfg->shutdown_timeout + MAIN_STOP_SLACK;
		status = control_send(cfg->pid_file, cmd, timeout);
		config_free(cfg);
		return status;
	}
	return master_run(cfg, &opts);
}
