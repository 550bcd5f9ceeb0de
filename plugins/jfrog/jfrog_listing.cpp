#include "jfrog_listing.hpp"

#include "regscan/error.hpp"
#include "regscan/url.hpp"

namespace regscan::jfrog {
namespace {

std::string percent_decode(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        auto hex = [](char c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
            out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
            i += 2;
        } else {
            out += text[i] == '+' ? ' ' : text[i];
        }
    }
    return out;
}

// The strings of body[key] (null or absent: none), stopping past `most`.
void collect(const sdk::Page& page, const char* key, std::vector<std::string>& into, size_t most) {
    if (!page.body.is_object()) throw sdk::Error(REGSCAN_ERROR, "GET " + page.url + ": expected a JSON object");
    auto it = page.body.find(key);
    if (it == page.body.end() || it->is_null()) return;
    if (!it->is_array()) throw sdk::Error(REGSCAN_ERROR, "GET " + page.url + ": \"" + key + "\" is not an array");
    for (const auto& item : *it)
        if (item.is_string() && !item.get<std::string>().empty()) into.push_back(item.get<std::string>());
    if (most && into.size() > most) throw sdk::StopPages{};
}

}  // namespace

std::string query_value(const std::string& url, const std::string& name) {
    auto question = url.find('?');
    if (question == std::string::npos) return {};
    std::string query = url.substr(question + 1, url.find('#', question) - question - 1);
    size_t start = 0;
    while (start < query.size()) {
        size_t end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        std::string pair = query.substr(start, end - start);
        auto eq = pair.find('=');
        if (percent_decode(pair.substr(0, eq)) == name)
            return eq == std::string::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
        start = end + 1;
    }
    return {};
}

sdk::NextPage artifactory_next_page() {
    return [](const sdk::Page& page) -> std::string {
        auto link = page.response.header("Link");
        if (!link) return {};
        auto last = query_value(sdk::next_link(*link), "last");
        if (last.empty()) return {};
        return sdk::with_query(page.url, "last", last);
    };
}

std::string catalog_url(const std::string& api, const std::string& key) {
    return api + "/api/docker/" + sdk::url_encode(key) + "/v2/_catalog?n=" + std::to_string(page_size);
}

std::string tags_url(const std::string& api, const std::string& key, const std::string& image) {
    return api + "/api/docker/" + sdk::url_encode(key) + "/v2/" + sdk::url_encode(image, "/") +
           "/tags/list?n=" + std::to_string(page_size);
}

ImageListing list_images(const ArtifactoryApi& api, const std::string& key, size_t most) {
    ImageListing images;
    images.cut = !api.each_page(catalog_url(api.base(), key), artifactory_next_page(),
                                [&](const sdk::Page& page) { collect(page, "repositories", images.names, most); });
    return images;
}

std::vector<std::string> list_tags(const ArtifactoryApi& api, const std::string& key, const std::string& image,
                                   size_t most) {
    std::vector<std::string> tags;
    // A cut tag listing is the core's to report; it keeps the tags read.
    (void)api.each_page(tags_url(api.base(), key, image), artifactory_next_page(),
                        [&](const sdk::Page& page) { collect(page, "tags", tags, most); });
    return tags;
}

}  // namespace regscan::jfrog
