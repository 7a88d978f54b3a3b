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
#include "router.h"

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
	    "usage: forkhttpd [-hnVtTX] [-f file] [-R url] [-s signal]\n"
	    "  -f file    configuration file (default " FORKHTTPD_CONF ")\n"
	    "  -n         stay in the foreground, error log also on stderr\n"
	    "  -t         test the configuration file and exit\n"
	    "  -T         print the effective configuration (every default\n"
	    "             included) and exit\n"
	    "  -R url     with -t: which server and route answer url\n"
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

/* -t, -T and -R: the warnings, the effective file, a URL's route. */
static int
main_test(struct config *cfg, const char *path, bool test, bool print,
    const char *route_url)
{
	int status = 0;

	for (size_t i = 0; i < cfg->nwarnings && test; i++)
		log_warn("%s", cfg->warnings[i]);
	if (print && config_print(cfg, stdout) < 0)
		status = 1;
	if (route_url != NULL && router_explain(cfg, route_url, stdout) < 0) {
		log_error("-R %s: not a URL (\"http://host/path\") or a path "
		    "(\"/path\")", route_url);
		status = 1;
	}
	fflush(stdout);
	if (test && status == 0)
		log_notice("configuration file %s test is successful", path);
	config_free(cfg);
	return status;
}

int
main(int argc, char **argv)
{
	struct master_options opts = { .foreground = false };
	const char *path = FORKHTTPD_CONF;
	bool test = false, sending = false, print = false;
	const char *route_url = NULL;
	enum control_cmd cmd = CONTROL_RELOAD;
	unsigned timeout;
	struct config *cfg;
	char err[1024];
	int ch, status;

	while ((ch = getopt(argc, argv, "f:hnR:s:tTVX")) != -1) {
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
		case 'T':
			print = true;
			break;
		case 'R':
			route_url = optarg;
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
	/* -s talks to a server; it does not start one.  -R is a test. */
	if (optind < argc || (sending && (test || print || opts.foreground)) ||
	    (route_url != NULL && !test)) {
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
	if (test || print)
		return main_test(cfg, path, test, print, route_url);
	if (sending) {
		timeout = cmd == CONTROL_RELOAD ? MAIN_RELOAD_WAIT :
		    cfg->shutdown_timeout + MAIN_STOP_SLACK;
		status = control_send(cfg->pid_file, cmd, timeout);
		config_free(cfg);
		return status;
	}
	return master_run(cfg, &opts);
}
