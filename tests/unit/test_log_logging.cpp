#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include "limits/limits.hpp"
#include "log/logging.hpp"
#include "log/secrets.hpp"

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

// A registry chooses a refused repository's name or an error's text: a long
// one is cut on its own, and the fields after it stay whole.
TEST_CASE("log::init's sink caps each field of a line, not the line") {
    const std::string name(3 * regscan::limits::max_echoed_value, 'r');
    auto text = logged([&] {
        spdlog::error("Refused repository repository={} error={} image={}", name, "not a repository name", "reg/a:1");
    });
    CHECK(text.find(" error Refused repository repository=rrr") != std::string::npos);
    CHECK(text.find(" bytes left out) error=not a repository name image=reg/a:1\n") != std::string::npos);
    CHECK(text.size() < 2 * regscan::limits::max_echoed_value);

    // The message before the first field is capped too.
    text = logged([&] { spdlog::warn("{} plugin={}", name, "quay"); });
    CHECK(text.find(" bytes left out) plugin=quay\n") != std::string::npos);

    // Many long fields: the line stops at its own bound, saying so.
    text = logged([&] {
        spdlog::error("Many a={} b={} c={} d={} e={} f={} g={}", name, name, name, name, name, name, name);
    });
    const auto line = text.substr(text.find(" error ") + 7);
    CHECK(line.size() <= regscan::limits::max_log_line + 1);
    CHECK(line.find(" a=rrr") != std::string::npos);
    CHECK(line.find(" c=rrr") != std::string::npos);
    CHECK(line.find(" g=") == std::string::npos);
    CHECK(line.find(" bytes left out)\n") != std::string::npos);

    // A short line is untouched, "=" without a key or with an upper-case one included.
    text = logged([] { spdlog::info("a = b x=1 Y=2 =3 _z=4"); });
    CHECK(text.find(" info a = b x=1 Y=2 =3 _z=4\n") != std::string::npos);
}

// A secret may hold " key=" (a password "pa ss x=..."): the line splits it
// into two fields, and the message it starts in is cut before its head.
TEST_CASE("log::init's sink never shows the tail of a secret the line split into fields") {
    const std::string secret = "sink pw y=tail-of-sink-secret";
    regscan::log::add_secret(secret);
    const std::string head(3 * regscan::limits::max_echoed_value, 'h');
    auto text = logged([&] { spdlog::error("{} with {} image={}", head, secret, "reg/a:1"); });
    CHECK(text.find("tail-of") == std::string::npos);
    CHECK(text.find(" y=") == std::string::npos);
    CHECK(text.find(" bytes left out)*** image=reg/a:1\n") != std::string::npos);
}

TEST_SUITE_END();
