// A regscan_host_api for plugin unit tests: every HTTP request goes to a
// routing function instead of the network, and requests, log lines and
// secrets are recorded (safely from several threads, as the core's host
// services are) so a test checks what a plugin asked, said and hid.
// Self-contained: only SDK headers, nlohmann/json and the standard library,
// so an out-of-tree plugin's tests use it as the in-tree plugins' do
// (`#include "regscan/testing/fake_host.hpp"`, sdk/README.md).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/host.hpp"
#include "regscan/testing/response_export.hpp"
#include "regscan/url.hpp"

namespace fake_host {

using regscan::sdk::Header;
using regscan::sdk::HttpResponse;

inline std::string percent_decode(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i] == '+' ? ' ' : text[i];
        }
    }
    return out;
}

// A JSON answer as vendor APIs send it: `body` serialized ("" for null),
// the given headers and Content-Type: application/json.
inline HttpResponse json_reply(long status, const nlohmann::json& body, std::vector<Header> headers = {}) {
    HttpResponse response;
    response.status = status;
    response.body = body.is_null() ? std::string{} : body.dump();
    response.headers = std::move(headers);
    response.headers.emplace_back("Content-Type", "application/json");
    return response;
}

struct Call {
    std::string method;
    std::string url;
    std::vector<Header> headers;
    std::string body;
    uint32_t flags = 0;
    std::chrono::milliseconds timeout{0};  // (1.4) the request's timeout_ms

    [[nodiscard]] std::string path() const { return regscan::sdk::parse_url(url).path; }
    [[nodiscard]] std::string route() const { return path().substr(0, path().find('?')); }
    [[nodiscard]] std::string header(const std::string& name) const {
        for (const auto& [key, value] : headers)
            if (regscan::sdk::iequals(key, name)) return value;
        return {};
    }
    [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(body); }
    // Form fields of the body (or of the query) as name -> values, decoded.
    [[nodiscard]] std::multimap<std::string, std::string> fields(bool from_query = false) const {
        auto query_at = path().find('?');
        std::string text = from_query ? (query_at == std::string::npos ? "" : path().substr(query_at + 1)) : body;
        std::multimap<std::string, std::string> out;
        size_t start = 0;
        while (start < text.size()) {
            size_t end = text.find('&', start);
            std::string pair = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
            auto eq = pair.find('=');
            out.emplace(percent_decode(pair.substr(0, eq)),
                        eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1)));
            if (end == std::string::npos) break;
            start = end + 1;
        }
        return out;
    }
};

inline std::string field(const std::multimap<std::string, std::string>& fields, const std::string& name) {
    auto it = fields.find(name);
    return it == fields.end() ? std::string{} : it->second;
}

class FakeHost {
public:
    using Router = std::function<HttpResponse(const Call&)>;

    // Read these once the plugin's threads are done.
    Router route = [](const Call&) {
        HttpResponse response;
        response.status = 404;
        response.body = "no route";
        return response;
    };
    std::vector<Call> calls;
    std::vector<std::pair<regscan_log_level, std::string>> logs;
    std::vector<std::string> secrets;
    std::vector<std::string> notes;  // host.discovery_note (SDK 1.2)

    FakeHost()
        : api_{.struct_size = sizeof(regscan_host_api),
               .abi_major = REGSCAN_ABI_MAJOR,
               .abi_minor = REGSCAN_ABI_MINOR,
               .ctx = this,
               .log = &FakeHost::log,
               .http = &FakeHost::http,
               .http_release = &FakeHost::release,
               .out_write = [](regscan_out*, const char*, size_t) {},
               .add_secret = &FakeHost::add_secret,
               .note = &FakeHost::note} {}
    explicit FakeHost(Router router) : FakeHost() { route = std::move(router); }
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    [[nodiscard]] regscan::sdk::Host host() const { return regscan::sdk::Host(&api_); }

    [[nodiscard]] std::vector<Call> calls_to(const std::string& method, const std::string& route_path) const {
        std::vector<Call> found;
        for (const auto& call : calls)
            if (call.method == method && call.route() == route_path) found.push_back(call);
        return found;
    }
    [[nodiscard]] std::vector<Call> calls_to(const std::string& url_prefix) const {
        std::vector<Call> found;
        for (const auto& call : calls)
            if (call.url.rfind(url_prefix, 0) == 0) found.push_back(call);
        return found;
    }
    void clear() { calls.clear(); }

    [[nodiscard]] bool is_secret(const std::string& value) const {
        return std::find(secrets.begin(), secrets.end(), value) != secrets.end();
    }
    [[nodiscard]] bool logged(const std::string& fragment) const {
        return std::any_of(logs.begin(), logs.end(),
                           [&](const auto& entry) { return entry.second.find(fragment) != std::string::npos; });
    }
    [[nodiscard]] std::vector<std::string> logged(regscan_log_level level) const {
        std::vector<std::string> found;
        for (const auto& [l, text] : logs)
            if (l == level) found.push_back(text);
        return found;
    }
    [[nodiscard]] std::string all_logs() const {
        std::string text;
        for (const auto& entry : logs) text += entry.second + "\n";
        return text;
    }

private:
    static void log(void* ctx, regscan_log_level level, const char* message) {
        auto* self = static_cast<FakeHost*>(ctx);
        std::lock_guard lock(self->mutex_);
        self->logs.emplace_back(level, message);
    }
    static regscan_status http(void* ctx, const regscan_http_request* raw, regscan_http_response* out) {
        auto* self = static_cast<FakeHost*>(ctx);
        Call call{raw->method, raw->url, {}, raw->body ? std::string(raw->body, raw->body_size) : std::string{},
                  raw->flags};
        if (raw->struct_size >= offsetof(regscan_http_request, timeout_ms) + sizeof raw->timeout_ms)
            call.timeout = std::chrono::milliseconds(raw->timeout_ms);
        for (size_t i = 0; i < raw->header_count; ++i) {
            auto parsed = regscan::sdk::parse_header_lines(raw->headers[i]);
            call.headers.insert(call.headers.end(), parsed.begin(), parsed.end());
        }
        {
            std::lock_guard lock(self->mutex_);
            self->calls.push_back(call);
        }
        auto held = std::make_unique<regscan::sdk::testing::HeldResponse<HttpResponse>>();
        held->response = self->route(call);
        if (held->response.status == 0 && held->response.error.empty()) held->response.error = "connection refused";
        return regscan::sdk::testing::export_response(std::move(held), out);
    }
    static void release(void*, regscan_http_response* response) {
        regscan::sdk::testing::release_response<HttpResponse>(response);
    }
    static void note(void* ctx, const char* message) {
        auto* self = static_cast<FakeHost*>(ctx);
        std::lock_guard lock(self->mutex_);
        self->notes.emplace_back(message);
    }
    static void add_secret(void* ctx, const char* value) {
        auto* self = static_cast<FakeHost*>(ctx);
        std::lock_guard lock(self->mutex_);
        self->secrets.emplace_back(value);
    }

    std::mutex mutex_;
    regscan_host_api api_;
};

}  // namespace fake_host
