#include "serve/api_routes.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "serve/http/server.hpp"
#include "serve/web_assets.hpp"
#include "util/text.hpp"
#include "util/json_text.hpp"

namespace regscan::serve {
namespace {

using httpd::error_response;
using httpd::Request;
using httpd::Response;
using nlohmann::json;

constexpr size_t max_report_bytes = 512 * 1024 * 1024;

// Registry text may be any bytes: invalid UTF-8 becomes U+FFFD, never an exception.
std::string render(const json& value) { return util::json_text(value); }

// Answers never carry a password, whatever the service hands back.
void scrub(json& value) {
    if (value.is_object()) {
        value.erase("password");
        for (auto& [key, item] : value.items()) scrub(item);
    } else if (value.is_array()) {
        for (auto& item : value) scrub(item);
    }
}

Response json_response(int status, json value) {
    scrub(value);
    Response response;
    response.status = status;
    response.set("Content-Type", "application/json");
    response.body = render(value);
    return response;
}

Response no_content(int status = 204) {
    Response response;
    response.status = status;
    return response;
}

Response method_not_allowed(const std::string& allow) {
    Response response = error_response(405, "method not allowed; allowed: " + allow);
    response.set("Allow", allow);
    return response;
}

bool json_content_type(const Request& request) {
    std::string type = util::ascii_lower(request.header("content-type"));
    return type.rfind("application/json", 0) == 0;
}

// The body as a JSON object; throws ServiceError(bad_request). An empty body
// is {} when `empty_ok`. A body must say it is JSON: an HTML form cannot.
json body_object(const Request& request, bool empty_ok) {
    if (request.body.empty()) {
        if (empty_ok) return json::object();
        throw ServiceError(ServiceError::Kind::bad_request, "a JSON object body is required");
    }
    if (!json_content_type(request))
        throw ServiceError(ServiceError::Kind::bad_request, "the body must be sent as Content-Type: application/json");
    json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        throw ServiceError(ServiceError::Kind::bad_request, "the body is not a JSON object");
    return body;
}

bool parse_count(const std::string& text, size_t& out) {
    if (text.empty() || text.size() > 12) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

size_t count_param(const Request& request, const std::string& name, size_t fallback, size_t low, size_t high) {
    std::string text = request.param(name);
    if (text.empty()) return fallback;
    size_t value = 0;
    if (!parse_count(text, value) || value < low || value > high)
        throw ServiceError(ServiceError::Kind::bad_request, name + " must be a whole number from " +
                                                                std::to_string(low) + " to " + std::to_string(high));
    return value;
}

// An id in a path; nullopt when not a positive whole number (404).
std::optional<int64_t> path_id(const std::string& text) {
    int64_t value = 0;
    if (text.empty() || text.size() > 18) return std::nullopt;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
    return value;
}

std::string content_type_of_report(const std::string& format) {
    if (format == "json") return "application/json";
    if (format == "sarif") return "application/sarif+json";
    if (format == "cyclonedx") return "application/vnd.cyclonedx+json";
    if (format == "csv") return "text/csv; charset=utf-8";
    if (format == "table") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

// The file name a download is saved as: only characters that need no quoting.
std::string safe_file_name(const std::string& name) {
    std::string out;
    for (char c : name) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ? c : '_');
    return out.empty() ? "report" : out;
}

// A client's text for a log line: cut short; the log sink escapes it.
std::string cut_for_log(std::string_view text) { return std::string(text.substr(0, 300)); }

}  // namespace

std::vector<std::string> api_segments(std::string_view target) {
    std::vector<std::string> segments;
    target = target.substr(0, target.find('?'));
    constexpr std::string_view prefix = "/api/v1/";
    if (target.substr(0, prefix.size()) != prefix) return segments;
    std::string_view rest = target.substr(prefix.size());
    while (true) {
        auto slash = rest.find('/');
        std::string decoded;
        if (!httpd::percent_decode(rest.substr(0, slash), decoded, false)) return {};
        segments.push_back(std::move(decoded));
        if (slash == std::string_view::npos) break;
        rest = rest.substr(slash + 1);
    }
    return segments;
}

std::string report_format(const std::string& name) {
    auto ends = [&](std::string_view suffix) {
        return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends(".cdx.json")) return "cyclonedx";
    if (ends(".sarif") || ends(".sarif.json")) return "sarif";
    if (ends(".json")) return "json";
    if (ends(".csv")) return "csv";
    if (ends(".txt")) return "table";
    return "";
}

ApiRoutes::ApiRoutes(Service& service, Access& access) : service_(service), access_(access) {}

void ApiRoutes::decorate(const Request& request, Response& response) const {
    Access::add_security_headers(request, response);
}

void ApiRoutes::observe(const Request& request, const Response& response, std::chrono::microseconds took) {
    {
        std::lock_guard lock(counters_mutex_);
        ++answers_by_status_[response.status];
    }
    // The path only: a query may hold search text, never a secret, but it is not needed.
    spdlog::debug("serve: {} {} {} {} {}us", cut_for_log(request.client), cut_for_log(request.method),
                  cut_for_log(request.path), response.status, took.count());
}

Response ApiRoutes::handle(const Request& request) {
    try {
        return route(request);
    } catch (const ServiceError& e) {
        int status = e.kind() == ServiceError::Kind::not_found  ? 404
                     : e.kind() == ServiceError::Kind::conflict ? 409
                                                                : 400;
        return error_response(status, e.what());
    } catch (const std::exception& e) {
        spdlog::error("serve: {} {}: internal error: {}", cut_for_log(request.method), cut_for_log(request.path),
                      e.what());
        return error_response(500, "internal error (see the server's log)");
    }
}

Response ApiRoutes::route(const Request& request) {
    const std::string& method = request.method;
    const bool read = method == "GET" || method == "HEAD";
    if (request.path == "/healthz") {
        if (!read) return method_not_allowed("GET, HEAD");
        Response ok;
        ok.set("Content-Type", "text/plain; charset=utf-8");
        ok.body = "ok";
        return ok;
    }
    if (read) {
        if (const WebAsset* asset = find_web_asset(request.path)) {
            Response file;
            file.set("Content-Type", std::string(asset->content_type));
            file.set("Cache-Control", "no-cache");
            file.body = std::string(asset->body);
            return file;
        }
    }
    if (request.path == "/api/v1/session" && method == "POST") return login(request);

    Authentication auth = access_.authenticate(request);
    if (!auth.ok) {
        Response refused = error_response(401, "an access token is needed: Authorization: Bearer <token>, or log in");
        refused.set("WWW-Authenticate", "Bearer realm=\"regscan\"");
        return refused;
    }
    if (auto refusal = access_.cross_site_refusal(request, auth)) return error_response(403, *refusal);

    if (request.path == "/api/v1/session") {
        if (method != "DELETE") return method_not_allowed("POST, DELETE");
        Response out = no_content();
        out.set("Set-Cookie", access_.close_session(request));
        return out;
    }
    if (request.path == "/metrics") {
        if (!read) return method_not_allowed("GET, HEAD");
        return metrics();
    }
    auto segments = api_segments(request.target);
    if (!segments.empty()) return api(request, segments);
    return error_response(404, "no such route");
}

Response ApiRoutes::login(const Request& request) {
    if (auto refusal = access_.cross_site_refusal(request, Authentication{})) return error_response(403, *refusal);
    json body = body_object(request, false);
    auto token = body.find("token");
    if (token == body.end() || !token->is_string() || !access_.token_matches(token->get<std::string>()))
        return error_response(401, "wrong access token");
    Response out = no_content();
    out.set("Set-Cookie", access_.open_session(request.tls));
    return out;
}

Response ApiRoutes::api(const Request& request, const std::vector<std::string>& segments) {
    const std::string& what = segments[0];
    if (what == "connectors") return connectors(request, segments);
    if (what == "imports") return imports(request, segments);
    if (what == "images") return images(request, segments);
    if (what == "registry-types" && segments.size() == 1) {
        if (request.method != "GET" && request.method != "HEAD") return method_not_allowed("GET, HEAD");
        return json_response(200, service_.registry_types());
    }
    return error_response(404, "no such route");
}

Response ApiRoutes::connectors(const Request& request, const std::vector<std::string>& segments) {
    const std::string& method = request.method;
    const bool read = method == "GET" || method == "HEAD";
    if (segments.size() == 1) {
        if (read) return json_response(200, service_.list_connectors());
        if (method == "POST") return json_response(201, service_.create_connector(body_object(request, false)));
        return method_not_allowed("GET, HEAD, POST");
    }
    const std::string& name = segments[1];
    if (segments.size() == 2) {
        if (read) return json_response(200, service_.get_connector(name));
        if (method == "PUT") return json_response(200, service_.update_connector(name, body_object(request, false)));
        if (method == "DELETE") {
            service_.remove_connector(name);
            return no_content();
        }
        return method_not_allowed("GET, HEAD, PUT, DELETE");
    }
    if (segments.size() == 3 && segments[2] == "imports") {
        if (method != "POST") return method_not_allowed("POST");
        body_object(request, true);  // no fields yet; a body that is sent must be JSON
        // The import already queued or running for this connector is answered
        // with 200; a new one with 202.
        json before = service_.get_connector(name);
        json running = before.value("running", json());
        json started = service_.import_now(name);
        bool existing = running.is_object() && running.contains("id") && started.contains("id") &&
                        running["id"] == started["id"];
        return json_response(existing ? 200 : 202, std::move(started));
    }
    return error_response(404, "no such route");
}

Response ApiRoutes::imports(const Request& request, const std::vector<std::string>& segments) {
    if (segments.size() == 3 && segments[2] == "cancel") {
        auto id = path_id(segments[1]);
        if (!id) return error_response(404, "no such import");
        if (request.method != "POST") return method_not_allowed("POST");
        body_object(request, true);  // no fields; a body that is sent must be JSON
        return json_response(202, service_.cancel_import(*id));
    }
    if (request.method != "GET" && request.method != "HEAD") return method_not_allowed("GET, HEAD");
    if (segments.size() == 1)
        return json_response(200, service_.list_imports(request.param("connector"), count_param(request, "limit", 50, 1, 500)));
    auto id = path_id(segments[1]);
    if (!id) return error_response(404, "no such import");
    if (segments.size() == 2) return json_response(200, service_.get_import(*id));
    if (segments[2] != "reports" || segments.size() > 4) return error_response(404, "no such route");
    auto files = service_.import_reports(*id);
    if (segments.size() == 3) {
        json list = json::array();
        for (const auto& file : files) list.push_back({{"name", file.name}, {"format", report_format(file.name)}});
        return json_response(200, {{"reports", list}});
    }
    // The name is only looked up among the import's own files, never joined to a path.
    auto found = std::find_if(files.begin(), files.end(), [&](const ReportFile& f) { return f.name == segments[3]; });
    if (found == files.end()) return error_response(404, "no such report");
    std::error_code ec;
    auto size = std::filesystem::file_size(found->path, ec);
    if (ec) return error_response(404, "the report file is gone");
    if (size > max_report_bytes) return error_response(500, "the report is too large to serve; read it from the data dir");
    std::ifstream in(found->path, std::ios::binary);
    if (!in) return error_response(404, "the report file cannot be read");
    std::ostringstream bytes;
    bytes << in.rdbuf();
    Response file;
    file.set("Content-Type", content_type_of_report(report_format(found->name)));
    file.set("Content-Disposition", "attachment; filename=\"" + safe_file_name(found->name) + "\"");
    file.body = bytes.str();
    return file;
}

Response ApiRoutes::images(const Request& request, const std::vector<std::string>& segments) {
    if (request.method != "GET" && request.method != "HEAD") return method_not_allowed("GET, HEAD");
    if (segments.size() == 1) {
        ImageQuery query;
        query.connector = request.param("connector");
        query.repository = request.param("repository");
        query.severity = request.param("severity");
        query.status = request.param("status");
        query.search = request.param("q");
        query.sort = request.param("sort", query.sort);
        query.order = request.param("order", query.order);
        query.limit = count_param(request, "limit", query.limit, 1, 500);
        query.offset = count_param(request, "offset", 0, 0, 1000000000);
        return json_response(200, service_.list_images(query));
    }
    auto id = path_id(segments[1]);
    if (!id || segments.size() > 2) return error_response(404, "no such image");
    return json_response(200, service_.get_image(*id));
}

Response ApiRoutes::metrics() {
    std::string text = service_.metrics_text();
    if (!text.empty() && text.back() != '\n') text.push_back('\n');
    text += "# HELP regscan_http_responses_total HTTP answers sent, by status code.\n"
            "# TYPE regscan_http_responses_total counter\n";
    std::lock_guard lock(counters_mutex_);
    for (const auto& [status, count] : answers_by_status_)
        text += "regscan_http_responses_total{code=\"" + std::to_string(status) + "\"} " + std::to_string(count) + "\n";
    Response out;
    out.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    out.body = std::move(text);
    return out;
}

}  // namespace regscan::serve
