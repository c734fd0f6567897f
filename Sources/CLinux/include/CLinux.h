#ifndef ATTEST_CLINUX_H
#define ATTEST_CLINUX_H

// Linux calls that Swift's Glibc module does not import (they are behind _GNU_SOURCE).
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

/// An anonymous file that can be sealed, inherited across exec (no close-on-exec): -1 with errno on failure.
int attest_memfd_sealable(const char *name);

/// Seals a memfd against every change (write, shrink, grow) and against new seals: 0, or -1 with errno.
int attest_memfd_seal_all(int fd);

/// Executes `file` (PATH is searched, as the shell does) with `argv` and the environment `envp`.
int attest_execvpe(const char *file, char *const argv[], char *const envp[]);

#endif
