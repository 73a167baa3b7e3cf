/*  fuzz_commands.c - libFuzzer target: a line the user typed, through commands_parse and
    text_sanitize.

    The input is the line: cut at its first NUL (readline hands over a C string) and at
    LINE_INPUT_MAX_BYTES, and copied into a heap block of exactly its length plus the NUL, so
    ASan sees a read past its end. commands_parse is pure, so nothing lives from one input to
    the next.

    Invariants (a broken one traps, see fuzz_check.h): the kind is one of command_kind_t; the
    argument is NUL-terminated within COMMAND_ARGUMENT_MAX_BYTES; the text, when set, points
    into the line; a message always has its text, \me and \msg a non-empty one, \msg a nick;
    a known command has its name; the sanitised line is valid UTF-8 a terminal cannot act on.
*/
#include "limits.h"
#include "commands.h"
#include "text.h"

#include "fuzz_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LINE_INPUT_MAX_BYTES 16384 // longest line tried: well past every buffer in the parser

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr (data, 0, size);
    size_t length = nul ? (size_t) (nul - data) : size;
    if (length > LINE_INPUT_MAX_BYTES)
        length = LINE_INPUT_MAX_BYTES;
    char *line = malloc (length + 1);
    FUZZ_CHECK (line != NULL);
    memcpy (line, data, length);
    line[length] = 0;

    command_t command;
    memset (&command, 0xA5, sizeof command); //  what the parser leaves unset is seen
    commands_parse (line, &command);
    FUZZ_CHECK (command.kind >= COMMAND_MESSAGE && command.kind <= COMMAND_BAD_USAGE);
    FUZZ_CHECK (memchr (command.argument, 0, COMMAND_ARGUMENT_MAX_BYTES) != NULL);
    FUZZ_CHECK (!command.text || (command.text >= line && command.text <= line + length));
    if (command.kind == COMMAND_MESSAGE)
        FUZZ_CHECK (command.text != NULL);
    if (command.kind == COMMAND_ME || command.kind == COMMAND_MSG)
        FUZZ_CHECK (command.text != NULL && command.text[0] != 0);
    if (command.kind == COMMAND_MSG)
        FUZZ_CHECK (command.argument[0] != 0 && !strchr (command.argument, ' '));
    if (command.kind != COMMAND_MESSAGE && command.kind != COMMAND_UNKNOWN &&
        command.kind != COMMAND_BAD_USAGE)
        FUZZ_CHECK (command.name != NULL);

    //  Escaping grows text 4 times at most: a line up to FRAME_MAX_BYTES is shown whole
    static char safe[SANITIZED_MAX_BYTES];
    int rc = text_sanitize (line, length, safe, sizeof safe);
    FUZZ_CHECK (rc == 0 || length > FRAME_MAX_BYTES);
    fuzz_check_sanitized (safe, sizeof safe);

    free (line);
    return 0;
}
