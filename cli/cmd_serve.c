/* cmd_serve.c — the 'serve' verb: HTTP API, dashboard and case decisions
 * (server/server.h). */
#include <stdlib.h>

#include "../server/server.h"
#include "cli.h"

static const ckp_param params[] = {
    {"addr", CKP_PARAM_STR, "HOST:PORT",
     "where to listen (default 127.0.0.1:8080, loopback only; port 0 = any free port)", 0, 0},
    {"db", CKP_PARAM_STR, "FILE",
     "case decisions (SQLite; default $CHOKEPOINT_DB or ./chokepoint-cases.db); the write "
     "token is kept in FILE.token", 0, 0},
    {"store", CKP_PARAM_STR, "DIR",
     "the store (default $CHOKEPOINT_STORE or ./chokepoint.store)", 0, 0},
    {"data", CKP_PARAM_STR, "DIR",
     "reference data directory (default: the shipped data)", 0, 0},
    {"max-body", CKP_PARAM_INT, "BYTES",
     "request body limit (default 8 MiB)", 0, 0},
    {"rate", CKP_PARAM_NUM, "N",
     "requests per second per client, 0 = no limit (default 50)", 0, 0},
    {"burst", CKP_PARAM_NUM, "N",
     "requests a client may make at once (default 2 x rate)", 0, 0},
    {"threads", CKP_PARAM_INT, "N",
     "worker threads (default 4)", 0, 0},
    {"allow-host", CKP_PARAM_LIST, "NAME",
     "a name the Host header may give besides the address served (repeatable; e.g. the "
     "name of a proxy in front)", 0, 0},
    {"header-timeout", CKP_PARAM_INT, "SECONDS",
     "time a client has to send its request head (default 10)", 0, 0},
    {"quiet", CKP_PARAM_FLAG, NULL,
     "no access log on stderr", 0, 0},
    {NULL, 0, NULL, NULL, 0, 0}};

const ckp_verb cli_cmd_serve = {
    "serve", "[--addr HOST:PORT] [--db FILE] [--store DIR]",
    "HTTP API over every verb, the dashboard, and case decisions with an audit trail",
    "GET /api/VERB?param=value&... answers {\"rows\":[...]} with the verb's JSON rows and\n"
    "the CLI's parameter names; POST /api/screen takes shipments (CSV or JSON Lines);\n"
    "POST /api/decisions records a decision (needs 'Authorization: Bearer TOKEN');\n"
    "GET /api/audit lists the audit trail (?format=csv for an auditor). The dashboard\n"
    "is at /. The token is generated on first start and printed once. See docs/server.md.",
    params, 0, 0, NULL, 0, NULL, NULL,
    "q:quiet", CKP_VERB_CLI_ONLY};

int cmd_serve(int argc, char **argv)
{
    const char *addr = "127.0.0.1:8080", *db = NULL, *store = NULL, *data = NULL;
    long max_body = SRV_BODY_LIMIT, threads = 4, header_timeout = SRV_HEADER_TIMEOUT;
    cli_list allow_hosts = {{0}, 0};
    double rate = 50, burst = 0;
    int quiet = 0;

    char **args;
    int nargs;
    const ckp_args *given = NULL;
    int r = cli_parse_args(&cli_cmd_serve, argc, argv, &args, &nargs, &given);
    if (r)
        return r == 1 ? 0 : r;
    cli_opt_str(given, "addr", &addr);
    cli_opt_str(given, "db", &db);
    cli_opt_str(given, "store", &store);
    cli_opt_str(given, "data", &data);
    cli_opt_long(given, "max-body", &max_body);
    cli_opt_num(given, "rate", &rate);
    cli_opt_num(given, "burst", &burst);
    cli_opt_long(given, "threads", &threads);
    if (cli_opt_list(given, "allow-host", &allow_hosts))
        return 2;
    cli_opt_long(given, "header-timeout", &header_timeout);
    cli_opt_flag(given, "quiet", &quiet);
    if (!db)
        db = getenv("CHOKEPOINT_DB");
    if (!db || !*db)
        db = "chokepoint-cases.db";
    if (max_body < 1024 || max_body > (1L << 30))
        return cli_failf("serve", 2, "--max-body must be between 1024 and 1073741824");
    if (threads < 1 || threads > 64)
        return cli_failf("serve", 2, "--threads must be between 1 and 64");
    if (rate < 0 || burst < 0)
        return cli_failf("serve", 2, "--rate and --burst must not be negative");
    if (header_timeout < 1 || header_timeout > 300)
        return cli_failf("serve", 2, "--header-timeout must be between 1 and 300 seconds");
    for (int i = 0; i < allow_hosts.n; i++)
        for (const char *p = allow_hosts.items[i]; *p; p++)
            if (*p == ':' || *p == '/' || (unsigned char)*p <= ' ')
                return cli_failf("serve", 2, "--allow-host takes a host name without port "
                                             "(got '%s')", allow_hosts.items[i]);
    srv_config cfg = {addr,        db,   store,    data, (size_t)max_body, rate, burst,
                      (int)threads, quiet, allow_hosts.items, allow_hosts.n,
                      (int)header_timeout, cli_command_decls()};
    return srv_run(&cfg);
}
