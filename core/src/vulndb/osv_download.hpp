// Fetches the per-ecosystem all.zip archives of an OSV mirror laid out like
// OSV's public bucket: <source>/<ecosystem>/all.zip.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "http/http_client.hpp"

namespace regscan::vulndb {

inline constexpr const char* default_osv_source = "https://osv-vulnerabilities.storage.googleapis.com";

// "<source>/<ecosystem, percent-encoded>/all.zip"; a trailing '/' on the
// source is ignored ("Rocky Linux" -> ".../Rocky%20Linux/all.zip").
std::string ecosystem_zip_url(const std::string& source, const std::string& ecosystem);

struct Download {
    bool ok = false;
    std::string url;
    std::string error;  // what failed: status and the first bytes of the body, or the transport error
    uint64_t bytes = 0;
};

// OSV's largest all.zip is well under 2 GiB; a mirror sending more is not
// given the disk.
inline constexpr uint64_t max_download_size = 8ull << 30;

// Streams the archive into `file` (created or truncated; removed again when
// the download fails) without holding it in memory; more than `max_bytes`
// fails it.
Download download_to_file(http::HttpClient& client, const std::string& url, const std::filesystem::path& file,
                          uint64_t max_bytes = max_download_size);

}  // namespace regscan::vulndb
