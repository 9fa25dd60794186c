/* verbs.h — the list of chokepoint's verbs (X-macro: name, function, summary).
 * Adding a verb = one line here + cli/cmd_<name>.c defining cmd_<name>(). */
#define CKP_VERBS(X)                                                                     \
    X(ingest, "load trade files (Comtrade, BACI, generic flows) into the store")        \
    X(fetch, "fetch flows from the UN Comtrade API into a store source, cached")        \
    X(store, "check every generation of the store (verify); repair CURRENT (recover)") \
    X(info, "what the store holds: rows, periods, reporters, products, sources")        \
    X(hs, "look up HS codes by code prefix or words, HS2017 and HS2022 side by side")   \
    X(country, "look up a country by any code or name and show every code")             \
    X(measures, "list export-control measures (issuer, HS codes, dates)")               \
    X(dependency, "supplier shares and HHI of one importer's imports of a product")     \
    X(chokepoints, "every importer x product where one supplier dominates")             \
    X(concentration, "world concentration of exports, imports or production")          \
    X(alternatives, "who else exports or produces a product, ranked")                   \
    X(production, "world production by country from the USGS Mineral Commodity Summaries") \
    X(surge, "a flow's series with baseline, jumps and level shifts around a measure")  \
    X(diversion, "rank third countries as rerouting hubs after a measure")              \
    X(mirror, "exporter vs importer reports of the same flow: gaps and phantom flows")  \
    X(unitvalue, "unit values against the product's world distribution: outliers")     \
    X(screen, "screen shipments: controlled goods, listed parties, risky routes")       \
    X(match, "fuzzy-match a name against the party lists, explained")                   \
    X(lists, "lists update: record new list versions, re-screen kept counterparties")   \
    X(report, "the main job: one self-contained HTML page over everything")            \
    X(serve, "HTTP API, dashboard and case decisions")                                   \
    X(audit, "audit verify: check the case decisions' hash chain")                       \
    X(synth, "a synthetic world of trade flows with known injected events")             \
    X(merge, "combine partial results computed on shards")

#define CKP_DECLARE_VERB(name, summary) int cmd_##name(int argc, char **argv);
CKP_VERBS(CKP_DECLARE_VERB)
