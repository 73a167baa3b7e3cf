/*  test_webguard.c - unit tests for webguard.c: the token (random, compared whole), loopback,
    the Host a loopback page accepts (no DNS rebinding), the Origin a WebSocket must come from,
    a tab's id, and a line a tab may send.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "webguard.h"

#include <string.h>

//  Two tokens are 32 hex digits and differ; only the whole token passes, and on loopback
//  ("" token) anything does.
static void
test_token (void **state)
{
    (void) state;
    char one[WEBGUARD_TOKEN_BYTES], two[WEBGUARD_TOKEN_BYTES];
    webguard_token_new (one);
    webguard_token_new (two);
    assert_int_equal (strlen (one), 32);
    assert_int_equal (strspn (one, "0123456789abcdef"), 32);
    assert_string_not_equal (one, two);
    assert_true (webguard_token_ok (one, one));
    assert_false (webguard_token_ok (one, two));
    assert_false (webguard_token_ok (one, ""));
    assert_false (webguard_token_ok (one, NULL));
    char prefix[WEBGUARD_TOKEN_BYTES];
    memcpy (prefix, one, 31);
    prefix[31] = 0;
    assert_false (webguard_token_ok (one, prefix));
    char longer[WEBGUARD_TOKEN_BYTES + 1];
    memcpy (longer, one, 32);
    memcpy (longer + 32, "0", 2);
    assert_false (webguard_token_ok (one, longer));
    assert_true (webguard_token_ok ("", "anything"));
    assert_true (webguard_token_ok ("", NULL));
}

//  Only 127.0.0.1 needs no token; on it, Host must name it by address or as localhost, with
//  its port; elsewhere the token guards and any Host passes.
static void
test_host (void **state)
{
    (void) state;
    assert_true (webguard_loopback ("127.0.0.1"));
    assert_false (webguard_loopback ("127.0.0.2"));
    assert_false (webguard_loopback ("0.0.0.0"));
    assert_false (webguard_loopback ("198.18.0.1"));
    assert_true (webguard_host_ok ("127.0.0.1:8080", "127.0.0.1", 8080));
    assert_true (webguard_host_ok ("localhost:8080", "127.0.0.1", 8080));
    assert_false (webguard_host_ok ("127.0.0.1:8081", "127.0.0.1", 8080));
    assert_false (webguard_host_ok ("evil.example:8080", "127.0.0.1", 8080));
    assert_false (webguard_host_ok ("127.0.0.1:8080.evil.example", "127.0.0.1", 8080));
    assert_false (webguard_host_ok (NULL, "127.0.0.1", 8080));
    assert_true (webguard_host_ok ("evil.example", "198.18.0.1", 8080));
}

//  A browser's WebSocket comes from our own page: "http://" and the Host it went to.
static void
test_origin (void **state)
{
    (void) state;
    assert_true (webguard_origin_ok ("http://127.0.0.1:8080", "127.0.0.1:8080"));
    assert_false (webguard_origin_ok ("http://evil.example", "127.0.0.1:8080"));
    assert_false (webguard_origin_ok ("https://127.0.0.1:8080", "127.0.0.1:8080"));
    assert_false (webguard_origin_ok ("http://127.0.0.1:8080", NULL));
    assert_false (webguard_origin_ok ("null", "127.0.0.1:8080"));
    assert_true (webguard_origin_ok (NULL, "127.0.0.1:8080")); //  not a browser
}

//  A tab id names a file: 32 lowercase hex digits, nothing else.
static void
test_tab (void **state)
{
    (void) state;
    assert_true (webguard_tab_ok ("0123456789abcdef0123456789abcdef"));
    assert_false (webguard_tab_ok ("0123456789ABCDEF0123456789abcdef"));
    assert_false (webguard_tab_ok ("0123456789abcdef0123456789abcde"));
    assert_false (webguard_tab_ok ("0123456789abcdef0123456789abcdef0"));
    assert_false (webguard_tab_ok ("../../../../etc/passwd0123456789ab"));
    assert_false (webguard_tab_ok (""));
}

//  A line: up to 4096 bytes, no line break or NUL that would make it two lines or cut it.
static void
test_line (void **state)
{
    (void) state;
    char line[WEBGUARD_LINE_MAX_BYTES + 1];
    memset (line, 'a', sizeof line);
    assert_true (webguard_line_ok (line, WEBGUARD_LINE_MAX_BYTES));
    assert_false (webguard_line_ok (line, WEBGUARD_LINE_MAX_BYTES + 1));
    assert_true (webguard_line_ok ("", 0));
    assert_true (webguard_line_ok ("hej \\who", 8));
    assert_false (webguard_line_ok ("hej\n\\quit", 9));
    assert_false (webguard_line_ok ("hej\r", 4));
    assert_false (webguard_line_ok ("hej\0du", 6));
}

int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_token), cmocka_unit_test (test_host), cmocka_unit_test (test_origin),
        cmocka_unit_test (test_tab),   cmocka_unit_test (test_line),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
