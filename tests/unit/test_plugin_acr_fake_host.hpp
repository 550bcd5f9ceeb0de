// A host table for the acr plugin's unit tests: HTTP answered by a test's
// responder function, every request, log line and secret recorded. Thread-safe,
// as the core's host services are.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acr_codec.hpp"
#include "regscan/host.hpp"
#include "regscan/url.hpp"

namespace acr_test {

using regscan::sdk::Header;
using regscan::sdk::HttpResponse;

struct Call {
    std::string method;
    std::string url;
    std::vector<Header> headers;
    std::string body;
    uint32_t flags = 0;

    [[nodiscard]] std::string path() const { return regscan::sdk::parse_url(url).path; }
    [[nodiscard]] std::string route() const { return path().substr(0, path().find('?')); }
    [[nodiscard]] std::string header(const std::string& name) const {
        for (const auto& [key, value] : headers)
            if (regscan::sdk::iequals(key, name)) return value;
        return {};
    }
    // Form fields (or query fields) as name -> values, decoded.
    [[nodiscard]] std::multimap<std::string, std::string> fields(bool from_query = false) const;
};

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

inline std::multimap<std::string, std::string> Call::fields(bool from_query) const {
    std::string text = from_query ? (path().find('?') == std::string::npos ? "" : path().substr(path().find('?') + 1))
                                  : body;
    std::multimap<std::string, std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('&', start);
        std::string pair = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        auto eq = pair.find('=');
        out.emplace(percent_decode(pair.substr(0, eq)), eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1)));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return out;
}

inline std::string field(const std::multimap<std::string, std::string>& fields, const std::string& name) {
    auto it = fields.find(name);
    return it == fields.end() ? std::string{} : it->second;
}

inline HttpResponse json_response(long status, const nlohmann::json& body, std::vector<Header> headers = {}) {
    HttpResponse response;
    response.status = status;
    response.body = body.dump();
    response.headers = std::move(headers);
    response.headers.emplace_back("Content-Type", "application/json");
    return response;
}

// An unsigned JWT with these claims (the plugin only reads them).
inline std::string make_jwt(const nlohmann::json& claims) {
    auto url = [](std::string text) {
        for (auto& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
        while (!text.empty() && text.back() == '=') text.pop_back();
        return text;
    };
    return url(regscan::acr::base64_encode(R"({"alg":"RS256","typ":"JWT"})")) + "." +
           url(regscan::acr::base64_encode(claims.dump())) + ".c2lnbmF0dXJl";
}

class FakeHost {
public:
    using Responder = std::function<HttpResponse(const Call&)>;

    explicit FakeHost(Responder responder) : responder_(std::move(responder)) {
        api_.struct_size = sizeof api_;
        api_.abi_major = REGSCAN_ABI_MAJOR;
        api_.abi_minor = REGSCAN_ABI_MINOR;
        api_.ctx = this;
        api_.log = [](void* ctx, regscan_log_level, const char* message) {
            auto* self = static_cast<FakeHost*>(ctx);
            std::lock_guard lock(self->mutex_);
            self->logs_.emplace_back(message);
        };
        api_.http = [](void* ctx, const regscan_http_request* raw, regscan_http_response* out) {
            auto* self = static_cast<FakeHost*>(ctx);
            Call call{raw->method, raw->url, {}, raw->body ? std::string(raw->body, raw->body_size) : "", raw->flags};
            for (size_t i = 0; i < raw->header_count; ++i) {
                auto parsed = regscan::sdk::parse_header_lines(raw->headers[i]);
                call.headers.insert(call.headers.end(), parsed.begin(), parsed.end());
            }
            HttpResponse response = self->responder_(call);
            {
                std::lock_guard lock(self->mutex_);
                self->calls_.push_back(call);
            }
            auto held = std::make_unique<Held>();
            held->response = std::move(response);
            for (const auto& [name, value] : held->response.headers) held->headers += name + ": " + value + "\r\n";
            out->status = held->response.status;
            out->headers = held->headers.c_str();
            out->headers_size = held->headers.size();
            out->body = held->response.body.data();
            out->body_size = held->response.body.size();
            out->error = held->response.status == 0 ? held->response.error.c_str() : nullptr;
            out->host_data = held.release();
            return out->status ? REGSCAN_OK : REGSCAN_UNREACHABLE;
        };
        api_.http_release = [](void*, regscan_http_response* response) {
            delete static_cast<Held*>(response->host_data);
        };
        api_.out_write = [](regscan_out*, const char*, size_t) {};
        api_.add_secret = [](void* ctx, const char* value) {
            auto* self = static_cast<FakeHost*>(ctx);
            std::lock_guard lock(self->mutex_);
            self->secrets_.emplace_back(value);
        };
    }
    FakeHost(const FakeHost&) = delete;
    FakeHost& operator=(const FakeHost&) = delete;

    [[nodiscard]] regscan::sdk::Host host() const { return regscan::sdk::Host(&api_); }

    std::vector<Call> calls() {
        std::lock_guard lock(mutex_);
        return calls_;
    }
    std::vector<Call> calls_to(const std::string& method, const std::string& route) {
        std::vector<Call> found;
        for (auto& call : calls())
            if (call.method == method && call.route() == route) found.push_back(call);
        return found;
    }
    void clear() {
        std::lock_guard lock(mutex_);
        calls_.clear();
    }
    bool is_secret(const std::string& value) {
        std::lock_guard lock(mutex_);
        return std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end();
    }
    std::vector<std::string> logs() {
        std::lock_guard lock(mutex_);
        return logs_;
    }

private:
    struct Held {
        HttpResponse response;
        std::string headers;
    };

    Responder responder_;
    regscan_host_api api_{};
    std::mutex mutex_;
    std::vector<Call> calls_;
    std::vector<std::string> secrets_;
    std::vector<std::string> logs_;
};

}  // namespace acr_test
