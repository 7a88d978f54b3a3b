/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c - the command line: load the configuration (a file, or -r and
 * -l through cmdconf), then test it (-t), signal the running server (-s),
 * or hand it to the master.
 */
#include "autoconf.h"

#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "cmdconf.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "master.h"
#include "router.h"
#include "tls.h"
#include "util.h"

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
	    "       forkhttpd [-ntX] [-r dir] [-l address:port]...\n"
	    "  -f file    configuration file (default " FORKHTTPD_CONF ")\n"
	    "  -r dir     serve dir without a configuration file: in the\n"
	    "             foreground, logs on the terminal, directory\n"
	    "             listings on, listening on " CMDCONF_LISTEN "\n"
	    "  -l address:port\n"
	    "             with -r, or alone to serve the current directory:\n"
	    "             listen here instead (repeatable)\n"
	    "  -n         stay in the foreground, error log also on stderr\n"
	    "  -t         test the configuration and exit: also that listen\n"
	    "             hosts resolve and that the logs and the pid file\n"
	    "             can be written\n"
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
	    "  -V, --version  print the version and exit\n"
	    "  -h, --help     print this help and exit\n");
}

/* What the command line asks for. */
struct main_args {
	struct master_options opts;
	const char *path;		/* -f */
	bool path_given;
	bool test;			/* -t */
	bool print;			/* -T */
	const char *route_url;		/* -R, with -t */
	bool sending;			/* -s */
	enum control_cmd cmd;
	const char *root;		/* -r; NULL: CMDCONF_ROOT */
	const char *listen[CMDCONF_LISTEN_MAX];	/* -l */
	size_t nlisten;
	bool cmdconf;			/* -r or -l: no conf file */
};

/*
 * Closes every descriptor from first on (above stderr and the listeners
 * a service manager passed, which are 3 and up).  Whatever the launching
 * shell or init leaked (seen: an open file, a socket) would otherwise
 * live on in every worker, running as the configured user.  Called
 * before anything of ours is opened, so every one of them is someone
 * else's.
 */
static void
main_close_inherited(int first)
{
	DIR *d;
	struct dirent *e;
	bool again = true;

#ifdef HAVE_CLOSE_RANGE
	if (close_range((unsigned)first, ~0U, 0) == 0)
		return;
#endif
	/* Before Linux 5.9: each open one, as /proc lists them.  Closing
	 * while reading may hide an entry from this pass, so until a pass
	 * finds none. */
	while (again && (d = opendir("/proc/self/fd")) != NULL) {
		again = false;
		while ((e = readdir(d)) != NULL) {
			uint64_t fd;

			if (util_parse_u64(e->d_name, strlen(e->d_name),
			    INT_MAX, &fd) && (int)fd >= first &&
			    (int)fd != dirfd(d)) {
				close((int)fd);
				again = true;
			}
		}
		closedir(d);
	}
}

/*
 * Parses argv into a; returns -1 to go on, or the exit status (after
 * --help, --version or a usage error).
 */
static int
main_parse(int argc, char **argv, struct main_args *a)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "f:hl:nR:r:s:tTVX", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			a->path = optarg;
			a->path_given = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'l':
			if (a->nlisten == CMDCONF_LISTEN_MAX) {
				log_error("-l: at most %d addresses",
				    CMDCONF_LISTEN_MAX);
				return 1;
			}
			a->listen[a->nlisten++] = optarg;
			a->cmdconf = true;
			break;
		case 'n':
			a->opts.foreground = true;
			break;
		case 'r':
			a->root = optarg;
			a->cmdconf = true;
			break;
		case 's':
			if (control_parse(optarg, &a->cmd) == -1) {
				log_error("-s %s: unknown signal (reload, stop, "
				    "quit or reopen)", optarg);
				return 1;
			}
			a->sending = true;
			break;
		case 't':
			a->test = true;
			break;
		case 'T':
			a->print = true;
			break;
		case 'R':
			a->route_url = optarg;
			break;
		case 'V':
			printf("%s\n", PACKAGE_STRING);
			return 0;
		case 'X':
			a->opts.one_process = true;
			a->opts.foreground = true;
			break;
		default:
			usage(stderr);
			return 1;
		}
	}
	/* -s talks to a server; it does not start one.  -R is a test. */
	if (optind < argc || (a->sending && (a->test || a->print ||
	    a->opts.foreground || a->cmdconf)) ||
	    (a->route_url != NULL && !a->test)) {
		usage(stderr);
		return 1;
	}
	if (a->cmdconf && a->path_given) {
		log_error("-r and -l serve without a configuration file; "
		    "they cannot be combined with -f");
		return 1;
	}
	return -1;
}

/* -t: the certificates and keys load and match, as the master will
 * load them (so -t must run as the user who starts the server). */
static int
main_test_tls(const struct config *cfg)
{
	char err[1024];
	struct tls *t = tls_load(cfg, err, sizeof(err));

	if (t == NULL && err[0] != '\0') {
		log_error("%s", err);
		return -1;
	}
	tls_discard(t);
	return 0;
}

/* -t, -T and -R: the warnings, the effective file, a URL's route. */
static int
main_test(struct config *cfg, const struct main_args *a)
{
	int status = 0;

	for (size_t i = 0; i < cfg->nwarnings && a->test; i++)
		log_warn("%s", cfg->warnings[i]);
	if (a->test && main_test_tls(cfg) < 0)
		status = 1;
	if (a->print && config_print(cfg, stdout) < 0)
		status = 1;
	if (a->route_url != NULL &&
	    router_explain(cfg, a->route_url, stdout) < 0) {
		log_error("-R %s: not a URL (\"http://host/path\") or a path "
		    "(\"/path\")", a->route_url);
		status = 1;
	}
	fflush(stdout);
	if (a->test && status == 0)
		log_notice("configuration file %s test is successful",
		    a->path);
	config_free(cfg);
	return status;
}

/* -r, -l: the configuration from the command line, in the foreground. */
static int
main_cmdconf(struct main_args *a)
{
	struct config *cfg;
	char err[1024];

	cfg = cmdconf_load(a->root, a->listen, a->nlisten, a->test, err,
	    sizeof(err));
	if (cfg == NULL) {
		log_error("%s", err);
		if (a->test)
			log_error("configuration (-r, -l) test failed");
		return 1;
	}
	if (a->test) {
		log_notice("configuration (-r, -l) test is successful");
		config_free(cfg);
		return 0;
	}
	log_notice("serving %s; stop with Ctrl-C", cfg->document_root);
	a->opts.foreground = true;
	return master_run(cfg, &a->opts);
}

int
main(int argc, char **argv)
{
	struct main_args a = {
		.path = FORKHTTPD_CONF, .cmd = CONTROL_RELOAD,
	};
	unsigned timeout;
	struct config *cfg;
	char err[1024];
	int status, npassed;

	/*
	 * Listeners passed by the service manager first, before anything
	 * opens or closes a descriptor: they are fds 3 and up, and closing
	 * stray descriptors must leave them alone.
	 */
	if ((npassed = activation_take(err, sizeof(err))) < 0) {
		log_error("%s", err);
		return 1;
	}
	main_close_inherited(3 + npassed);
	if ((status = main_parse(argc, argv, &a)) >= 0)
		return status;
	if (a.cmdconf)
		return main_cmdconf(&a);
	/*
	 * -s needs the configuration for its pid file, and a reload must not
	 * be asked for with a file the master would reject: the same errors
	 * as -t, and no signal.
	 */
	if (a.test || (a.sending && a.cmd == CONTROL_RELOAD))
		cfg = config_test(a.path, err, sizeof(err));
	else
		cfg = config_load(a.path, err, sizeof(err));
	if (cfg == NULL) {
		log_error("%s", err);
		if (a.test || (a.sending && a.cmd == CONTROL_RELOAD))
			log_error("configuration file %s test failed", a.path);
		return 1;
	}
	if (a.test || a.print)
		return main_test(cfg, &a);
	if (a.sending) {
		if (cfg->pid_file == NULL) {
			log_error("pid-file is \"off\" in %s: -s cannot find "
			    "the server", a.path);
			config_free(cfg);
			return 1;
		}
		timeout = a.cmd == CONTROL_RELOAD ? MAIN_RELOAD_WAIT :
		    cfg->shutdown_timeout + MAIN_STOP_SLACK;
		status = control_send(cfg->pid_file, a.cmd, timeout);
		config_free(cfg);
		return status;
	}
	return master_run(cfg, &a.opts);
}
