// libpq, opened when a PostgreSQL state is first opened
// (util/lazy_library.hpp). LIBPQ(PQexec)(...) calls PQexec.
#pragma once

#include "util/lazy_library.hpp"

namespace regscan::state {

inline util::LazyLibrary& libpq_library() {
    static util::LazyLibrary library(REGSCAN_LIBPQ_SONAME, "a PostgreSQL state");
    return library;
}

}  // namespace regscan::state

#define LIBPQ(fn) REGSCAN_LAZY(::regscan::state::libpq_library(), fn)
