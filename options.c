/*  options.c - the command line and the environment.

    Each option is a row of s_options: its names and the function that takes its value, so
    adding one is adding a row and a small function.
*/
#include "options.h"
#include "backlog.h"
#include "i18n.h"
#include "roomlock.h"
#include "text.h"
#include "wire.h"

#include <arpa/inet.h>
#include <czmq.h>
#include <getopt.h>
#include <pwd.h>

//  Take an option's value into options. Returns 0, or -1 with error set.
typedef int (option_fn) (options_t *options, const char *value, char *error, size_t error_size);

//  One option
typedef struct {
    const char *name; //  its long name
    int has_value;    //  no_argument or required_argument
    int letter;       //  its short name, or 0
    option_fn *take;  //  what to do with it
} option_spec_t;

//  Write the line for a bad option into error: fmt takes one string, the offending value, made
//  safe here; the hint to --help follows. Returns -1.
static int
s_bad (char *error, size_t error_size, const char *program, const char *fmt, const char *value)
{
    char safe[256], message[512], hint[PROGRAM_MAX_BYTES + 64];
    text_sanitize (value, strlen (value), safe, sizeof safe);
    //  fmt comes from this file only, through gettext, and holds exactly one %s
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int size = snprintf (message, sizeof message, fmt, safe);
#pragma GCC diagnostic pop
    int hint_size = snprintf (hint, sizeof hint, _ (" (%s --help shows the options)\n"), program);
    if (size < 0 || hint_size < 0)
        return -1;
    hint[strcspn (hint, "\n")] = 0;
    //  Cut, if it must be, at the end of the buffer: the start says what is wrong
    if (snprintf (error, error_size, "%s%s", message, hint) < 0 && error_size)
        error[0] = 0;
    return -1;
}

//  -p PORT
static int
s_take_port (options_t *options, const char *value, char *error, size_t error_size)
{
    options->port = address_port_parse (value);
    if (options->port < 0)
        return s_bad (error, error_size, options->program,
                      _ ("bad port \"%s\": use a number from 1 to 65535"), value);
    return 0;
}

//  -n NICK
static int
s_take_nick (options_t *options, const char *value, char *error, size_t error_size)
{
    if (!wire_nick_valid (value, strlen (value)))
        return s_bad (error, error_size, options->program,
                      _ ("bad nick \"%s\": use 1-32 letters, digits, '.', '-' or '_'"), value);
    //  A valid nick fits: at most NAME_MAX_BYTES
    memcpy (options->nick, value, strlen (value) + 1);
    options->nick_given = true;
    return 0;
}

//  -c HOST:PORT, resolved now, so a mistake is told before anything starts
static int
s_take_connect (options_t *options, const char *value, char *error, size_t error_size)
{
    if (options->connect_count == CONNECT_MAX)
        return s_bad (error, error_size, options->program,
                      _ ("too many --connect options (at most 64): %s"), value);
    const char *why;
    if (address_lookup (value, &options->connect[options->connect_count], &why)) {
        char safe[256];
        text_sanitize (value, strlen (value), safe, sizeof safe);
        if (snprintf (error, error_size, _ ("cannot connect to %s: %s"), safe, _ (why)) < 0 &&
            error_size)
            error[0] = 0;
        return -1;
    }
    options->connect_count++;
    return 0;
}

//  --channel CHANNEL
static int
s_take_channel (options_t *options, const char *value, char *error, size_t error_size)
{
    if (!wire_channel_valid (value, strlen (value)))
        return s_bad (error, error_size, options->program,
                      _ ("bad channel name \"%s\": use 1-32 letters, digits, '-' or '_'"), value);
    memcpy (options->channel, value, strlen (value) + 1);
    return 0;
}

//  --color=WHEN
static int
s_take_color (options_t *options, const char *value, char *error, size_t error_size)
{
    static const char *names[] = {"auto", "always", "never"};
    for (int i = 0; i < 3; i++)
        if (streq (value, names[i])) {
            options->color = (color_t) i;
            return 0;
        }
    return s_bad (error, error_size, options->program,
                  _ ("bad --color \"%s\": use auto, always or never"), value);
}

//  --history N
static int
s_take_history (options_t *options, const char *value, char *error, size_t error_size)
{
    char *end;
    long lines = strtol (value, &end, 10);
    if (!*value || *end || lines < 0 || lines > BACKLOG_LINES_MAX)
        return s_bad (error, error_size, options->program,
                      _ ("bad --history \"%s\": use a number from 0 to 1000"), value);
    options->history_lines = (int) lines;
    return 0;
}

//  --log FILE
static int
s_take_log (options_t *options, const char *value, char *error, size_t error_size)
{
    if (!*value)
        return s_bad (error, error_size, options->program, _ ("bad --log \"%s\": name a file"),
                      value);
    options->log = value;
    return 0;
}

//  --key PASSPHRASE
static int
s_take_key (options_t *options, const char *value, char *error, size_t error_size)
{
    if (!*value)
        return s_bad (error, error_size, options->program,
                      _ ("bad --key \"%s\": give a passphrase, or - to be asked"), value);
    options->key = value;
    return 0;
}

//  --identity FILE
static int
s_take_identity (options_t *options, const char *value, char *error, size_t error_size)
{
    if (!*value)
        return s_bad (error, error_size, options->program,
                      _ ("bad --identity \"%s\": name a key file"), value);
    options->identity = value;
    return 0;
}

//  --back-port PORT
static int
s_take_back_port (options_t *options, const char *value, char *error, size_t error_size)
{
    options->back_port = address_port_parse (value);
    if (options->back_port < 0)
        return s_bad (error, error_size, options->program,
                      _ ("bad --back-port \"%s\": use a number from 1 to 65535"), value);
    return 0;
}

//  --relay-key KEY and --room-key KEY: a CURVE public key, 64 hex digits or 40 of Z85
static int
s_take_relay_key (options_t *options, const char *value, char *error, size_t error_size)
{
    if (roomlock_key_parse (value, options->relay_key) != 0)
        return s_bad (error, error_size, options->program,
                      _ ("bad --relay-key \"%s\": give the key the relay printed (64 hex digits)"),
                      value);
    options->relay_key_given = true;
    return 0;
}

static int
s_take_room_key (options_t *options, const char *value, char *error, size_t error_size)
{
    if (roomlock_key_parse (value, options->room_key) != 0)
        return s_bad (error, error_size, options->program,
                      _ ("bad --room-key \"%s\": give the key \\invite shows in the room (64 "
                         "hex digits)"),
                      value);
    options->room_key_given = true;
    return 0;
}

//  --interface NAME: a name as Linux gives one (no '/', no space: letters, digits, '.', '-',
//  '_', and ':' for an alias like eth0:1), or "*" for all of them, as zsys_set_interface takes
static int
s_take_interface (options_t *options, const char *value, char *error, size_t error_size)
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789.-_:";
    size_t length = strlen (value);
    bool valid = streq (value, "*") || (length > 0 && length <= INTERFACE_MAX_BYTES &&
                                        strspn (value, allowed) == length && *value != '.');
    if (!valid)
        return s_bad (error, error_size, options->program,
                      _ ("bad --interface \"%s\": name a network interface, like eth0 (at most "
                         "15 letters, digits, '.', '-', '_' or ':'), or * for all"),
                      value);
    memcpy (options->interface, value, length + 1);
    return 0;
}

//  --web [ADDR:]PORT: a numeric IPv4 address (or localhost) and a port; 127.0.0.1 unless given
static int
s_take_web (options_t *options, const char *value, char *error, size_t error_size)
{
    const char *colon = strrchr (value, ':');
    char address[WEB_ADDRESS_MAX_BYTES] = "127.0.0.1";
    size_t length = colon ? (size_t) (colon - value) : 0;
    bool valid = length < sizeof address;
    if (colon && valid) {
        memcpy (address, value, length);
        address[length] = 0;
        struct in_addr parsed;
        if (streq (address, "localhost"))
            memcpy (address, "127.0.0.1", sizeof "127.0.0.1");
        valid = inet_pton (AF_INET, address, &parsed) == 1;
    }
    options->web_port = address_port_parse (colon ? colon + 1 : value);
    if (!valid || options->web_port < 0)
        return s_bad (error, error_size, options->program,
                      _ ("bad --web \"%s\": use PORT or ADDRESS:PORT, like 8080 or "
                         "192.0.2.7:8080"),
                      value);
    memcpy (options->web_address, address, sizeof address);
    return 0;
}

//  The flags: each sets one field
static int
s_take_flag (options_t *options, const char *name)
{
    struct {
        const char *name;
        bool *field;
    } flags[] = {{"plain", &options->plain},
                 {"verbose", &options->verbose},
                 {"no-discovery", &options->no_discovery},
                 {"no-history", &options->no_history},
                 {"throwaway-key", &options->throwaway_key},
                 {"relay", &options->relay},
                 {"json", &options->json}};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (streq (name, flags[i].name)) {
            *flags[i].field = true;
            return 0;
        }
    return -1;
}

//  Every option; --help and --version have no function, and the flags share s_take_flag
static const option_spec_t s_options[] = {
    {"port", required_argument, 'p', s_take_port},
    {"nick", required_argument, 'n', s_take_nick},
    {"connect", required_argument, 'c', s_take_connect},
    {"channel", required_argument, 0, s_take_channel},
    {"plain", no_argument, 0, NULL},
    {"verbose", no_argument, 0, NULL},
    {"no-discovery", no_argument, 0, NULL},
    {"no-history", no_argument, 0, NULL},
    {"color", required_argument, 0, s_take_color},
    {"history", required_argument, 0, s_take_history},
    {"log", required_argument, 0, s_take_log},
    {"key", required_argument, 0, s_take_key},
    {"identity", required_argument, 0, s_take_identity},
    {"throwaway-key", no_argument, 0, NULL},
    {"relay", no_argument, 0, NULL},
    {"json", no_argument, 0, NULL},
    {"back-port", required_argument, 0, s_take_back_port},
    {"interface", required_argument, 0, s_take_interface},
    {"relay-key", required_argument, 0, s_take_relay_key},
    {"room-key", required_argument, 0, s_take_room_key},
    {"web", required_argument, 0, s_take_web},
    {"help", no_argument, 'h', NULL},
    {"version", no_argument, 0, NULL},
};
#define OPTIONS_COUNT (sizeof s_options / sizeof s_options[0])

//  The option getopt_long returned as found (a letter, or 256 + its row), or NULL.
static const option_spec_t *
s_spec (int found)
{
    for (size_t i = 0; i < OPTIONS_COUNT; i++)
        if (found == (int) i + 256 || (found && found == s_options[i].letter))
            return &s_options[i];
    return NULL;
}

//  Default nick: $USER, or the login name, made valid.
static void
s_default_nick (char *nick, size_t size)
{
    const char *user = getenv ("USER");
    if (!user || !*user) {
        struct passwd *entry = getpwuid (getuid ());
        user = entry ? entry->pw_name : "anonym";
    }
    //  A login name longer than a nick is cut after NAME_MAX_CHARS characters, then made valid
    size_t length = 0, left = strnlen (user, size - 1);
    for (int chars = 0; chars < NAME_MAX_CHARS && left > 0; chars++) {
        uint32_t cp;
        size_t step = text_utf8_decode (user + length, left, &cp);
        step = step ? step : 1; //  a broken byte is one character (and makes it invalid)
        length += step, left -= step;
    }
    memcpy (nick, user, length);
    nick[length] = 0;
    //  Replace what a nick may not hold, so any login name works
    for (char *c = nick; *c; c++)
        if (!wire_nick_valid (c, 1) && (unsigned char) *c < 0x80)
            *c = '_';
    if (!wire_nick_valid (nick, strlen (nick)))
        memcpy (nick, "anonym", sizeof "anonym");
}

//  The defaults, with what the environment says.
static void
s_defaults (options_t *options, const char *argv0)
{
    const char *program = "chat";
    if (argv0 && *argv0)
        program = strrchr (argv0, '/') ? strrchr (argv0, '/') + 1 : argv0;
    size_t length = strnlen (program, sizeof options->program - 1);
    *options = (options_t){.history_lines = BACKLOG_LINES_DEFAULT};
    memcpy (options->program, program, length);
    //  It is printed in every error line: nothing in it may act on the terminal
    for (char *c = options->program; *c; c++)
        if ((unsigned char) *c < 0x20 || *c == 0x7F)
            *c = '?';
    memcpy (options->channel, CHANNEL_DEFAULT, sizeof CHANNEL_DEFAULT);
    s_default_nick (options->nick, sizeof options->nick);
    const char *no_discovery = getenv ("CHAT_NO_DISCOVERY");
    options->no_discovery = no_discovery && *no_discovery && !streq (no_discovery, "0");
    const char *throwaway = getenv ("CHAT_THROWAWAY_KEY");
    options->throwaway_key = throwaway && *throwaway && !streq (throwaway, "0");
    const char *key = getenv ("CHAT_KEY"); //  keeps the passphrase out of ps
    options->key = key && *key ? key : NULL;
}

//  The bare PORT argument, if any, after the options.
static int
s_take_arguments (options_t *options, int argc, char **argv, char *error, size_t error_size)
{
    if (optind >= argc)
        return 0;
    if (options->port || optind + 1 < argc)
        return s_bad (error, error_size, options->program, _ ("unexpected argument \"%s\""),
                      argv[optind + (options->port ? 0 : 1)]);
    return s_take_port (options, argv[optind], error, error_size);
}

//  What --web does not go with: the options of one member's own chat (each tab is a member
//  with its own nick, key and transcript; -p is where the tabs' ports start), a relay, --json,
//  and a passphrase to ask for (no terminal to ask on).
//  Returns 0, or -1 with error set.
static int
s_web_together (options_t *options, char *error, size_t error_size)
{
    const char *other = options->relay                              ? "--relay"
                        : options->json                             ? "--json"
                        : options->nick_given                       ? "--nick"
                        : options->log                              ? "--log"
                        : options->identity                         ? "--identity"
                        : options->back_port                        ? "--back-port"
                        : options->key && streq (options->key, "-") ? "--key -"
                                                                    : NULL;
    if (other)
        return s_bad (error, error_size, options->program,
                      _ ("%s does not go with --web: each tab in the browser is a member of its "
                         "own, with its own name and key"),
                      other);
    return 0;
}

//  What a relay does not go with: --plain (it forwards signed messages, which --plain does
//  not send) and --json (it logs for the journal). Returns 0, or -1 with error set.
static int
s_relay_together (options_t *options, char *error, size_t error_size)
{
    if (options->plain)
        return s_bad (error, error_size, options->program,
                      _ ("%s does not go with --relay: a relay forwards signed messages, and "
                         "--plain sends none"),
                      "--plain");
    if (options->json)
        return s_bad (error, error_size, options->program,
                      _ ("%s does not go with --relay: a relay writes for the system's journal, "
                         "--json for a program"),
                      "--json");
    return 0;
}

//  How the options go together, once all are taken: a relay is named RELAY_NICK unless -n
//  names it, and goes with neither --plain nor --json; the back port is not the port. Returns 0, or
//  -1 with error set.
static int
s_take_together (options_t *options, char *error, size_t error_size)
{
    if (options->relay && s_relay_together (options, error, error_size))
        return -1;
    if (options->back_port && options->back_port == options->port) {
        char port[8];
        if (snprintf (port, sizeof port, "%d", options->back_port) < 0)
            port[0] = 0;
        return s_bad (error, error_size, options->program,
                      _ ("bad --back-port \"%s\": it is the port already; use another one"), port);
    }
    if (options->plain && options->key)
        return s_bad (error, error_size, options->program,
                      _ ("%s does not go with --key: a locked room's lines are sealed, and "
                         "--plain sends them in clear"),
                      "--plain");
    if (options->room_key_given && !options->relay)
        return s_bad (error, error_size, options->program,
                      _ ("%s is for a relay (--relay): members give --key"), "--room-key");
    if (options->relay_key_given && (options->relay || !options->key))
        return s_bad (error, error_size, options->program,
                      _ ("%s is for a member of a locked room (--key) that reaches it through a "
                         "relay"),
                      "--relay-key");
    if (options->relay && !options->nick_given)
        memcpy (options->nick, RELAY_NICK, sizeof RELAY_NICK);
    return 0;
}

//  What follows the options: the bare PORT argument, then how they go together.
static options_result_t
s_finish (options_t *options, int argc, char **argv, char *error, size_t error_size)
{
    if (s_take_arguments (options, argc, argv, error, error_size) ||
        (options->web_port && s_web_together (options, error, error_size)) ||
        s_take_together (options, error, error_size))
        return OPTIONS_BAD;
    return OPTIONS_RUN;
}

options_result_t
options_parse (options_t *options, int argc, char **argv, char *error, size_t error_size)
{
    s_defaults (options, argc > 0 ? argv[0] : NULL);
    struct option longs[OPTIONS_COUNT + 1];
    for (size_t i = 0; i < OPTIONS_COUNT; i++)
        longs[i] = (struct option){s_options[i].name, s_options[i].has_value, NULL, (int) i + 256};
    longs[OPTIONS_COUNT] = (struct option){NULL, 0, NULL, 0};
    opterr = 0;
    optind = 0; //  glibc: start afresh, so options_parse can be called again
    int found;
    while ((found = getopt_long (argc, argv, ":p:n:c:h", longs, NULL)) != -1) {
        const option_spec_t *spec = s_spec (found);
        if (found == ':' || !spec) {
            //  A short option in a cluster ("-xy") is named alone; argv[optind - 1] would be
            //  the word before it
            char letter[3] = {'-', (char) optopt, 0};
            s_bad (error, error_size, options->program,
                   found == ':' ? _ ("option %s needs a value") : _ ("unknown option %s"),
                   optopt > 0 && optopt < 256 ? letter : argv[optind - 1]);
            return OPTIONS_BAD;
        }
        if (streq (spec->name, "help") || streq (spec->name, "version"))
            return streq (spec->name, "help") ? OPTIONS_HELP : OPTIONS_VERSION;
        int rc = spec->take ? spec->take (options, optarg, error, error_size)
                            : s_take_flag (options, spec->name);
        if (rc)
            return OPTIONS_BAD;
    }
    return s_finish (options, argc, argv, error, error_size);
}

void
options_usage (const options_t *options, FILE *out)
{
    //  At most 24 lines, one screen (tests/e2e/languages.sh); the man page tells the rest
    fprintf (out,
             _ ("Usage: %s [OPTION]... [PORT]\n"
                "A peer-to-peer chat in the terminal, with no server.\n"
                "\n"
                "  -p, --port PORT          listen on PORT (default %d, or the next free one)\n"
                "  -n, --nick NICK          your name (default $USER)\n"
                "  -c, --connect HOST:PORT  listen to the chat at HOST:PORT; may be repeated\n"
                "      --channel CHANNEL    write to CHANNEL first (default %s)\n"
                "      --plain              send only the course's one-frame messages\n"
                "      --verbose            show what happens on the wire (\\debug on|off)\n"
                "      --no-discovery       do not find chats on the LAN by UDP broadcast\n"
                "      --interface NAME     find them on network interface NAME only (* for all)\n"
                "      --no-history         keep no input history on disk\n"
                "      --color=WHEN         colour: auto (default), always or never\n"
                "      --history N          lines of history per channel on joining (default %d)\n"
                "      --log FILE           append what you see to FILE, with times\n"
                "      --key PASSPHRASE     lock the room with PASSPHRASE (- asks; or CHAT_KEY)\n"
                "      --identity FILE      sign with the key in FILE (default: one per nick)\n"
                "      --throwaway-key      sign with a key for this run only\n"
                "      --back-port PORT     also take connections on PORT (default: a free one)\n"
                "      --relay              run as a relay on a server (no terminal, nick %s)\n"
                "      --json               write one JSON object a line on stdout, for a program\n"
                "      --web [ADDR:]PORT    a web page at ADDR:PORT where each tab joins the room\n"
                "  -h, --help, --version    show this help, or the version, and exit\n"
                "Type \\help in the chat for its commands; man %s tells the rest.\n"),
             options->program, PORT_DEFAULT, CHANNEL_DEFAULT, BACKLOG_LINES_DEFAULT, RELAY_NICK,
             options->program);
}

void
options_version (const options_t *options, FILE *out)
{
    fprintf (out, "%s %s\n", options->program, CHAT_VERSION);
}

bool
options_color (const options_t *options)
{
    const char *no_color = getenv ("NO_COLOR"), *term = getenv ("TERM");
    if (options->json)
        return false; //  a program reads it: no colour codes
    return options->color == COLOR_ALWAYS ||
           (options->color == COLOR_AUTO && isatty (STDOUT_FILENO) && isatty (STDIN_FILENO) &&
            !(no_color && *no_color) && !(term && streq (term, "dumb")));
}
