// Every route of `regscan serve` (docs/serve-api.yaml): the page's files,
// /healthz, /metrics, the session, and /api/v1. Thin: check access, parse,
// call the Service, render JSON; a ServiceError becomes 400/404/409.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "serve/access.hpp"
#include "serve/http/message.hpp"
#include "serve/service.hpp"

namespace regscan::serve {

class ApiRoutes {
public:
    ApiRoutes(Service& service, Access& access);

    httpd::Response handle(const httpd::Request& request);
    // Security headers on every answer (also the server's own refusals).
    void decorate(const httpd::Request& request, httpd::Response& response) const;
    // Counts answers for /metrics and writes the debug access line.
    void observe(const httpd::Request& request, const httpd::Response& response, std::chrono::microseconds took);

private:
    httpd::Response route(const httpd::Request& request);
    httpd::Response api(const httpd::Request& request, const std::vector<std::string>& segments);
    httpd::Response login(const httpd::Request& request);
    httpd::Response connectors(const httpd::Request& request, const std::vector<std::string>& segments);
    httpd::Response imports(const httpd::Request& request, const std::vector<std::string>& segments);
    httpd::Response images(const httpd::Request& request, const std::vector<std::string>& segments);
    httpd::Response metrics();

    Service& service_;
    Access& access_;
    std::mutex counters_mutex_;
    std::map<int, unsigned long long> answers_by_status_;
};

// The path's segments after "/api/v1/", each percent-decoded ("a%2Fb" stays
// one segment); empty when the path is not under /api/v1/ or an escape is broken.
std::vector<std::string> api_segments(std::string_view target);

// Report file name -> format: json, sarif, cyclonedx, csv, table, or "".
std::string report_format(const std::string& name);

}  // namespace regscan::serve
