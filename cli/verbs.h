/* verbs.h — the CLI-only commands (X-macro: name, summary); the library
 * verbs come from the registry (verb.h, src/verb/verbs.c). */
#define CKP_VERBS(X)                                                                     \
    X(ingest, "load trade files (Comtrade, BACI, generic flows) into the store")        \
    X(fetch, "fetch flows from the UN Comtrade API into a store source, cached")        \
    X(store, "check every generation of the store (verify); repair CURRENT (recover)") \
    X(screen, "screen shipments: controlled goods, listed parties, risky routes")       \
    X(lists, "lists update: record new list versions, re-screen kept counterparties")   \
    X(report, "the main job: one self-contained HTML page over everything")            \
    X(serve, "HTTP API, dashboard and case decisions")                                   \
    X(audit, "audit verify: check the case decisions' hash chain")                       \
    X(synth, "a synthetic world of trade flows with known injected events")             \
    X(merge, "combine partial results computed on shards")

#define CKP_DECLARE_VERB(name, summary) int cmd_##name(int argc, char **argv);
CKP_VERBS(CKP_DECLARE_VERB)
