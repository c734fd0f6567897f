#include "CLinux.h"

int attest_memfd_sealable(const char *name) {
    return memfd_create(name, MFD_ALLOW_SEALING);
}

int attest_memfd_seal_all(int fd) {
    return fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
}

int attest_execvpe(const char *file, char *const argv[], char *const envp[]) {
    return execvpe(file, argv, envp);
}
