#include <doctest/doctest.h>

#include <zlib.h>

#include <stdexcept>
#include <string>

#include "util/lazy_library.hpp"

using regscan::util::LazyLibrary;

TEST_SUITE_BEGIN("util");

namespace {
LazyLibrary& zlib() {
    static LazyLibrary library("libz.so.1", "the test");
    return library;
}

std::string error_of(LazyLibrary& library, const char* symbol) {
    try {
        (void)library.symbol(symbol);
    } catch (const std::runtime_error& error) {
        return error.what();
    }
    return "no error";
}
}  // namespace

TEST_CASE("util::LazyLibrary resolves a symbol typed as the header declares it") {
    const char* version = REGSCAN_LAZY(zlib(), zlibVersion)();
    CHECK(std::string(version) == ZLIB_VERSION);
    CHECK(zlib().symbol("zlibVersion") == reinterpret_cast<void*>(&::zlibVersion));
}

TEST_CASE("util::LazyLibrary names the library and the purpose when it cannot be opened") {
    LazyLibrary missing("libregscan-no-such-library.so.7", "malware detection");
    const auto first = error_of(missing, "anything");
    CHECK(first.find("cannot load libregscan-no-such-library.so.7") != std::string::npos);
    CHECK(first.find("needed for malware detection") != std::string::npos);
    // The failed open is remembered, not retried, and gives the same reason.
    CHECK(error_of(missing, "other") == first);
}

TEST_CASE("util::LazyLibrary names a missing symbol") {
    const auto error = error_of(zlib(), "regscan_no_such_symbol");
    CHECK(error == "libz.so.1 has no regscan_no_such_symbol (needed for the test)");
}
