// `regscan plugins`: what a team has installed, and what was refused and why.
#pragma once

#include <string>
#include <vector>

#include "app/exit_codes.hpp"

namespace regscan::app {

ExitCode run_plugins_command(const std::vector<std::string>& plugin_dirs);

}  // namespace regscan::app
