/*  webguard.c - what the web bridge lets in (see webguard.h).
 */
#include "webguard.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void
webguard_token_new (char token[WEBGUARD_TOKEN_BYTES])
{
    unsigned char bytes[(WEBGUARD_TOKEN_BYTES - 1) / 2];
    randombytes_buf (bytes, sizeof bytes);
    sodium_bin2hex (token, WEBGUARD_TOKEN_BYTES, bytes, sizeof bytes);
}

bool
webguard_token_ok (const char *token, const char *given)
{
    if (!*token)
        return true;
    size_t size = strlen (token);
    return given && strlen (given) == size && sodium_memcmp (token, given, size) == 0;
}

bool
webguard_loopback (const char *address)
{
    return strcmp (address, "127.0.0.1") == 0;
}

//  True when host is exactly "NAME:PORT".
static bool
s_names (const char *host, const char *name, int port)
{
    size_t size = strlen (name);
    if (strncmp (host, name, size) != 0 || host[size] != ':')
        return false;
    const char *digits = host + size + 1;
    char *end;
    long given = strtol (digits, &end, 10);
    return *digits >= '1' && *digits <= '9' && !*end && given == port;
}

bool
webguard_host_ok (const char *host, const char *address, int port)
{
    if (!webguard_loopback (address))
        return true;
    if (!host)
        return false;
    return s_names (host, "127.0.0.1", port) || s_names (host, "localhost", port);
}

bool
webguard_origin_ok (const char *origin, const char *host)
{
    if (!origin)
        return true;
    return host && strncmp (origin, "http://", 7) == 0 && strcmp (origin + 7, host) == 0;
}

bool
webguard_tab_ok (const char *tab)
{
    size_t size = strlen (tab);
    return size == WEBGUARD_TAB_BYTES - 1 && strspn (tab, "0123456789abcdef") == size;
}

bool
webguard_line_ok (const char *line, size_t size)
{
    return size <= WEBGUARD_LINE_MAX_BYTES && !memchr (line, '\n', size) &&
           !memchr (line, '\r', size) && !memchr (line, 0, size);
}
