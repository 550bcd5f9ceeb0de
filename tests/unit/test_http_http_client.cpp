#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "http/http_client.hpp"
#include "serve/http/server.hpp"

using namespace regscan;

namespace {

// A loopback server (serve's own) whose answers the test holds: a request
// waits until released, and the test learns when one has arrived.
struct HeldServer {
    std::mutex mutex;
    std::condition_variable changed;
    int arrived = 0;
    bool released = false;
    int status = 200;
    std::string retry_after;
    std::function<void()> on_arrival;  // called before the request waits
    serve::httpd::Server server{[] {
                                    serve::httpd::ServerOptions o;
                                    o.port = 0;
                                    return o;
                                }(),
                                [this](const serve::httpd::Request&) {
                                    std::unique_lock lock(mutex);
                                    ++arrived;
                                    if (on_arrival) on_arrival();
                                    changed.notify_all();
                                    // Bounded, so that a failing test ends.
                                    changed.wait_for(lock, std::chrono::seconds(60), [&] { return released; });
                                    serve::httpd::Response response;
                                    response.status = status;
                                    if (!retry_after.empty()) response.set("Retry-After", retry_after);
                                    response.body = "answered";
                                    return response;
                                }};
    HeldServer() { server.start(); }
    ~HeldServer() {
        release();
        server.stop();
    }
    void release() {
        std::lock_guard lock(mutex);
        released = true;
        changed.notify_all();
    }
    void wait_for_arrival() {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return arrived > 0; });
    }
    std::string url() { return "http://127.0.0.1:" + std::to_string(server.port()) + "/v2/"; }
};

}  // namespace

TEST_SUITE_BEGIN("http");

TEST_CASE("http::HttpClient: `stopped` ends a transfer that is waiting for its answer, and retries nothing") {
    HeldServer server;
    std::atomic<bool> stop{false};
    http::ClientOptions options;
    options.stopped = [&stop] { return stop.load(); };
    http::HttpClient client(options);
    http::Request request;
    request.url = server.url();
    auto sent = std::async(std::launch::async, [&] { return client.send(request); });
    server.wait_for_arrival();
    stop = true;
    auto response = sent.get();  // before the server answers: it is still held
    CHECK(response.status == 0);
    CHECK(response.error == http::stopped_error);
    CHECK(response.body.empty());
    CHECK(http::out_of_time(response));
    server.release();
    std::lock_guard lock(server.mutex);
    CHECK(server.arrived == 1);
}

TEST_CASE("http::HttpClient: `stopped` during a retry's wait ends it at once, however long Retry-After asks") {
    HeldServer server;
    server.status = 503;
    server.retry_after = "3600";
    server.released = true;
    std::atomic<bool> stop{false};
    server.on_arrival = [&stop] { stop = true; };  // the run is cancelled as the registry answers
    http::ClientOptions options;
    options.max_retry_delay = std::chrono::seconds(3600);
    options.stopped = [&stop] { return stop.load(); };
    http::HttpClient client(options);
    http::Request request;
    request.url = server.url();
    auto response = client.send(request);
    CHECK(response.status == 0);
    CHECK(response.error == http::stopped_error);
    std::lock_guard lock(server.mutex);
    CHECK(server.arrived == 1);
}

TEST_CASE("http::HttpClient: a request sent once stopped is not sent; one never stopped is answered") {
    HeldServer server;
    server.released = true;
    bool stop = true;
    http::ClientOptions options;
    options.stopped = [&stop] { return stop; };
    http::HttpClient client(options);
    http::Request request;
    request.url = server.url();
    CHECK(client.send(request).error == http::stopped_error);
    stop = false;
    auto answered = client.send(request);
    CHECK(answered.status == 200);
    CHECK(answered.body == "answered");
    std::lock_guard lock(server.mutex);
    CHECK(server.arrived == 1);
}

TEST_CASE("http::HttpClient: a request held past its deadline is out of time; a refused or answered one is not") {
    HeldServer server;
    http::ClientOptions options;
    options.request_timeout = std::chrono::seconds(600);
    http::HttpClient client(options);
    http::Request request;
    request.url = server.url();
    request.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    auto held = client.send(request);
    CHECK(held.status == 0);
    CHECK(held.error.rfind("timed out", 0) == 0);
    CHECK(http::out_of_time(held));

    server.release();
    request.deadline.reset();
    auto answered = client.send(request);
    CHECK(answered.status == 200);
    CHECK_FALSE(http::out_of_time(answered));

    http::Response failed;  // no status, for another reason than time
    failed.error = "Failed to connect to 127.0.0.1 port 9: Connection refused";
    CHECK_FALSE(http::out_of_time(failed));
    failed.error = "response body larger than 262144 bytes";
    CHECK_FALSE(http::out_of_time(failed));
    failed.error = "Operation timed out after 30001 milliseconds with 0 bytes received";  // libcurl's own
    CHECK(http::out_of_time(failed));
}

TEST_SUITE_END();
