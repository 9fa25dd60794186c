/* test_screen.c — screening rules on shipments with known answers. */
#include <stdlib.h>
#include <string.h>

#include "chokepoint/screen.h"
#include "test.h"

typedef struct env6 {
    ckp_ref *ref;
    ckp_lists *lists;
    ckp_index *ix;
    ckp_measures *ms;
    ckp_hubs *hubs;
} env6;

static env6 *env(void)
{
    static env6 e;
    static int tried, ok;
    if (!tried) {
        tried = 1;
        ckp_error err;
        const char *d = ckp_test_path("data");
        ok = ckp_ref_load(d, &e.ref, &err) == CKP_OK &&
             ckp_index_load("all", d, e.ref, &e.lists, &e.ix, NULL, &err) == CKP_OK &&
             ckp_measures_load(e.ref, d, NULL, &e.ms, &err) == CKP_OK &&
             ckp_hubs_load_csv(ckp_test_path("tests/data/hubs_sample.csv"), e.ref, &e.hubs,
                               &err) == CKP_OK;
    }
    return ok ? &e : NULL;
}

/* Collected alerts as "id kind rule" lines. */
typedef struct coll {
    char text[16384];
    size_t o;
    int n;
} coll;

static int collect(const ckp_alert *a, void *ctx)
{
    coll *c = ctx;
    int k = snprintf(c->text + c->o, sizeof c->text - c->o, "%s %s %s|", a->shipment, a->kind,
                     a->rule);
    if (k > 0 && (size_t)k < sizeof c->text - c->o)
        c->o += (size_t)k;
    c->n++;
    return 0;
}

static void on_bad(const ckp_error *why, void *ctx)
{
    coll *c = ctx;
    int k = snprintf(c->text + c->o, sizeof c->text - c->o, "BAD %ld|", why->line);
    if (k > 0 && (size_t)k < sizeof c->text - c->o)
        c->o += (size_t)k;
    c->n++;
}

static ckp_screen_config config(env6 *e)
{
    ckp_screen_config cfg;
    ckp_screen_config_init(&cfg, e->ref);
    cfg.index = e->ix;
    cfg.measures = e->ms;
    cfg.hubs = e->hubs;
    return cfg;
}

static const char HDR[] = "id,date,exporter,exporter_country,importer,importer_country,origin,"
                          "destination,transit,hs,description,qty,unit,value,currency\n";

/* Screen CSV rows (after the header) without a writer; collect bad rows. */
static ckp_status run(env6 *e, const char *rows, coll *bad, ckp_screen_stats *st)
{
    static char buf[65536];
    snprintf(buf, sizeof buf, "%s%s", HDR, rows);
    ckp_screen_config cfg = config(e);
    ckp_screen_input in = {"t.csv", buf, strlen(buf), NULL, 0};
    ckp_error err;
    memset(bad, 0, sizeof *bad);
    return ckp_screen_run(&cfg, &in, NULL, on_bad, bad, st, &err);
}

CKP_TEST(screen_goods_measure_in_force)
{
    env6 *e = env();
    REQUIRE(e);
    ckp_screen_config cfg = config(e);
    ckp_screener *s = NULL;
    ckp_error err;
    REQUIRE(ckp_screener_new(&cfg, &s, &err) == CKP_OK);
    ckp_shipment sh;
    memset(&sh, 0, sizeof sh);
    sh.id = "T1";
    REQUIRE(ckp_date_parse("2025-01-15", &sh.date, &err) == CKP_OK);
    sh.date_text = "2025-01-15";
    sh.exporter = sh.importer = "";
    sh.origin = sh.exporter_country = ckp_ref_country_by_iso3(e->ref, "CHN");
    sh.destination = sh.importer_country = ckp_ref_country_by_iso3(e->ref, "USA");
    sh.hs = 282580;
    sh.hs_level = 6;
    sh.qty = sh.value = 0;
    coll c;
    memset(&c, 0, sizeof c);
    ckp_screen_shipment(s, &sh, collect, &c);
    CHECK(strstr(c.text, "T1 goods CN-2024-46|") != NULL); /* the ban */
    /* before the ban: only the licence regime */
    memset(&c, 0, sizeof c);
    REQUIRE(ckp_date_parse("2024-10-01", &sh.date, &err) == CKP_OK);
    ckp_screen_shipment(s, &sh, collect, &c);
    CHECK(strstr(c.text, "CN-2024-46") == NULL);
    CHECK(strstr(c.text, "T1 goods CN-2024-33|") != NULL);
    /* to Germany: no ban, licence only */
    memset(&c, 0, sizeof c);
    REQUIRE(ckp_date_parse("2025-01-15", &sh.date, &err) == CKP_OK);
    sh.destination = sh.importer_country = ckp_ref_country_by_iso3(e->ref, "DEU");
    ckp_screen_shipment(s, &sh, collect, &c);
    CHECK(strstr(c.text, "CN-2024-46") == NULL);
    /* an uncontrolled product: nothing */
    memset(&c, 0, sizeof c);
    sh.hs = 940360;
    ckp_screen_shipment(s, &sh, collect, &c);
    CHECK_INT(c.n, 0);
    ckp_screener_free(s);
}

CKP_TEST(screen_rows_end_to_end)
{
    env6 *e = env();
    REQUIRE(e);
    coll b;
    ckp_screen_stats st;
    /* known answers: S1 ban, S2 misdeclared antimony, S3 listed importer,
     * S4 CHPL to Russia, S5 hub transit, S6 clean, S7 bad hs, S8 bad date,
     * S9 importer/destination mismatch */
    const char rows[] =
        "S1,2025-01-15,Hunan Mining,CHN,Acme Inc,USA,CHN,USA,,282580,antimony trioxide,100,kg,2000,USD\n"
        "S2,2025-01-15,Hunan Mining,CHN,Acme Inc,USA,CHN,USA,,382499,antimony trioxide blend,100,kg,2000,USD\n"
        "S3,2024-11-20,Leaf Traders,ARE,Inter Tobacco LLC,BLR,ARE,BLR,,240120,tobacco,10,kg,80,USD\n"
        "S4,2024-06-01,Shenzhen Star,CHN,Vostok,RUS,CHN,RUS,,854231,microcontrollers,10,pcs,30,USD\n"
        "S5,2025-03-12,Hunan Mining,CHN,Acme Inc,USA,CHN,USA,THA,811010,antimony,5,kg,160,USD\n"
        "S6,2024-05-10,Siemens AG,DEU,Schneider Electric SE,FRA,DEU,FRA,,940360,furniture,1,pcs,10,EUR\n"
        "S7,2024-05-10,Siemens AG,DEU,Schneider,FRA,DEU,FRA,,81 1x,x,1,pcs,10,EUR\n"
        "S8,2024-02-30,Siemens AG,DEU,Schneider,FRA,DEU,FRA,,850440,x,1,pcs,10,EUR\n"
        "S9,2024-05-10,Siemens AG,DEU,Ferreteria Norte,MEX,DEU,USA,,940360,x,1,pcs,10,EUR\n";
    REQUIRE(run(e, rows, &b, &st) == CKP_OK);
    CHECK_INT(st.shipments, 7);
    CHECK_INT(st.bad, 2);
    CHECK(strstr(b.text, "BAD 8|") != NULL);
    CHECK(strstr(b.text, "BAD 9|") != NULL);
    CHECK_INT(st.alerts[1] >= 1, 1); /* party */
    CHECK_INT(st.alerts[2] >= 2, 1); /* route: hub + mismatch */
}

/* The whole run again, collecting alerts by id through the library callback
 * interface (a writer to a memory stream). */
CKP_TEST(screen_alert_rows)
{
    env6 *e = env();
    REQUIRE(e);
    const char rows[] =
        "S1,2025-01-15,Hunan Mining,CHN,Acme Inc,USA,CHN,USA,,282580,antimony trioxide,100,kg,2000,USD\n"
        "S2,2025-01-15,Hunan Mining,CHN,Acme Inc,USA,CHN,USA,,382499,antimony trioxide blend,100,kg,2000,USD\n"
        "S3,2024-11-20,Leaf Traders,ARE,Inter Tobacco LLC,BLR,ARE,BLR,,240120,tobacco,10,kg,80,USD\n"
        "S4,2024-06-01,Shenzhen Star,CHN,Vostok,RUS,CHN,RUS,,854231,microcontrollers,10,pcs,30,USD\n"
        "S5,2025-03-12,Hunan Mining,CHN,Acme Inc,USA,CHN,USA,THA,811010,antimony,5,kg,160,USD\n"
        "S6,2024-05-10,Siemens AG,DEU,Schneider Electric SE,FRA,DEU,FRA,,940360,furniture,1,pcs,10,EUR\n"
        "S9,2024-05-10,Siemens AG,DEU,Ferreteria Norte,MEX,DEU,USA,,940360,x,1,pcs,10,EUR\n";
    char buf[8192];
    snprintf(buf, sizeof buf, "%s%s", HDR, rows);
    char *out = NULL;
    size_t outn = 0;
    FILE *f = open_memstream(&out, &outn);
    REQUIRE(f);
    size_t nc;
    const ckp_column *cols = ckp_screen_columns(&nc);
    ckp_writer *w = ckp_writer_new(f, CKP_FMT_CSV, cols, nc);
    REQUIRE(w);
    ckp_screen_config cfg = config(e);
    ckp_screen_input in = {"t.csv", buf, strlen(buf), NULL, 0};
    ckp_screen_stats st;
    ckp_error err;
    CHECK(ckp_screen_run(&cfg, &in, w, NULL, NULL, &st, &err) == CKP_OK);
    ckp_writer_finish(w);
    ckp_writer_free(w);
    fclose(f);
    REQUIRE(out);
    CHECK(strstr(out, "S1,goods,1.000,") != NULL);
    CHECK(strstr(out, ",CN-2024-46,") != NULL);
    CHECK(strstr(out, "misdeclaration:CN-2024-46") != NULL);
    CHECK(strstr(out, "S3,party,") != NULL);
    CHECK(strstr(out, "CHPL-1") != NULL);
    CHECK(strstr(out, "S4,goods,") != NULL);
    CHECK(strstr(out, "S5,route,") != NULL);
    CHECK(strstr(out, "hub:CN-2024-46") != NULL);
    CHECK(strstr(out, "S6,") == NULL); /* clean */
    CHECK(strstr(out, "S9,route,0.500,") != NULL);
    free(out);
}

CKP_TEST(screen_unit_value_outlier)
{
    env6 *e = env();
    REQUIRE(e);
    char rows[4096];
    size_t o = 0;
    for (int i = 0; i < 12; i++)
        o += (size_t)snprintf(rows + o, sizeof rows - o,
                              "U%d,2024-05-10,A,DEU,B,FRA,DEU,FRA,,850440,x,100,pcs,%d,EUR\n", i,
                              i == 7 ? 150 : 10000 + 50 * (i % 5));
    char buf[8192];
    snprintf(buf, sizeof buf, "%s%s", HDR, rows);
    char *out = NULL;
    size_t outn = 0;
    FILE *f = open_memstream(&out, &outn);
    REQUIRE(f);
    size_t nc;
    const ckp_column *cols = ckp_screen_columns(&nc);
    ckp_writer *w = ckp_writer_new(f, CKP_FMT_CSV, cols, nc);
    ckp_screen_config cfg = config(e);
    cfg.index = NULL;
    ckp_screen_input in = {"u.csv", buf, strlen(buf), NULL, 0};
    ckp_screen_stats st;
    ckp_error err;
    CHECK(ckp_screen_run(&cfg, &in, w, NULL, NULL, &st, &err) == CKP_OK);
    ckp_writer_finish(w);
    ckp_writer_free(w);
    fclose(f);
    REQUIRE(out);
    CHECK_INT(st.alerts[3], 1);
    CHECK(strstr(out, "U7,unitvalue,") != NULL);
    CHECK(strstr(out, "below the median") != NULL);
    free(out);
}

CKP_TEST(screen_jsonl_and_map)
{
    env6 *e = env();
    REQUIRE(e);
    const char j[] = "{\"ref\":\"J1\",\"date\":\"2025-01-15\",\"origin\":\"CHN\",\"destination\":"
                     "\"USA\",\"hs\":282580}\n"
                     "[1,2]\n";
    ckp_screen_config cfg = config(e);
    ckp_screen_input in = {"j.jsonl", j, sizeof j - 1, "id=ref", 0};
    ckp_screen_stats st;
    ckp_error err;
    coll b;
    memset(&b, 0, sizeof b);
    CHECK(ckp_screen_run(&cfg, &in, NULL, on_bad, &b, &st, &err) == CKP_OK);
    CHECK_INT(st.shipments, 1);
    CHECK_INT(st.bad, 1);
    CHECK(st.alerts[0] >= 1);
    /* --map naming a missing column is an error; so is an unknown field */
    const char c[] = "a,b\n1,2\n";
    ckp_screen_input in2 = {"c.csv", c, sizeof c - 1, "id=nope", 0};
    CHECK(ckp_screen_run(&cfg, &in2, NULL, NULL, NULL, &st, &err) == CKP_EPARSE);
    ckp_screen_input in3 = {"c.csv", c, sizeof c - 1, "colour=a", 0};
    CHECK(ckp_screen_run(&cfg, &in3, NULL, NULL, NULL, &st, &err) == CKP_EUSAGE);
}

/* Screen a CSV text (header included) to CSV alert rows in *out (free it). */
static ckp_status run_text(env6 *e, const char *csv, size_t len, char **out, coll *bad,
                           ckp_screen_stats *st)
{
    size_t outn = 0;
    *out = NULL;
    FILE *f = open_memstream(out, &outn);
    if (!f)
        return CKP_ENOMEM;
    size_t nc;
    const ckp_column *cols = ckp_screen_columns(&nc);
    ckp_writer *w = ckp_writer_new(f, CKP_FMT_CSV, cols, nc);
    ckp_screen_config cfg = config(e);
    ckp_screen_input in = {"t.csv", csv, len, NULL, 'c'};
    ckp_error err;
    memset(bad, 0, sizeof *bad);
    ckp_status rc = ckp_screen_run(&cfg, &in, w, on_bad, bad, st, &err);
    ckp_writer_finish(w);
    ckp_writer_free(w);
    fclose(f);
    return rc;
}

/* A NUL byte inside a field cut the name short on the CSV path, and the
 * listed party got no alert: the row is now counted as not screened. */
CKP_TEST(screen_nul_in_field_not_screened)
{
    env6 *e = env();
    REQUIRE(e);
    const char csv[] = "id,exporter,exporter_country,origin,destination,hs\n"
                       "N1,Rosoboron\0export,RUS,RUS,IND,930100\n"
                       "N2,Rosoboronexport,RUS,RUS,IND,930100\n";
    char *out;
    coll bad;
    ckp_screen_stats st;
    REQUIRE(run_text(e, csv, sizeof csv - 1, &out, &bad, &st) == CKP_OK);
    CHECK_INT(st.bad, 1);
    CHECK_INT(st.shipments, 1);
    CHECK(strstr(bad.text, "BAD 2|") != NULL);
    CHECK(out && strstr(out, "N2,party,") != NULL);
    CHECK(out && strstr(out, "N1,") == NULL);
    free(out);
}

/* Empty origin and destination: the parties' countries stand in, and the
 * reason says so; a field longer than a field holds is not cut. */
CKP_TEST(screen_countries_from_parties)
{
    env6 *e = env();
    REQUIRE(e);
    char csv[8192];
    int n = snprintf(csv, sizeof csv,
                     "id,date,exporter,exporter_country,importer_country,origin,destination,hs\n"
                     "D1,2025-01-15,Hunan Mining,CHN,USA,,,282580\n"
                     "L1,2025-01-15,%05000d,CHN,USA,CHN,USA,282580\n",
                     7);
    REQUIRE(n > 0 && (size_t)n < sizeof csv);
    char *out;
    coll bad;
    ckp_screen_stats st;
    REQUIRE(run_text(e, csv, (size_t)n, &out, &bad, &st) == CKP_OK);
    REQUIRE(out);
    CHECK(strstr(out, "D1,goods,1.000,\"HS 282580 from CHN to USA on 2025-01-15 (origin taken "
                      "from exporter_country, destination taken from importer_country") != NULL);
    CHECK(strstr(out, "from ? to ?") == NULL);
    CHECK_INT(st.shipments, 1);
    CHECK_INT(st.bad, 1); /* L1: its 5000-byte exporter */
    CHECK(strstr(bad.text, "BAD 3|") != NULL);
    free(out);
}

/* The indexed lookup finds what a scan of every entry finds. */
CKP_TEST(screen_hubs_find_indexed)
{
    env6 *e = env();
    REQUIRE(e);
    const ckp_hubs *h = e->hubs;
    REQUIRE(ckp_hubs_count(h) > 0);
    for (size_t i = 0; i < ckp_hubs_count(h); i++) {
        const ckp_hub_entry *x = ckp_hubs_at(h, i);
        for (int dest = -1; dest < 2; dest++) {
            int d = dest < 1 ? dest : x->destination;
            const ckp_hub_entry *best = NULL;
            for (size_t k = 0; k < ckp_hubs_count(h); k++) {
                const ckp_hub_entry *y = ckp_hubs_at(h, k);
                if (y->hs == x->hs && y->hub == x->hub &&
                    (d < 0 || y->destination < 0 || y->destination == d) &&
                    (!best || y->score > best->score))
                    best = y;
            }
            CHECK(ckp_hubs_find(h, x->hs, x->hub, d) == best);
        }
    }
    CHECK(ckp_hubs_find(h, 999999, 0, -1) == NULL);
}

/* An explanation longer than CKP_EXPLAIN_MAX says it was cut (" ...") and
 * is never cut without a word. */
CKP_TEST(screen_explanation_cut_said)
{
    env6 *e = env();
    REQUIRE(e);
    ckp_matcher *m = NULL;
    ckp_error err;
    REQUIRE(ckp_matcher_new(e->ix, &m, &err) == CKP_OK);
    char name[1024];
    size_t o = 0;
    for (int i = 0; i < 30; i++)
        o += (size_t)snprintf(name + o, sizeof name - o, "%sabcdefghijklmnopqrst%c", i ? " " : "",
                              'a' + i % 26);
    char expl[CKP_EXPLAIN_MAX];
    double sc = ckp_match_pair(m, name, o, name, o, expl, sizeof expl);
    CHECK(sc > 0.99);
    size_t n = strlen(expl);
    CHECK(n > 900);
    CHECK(n >= 4 && strcmp(expl + n - 4, " ...") == 0);
    ckp_matcher_free(m);
}
