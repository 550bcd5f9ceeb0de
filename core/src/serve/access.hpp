// Who may call the server: the access token (made at first start, 256 bits,
// a 0600 file in the data dir), Bearer auth, the page's session cookie and
// the CSRF rules for it, and the security headers every answer carries.
// docs/serve.md describes the model; docs/serve-api.yaml the wire.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "serve/http/message.hpp"

namespace regscan::serve {

inline constexpr const char* session_cookie_name = "regscan_session";
inline constexpr const char* csrf_header = "X-Regscan-CSRF";

// The token in `file`, made (64 hex characters of 256 random bits, mode 0600,
// never following a link) when the file does not exist. Throws
// std::runtime_error when the file is not a regular file of this user, can be
// read by others, or holds too short a token.
std::string load_or_create_token(const std::filesystem::path& file);

// Equal contents, in time that depends on the lengths only.
bool same_secret(std::string_view a, std::string_view b);

struct Authentication {
    bool ok = false;
    bool by_cookie = false;  // a session cookie, not a Bearer token: CSRF rules apply
};

class Access {
public:
    using Clock = std::chrono::steady_clock;
    explicit Access(std::string token, size_t max_sessions = 64,
                    std::chrono::seconds session_lifetime = std::chrono::hours(12));

    // A Bearer token (when an Authorization header is sent, only it counts),
    // else the session cookie.
    Authentication authenticate(const httpd::Request& request, Clock::time_point now = Clock::now()) const;
    [[nodiscard]] bool token_matches(std::string_view candidate) const;

    // Why a request must be refused as cross-site (403), or nothing. A
    // state-changing request (POST, PUT, DELETE, PATCH) authenticated by the
    // cookie needs X-Regscan-CSRF: 1; any request that sends Origin or
    // Sec-Fetch-Site must be same-origin by them.
    std::optional<std::string> cross_site_refusal(const httpd::Request& request, const Authentication& auth) const;

    // A new session (random 256-bit id; the oldest is dropped past the bound)
    // and the Set-Cookie value that hands it to the browser.
    std::string open_session(bool tls, Clock::time_point now = Clock::now());

    // The origin browsers reach the server at through a TLS-terminating
    // proxy (--public-url, e.g. "https://regscan.corp"): an Origin naming it
    // is this server's too, and with https the session cookie is Secure.
    void set_public_origin(std::string origin) { public_origin_ = std::move(origin); }
    // Forgets the request's session; returns the Set-Cookie value that clears it.
    std::string close_session(const httpd::Request& request);
    [[nodiscard]] size_t sessions() const;

    // Content-Security-Policy, nosniff, Referrer-Policy, frame refusal, and
    // Cache-Control: no-store on everything but the static page files.
    static void add_security_headers(const httpd::Request& request, httpd::Response& response);

private:
    std::optional<std::string> cookie_session(const httpd::Request& request) const;

    std::string token_;
    std::string public_origin_;
    size_t max_sessions_;
    std::chrono::seconds lifetime_;
    mutable std::mutex mutex_;
    // SHA-256 of the session id -> when it was opened: a lookup never compares
    // the secret itself.
    std::map<std::string, Clock::time_point> sessions_;
};

}  // namespace regscan::serve
