// `regscan connector add|list|import|remove`: manage the connectors of a
// running `regscan serve` through its API (the same calls the page makes).
#pragma once

#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "app/exit_codes.hpp"

namespace regscan::app {

// `arguments` follow "connector". The token comes from --token-file, else
// REGSCAN_SERVE_TOKEN, else <default data dir>/serve-token.
ExitCode run_connector_command(const std::vector<std::string>& arguments, std::istream& standard_input,
                               std::ostream& out, const std::map<std::string, std::string>& env);

}  // namespace regscan::app
