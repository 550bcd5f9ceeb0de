// (1.2) Walking a vendor API's pages, whatever its next-page rule: RFC 8288
// Link headers (distribution, Harbor), a next URL or token in the body (Docker
// Hub `next`, Quay `next_page`, Nexus `continuationToken`), a header
// (`X-Next-Page`), or a flag and a page counter (Quay `has_additional`). The
// request template carries a vendor's headers (an API token, Accept). Every
// walk has the same protections: no page on another origin (it would take the
// request's credentials elsewhere), no URL fetched twice (a registry that links
// a page to itself cannot loop us), and the pages read so far are kept when the
// host cuts the listing at its limits.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "regscan/host.hpp"
#include "regscan/json_fields.hpp"
#include "regscan/url.hpp"

namespace regscan::sdk {

// Error texts of requests the host refused because a listing ran past its
// bounds (pages, bytes, time) start with this.
inline constexpr const char* listing_limit_marker = "listing limit: ";

// (1.3.2) True when the host refused `response` because the listing it belongs
// to ran past its bounds (pages, bytes, time, an answer too large to parse).
// The core reports that listing cut short and keeps what the plugin returns:
// a page loop stops here and returns what it has read, on any page, and
// starts no further listing (another namespace or project) in that call.
inline bool listing_cut(const HttpResponse& response) {
    return response.status == 0 && response.error.rfind(listing_limit_marker, 0) == 0;
}

// Thrown inside a page callback to stop following pages: what was collected
// is kept (e.g. the listing reached the most items the core keeps).
struct StopPages {};

struct Page {
    const std::string& url;
    const HttpResponse& response;
    const nlohmann::json& body;
    size_t index;  // 0 for the first page
};

// The next page's URL (absolute, or relative to the page's), "" when done.
using NextPage = std::function<std::string(const Page&)>;

namespace next_page {

namespace detail {
inline std::string string_field(const nlohmann::json& body, const std::string& field) {
    if (!body.is_object()) return {};
    auto it = body.find(field);
    if (it == body.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (auto number = json_integer_value<long long>(*it)) return std::to_string(*number);
    return {};
}
}  // namespace detail

inline NextPage link() {
    return [](const Page& page) {
        auto header = page.response.header("Link");
        return header ? next_link(*header) : std::string{};
    };
}

inline NextPage body_url(std::string field) {
    return [field = std::move(field)](const Page& page) { return detail::string_field(page.body, field); };
}

inline NextPage body_token(std::string field, std::string param) {
    return [field = std::move(field), param = std::move(param)](const Page& page) {
        auto token = detail::string_field(page.body, field);
        return token.empty() ? std::string{} : with_query(page.url, param, token);
    };
}

inline NextPage header_token(std::string header, std::string param) {
    return [header = std::move(header), param = std::move(param)](const Page& page) {
        auto value = page.response.header(header);
        return !value || trim(*value).empty() ? std::string{} : with_query(page.url, param, std::string(trim(*value)));
    };
}

// body[field] == true: the same URL with `param` one more than on this page
// (`first` when this page's URL has no such parameter).
inline NextPage while_true(std::string field, std::string param, long first = 1) {
    return [field = std::move(field), param = std::move(param), first](const Page& page) {
        if (!page.body.is_object()) return std::string{};
        auto flag = page.body.find(field);
        if (flag == page.body.end() || !flag->is_boolean() || !flag->get<bool>()) return std::string{};
        long current = first;
        const std::string& url = page.url;
        for (size_t pos = url.find('?'); pos != std::string::npos; pos = url.find('&', pos + 1)) {
            if (url.compare(pos + 1, param.size() + 1, param + "=") != 0) continue;
            auto start = pos + 2 + param.size();
            auto end = url.find('&', start);
            auto digits = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
            if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
                return std::string{};
            current = std::stol(digits);
        }
        return with_query(url, param, std::to_string(current + 1));
    };
}

}  // namespace next_page

// Every page from `first` on, each handed to `page`. (1.3.2) Returns false
// when the host cut the listing at its bounds (listing_cut): the pages read
// so far were handed over, and the caller should start no further listing.
inline bool for_each_page(const Host& host, HttpRequest first, const NextPage& next,
                          const std::function<void(const Page&)>& page) {
    const std::string first_url = first.url;
    const std::string origin = parse_url(first_url).origin();
    std::set<std::string> seen;
    HttpRequest request = std::move(first);
    try {
        for (size_t index = 0; !request.url.empty() && seen.insert(request.url).second; ++index) {
            if (parse_url(request.url).origin() != origin)
                throw Error(REGSCAN_ERROR,
                            "GET " + first_url + ": pagination link to another origin refused: " + request.url);
            auto response = host.http(request);
            if (!response.ok()) {
                if (listing_cut(response)) return false;
                throw Error(status_of(response), request.method + " " + request.url + ": " + response.describe(),
                            response.status);
            }
            nlohmann::json body;
            try {
                body = nlohmann::json::parse(response.body);
            } catch (const nlohmann::json::exception& e) {
                throw Error(REGSCAN_ERROR, request.method + " " + request.url + ": response is not JSON (" +
                                               std::string(e.what()) + ")");
            }
            const std::string url = request.url;
            Page current{url, response, body, index};
            page(current);
            auto target = next(current);
            request.url = target.empty() ? std::string{} : resolve_url(url, target);
        }
    } catch (const StopPages&) {
    }
    return true;
}

}  // namespace regscan::sdk
