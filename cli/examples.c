/* examples.c — two or three real commands per verb, printed at the end of
 * its --help and in the man page.  They run as written from the project
 * root on the store `make demo` builds (real sources plus the synthetic
 * world) and the shipped data; tests/suite_help.sh runs every one and
 * checks its exit status, so an example that stops working fails the
 * suite.  Listed by `chokepoint help --examples`. */
#include "doc.h"

#include <string.h>

static const cli_example examples[] = {
    {"ingest",
     "chokepoint ingest --format comtrade --source comtrade-annual data/flows/comtrade-annual/*.csv",
     "load the USA<->China Comtrade records again: rows with the same key and source "
     "replace the stored ones", 0},
    {"ingest",
     "chokepoint ingest --store my.store --rejects rejects.csv data/flows/comtrade-annual/*.csv",
     "a second store; every rejected row listed in rejects.csv with its file and line", 0},
    {"fetch",
     "chokepoint fetch comtrade --reporter CHN --partner USA --hs 811292,250410 "
     "--period 2020,2021,2022,2023,2024 --dry-run",
     "the call that would fetch China's reported trade with the USA in gallium/germanium and "
     "graphite, 2020-2024 (planning needs no key)",
     0},
    {"fetch",
     "chokepoint fetch comtrade --reporter CHN --partner all --hs antimony --period 2024 "
     "--freq M --flow X --dry-run",
     "China's monthly antimony exports to every partner in 2024: a named group's codes, a "
     "year's 12 months in one call",
     0},
    {"info", "chokepoint info", "rows, periods, countries, products and sources of ./chokepoint.store",
     0},
    {"info", "chokepoint info --format json", "the same as one JSON object per line", 0},
    {"hs", "chokepoint hs antimony", "the codes of a product group", 0},
    {"hs", "chokepoint hs 8110", "the codes under a heading, HS2022 beside HS2017", 0},
    {"hs", "chokepoint hs rare earth --edition 2022", "codes whose description has these words",
     0},
    {"country", "chokepoint country 842", "a Comtrade code: every code and name of the USA", 0},
    {"country", "chokepoint country Türkiye --format csv", "any name or code goes in", 0},
    {"country", "chokepoint country --all --format csv", "every country and area", 0},
    {"measures", "chokepoint measures --issuer CHN --in-force 2025-12-01",
     "China's controls on a date: the October 2025 ones suspended, the ban on the US partly", 0},
    {"measures", "chokepoint measures --hs graphite --in-force 2024-06-01",
     "the measures covering graphite on a date", 0},
    {"measures", "chokepoint measures --target RUS --kind sanction",
     "the EU's dated sanctions on Russia", 0},
    {"dependency", "chokepoint dependency --importer USA --hs graphite --period 2023",
     "who supplied the USA's graphite in 2023, with shares and HHI", 0},
    {"dependency", "chokepoint dependency --importer RUS --hs 8542 --period 2023 --source synthetic",
     "Russia reports nothing: its partners' export reports stand in (synthetic world)", 0},
    {"chokepoints", "chokepoint chokepoints --period 2023 --min-share 0.9 --limit 5",
     "the five largest flows where one supplier has 90 % or more", 0},
    {"chokepoints", "chokepoint chokepoints --hs graphite --period 2023",
     "the same for graphite only", 0},
    {"concentration", "chokepoint concentration --hs gallium --side producer",
     "world production of gallium by country (USGS)", 0},
    {"concentration", "chokepoint concentration --hs graphite --period 2023",
     "exporters of graphite in the store", 0},
    {"alternatives", "chokepoint alternatives --importer USA --hs graphite --exclude CHN",
     "who else could supply the USA's graphite", 0},
    {"alternatives",
     "chokepoint alternatives --importer USA --hs antimony --exclude CHN --source synthetic",
     "the same for antimony in the synthetic world", 0},
    {"production", "chokepoint production --hs antimony", "antimony mine production by country",
     0},
    {"production", "chokepoint production --hs gallium --period 2022", "gallium in one year", 0},
    {"surge", "chokepoint surge --reporter CHN --hs graphite --event 2023-12-01",
     "China's graphite exports around the licensing of 2023-12-01", 0},
    {"surge", "chokepoint surge --reporter CHN --hs 811292 --measure CN-2023-23 --by-partner",
     "which partners rose or fell after the gallium/germanium licensing", 0},
    {"diversion", "chokepoint diversion --measure CN-2024-46 --source synthetic --limit 3",
     "the hubs that rerouted antimony to the USA after China's ban", 0},
    {"diversion",
     "chokepoint diversion --issuer CHN --target USA --hs antimony --date 2024-12-03 "
     "--source synthetic",
     "the same control written out instead of a measure id", 0},
    {"mirror", "chokepoint mirror --reporter USA --partner CHN --hs graphite",
     "the USA's graphite imports from China against China's exports", 0},
    {"mirror", "chokepoint mirror --hs 854231 --source synthetic --flag phantom --limit 5",
     "flows one side reports and the other never saw", 0},
    {"unitvalue", "chokepoint unitvalue --hs 811292 --reporter CHN",
     "China's gallium exports priced far from the usual", 0},
    {"unitvalue", "chokepoint unitvalue --hs antimony --source synthetic",
     "under- and over-invoicing in the synthetic world", 0},
    {"screen", "chokepoint screen tests/data/shipments_sample.csv",
     "alerts as JSON Lines; exit status 3: row 10's HS code is malformed, so that row is NOT "
     "screened (1 when every row was screened and one raised an alert)", 3},
    {"screen",
     "chokepoint screen --lists ofac --format csv --rejects out/unscreened.csv "
     "tests/data/shipments_sample.csv",
     "against the OFAC list only, as CSV; the rows not screened listed with file:line and reason", 3},
    {"match", "chokepoint match \"Sergey Ivanoff\" --limit 2",
     "the closest listed names, each explained", 0},
    {"match", "chokepoint match Рособоронэкспорт --lists ofac", "any script goes in", 0},
    {"report", "chokepoint report --out out/report.html",
     "the page over everything, self-contained", 0},
    {"report",
     "chokepoint report --shipments tests/data/shipments_sample.csv --out out/screened.html",
     "with a screening section for these shipments", 0},
    {"serve", "chokepoint serve --addr 127.0.0.1:0 --db cases.db",
     "on any free port (printed), case decisions kept in cases.db", CLI_EXAMPLE_SERVES},
    {"serve", "chokepoint serve --addr 127.0.0.1:0 --rate 0 --quiet",
     "no rate limit and no access log (the default address is 127.0.0.1:8080)",
     CLI_EXAMPLE_SERVES},
    {"lists", "chokepoint lists update --db cases.db",
     "record today's version of every shipped list, its delta, and re-screen the "
     "counterparties kept in cases.db against it", 0},
    {"lists", "chokepoint lists update --lists opensanctions --db cases.db --format json",
     "one list, the figures as a JSON line", 0},
    {"audit", "chokepoint audit verify --db cases.db",
     "check the decisions' hash chain; names the first row changed, removed or reordered", 0},
    {"audit", "CHOKEPOINT_DB=cases.db chokepoint audit verify",
     "the same database named by the environment, as serve takes it", 0},
    {"store", "chokepoint store verify", "check every generation of ./chokepoint.store byte by byte",
     0},
    {"store", "chokepoint store verify --store my.store", "the same for another store", 0},
    {"store", "chokepoint store recover",
     "point CURRENT at the newest intact generation (nothing to do when it already does)", 0},
    {"synth", "chokepoint synth --out world.csv --truth truth.jsonl --rows 100000 --seed 7",
     "a synthetic world and its ground truth", 0},
    {"synth", "chokepoint synth --out - --rows 1000 --scenario antimony-2024 --annual",
     "one scenario, annual rows, to standard output", 0},
    {"merge",
     "chokepoint chokepoints --period 2023 --partial > part.jsonl && chokepoint merge part.jsonl",
     "partial results of a shard (here the whole store), then their rows", 0},
    {"merge",
     "chokepoint chokepoints --input data/flows/china-critmin-monthly/china_exports_monthly.csv "
     "--partial | chokepoint merge -",
     "a shard read from a flows file, its partials merged from standard input", 0},
    {NULL, NULL, NULL, 0}};

const cli_example *cli_example_at(int i)
{
    if (i < 0 || i >= (int)(sizeof examples / sizeof examples[0]) - 1)
        return NULL;
    return &examples[i];
}

void cli_examples_print(const char *verb, FILE *out)
{
    int n = 0;
    for (const cli_example *e = examples; e->verb; e++) {
        if (strcmp(e->verb, verb) != 0)
            continue;
        if (n++ == 0)
            fprintf(out, "\nexamples:\n");
        fprintf(out, "  %s\n      %s\n", e->command, e->what);
    }
}
