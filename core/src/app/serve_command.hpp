// `regscan serve`: the connectors, their scheduled imports, the JSON API and
// the dashboard on one loopback port (docs/serve.md).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/exit_codes.hpp"
#include "plugin/loaded_plugin.hpp"

namespace regscan::app {

// `arguments` follow "serve". The registry command's own options (database,
// plugin dirs, limits, malware, TLS trust, image timeout...) are parsed by
// parse_command_line and become every connector's defaults. Runs until
// SIGTERM or SIGINT; returns ok after a clean stop.
ExitCode run_serve_command(const std::vector<std::string>& arguments, const std::map<std::string, std::string>& env,
                           const plugin::PluginSet& plugins);

}  // namespace regscan::app
