// The HTTP/1.1 server of `regscan serve`, on Boost.Beast and Asio (the Boost
// regscan already uses; see docs/serve.md for why not cpp-httplib or
// civetweb). Every bound is here: header and body sizes, the time to read a
// request, open connections (all and per client), a request rate per client;
// TLS when given a certificate. What a request means is the handler's job.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "serve/http/message.hpp"

namespace regscan::serve::httpd {

struct ServerOptions {
    std::string address = "127.0.0.1";  // an IP address (v4 or v6)
    uint16_t port = 8686;               // 0: any free port (port() tells which)
    std::string tls_cert;               // PEM chain; with tls_key: HTTPS only
    std::string tls_key;
    size_t max_header_bytes = 16 * 1024;  // request line and headers: past it 431
    size_t max_body_bytes = 1024 * 1024;  // past it 413
    std::chrono::seconds request_timeout{30};  // to read one whole request (keep-alive idle included)
    std::chrono::seconds write_timeout{300};   // to send one answer (a large report download)
    size_t max_connections = 128;
    size_t max_connections_per_client = 32;
    double requests_per_second = 50;  // per client address, refilling a bucket of
    double request_burst = 200;       // this many; an empty bucket is 429
    size_t threads = 4;
};

using Handler = std::function<Response(const Request&)>;
// Applied to every answer, the server's own refusals (400, 413, 429, 431...)
// included: the security headers.
using Decorator = std::function<void(const Request&, Response&)>;
// Told of every answer sent (metrics, access log): status and time taken.
using Observer = std::function<void(const Request&, const Response&, std::chrono::microseconds)>;

// {"error": message} with that status, application/json.
Response error_response(int status, const std::string& message);

class Server {
public:
    // Binds and listens (throws std::runtime_error naming the address and the
    // reason, e.g. "Address already in use"); loads the TLS key pair if given.
    Server(ServerOptions options, Handler handler, Decorator decorate = {}, Observer observe = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    [[nodiscard]] uint16_t port() const;
    [[nodiscard]] bool tls() const;
    // Serves on `options.threads` threads until stop().
    void start();
    // Stops accepting, drops open connections, joins the threads. Idempotent.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace regscan::serve::httpd
