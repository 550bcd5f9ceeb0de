// C++ view of the services the core offers a plugin: logging, HTTP on the
// core's client (TLS, proxies, retries, registry auth, redaction), secrets.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "regscan/error.hpp"
#include "regscan/plugin_abi.h"
#include "regscan/text.hpp"

namespace regscan::sdk {

using Header = std::pair<std::string, std::string>;

inline bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

// Splits "Name: value\r\n" lines; a status line or blank line is skipped.
inline std::vector<Header> parse_header_lines(std::string_view raw) {
    std::vector<Header> headers;
    while (!raw.empty()) {
        auto end = raw.find('\n');
        std::string_view line = raw.substr(0, end);
        raw = end == std::string_view::npos ? std::string_view{} : raw.substr(end + 1);
        auto colon = line.find(':');
        if (colon == std::string_view::npos || line.rfind("HTTP/", 0) == 0) continue;
        headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
    return headers;
}

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<Header> headers;
    std::string body;
    bool registry_auth = false;  // let the core answer /v2/ auth challenges
    bool retry = true;           // retry 429/5xx with backoff
    // (1.4) The most this one call may take, retries, their waits and the
    // token request of registry_auth included; past it the answer is status 0
    // with a "timed out" error. 0: the core's own bounds only (--request-timeout).
    // A negative value (a budget already spent) is taken as 1 ms, not as none.
    // An older core ignores it: see Host::honours_timeout().
    std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
    long status = 0;
    std::string error;  // transport failure when status == 0
    std::vector<Header> headers;
    std::string body;

    [[nodiscard]] std::optional<std::string> header(std::string_view name) const {
        for (const auto& [key, value] : headers)
            if (iequals(key, name)) return value;
        return std::nullopt;
    }
    [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }

    // A one-line description for error messages: status and the first bytes
    // of the body, never request headers (they may carry credentials).
    [[nodiscard]] std::string describe() const {
        if (status == 0) return "no response: " + error;
        // Not inside a UTF-8 character: the text may be shown as JSON.
        std::string snippet = body.substr(0, utf8_boundary(body, 200));
        std::replace_if(snippet.begin(), snippet.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
        return "HTTP " + std::to_string(status) + (snippet.empty() ? "" : ": " + snippet);
    }
};

// Maps an unsuccessful response to the status the core understands.
inline regscan_status status_of(const HttpResponse& response) {
    if (response.status == 0) return REGSCAN_UNREACHABLE;
    if (response.status == 401 || response.status == 403) return REGSCAN_AUTH_FAILED;
    if (response.status == 404) return REGSCAN_NOT_FOUND;
    return REGSCAN_ERROR;
}

class Host {
public:
    explicit Host(const regscan_host_api* api) : api_(api) {}

    void log(regscan_log_level level, const std::string& message) const {
        api_->log(api_->ctx, level, message.c_str());
    }
    void debug(const std::string& m) const { log(REGSCAN_LOG_DEBUG, m); }
    void info(const std::string& m) const { log(REGSCAN_LOG_INFO, m); }
    void warn(const std::string& m) const { log(REGSCAN_LOG_WARN, m); }

    // (1.2) A warning the run summary lists too; a plain warning on an older core.
    void discovery_note(const std::string& message) const {
        constexpr size_t needed = offsetof(regscan_host_api, note) + sizeof(api_->note);
        if (api_->struct_size >= needed && api_->note)
            api_->note(api_->ctx, message.c_str());
        else
            warn(message);
    }

    void add_secret(const std::string& value) const {
        if (!value.empty()) api_->add_secret(api_->ctx, value.c_str());
    }

    [[nodiscard]] HttpResponse http(const HttpRequest& request) const {
        std::vector<std::string> lines;
        lines.reserve(request.headers.size());
        for (const auto& [name, value] : request.headers) lines.push_back(name + ": " + value);
        std::vector<const char*> pointers;
        for (const auto& line : lines) pointers.push_back(line.c_str());

        regscan_http_request raw{};
        raw.struct_size = sizeof raw;
        raw.method = request.method.c_str();
        raw.url = request.url.c_str();
        raw.headers = pointers.data();
        raw.header_count = pointers.size();
        raw.body = request.body.empty() ? nullptr : request.body.data();
        raw.body_size = request.body.size();
        raw.flags = (request.registry_auth ? REGSCAN_HTTP_REGISTRY_AUTH : 0u) |
                    (request.retry ? 0u : REGSCAN_HTTP_NO_RETRY);
        const auto timeout = request.timeout.count();
        raw.timeout_ms = timeout < 0 ? 1u : static_cast<uint32_t>(std::min<long long>(timeout, UINT32_MAX));

        regscan_http_response out{};
        out.struct_size = sizeof out;
        api_->http(api_->ctx, &raw, &out);
        HttpResponse response;
        response.status = out.status;
        if (out.error) response.error = out.error;
        if (out.headers) response.headers = parse_header_lines({out.headers, out.headers_size});
        if (out.body) response.body.assign(out.body, out.body_size);
        api_->http_release(api_->ctx, &out);
        return response;
    }

    // GET that must succeed: a non-2xx answer throws an Error naming the URL.
    [[nodiscard]] HttpResponse get_ok(HttpRequest request) const {
        auto response = http(request);
        if (!response.ok())
            throw Error(status_of(response), request.method + " " + request.url + ": " + response.describe(),
                        response.status);
        return response;
    }

    void write(regscan_out* out, std::string_view text) const { api_->out_write(out, text.data(), text.size()); }

    [[nodiscard]] const regscan_host_api* raw() const { return api_; }

    // (1.4) Whether the core bounds a call by HttpRequest::timeout (a 1.3 core
    // does not read it: a call may then take the core's own bounds).
    [[nodiscard]] bool honours_timeout() const { return api_->abi_minor >= 4; }

private:
    const regscan_host_api* api_;
};

}  // namespace regscan::sdk
