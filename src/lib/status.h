// SPDX-License-Identifier: MIT
// Exit statuses shared by library calls and tools (values from sysexits(3)).
#ifndef PD_STATUS_H
#define PD_STATUS_H

enum pd_status {
	PD_OK = 0,
	PD_FOUND = 1,
	PD_EUSAGE = 64,
	PD_EDATA = 65,
	PD_ENOINPUT = 66,
	PD_ESOFTWARE = 70,
	PD_ENOMEM = 71,
	PD_EIO = 74,
};

// Flushes and closes stdout; reports a write error and returns PD_EIO.
enum pd_status pd_stdout_close(void);

#endif
