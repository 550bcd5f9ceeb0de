#include "app/plugins_command.hpp"

#include <iostream>

#include <fmt/format.h>

#include "plugin/loaded_plugin.hpp"

namespace regscan::app {

ExitCode run_plugins_command(const plugin::PluginSet& plugins) {
    std::cout << fmt::format("{:<12} {:<9} {:<5} {:<24} {}\n", "NAME", "VERSION", "SDK", "REGISTRY TYPES", "PATH");
    for (const auto& p : plugins.plugins) {
        std::string types;
        for (const auto& t : p->registry_types()) types += (types.empty() ? "" : ",") + t;
        if (p->filter()) types += std::string(types.empty() ? "" : ",") + "filter:" + p->filter()->name;
        if (p->reporter()) types += std::string(types.empty() ? "" : ",") + "reporter:" + p->reporter()->format;
        std::cout << fmt::format("{:<12} {:<9} {:<5} {:<24} {}\n", p->id(), p->version(), p->sdk_version(), types,
                                 p->path().string());
    }
    if (!plugins.refused.empty()) {
        std::cout << "\nRefused:\n";
        for (const auto& r : plugins.refused) std::cout << "  " << r.path.string() << ": " << r.reason << "\n";
    }
    std::cout << "\nSearched:";
    for (const auto& dir : plugins.searched) std::cout << " " << dir.string();
    std::cout << "\n";
    return ExitCode::ok;
}

}  // namespace regscan::app
