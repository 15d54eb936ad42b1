#include "libpq.hpp"

#include "mlosbench/util/error.hpp"

#include <dlfcn.h>
#include <mutex>
#include <optional>
#include <string>

namespace mlosbench::detail {
namespace {

constexpr const char* k_library = "libpq.so.5";

template <class Function> void resolve(void* handle, const char* name, Function& function)
{
    void* symbol = ::dlsym(handle, name);
    if (symbol == nullptr) {
        throw Error(std::string("PostgreSQL storage: ") + k_library + " has no " + name);
    }
    function = reinterpret_cast<Function>(symbol); // NOLINT: dlsym gives functions as void*
}

Libpq load()
{
    // Never closed: libpq stays for the life of the process, as a linked library would.
    void* handle = ::dlopen(k_library, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror();
        throw Error(std::string("PostgreSQL storage needs libpq (Debian package libpq5): ") +
                    (why != nullptr ? why : k_library));
    }
    Libpq pq{};
#define MLOSBENCH_RESOLVE(name) resolve(handle, #name, pq.name)
    MLOSBENCH_RESOLVE(PQconnectdbParams);
    MLOSBENCH_RESOLVE(PQstatus);
    MLOSBENCH_RESOLVE(PQfinish);
    MLOSBENCH_RESOLVE(PQerrorMessage);
    MLOSBENCH_RESOLVE(PQsetNoticeProcessor);
    MLOSBENCH_RESOLVE(PQexec);
    MLOSBENCH_RESOLVE(PQexecParams);
    MLOSBENCH_RESOLVE(PQprepare);
    MLOSBENCH_RESOLVE(PQexecPrepared);
    MLOSBENCH_RESOLVE(PQresultStatus);
    MLOSBENCH_RESOLVE(PQresultErrorField);
    MLOSBENCH_RESOLVE(PQresultErrorMessage);
    MLOSBENCH_RESOLVE(PQclear);
    MLOSBENCH_RESOLVE(PQntuples);
    MLOSBENCH_RESOLVE(PQnfields);
    MLOSBENCH_RESOLVE(PQftype);
    MLOSBENCH_RESOLVE(PQgetvalue);
    MLOSBENCH_RESOLVE(PQgetlength);
    MLOSBENCH_RESOLVE(PQgetisnull);
    MLOSBENCH_RESOLVE(PQcmdTuples);
    MLOSBENCH_RESOLVE(PQescapeLiteral);
    MLOSBENCH_RESOLVE(PQfreemem);
    MLOSBENCH_RESOLVE(PQconninfoParse);
    MLOSBENCH_RESOLVE(PQconninfoFree);
#undef MLOSBENCH_RESOLVE
    return pq;
}

} // namespace

const Libpq& libpq()
{
    static std::mutex mutex;
    static std::optional<Libpq> loaded;
    const std::lock_guard lock(mutex);
    if (!loaded) {
        loaded = load();
    }
    return *loaded;
}

} // namespace mlosbench::detail
