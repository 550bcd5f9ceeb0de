// Stand-ins for what the ecr plugin takes from outside: a regscan_host_api
// whose HTTP goes to a routing function (every call recorded), and an
// Environment with a fixed variable map, a settable clock and no real sleep.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecr_environment.hpp"
#include "regscan/host.hpp"

namespace ecr_test {

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
    [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(body); }
};

inline HttpResponse reply(long status, const std::string& body, std::vector<Header> headers = {}) {
    HttpResponse response;
    response.status = status;
    response.body = body;
    response.headers = std::move(headers);
    return response;
}

inline HttpResponse json_reply(long status, const nlohmann::json& body) {
    return reply(status, body.dump(), {{"Content-Type", "application/x-amz-json-1.1"}});
}

// The JSON 1.1 error shape: 400 with __type and message.
inline HttpResponse aws_error(const std::string& type, const std::string& message, long status = 400) {
    return json_reply(status, {{"__type", type}, {"message", message}});
}

class FakeHost {
public:
    std::function<HttpResponse(const Call&)> route = [](const Call&) { return reply(404, "no route"); };
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

    // Calls whose X-Amz-Target names this ECR operation.
    [[nodiscard]] std::vector<Call> operations(const std::string& operation) const {
        std::vector<Call> found;
        for (const auto& call : calls)
            if (call.header("X-Amz-Target") == "AmazonEC2ContainerRegistry_V20150921." + operation)
                found.push_back(call);
        return found;
    }

    [[nodiscard]] bool logged(const std::string& fragment) const {
        for (const auto& entry : logs)
            if (entry.second.find(fragment) != std::string::npos) return true;
        return false;
    }

    [[nodiscard]] bool is_secret(const std::string& value) const {
        for (const auto& s : secrets)
            if (s == value) return true;
        return false;
    }

private:
    struct Held {
        HttpResponse response;
        std::string header_text;
    };

    static void log(void* ctx, regscan_log_level level, const char* message) {
        auto* self = static_cast<FakeHost*>(ctx);
        std::lock_guard lock(self->mutex_);
        self->logs.emplace_back(level, message);
    }
    static regscan_status http(void* ctx, const regscan_http_request* raw, regscan_http_response* out) {
        auto* self = static_cast<FakeHost*>(ctx);
        Call call;
        call.method = raw->method;
        call.url = raw->url;
        for (size_t i = 0; i < raw->header_count; ++i) {
            auto parsed = regscan::sdk::parse_header_lines(raw->headers[i]);
            call.headers.insert(call.headers.end(), parsed.begin(), parsed.end());
        }
        if (raw->body) call.body.assign(raw->body, raw->body_size);
        call.flags = raw->flags;
        auto* held = new Held{};
        {
            std::lock_guard lock(self->mutex_);
            self->calls.push_back(call);
        }
        held->response = self->route(call);
        for (const auto& [name, value] : held->response.headers) held->header_text += name + ": " + value + "\r\n";
        out->status = held->response.status;
        out->headers = held->header_text.c_str();
        out->headers_size = held->header_text.size();
        out->body = held->response.body.data();
        out->body_size = held->response.body.size();
        out->error = held->response.status == 0 ? "connection refused" : nullptr;
        out->host_data = held;
        return out->status ? REGSCAN_OK : REGSCAN_UNREACHABLE;
    }
    static void release(void*, regscan_http_response* response) { delete static_cast<Held*>(response->host_data); }
    static void add_secret(void* ctx, const char* value) {
        auto* self = static_cast<FakeHost*>(ctx);
        std::lock_guard lock(self->mutex_);
        self->secrets.emplace_back(value);
    }

    regscan_host_api api_{};
    std::mutex mutex_;
};

// Variables from a map, a clock the test moves, sleeps recorded instead of slept.
struct FakeEnvironment {
    std::map<std::string, std::string> variables;
    regscan::ecr::TimePoint clock = std::chrono::system_clock::from_time_t(1700000000);  // 2023-11-14T22:13:20Z
    std::vector<std::chrono::milliseconds> sleeps;

    [[nodiscard]] regscan::ecr::Environment environment() {
        regscan::ecr::Environment env;
        env.getenv = [this](const std::string& name) -> std::optional<std::string> {
            auto it = variables.find(name);
            return it == variables.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        env.now = [this] { return clock; };
        env.sleep = [this](std::chrono::milliseconds delay) {
            sleeps.push_back(delay);
            clock += delay;
        };
        env.jitter = [] { return 1.0; };
        return env;
    }
};

}  // namespace ecr_test
