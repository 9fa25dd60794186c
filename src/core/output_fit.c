/* output_fit.c — the table fitted to a terminal (ckp_writer_fit,
 * ckp_writer_hint in output.h): the columns chosen on the first block, long
 * text wrapped under its row, cut cells marked, and the note after the
 * table that names what was left out. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/output_int.h"

#define FIT_MIN_WIDTH 20  /* narrower terminals get a 20-column layout */
#define FIT_MIN_CELL 8    /* a text column is not shortened below this */
#define FIT_INDENT 4      /* long text under its row */
#define ELLIPSIS "\xE2\x80\xA6"
#define FIT_KEY 1         /* ckp_writer_hint: shown first, always */
#define FIT_TEXT 2        /* ckp_writer_hint: wrapped under the row */

void ckp_writer_fit(ckp_writer *w, int width)
{
    if (w->fmt != CKP_FMT_TABLE || width <= 0)
        return;
    w->fit_width = width < FIT_MIN_WIDTH ? FIT_MIN_WIDTH : (size_t)width;
}

/* Mark the columns named in list (separated by spaces) as kind. */
static void hint_names(ckp_writer *w, const char *list, int kind)
{
    while (list && *list) {
        list += strspn(list, " ");
        size_t n = strcspn(list, " ");
        for (size_t c = 0; c < w->ncols && n; c++)
            if (strlen(w->cols[c].name) == n && strncmp(w->cols[c].name, list, n) == 0)
                w->fit[c] = kind;
        list += n;
    }
}

void ckp_writer_hint(ckp_writer *w, const char *keys, const char *text)
{
    if (!w)
        return;
    hint_names(w, keys, FIT_KEY);
    hint_names(w, text, FIT_TEXT);
}

/* Bytes of the longest prefix of s that takes at most cols columns; *used
 * gets its columns. */
static size_t prefix_cols(const char *s, size_t cols, size_t *used)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(s);
    size_t off = 0, n = 0;
    while (len > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p + off, len, &cp);
        size_t cw = 1;
        if (k <= 0)
            k = 1;
        else
            cw = utf8proc_charwidth(cp) > 0 ? (size_t)utf8proc_charwidth(cp) : 0;
        if (n + cw > cols)
            break;
        n += cw;
        off += (size_t)k;
        len -= k;
    }
    *used = n;
    return off;
}

static int col_right(const ckp_writer *w, size_t c)
{
    return w->cols[c].type == CKP_COL_INT || w->cols[c].type == CKP_COL_NUM;
}

/* Choose the row's columns on the first block: all of them when they fit
 * in full (the key columns first), else the key columns, then the
 * others in their order while they fit (a text column that does not fit in
 * full is shortened into the room left, when there is some); FIT_TEXT
 * columns go under the row.  Key columns too wide together are shortened,
 * the widest text first. */
static void fit_layout(ckp_writer *w)
{
    size_t W = w->fit_width, used = 0, all = 0;
    for (size_t c = 0; c < w->ncols; c++)
        all += (c ? 2 : 0) + w->width[c];
    int whole = all <= W; /* every column fits in full: long text stays in the row */
    w->norder = w->ntext = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t c = 0; c < w->ncols; c++) {
            int fit = w->fit[c];
            if (fit == FIT_TEXT && !whole) {
                if (pass == 0)
                    w->text[w->ntext++] = c;
                continue;
            }
            if ((pass == 0) != (fit == FIT_KEY))
                continue;
            size_t gap = w->norder ? 2 : 0, cw = w->width[c];
            if (pass == 1 && used + gap + cw > W) {
                if (col_right(w, c) || used + gap + FIT_MIN_CELL > W)
                    continue;
                cw = W - used - gap;
            }
            w->fitw[w->norder] = cw;
            w->order[w->norder++] = c;
            used += gap + cw;
        }
    while (used > W) { /* key columns alone are too wide */
        size_t best = w->norder;
        for (size_t i = 0; i < w->norder; i++)
            if (!col_right(w, w->order[i]) && w->fitw[i] > FIT_MIN_CELL &&
                (best == w->norder || w->fitw[i] > w->fitw[best]))
                best = i;
        if (best == w->norder)
            break; /* numbers are never cut: the line runs over */
        size_t cut = used - W < w->fitw[best] - FIT_MIN_CELL ? used - W
                                                            : w->fitw[best] - FIT_MIN_CELL;
        w->fitw[best] -= cut;
        used -= cut;
    }
    w->fit_done = 1;
}

/* One cell of the fitted row: text longer than its column is cut and ends
 * in "…" (counted); numbers are written whole. */
static void fit_cell(ckp_writer *w, size_t i, const char *t, size_t *pending)
{
    size_t c = w->order[i], cw = w->fitw[i], dw = ckp__display_width(t), used = 0;
    int right = col_right(w, c);
    size_t bytes = strlen(t);
    int cut = 0;
    if (!right && dw > cw) {
        bytes = prefix_cols(t, cw - 1, &used);
        dw = used + 1;
        cut = 1;
        w->shortened++;
    }
    size_t pad = cw > dw ? cw - dw : 0;
    if (i > 0)
        *pending += 2;
    if (right)
        *pending += pad;
    if (*t) {
        fprintf(w->out, "%*s", (int)*pending, "");
        fwrite(t, 1, bytes, w->out);
        if (cut)
            fputs(ELLIPSIS, w->out);
        *pending = 0;
    }
    if (!right)
        *pending += pad;
}

/* Text wrapped at spaces to the fitted width, every line indented (a word
 * longer than a line is broken); label, when given, leads the first line. */
static void fit_wrap(ckp_writer *w, size_t indent, const char *label, const char *t)
{
    size_t room = w->fit_width - indent, col = 0;
    int words = 0; /* on this line */
    fprintf(w->out, "%*s", (int)indent, "");
    if (label) {
        fprintf(w->out, "%s:", label);
        col = ckp__display_width(label) + 1;
        words = 1;
    }
    while (*t) {
        t += strspn(t, " ");
        if (!*t)
            break;
        size_t wl = strcspn(t, " ");
        char *word = ckp__dupn(t, wl);
        if (!word)
            return;
        const char *p = word;
        size_t ww = ckp__display_width(word);
        if (words && col + 1 + ww > room) {
            fprintf(w->out, "\n%*s", (int)indent, "");
            col = 0;
            words = 0;
        } else if (words) {
            fputc(' ', w->out);
            col++;
        }
        while (col < room && ww > room - col) { /* a word wider than the line */
            size_t used;
            size_t b = prefix_cols(p, room - col, &used);
            if (b == 0)
                break;
            fwrite(p, 1, b, w->out);
            fprintf(w->out, "\n%*s", (int)indent, "");
            p += b;
            ww -= used;
            col = 0;
        }
        fputs(p, w->out);
        col += ww;
        words++;
        free(word);
        t += wl;
    }
    fputc('\n', w->out);
}

void ckp__fit_flush(ckp_writer *w)
{
    if (!w->fit_done) {
        for (size_t c = 0; c < w->ncols; c++) {
            size_t hw = ckp__display_width(w->cols[c].name);
            if (hw > w->width[c])
                w->width[c] = hw;
        }
        fit_layout(w);
    }
    if (!w->header_done) {
        size_t pending = 0, cut = w->shortened; /* a cut header is no cell */
        for (size_t i = 0; i < w->norder; i++)
            fit_cell(w, i, w->cols[w->order[i]].name, &pending);
        w->shortened = cut;
        fputc('\n', w->out);
        w->header_done = 1;
    }
    for (size_t r = 0; r < w->rows; r++) {
        size_t pending = 0;
        cell *row = &w->cells[r * w->ncols];
        for (size_t i = 0; i < w->norder; i++) {
            const char *t = row[w->order[i]].text;
            fit_cell(w, i, t ? t : "", &pending);
        }
        fputc('\n', w->out);
        for (size_t i = 0; i < w->ntext; i++) {
            const char *t = row[w->text[i]].text;
            if (t && *t)
                fit_wrap(w, FIT_INDENT, w->ntext > 1 ? w->cols[w->text[i]].name : NULL, t);
        }
        for (size_t c = 0; c < w->ncols; c++) {
            free(row[c].text);
            row[c].text = NULL;
        }
    }
    w->rows = 0;
}

/* After a fitted table: what it left out, and the flag that shows it. */
void ckp__fit_footer(ckp_writer *w)
{
    char *note = NULL, *msg = NULL;
    size_t len = 0, n = 0;
    FILE *f = open_memstream(&note, &len);
    if (!f) {
        w->io_error = 1;
        return;
    }
    for (size_t c = 0; c < w->ncols; c++) {
        int shown = w->fit[c] == FIT_TEXT;
        for (size_t i = 0; i < w->norder && !shown; i++)
            shown = w->order[i] == c;
        if (!shown)
            fprintf(f, "%s%s", n++ ? ", " : "", w->cols[c].name);
    }
    fclose(f);
    if (note && (n || w->shortened)) {
        fputc('\n', w->out);
        f = open_memstream(&msg, &len);
        if (!f) {
            w->io_error = 1;
            free(note);
            return;
        }
        if (n)
            fprintf(f, "%zu column%s not shown: %s. ", n, n == 1 ? "" : "s", note);
        if (w->shortened)
            fprintf(f, "%zu cell%s shortened (" ELLIPSIS "). ", w->shortened,
                    w->shortened == 1 ? "" : "s");
        fputs("--wide shows every column in full.", f);
        fclose(f);
        fit_wrap(w, 0, NULL, msg ? msg : "");
        free(msg);
    }
    free(note);
}
