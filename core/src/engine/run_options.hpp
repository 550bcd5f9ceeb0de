// Everything a registry run needs, already validated by the command line.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "auth/registry_auth.hpp"
#include "http/http_client.hpp"

namespace regscan::engine {

enum class Mode { scan, dry_run };

struct RunOptions {
    std::string url;
    std::string type;  // forced registry type, "" to identify
    auth::Credentials credentials;
    Mode mode = Mode::scan;
    std::vector<std::string> allow;
    std::vector<std::string> deny;
    size_t max_images = 0;  // 0: no limit
    std::string platform = "linux/amd64";
    size_t concurrency = 8;
    std::string output_dir = ".";
    std::vector<std::string> plugin_dirs;
    std::map<std::string, std::string> plugin_options;  // vendor options for the plugin
    http::ClientOptions http;
};

}  // namespace regscan::engine
