/*  who.h - the order and the filter of \who's listing: display names ("Anna", "anna#3f2a",
    "bertil") ordered without regard to case, and \who PATTERN matched against them without
    regard to case: a glob (fnmatch(3): * ? [...]) when PATTERN has one of those, else a part
    of the name ("an" matches "Johanna").

    Pure functions, no state, safe from any thread. The user's locale (LC_CTYPE, LC_COLLATE)
    says which letters are one in two cases and their order: å ä ö after z in Swedish.
*/
#ifndef WHO_H_INCLUDED
#define WHO_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#define WHO_PATTERN_MAX_BYTES 64 // longest \who PATTERN

//  Order the display names a and b as \who lists them: without regard to case, in the
//  locale's order; two that differ only in case by their bytes. Returns <0, 0 or >0.
int who_compare (const char *a, const char *b);

//  Check a \who PATTERN as typed: at most WHO_PATTERN_MAX_BYTES, valid UTF-8, no control
//  character. Returns 0, or -1 with the reason, translated, in why (why_size bytes).
int who_pattern_check (const char *pattern, char *why, size_t why_size);

//  True when name matches pattern (checked); NULL or "" matches every name.
bool who_match (const char *pattern, const char *name);

#endif
