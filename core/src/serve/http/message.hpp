// A request and a response as the routes see them: plain strings, no Beast
// types, so the routes and their unit tests compile without the server.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace regscan::serve::httpd {

struct Request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // as sent: path and query
    std::string path;    // percent-decoded path, without the query
    std::map<std::string, std::string> query;  // decoded; a repeated name keeps its first value
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    std::string client;  // peer address, for rate limits and logs
    bool tls = false;    // arrived over TLS

    // The first value of a header (name in any case), "" when absent.
    [[nodiscard]] std::string header(std::string_view name) const;
    [[nodiscard]] bool has_header(std::string_view name) const;
    // A query parameter, `fallback` when absent.
    [[nodiscard]] std::string param(const std::string& name, const std::string& fallback = "") const;
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    // Replaces every header of that name (names compared case-insensitively).
    void set(std::string_view name, std::string value);
    [[nodiscard]] std::string header(std::string_view name) const;
};

// Splits a request target into a decoded path and query. Returns false when
// the target is not origin-form ("/..."), or a percent escape is broken, or
// the decoded path holds a NUL or control character.
bool parse_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query);

// %XX decoding; '+' is a space when `plus_is_space` (query strings). Returns
// false on a broken escape.
bool percent_decode(std::string_view text, std::string& out, bool plus_is_space);

}  // namespace regscan::serve::httpd
