/*  staff_chart: the console's one chart, a horizontal bar chart drawn as inline SVG by the
    portal itself (no script, no chart library): role="img" named by its <title>, every bar's
    value written beside it, and the same figures in a table under a <details> for whoever
    does not see the picture or wants the numbers. Scales to the width of a phone. */
#include "staff.h"

#include <math.h>

#define S_ROW 28                    //  px per bar
#define S_LABEL 152                 //  px for the labels, left of the bars
#define S_VALUE 60                  //  px for the values, right of the longest bar
#define S_WIDTH 392                 //  the viewBox's width: drawn at 1 to 1.2 times on a phone and a desktop
#define S_LABEL_MAX 18              //  letters of a label in the picture (the table has it whole)

//  A value as the chart writes it: whole numbers without decimals, else one.
static void
s_value (portal_buf_t *b, double v, const char *unit)
{
    if (!isfinite (v))
        v = 0;
    if (v == floor (v) && fabs (v) < 1e15)
        portal_buf_add (b, "%.0f", v);
    else
        portal_buf_add (b, "%.1f", v);
    if (unit && *unit) {
        portal_buf_add (b, " ");
        portal_buf_str (b, unit);
    }
}

void
staff_chart_bars (staff_t *x, portal_buf_t *b, const char *title, const char *const *labels, const double *values,
                  int n, const char *unit)
{
    //  An id of its own on the page, from the title.
    unsigned long h = 5381;
    for (const char *p = title; *p; p++)
        h = h * 33 + (unsigned char) *p;
    double max = 0;
    for (int i = 0; i < n; i++)
        max = isfinite (values [i]) && values [i] > max ? values [i] : max;
    int height = S_ROW * (n > 0 ? n : 1) + 16;
    portal_buf_add (b, "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
                       "aria-labelledby=\"chart-%lx\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
                       "preserveAspectRatio=\"xMinYMin meet\"><title id=\"chart-%lx\">", h, S_WIDTH, height, h);
    portal_buf_str (b, title);
    portal_buf_add (b, "</title>");
    if (n == 0)
        portal_buf_add (b, "<text x=\"0\" y=\"20\" font-size=\"16\" fill=\"#222\">%s</text>",
                        TR (x, "Nog geen cijfers", "No figures yet"));
    for (int i = 0; i < n; i++) {
        double v = isfinite (values [i]) && values [i] > 0 ? values [i] : 0;
        int y = 8 + S_ROW * i, w = max > 0 ? (int) lround ((S_WIDTH - S_LABEL - S_VALUE) * v / max) : 0;
        portal_buf_add (b, "<text x=\"%d\" y=\"%d\" font-size=\"16\" text-anchor=\"end\" fill=\"#222\">",
                        S_LABEL - 8, y + 17);
        //  A long label cut after S_LABEL_MAX letters (not inside a UTF-8 sequence), with an ellipsis.
        size_t len = 0, letters = 0;
        for (const unsigned char *p = (const unsigned char *) labels [i]; p [len]; len++)
            if ((p [len] & 0xC0) != 0x80 && ++letters > S_LABEL_MAX)
                break;
        portal_buf_text (b, labels [i], len);
        if (labels [i][len])
            portal_buf_add (b, "…");
        portal_buf_add (b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#2a6f97\"/>"
                           "<text x=\"%d\" y=\"%d\" font-size=\"16\" fill=\"#222\">",
                        S_LABEL, y + 3, w > 0 ? w : 1, S_ROW - 8, S_LABEL + (w > 0 ? w : 1) + 6, y + 17);
        s_value (b, values [i], unit);
        portal_buf_add (b, "</text>");
    }
    portal_buf_add (b, "</svg><figcaption>");
    portal_buf_str (b, title);
    portal_buf_add (b, "</figcaption><details><summary>%s</summary><div class=\"table\"><table class=\"figures\">"
                       "<caption class=\"visually-hidden\">", TR (x, "De cijfers als tabel", "The figures as a table"));
    portal_buf_str (b, title);
    portal_buf_add (b, "</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                    TR (x, "Wat", "What"), TR (x, "Aantal", "Value"));
    for (int i = 0; i < n; i++) {
        portal_buf_add (b, "<tr><th scope=\"row\">");
        portal_buf_str (b, labels [i]);
        portal_buf_add (b, "</th><td class=\"num\">");
        s_value (b, values [i], unit);
        portal_buf_add (b, "</td></tr>");
    }
    portal_buf_add (b, "</tbody></table></div></details></figure>");
}
