#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "serve/http/server.hpp"

using namespace regscan::serve::httpd;

namespace {

// One client connection with a receive timeout: reads never hang a test.
class Client {
public:
    explicit Client(uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval tv{10, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    ~Client() { ::close(fd_); }
    [[nodiscard]] bool connected() const { return connected_; }

    bool send(const std::string& data) {
        size_t sent = 0;
        while (sent < data.size()) {
            ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<size_t>(n);
        }
        return true;
    }

    // One whole response (headers, then Content-Length bytes), or what came before EOF.
    std::string response() {
        while (true) {
            auto end = buffer_.find("\r\n\r\n");
            if (end != std::string::npos) {
                size_t length = 0;
                auto at = buffer_.find("Content-Length: ");
                if (at != std::string::npos && at < end) length = std::stoul(buffer_.substr(at + 16));
                if (buffer_.size() >= end + 4 + length) {
                    std::string one = buffer_.substr(0, end + 4 + length);
                    buffer_.erase(0, end + 4 + length);
                    return one;
                }
            }
            char chunk[65536];
            ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0) {
                std::string rest = std::move(buffer_);
                buffer_.clear();
                return rest;
            }
            buffer_.append(chunk, static_cast<size_t>(n));
        }
    }

    // True when the server closed the connection (EOF) before the timeout.
    bool closed_by_server() {
        char chunk[4096];
        while (true) {
            ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n == 0) return true;
            if (n < 0) return false;
        }
    }

private:
    int fd_ = -1;
    bool connected_ = false;
    std::string buffer_;
};

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

struct Running {
    std::atomic<int> handled{0};
    Server server;
    explicit Running(ServerOptions options)
        : server(
              [&] {
                  options.address = "127.0.0.1";
                  options.port = 0;
                  return options;
              }(),
              [this](const Request& request) {
                  ++handled;
                  Response response;
                  response.set("Content-Type", "text/plain");
                  response.body = request.method + " " + request.path + " " + std::to_string(request.body.size());
                  return response;
              },
              [](const Request&, Response& response) { response.set("X-Content-Type-Options", "nosniff"); }) {
        server.start();
    }
};

}  // namespace

TEST_SUITE_BEGIN("serve_http");

TEST_CASE("serve::httpd::Server answers several requests on one keep-alive connection") {
    Running running(ServerOptions{});
    REQUIRE(running.server.port() != 0);
    Client client(running.server.port());
    REQUIRE(client.connected());
    REQUIRE(client.send("GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"));
    auto first = client.response();
    CHECK(status_line(first) == "HTTP/1.1 200 OK");
    CHECK(first.find("\r\n\r\nGET /a 0") != std::string::npos);
    CHECK(first.find("X-Content-Type-Options: nosniff") != std::string::npos);
    auto second = client.response();
    CHECK(status_line(second) == "HTTP/1.1 200 OK");
    CHECK(second.find("POST /b 3") != std::string::npos);
    CHECK(running.handled == 2);
}

TEST_CASE("serve::httpd::Server refuses a body over the limit with 413, headers over it with 431") {
    ServerOptions options;
    options.max_body_bytes = 1000;
    options.max_header_bytes = 2048;
    Running running(options);
    {
        Client client(running.server.port());
        std::string body(5000, 'x');
        REQUIRE(client.send("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n" + body));
        auto answer = client.response();
        CHECK(status_line(answer) == "HTTP/1.1 413 Payload Too Large");
        CHECK(answer.find("X-Content-Type-Options: nosniff") != std::string::npos);  // decorated too
        CHECK(client.closed_by_server());
    }
    {
        Client client(running.server.port());
        REQUIRE(client.send("GET /x HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n"));
        CHECK(status_line(client.response()) == "HTTP/1.1 431 Request Header Fields Too Large");
    }
    {
        Client client(running.server.port());  // chunked bodies are counted as well
        REQUIRE(client.send("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n" +
                            std::string(2000, 'y') + "\r\n0\r\n\r\n"));
        CHECK(status_line(client.response()) == "HTTP/1.1 413 Payload Too Large");
    }
    CHECK(running.handled == 0);
}

TEST_CASE("serve::httpd::Server: malformed requests are 400, nothing reaches the handler") {
    Running running(ServerOptions{});
    Client client(running.server.port());
    REQUIRE(client.send("GET /x%zz HTTP/1.1\r\nHost: h\r\n\r\n"));
    CHECK(status_line(client.response()) == "HTTP/1.1 400 Bad Request");
    Client other(running.server.port());
    REQUIRE(other.send("GET /x HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n"));
    CHECK(status_line(other.response()) == "HTTP/1.1 400 Bad Request");
    CHECK(running.handled == 0);
}

TEST_CASE("serve::httpd::Server: past the per-client rate 429 with Retry-After") {
    ServerOptions options;
    options.requests_per_second = 0.01;  // nothing refills during the test
    options.request_burst = 3;
    Running running(options);
    Client client(running.server.port());
    for (int i = 0; i < 3; ++i) {
        REQUIRE(client.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
        CHECK(status_line(client.response()) == "HTTP/1.1 200 OK");
    }
    REQUIRE(client.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"));
    auto refused = client.response();
    CHECK(status_line(refused) == "HTTP/1.1 429 Too Many Requests");
    CHECK(refused.find("Retry-After: ") != std::string::npos);
    CHECK(running.handled == 3);
}

TEST_CASE("serve::httpd::Server: connections past the bound are refused with 503") {
    ServerOptions options;
    options.max_connections = 2;
    Running running(options);
    Client a(running.server.port()), b(running.server.port());
    // Both are served (so both are counted) before the third arrives.
    REQUIRE(a.send("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"));
    CHECK(status_line(a.response()) == "HTTP/1.1 200 OK");
    REQUIRE(b.send("GET /b HTTP/1.1\r\nHost: h\r\n\r\n"));
    CHECK(status_line(b.response()) == "HTTP/1.1 200 OK");
    Client c(running.server.port());
    CHECK(status_line(c.response()) == "HTTP/1.1 503 Service Unavailable");
}

TEST_CASE("serve::httpd::Server: a request not finished within the timeout is dropped") {
    ServerOptions options;
    options.request_timeout = std::chrono::seconds(1);
    Running running(options);
    Client client(running.server.port());
    REQUIRE(client.send("GET /slow HTTP/1.1\r\nHost: h\r\n"));  // never ends its headers
    CHECK(client.closed_by_server());
    CHECK(running.handled == 0);
}

TEST_CASE("serve::httpd::Server names the address it cannot listen on") {
    Running running(ServerOptions{});
    ServerOptions same;
    same.port = running.server.port();
    CHECK_THROWS_WITH_AS(Server(same, [](const Request&) { return Response{}; }),
                         doctest::Contains(("127.0.0.1:" + std::to_string(same.port)).c_str()), std::runtime_error);
    ServerOptions bad;
    bad.address = "not-an-ip";
    CHECK_THROWS_AS(Server(bad, [](const Request&) { return Response{}; }), std::runtime_error);
}

TEST_SUITE_END();
