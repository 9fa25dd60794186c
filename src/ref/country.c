/* country.c — the country table: ISO 3166 countries (iso-m49), Comtrade
 * codes and areas (comtrade-areas + our areas.csv), BACI codes, names in
 * English, Russian and Chinese plus aliases, and every lookup on them.
 *
 * Files (under <datadir>/ref/countries/, see data/README.md):
 *   iso-m49/country-codes.csv       one row per ISO country: codes, UNTERM names
 *   areas.csv                       Comtrade codes that are not the ISO numeric
 *                                   code of a country: a country's own Comtrade
 *                                   code (842 USA), extra codes (158 TWN), and
 *                                   aggregates (World, regions, bunkers,
 *                                   historical areas) with their 3-char codes
 *   comtrade-areas/{partner,reporter}Areas.csv   Comtrade code → Comtrade name
 *   baci/country_codes_V202601.csv  BACI code → ISO3 (and names)
 *   aliases.csv                     extra names (Turkey, UK, DR Congo…)
 * and, as weaker names (ref_name.weak), UNTERM's French, Spanish and Arabic
 * names from iso-m49 and ICU's CLDR display names of each ISO alpha-2 code
 * in the languages of NAME_LOCALES (German, Japanese…): a name in another
 * language resolves, never in place of an English one, and a name two
 * countries share is ambiguous.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/uloc.h>
#include <unicode/ustring.h>
#include <utf8proc.h>

#include "core/hash.h"
#include "ref/ref_int.h"

#define NAME_BUF 512

/* ---- building ---------------------------------------------------------- */

static ckp_status oom(ckp_error *err)
{
    return ckp_error_set(err, CKP_ENOMEM, NULL, 0, 0, "out of memory loading reference data");
}

static uint64_t hash_str(const char *s) { return ckp__fnv1a(CKP__FNV_BASIS, s, strlen(s)); }

static const ref_name *name_slot(const ckp_ref *ref, const char *key)
{
    size_t mask, i;
    if (!ref->names_cap)
        return NULL;
    mask = ref->names_cap - 1;
    i = (size_t)hash_str(key) & mask;
    while (ref->names[i].key) {
        if (strcmp(ref->names[i].key, key) == 0)
            return &ref->names[i];
        i = (i + 1) & mask;
    }
    return NULL;
}

/* Index raw name s (len bytes) for country id.  weak = a name in a further
 * language (ref_name.weak).  For a normalised name already indexed: a name
 * of the primary sources keeps its country (earlier sources take
 * precedence) and replaces a weak one; a weak name never replaces one, and
 * when two weak names of different countries meet, the name is ambiguous
 * (ref_name.alt): "Chine" is China, never a guess between two. */
static ckp_status add_name_w(ckp_ref *ref, const char *s, size_t len, int id, int weak,
                             ckp_error *err)
{
    char key[NAME_BUF];
    size_t n, mask, i;

    if (!s || !len)
        return CKP_OK;
    n = ckp__ref_norm(s, len, key, sizeof key);
    if (!n)
        return CKP_OK;
    if (ref->names_n * 2 >= ref->names_cap)
        return ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "more than %d country names",
                             REF_MAX_NAMES / 2);
    mask = ref->names_cap - 1;
    i = (size_t)hash_str(key) & mask;
    while (ref->names[i].key) {
        ref_name *e = &ref->names[i];
        if (strcmp(e->key, key) == 0) {
            if (e->id == id || (!e->weak && weak)) {
                return CKP_OK;
            }
            if (e->weak && !weak) {
                e->id = id;
                e->alt = -1;
                e->weak = 0;
            } else if (e->weak && e->alt < 0) {
                e->alt = id;
            }
            return CKP_OK;
        }
        i = (i + 1) & mask;
    }
    ref->names[i].key = ckp__ref_strndup(ref, key, n);
    if (!ref->names[i].key)
        return oom(err);
    ref->names[i].id = id;
    ref->names[i].alt = -1;
    ref->names[i].weak = weak;
    ref->names_used[ref->names_n++] = (uint32_t)i;
    return CKP_OK;
}

static ckp_status add_name(ckp_ref *ref, const char *s, size_t len, int id, ckp_error *err)
{
    return add_name_w(ref, s, len, id, 0, err);
}

static ckp_status add_name_str(ckp_ref *ref, const char *s, int id, ckp_error *err)
{
    return s ? add_name(ref, s, strlen(s), id, err) : CKP_OK;
}

/* A UNTERM French or Spanish name as a weak name, without its article:
 * "Chine (la)" → "Chine", "la République populaire de Chine" → "République
 * populaire de Chine", "las Bahamas" → "Bahamas" (the form with a leading
 * article is indexed too). */
static ckp_status add_name_other(ckp_ref *ref, const char *s, int id, ckp_error *err)
{
    static const char *const articles[] = {"la ", "le ", "les ", "l'", "l\u2019", "el ",
                                           "los ", "las "};
    size_t len;
    ckp_status st;

    if (!s)
        return CKP_OK;
    len = strlen(s);
    /* a trailing article in brackets: "(la)", "(les)", "(el)", "(l')" */
    if (len > 4 && s[len - 1] == ')') {
        const char *open = memchr(s, '(', len);
        if (open && open > s && (size_t)(s + len - open) <= 8)
            len = (size_t)(open - s);
    }
    st = add_name_w(ref, s, len, id, 1, err);
    for (size_t a = 0; st == CKP_OK && a < sizeof articles / sizeof *articles; a++) {
        size_t k = strlen(articles[a]);
        if (len > k && strncasecmp(s, articles[a], k) == 0) {
            st = add_name_w(ref, s + k, len - k, id, 1, err);
            break;
        }
    }
    return st;
}

static ckp_country *new_country(ckp_ref *ref, ckp_error *err)
{
    ckp_country *c;
    if (ref->ncountries >= REF_MAX_COUNTRIES) {
        ckp_error_set(err, CKP_ELIMIT, NULL, 0, 0, "more than %d countries", REF_MAX_COUNTRIES);
        return NULL;
    }
    c = &ref->countries[ref->ncountries++];
    memset(c, 0, sizeof *c);
    c->iso_num = c->comtrade = c->baci = c->m49 = -1;
    c->kind = "country";
    return c;
}

/* Field as an arena string with spaces trimmed; NULL when empty. */
static const char *field_str(ckp_ref *ref, ckp_field f)
{
    f = ckp_field_trim(f);
    if (!f.ptr || !f.len)
        return NULL;
    return ckp__ref_strndup(ref, f.ptr, f.len);
}

/* Field as a number 0..999 (leading zeros allowed), or -1. */
static int field_code(ckp_field f)
{
    int v = 0;
    f = ckp_field_trim(f);
    if (!f.len || f.len > 4)
        return -1;
    for (size_t i = 0; i < f.len; i++) {
        if (!isdigit((unsigned char)f.ptr[i]))
            return -1;
        v = v * 10 + (f.ptr[i] - '0');
    }
    return v < REF_CODE_SPACE ? v : -1;
}

/* "Republic of Korea (the)" → "Republic of Korea": UNTERM short names carry
 * the article in brackets. */
static const char *strip_the(ckp_ref *ref, const char *s)
{
    size_t n;
    if (!s)
        return NULL;
    n = strlen(s);
    if (n > 6 && strcmp(s + n - 6, " (the)") == 0)
        return ckp__ref_strndup(ref, s, n - 6);
    return s;
}

/* Repair UTF-8 text that was decoded as Latin-1 and encoded again
 * ("TÃ¼rkiye" → "Türkiye"), in place.  Text is changed only when every code
 * point is below U+0100 and the bytes they stand for are valid UTF-8 with at
 * least one multi-byte sequence. */
static void repair_mojibake(char *s)
{
    size_t n = strlen(s), at = 0, out = 0;
    unsigned char buf[NAME_BUF];
    int high = 0;
    utf8proc_int32_t c;

    if (n >= sizeof buf)
        return;
    while (at < n) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + at,
                                              (utf8proc_ssize_t)(n - at), &c);
        if (k <= 0 || c > 0xFF)
            return;
        at += (size_t)k;
        buf[out++] = (unsigned char)c;
        high |= c >= 0x80;
    }
    if (!high)
        return;
    for (at = 0; at < out;) {
        utf8proc_ssize_t k = utf8proc_iterate(buf + at, (utf8proc_ssize_t)(out - at), &c);
        if (k <= 0)
            return;
        at += (size_t)k;
    }
    memcpy(s, buf, out);
    s[out] = '\0';
}

/* The ISO table: one record per row. */
static const char *const iso_cols[] = {
    "ISO3166-1-Alpha-3",  "ISO3166-1-Alpha-2",    "ISO3166-1-numeric",
    "M49",                "official_name_en",     "CLDR display name",
    "UNTERM English Short", "UNTERM English Formal", "UNTERM Russian Short",
    "official_name_ru",   "UNTERM Russian Formal", "UNTERM Chinese Short",
    "official_name_cn",   "UNTERM Chinese Formal", "UNTERM French Short",
    "official_name_fr",   "UNTERM French Formal", "UNTERM Spanish Short",
    "official_name_es",   "UNTERM Spanish Formal", "UNTERM Arabic Short",
    "official_name_ar",   "UNTERM Arabic Formal", NULL};
enum { A3, A2, NUM, M49, EN, CLDR, EN_S, EN_F, RU_S, RU_O, RU_F, ZH_S, ZH_O, ZH_F,
       OTHER, NCOL = OTHER + 9 };

static ckp_status iso_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp_ref *ref = ctx;
    const char *names[NCOL];
    ckp_field a3 = ckp_table_field(t, A3), a2 = ckp_table_field(t, A2);
    if (a3.len != 3 || (a2.len != 0 && a2.len != 2))
        return ckp_table_error(t, err, CKP_EPARSE,
                               "ISO alpha-3 \"%.*s\" / alpha-2 \"%.*s\" malformed", (int)a3.len,
                               a3.ptr ? a3.ptr : "", (int)a2.len,
                               a2.ptr ? a2.ptr : "");
    ckp_country *c = new_country(ref, err);
    if (!c)
        return CKP_ELIMIT;
    int id = ref->ncountries - 1;
    memcpy(c->iso3, a3.ptr, 3);
    if (a2.len)
        memcpy(c->iso2, a2.ptr, 2);
    c->iso_num = field_code(ckp_table_field(t, NUM));
    c->m49 = field_code(ckp_table_field(t, M49));
    if (c->m49 < 0)
        c->m49 = c->iso_num;
    for (int i = EN; i < NCOL; i++)
        names[i] = field_str(ref, ckp_table_field(t, (size_t)i));
    names[EN_S] = strip_the(ref, names[EN_S]);
    c->name = names[EN] ? names[EN] : names[CLDR] ? names[CLDR] : names[EN_S];
    if (!c->name)
        c->name = ckp__ref_strndup(ref, c->iso3, 3);
    c->name_ru = names[RU_S] ? names[RU_S] : names[RU_O];
    c->name_zh = names[ZH_S] ? names[ZH_S] : names[ZH_O];
    if (c->iso_num >= 0) {
        ref->by_isonum[c->iso_num] = id;
        c->comtrade = -2; /* decided once Comtrade's code list is read */
    }
    ckp_status st = CKP_OK;
    for (int i = EN; i < OTHER && st == CKP_OK; i++)
        st = add_name_str(ref, names[i], id, err);
    for (int i = OTHER; i < NCOL && st == CKP_OK; i++)
        st = add_name_other(ref, names[i], id, err);
    return st;
}

static ckp_status load_iso(ckp_ref *ref, ckp_error *err)
{
    return ckp__ref_table(ref, "ref/countries/iso-m49/country-codes.csv", iso_cols, iso_row,
                          ref, err);
}

/* Sort ids by their iso3 (width 3) or iso2 (width 2) code: insertion sort,
 * the table has a few hundred rows and qsort has no context argument. */
static void sort_ids(const ckp_ref *ref, int *ids, int n, int width)
{
    for (int i = 1; i < n; i++) {
        int id = ids[i], j = i - 1;
        const char *key = width == 3 ? ref->countries[id].iso3 : ref->countries[id].iso2;
        while (j >= 0) {
            const ckp_country *c = &ref->countries[ids[j]];
            if (memcmp(width == 3 ? c->iso3 : c->iso2, key, (size_t)width) <= 0)
                break;
            ids[j + 1] = ids[j];
            j--;
        }
        ids[j + 1] = id;
    }
}

/* Rebuild the iso3 index; an error when two records share a code. */
static ckp_status index_iso3(ckp_ref *ref, ckp_error *err)
{
    int n = ref->ncountries, k = 0;

    for (int i = 0; i < n; i++)
        ref->by_iso3[i] = i;
    sort_ids(ref, ref->by_iso3, n, 3);
    for (int i = 0; i < n; i++)
        if (ref->countries[i].iso2[0])
            ref->by_iso2[k++] = i;
    sort_ids(ref, ref->by_iso2, k, 2);
    ref->nby_iso2 = k;
    for (int i = 1; i < n; i++) {
        const ckp_country *a = &ref->countries[ref->by_iso3[i - 1]];
        const ckp_country *b = &ref->countries[ref->by_iso3[i]];
        if (memcmp(a->iso3, b->iso3, 3) == 0)
            return ckp_error_set(err, CKP_EPARSE, NULL, 0, 0,
                                 "country code %s used twice (%s, %s)", a->iso3, a->name,
                                 b->name);
    }
    return CKP_OK;
}

/* The id of the loaded record whose ISO3 is the 3-character field code, or
 * -1 (a linear scan: the index is built after the loaders). */
static int scan_iso3(const ckp_ref *ref, ckp_field code)
{
    int id = -1;
    if (code.len != 3)
        return -1;
    for (int i = 0; i < ref->ncountries; i++)
        if (memcmp(ref->countries[i].iso3, code.ptr, 3) == 0)
            id = i;
    return id;
}

/* areas.csv: comtrade,code,role,name. */
static const char *const areas_cols[] = {"comtrade", "code", "role", "name", NULL};

/* A new aggregate record (world, region, special area, historical). */
static ckp_status add_area(ckp_ref *ref, const ckp_table *t, const char *iso3, int com,
                           ckp_field role, int *id, ckp_error *err)
{
    ckp_country *c = new_country(ref, err);
    if (!c)
        return CKP_ELIMIT;
    *id = ref->ncountries - 1;
    memcpy(c->iso3, iso3, 4);
    c->comtrade = com;
    c->is_aggregate = 1;
    c->kind = ckp_field_eq(role, "world")    ? "world"
              : ckp_field_eq(role, "region") ? "region"
              : ckp_field_eq(role, "special") ? "special"
                                              : "historical";
    c->m49 = ckp_field_eq(role, "world") ? 1 : -1;
    c->name = field_str(ref, ckp_table_field(t, 3));
    if (!c->name)
        c->name = ckp__ref_strndup(ref, iso3, 3);
    return add_name_str(ref, c->name, *id, err);
}

static ckp_status areas_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp_ref *ref = ctx;
    ckp_field comf = ckp_table_field(t, 0), code = ckp_table_field(t, 1),
              role = ckp_table_field(t, 2);
    int com = field_code(comf), id;
    char iso3[4];
    /* an aggregate Comtrade does not have (Eurostat's EU-27, euro area…)
     * leaves the code empty: it is found by code and name only */
    int no_com = comf.len == 0 && ckp_field_eq(role, "region");
    if ((com < 0 && !no_com) || code.len != 3)
        return ckp_table_error(t, err, CKP_EPARSE,
                               "expected a Comtrade code 0-999 and a 3-character code");
    memcpy(iso3, code.ptr, 3);
    iso3[3] = '\0';
    if (ckp_field_eq(role, "primary") || ckp_field_eq(role, "alias")) {
        id = scan_iso3(ref, code);
        if (id < 0)
            return ckp_table_error(t, err, CKP_EPARSE, "unknown country code %s", iso3);
        if (ckp_field_eq(role, "primary"))
            ref->countries[id].comtrade = com;
    } else if (ckp_field_eq(role, "world") || ckp_field_eq(role, "region") ||
               ckp_field_eq(role, "special") || ckp_field_eq(role, "historical")) {
        ckp_status st = add_area(ref, t, iso3, no_com ? -1 : com, role, &id, err);
        if (st != CKP_OK)
            return st;
    } else {
        return ckp_table_error(t, err, CKP_EPARSE,
                               "role \"%.*s\" is not primary, alias, world, region, "
                               "special or historical",
                               (int)role.len, role.ptr ? role.ptr : "");
    }
    if (no_com)
        return CKP_OK;
    if (ref->by_comtrade[com] >= 0 && ref->by_comtrade[com] != id)
        return ckp_table_error(t, err, CKP_EPARSE, "Comtrade code %d listed twice", com);
    ref->by_comtrade[com] = id;
    return CKP_OK;
}

static ckp_status load_areas(ckp_ref *ref, ckp_error *err)
{
    return ckp__ref_table(ref, "ref/countries/areas.csv", areas_cols, areas_row, ref, err);
}

/* Comtrade's own code lists (id,text): a code not claimed by areas.csv is the
 * ISO numeric code of a country. */
static const char *const comtrade_cols[] = {"id", "text", NULL};

static ckp_status comtrade_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp_ref *ref = ctx;
    int code = field_code(ckp_table_field(t, 0));
    ckp_field text = ckp_table_field(t, 1);
    if (code < 0)
        return CKP_OK; /* the "all" pseudo-area of the legacy API */
    int id = ref->by_comtrade[code];
    if (id < 0) {
        id = ref->by_isonum[code];
        if (id < 0)
            return ckp_table_error(t, err, CKP_EPARSE,
                                   "Comtrade code %d (%.*s) is neither an ISO numeric code "
                                   "nor listed in ref/countries/areas.csv",
                                   code, (int)text.len, text.ptr ? text.ptr : "");
        ref->by_comtrade[code] = id;
        if (ref->countries[id].comtrade < 0)
            ref->countries[id].comtrade = code;
    }
    return add_name(ref, text.ptr, text.len, id, err);
}

static ckp_status load_comtrade(ckp_ref *ref, const char *rel, ckp_error *err)
{
    return ckp__ref_table(ref, rel, comtrade_cols, comtrade_row, ref, err);
}

static ckp_status load_partner_areas(ckp_ref *ref, ckp_error *err)
{
    return load_comtrade(ref, "ref/countries/comtrade-areas/partnerAreas.csv", err);
}

static ckp_status load_reporter_areas(ckp_ref *ref, ckp_error *err)
{
    return load_comtrade(ref, "ref/countries/comtrade-areas/reporterAreas.csv", err);
}

static int lookup_iso3(const ckp_ref *ref, const char *code3);

/* BACI's table: country_code,country_name,country_iso2,country_iso3. */
static const char *const baci_cols[] = {"country_code", "country_name", "country_iso3", NULL};

static ckp_status baci_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp_ref *ref = ctx;
    char code3[4], nbuf[NAME_BUF];
    int code = field_code(ckp_table_field(t, 0));
    ckp_field iso3 = ckp_table_field(t, 2);
    if (code < 0 || iso3.len != 3)
        return ckp_table_error(t, err, CKP_EPARSE,
                               "expected a BACI code 0-999 and an ISO alpha-3 code");
    memcpy(code3, iso3.ptr, 3);
    code3[3] = '\0';
    int id = lookup_iso3(ref, code3);
    if (id < 0)
        return ckp_table_error(t, err, CKP_EPARSE, "BACI code %d: unknown country code %s",
                               code, code3);
    ref->by_baci[code] = id;
    if (ref->countries[id].baci < 0 || code == ref->countries[id].comtrade)
        ref->countries[id].baci = code;
    ckp_field_copy(ckp_table_field(t, 1), nbuf, sizeof nbuf);
    repair_mojibake(nbuf);
    return add_name_str(ref, nbuf, id, err);
}

static ckp_status load_baci(ckp_ref *ref, ckp_error *err)
{
    return ckp__ref_table(ref, "ref/countries/baci/country_codes_V202601.csv", baci_cols,
                          baci_row, ref, err);
}

/* aliases.csv: alias,code (code = a 3-character code of a loaded record). */
static const char *const alias_cols[] = {"alias", "code", NULL};

static ckp_status alias_row(void *ctx, const ckp_table *t, ckp_error *err)
{
    ckp_ref *ref = ctx;
    ckp_field alias = ckp_table_field(t, 0), code = ckp_table_field(t, 1);
    int id = scan_iso3(ref, code);
    if (id < 0 || !alias.len)
        return ckp_table_error(t, err, CKP_EPARSE,
                               "alias \"%.*s\": unknown country code \"%.*s\"", (int)alias.len,
                               alias.ptr ? alias.ptr : "", (int)code.len,
                               code.ptr ? code.ptr : "");
    return add_name(ref, alias.ptr, alias.len, id, err);
}

static ckp_status load_aliases(ckp_ref *ref, ckp_error *err)
{
    return ckp__ref_table(ref, "ref/countries/aliases.csv", alias_cols, alias_row, ref, err);
}

/* The languages whose country names ICU (CLDR locale data) adds: the UN
 * languages (their UNTERM names are in iso-m49 too) and the languages of the
 * large trading economies. */
static const char *const NAME_LOCALES[] = {"en", "fr", "es", "ru", "zh", "zh_Hant", "ar",
                                           "de", "it", "pt", "nl", "pl", "ja", "ko", "tr",
                                           "uk"};

/* ICU's display name of every ISO country in each of NAME_LOCALES (CLDR's
 * short names: "Chine", "Китай", "中国", "Volksrepublik" is not one of them),
 * as weak names. */
static ckp_status load_icu_names(ckp_ref *ref, ckp_error *err)
{
    for (int i = 0; i < ref->ncountries; i++) {
        const ckp_country *c = &ref->countries[i];
        char loc[8];
        if (c->is_aggregate || !c->iso2[0])
            continue;
        snprintf(loc, sizeof loc, "und_%.2s", c->iso2);
        for (size_t l = 0; l < sizeof NAME_LOCALES / sizeof *NAME_LOCALES; l++) {
            UChar name[128];
            char utf8[NAME_BUF];
            UErrorCode uerr = U_ZERO_ERROR;
            int32_t n = uloc_getDisplayCountry(loc, NAME_LOCALES[l], name, 128, &uerr);
            int32_t m = 0;
            ckp_status st;
            /* ICU falls back to the code itself when a locale has no name;
             * a real name may be as short ("美国") */
            if (U_FAILURE(uerr) || uerr == U_USING_DEFAULT_WARNING || n <= 0 ||
                (n == 2 && name[0] == (UChar)c->iso2[0] && name[1] == (UChar)c->iso2[1]))
                continue;
            uerr = U_ZERO_ERROR;
            u_strToUTF8(utf8, (int32_t)sizeof utf8, &m, name, n, &uerr);
            if (U_FAILURE(uerr) || m <= 0 || (size_t)m >= sizeof utf8)
                continue;
            st = add_name_w(ref, utf8, (size_t)m, i, 1, err);
            if (st != CKP_OK)
                return st;
        }
    }
    return CKP_OK;
}

ckp_status ckp__ref_load_countries(ckp_ref *ref, ckp_error *err)
{
    ckp_status st;

    ref->countries = ckp__ref_alloc(ref, sizeof(ckp_country) * REF_MAX_COUNTRIES);
    ref->by_iso3 = ckp__ref_alloc(ref, sizeof(int) * REF_MAX_COUNTRIES);
    ref->by_iso2 = ckp__ref_alloc(ref, sizeof(int) * REF_MAX_COUNTRIES);
    ref->names_cap = REF_MAX_NAMES;
    ref->names = ckp__ref_alloc(ref, sizeof(ref_name) * ref->names_cap);
    ref->names_used = ckp__ref_alloc(ref, sizeof(uint32_t) * ref->names_cap / 2);
    if (!ref->countries || !ref->by_iso3 || !ref->by_iso2 || !ref->names || !ref->names_used)
        return oom(err);
    for (int i = 0; i < REF_CODE_SPACE; i++)
        ref->by_comtrade[i] = ref->by_baci[i] = ref->by_isonum[i] = -1;

    /* Order matters: aliases.csv is indexed right after the records exist so
     * that its names win over the same names elsewhere. */
    st = CKP__REF_STEPS(ref, err, load_iso, load_areas, index_iso3, load_aliases,
                        load_partner_areas, load_reporter_areas, load_baci, load_icu_names);
    if (st != CKP_OK)
        return st;
    for (int i = 0; i < ref->ncountries; i++) {
        ckp_country *c = &ref->countries[i];
        if (c->comtrade == -2)
            c->comtrade = -1; /* an ISO country Comtrade does not list (Monaco) */
        if (!c->is_aggregate && c->m49 < 0)
            c->m49 = c->iso_num;
    }
    return CKP_OK;
}

/* ---- exact lookups ----------------------------------------------------- */

int ckp_ref_country_count(const ckp_ref *ref) { return ref ? ref->ncountries : 0; }

const ckp_country *ckp_ref_country(const ckp_ref *ref, int id)
{
    if (!ref || id < 0 || id >= ref->ncountries)
        return NULL;
    return &ref->countries[id];
}

const char *ckp_ref_iso3(const ckp_ref *ref, int id)
{
    const ckp_country *c = ckp_ref_country(ref, id);
    return c ? c->iso3 : "?";
}

static int lookup_iso3(const ckp_ref *ref, const char *code3)
{
    int lo = 0, hi = ref->ncountries - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = memcmp(ref->countries[ref->by_iso3[mid]].iso3, code3, 3);
        if (c == 0)
            return ref->by_iso3[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    /* Codes other tables use for our records ("S19" = Taiwan in BACI). */
    const ref_name *slot;
    char key[4] = {(char)tolower((unsigned char)code3[0]), (char)tolower((unsigned char)code3[1]),
                   (char)tolower((unsigned char)code3[2]), 0};
    slot = name_slot(ref, key);
    return slot ? slot->id : -1;
}

static int upper_code(const char *s, char *out, size_t n)
{
    size_t i;
    if (!s)
        return 0;
    for (i = 0; s[i] && i < n; i++) {
        if (!isalnum((unsigned char)s[i]))
            return 0;
        out[i] = (char)toupper((unsigned char)s[i]);
    }
    out[i] = '\0';
    return i == n && s[i] == '\0';
}

/* Binary search of index (n ids sorted by the len-byte code at byte offset
 * field of ckp_country) for code; the id or -1. */
static int search_code(const ckp_ref *ref, const int *index, int n, size_t field,
                       const char *code, size_t len)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const char *key = (const char *)&ref->countries[index[mid]] + field;
        int c = memcmp(key, code, len);
        if (c == 0)
            return index[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

int ckp_ref_country_by_iso3(const ckp_ref *ref, const char *iso3)
{
    char code[4];
    if (!ref || !upper_code(iso3, code, 3))
        return -1;
    return search_code(ref, ref->by_iso3, ref->ncountries, offsetof(ckp_country, iso3), code, 3);
}

int ckp_ref_country_by_iso2(const ckp_ref *ref, const char *iso2)
{
    char code[3];
    if (!ref || !upper_code(iso2, code, 2))
        return -1;
    return search_code(ref, ref->by_iso2, ref->nby_iso2, offsetof(ckp_country, iso2), code, 2);
}

int ckp_ref_country_by_comtrade(const ckp_ref *ref, int code)
{
    return ref && code >= 0 && code < REF_CODE_SPACE ? ref->by_comtrade[code] : -1;
}

int ckp_ref_country_by_baci(const ckp_ref *ref, int code)
{
    return ref && code >= 0 && code < REF_CODE_SPACE ? ref->by_baci[code] : -1;
}

int ckp_ref_country_by_isonum(const ckp_ref *ref, int code)
{
    return ref && code >= 0 && code < REF_CODE_SPACE ? ref->by_isonum[code] : -1;
}

/* ---- free-form lookups ------------------------------------------------- */

static int push_id(int *ids, int n, int max, int id)
{
    if (id < 0)
        return n;
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return n;
    if (n < max)
        ids[n++] = id;
    return n;
}

/* Codes and exact names only: the answers a query certainly means.  Fills
 * ids (best first), returns how many. */
static int find_exact(const ckp_ref *ref, const char *q, size_t len, int *ids, int max)
{
    char key[NAME_BUF], code[8];
    int n = 0, alldig = len > 0 && len <= 3, allalpha = len == 2 || len == 3;

    for (size_t i = 0; i < len; i++) {
        alldig &= isdigit((unsigned char)q[i]) != 0;
        allalpha &= isalnum((unsigned char)q[i]) != 0;
    }
    if (alldig) {
        int v = 0;
        for (size_t i = 0; i < len; i++)
            v = v * 10 + (q[i] - '0');
        n = push_id(ids, n, max, ckp_ref_country_by_comtrade(ref, v));
        n = push_id(ids, n, max, ckp_ref_country_by_isonum(ref, v));
        n = push_id(ids, n, max, ckp_ref_country_by_baci(ref, v));
        return n;
    }
    if (allalpha) {
        memcpy(code, q, len);
        code[len] = '\0';
        n = push_id(ids, n, max,
                    len == 3 ? ckp_ref_country_by_iso3(ref, code) : ckp_ref_country_by_iso2(ref, code));
    }
    if (ckp__ref_norm(q, len, key, sizeof key)) {
        const ref_name *slot = name_slot(ref, key);
        if (slot) {
            n = push_id(ids, n, max, slot->id);
            n = push_id(ids, n, max, slot->alt);
        }
    }
    if (n == 0 && len < NAME_BUF) {
        /* "CÃ´te d'Ivoire": text that went through Latin-1 once too often */
        char fixed[NAME_BUF];
        memcpy(fixed, q, len);
        fixed[len] = '\0';
        repair_mojibake(fixed);
        if (strncmp(fixed, q, len) != 0 && ckp__ref_norm(fixed, strlen(fixed), key, sizeof key)) {
            const ref_name *slot = name_slot(ref, key);
            if (slot) {
                n = push_id(ids, n, max, slot->id);
                n = push_id(ids, n, max, slot->alt);
            }
        }
    }
    return n;
}

/* 1 when the normalised name q is one two countries share (ref_name.alt). */
static int name_ambiguous(const ckp_ref *ref, const char *q, size_t len)
{
    char key[NAME_BUF];
    const ref_name *slot;
    if (!ckp__ref_norm(q, len, key, sizeof key))
        return 0;
    slot = name_slot(ref, key);
    return slot && slot->alt >= 0;
}

/* 1 when the words of needle occur in hay as whole words, one after the
 * other ("virgin islands" in "british virgin islands"; "chine" is not in
 * "chinese taipei": a prefix of a word is no match).  *at_start = 1 when
 * they open hay. */
static int whole_words(const char *hay, const char *needle, int *at_start)
{
    size_t n = strlen(needle);
    const char *p = hay;
    while ((p = strstr(p, needle)) != NULL) {
        if ((p == hay || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ')) {
            *at_start = p == hay;
            return 1;
        }
        p++;
    }
    return 0;
}

/* Countries with a name that holds the query as whole words: names starting
 * with it first, then shorter names. */
static int find_partial(const ckp_ref *ref, const char *q, size_t len, int *ids, int max)
{
    char key[NAME_BUF];
    size_t klen = ckp__ref_norm(q, len, key, sizeof key);
    int n = 0;

    if (klen < 2)
        return 0;
    for (int pass = 0; pass < 2 && n < max; pass++) {
        /* pass 0: names that start with the query; pass 1: anywhere */
        int best_ids[64], nb = 0;
        size_t best_len[64];
        for (size_t u = 0; u < ref->names_n; u++) {
            const ref_name *e = &ref->names[ref->names_used[u]];
            int at_start;
            if (!e->key || !whole_words(e->key, key, &at_start))
                continue;
            if (at_start != (pass == 0))
                continue;
            size_t l = strlen(e->key);
            for (int who = 0; who < 2; who++) {
                int id = who ? e->alt : e->id;
                int j, seen = 0;
                if (id < 0)
                    continue;
                for (j = 0; j < nb; j++) {
                    if (best_ids[j] == id) {
                        if (l < best_len[j])
                            best_len[j] = l;
                        seen = 1;
                    }
                }
                if (!seen && nb < 64) {
                    best_ids[nb] = id;
                    best_len[nb++] = l;
                }
            }
        }
        /* insertion sort by name length, then id, for a stable order */
        for (int a = 1; a < nb; a++) {
            int id = best_ids[a];
            size_t l = best_len[a];
            int b = a - 1;
            while (b >= 0 && (best_len[b] > l || (best_len[b] == l && best_ids[b] > id))) {
                best_ids[b + 1] = best_ids[b];
                best_len[b + 1] = best_len[b];
                b--;
            }
            best_ids[b + 1] = id;
            best_len[b + 1] = l;
        }
        for (int a = 0; a < nb; a++)
            n = push_id(ids, n, max, best_ids[a]);
    }
    return n;
}

static size_t trimmed(const char **q)
{
    const char *s = *q;
    size_t len;
    while (*s == ' ' || *s == '\t')
        s++;
    len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
                   s[len - 1] == '\r'))
        len--;
    *q = s;
    return len;
}

int ckp_ref_country_find(const ckp_ref *ref, const char *query, int *ids, int max)
{
    size_t len;
    int n;
    if (!ref || !query || max <= 0)
        return 0;
    len = trimmed(&query);
    if (!len)
        return 0;
    n = find_exact(ref, query, len, ids, max);
    if (n == 0)
        n = find_partial(ref, query, len, ids, max);
    return n;
}

/* Footnote markers: trailing digits, or one lowercase letter glued to a
 * lowercase letter ("Japane").  Returns the shortened length (or len). */
static size_t strip_digits(const char *s, size_t len)
{
    size_t n = len;
    while (n && isdigit((unsigned char)s[n - 1]))
        n--;
    while (n && s[n - 1] == ' ')
        n--;
    return n;
}

static int try_exact(const ckp_ref *ref, const char *s, size_t len)
{
    int id;
    while (len && s[len - 1] == ' ')
        len--;
    if (!len)
        return -1;
    return find_exact(ref, s, len, &id, 1) ? id : -1;
}

/* The name, then without footnote digits, then without one footnote letter. */
static int try_footnotes(const ckp_ref *ref, const char *s, size_t len)
{
    int id = try_exact(ref, s, len);
    size_t n;
    if (id >= 0)
        return id;
    n = strip_digits(s, len);
    if (n < len) {
        id = try_exact(ref, s, n);
        if (id >= 0)
            return id;
    }
    if (n >= 3 && islower((unsigned char)s[n - 1]) && islower((unsigned char)s[n - 2])) {
        id = try_exact(ref, s, n - 1);
        if (id >= 0)
            return id;
    }
    return -1;
}

int ckp_ref_country_find_loose(const ckp_ref *ref, const char *name)
{
    char buf[NAME_BUF];
    size_t len = 0, n;
    const char *p;
    int id;

    if (!ref || !name)
        return -1;
    /* Copy with no-break spaces (U+00A0) turned into spaces, then trim. */
    for (p = name; *p && len + 1 < sizeof buf; p++) {
        if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
            buf[len++] = ' ';
            p++;
        } else {
            buf[len++] = *p;
        }
    }
    buf[len] = '\0';
    p = buf;
    len = trimmed(&p);
    id = try_footnotes(ref, p, len);
    if (id >= 0)
        return id;
    /* A trailing qualifier: "Brazil (beneficiated)", "World total (rounded)10". */
    n = strip_digits(p, len);
    if (n && p[n - 1] == ')') {
        const char *open = memchr(p, '(', n);
        if (open && open > p) {
            id = try_footnotes(ref, p, (size_t)(open - p));
            if (id >= 0)
                return id;
        }
    }
    /* "Peru, crude borates", "Korea, Republic ofe" was tried whole above. */
    {
        const char *comma = memchr(p, ',', len);
        if (comma && comma > p) {
            id = try_footnotes(ref, p, (size_t)(comma - p));
            if (id >= 0)
                return id;
        }
    }
    return -1;
}

/* Up to k closest names by edit distance, as "Name (ISO3)" in buf. */
static void closest(const ckp_ref *ref, const char *q, size_t len, char *buf, size_t bufn)
{
    char key[NAME_BUF];
    size_t klen = ckp__ref_norm(q, len, key, sizeof key);
    int best_id[3] = {-1, -1, -1}, best_d[3] = {99, 99, 99};
    size_t used = 0;

    buf[0] = '\0';
    if (!klen)
        return;
    /* Offer something for any plausible typo, but keep the scan cheap: names
     * further than about half the query away are not candidates. */
    int cap = (int)(klen / 2) + 2;
    for (size_t u = 0; u < ref->names_n; u++) {
        const ref_name *e = &ref->names[ref->names_used[u]];
        int d, j, dup = 0;
        if (!e->key)
            continue;
        d = ckp__ref_edit_distance(key, klen, e->key, strlen(e->key), cap);
        if (d > cap)
            continue;
        for (j = 0; j < 3; j++) {
            if (best_id[j] == e->id) {
                dup = 1;
                if (d < best_d[j])
                    best_d[j] = d;
            }
        }
        if (dup)
            continue;
        for (j = 0; j < 3; j++) {
            if (d < best_d[j] || (d == best_d[j] && best_id[j] >= 0 && e->id < best_id[j])) {
                for (int m = 2; m > j; m--) {
                    best_d[m] = best_d[m - 1];
                    best_id[m] = best_id[m - 1];
                }
                best_d[j] = d;
                best_id[j] = e->id;
                break;
            }
        }
    }
    for (int j = 0; j < 3 && best_id[j] >= 0; j++) {
        const ckp_country *c = &ref->countries[best_id[j]];
        int w = snprintf(buf + used, bufn - used, "%s%s (%s)", j ? ", " : "", c->name, c->iso3);
        if (w < 0 || (size_t)w >= bufn - used)
            break;
        used += (size_t)w;
    }
}

/* 1 when q is written as a code: 1-3 digits, or 2-3 letters matching an
 * ISO alpha-2/alpha-3 code. */
static int is_code(const ckp_ref *ref, const char *q, size_t len)
{
    char code[4];
    int digits = 1;
    if (!len || len > 3)
        return 0;
    for (size_t i = 0; i < len; i++)
        digits &= isdigit((unsigned char)q[i]) != 0;
    if (digits)
        return 1;
    memcpy(code, q, len);
    code[len] = '\0';
    return len == 3 ? ckp_ref_country_by_iso3(ref, code) >= 0
                    : len == 2 && ckp_ref_country_by_iso2(ref, code) >= 0;
}

ckp_status ckp_ref_country_arg(const ckp_ref *ref, const char *arg, int *id, ckp_error *err)
{
    int ids[8], n;
    size_t len;
    const char *q = arg;
    char cand[400];

    *id = -1;
    if (!ref || !arg)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "no country given");
    len = trimmed(&q);
    if (!len)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0, "empty country argument");
    /* a code, then an exact name in any language the reference data holds;
     * a name two countries share in other languages is ambiguous */
    n = find_exact(ref, q, len, ids, 8);
    if (n > 0 && (n == 1 || is_code(ref, q, len) || !name_ambiguous(ref, q, len))) {
        *id = ids[0];
        return CKP_OK;
    }
    /* else the name's words as whole words of exactly one country's names */
    if (n == 0)
        n = find_partial(ref, q, len, ids, 8);
    if (n == 1) {
        *id = ids[0];
        return CKP_OK;
    }
    if (n > 1) {
        size_t used = 0;
        cand[0] = '\0';
        for (int i = 0; i < n && i < 5; i++) {
            const ckp_country *c = &ref->countries[ids[i]];
            int w = snprintf(cand + used, sizeof cand - used, "%s%s (%s)", i ? ", " : "",
                             c->name, c->iso3);
            if (w < 0 || (size_t)w >= sizeof cand - used)
                break;
            used += (size_t)w;
        }
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "country \"%.*s\" is ambiguous: %s%s (give an ISO3 code)",
                             (int)(len > 60 ? 60 : len), q, cand, n > 5 ? ", …" : "");
    }
    closest(ref, q, len, cand, sizeof cand);
    if (cand[0])
        return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                             "unknown country \"%.*s\" (closest: %s)",
                             (int)(len > 60 ? 60 : len), q, cand);
    return ckp_error_set(err, CKP_ENOTFOUND, NULL, 0, 0,
                         "unknown country \"%.*s\" (give an ISO3 code such as USA, a "
                         "numeric code or a name)",
                         (int)(len > 60 ? 60 : len), q);
}
