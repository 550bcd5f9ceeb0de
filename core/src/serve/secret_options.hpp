// A connector's secret plugin options (SDK 1.3 `"secret": true`, such as
// quay-token), kept like its password: sealed with the server's key under
// "sealed_options" in the stored configuration, never answered, opened only
// for an import.
#pragma once

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "serve/secret_box.hpp"

namespace regscan::serve {

// Moves each secret option of config["options"] into config["sealed_options"],
// sealed ("" drops the stored one); one absent from "options" keeps its
// stored value, as an absent password does. Values are registered with the
// redacting log sink.
void seal_secret_options(nlohmann::json& config, const std::set<std::string>& names, const SecretBox& box);

// The configuration as an answer shows it: no sealed value, and no secret
// option in "options" (one stored in clear by an older server); their names
// in "secret_options".
void hide_secret_options(nlohmann::json& config, const std::set<std::string>& names);

// The stored secret options, opened (and registered with the redacting sink).
std::map<std::string, std::string> open_secret_options(const nlohmann::json& config, const SecretBox& box);

// Whether `body` gives again every secret stored (`password_stored`, and each
// of `config`'s sealed options), as moving a connector elsewhere requires.
bool gives_secrets_again(const nlohmann::json& body, bool password_stored, const nlohmann::json& config);

}  // namespace regscan::serve
