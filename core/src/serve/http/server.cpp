#include "serve/http/server.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "serve/http/admission.hpp"
#include "util/text.hpp"
#include "util/json_text.hpp"

namespace regscan::serve::httpd {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// After a refusal that closes the connection (413, 431), the rest of what the
// client sends is read and dropped for a while, so it reads the answer
// instead of a reset.
constexpr size_t max_drained_bytes = 8 * 1024 * 1024;
constexpr std::chrono::seconds drain_time{5};

bool header_safe(const std::string& text) {
    return std::none_of(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

struct Shared {
    ServerOptions options;
    Handler handler;
    Decorator decorate;
    Observer observe;
    RateLimiter limiter;
    ConnectionGate gate;

    Shared(ServerOptions o, Handler h, Decorator d, Observer obs)
        : options(std::move(o)),
          handler(std::move(h)),
          decorate(std::move(d)),
          observe(std::move(obs)),
          limiter(options.requests_per_second, options.request_burst),
          gate(options.max_connections, options.max_connections_per_client) {}
};

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
    Session(Stream stream, std::shared_ptr<Shared> shared, std::string client, bool tls)
        : stream_(std::move(stream)), shared_(std::move(shared)), client_(std::move(client)), tls_(tls) {}

    ~Session() { shared_->gate.release(client_); }

    void run() {
        if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
            beast::get_lowest_layer(stream_).expires_after(shared_->options.request_timeout);
            stream_.async_handshake(ssl::stream_base::server,
                                    [self = this->shared_from_this()](beast::error_code ec) {
                                        if (ec) return self->close();
                                        self->read();
                                    });
        } else {
            read();
        }
    }

private:
    void read() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(shared_->options.max_header_bytes));
        parser_->body_limit(shared_->options.max_body_bytes);
        beast::get_lowest_layer(stream_).expires_after(shared_->options.request_timeout);
        bhttp::async_read(stream_, buffer_, *parser_,
                          [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        started_ = std::chrono::steady_clock::now();
        Request request;
        request.client = client_;
        request.tls = tls_;
        if (ec == bhttp::error::body_limit) {
            fill_head(request);
            return respond(request, error_response(413, "the request body is larger than " +
                                                             std::to_string(shared_->options.max_body_bytes) +
                                                             " bytes"),
                           11, false, true);
        }
        if (ec == bhttp::error::header_limit)
            return respond(request, error_response(431, "the request line and headers are too large"), 11, false,
                           true);
        if (ec) {
            // A closed or timed-out connection ends quietly; a malformed
            // request (bhttp errors) is answered once, then closed.
            if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
                ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message)
                return respond(request, error_response(400, "malformed request"), 11, false, true);
            return close();
        }
        auto& message = parser_->get();
        unsigned version = message.version();
        bool keep_alive = message.keep_alive();
        fill_head(request);
        request.body = std::move(message.body());
        if (!parse_target(request.target, request.path, request.query))
            return respond(request, error_response(400, "malformed request target"), version, false, false);
        if (!shared_->limiter.allow(client_, std::chrono::steady_clock::now())) {
            Response refused = error_response(429, "too many requests; slow down");
            refused.set("Retry-After", std::to_string(shared_->limiter.retry_after_seconds()));
            return respond(request, std::move(refused), version, keep_alive, false);
        }
        Response response;
        try {
            response = shared_->handler(request);
        } catch (const std::exception& e) {
            spdlog::error("serve: {} {}: internal error: {}", request.method, request.path, e.what());
            response = error_response(500, "internal error");
        }
        respond(request, std::move(response), version, keep_alive, false);
    }

    void fill_head(Request& request) {
        if (!parser_) return;
        auto& message = parser_->get();
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        for (const auto& field : message) {
            request.headers.emplace_back(util::ascii_lower(std::string(field.name_string())), std::string(field.value()));
        }
    }

    void respond(const Request& request, Response response, unsigned version, bool keep_alive, bool drain) {
        if (shared_->decorate) {
            try {
                shared_->decorate(request, response);
            } catch (const std::exception& e) {
                spdlog::error("serve: decorating an answer: {}", e.what());
            }
        }
        if (shared_->observe) {
            auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started_);
            shared_->observe(request, response, took);
        }
        bool is_head = request.method == "HEAD";
        answer_.emplace(static_cast<bhttp::status>(response.status), version == 10 ? 10 : 11);
        for (const auto& [name, value] : response.headers)
            if (header_safe(name) && header_safe(value) && !name.empty()) answer_->set(name, value);
        answer_->body() = std::move(response.body);
        answer_->keep_alive(keep_alive);
        answer_->prepare_payload();
        if (is_head) answer_->body().clear();  // Content-Length still tells the size
        close_after_ = !keep_alive;
        drain_ = drain;
        beast::get_lowest_layer(stream_).expires_after(shared_->options.write_timeout);
        bhttp::async_write(stream_, *answer_,
                           [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        answer_.reset();
        if (ec) return close();
        if (!close_after_) return read();
        if (drain_) return drain();
        close();
    }

    void drain() {
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
        beast::get_lowest_layer(stream_).expires_after(drain_time);
        drain_some();
    }

    void drain_some() {
        scratch_.resize(64 * 1024);
        stream_.async_read_some(asio::buffer(scratch_),
                                [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                                    self->drained_ += n;
                                    if (ec || self->drained_ > max_drained_bytes) return self->close();
                                    self->drain_some();
                                });
    }

    void close() {
        beast::error_code ignored;
        auto& socket = beast::get_lowest_layer(stream_).socket();
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
    }

    Stream stream_;
    std::shared_ptr<Shared> shared_;
    std::string client_;
    bool tls_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::optional<bhttp::response<bhttp::string_body>> answer_;
    bool close_after_ = false;
    bool drain_ = false;
    size_t drained_ = 0;
    std::vector<char> scratch_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace

Response error_response(int status, const std::string& message) {
    Response response;
    response.status = status;
    response.set("Content-Type", "application/json");
    response.body = util::json_text(nlohmann::json{{"error", message}});
    return response;
}

struct Server::Impl {
    std::shared_ptr<Shared> shared;
    std::optional<ssl::context> tls;  // outlives io and the sessions it holds
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::vector<std::thread> threads;
    std::atomic<bool> stopped{false};

    void accept() {
        acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
            if (ec) {
                if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
                // Out of descriptors and the like: keep serving the connections we have.
                spdlog::warn("serve: accepting a connection: {}", ec.message());
                return accept();
            }
            serve(std::move(socket));
            accept();
        });
    }

    void serve(tcp::socket socket) {
        beast::error_code ec;
        auto peer = socket.remote_endpoint(ec);
        if (ec) return;
        std::string client = peer.address().to_string();
        if (!shared->gate.acquire(client)) {
            // Too many connections: a plain-text 503 where it can be read, then close.
            if (!tls) {
                static const std::string busy =
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 45\r\n"
                    "Connection: close\r\nRetry-After: 1\r\n\r\n{\"error\": \"too many connections; try again\"}";
                socket.non_blocking(true, ec);
                socket.write_some(asio::buffer(busy), ec);
            }
            socket.shutdown(tcp::socket::shutdown_both, ec);
            socket.close(ec);
            return;
        }
        if (tls) {
            std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
                beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls), shared, client,
                true)
                ->run();
        } else {
            std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), shared, client, false)
                ->run();
        }
    }
};

Server::Server(ServerOptions options, Handler handler, Decorator decorate, Observer observe)
    : impl_(std::make_unique<Impl>()) {
    impl_->shared = std::make_shared<Shared>(std::move(options), std::move(handler), std::move(decorate),
                                             std::move(observe));
    const ServerOptions& o = impl_->shared->options;
    if (o.tls_cert.empty() != o.tls_key.empty())
        throw std::runtime_error("--tls-cert and --tls-key go together");
    if (!o.tls_cert.empty()) {
        impl_->tls.emplace(ssl::context::tls_server);
        auto& context = *impl_->tls;
        context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
        beast::error_code ec;
        context.use_certificate_chain_file(o.tls_cert, ec);
        if (ec) throw std::runtime_error("--tls-cert " + o.tls_cert + ": " + ec.message());
        context.use_private_key_file(o.tls_key, ssl::context::pem, ec);
        if (ec) throw std::runtime_error("--tls-key " + o.tls_key + ": " + ec.message());
    }
    beast::error_code ec;
    auto address = asio::ip::make_address(o.address, ec);
    if (ec) throw std::runtime_error("cannot listen on '" + o.address + "': not an IP address");
    tcp::endpoint endpoint(address, o.port);
    std::string where = (address.is_v6() ? "[" + o.address + "]" : o.address) + ":" + std::to_string(o.port);
    impl_->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl_->acceptor.bind(endpoint, ec);
    if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
}

Server::~Server() { stop(); }

uint16_t Server::port() const {
    beast::error_code ec;
    auto endpoint = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

bool Server::tls() const { return impl_->tls.has_value(); }

void Server::start() {
    impl_->accept();
    size_t count = std::max<size_t>(1, impl_->shared->options.threads);
    for (size_t i = 0; i < count; ++i) impl_->threads.emplace_back([this] { impl_->io.run(); });
}

void Server::stop() {
    if (impl_->stopped.exchange(true)) return;
    asio::post(impl_->io, [this] {
        beast::error_code ignored;
        impl_->acceptor.close(ignored);
    });
    impl_->io.stop();
    for (auto& thread : impl_->threads)
        if (thread.joinable()) thread.join();
    impl_->threads.clear();
}

}  // namespace regscan::serve::httpd
