#include "vulndb/osv_download.hpp"

#include <cstdio>
#include <fstream>

namespace regscan::vulndb {
namespace {

// RFC 3986 unreserved characters pass; everything else is %XX.
std::string percent_encode(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", c);
            out += escaped;
        }
    }
    return out;
}

}  // namespace

std::string ecosystem_zip_url(const std::string& source, const std::string& ecosystem) {
    std::string base = source;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/" + percent_encode(ecosystem) + "/all.zip";
}

Download download_to_file(http::HttpClient& client, const std::string& url, const std::filesystem::path& file,
                          uint64_t max_bytes) {
    Download result;
    result.url = url;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) {
        result.error = file.string() + ": cannot be written";
        return result;
    }
    http::Request request;
    request.url = url;
    bool too_large = false;
    request.on_body = [&](const char* data, size_t size) {
        result.bytes += size;
        if (result.bytes > max_bytes) {
            too_large = true;
            return false;
        }
        out.write(data, static_cast<std::streamsize>(size));
        return static_cast<bool>(out);
    };
    http::Response response = client.send(request);
    out.close();
    if (too_large || !response.ok() || !out) {
        result.error = too_large               ? "more than " + std::to_string(max_bytes) + " bytes: not taken"
                       : !out && response.ok() ? file.string() + ": write failed"
                                               : response.describe();
        std::error_code ignored;
        std::filesystem::remove(file, ignored);
        return result;
    }
    result.ok = true;
    return result;
}

}  // namespace regscan::vulndb
