#include "app/plugins_command.hpp"

#include <iostream>

#include <fmt/format.h>

#include "plugin/loaded_plugin.hpp"
#include "util/text.hpp"

namespace regscan::app {

// Names, versions, types and refusal reasons come from plugin files and their
// names: escaped like every other text written for a terminal.
ExitCode run_plugins_command(const plugin::PluginSet& plugins) {
    using util::escape_control;
    std::cout << fmt::format("{:<12} {:<9} {:<5} {:<24} {}\n", "NAME", "VERSION", "SDK", "REGISTRY TYPES", "PATH");
    for (const auto& p : plugins.plugins) {
        std::string types;
        for (const auto& t : p->registry_types()) types += (types.empty() ? "" : ",") + t;
        if (p->filter()) types += std::string(types.empty() ? "" : ",") + "filter:" + p->filter()->name;
        if (p->reporter()) types += std::string(types.empty() ? "" : ",") + "reporter:" + p->reporter()->format;
        std::cout << fmt::format("{:<12} {:<9} {:<5} {:<24} {}\n", escape_control(p->id()),
                                 escape_control(p->version()), p->sdk_version(), escape_control(types),
                                 escape_control(p->path().string()));
    }
    if (!plugins.refused.empty()) {
        std::cout << "\nRefused:\n";
        for (const auto& r : plugins.refused)
            std::cout << "  " << escape_control(r.path.string()) << ": " << escape_control(r.reason) << "\n";
    }
    std::cout << "\nSearched:";
    for (const auto& dir : plugins.searched) std::cout << " " << escape_control(dir.string());
    std::cout << "\n";
    return ExitCode::ok;
}

}  // namespace regscan::app
