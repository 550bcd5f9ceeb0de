#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include "log/logging.hpp"

TEST_SUITE_BEGIN("log");

namespace {

// What the console logger (log::init) writes to stderr while `body` runs.
template <typename Body>
std::string logged(Body body) {
    auto previous = spdlog::default_logger();
    std::FILE* file = std::tmpfile();
    REQUIRE(file);
    std::fflush(stderr);
    int saved = ::dup(STDERR_FILENO);
    REQUIRE(saved >= 0);
    REQUIRE(::dup2(::fileno(file), STDERR_FILENO) >= 0);
    regscan::log::init("info");
    body();
    std::fflush(stderr);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    spdlog::set_default_logger(previous);
    std::string bytes;
    std::rewind(file);
    char buffer[256];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) bytes.append(buffer, n);
    std::fclose(file);
    return bytes;
}

}  // namespace

// Messages carry a registry's text as it is; the sink is the one place that
// escapes it, so a control character shows escaped once, not "\\e".
TEST_CASE("log::init's sink escapes every control character of a message exactly once") {
    auto text = logged([] { spdlog::error("tag 'evil\x1b]0;owned\x07:1\nforged' and a \\ backslash"); });
    CHECK(text.find(" error tag 'evil\\e]0;owned\\x07:1\\nforged' and a \\\\ backslash\n") != std::string::npos);
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find('\x07') == std::string::npos);
    CHECK(text.find('\n') == text.size() - 1);  // one event, one line
}

TEST_SUITE_END();
