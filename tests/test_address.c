/*  test_address.c - unit tests for address.c: ports, "HOST:PORT" as users type it, resolving,
    IPv4-mapped peer addresses and the list of this machine's addresses.

    Only numeric addresses, "localhost" and a name under .invalid (RFC 6761, never resolves) are
    looked up, so the tests need no network.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "address.h"
#include "limits.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

//  address_port_parse: 1..65535, digits only, at most five of them.
static void
test_port_parse (void **state)
{
    (void) state;
    static const struct {
        const char *text; //  what the user typed
        int port;         //  expected port, or -1
    } rows[] = {
        {"1", 1},       {"80", 80},     {"5557", 5557}, {"65535", 65535}, {"00005", 5},
        {"0", -1},      {"00000", -1},  {"65536", -1},  {"70000", -1},    {"99999", -1},
        {"000005", -1}, {"123456", -1}, {"abc", -1},    {"", -1},         {"12a", -1},
        {"a12", -1},    {"-1", -1},     {"+5", -1},     {" 5", -1},       {"5 ", -1},
        {"5557\n", -1}, {"0x10", -1},   {"1e3", -1},    {"５", -1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int port = address_port_parse (rows[i].text);
        if (port != rows[i].port)
            fail_msg ("\"%s\": %d, want %d", rows[i].text, port, rows[i].port);
    }
}

//  address_parse: the forms a peer address is typed in, and the mistakes, each with a reason.
static void
test_parse (void **state)
{
    (void) state;
    static const struct {
        const char *text; //  what the user typed
        const char *host; //  expected host, NULL when refused
        int port;         //  expected port
    } rows[] = {
        {"5557", "127.0.0.1", 5557},
        {"1", "127.0.0.1", 1},
        {"localhost:5558", "localhost", 5558},
        {"192.0.2.7:80", "192.0.2.7", 80},
        {"chat.example.org:65535", "chat.example.org", 65535},
        {"[::1]:5557", "::1", 5557},
        {"[2001:db8::7]:5557", "2001:db8::7", 5557},
        {"[::ffff:192.0.2.7]:5557", "::ffff:192.0.2.7", 5557},
        {"::1:5557", NULL, 0},
        {"2001:db8::7:5557", NULL, 0},
        {":5557", NULL, 0},
        {"[]:5557", NULL, 0},
        {"host:", NULL, 0},
        {"host:abc", NULL, 0},
        {"host:0", NULL, 0},
        {"host:65536", NULL, 0},
        {"[::1]:", NULL, 0},
        {"::1", NULL, 0},
        {"", NULL, 0},
        {"0", NULL, 0},
        {"70000", NULL, 0},
        {"000005", NULL, 0},
        //  A bare host means the course's port
        {"abc", "abc", PORT_DEFAULT},
        {"localhost", "localhost", PORT_DEFAULT},
        {"192.0.2.7", "192.0.2.7", PORT_DEFAULT},
        {"12a", "12a", PORT_DEFAULT},
        {"chat.example.org", "chat.example.org", PORT_DEFAULT},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char host[HOST_MAX_BYTES];
        int port = 0;
        const char *why = NULL;
        int rc = address_parse (rows[i].text, host, sizeof host, &port, &why);
        if (!rows[i].host) {
            if (rc != -1)
                fail_msg ("\"%s\" accepted as host \"%s\" port %d", rows[i].text, host, port);
            if (!why || !*why)
                fail_msg ("\"%s\" refused without a reason", rows[i].text);
            continue;
        }
        if (rc != 0)
            fail_msg ("\"%s\" refused: %s", rows[i].text, why ? why : "(no reason)");
        assert_string_equal (host, rows[i].host);
        assert_int_equal (port, rows[i].port);
    }
}

//  address_parse: a host longer than the host buffer is refused, never cut or overflowed.
static void
test_parse_host_size (void **state)
{
    (void) state;
    char text[300 + 8];
    memset (text, 'h', 300);
    snprintf (text + 300, sizeof text - 300, ":5557");
    char host[HOST_MAX_BYTES];
    int port;
    const char *why = NULL;
    assert_int_equal (address_parse (text, host, sizeof host, &port, &why), -1);
    assert_non_null (why);
    text[300] = 0; //  a bare host, just as long
    why = NULL;
    assert_int_equal (address_parse (text, host, sizeof host, &port, &why), -1);
    assert_non_null (why);

    //  "localhost" is 9 bytes: a 10-byte buffer takes it, a 9-byte one does not
    char *small = malloc (10);
    assert_non_null (small);
    why = NULL;
    assert_int_equal (address_parse ("localhost:5558", small, 10, &port, &why), 0);
    assert_string_equal (small, "localhost");
    assert_int_equal (address_parse ("localhost:5558", small, 9, &port, &why), -1);
    assert_non_null (why);
    free (small);
}

//  address_parse: a bare IPv6 host in brackets means the course's port, like any bare host.
static void
test_parse_bare_ipv6 (void **state)
{
    (void) state;
    static const struct {
        const char *text; //  what the user typed
        const char *host; //  expected host
    } rows[] = {
        {"[::1]", "::1"},
        {"[2001:db8::7]", "2001:db8::7"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char host[HOST_MAX_BYTES] = "";
        int port = 0;
        const char *why = NULL;
        if (address_parse (rows[i].text, host, sizeof host, &port, &why) != 0)
            fail_msg ("\"%s\" refused: %s", rows[i].text, why ? why : "(no reason)");
        assert_string_equal (host, rows[i].host);
        assert_int_equal (port, PORT_DEFAULT);
    }
}

//  address_resolve: numeric endpoints for libzmq and labels for the user, IPv6 in brackets.
static void
test_resolve (void **state)
{
    (void) state;
    static const struct {
        const char *host;     //  host as parsed
        int port;             //  port
        const char *endpoint; //  expected endpoint
        const char *label;    //  expected label
    } rows[] = {
        {"127.0.0.1", 5557, "tcp://127.0.0.1:5557", "127.0.0.1:5557"},
        {"192.0.2.7", 80, "tcp://192.0.2.7:80", "192.0.2.7:80"},
        {"::1", 5557, "tcp://[::1]:5557", "[::1]:5557"},
        {"2001:db8::7", 1, "tcp://[2001:db8::7]:1", "[2001:db8::7]:1"},
        {"localhost", 5558, "tcp://127.0.0.1:5558", "127.0.0.1:5558"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        address_t address;
        const char *why = NULL;
        if (address_resolve (rows[i].host, rows[i].port, &address, &why) != 0)
            fail_msg ("\"%s\": %s", rows[i].host, why ? why : "(no reason)");
        assert_string_equal (address.endpoint, rows[i].endpoint);
        assert_string_equal (address.label, rows[i].label);
    }
}

//  address_resolve: a name that cannot resolve gives -1 and a reason.
static void
test_resolve_unknown (void **state)
{
    (void) state;
    address_t address;
    const char *why = NULL;
    assert_int_equal (address_resolve ("no-such-host.invalid", 5557, &address, &why), -1);
    assert_non_null (why);
    assert_true (strlen (why) > 0);
}

//  A text to look up, and the endpoint it gives
typedef struct {
    const char *text;     //  what the user typed, or a peer sent
    const char *endpoint; //  expected endpoint, NULL when refused
} lookup_row_t;

//  Look up each of rows (count of them) with lookup and check what it gives.
static void
s_check_lookups (int (*lookup) (const char *, address_t *, const char **), const lookup_row_t *rows,
                 size_t count)
{
    for (size_t i = 0; i < count; i++) {
        address_t address;
        const char *why = NULL;
        int rc = lookup (rows[i].text, &address, &why);
        if (!rows[i].endpoint) {
            if (rc != -1 || !why)
                fail_msg ("\"%s\": %d, want -1 with a reason", rows[i].text, rc);
            continue;
        }
        if (rc != 0)
            fail_msg ("\"%s\": %s", rows[i].text, why ? why : "(no reason)");
        assert_string_equal (address.endpoint, rows[i].endpoint);
    }
}

//  address_lookup: parse and resolve in one step.
static void
test_lookup (void **state)
{
    (void) state;
    static const lookup_row_t rows[] = {
        {"5557", "tcp://127.0.0.1:5557"},      {"192.0.2.7", "tcp://192.0.2.7:5557"},
        {"localhost", "tcp://127.0.0.1:5557"}, {"192.0.2.7:80", "tcp://192.0.2.7:80"},
        {"[::1]:5557", "tcp://[::1]:5557"},    {"::1:5557", NULL},
        {"no-such-host.invalid:5557", NULL},   {"127.0.0.1:0", NULL},
    };
    s_check_lookups (address_lookup, rows, sizeof rows / sizeof rows[0]);
}

//  address_label and address_is_loopback: labels with brackets for IPv6, loopback both ways.
static void
test_label_and_loopback (void **state)
{
    (void) state;
    char out[64];
    assert_int_equal (address_label ("192.0.2.7", 5557, out, sizeof out), 0);
    assert_string_equal (out, "192.0.2.7:5557");
    assert_int_equal (address_label ("::1", 5558, out, sizeof out), 0);
    assert_string_equal (out, "[::1]:5558");
    assert_int_equal (address_label ("192.0.2.7", 5557, out, 8), -1);
    static const struct {
        const char *host; //  a host or label
        bool loopback;    //  expected
    } rows[] = {{"127.0.0.1", true},  {"127.1.2.3:5557", true}, {"::1", true}, {"[::1]:5557", true},
                {"192.0.2.7", false}, {"1127.0.0.1", false},    {"", false}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (address_is_loopback (rows[i].host) != rows[i].loopback)
            fail_msg ("\"%s\"", rows[i].host);
}

//  address_unmapped: "::ffff:" goes only before an IPv4 address.
static void
test_unmapped (void **state)
{
    (void) state;
    static const struct {
        const char *peer;     //  Peer-Address as libzmq reports it
        const char *unmapped; //  expected result
    } rows[] = {
        {"::ffff:127.0.0.1", "127.0.0.1"},
        {"::ffff:192.0.2.7", "192.0.2.7"},
        {"::1", "::1"},
        {"10.0.0.1", "10.0.0.1"},
        {"::ffff:abcd", "::ffff:abcd"},
        {"2001:db8::7", "2001:db8::7"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_string_equal (address_unmapped (rows[i].peer), rows[i].unmapped);
}

//  Check that list holds count whole IPv4 addresses separated by ", ".
static void
s_check_list (const char *list, int count)
{
    char copy[1024];
    snprintf (copy, sizeof copy, "%s", list);
    int items = 0;
    char *save = NULL;
    for (char *item = strtok_r (copy, ", ", &save); item; item = strtok_r (NULL, ", ", &save)) {
        struct in_addr parsed;
        if (inet_pton (AF_INET, item, &parsed) != 1)
            fail_msg ("\"%s\" in \"%s\" is not an IPv4 address", item, list);
        items++;
    }
    if (items != count)
        fail_msg ("\"%s\" holds %d addresses, but %d were counted", list, items, count);
}

//  address_local_list: this machine's IPv4 addresses, 127.0.0.1 last.
static void
test_local_list (void **state)
{
    (void) state;
    char list[1024];
    int count = address_local_list (list, sizeof list);
    assert_true (count >= 1);
    size_t size = strlen (list);
    assert_true (size >= strlen ("127.0.0.1"));
    assert_string_equal (list + size - strlen ("127.0.0.1"), "127.0.0.1");
    assert_true (size == strlen ("127.0.0.1") || strstr (list, ", 127.0.0.1") != NULL);
    s_check_list (list, count);
    print_message ("local addresses: %s\n", list);
}

//  address_local_list into small buffers: whole addresses only, as many as it counts.
static void
test_local_list_small (void **state)
{
    (void) state;
    char full[1024];
    address_local_list (full, sizeof full);
    assert_int_equal (address_local_list (full, 0), 0);
    for (size_t outsize = 1; outsize <= strlen (full) + 1; outsize++) {
        char *list = malloc (outsize);
        assert_non_null (list);
        int count = address_local_list (list, outsize);
        size_t used = strnlen (list, outsize);
        char copy[1024];
        snprintf (copy, sizeof copy, "%.*s", (int) used, list);
        free (list);
        assert_true (used < outsize);
        s_check_list (copy, count);
    }
}

//  address_lookup_numeric takes what address_lookup takes when it is numeric, and never looks a
//  name up: a name this machine resolves (from /etc/hosts: its own host name, ip6-localhost) is
//  refused, as is one that would need DNS.
static void
test_lookup_numeric (void **state)
{
    (void) state;
    static const lookup_row_t rows[] = {
        {"127.0.0.1:5557", "tcp://127.0.0.1:5557"},
        {"192.0.2.7", "tcp://192.0.2.7:5557"},
        {"[::1]:5557", "tcp://[::1]:5557"},
        {"beef.cafe:5557", NULL},
        {"dead:5557", NULL},
        {"127.0.0.1:0", NULL},
    };
    s_check_lookups (address_lookup_numeric, rows, sizeof rows / sizeof rows[0]);
    char names[3][256] = {"ip6-localhost", "ip6-loopback", ""};
    if (gethostname (names[2], sizeof names[2]) != 0)
        names[2][0] = 0;
    bool tried = false;
    for (size_t i = 0; i < 3; i++) {
        address_t address;
        const char *why;
        if (!names[i][0] || address_resolve (names[i], 5557, &address, &why) != 0)
            continue;
        tried = true;
        if (address_resolve_numeric (names[i], 5557, &address, &why) == 0)
            fail_msg ("\"%s\" was looked up: %s", names[i], address.endpoint);
    }
    if (!tried)
        skip (); //  no name this machine resolves without DNS
}

//  Run the address tests; the exit code is the number that failed.
int
main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_port_parse),      cmocka_unit_test (test_parse),
        cmocka_unit_test (test_parse_host_size), cmocka_unit_test (test_parse_bare_ipv6),
        cmocka_unit_test (test_resolve),         cmocka_unit_test (test_resolve_unknown),
        cmocka_unit_test (test_lookup),          cmocka_unit_test (test_lookup_numeric),
        cmocka_unit_test (test_unmapped),        cmocka_unit_test (test_label_and_loopback),
        cmocka_unit_test (test_local_list),      cmocka_unit_test (test_local_list_small),
    };
    return cmocka_run_group_tests_name ("address", tests, NULL, NULL);
}
