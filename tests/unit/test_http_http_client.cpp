#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>

#include "client_options.hpp"
#include "http/http_client.hpp"
#include "loopback_server.hpp"

using namespace regscan;

namespace {

// A loopback server whose answers the test holds until it releases them.
struct HeldServer {
    std::atomic<int> status{200};
    std::string retry_after;
    std::function<void()> on_arrival;  // called before the request waits
    testing::LoopbackServer server{[this](const serve::httpd::Request&, int) {
        if (on_arrival) on_arrival();
        server.hold();
        serve::httpd::Response response;
        response.status = status;
        if (!retry_after.empty()) response.set("Retry-After", retry_after);
        response.body = "answered";
        return response;
    }};
    void release() { server.release(); }
    void wait_for_arrival() { server.wait_for_arrival("/v2/"); }
    int arrived() { return server.count("/v2/"); }
    std::string url() { return server.url("/v2/"); }
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
    CHECK(http::unanswered(response));
    server.release();
    CHECK(server.arrived() == 1);
}

TEST_CASE("http::HttpClient: `stopped` during a retry's wait ends it at once, however long Retry-After asks") {
    HeldServer server;
    server.status = 503;
    server.retry_after = "3600";
    server.release();
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
    CHECK(server.arrived() == 1);
}

TEST_CASE("http::HttpClient: a request sent once stopped is not sent; one never stopped is answered") {
    HeldServer server;
    server.release();
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
    CHECK(server.arrived() == 1);
}

TEST_CASE("http::HttpClient: a request held past its deadline ends there, unanswered") {
    HeldServer server;  // holds for a minute
    http::HttpClient client(testing::patient_options());
    http::Request request;
    request.url = server.url();
    request.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    auto held = client.send(request);
    CHECK(held.status == 0);
    CHECK(held.error == "timed out: the deadline passed");
    CHECK(http::unanswered(held));
    CHECK(std::chrono::steady_clock::now() >= *request.deadline);
}

TEST_CASE("http::HttpClient: a request that outlives --request-timeout is unanswered, not past a deadline") {
    HeldServer server;
    auto options = testing::single_attempt_options();
    options.request_timeout = std::chrono::seconds(1);
    http::HttpClient client(options);
    http::Request request;
    request.url = server.url();
    request.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(600);
    auto held = client.send(request);
    CHECK(held.status == 0);
    CHECK(held.error != "timed out: the deadline passed");
    CHECK(http::unanswered(held));
}

TEST_CASE("http::HttpClient: an answer the client will not take is not unanswered; an answer is not either") {
    HeldServer server;
    server.release();
    http::HttpClient client({});
    http::Request request;
    request.url = server.url();
    request.max_body = 4;  // "answered" is 8 bytes
    auto too_large = client.send(request);
    CHECK(too_large.status == 0);
    CHECK(too_large.error.rfind("response body larger than", 0) == 0);
    CHECK_FALSE(http::unanswered(too_large));
    request.max_body = 0;
    auto answered = client.send(request);
    CHECK(answered.status == 200);
    CHECK_FALSE(http::unanswered(answered));
}

TEST_SUITE_END();
