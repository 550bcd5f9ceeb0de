#include "app/plugin_options.hpp"

#include <algorithm>

#include "app/exit_codes.hpp"
#include "util/text.hpp"

namespace regscan::app {
namespace {

bool declares(const plugin::LoadedPlugin& plugin, const std::string& name) {
    const auto& options = plugin.options();
    return std::any_of(options.begin(), options.end(), [&](const auto& option) { return option.name == name; });
}

}  // namespace

void check_plugin_options(const std::set<std::string>& given, const plugin::PluginSet& plugins,
                          const plugin::LoadedPlugin& chosen, const std::string& type, bool forced) {
    for (const auto& name : given) {
        if (declares(chosen, name)) continue;
        std::string owners, owner_type;
        for (const auto& p : plugins.plugins)
            if (declares(*p, name)) {
                owners += (owners.empty() ? "" : ", ") + p->id();
                if (owner_type.empty() && !p->registry_types().empty()) owner_type = p->registry_types()[0];
            }
        std::string message = "--" + name + " is an option of the " + owners + " plugin, but " +
                              (forced ? "--type " + type + " chose" : "the registry was identified as " + type +
                                                                          ", handled by") +
                              " the " + chosen.id() + " plugin, which does not take it";
        if (!forced && !owner_type.empty())
            message += "; give --type " + util::ascii_upper(owner_type) + " if this registry is one, or drop --" + name;
        else message += "; drop --" + name;
        throw Fatal(ExitCode::bad_arguments, message);
    }
}

std::string refused_plugins_hint(const std::string& option, const plugin::PluginSet& plugins) {
    if (plugins.refused.empty()) return {};
    std::string word = option;
    word.erase(0, word.find_first_not_of('-'));
    word = word.substr(0, word.find_first_of("-="));
    std::vector<const plugin::Refusal*> named, others;
    for (const auto& refusal : plugins.refused)
        (!word.empty() && refusal.path.filename().string().find(word) != std::string::npos ? named : others)
            .push_back(&refusal);
    const auto& shown = named.empty() ? others : named;
    std::string files;
    for (const auto* refusal : shown)
        files += (files.empty() ? "" : "; ") + refusal->path.string() + " (" + refusal->reason + ")";
    std::string hint = named.empty() ? "; plugin files were refused, so options they declare are not available: " + files
                       : shown.size() == 1 ? "; the plugin file " + files + " was refused, so its options are not available"
                                           : "; the plugin files " + files + " were refused, so their options are not available";
    hint += " ('regscan plugins' lists refusals)";
    return hint;
}

}  // namespace regscan::app
