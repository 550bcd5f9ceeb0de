// Misconfigurations visible in the image config: user, healthcheck, secrets
// in Env and labels, remote ADDs in the build history.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "scan/model.hpp"

namespace regscan::scan {

std::vector<Misconfiguration> check_image_config(const nlohmann::json& config);

// True for names like DB_PASSWORD, GITHUB_TOKEN, aws_secret_access_key.
bool looks_like_secret_name(const std::string& name);

}  // namespace regscan::scan
