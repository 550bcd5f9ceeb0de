// What the harbor plugin's unit tests add to the SDK's fake host: Harbor's
// JSON replies, its paged listings (X-Total-Count, Link) and error bodies.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regscan/testing/fake_host.hpp"

namespace harbor_test {

using fake_host::Call;
using regscan::sdk::Header;
using regscan::sdk::HttpResponse;

using fake_host::json_reply;

inline HttpResponse harbor_error(long status, const std::string& code, const std::string& message) {
    return json_reply(status, {{"errors", {{{"code", code}, {"message", message}}}}});
}

// Page `page` (from 1) of `items` in pages of `size`, as Harbor answers a
// listing at `route`: X-Total-Count, and Link rel="prev"/"next" (relative).
inline HttpResponse page_of(const nlohmann::json& items, const std::string& route, int page, int size,
                            bool with_link = true) {
    nlohmann::json chunk = nlohmann::json::array();
    for (int i = (page - 1) * size; i < page * size && i < static_cast<int>(items.size()); ++i)
        chunk.push_back(items[static_cast<size_t>(i)]);
    std::vector<Header> headers{{"X-Total-Count", std::to_string(items.size())}};
    std::string link;
    auto target = [&](int n) {
        return "<" + route + "?page=" + std::to_string(n) + "&page_size=" + std::to_string(size) + ">";
    };
    if (page > 1) link += target(page - 1) + "; rel=\"prev\"";
    if (page * size < static_cast<int>(items.size())) link += (link.empty() ? "" : " , ") + target(page + 1) + "; rel=\"next\"";
    if (with_link && !link.empty()) headers.emplace_back("Link", link);
    return json_reply(200, chunk, std::move(headers));
}

// The value of query parameter `name` in a call's URL ("" when absent).
inline std::string query_value(const Call& call, const std::string& name) {
    return fake_host::field(call.fields(true), name);
}

inline int page_number(const Call& call) {
    auto value = query_value(call, "page");
    return value.empty() ? 1 : std::stoi(value);
}

inline nlohmann::json artifact(const std::string& digest, const std::vector<std::string>& tags,
                               const std::string& push_time = "2024-01-01T00:00:00.000Z") {
    nlohmann::json entry = {{"digest", digest},
                            {"media_type", "application/vnd.oci.image.config.v1+json"},
                            {"manifest_media_type", "application/vnd.oci.image.manifest.v1+json"},
                            {"push_time", push_time},
                            {"extra_attrs", {{"created", "2023-01-01T00:00:00Z"}, {"os", "linux"}, {"architecture", "amd64"}}},
                            {"references", nullptr},
                            {"tags", nullptr}};
    if (!tags.empty()) {
        entry["tags"] = nlohmann::json::array();
        for (const auto& tag : tags) entry["tags"].push_back({{"name", tag}, {"push_time", push_time}});
    }
    return entry;
}

inline std::string digest(char c) { return "sha256:" + std::string(64, c); }

}  // namespace harbor_test

namespace harbor_test {

// Unrouted requests get Harbor's 404 shape.
class FakeHost : public fake_host::FakeHost {
public:
    FakeHost() {
        route = [](const Call& call) { return harbor_error(404, "NOT_FOUND", "path " + call.route() + " was not found"); };
    }
};

}  // namespace harbor_test
