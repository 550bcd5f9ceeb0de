#include "acr_codec.hpp"

#include "regscan/url.hpp"

namespace regscan::acr {

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [name, value] : fields)
        body += (body.empty() ? "" : "&") + sdk::url_encode(name) + "=" + sdk::url_encode(value);
    return body;
}

std::vector<std::string> split_scopes(std::string_view scopes) {
    std::vector<std::string> out;
    while (!scopes.empty()) {
        auto end = scopes.find(' ');
        if (end != 0) out.emplace_back(scopes.substr(0, end));
        if (end == std::string_view::npos) break;
        scopes.remove_prefix(end + 1);
    }
    return out;
}

}  // namespace regscan::acr
