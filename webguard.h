/*  webguard.h - what the web bridge lets in: the token a page on a non-loopback address needs
    (as Jupyter's), the Host and Origin a request must carry (no DNS rebinding, no other site
    opening our WebSocket), a tab's id, and a line a tab may type.

    Pure functions but webguard_token_new (libsodium's randombytes), safe from any thread.
*/
#ifndef WEBGUARD_H_INCLUDED
#define WEBGUARD_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#define WEBGUARD_TOKEN_BYTES 33      // 32 hex digits and a NUL
#define WEBGUARD_TAB_BYTES 33        // a tab's id: 32 lowercase hex digits and a NUL
#define WEBGUARD_LINE_MAX_BYTES 4096 // a line typed in a tab at most (TEXT_MAX_BYTES)

//  A new random token: 32 hex digits (128 bits) into token.
void webguard_token_new (char token[WEBGUARD_TOKEN_BYTES]);

//  True when given is the token; any given passes when token is "" (a loopback page).
//  Compared in constant time.
bool webguard_token_ok (const char *token, const char *given);

//  True when the bridge on address needs no token: it is 127.0.0.1, only this machine.
bool webguard_loopback (const char *address);

//  True when a request's Host header (NULL if none) names the bridge: on loopback only
//  "127.0.0.1:PORT" or "localhost:PORT", so a page from a rebound DNS name cannot read ours;
//  on another address any host (the token guards it).
bool webguard_host_ok (const char *host, const char *address, int port);

//  True when a WebSocket's Origin header (NULL if none: not a browser) is our own page's:
//  "http://" and the Host it was sent to. Another site's page may not open a member.
bool webguard_origin_ok (const char *origin, const char *host);

//  True when tab is a tab id: exactly 32 lowercase hex digits (it names the tab's key file).
bool webguard_tab_ok (const char *tab);

//  True when a line a tab sent (size bytes) may go to its chat as one line: at most
//  WEBGUARD_LINE_MAX_BYTES, no newline, carriage return or NUL in it.
bool webguard_line_ok (const char *line, size_t size);

#endif
