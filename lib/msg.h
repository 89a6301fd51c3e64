/*
 * msg.h — exit codes and the one shape of every message.
 *
 * Messages go through err(3)/warn(3), which prefix the program name, so a
 * message about input reads "vc-NAME: FILE:LINE: why" in every tool.
 */
#ifndef VC_MSG_H
#define VC_MSG_H

enum vc_exit {
	VC_EXIT_OK = 0,       /* all was well */
	VC_EXIT_REJECTED = 1, /* some records were rejected or a check failed */
	VC_EXIT_USAGE = 2,    /* usage, system or I/O error */
	VC_EXIT_JQ = 3,       /* a user's jq program did not compile */
};

/* Reports a problem with one input line: "vc-NAME: FILE:LINE: why".
 * Control characters in FILE and why are written as \xHH (\uHHHH for C1
 * controls): the message stays one line of plain text whatever a record
 * or a file name held. */
void vc_msg_at(const char *file, unsigned long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reports that FILE could not be opened or read, as warn(3) would
 * ("vc-NAME: FILE: strerror(errno)"), with FILE made visible the same
 * way. */
void vc_msg_file(const char *file);

#endif
