// `regscan state prune`: removes from the state (--state, SQLite or
// PostgreSQL) what no run has seen or written for a while (state_prune).
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "app/exit_codes.hpp"

namespace regscan::app {

ExitCode run_state_command(const std::vector<std::string>& arguments, std::ostream& out,
                           const std::map<std::string, std::string>& env);

}  // namespace regscan::app
