// The command line, config file and environment, turned into one validated
// command. Precedence: command line, then environment (credentials), then
// the config file.
#pragma once

#include <istream>
#include <map>
#include <string>
#include <vector>

#include "engine/run_options.hpp"
#include "plugin/loaded_plugin.hpp"

namespace regscan::app {

enum class CommandKind { help, version, registry, plugins, image, db };

struct Command {
    CommandKind kind = CommandKind::help;
    std::string help_text;  // for CommandKind::help
    std::string log_level = "info";
    engine::RunOptions run;  // registry and image; plugins uses run.plugin_dirs
    std::string image_reference;  // image
    // image: where its one report goes ("-": standard output); "" when
    // --output-dir was given (every report into it, as for registry).
    std::string image_output;
    bool platform_given = false;  // image: --platform given, so a single-platform image must match it
};

// The --plugin-dir values, read before the full parse: plugins must be loaded
// first because they add options of their own.
std::vector<std::string> plugin_dirs_in(const std::vector<std::string>& arguments);

// Throws Fatal(bad_arguments) with a message naming the problem. `plugins`
// adds the options its registry plugins declare. `environment` is consulted
// instead of the process environment (tests).
Command parse_command_line(const std::vector<std::string>& arguments, std::istream& standard_input,
                           const std::map<std::string, std::string>& environment, const plugin::PluginSet& plugins);

// The process environment as a map, for parse_command_line.
std::map<std::string, std::string> process_environment();

}  // namespace regscan::app
