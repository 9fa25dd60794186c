/* cmd_serve.c — the 'serve' verb: HTTP API, dashboard and case decisions
 * (server/server.h). */
#include <stdlib.h>

#include "../server/server.h"
#include "cli.h"

int cmd_serve(int argc, char **argv)
{
    const char *addr = "127.0.0.1:8080", *db = NULL, *store = NULL, *data = NULL;
    long max_body = SRV_BODY_LIMIT, threads = 4, header_timeout = SRV_HEADER_TIMEOUT;
    cli_list allow_hosts = {{0}, 0};
    double rate = 50, burst = 0;
    int quiet = 0;
    const cli_opt opts[] = {
        {"addr", 0, CLI_STR, "HOST:PORT",
         "where to listen (default 127.0.0.1:8080, loopback only; port 0 = any free port)",
         &addr},
        {"db", 0, CLI_STR, "FILE",
         "case decisions (SQLite; default $CHOKEPOINT_DB or ./chokepoint-cases.db); the write "
         "token is kept in FILE.token",
         &db},
        {"store", 0, CLI_STR, "DIR", "the store (default $CHOKEPOINT_STORE or ./chokepoint.store)",
         &store},
        {"data", 0, CLI_STR, "DIR", "reference data directory (default: the shipped data)", &data},
        {"max-body", 0, CLI_INT, "BYTES", "request body limit (default 8 MiB)", &max_body},
        {"rate", 0, CLI_NUM, "N", "requests per second per client, 0 = no limit (default 50)",
         &rate},
        {"burst", 0, CLI_NUM, "N", "requests a client may make at once (default 2 x rate)", &burst},
        {"threads", 0, CLI_INT, "N", "worker threads (default 4)", &threads},
        {"allow-host", 0, CLI_LIST, "NAME",
         "a name the Host header may give besides the address served (repeatable; e.g. the "
         "name of a proxy in front)",
         &allow_hosts},
        {"header-timeout", 0, CLI_INT, "SECONDS",
         "time a client has to send its request head (default 10)", &header_timeout},
        {"quiet", 'q', CLI_FLAG, NULL, "no access log on stderr", &quiet},
        {NULL, 0, CLI_FLAG, NULL, NULL, NULL}};
    const cli_spec spec = {
        "serve", "[--addr HOST:PORT] [--db FILE] [--store DIR]",
        "HTTP API over every verb, the dashboard, and case decisions with an audit trail",
        "GET /api/VERB?param=value&... answers {\"rows\":[...]} with the verb's JSON rows and\n"
        "the CLI's parameter names; POST /api/screen takes shipments (CSV or JSON Lines);\n"
        "POST /api/decisions records a decision (needs 'Authorization: Bearer TOKEN');\n"
        "GET /api/audit lists the audit trail (?format=csv for an auditor). The dashboard\n"
        "is at /. The token is generated on first start and printed once. See docs/server.md.",
        opts, 0, 0};
    char **args;
    int nargs;
    int r = cli_parse(&spec, argc, argv, &args, &nargs);
    if (r)
        return r == 1 ? 0 : r;
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
                      (int)header_timeout};
    return srv_run(&cfg);
}
