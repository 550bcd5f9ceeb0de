#include <cstdio>
#include <string>

#include <doctest/doctest.h>

#include "log/status_line.hpp"

using regscan::log::StatusLine;

namespace {

// Everything written to `file` so far.
std::string written(std::FILE* file) {
    std::fflush(file);
    std::string bytes;
    std::rewind(file);
    char buffer[256];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) bytes.append(buffer, n);
    return bytes;
}

}  // namespace

TEST_CASE("log::StatusLine clears itself before a log line and draws itself again after") {
    std::FILE* file = std::tmpfile();
    REQUIRE(file);
    StatusLine line(file);
    line.show("[1/3] images");
    line.around([&] { std::fputs("2026-12-04T00:00:00.000+0000 info Scanned image\n", file); });
    line.show("[2/3] images  ETA 0m01s");
    CHECK(written(file) ==
          "\r[1/3] images\x1b[K"
          "\r\x1b[K2026-12-04T00:00:00.000+0000 info Scanned image\n"
          "\r[1/3] images\x1b[K"
          "\r[2/3] images  ETA 0m01s\x1b[K");
    std::fclose(file);
}

TEST_CASE("log::StatusLine ends on a line of its own and then stays out of the way") {
    std::FILE* file = std::tmpfile();
    REQUIRE(file);
    StatusLine line(file);
    line.show("[2/3] images  ETA 0m01s");
    line.finish("[3/3] images  in 1.0 s");
    line.around([&] { std::fputs("after\n", file); });
    CHECK(written(file) == "\r[2/3] images  ETA 0m01s\x1b[K\r[3/3] images  in 1.0 s\x1b[K\nafter\n");
    std::fclose(file);
}

TEST_CASE("log::StatusLine writes nothing around log lines when it was never shown") {
    std::FILE* file = std::tmpfile();
    REQUIRE(file);
    StatusLine line(file);
    line.around([&] { std::fputs("plain\n", file); });
    line.finish("");
    CHECK(written(file) == "plain\n");
    std::fclose(file);
}
