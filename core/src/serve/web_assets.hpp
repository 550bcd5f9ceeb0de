// The page's files (src/serve/web/*), embedded into the binary at build time
// by cmake/embed_web.cmake: served by path with their content type.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace regscan::serve {

namespace embedded {
struct File {
    const char* path;  // "/index.html"
    const unsigned char* data;
    size_t size;
};
extern const File files[];  // file_count entries, then a null one
extern const size_t file_count;
}  // namespace embedded

struct WebAsset {
    std::string_view path;  // "/app.js"
    std::string_view content_type;
    std::string_view body;
};

// The asset served at `path` ("/" is "/index.html"), or nullptr.
const WebAsset* find_web_asset(std::string_view path);
const std::vector<WebAsset>& web_assets();
// By extension: text/html, text/javascript, text/css, image/svg+xml, ...;
// application/octet-stream when unknown.
std::string_view content_type_for(std::string_view path);

}  // namespace regscan::serve
