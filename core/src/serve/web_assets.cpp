#include "serve/web_assets.hpp"

#include <utility>

namespace regscan::serve {

std::string_view content_type_for(std::string_view path) {
    static const std::pair<std::string_view, std::string_view> types[] = {
        {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},          {".svg", "image/svg+xml"},
        {".png", "image/png"},                  {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},  {".woff2", "font/woff2"},
    };
    for (const auto& [extension, type] : types)
        if (path.size() > extension.size() && path.substr(path.size() - extension.size()) == extension) return type;
    return "application/octet-stream";
}

const std::vector<WebAsset>& web_assets() {
    static const std::vector<WebAsset> assets = [] {
        std::vector<WebAsset> all;
        for (size_t i = 0; i < embedded::file_count; ++i) {
            const auto& file = embedded::files[i];
            all.push_back({file.path, content_type_for(file.path),
                           std::string_view(reinterpret_cast<const char*>(file.data), file.size)});
        }
        return all;
    }();
    return assets;
}

const WebAsset* find_web_asset(std::string_view path) {
    if (path == "/") path = "/index.html";
    for (const auto& asset : web_assets())
        if (asset.path == path) return &asset;
    return nullptr;
}

}  // namespace regscan::serve
