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

struct Response : sdk::HttpResponse {
    // Where the answer finally came from, after redirects: a challenge from
    // anywhere but the request's own origin is not answered.
    std::string final_url;
};

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
    // The most body bytes (decoded) kept in Response::body for a successful
    // answer; 0: ClientOptions::max_body_size. More fails the request.
    size_t max_body = 0;
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
    // Bounds on what is buffered (limits::Limits): a successful body larger
    // than max_body_size fails; an error body is cut at max_error_body.
    size_t max_body_size = 16 * 1024 * 1024;
    size_t max_error_body = 64 * 1024;
    // A run's cancellation (serve's Cancel, the server stopping), polled while
    // every transfer goes, even one that receives nothing: once true, each
    // request fails with stopped_error and nothing is retried or waited for.
    std::function<bool()> stopped;
};

// Response::error of a request that `stopped` ended.
inline constexpr const char* stopped_error = "stopped: the run was cancelled";

// Whether a request got no answer at all: no connection, a TLS failure, a
// timeout or its deadline, the run's cancellation. Not an answer the client
// would not take (larger than max_body, a redirect that would downgrade), nor
// a URL it would not send to ("refused: ": curl reads it otherwise).
bool unanswered(const Response& response);

class HttpClient {
public:
    explicit HttpClient(ClientOptions options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends the request, following redirects (Authorization is dropped when
    // a redirect leaves the original host, as presigned blob URLs require;
    // https -> http is refused) and retrying 429/5xx and transport failures
    // with backoff, never past the request's deadline, never once stopped.
    Response send(const Request& request);

    [[nodiscard]] const ClientOptions& options() const { return options_; }

private:
    Response send_once(const Request& request);
    // Sleeps `delay`; false, at once, when the run was stopped meanwhile.
    bool wait_unless_stopped(std::chrono::milliseconds delay) const;
    void* acquire_handle();
    void release_handle(void* handle);

    ClientOptions options_;
    std::mutex pool_mutex_;
    std::vector<void*> idle_handles_;  // reused so connections stay open
};

}  // namespace regscan::http
