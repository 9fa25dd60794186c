/* test_lists.c — party list loaders on the shipped lists and on small
 * synthetic inputs with known content. */
#include <stdlib.h>
#include <string.h>

#include "chokepoint/lists.h"
#include "test.h"

static const ckp_ref *ref(void)
{
    static ckp_ref *r;
    static int tried;
    if (!tried) {
        tried = 1;
        ckp_error err;
        if (ckp_ref_load(ckp_test_path("data"), &r, &err) != CKP_OK)
            r = NULL;
    }
    return r;
}

/* Names of party p joined by '|'. */
static const char *names_of(const ckp_lists *l, const ckp_party *p)
{
    static char buf[4096];
    size_t o = 0;
    buf[0] = 0;
    size_t pi = (size_t)(p - ckp_lists_party(l, 0));
    for (size_t i = 0; i < ckp_lists_name_count(l); i++) {
        const ckp_party_name *n = ckp_lists_name(l, i);
        if (n->party != pi)
            continue;
        int k = snprintf(buf + o, sizeof buf - o, "%s%s", o ? "|" : "", n->name);
        if (k > 0)
            o += (size_t)k < sizeof buf - o ? (size_t)k : sizeof buf - o - 1;
    }
    return buf;
}

CKP_TEST(lists_ofac_shipped)
{
    REQUIRE(ref());
    ckp_lists *l = NULL;
    ckp_error err;
    ckp_list_stats st;
    memset(&st, 0, sizeof st);
    REQUIRE(ckp_lists_new(&l, &err) == CKP_OK);
    REQUIRE(ckp_lists_load_spec(l, "ofac", ckp_test_path("data"), ref(), &st, &err) == CKP_OK);
    CHECK_INT(ckp_lists_party_count(l), 14965); /* PROVENANCE: 14,965 records */
    CHECK_INT(st.bad, 0);
    CHECK(st.unjoined > 0);                     /* alt/add are newer than sdn */
    size_t with = 0;
    for (size_t i = 0; i < ckp_lists_party_count(l); i++)
        with += ckp_lists_party(l, i)->countries[0] != 0;
    CHECK_INT(with, 11560); /* add.csv countries resolved (OFAC spellings too) */
    const ckp_party *p = ckp_lists_find(l, "ofac-306");
    REQUIRE(p);
    CHECK_STR(p->name, "BANCO NACIONAL DE CUBA");
    CHECK_STR(p->list, "OFAC-SDN");
    CHECK_STR(p->program, "CUBA");
    CHECK_STR(p->type, "entity");
    CHECK(strstr(p->countries, "ESP") != NULL);           /* from add.csv */
    CHECK(strstr(names_of(l, p), "|BNC") != NULL);         /* remarks a.k.a. */
    CHECK(strstr(names_of(l, p), "NATIONAL BANK OF CUBA")); /* alt.csv */
    p = ckp_lists_find(l, "ofac-10392");
    REQUIRE(p);
    CHECK_STR(p->program, "SDGT; NPWMD; IFSR; IRAN-CON-ARMS-EO; RUSSIA-EO14024");
    p = ckp_lists_find(l, "ofac-15892");
    REQUIRE(p);
    CHECK_STR(p->type, "individual");
    CHECK(strstr(p->identifiers, "Tax ID No. 773407989940 (Russia)") != NULL);
    ckp_lists_free(l);
}

CKP_TEST(lists_ofac_dirty_memory)
{
    /* -0- nulls, Latin-1, a bad ent_num, a trailing 0x1A, CRLF */
    const char sdn[] = "1,\"M\xdcLLER HANDEL GMBH\",-0- ,\"SDGT] [IFSR\",-0- ,-0- ,-0- ,-0- ,"
                       "-0- ,-0- ,-0- ,\"a.k.a. 'MH'; f.k.a. 'OLD NAME'.\"\r\n"
                       "x2,\"BAD ROW\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"
                       "3,\"DOE, John\",\"individual\",\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
                       "-0- ,-0- \r\n"
                       /* a name of nothing but a form feed (found by fuzz_lists_ofac) */
                       "4,\"\f\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a";
    const char alt[] = "1,10,\"aka\",\"MUELLER TRADE\",-0- \r\n99,11,\"aka\",\"NOBODY\",-0- \r\n\x1a";
    ckp_list_src s1 = {"sdn.csv", sdn, sizeof sdn - 1}, s2 = {"alt.csv", alt, sizeof alt - 1};
    ckp_lists *l = NULL;
    ckp_error err;
    ckp_list_stats st;
    memset(&st, 0, sizeof st);
    REQUIRE(ckp_lists_new(&l, &err) == CKP_OK);
    REQUIRE(ckp_lists_load_ofac(l, &s1, &s2, NULL, NULL, &st, &err) == CKP_OK);
    CHECK_INT(ckp_lists_party_count(l), 2);
    CHECK_INT(st.bad, 2);
    CHECK(strstr(st.first_bad, "sdn.csv:2:") == st.first_bad);
    CHECK(ckp_lists_find(l, "ofac-4") == NULL);
    CHECK_INT(st.unjoined, 1);
    const ckp_party *p = ckp_lists_find(l, "ofac-1");
    REQUIRE(p);
    CHECK_STR(p->name, "M\xc3\x9cLLER HANDEL GMBH"); /* Ü in UTF-8 */
    CHECK_STR(p->program, "SDGT; IFSR");
    CHECK_STR(names_of(l, p), "M\xc3\x9cLLER HANDEL GMBH|MH|OLD NAME|MUELLER TRADE");
    p = ckp_lists_find(l, "ofac-3");
    REQUIRE(p);
    CHECK_STR(p->type, "individual");
    CHECK_STR(p->identifiers, "");
    ckp_lists_free(l);
}

CKP_TEST(lists_ftm_deltas)
{
    const char f[] =
        "{\"op\":\"ADD\",\"entity\":{\"id\":\"A\",\"caption\":\"Alpha Ltd\",\"schema\":\"Company\","
        "\"properties\":{\"name\":[\"Alpha Ltd\",\"Альфа\"],\"country\":[\"ru\"],"
        "\"innCode\":[\"7701\"]},\"datasets\":[\"x\"]}}\n"
        "{\"op\":\"ADD\",\"entity\":{\"id\":\"B\",\"caption\":\"Beta\",\"schema\":\"Person\","
        "\"properties\":{\"name\":[\"Beta\"]}}}\n"
        "{\"op\":\"MOD\",\"entity\":{\"id\":\"A\",\"caption\":\"Alpha Limited\",\"schema\":"
        "\"Company\",\"properties\":{\"name\":[\"Alpha Limited\"]}}}\n"
        "{\"op\":\"DEL\",\"entity\":{\"id\":\"B\"}}\n"
        "{\"id\":\"addr-1\",\"schema\":\"Address\",\"properties\":{\"full\":[\"x\"]}}\n"
        "not json\n"
        "\n";
    ckp_list_src s = {"d.json", f, sizeof f - 1};
    ckp_lists *l = NULL;
    ckp_error err;
    ckp_list_stats st;
    memset(&st, 0, sizeof st);
    REQUIRE(ckp_lists_new(&l, &err) == CKP_OK);
    REQUIRE(ckp_lists_load_ftm(l, &s, ref(), &st, &err) == CKP_OK);
    CHECK_INT(st.bad, 1);
    CHECK(strstr(st.first_bad, "d.json:6:") == st.first_bad);
    CHECK_INT(st.skipped, 1);
    CHECK_INT(st.deleted, 2); /* A replaced by MOD, B deleted */
    const ckp_party *a = ckp_lists_find(l, "A");
    REQUIRE(a);
    CHECK_STR(a->name, "Alpha Limited");
    CHECK(ckp_lists_find(l, "B") == NULL);
    ckp_lists_free(l);
}

/* An identifier is kept whole, however long (it was cut at 300 bytes, so
 * a long registration number matched by its prefix or not at all). */
CKP_TEST(lists_ftm_long_identifier)
{
    char id[701];
    memset(id, '7', 700);
    id[700] = '\0';
    char f[1200];
    int n = snprintf(f, sizeof f,
                     "{\"id\":\"L\",\"caption\":\"Long Id Ltd\",\"schema\":\"Company\","
                     "\"properties\":{\"name\":[\"Long Id Ltd\"],\"registrationNumber\":[\"%s9\"]}}\n",
                     id);
    REQUIRE(n > 0 && (size_t)n < sizeof f);
    ckp_list_src s = {"long.json", f, (size_t)n};
    ckp_lists *l = NULL;
    ckp_error err;
    ckp_list_stats st;
    memset(&st, 0, sizeof st);
    REQUIRE(ckp_lists_new(&l, &err) == CKP_OK);
    REQUIRE(ckp_lists_load_ftm(l, &s, ref(), &st, &err) == CKP_OK);
    const ckp_party *p = ckp_lists_find(l, "L");
    REQUIRE(p);
    CHECK_INT((long long)strlen(p->identifiers), (long long)strlen("registrationNumber ") + 701);
    CHECK(p->identifiers[strlen(p->identifiers) - 1] == '9');
    ckp_lists_free(l);
}

CKP_TEST(lists_ftm_shipped_scripts)
{
    ckp_lists *l = NULL;
    ckp_error err;
    ckp_list_stats st;
    memset(&st, 0, sizeof st);
    REQUIRE(ckp_lists_new(&l, &err) == CKP_OK);
    REQUIRE(ckp_lists_load_spec(l, "opensanctions", ckp_test_path("data"), ref(), &st, &err) ==
            CKP_OK);
    CHECK_INT(st.bad, 0);
    const ckp_party *p = ckp_lists_find(l, "NK-2Ka3UvopqbpZmVDFjWd4LA");
    REQUIRE(p);
    CHECK_STR(p->name, "Vitaly Yurievich KUZMENKO");
    CHECK(strstr(names_of(l, p), "Виталий Юрьевич КУЗЬМЕНКО") != NULL);
    CHECK_STR(p->listed, "2024-02-23");
    CHECK(strstr(p->identifiers, "taxNumber 366510784303") != NULL);
    if (ref())
        CHECK_STR(p->countries, "RUS");
    /* the t2 deltas: NK-500Poltergeist added then deleted */
    CHECK(ckp_lists_find(l, "NK-500Poltergeist") == NULL);
    CHECK(ckp_lists_find(l, "Q4365364") != NULL);
    ckp_lists_free(l);
}

CKP_TEST(lists_mofcom_and_csv)
{
    ckp_lists *l = NULL;
    ckp_error err;
    ckp_list_stats st;
    memset(&st, 0, sizeof st);
    REQUIRE(ckp_lists_new(&l, &err) == CKP_OK);
    REQUIRE(ckp_lists_load_spec(l, "mofcom", ckp_test_path("data"), ref(), &st, &err) == CKP_OK);
    CHECK_INT(ckp_lists_party_count(l), 208);
    const ckp_party *p = ckp_lists_find(l, "mofcom-6");
    REQUIRE(p);
    CHECK_STR(p->name, "Lockheed Martin Corporation");
    CHECK_STR(names_of(l, p), "Lockheed Martin Corporation|洛克希德·马丁公司");
    CHECK_STR(p->listed, "2025-01-02");
    CHECK_STR(p->countries, "USA");
    const char csv[] = "id,name,aliases,country,list,program\n"
                       "x1,Acme Widgets,Acme;ACME W,USA;CAN,MYLIST,P1\n"
                       ",,,,,\n";
    ckp_list_src s = {"my.csv", csv, sizeof csv - 1};
    memset(&st, 0, sizeof st);
    REQUIRE(ckp_lists_load_csv(l, &s, ref(), &st, &err) == CKP_OK);
    CHECK_INT(st.bad, 1);
    p = ckp_lists_find(l, "x1");
    REQUIRE(p);
    CHECK_STR(p->list, "MYLIST");
    CHECK_STR(p->countries, "USA;CAN");
    CHECK_STR(names_of(l, p), "Acme Widgets|Acme|ACME W");
    /* a CSV without a name column is refused */
    const char bad[] = "id,title\n1,x\n";
    ckp_list_src sb = {"bad.csv", bad, sizeof bad - 1};
    CHECK(ckp_lists_load_csv(l, &sb, ref(), NULL, &err) == CKP_EPARSE);
    CHECK(ckp_lists_load_spec(l, "nosuchlist", ckp_test_path("data"), ref(), NULL, &err) ==
          CKP_ENOTFOUND);
    ckp_lists_free(l);
}

static uint64_t prog_done, prog_total;
static int prog_calls;
static void on_progress(const char *file, uint64_t done, uint64_t total, void *ctx)
{
    (void)file;
    (void)ctx;
    prog_done = done;
    prog_total = total;
    prog_calls++;
}

/* The FtM loader streams a file: lines across its 1 MiB reads, a BOM, CRLF,
 * a line over 64 MiB (counted bad with its line, the next ones read), a
 * last line without a newline; progress up to the file's size; referents. */
CKP_TEST(lists_ftm_streamed)
{
    char path[600];
    snprintf(path, sizeof path, "%s/big.ftm.json", ckp_test_tmpdir());
    FILE *f = fopen(path, "wb");
    REQUIRE(f);
    fputs("\xEF\xBB\xBF", f);
    const int n = 20000;
    for (int i = 0; i < n; i++)
        fprintf(f, "{\"id\":\"E%d\",\"schema\":\"Company\",\"referents\":[\"old-%d\",\"ofac-%d\"],"
                   "\"properties\":{\"name\":[\"Streamed Trading Company Number %d\"],"
                   "\"country\":[\"de\"]}}%s",
                i, i, i, i, i % 3 == 0 ? "\r\n" : "\n");
    /* line n + 1: over 64 MiB */
    fputs("{\"id\":\"HUGE\",\"schema\":\"Person\",\"properties\":{\"name\":[\"", f);
    static char block[1 << 16];
    memset(block, 'a', sizeof block);
    for (int i = 0; i < 1025; i++)
        fwrite(block, 1, sizeof block, f);
    fputs("\"]}}\n", f);
    fputs("{\"id\":\"LAST\",\"schema\":\"Person\",\"properties\":{\"name\":[\"Last One\"]}}", f);
    long size = ftell(f);
    REQUIRE(fclose(f) == 0);
    ckp_lists *l = NULL;
    ckp_error err;
    ckp_list_stats st;
    memset(&st, 0, sizeof st);
    REQUIRE(ckp_lists_new(&l, &err) == CKP_OK);
    prog_calls = 0;
    ckp_lists_set_progress(l, on_progress, NULL);
    ckp_list_src s = {path, NULL, 0};
    REQUIRE(ckp_lists_load_ftm(l, &s, ref(), &st, &err) == CKP_OK);
    CHECK_INT(st.rows, n + 2);
    CHECK_INT(st.bad, 1);
    char want[700];
    snprintf(want, sizeof want, "big.ftm.json:%d: line longer than 64 MiB", n + 1);
    CHECK_STR(st.first_bad, want);
    CHECK_INT(ckp_lists_party_count(l), n + 1);
    const ckp_party *p = ckp_lists_find(l, "E0");
    REQUIRE(p);
    CHECK_STR(p->name, "Streamed Trading Company Number 0");
    CHECK_STR(p->referents, "old-0; ofac-0");
    p = ckp_lists_find(l, "E12345");
    REQUIRE(p);
    CHECK_STR(p->name, "Streamed Trading Company Number 12345");
    CHECK(ckp_lists_find(l, "LAST") != NULL);
    CHECK(ckp_lists_find(l, "HUGE") == NULL);
    CHECK(prog_calls >= 16); /* every 4 MiB of ~70 MiB, and the end */
    CHECK_INT((long long)prog_done, size);
    CHECK_INT((long long)prog_total, size);
    ckp_lists_free(l);
    remove(path);
}

/* The generic CSV and MOFCOM loaders read through ckp_table_load from
 * memory: every row counted, a name longer than the loader keeps refused
 * (not cut), a row with an empty name skipped with the rows after it loaded,
 * MOFCOM's name_cn|name_en rule on the header. */
CKP_TEST(lists_table_loaders)
{
    ckp_lists *l = NULL;
    ckp_error err;
    ckp_list_stats st;
    memset(&st, 0, sizeof st);
    REQUIRE(ckp_lists_new(&l, &err) == CKP_OK);
    static char csv[4096];
    char longname[2100];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    snprintf(csv, sizeof csv,
             "name,id,country\n"
             "Beta Trading,b1,DEU\n"
             "%s,b2,FRA\n"
             "  ,b3,ITA\n"
             "Delta Works,b4,\n",
             longname);
    ckp_list_src s = {"t.csv", csv, strlen(csv)};
    REQUIRE(ckp_lists_load_csv(l, &s, ref(), &st, &err) == CKP_OK);
    CHECK(ckp_lists_find(l, "b1") != NULL);
    CHECK(ckp_lists_find(l, "b2") == NULL); /* too long: refused, not cut */
    CHECK(ckp_lists_find(l, "b4") != NULL);
    CHECK_INT(st.bad, 2);
    CHECK_INT(ckp_lists_party_count(l), 2);
    const ckp_party *p = ckp_lists_find(l, "b1");
    REQUIRE(p);
    CHECK_STR(p->countries, "DEU");
    CHECK_STR(p->list, "t.csv");

    const char mof[] = "id,name_en,lists\n7,Foo Aerospace,unreliable_entity\n8,,x\n";
    ckp_list_src m = {"m.csv", mof, sizeof mof - 1};
    memset(&st, 0, sizeof st);
    REQUIRE(ckp_lists_load_mofcom(l, &m, ref(), &st, &err) == CKP_OK);
    CHECK_INT(st.rows, 2);
    CHECK_INT(st.bad, 1); /* row without a name */
    p = ckp_lists_find(l, "mofcom-7");
    REQUIRE(p);
    CHECK_STR(p->name, "Foo Aerospace");
    CHECK_STR(p->list, "MOFCOM-UEL");
    const char nonames[] = "id,lists\n7,x\n";
    ckp_list_src n = {"n.csv", nonames, sizeof nonames - 1};
    CHECK(ckp_lists_load_mofcom(l, &n, ref(), NULL, &err) == CKP_EPARSE);
    CHECK(strstr(err.msg, "name_cn|name_en") != NULL);
    ckp_lists_free(l);
}
