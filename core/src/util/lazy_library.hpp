// A system library opened on its first use (dlopen) instead of at start-up:
// libclamav, libyara and libpq, with the 5 libraries they bring, cost every
// run some 20000 relocations and 150 page faults before main(), and most runs
// call none of them (no --malware, no PostgreSQL state). A run that needs one
// and cannot open it fails with the library's name and the loader's reason.
#pragma once

#include <mutex>
#include <string>

namespace regscan::util {

class LazyLibrary {
public:
    // `soname` as the linker would record it ("libpq.so.5"); `purpose` says
    // what needs it, for the error ("PostgreSQL state").
    LazyLibrary(std::string soname, std::string purpose) : soname_(std::move(soname)), purpose_(std::move(purpose)) {}

    // The address of `name` in the library, opening it on the first call.
    // Throws std::runtime_error when the library or the symbol is missing.
    // The library is never closed: callers keep its addresses for the
    // life of the process.
    [[nodiscard]] void* symbol(const char* name);

private:
    std::string soname_;
    std::string purpose_;
    std::once_flag opened_;
    void* handle_ = nullptr;
    std::string open_error_;
};

}  // namespace regscan::util

// `fn` of the system library `library` (an expression naming a LazyLibrary),
// typed as the library's header declares it: REGSCAN_LAZY(pq(), PQexec)(conn, sql).
// Resolved once per call site.
#define REGSCAN_LAZY(library, fn)                                                                      \
    ([]() -> decltype(&::fn) {                                                                         \
        static const auto resolved = reinterpret_cast<decltype(&::fn)>((library).symbol(#fn));        \
        return resolved;                                                                               \
    }())
