/*  i18n.h - the user's language: every message the user sees goes through gettext.

    The catalogue is chatt.mo (the installed program's name), found beside the binary in the
    build tree or under LOCALEDIR when installed. Messages are English in the code; po/sv.po
    holds the Swedish.
*/
#ifndef I18N_H_INCLUDED
#define I18N_H_INCLUDED

#include <libintl.h>

#define TEXT_DOMAIN "chatt" // the message catalogue's name: chatt.mo, as the installed program

#define _(text) gettext (text)
#define N_(text) (text)

//  Take the locale from the environment and find the message catalogue: beside the binary when
//  run from the build tree, else the installed one. Main thread, at start.
void i18n_init (void);

#endif
