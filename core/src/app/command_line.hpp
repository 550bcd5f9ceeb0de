// The command line, config file and environment, turned into one validated
// command. Precedence: command line, then environment (credentials), then
// the config file.
#pragma once

#include <istream>
#include <map>
#include <string>
#include <vector>

#include "engine/run_options.hpp"

namespace regscan::app {

enum class CommandKind { help, version, registry, plugins };

struct Command {
    CommandKind kind = CommandKind::help;
    std::string help_text;  // for CommandKind::help
    std::string log_level = "info";
    engine::RunOptions run;  // registry; plugins uses run.plugin_dirs
};

// Throws Fatal(bad_arguments) with a message naming the problem.
// `environment` is consulted instead of the process environment (tests).
Command parse_command_line(const std::vector<std::string>& arguments, std::istream& standard_input,
                           const std::map<std::string, std::string>& environment);

// The process environment as a map, for parse_command_line.
std::map<std::string, std::string> process_environment();

}  // namespace regscan::app
