/*  portal_html: the portal's page text, the menu of languages, and a small buffer for building
    pages with everything from outside escaped. The texts are English here, marked N_ for
    xgettext, and translated through gettext (po/imvo-portal/<lang>.po, imvo_i18n.h). */
#include "portal.h"

#include <stdarg.h>

static const char *const s_text [] = {
    [T_TITLE] = N_("File a complaint with an IMVO covenant"),
    [T_INTRO] = N_("Report harm caused by a company that takes part in an IMVO covenant. An independent "
                  "committee handles your complaint. You may stay anonymous."),
    [T_COVENANT] = N_("Covenant"),
    [T_CHOOSE] = N_("Continue"),
    [T_COMPANY] = N_("Company"),
    [T_COMPANY_HELP] = N_("Type the company's name as it appears in the list."),
    [T_SUMMARY] = N_("What is it about? (one line)"),
    [T_DESCRIPTION] = N_("What happened?"),
    [T_PLACE] = N_("Where (factory, address)"),
    [T_COUNTRY] = N_("Country (for example BD, TR, IN)"),
    [T_WHO] = N_("Who are you?"),
    [T_ANONYMOUS] = N_("Anonymous: I follow my complaint with a receipt"),
    [T_NAMED] = N_("With my name"),
    [T_NAME] = N_("Name"),
    [T_CONTACT] = N_("E-mail or phone"),
    [T_SHARE] = N_("The company may know who I am"),
    [T_SUBMIT] = N_("File the complaint"),
    [T_RECEIPT_TITLE] = N_("Your complaint was received"),
    [T_RECEIPT_KEEP] = N_("Keep this receipt safe. Only with it can you follow your complaint; we cannot show it "
                         "again."),
    [T_NEXT] = N_("What happens next? The secretariat acknowledges your complaint within 7 days (by %s), and "
                 "the committee decides within 6 weeks whether it takes the case."),
    [T_FOLLOW] = N_("Follow your complaint"),
    [T_RECEIPT] = N_("Receipt"),
    [T_SHOW] = N_("Show"),
    [T_STATUS] = N_("Status"),
    [T_HISTORY] = N_("History"),
    [T_MESSAGES] = N_("Messages"),
    [T_NO_MESSAGES] = N_("No messages yet."),
    [T_SEND] = N_("Send a message"),
    [T_MESSAGE] = N_("Your message"),
    [T_SENT] = N_("Your message was sent."),
    [T_WRONG_RECEIPT] = N_("We do not know this receipt. Check it and try again."),
    [T_TOO_MANY] = N_("Too many tries. Try again in a minute."),
    [T_MISSING] = N_("Please fill in:"),
    [T_NO_COMPANY] = N_("This company is not in this covenant's list. Choose a name from the list."),
    [T_PENDING] = N_("Your complaint was received and is being registered. Look again in a moment to see your "
                    "receipt."),
    [T_REFRESH] = N_("Look again"),
    [T_FAILED] = N_("Your complaint could not be filed:"),
    [T_UNAVAILABLE] = N_("The service cannot be reached just now. Please try again later."),
    [T_EXPIRED] = N_("This form has expired. Please try again."),
    [T_DECISIONS] = N_("Published decisions"),
    [T_NO_DECISIONS] = N_("No published decisions yet."),
    [T_LOCATIONS] = N_("Published production locations"),
    [T_SEARCH] = N_("Search"),
    [T_DOWNLOAD] = N_("Download as CSV"),
    [T_NOT_FOUND] = N_("This page does not exist."),
    [T_LANG_OTHER] = NULL,              //  the staff console's switch: portal_t answers it
    [T_CHECK] = N_("Please check this field:"),
};

const char *
portal_tr (portal_lang_t lang, const char *msgid)
{
    return imvo_gettext (PORTAL_DOMAIN, (int) lang, msgid);
}

const char *
portal_t (portal_lang_t lang, portal_text_t key)
{
    if (key == T_LANG_OTHER)
        return lang == PORTAL_EN ? "Nederlands" : "English";
    return portal_tr (lang, s_text [key]);
}

const char *
portal_lang_code (portal_lang_t lang)
{
    return (unsigned) lang < PORTAL_LANGS ? imvo_lang_codes [lang] : "nl";
}

portal_lang_t
portal_lang_choose (const char *chosen, const char *accept)
{
    int i = chosen ? imvo_lang_index (chosen) : -1;
    if (i < 0)
        i = accept ? imvo_lang_accept (accept) : -1;
    return i < 0 ? PORTAL_NL : (portal_lang_t) i;
}

//  The words for a case's status, for the complainant.
const char *
portal_status_words (portal_lang_t lang, const char *status)
{
    static const char *const words [][2] = {
        { "received", N_("Received: the secretariat is looking at your complaint.") },
        { "admissibility", N_("The committee is deciding whether it takes your complaint.") },
        { "inadmissible", N_("The committee does not take your complaint; the reason is below.") },
        { "response", N_("The company has been asked to respond.") },
        { "mediation", N_("The committee is mediating between you and the company.") },
        { "ruling", N_("The committee is examining the case and will rule.") },
        { "decided", N_("The committee has made its decision.") },
        { "settled", N_("You and the company reached a settlement.") },
        { "withdrawn", N_("The complaint was withdrawn.") },
        { "closed", N_("The case is closed.") },
    };
    for (size_t i = 0; i < sizeof words / sizeof words [0]; i++)
        if (streq (words [i][0], status))
            return portal_tr (lang, words [i][1]);
    return status;
}

//  Who wrote a message, for the complainant.
const char *
portal_who (portal_lang_t lang, const char *role)
{
    static const char *const words [][2] = {
        { "complainant", N_("You") }, { "secretariat", N_("The secretariat") },
        { "committee", N_("The committee") }, { "company", N_("The company") } };
    for (size_t i = 0; i < sizeof words / sizeof words [0]; i++)
        if (streq (words [i][0], role))
            return portal_tr (lang, words [i][1]);
    return role;
}

//  --- the page buffer ---------------------------------------------------------------------

void
portal_buf_init (portal_buf_t *b)
{
    b->cap = 8192;
    b->len = 0;
    b->data = malloc (b->cap);
    assert (b->data);
    b->data [0] = 0;
}

static void
s_grow (portal_buf_t *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    while (b->len + more + 1 > b->cap)
        b->cap *= 2;
    b->data = realloc (b->data, b->cap);
    assert (b->data);
}

void
portal_buf_raw (portal_buf_t *b, const char *s, size_t n)
{
    s_grow (b, n);
    memcpy (b->data + b->len, s, n);
    b->len += n;
    b->data [b->len] = 0;
}

//  Our own markup: fmt is ours, and %s arguments must be ours too (use portal_buf_text for
//  anything that came from outside).
void
portal_buf_add (portal_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (NULL, 0, fmt, ap);
    va_end (ap);
    s_grow (b, (size_t) n);
    va_start (ap, fmt);
    vsnprintf (b->data + b->len, (size_t) n + 1, fmt, ap);
    va_end (ap);
    b->len += (size_t) n;
}

//  Text from outside (a name, a decision, a message), escaped for HTML text and attributes.
void
portal_buf_text (portal_buf_t *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *e = s [i] == '<' ? "&lt;" : s [i] == '>' ? "&gt;" : s [i] == '&' ? "&amp;"
                      : s [i] == '"' ? "&quot;" : s [i] == '\'' ? "&#39;" : NULL;
        if (e)
            portal_buf_raw (b, e, strlen (e));
        else
            portal_buf_raw (b, s + i, 1);
    }
}

void
portal_buf_str (portal_buf_t *b, const char *s)
{
    portal_buf_text (b, s ? s : "", s ? strlen (s) : 0);
}

//  A msgpack string (or number) as escaped text.
void
portal_buf_obj (portal_buf_t *b, const msgpack_object *o)
{
    if (o && o->type == MSGPACK_OBJECT_STR)
        portal_buf_text (b, o->via.str.ptr, o->via.str.size);
    else
    if (o && (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER || o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER))
        portal_buf_add (b, "%lld", (long long) o->via.i64);
}

void
portal_buf_release (portal_buf_t *b)
{
    free (b->data);
    b->data = NULL;
}

//  The page around a body: its language, the menu of languages (each a link to here in that
//  language, named in itself), the style sheet.
void
portal_page_start (portal_buf_t *b, portal_lang_t lang, const char *title, const char *here)
{
    const char *code = portal_lang_code (lang);
    portal_buf_add (b, "<!DOCTYPE html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "<title>", code);
    portal_buf_str (b, title);
    portal_buf_add (b, "</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body><header>"
                       "<a class=\"home\" href=\"/?lang=%s\">IMVO</a> <nav aria-label=\"%s\"><a href=\"/status?lang=%s\">%s</a>"
                       "</nav></header><nav class=\"langs\" aria-label=\"%s\"><ul>",
                    code, portal_tr (lang, "Main"), code, portal_t (lang, T_FOLLOW), portal_tr (lang, "Language"));
    const char *sep = strchr (here, '?') ? "&amp;" : "?";
    for (int i = 0; i < PORTAL_LANGS; i++) {
        portal_buf_add (b, "<li><a lang=\"%s\" hreflang=\"%s\" href=\"", imvo_lang_codes [i], imvo_lang_codes [i]);
        portal_buf_str (b, here);
        portal_buf_add (b, "%slang=%s\"%s>%s</a></li>", sep, imvo_lang_codes [i],
                        i == (int) lang ? " aria-current=\"page\"" : "", imvo_lang_names [i]);
    }
    portal_buf_add (b, "</ul></nav><main><h1>");
    portal_buf_str (b, title);
    portal_buf_add (b, "</h1>");
}

void
portal_page_end (portal_buf_t *b)
{
    portal_buf_add (b, "</main></body></html>\n");
}

const char portal_css [] =
    "body{font:1.05rem/1.5 system-ui,'Noto Sans','Noto Sans Bengali','Noto Sans Devanagari','Noto Sans CJK SC',sans-serif;margin:0;color:#1b1b1b;background:#fafafa}"
    "header{display:flex;justify-content:space-between;align-items:center;padding:.6rem 1rem;background:#0b3d60}"
    "header a{color:#fff;margin-left:1rem}header a.home{font-weight:700;margin:0;text-decoration:none}"
    "nav.langs ul{list-style:none;margin:0;padding:.3rem 1rem;display:flex;flex-wrap:wrap;gap:.2rem 1rem;"
    "justify-content:flex-end;background:#e8eef3}nav.langs a{color:#0b3d60;display:inline-block;padding:.35rem 0}"
    "nav.langs a[aria-current]{font-weight:700;text-decoration:none}"
    "main{max-width:42rem;margin:0 auto;padding:1rem}h1{font-size:1.5rem;line-height:1.25}"
    "label{display:block;font-weight:600;margin-top:1rem}"
    "input[type=text],input[type=email],textarea,select{width:100%;box-sizing:border-box;font:inherit;"
    "padding:.55rem;border:2px solid #555;border-radius:.3rem;background:#fff}"
    "textarea{min-height:9rem}fieldset{border:2px solid #ccc;border-radius:.3rem;margin-top:1rem}"
    "fieldset label{font-weight:400;display:flex;gap:.5rem;align-items:flex-start;margin-top:.4rem}"
    "button{font:inherit;font-weight:700;margin-top:1.2rem;padding:.7rem 1.4rem;border:0;border-radius:.3rem;"
    "background:#0b3d60;color:#fff;cursor:pointer;min-height:44px}"
    ":focus-visible{outline:3px solid #e8a100;outline-offset:2px}"
    ".help{color:#444;font-size:.95rem;margin:.2rem 0}.error{background:#fde8e8;border-left:5px solid #b00020;"
    "padding:.6rem .8rem;margin:1rem 0}.ok{background:#e6f4ea;border-left:5px solid #1e7e34;padding:.6rem .8rem}"
    ".receipt{font:700 1.6rem/1.3 ui-monospace,monospace;letter-spacing:.05em;background:#fff;border:3px dashed #0b3d60;"
    "padding:1rem;text-align:center;word-break:break-all;margin:1rem 0}"
    "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;"
    "vertical-align:top}ol.history li{margin:.3rem 0}.msg{background:#fff;border:1px solid #ddd;padding:.5rem;"
    "margin:.5rem 0;border-radius:.3rem}.statement{white-space:pre-line}";

const msgpack_object *
portal_covenant_name (portal_lang_t lang, const msgpack_object *covenant)
{
    const msgpack_object *nl = lang == PORTAL_NL ? imvo_map_get (covenant, "name_nl") : NULL;
    if (nl && nl->type == MSGPACK_OBJECT_STR && nl->via.str.size)
        return nl;
    return imvo_map_get (covenant, "name");
}
