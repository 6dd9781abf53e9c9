/*  portal_wait: holds a browser's GET /received until its complaint is registered, without
    holding an HTTP thread.

    Why: the intake queue answers in its own time (a fraction of a second when idle, longer
    when busy or while complaints restarts). Sleeping on an HTTP thread would hold every visitor
    that thread serves (libmicrohttpd's pool gives each thread its own connections), and a page
    that reloads itself (<meta refresh>) takes control of the page away from people using a
    screen reader (WCAG 2.2.1; axe's meta-refresh rule). So the page's request is suspended
    (MHD_suspend_connection: the connection leaves its thread's poll set, the thread goes on
    serving the others) and one waiter thread asks complaint.intake_result for every waiting
    request every S_POLL_MS, and resumes each once its outcome is known or its time is up
    (IMVO_PORTAL_WAIT_MS, 5 s). Then the page shows the receipt, the error, or says that the
    complaint is being registered with a link to look again.

    At most S_WAITING requests wait at once; beyond that (and while the portal stops) the page
    answers at once from its one question.
*/
#include "portal.h"

#include <pthread.h>
#include <microhttpd.h>

#define S_WAITING 256
#define S_POLL_MS 100

typedef struct {
    struct MHD_Connection *connection;  //  suspended; NULL: a free slot
    portal_req_t *req;                  //  gets the outcome (valid while suspended)
    char key [33];                      //  the intake entry's key
    int64_t deadline;                   //  zclock_mono
} s_waiting_t;

static s_waiting_t s_waiting [S_WAITING];
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static bool s_stopping;                 //  under s_lock: no new waits
static volatile bool s_stop;
static pthread_t s_thread;
static int64_t s_wait_ms = 5000;

void
portal_intake_outcome (const char *key, int timeout_ms, char state [16], char receipt [96], char error [300])
{
    snprintf (state, 16, "pending");
    receipt [0] = error [0] = 0;
    msgpack_sbuffer body;
    imvo_pack_one_str (&body, "key", key);
    imvo_response_t resp;
    if (portal_call_within ("complaints", "complaint.intake_result", body.data, body.size, timeout_ms, 1, &resp) == 0
    &&  resp.ok) {
        imvo_obj_strcpy (imvo_map_get (resp.body, "state"), state, 16);
        imvo_obj_strcpy (imvo_map_get (resp.body, "receipt"), receipt, 96);
        imvo_obj_strcpy (imvo_map_get (imvo_map_get (resp.body, "error"), "message"), error, 300);
    }
    imvo_response_release (&resp);
    msgpack_sbuffer_destroy (&body);
}

//  Hands the outcome to the waiting request and resumes it (under s_lock).
static void
s_resume (s_waiting_t *w, const char *state, const char *receipt, const char *error)
{
    snprintf (w->req->state, sizeof w->req->state, "%s", state);
    snprintf (w->req->receipt, sizeof w->req->receipt, "%s", receipt);
    snprintf (w->req->error, sizeof w->req->error, "%s", error);
    w->req->waited = true;
    MHD_resume_connection (w->connection);
    w->connection = NULL;
}

static void *
s_waiter (void *arg)
{
    (void) arg;
    while (!s_stop) {
        zclock_sleep (S_POLL_MS);
        for (int i = 0; i < S_WAITING && !s_stop; i++) {
            char key [33];
            pthread_mutex_lock (&s_lock);
            bool busy = s_waiting [i].connection != NULL;
            snprintf (key, sizeof key, "%s", s_waiting [i].key);
            pthread_mutex_unlock (&s_lock);
            if (!busy)
                continue;
            //  Asked outside the lock: the HTTP threads only take it to add a wait.
            char state [16], receipt [96], error [300];
            portal_intake_outcome (key, 500, state, receipt, error);
            pthread_mutex_lock (&s_lock);
            s_waiting_t *w = &s_waiting [i];
            if (w->connection && (!streq (state, "pending") || zclock_mono () >= w->deadline))
                s_resume (w, state, receipt, error);
            pthread_mutex_unlock (&s_lock);
        }
    }
    return NULL;
}

int
portal_wait_start (void)
{
    s_wait_ms = imvo_env_long ("IMVO_PORTAL_WAIT_MS", 5000, 0, 60000);
    return pthread_create (&s_thread, NULL, s_waiter, NULL) ? -1 : 0;
}

void
portal_wait_stop (void)
{
    //  libmicrohttpd must not stop with a connection suspended: each gets "pending" now.
    pthread_mutex_lock (&s_lock);
    s_stopping = true;
    for (int i = 0; i < S_WAITING; i++)
        if (s_waiting [i].connection)
            s_resume (&s_waiting [i], "pending", "", "");
    pthread_mutex_unlock (&s_lock);
    s_stop = true;
    pthread_join (s_thread, NULL);
}

bool
portal_wait (struct MHD_Connection *c, portal_req_t *r, const char *key)
{
    if (s_wait_ms == 0)
        return false;
    bool waiting = false;
    pthread_mutex_lock (&s_lock);
    for (int i = 0; i < S_WAITING && !s_stopping && !waiting; i++)
        if (!s_waiting [i].connection) {
            //  Suspended before the waiter can see it: resuming a connection that is not
            //  suspended is undefined.
            MHD_suspend_connection (c);
            s_waiting [i] = (s_waiting_t) { .connection = c, .req = r, .deadline = zclock_mono () + s_wait_ms };
            snprintf (s_waiting [i].key, sizeof s_waiting [i].key, "%s", key);
            waiting = true;
        }
    pthread_mutex_unlock (&s_lock);
    return waiting;
}
