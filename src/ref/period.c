/* period.c — periods (YYYYMM / YYYY00) and calendar dates (days since
 * 1970-01-01), parsed strictly and formatted back. */
#include <stdio.h>
#include <string.h>

#include "chokepoint/ref.h"

#define YEAR_MIN 1900
#define YEAR_MAX 2199

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

ckp_status ckp_period_parse(const char *s, int32_t *period, ckp_error *err)
{
    size_t n = s ? strlen(s) : 0;
    int y, m = 0;

    *period = -1;
    if (n == 4 && digits(s, 4)) {
        y = num(s, 4);
    } else if (n == 6 && digits(s, 6)) {
        y = num(s, 4);
        m = num(s + 4, 2);
    } else if (n == 7 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2)) {
        y = num(s, 4);
        m = num(s + 5, 2);
    } else {
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "period \"%.40s\" is not YYYY, YYYY-MM or YYYYMM", s ? s : "");
    }
    if (y < YEAR_MIN || y > YEAR_MAX)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "period \"%s\": year %d outside %d-%d", s, y, YEAR_MIN, YEAR_MAX);
    if (n > 4 && (m < 1 || m > 12))
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "period \"%s\": month %02d is not 01-12", s, m);
    *period = y * 100 + m;
    return CKP_OK;
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's algorithm). */
static int32_t days_from_civil(int y, int m, int d)
{
    int yy = y - (m <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

ckp_status ckp_date_parse(const char *s, int32_t *days, ckp_error *err)
{
    size_t n = s ? strlen(s) : 0;
    int y, m, d;

    *days = -1;
    if (n != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2))
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "date \"%.40s\" is not YYYY-MM-DD", s ? s : "");
    y = num(s, 4);
    m = num(s + 5, 2);
    d = num(s + 8, 2);
    if (y < YEAR_MIN || y > YEAR_MAX)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "date \"%s\": year %d outside %d-%d", s, y, YEAR_MIN, YEAR_MAX);
    if (m < 1 || m > 12)
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "date \"%s\": month %02d is not 01-12", s, m);
    if (d < 1 || d > month_days(y, m))
        return ckp_error_set(err, CKP_EINVAL, NULL, 0, 0,
                             "date \"%s\": day %02d does not exist in %04d-%02d", s, d, y, m);
    *days = days_from_civil(y, m, d);
    return CKP_OK;
}

int32_t ckp_date_period(int32_t days)
{
    long z = (long)days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long m = mp < 10 ? mp + 3 : mp - 9;
    long y = yoe + era * 400 + (m <= 2);
    return (int32_t)(y * 100 + m);
}

char *ckp_period_format(int32_t period, char *buf)
{
    unsigned y = (unsigned)(CKP_PERIOD_YEAR(period) % 10000 + 10000) % 10000;
    unsigned m = (unsigned)(CKP_PERIOD_MONTH(period) % 100 + 100) % 100;
    if (m)
        snprintf(buf, 8, "%04u-%02u", y, m);
    else
        snprintf(buf, 8, "%04u", y);
    return buf;
}
