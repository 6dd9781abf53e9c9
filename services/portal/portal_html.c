/*  portal_html: the portal's page text in Dutch and English, and a small buffer for building
    pages with everything from outside escaped. */
#include "portal.h"

#include <stdarg.h>

static const char *const s_text [][2] = {
    [T_TITLE] = { "Klacht indienen bij het IMVO-convenant", "File a complaint with an IMVO covenant" },
    [T_INTRO] = { "Hier meldt u schade door een bedrijf dat bij een IMVO-convenant is aangesloten. "
                  "Een onafhankelijke commissie behandelt uw klacht. U kunt anoniem blijven.",
                  "Report harm caused by a company that takes part in an IMVO covenant. An independent "
                  "committee handles your complaint. You may stay anonymous." },
    [T_COVENANT] = { "Convenant", "Covenant" },
    [T_CHOOSE] = { "Verder", "Continue" },
    [T_COMPANY] = { "Bedrijf", "Company" },
    [T_COMPANY_HELP] = { "Typ de naam van het bedrijf zoals die in de lijst staat.",
                         "Type the company's name as it appears in the list." },
    [T_SUMMARY] = { "Waar gaat het over? (één regel)", "What is it about? (one line)" },
    [T_DESCRIPTION] = { "Wat is er gebeurd?", "What happened?" },
    [T_PLACE] = { "Waar (fabriek, adres)", "Where (factory, address)" },
    [T_COUNTRY] = { "Land (bijvoorbeeld BD, TR, IN)", "Country (for example BD, TR, IN)" },
    [T_WHO] = { "Wie bent u?", "Who are you?" },
    [T_ANONYMOUS] = { "Anoniem: ik volg mijn klacht met een ontvangstcode", "Anonymous: I follow my complaint with a receipt" },
    [T_NAMED] = { "Met mijn naam", "With my name" },
    [T_NAME] = { "Naam", "Name" },
    [T_CONTACT] = { "E-mail of telefoon", "E-mail or phone" },
    [T_SHARE] = { "Het bedrijf mag weten wie ik ben", "The company may know who I am" },
    [T_SUBMIT] = { "Klacht indienen", "File the complaint" },
    [T_RECEIPT_TITLE] = { "Uw klacht is ontvangen", "Your complaint was received" },
    [T_RECEIPT_KEEP] = { "Bewaar deze ontvangstcode goed. Alleen hiermee volgt u uw klacht; wij kunnen hem niet "
                         "opnieuw tonen.",
                         "Keep this receipt safe. Only with it can you follow your complaint; we cannot show it "
                         "again." },
    [T_NEXT] = { "Wat gebeurt er nu? Het secretariaat bevestigt de ontvangst binnen 7 dagen (uiterlijk %s) en "
                 "de commissie beoordeelt binnen 6 weken of zij de klacht behandelt.",
                 "What happens next? The secretariat acknowledges your complaint within 7 days (by %s), and "
                 "the committee decides within 6 weeks whether it takes the case." },
    [T_FOLLOW] = { "Klacht volgen", "Follow your complaint" },
    [T_RECEIPT] = { "Ontvangstcode", "Receipt" },
    [T_SHOW] = { "Tonen", "Show" },
    [T_STATUS] = { "Stand van zaken", "Status" },
    [T_HISTORY] = { "Verloop", "History" },
    [T_MESSAGES] = { "Berichten", "Messages" },
    [T_NO_MESSAGES] = { "Nog geen berichten.", "No messages yet." },
    [T_SEND] = { "Bericht sturen", "Send a message" },
    [T_MESSAGE] = { "Uw bericht", "Your message" },
    [T_SENT] = { "Uw bericht is verstuurd.", "Your message was sent." },
    [T_WRONG_RECEIPT] = { "Deze ontvangstcode kennen wij niet. Controleer hem en probeer het opnieuw.",
                          "We do not know this receipt. Check it and try again." },
    [T_TOO_MANY] = { "Te veel pogingen. Probeer het over een minuut opnieuw.", "Too many tries. Try again in a minute." },
    [T_MISSING] = { "Vul dit in:", "Please fill in:" },
    [T_NO_COMPANY] = { "Dit bedrijf staat niet in de lijst van dit convenant. Kies een naam uit de lijst.",
                       "This company is not in this covenant's list. Choose a name from the list." },
    [T_PENDING] = { "Uw klacht is ontvangen en wordt nu geregistreerd. Kijk zo meteen opnieuw om uw ontvangstcode "
                    "te zien.",
                    "Your complaint was received and is being registered. Look again in a moment to see your "
                    "receipt." },
    [T_REFRESH] = { "Opnieuw kijken", "Look again" },
    [T_FAILED] = { "Uw klacht kon niet worden ingediend:", "Your complaint could not be filed:" },
    [T_UNAVAILABLE] = { "De dienst is even niet bereikbaar. Probeer het later opnieuw.",
                        "The service cannot be reached just now. Please try again later." },
    [T_EXPIRED] = { "Dit formulier is verlopen. Probeer het opnieuw.", "This form has expired. Please try again." },
    [T_DECISIONS] = { "Gepubliceerde uitspraken", "Published decisions" },
    [T_NO_DECISIONS] = { "Nog geen gepubliceerde uitspraken.", "No published decisions yet." },
    [T_LOCATIONS] = { "Gepubliceerde productielocaties", "Published production locations" },
    [T_SEARCH] = { "Zoeken", "Search" },
    [T_DOWNLOAD] = { "Download als CSV", "Download as CSV" },
    [T_NOT_FOUND] = { "Deze pagina bestaat niet.", "This page does not exist." },
    [T_LANG_OTHER] = { "English", "Nederlands" },
    [T_CHECK] = { "Controleer dit veld:", "Please check this field:" },
};

const char *
portal_t (portal_lang_t lang, portal_text_t key)
{
    return s_text [key][lang];
}

//  The words for a case's status, for the complainant.
const char *
portal_status_words (portal_lang_t lang, const char *status)
{
    static const char *const words [][3] = {
        { "received", "Ontvangen: het secretariaat bekijkt uw klacht.", "Received: the secretariat is looking at your complaint." },
        { "admissibility", "De commissie beoordeelt of zij uw klacht behandelt.", "The committee is deciding whether it takes your complaint." },
        { "inadmissible", "De commissie behandelt uw klacht niet; de reden staat hieronder.", "The committee does not take your complaint; the reason is below." },
        { "response", "Het bedrijf is gevraagd te reageren.", "The company has been asked to respond." },
        { "mediation", "De commissie bemiddelt tussen u en het bedrijf.", "The committee is mediating between you and the company." },
        { "ruling", "De commissie onderzoekt de zaak en doet een uitspraak.", "The committee is examining the case and will rule." },
        { "decided", "De commissie heeft een uitspraak gedaan.", "The committee has made its decision." },
        { "settled", "U en het bedrijf zijn tot een oplossing gekomen.", "You and the company reached a settlement." },
        { "withdrawn", "De klacht is ingetrokken.", "The complaint was withdrawn." },
        { "closed", "De zaak is gesloten.", "The case is closed." },
    };
    for (size_t i = 0; i < sizeof words / sizeof words [0]; i++)
        if (streq (words [i][0], status))
            return words [i][1 + lang];
    return status;
}

//  Who wrote a message, for the complainant.
const char *
portal_who (portal_lang_t lang, const char *role)
{
    static const char *const words [][3] = {
        { "complainant", "U", "You" }, { "secretariat", "Het secretariaat", "The secretariat" },
        { "committee", "De commissie", "The committee" }, { "company", "Het bedrijf", "The company" } };
    for (size_t i = 0; i < sizeof words / sizeof words [0]; i++)
        if (streq (words [i][0], role))
            return words [i][1 + lang];
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

//  The page around a body: language, the switch to the other language, the style sheet.
void
portal_page_start (portal_buf_t *b, portal_lang_t lang, const char *title, const char *other_lang_href)
{
    portal_buf_add (b, "<!DOCTYPE html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                       "<title>", lang == PORTAL_EN ? "en" : "nl");
    portal_buf_str (b, title);
    portal_buf_add (b, "</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body><header>"
                       "<a class=\"home\" href=\"/?lang=%s\">IMVO</a> <nav><a href=\"/status?lang=%s\">%s</a> ",
                    lang == PORTAL_EN ? "en" : "nl", lang == PORTAL_EN ? "en" : "nl", portal_t (lang, T_FOLLOW));
    portal_buf_add (b, "<a lang=\"%s\" href=\"", lang == PORTAL_EN ? "nl" : "en");
    portal_buf_str (b, other_lang_href);
    portal_buf_add (b, "\">%s</a></nav></header><main><h1>", portal_t (lang, T_LANG_OTHER));
    portal_buf_str (b, title);
    portal_buf_add (b, "</h1>");
}

void
portal_page_end (portal_buf_t *b)
{
    portal_buf_add (b, "</main></body></html>\n");
}

const char portal_css [] =
    "body{font:1.05rem/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}"
    "header{display:flex;justify-content:space-between;align-items:center;padding:.6rem 1rem;background:#0b3d60}"
    "header a{color:#fff;margin-left:1rem}header a.home{font-weight:700;margin:0;text-decoration:none}"
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
