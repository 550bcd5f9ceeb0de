// A regscan_host_api for the dockerhub plugin's unit tests: every HTTP
// request goes to a routing function instead of the network, and logs and
// secrets are recorded so tests can check what the plugin said and hid.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/host.hpp"

namespace dockerhub_test {

using regscan::sdk::Header;
using regscan::sdk::HttpResponse;

struct Call {
    std::string method;
    std::string url;
    std::vector<Header> headers;
    std::string body;
    uint32_t flags = 0;

    [[nodiscard]] std::string header(const std::string& name) const {
        for (const auto& [key, value] : headers)
            if (regscan::sdk::iequals(key, name)) return value;
        return {};
    }
};

inline HttpResponse reply(long status, const nlohmann::json& body, std::vector<Header> headers = {}) {
    HttpResponse response;
    response.status = status;
    response.body = body.is_null() ? std::string{} : body.dump();
    response.headers = std::move(headers);
    response.headers.emplace_back("Content-Type", "application/json");
    return response;
}

class FakeHost {
public:
    std::function<HttpResponse(const Call&)> route = [](const Call&) { return reply(404, {{"message", "not found"}}); };
    std::vector<Call> calls;
    std::vector<std::pair<regscan_log_level, std::string>> logs;
    std::vector<std::string> secrets;

    FakeHost() {
        api_.struct_size = sizeof api_;
        api_.abi_major = REGSCAN_ABI_MAJOR;
        api_.abi_minor = REGSCAN_ABI_MINOR;
        api_.ctx = this;
        api_.log = &FakeHost::log;
        api_.http = &FakeHost::http;
        api_.http_release = &FakeHost::release;
        api_.out_write = nullptr;
        api_.add_secret = &FakeHost::add_secret;
    }
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    [[nodiscard]] regscan::sdk::Host host() const { return regscan::sdk::Host(&api_); }

    [[nodiscard]] std::vector<Call> calls_to(const std::string& url_prefix) const {
        std::vector<Call> found;
        for (const auto& call : calls)
            if (call.url.rfind(url_prefix, 0) == 0) found.push_back(call);
        return found;
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
    struct Held {
        HttpResponse response;
        std::string header_text;
    };

    static void log(void* ctx, regscan_log_level level, const char* message) {
        static_cast<FakeHost*>(ctx)->logs.emplace_back(level, message);
    }
    static regscan_status http(void* ctx, const regscan_http_request* raw, regscan_http_response* out) {
        auto* self = static_cast<FakeHost*>(ctx);
        Call call{raw->method, raw->url, {}, raw->body ? std::string(raw->body, raw->body_size) : std::string{},
                  raw->flags};
        for (size_t i = 0; i < raw->header_count; ++i) {
            auto parsed = regscan::sdk::parse_header_lines(raw->headers[i]);
            call.headers.insert(call.headers.end(), parsed.begin(), parsed.end());
        }
        self->calls.push_back(call);
        auto held = std::make_unique<Held>();
        held->response = self->route(call);
        for (const auto& [name, value] : held->response.headers) held->header_text += name + ": " + value + "\r\n";
        out->status = held->response.status;
        out->headers = held->header_text.c_str();
        out->headers_size = held->header_text.size();
        out->body = held->response.body.data();
        out->body_size = held->response.body.size();
        out->error = held->response.status == 0 ? held->response.error.c_str() : nullptr;
        out->host_data = held.release();
        return out->status ? REGSCAN_OK : REGSCAN_UNREACHABLE;
    }
    static void release(void*, regscan_http_response* response) {
        delete static_cast<Held*>(response->host_data);
        response->host_data = nullptr;
    }
    static void add_secret(void* ctx, const char* value) { static_cast<FakeHost*>(ctx)->secrets.emplace_back(value); }

    regscan_host_api api_{};
};

}  // namespace dockerhub_test
