/*  history.h - the input history, kept across runs in $XDG_STATE_HOME/chat/history (default
    ~/.local/state/chat/history), bounded. Main thread, terminal mode only.
*/
#ifndef HISTORY_H_INCLUDED
#define HISTORY_H_INCLUDED

#define HISTORY_MAX_LINES 1000 // lines of input history kept, in memory and on disk

//  Load the history of earlier runs into readline's history.
void history_load (void);

//  Save the last added lines of this run: appended, so that two chats sharing the file keep
//  each other's lines; then the file is cut to HISTORY_MAX_LINES.
void history_save (int added);

#endif
