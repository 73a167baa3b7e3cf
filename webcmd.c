/*  webcmd.c - the command line and environment of a browser tab's chat (see webcmd.h).
 */
#include "webcmd.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

//  Append word to the command line, which holds *count words. Returns 0, or -1 if full.
static int
s_arg (webcmd_t *self, int *count, const char *word)
{
    if (*count >= WEBCMD_ARGS_MAX - 1)
        return -1;
    self->args[(*count)++] = (char *) word;
    self->args[*count] = NULL;
    return 0;
}

//  The words that say who the tab is: its nick, its key file, its contacts.
static int
s_who (webcmd_t *self, const webcmd_for_t *what, int *count)
{
    int cut = text_format (self->nick, sizeof self->nick, "--nick=%s", what->nick);
    cut |= s_arg (self, count, self->nick);
    if (*what->keys && *what->tab) {
        cut |= text_format (self->identity, sizeof self->identity, "--identity=%s/%s.key",
                            what->keys, what->tab);
        cut |= s_arg (self, count, self->identity);
    } else
        cut |= s_arg (self, count, "--throwaway-key");
    for (int i = 0; i < what->options->connect_count; i++) {
        cut |= s_arg (self, count, "-c");
        cut |= s_arg (self, count, what->options->connect[i].label);
    }
    if (what->port > 0) {
        cut |= text_format (self->port, sizeof self->port, "--port=%d", what->port);
        cut |= s_arg (self, count, self->port);
    }
    if (what->contact > 0) {
        cut |= text_format (self->contact, sizeof self->contact, "127.0.0.1:%d", what->contact);
        cut |= s_arg (self, count, "-c");
        cut |= s_arg (self, count, self->contact);
    }
    return cut;
}

//  The words of the bridge's options that each tab's chat takes too.
static int
s_passed_on (webcmd_t *self, const options_t *options, int *count)
{
    int cut = text_format (self->channel, sizeof self->channel, "--channel=%s", options->channel);
    cut |= s_arg (self, count, self->channel);
    cut |=
        text_format (self->history, sizeof self->history, "--history=%d", options->history_lines);
    cut |= s_arg (self, count, self->history);
    if (*options->interface) {
        cut |= text_format (self->interface, sizeof self->interface, "--interface=%s",
                            options->interface);
        cut |= s_arg (self, count, self->interface);
    }
    bool flags[] = {options->no_discovery, options->plain, options->verbose};
    const char *names[] = {"--no-discovery", "--plain", "--verbose"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (flags[i])
            cut |= s_arg (self, count, names[i]);
    return cut;
}

//  The environment: the bridge's, without its language and passphrase, then the tab's.
static int
s_environment (webcmd_t *self, const webcmd_for_t *what)
{
    int count = 0, cut = 0;
    for (char *const *variable = what->environment; variable && *variable; variable++)
        if (strncmp (*variable, "LC_", 3) && strncmp (*variable, "LANG", 4) &&
            strncmp (*variable, "CHAT_KEY=", 9) && count < WEBCMD_ENVIRONMENT_MAX - 4)
            self->environment[count++] = *variable;
    cut |= text_format (self->language[0], sizeof self->language[0], "LC_ALL=%s",
                        what->swedish ? "sv_SE.UTF-8" : "C.UTF-8");
    cut |= text_format (self->language[1], sizeof self->language[1], "LANGUAGE=%s",
                        what->swedish ? "sv" : "en");
    self->environment[count++] = self->language[0];
    self->environment[count++] = self->language[1];
    if (what->options->key) {
        cut |= text_format (self->key, sizeof self->key, "CHAT_KEY=%s", what->options->key);
        self->environment[count++] = self->key;
    }
    self->environment[count] = NULL;
    return cut;
}

int
webcmd_build (webcmd_t *self, const webcmd_for_t *what)
{
    memset (self, 0, sizeof *self);
    int count = 0;
    int cut = s_arg (self, &count, what->program);
    cut |= s_arg (self, &count, "--json");
    cut |= s_arg (self, &count, "--color=never");
    cut |= s_arg (self, &count, "--no-history");
    cut |= s_who (self, what, &count);
    cut |= s_passed_on (self, what->options, &count);
    cut |= s_environment (self, what);
    return cut ? -1 : 0;
}
