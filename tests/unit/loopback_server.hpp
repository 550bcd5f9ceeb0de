// A loopback HTTP server (serve's own) for unit tests: each request is
// answered by the test's route, which learns how many times its path was
// asked and may hold the answer until the server is destroyed (a registry
// or token service that never answers).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "serve/http/server.hpp"

namespace regscan::testing {

class LoopbackServer {
public:
    // `seen`: how many requests for this path arrived, this one included.
    using Route = std::function<serve::httpd::Response(const serve::httpd::Request&, int seen)>;

    explicit LoopbackServer(Route route) : route_(std::move(route)) { server_.start(); }
    ~LoopbackServer() {
        release();
        server_.stop();
    }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    std::string url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(server_.port()) + path; }
    int count(const std::string& path) {
        std::lock_guard lock(mutex_);
        return arrived_[path];
    }
    // Called from a route: returns once release() is called or the server is
    // being destroyed (bounded, so that a failing test ends).
    void hold() {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(60), [&] { return released_; });
    }
    // Lets every held answer go, and any later one through.
    void release() {
        std::lock_guard lock(mutex_);
        released_ = true;
        changed_.notify_all();
    }
    // Returns once a request for `path` has arrived (its route may hold it).
    void wait_for_arrival(const std::string& path) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return arrived_[path] > 0; });
    }

private:
    serve::httpd::Response answer(const serve::httpd::Request& request) {
        int seen = 0;
        {
            std::lock_guard lock(mutex_);
            seen = ++arrived_[request.path];
            changed_.notify_all();
        }
        return route_(request, seen);
    }

    Route route_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, int> arrived_;
    bool released_ = false;
    serve::httpd::Server server_{[] {
                                     serve::httpd::ServerOptions o;
                                     o.port = 0;
                                     return o;
                                 }(),
                                 [this](const serve::httpd::Request& request) { return answer(request); }};
};

}  // namespace regscan::testing
