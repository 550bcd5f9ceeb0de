#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include "serve/access.hpp"
#include "temp_dir.hpp"

using namespace regscan::serve;
using namespace std::chrono_literals;
using regscan::test::TempDir;

namespace {

const std::string token(64, 'f');

httpd::Request request(std::string method, std::string path,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
    httpd::Request r;
    r.method = std::move(method);
    r.path = r.target = std::move(path);
    r.headers = std::move(headers);
    return r;
}

std::string cookie_value(const std::string& set_cookie) {
    auto start = set_cookie.find('=') + 1;
    return set_cookie.substr(start, set_cookie.find(';') - start);
}

}  // namespace

TEST_SUITE_BEGIN("serve_http");

TEST_CASE("serve::load_or_create_token makes a 0600 file of 256 random bits once, then reads it") {
    TempDir dir;
    auto file = dir.path / "serve-token";
    std::string first = load_or_create_token(file);
    CHECK(first.size() == 64);
    CHECK(first.find_first_not_of("0123456789abcdef") == std::string::npos);
    struct stat info {};
    REQUIRE(::stat(file.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK(load_or_create_token(file) == first);
    CHECK(load_or_create_token(dir.path / "other") != first);
}

TEST_CASE("serve::load_or_create_token refuses a token file others can read, a link, a short token") {
    TempDir dir;
    auto file = dir.path / "serve-token";
    load_or_create_token(file);
    ::chmod(file.c_str(), 0644);
    CHECK_THROWS_WITH_AS(load_or_create_token(file), doctest::Contains("can be read by other users"), std::runtime_error);
    ::chmod(file.c_str(), 0600);
    std::filesystem::create_symlink(file, dir.path / "link");
    CHECK_THROWS_AS(load_or_create_token(dir.path / "link"), std::runtime_error);
    {
        std::ofstream(dir.path / "short") << "abc\n";
    }
    ::chmod((dir.path / "short").c_str(), 0600);
    CHECK_THROWS_WITH_AS(load_or_create_token(dir.path / "short"), doctest::Contains("usable token"), std::runtime_error);
}

TEST_CASE("serve::same_secret compares whole values") {
    CHECK(same_secret("abc", "abc"));
    CHECK_FALSE(same_secret("abc", "abd"));
    CHECK_FALSE(same_secret("abc", "abcd"));
    CHECK_FALSE(same_secret("", "a"));
}

TEST_CASE("serve::Access: Bearer token, and only it when an Authorization header is sent") {
    Access access(token);
    CHECK(access.authenticate(request("GET", "/x", {{"authorization", "Bearer " + token}})).ok);
    CHECK(access.authenticate(request("GET", "/x", {{"authorization", "bearer " + token}})).ok);
    CHECK_FALSE(access.authenticate(request("GET", "/x", {{"authorization", "Bearer " + token + "0"}})).ok);
    CHECK_FALSE(access.authenticate(request("GET", "/x", {{"authorization", "Basic " + token}})).ok);
    CHECK_FALSE(access.authenticate(request("GET", "/x")).ok);
    // A wrong Bearer with a good cookie is still refused.
    std::string cookie = cookie_value(access.open_session(false));
    CHECK_FALSE(access.authenticate(request("GET", "/x", {{"authorization", "Bearer nope"},
                                                          {"cookie", "regscan_session=" + cookie}}))
                    .ok);
}

TEST_CASE("serve::Access sessions: HttpOnly SameSite=Strict cookie, Secure under TLS, bounded, expiring") {
    Access access(token, 2, 3600s);
    auto now = Access::Clock::now();
    std::string set = access.open_session(false, now);
    CHECK(set.find("HttpOnly") != std::string::npos);
    CHECK(set.find("SameSite=Strict") != std::string::npos);
    CHECK(set.find("Path=/") != std::string::npos);
    CHECK(set.find("Secure") == std::string::npos);
    CHECK(access.open_session(true, now + 500ms).find("; Secure") != std::string::npos);
    std::string id = cookie_value(set);
    CHECK(id.size() == 64);
    auto with_cookie = request("GET", "/x", {{"cookie", "theme=dark; regscan_session=" + id}});
    auto auth = access.authenticate(with_cookie, now);
    CHECK(auth.ok);
    CHECK(auth.by_cookie);
    CHECK_FALSE(access.authenticate(with_cookie, now + 3601s).ok);  // expired
    // Two cookies of that name: neither is trusted.
    CHECK_FALSE(access.authenticate(request("GET", "/x", {{"cookie", "regscan_session=" + id + "; regscan_session=x"}}), now).ok);
    // A third session drops the oldest.
    access.open_session(false, now + 1s);
    CHECK(access.sessions() == 2);
    CHECK_FALSE(access.authenticate(with_cookie, now + 2s).ok);
    // Logging out forgets the session.
    std::string other = cookie_value(access.open_session(false, now + 3s));
    auto out = request("DELETE", "/api/v1/session", {{"cookie", "regscan_session=" + other}});
    CHECK(access.close_session(out).find("Max-Age=0") != std::string::npos);
    CHECK_FALSE(access.authenticate(out, now + 4s).ok);
}

TEST_CASE("serve::Access CSRF: a cookie-authenticated change needs the header and a same-origin request") {
    Access access(token);
    Authentication cookie{true, true}, bearer{true, false};
    std::vector<std::pair<std::string, std::string>> good = {
        {"host", "127.0.0.1:8686"}, {"origin", "http://127.0.0.1:8686"}, {"sec-fetch-site", "same-origin"},
        {"x-regscan-csrf", "1"}};
    CHECK_FALSE(access.cross_site_refusal(request("POST", "/api/v1/connectors", good), cookie));
    // Without the header.
    CHECK(access.cross_site_refusal(request("POST", "/a", {{"host", "h"}}), cookie));
    CHECK(access.cross_site_refusal(request("DELETE", "/a", {{"x-regscan-csrf", "0"}}), cookie));
    // Foreign Origin, or a null one.
    auto foreign = good;
    foreign[1].second = "http://evil.example";
    CHECK(access.cross_site_refusal(request("POST", "/a", foreign), cookie));
    foreign[1].second = "null";
    CHECK(access.cross_site_refusal(request("POST", "/a", foreign), cookie));
    // http origin against a TLS server.
    auto over_tls = request("POST", "/a", good);
    over_tls.tls = true;
    CHECK(access.cross_site_refusal(over_tls, cookie));
    // Sec-Fetch-Site says cross-site or same-site.
    for (const char* site : {"cross-site", "same-site", "none"}) {
        auto fetched = good;
        fetched[2].second = site;
        CHECK(access.cross_site_refusal(request("POST", "/a", fetched), cookie));
    }
    // Reading is allowed without the header; a typed URL (none) too.
    CHECK_FALSE(access.cross_site_refusal(request("GET", "/a", {{"sec-fetch-site", "none"}}), cookie));
    CHECK(access.cross_site_refusal(request("GET", "/a", {{"sec-fetch-site", "cross-site"}}), cookie));
    // A Bearer client (a script) needs no CSRF header, but a browser's foreign Origin is still refused.
    CHECK_FALSE(access.cross_site_refusal(request("POST", "/a"), bearer));
    CHECK(access.cross_site_refusal(request("POST", "/a", {{"host", "h:1"}, {"origin", "http://x"}}), bearer));
}

TEST_CASE("serve::Access::add_security_headers: CSP and friends, no-store on the API") {
    httpd::Response response;
    Access::add_security_headers(request("GET", "/api/v1/images"), response);
    CHECK(response.header("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
    CHECK(response.header("Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);
    CHECK(response.header("X-Content-Type-Options") == "nosniff");
    CHECK(response.header("Referrer-Policy") == "no-referrer");
    CHECK(response.header("Cache-Control") == "no-store");
    httpd::Response page;
    page.set("Cache-Control", "no-cache");
    Access::add_security_headers(request("GET", "/app.js"), page);
    CHECK(page.header("Cache-Control") == "no-cache");
}

TEST_CASE("serve::Access behind a TLS proxy: the public origin is this server's, its cookie Secure") {
    Access access(token);
    Authentication bearer;
    bearer.ok = true;
    const std::vector<std::pair<std::string, std::string>> proxied = {{"host", "regscan.example"},
                                                                        {"origin", "https://regscan.example"}};
    CHECK(access.cross_site_refusal(request("GET", "/api/v1/images", proxied), bearer));
    CHECK(access.open_session(false).find("Secure") == std::string::npos);
    access.set_public_origin("https://regscan.example");
    CHECK_FALSE(access.cross_site_refusal(request("GET", "/api/v1/images", proxied), bearer));
    CHECK(access.cross_site_refusal(request("GET", "/api/v1/images", {{"host", "regscan.example"},
                                                                      {"origin", "https://evil.example"}}),
                                    bearer));
    // The server's own address stays its origin too.
    CHECK_FALSE(access.cross_site_refusal(
        request("GET", "/api/v1/images", {{"host", "127.0.0.1:8686"}, {"origin", "http://127.0.0.1:8686"}}), bearer));
    CHECK(access.open_session(false).find("; Secure") != std::string::npos);
}

TEST_SUITE_END();
