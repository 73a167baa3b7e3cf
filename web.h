/*  web.h - `chat --web [ADDR:]PORT`: a web page where each browser tab is a member of the room.

    civetweb serves the page (web/index.html, chat.css, chat.js) and a WebSocket at /ws. Each
    tab that opens the WebSocket gets a child chat of its own (`chat --json`, webtab.h) with the
    tab's nick, a key kept for that tab, the tab's language and the options the bridge was
    given; what the tab types goes to the child's input, and every line the child shows goes
    to the tab as one JSON text frame (PROTOKOLL.md, "The web page"). So a tab is a member as
    a terminal chat is: signed, in \who, with history, \msg and receipts, and it leaves with a
    goodbye when the tab closes. webguard.h says what is let in.
*/
#ifndef WEB_H_INCLUDED
#define WEB_H_INCLUDED

#include "options.h"

//  Run the bridge the options ask for (options->web_port set) until end of input, \quit,
//  SIGINT or SIGTERM, then end every tab's chat. Returns the exit status. Main thread.
int web_run (const options_t *options);

#endif
