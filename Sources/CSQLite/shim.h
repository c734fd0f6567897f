#ifndef ATTEST_CSQLITE_SHIM_H
#define ATTEST_CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro, which does not import into Swift.

/// Binds a copy of the bytes: the caller's buffer may go away before the statement steps. An empty buffer
/// (NULL from Swift) binds a zero-length value, not SQL NULL.
static inline int attest_sqlite3_bind_blob(sqlite3_stmt *statement, int index, const void *bytes, int count) {
    return sqlite3_bind_blob(statement, index, bytes ? bytes : "", count, SQLITE_TRANSIENT);
}

static inline int attest_sqlite3_bind_text(sqlite3_stmt *statement, int index, const void *text, int count) {
    return sqlite3_bind_text(statement, index, text ? (const char *)text : "", count, SQLITE_TRANSIENT);
}

#endif
