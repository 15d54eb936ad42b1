#pragma once

#include <libpq-fe.h>

namespace mlosbench::detail {

/// The libpq functions the PostgreSQL backend calls, loaded (dlopen of libpq.so.5) the first
/// time a PostgreSQL storage is used. libpq brings a dozen libraries with it (Kerberos, LDAP,
/// SASL): loading them only then keeps them out of the start-up of every other command, such
/// as a trial's `post-metric` on SQLite, which may run thousands of times. Types come from
/// libpq-fe.h, so a call is checked as a direct one would be.
struct Libpq
{
    // NOLINTBEGIN(readability-identifier-naming): each member is named after its function
    decltype(&::PQconnectdbParams) PQconnectdbParams;
    decltype(&::PQstatus) PQstatus;
    decltype(&::PQfinish) PQfinish;
    decltype(&::PQerrorMessage) PQerrorMessage;
    decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor;
    decltype(&::PQexec) PQexec;
    decltype(&::PQexecParams) PQexecParams;
    decltype(&::PQprepare) PQprepare;
    decltype(&::PQexecPrepared) PQexecPrepared;
    decltype(&::PQresultStatus) PQresultStatus;
    decltype(&::PQresultErrorField) PQresultErrorField;
    decltype(&::PQresultErrorMessage) PQresultErrorMessage;
    decltype(&::PQclear) PQclear;
    decltype(&::PQntuples) PQntuples;
    decltype(&::PQnfields) PQnfields;
    decltype(&::PQftype) PQftype;
    decltype(&::PQgetvalue) PQgetvalue;
    decltype(&::PQgetlength) PQgetlength;
    decltype(&::PQgetisnull) PQgetisnull;
    decltype(&::PQcmdTuples) PQcmdTuples;
    decltype(&::PQescapeLiteral) PQescapeLiteral;
    decltype(&::PQfreemem) PQfreemem;
    decltype(&::PQconninfoParse) PQconninfoParse;
    decltype(&::PQconninfoFree) PQconninfoFree;
    // NOLINTEND(readability-identifier-naming)
};

/// libpq, loaded on first use (thread-safe). Throws Error when it cannot be loaded (the
/// package libpq5 is missing).
[[nodiscard]] const Libpq& libpq();

} // namespace mlosbench::detail
