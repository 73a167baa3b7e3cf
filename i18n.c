/*  i18n.c - the user's language: the locale and the message catalogue.
 */
#include "i18n.h"

#include <libgen.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#define PATH_MAX_BYTES 4096 // longest path of the binary we look beside

void
i18n_init (void)
{
    setlocale (LC_ALL, "");
    char exe[PATH_MAX_BYTES];
    ssize_t size = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    const char *directory = LOCALEDIR;
    static char found[PATH_MAX_BYTES + 64];
    if (size > 0) {
        exe[size] = 0;
        const char *bin = dirname (exe);
        //  The build tree keeps locale/ beside the binary; an install moved anywhere (DESTDIR,
        //  another PREFIX) keeps it in ../share/locale
        static const char *relative[] = {"locale", "../share/locale"};
        for (size_t i = 0; i < 2 && directory != found; i++) {
            char probe[PATH_MAX_BYTES + 96];
            int found_size = snprintf (found, sizeof found, "%s/%s", bin, relative[i]);
            int probe_size =
                snprintf (probe, sizeof probe, "%s/sv/LC_MESSAGES/" TEXT_DOMAIN ".mo", found);
            bool fits = found_size > 0 && (size_t) found_size < sizeof found && probe_size > 0 &&
                        (size_t) probe_size < sizeof probe;
            if (fits && access (probe, R_OK) == 0)
                directory = found;
        }
    }
    bindtextdomain (TEXT_DOMAIN, directory);
    bind_textdomain_codeset (TEXT_DOMAIN, "UTF-8");
    textdomain (TEXT_DOMAIN);
}
