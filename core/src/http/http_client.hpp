// The one HTTP client of the process, on libcurl. Every request of the core
// and of every plugin goes through it, so TLS, redirects, retries and
// timeouts follow one set of rules.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "regscan/host.hpp"

namespace regscan::http {

using sdk::Header;
using Response = sdk::HttpResponse;

struct Request {
    std::string method = "GET";
    std::string url;
    std::vector<Header> headers;
    std::string body;
    bool retry = true;
    // When set, the body is handed over in pieces instead of kept in
    // Response::body; returning false aborts the transfer.
    std::function<bool(const char*, size_t)> on_body;
    // Abort the transfer past this point, even while no byte arrives.
    std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct ClientOptions {
    bool verify_tls = true;
    std::string ca_cert;  // PEM bundle added to verification; empty: system store
    std::chrono::seconds connect_timeout{30};
    std::chrono::seconds request_timeout{600};  // whole transfer, 0 = none
    int max_retries = 4;
    std::chrono::milliseconds retry_base_delay{500};
    std::chrono::seconds max_retry_delay{120};
    std::string user_agent = "regscan";
    // curl-style "HOST:PORT:ADDRESS" entries: connect to ADDRESS for HOST:PORT
    // while TLS still checks HOST (private DNS, tests on loopback).
    std::vector<std::string> resolve;
};

class HttpClient {
public:
    explicit HttpClient(ClientOptions options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends the request, following redirects (Authorization is dropped when
    // a redirect leaves the original host, as presigned blob URLs require)
    // and retrying 429/5xx and transport failures with backoff.
    Response send(const Request& request);

    [[nodiscard]] const ClientOptions& options() const { return options_; }

private:
    Response send_once(const Request& request);
    void* acquire_handle();
    void release_handle(void* handle);

    ClientOptions options_;
    std::mutex pool_mutex_;
    std::vector<void*> idle_handles_;  // reused so connections stay open
};

}  // namespace regscan::http
